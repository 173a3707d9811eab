// Drawing the results: the take's summary, the script's checks, the list
// and chart of takes. Text from the server is always set as text.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

export function clock(seconds) {
  const s = Math.max(0, seconds);
  return `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, "0")}`;
}

export function phone(digits) {
  if (digits.length === 10) return `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
  if (digits.length === 11 && digits[0] === "1") return `1-${phone(digits.slice(1))}`;
  if (digits.length === 7) return `${digits.slice(0, 3)}-${digits.slice(3)}`;
  return digits;
}

const MARKS = { pass: "✓ pass", warn: "! warning", fail: "✗ fail", skip: "– not checked" };

function score(report) {
  return el("p", { class: "score" },
    el("strong", { id: "score" }, `${report.score}/100`), " ", report.verdict);
}

// The headline of a take's report, the numbers heard, the fixes and what changed.
export function summary(report) {
  const box = el("div", { class: "summary" }, score(report));
  const numbers = report.phone_numbers.map((n) => phone(n.digits));
  box.append(el("p", { id: "numbers" }, numbers.length
    ? `Number heard: ${[...new Set(numbers)].join(", ")}` : "No phone number heard."));
  box.append(el("p", {}, `${report.speech_s.toFixed(1)} s of speech, ${Math.round(report.words_per_minute)} words a minute.`));
  if (report.top_fixes.length) {
    const list = el("ol", { class: "fixes" });
    for (const id of report.top_fixes) {
      const rule = report.rules.find((r) => r.id === id);
      list.append(el("li", {}, rule ? rule.message : id));
    }
    box.append(el("h3", {}, "Fix first"), list);
  }
  const changes = report.take?.changes;
  box.append(el("h3", {}, "Since the take before"));
  if (changes) {
    const list = el("ul", { class: "changes" });
    for (const line of changes) list.append(el("li", {}, line));
    box.append(list);
  } else {
    box.append(el("p", { class: "note" }, "The first take since the coach started."));
  }
  return box;
}

// The checks of a written script.
export function checks(report) {
  const list = el("ul", { class: "checks" });
  for (const rule of report.rules) {
    if (rule.status === "skip") continue;
    list.append(el("li", { class: rule.status },
      el("span", { class: "mark" }, MARKS[rule.status] || rule.status), " ", rule.message));
  }
  return el("div", {}, score(report), list);
}

// The chart of the scores across takes: an SVG with its numbers as text.
export function chart(takes) {
  const shown = takes.slice(-30);
  const w = 600, h = 160, pad = 28;
  const x = (i) => pad + (shown.length < 2 ? (w - 2 * pad) / 2 : (i * (w - 2 * pad)) / (shown.length - 1));
  const y = (score) => h - pad - (score / 100) * (h - 2 * pad);
  const last = shown[shown.length - 1];
  const picture = svg("svg", {
    viewBox: `0 0 ${w} ${h}`, role: "img", class: "chart",
    "aria-label": `Score across the last ${shown.length} takes, from ${shown[0].score} to ${last.score}`,
  });
  for (const level of [0, 50, 100]) {
    picture.append(svg("line", { x1: pad, x2: w - pad, y1: y(level), y2: y(level), class: "grid" }));
    picture.append(svg("text", { x: 2, y: y(level) + 4, class: "axis" }, String(level)));
  }
  picture.append(svg("polyline", { points: shown.map((t, i) => `${x(i)},${y(t.score)}`).join(" "), class: "line" }));
  shown.forEach((t, i) => {
    picture.append(svg("circle", { cx: x(i), cy: y(t.score), r: 4, class: "point" }));
    picture.append(svg("text", { x: x(i), y: y(t.score) - 8, class: "value", "text-anchor": "middle" }, String(t.score)));
  });
  return picture;
}

// One row of the takes table; `open(take)` shows its report.
export function takeRow(take, open) {
  const button = el("button", { type: "button", class: "link" }, "Report");
  button.disabled = !take.page;
  button.addEventListener("click", () => open(take));
  return el("tr", {},
    el("td", {}, take.time.slice(0, 16).replace("T", " ")),
    el("td", { class: "num" }, String(take.score)),
    el("td", { class: "num" }, `${take.speech_s.toFixed(1)} s`),
    el("td", { class: "num" }, `${Math.round(take.wpm)} wpm`),
    el("td", {}, take.failed.length ? take.failed.join(", ") : "–"),
    el("td", {}, button));
}
