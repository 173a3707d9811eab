#!/usr/bin/env python3
"""Opens a vmcoach HTML page in headless Chromium and reports what a user
would meet there, as one JSON document on stdout.

    check_page.py PAGE.html [--click-word N] [--sort-column TEXT]
                  [--screenshot OUT.png] [--clip-height PX] [--width PX]

Chromium is driven over the DevTools protocol on a pipe (file descriptors 3
and 4, JSON messages ended by a NUL byte), so nothing but python3 and the
browser is needed. The result has:

  errors          console errors, uncaught exceptions and error log entries
  word_marks      marks of words on the SVG timeline
  report_words    words in the page's transcript
  number_marks    phone-number highlights on the timeline
  number_words    words of a phone number in the transcript
  alert_calls     window.alert calls (a script from the transcript ran)
  body_text       the page's visible text
  click           with --click-word: the word, its data-start, and the
                  player's currentTime before and after a real mouse click
  sorted          with --sort-column: that column's cells after one click
                  on its header, and after a second
  layout          the timeline picture shown, its word labels' height on
                  screen, the title and any mid-word break in it, and
                  whether the page is wider than the window
"""

import argparse
import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time


# What a reader sees of the page's layout at this width: the timeline
# picture shown, the height on screen of its word labels, the page title and
# where it breaks between two letters or digits (mid-word), and whether the
# page is wider than the window.
LAYOUT = r"""(() => {
  const shown = [...document.querySelectorAll('svg.tl')].filter(s => getComputedStyle(s).display !== 'none');
  const labels = shown.flatMap(s => [...s.querySelectorAll('g.word text')]).map(t => t.getBoundingClientRect().height);
  const h1 = document.querySelector('h1');
  const text = h1 && h1.firstChild && h1.firstChild.nodeType === 3 ? h1.firstChild : null;
  const breaks = [];
  if (text) {
    const top = i => { const r = document.createRange(); r.setStart(text, i); r.setEnd(text, i + 1); return r.getClientRects()[0].top; };
    const s = text.data;
    for (let i = 1; i < s.length; i++) {
      if (top(i) > top(i - 1) + 1 && /[A-Za-z0-9]/.test(s[i - 1]) && /[A-Za-z0-9]/.test(s[i])) breaks.push(s.slice(0, i) + '|' + s.slice(i));
    }
  }
  return {
    timelines_shown: shown.map(s => s.id),
    word_label_px: labels.length ? Math.min(...labels) : null,
    title: h1 ? h1.textContent : null,
    title_breaks_mid_word: breaks,
    wider_than_window: document.documentElement.scrollWidth > window.innerWidth + 1,
  };
})()"""


def find_chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    sys.exit("chromium not found: install it with `apt-get install chromium` (./scripts/test does)")


def high_pipe():
    """A pipe whose ends are above 4, so that putting them at 3 and 4 in the
    child never overwrites one with the other."""
    ends = []
    for fd in os.pipe():
        ends.append(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10))
        os.close(fd)
    return ends


class Browser:
    """One headless Chromium, spoken to over the DevTools pipe."""

    def __init__(self, width, height):
        self.profile = tempfile.mkdtemp(prefix="vmcoach-chromium-")
        to_browser_r, self.to_browser = high_pipe()
        self.from_browser, from_browser_w = high_pipe()

        def give_pipes():
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.proc = subprocess.Popen(
            [
                find_chromium(),
                "--headless",
                "--remote-debugging-pipe",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--mute-audio",
                "--autoplay-policy=no-user-gesture-required",
                "--hide-scrollbars",
                f"--window-size={width},{height}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=None if os.environ.get("CHECK_PAGE_DEBUG") else subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=give_pipes,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.next_id = 0
        self.replies = {}
        self.events = queue.Queue()
        self.lock = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buffer = b""
        while True:
            chunk = os.read(self.from_browser, 1 << 16)
            if not chunk:
                with self.lock:
                    self.replies[None] = "closed"
                    self.lock.notify_all()
                return
            buffer += chunk
            while b"\0" in buffer:
                message, buffer = buffer.split(b"\0", 1)
                msg = json.loads(message)
                if "id" in msg:
                    with self.lock:
                        self.replies[msg["id"]] = msg
                        self.lock.notify_all()
                else:
                    self.events.put(msg)

    def send(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        mid = self.next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        with self.lock:
            while mid not in self.replies:
                if None in self.replies:
                    raise RuntimeError(f"chromium went away during {method}")
                left = deadline - time.time()
                if left <= 0:
                    raise RuntimeError(f"no answer to {method} in {timeout} s")
                self.lock.wait(left)
            reply = self.replies.pop(mid)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """A tab of the browser, with the problems it reported."""

    def __init__(self, browser, width, height):
        self.b = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        self.errors = []

    def send(self, method, params=None, timeout=30):
        return self.b.send(method, params, self.session, timeout)

    def pump(self, until=None, timeout=10):
        """Takes in the events so far; with `until`, waits for that event."""
        deadline = time.time() + timeout
        while True:
            try:
                ev = self.b.events.get(timeout=max(0.0, min(0.2, deadline - time.time())))
            except queue.Empty:
                if until is None or time.time() > deadline:
                    if until is not None:
                        raise RuntimeError(f"no {until} in {timeout} s")
                    return
                continue
            if ev.get("sessionId") != self.session:
                continue
            method, params = ev["method"], ev.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                self.errors.append(f"console.{params['type']}: {text}")
            elif method == "Runtime.exceptionThrown":
                d = params["exceptionDetails"]
                self.errors.append("exception: " + d.get("exception", {}).get("description", d.get("text", "")))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                self.errors.append(f"log: {params['entry'].get('text', '')} {params['entry'].get('url', '')}".strip())
            if method == until:
                return

    def eval(self, expression, timeout=30):
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            timeout,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=10):
        deadline = time.time() + timeout
        while not self.eval(expression):
            if time.time() > deadline:
                raise RuntimeError(f"still not true after {timeout} s: {expression}")
            self.pump(timeout=0.1)

    def click_at(self, x, y):
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            params = {"type": kind, "x": x, "y": y}
            if kind != "mouseMoved":
                params.update(button="left", clickCount=1)
            self.send("Input.dispatchMouseEvent", params)

    def click(self, selector):
        """A real mouse click in the middle of the element's box."""
        box = self.eval(
            f"""(() => {{ const el = document.querySelector({json.dumps(selector)});
            el.scrollIntoView({{block: 'center'}}); const r = el.getBoundingClientRect();
            return {{x: r.left + r.width / 2, y: r.top + r.height / 2}}; }})()"""
        )
        self.click_at(box["x"], box["y"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("page")
    ap.add_argument("--click-word", type=int)
    ap.add_argument("--sort-column")
    ap.add_argument("--screenshot")
    ap.add_argument("--clip-height", type=int)
    ap.add_argument("--width", type=int, default=1100)
    args = ap.parse_args()

    width, height = args.width, 900
    browser = Browser(width, height)
    try:
        page = Page(browser, width, height)
        page.eval("window.__alerts = 0")
        page.send(
            "Page.addScriptToEvaluateOnNewDocument",
            {"source": "window.__alerts = 0; window.alert = function () { window.__alerts += 1; };"},
        )
        page.send("Page.navigate", {"url": "file://" + os.path.abspath(args.page)})
        page.pump(until="Page.loadEventFired", timeout=30)
        page.pump(timeout=0.5)
        out = {
            "word_marks": page.eval("document.querySelectorAll('#timeline g.word').length"),
            "report_words": page.eval("document.querySelectorAll('#transcript .w').length"),
            "number_marks": page.eval("document.querySelectorAll('#timeline .number-highlight').length"),
            "number_words": page.eval("document.querySelectorAll('#transcript mark.num .w').length"),
            "markers": page.eval("[...document.querySelectorAll('#timeline .marker')].map(m => m.dataset.part)"),
            "has_player": page.eval("!!document.getElementById('player')"),
            "alert_calls": page.eval("window.__alerts"),
            "body_text": page.eval("document.body.innerText"),
            "page_height": page.eval("document.documentElement.scrollHeight"),
            "layout": page.eval(LAYOUT),
        }
        if args.screenshot:
            page.eval("window.scrollTo(0, 0)")
            clip_h = args.clip_height or out["page_height"]
            page.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": clip_h, "deviceScaleFactor": 1, "mobile": False},
            )
            page.pump(timeout=0.3)
            shot = page.send(
                "Page.captureScreenshot",
                {"format": "png", "clip": {"x": 0, "y": 0, "width": width, "height": clip_h, "scale": 1}},
            )
            with open(args.screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            page.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
        if args.click_word is not None:
            page.wait_for("document.getElementById('player').readyState >= 1", timeout=15)
            selector = f"#timeline g.word[data-i='{args.click_word}'] text"
            before = page.eval("document.getElementById('player').currentTime")
            page.click(selector)
            page.pump(timeout=0.5)
            out["click"] = {
                "word": page.eval(f"document.querySelector({json.dumps(selector)}).textContent"),
                "start": float(page.eval(f"document.querySelector(\"#timeline g.word[data-i='{args.click_word}']\").dataset.start")),
                "before": before,
                "after": page.eval("document.getElementById('player').currentTime"),
            }
            page.eval("document.getElementById('player').pause(); document.getElementById('player').currentTime = 0")
        if args.sort_column:
            header = f"[...document.querySelectorAll('th')].find(th => th.textContent.trim() === {json.dumps(args.sort_column)})"
            index = page.eval(f"{header}.cellIndex")
            column = f"[...document.querySelectorAll('#files tbody tr')].map(r => r.cells[{index}].textContent)"
            sorted_runs = []
            for _ in range(2):
                page.eval(f"{header}.setAttribute('data-probe', '1')")
                page.click("th[data-probe] button")
                sorted_runs.append(page.eval(column))
            out["sorted"] = sorted_runs
        page.pump(timeout=0.3)
        out["errors"] = page.errors
    finally:
        browser.close()
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
