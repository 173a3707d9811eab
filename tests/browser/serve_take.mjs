#!/usr/bin/env node
// Records a take in the `vmcoach serve` page in headless Chromium, with a
// fake microphone that plays a WAV file, and prints what the page showed
// as one JSON document on stdout.
//
//   node serve_take.mjs URL AUDIO.wav SECONDS [--expect-number DIGITS]
//        [--screenshots DESKTOP.png PHONE.png]
//
// The microphone plays AUDIO.wav once from when the page opens it; the
// driver turns the countdown off, opens the page again, reaches Record with Tab and presses
// Enter, waits until the page has recorded SECONDS, presses Enter on Stop
// (where the page put the focus), and waits for the report. The result has:
//   errors            console errors and uncaught exceptions
//   remembered        the options after the page was opened again
//   tabs_to_record    Tab presses from the page's start to Record
//   stop_to_report_ms from Enter on Stop to the report page loaded
//   summary           the text of the take's summary; score: its score
//   report_text       the text of the full report shown in the page's frame
//   takes             the rows of the takes table (text of each cell)
//   recorded_s        what the page's clock showed when stopped
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const [url, audio, secondsArg, ...rest] = process.argv.slice(2);
if (!url || !audio || !secondsArg) {
  console.error("usage: serve_take.mjs URL AUDIO.wav SECONDS [--expect-number DIGITS] [--screenshots DESKTOP.png PHONE.png]");
  process.exit(2);
}
const flag = (name, count = 1) => {
  const at = rest.indexOf(name);
  return at < 0 ? null : rest.slice(at + 1, at + 1 + count);
};
const expectNumber = flag("--expect-number")?.[0];
const shots = flag("--screenshots", 2);
const seconds = Number(secondsArg);

const profile = mkdtempSync(join(tmpdir(), "vmcoach-chromium-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    `--use-file-for-fake-audio-capture=${resolve(audio)}%noloop`,
  ],
});
const errors = [];
try {
  const page = browser.pages()[0] || (await browser.newPage());
  page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => errors.push(`exception: ${e.message}`));
  await page.goto(url);
  await page.uncheck("input[name=countdown]");
  if (expectNumber) await page.fill("input[name=expect_number]", expectNumber);

  // keyboard alone: Tab to Record, Enter; the page moves the focus to Stop
  // the options are remembered: open the page again, from its start
  await page.reload();
  const remembered = await page.evaluate(() => ({
    countdown: document.querySelector("input[name=countdown]").checked,
    expect_number: document.querySelector("input[name=expect_number]").value,
  }));
  let tabs = 0;
  while ((await page.evaluate(() => document.activeElement?.id)) !== "record") {
    if (++tabs > 30) throw new Error("Record cannot be reached with Tab");
    await page.keyboard.press("Tab");
  }
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.getElementById("countdown").textContent === "Speak now.");
  // the page's own clock: seconds of audio it has kept
  await page.waitForFunction(
    (s) => {
      const [m, rest] = document.getElementById("elapsed").textContent.split(":");
      return Number(m) * 60 + Number(rest) >= s;
    },
    seconds,
    { timeout: (seconds + 30) * 1000 },
  );
  const recorded = await page.textContent("#elapsed");
  const stopped = Date.now();
  if ((await page.evaluate(() => document.activeElement?.id)) !== "stop") {
    throw new Error("the focus is not on Stop while recording");
  }
  await page.keyboard.press("Enter");
  await page.waitForSelector("#score", { timeout: 180_000 });
  const frame = page.frameLocator("#report");
  await frame.locator("body").waitFor();
  await page.waitForFunction(() => {
    const doc = document.getElementById("report").contentDocument;
    return doc && doc.readyState === "complete" && doc.body && doc.body.innerText.length > 100;
  });
  const stopToReport = Date.now() - stopped;
  await page.waitForSelector("#takes-table tbody tr");

  const result = {
    errors,
    recorded_s: recorded,
    tabs_to_record: tabs,
    remembered,
    stop_to_report_ms: stopToReport,
    summary: await page.innerText("#summary"),
    score: await page.textContent("#score"),
    report_text: await frame.locator("body").innerText(),
    takes: await page.$$eval("#takes-table tbody tr", (rows) =>
      rows.map((r) => [...r.cells].map((c) => c.innerText.trim()))),
  };
  if (shots) {
    await page.screenshot({ path: shots[0], fullPage: false });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => document.getElementById("result").scrollIntoView());
    await page.screenshot({ path: shots[1], fullPage: false });
  }
  console.log(JSON.stringify(result, null, 2));
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
