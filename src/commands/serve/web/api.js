// The server's JSON API (docs/serve.md), with the token this page was
// opened with.

const TOKEN_KEY = "vmcoach.token";

function token() {
  const fromUrl = new URLSearchParams(location.search).get("token");
  if (fromUrl) sessionStorage.setItem(TOKEN_KEY, fromUrl);
  return fromUrl || sessionStorage.getItem(TOKEN_KEY) || "";
}

// A server path with the token, for frames, players and links.
export function withToken(path) {
  return `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token())}`;
}

async function call(path, init = {}) {
  const headers = { Authorization: `Bearer ${token()}`, ...(init.headers || {}) };
  const response = await fetch(path, { ...init, headers });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.error || `the server answered ${response.status}`);
  }
  return body;
}

function query(options, extra = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...options, ...extra })) {
    if (value !== undefined && value !== null && String(value).trim() !== "") {
      params.set(key, String(value).trim());
    }
  }
  return params.toString();
}

// The schema 1 report of a recording (a WAV blob, or a file in any format
// analyze reads), plus `take`: its id, files and what changed.
export function analyze(audio, options, name) {
  return call(`/api/analyze?${query(options, { name })}`, {
    method: "POST",
    headers: { "Content-Type": audio.type || "application/octet-stream" },
    body: audio,
  });
}

export function check(script, options) {
  return call(`/api/check?${query(options)}`, {
    method: "POST",
    headers: { "Content-Type": "text/plain; charset=utf-8" },
    body: script,
  });
}

export function takes() {
  return call("/api/takes");
}
