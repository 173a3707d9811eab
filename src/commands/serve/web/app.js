// The page: record or drop a take, show its report, the takes so far and
// the checks of a written script. The options are kept in localStorage.

import * as api from "./api.js";
import { Recorder } from "./recorder.js";
import * as views from "./views.js";

const $ = (id) => document.getElementById(id);
const MAX_SECONDS = 90;
const OPTIONS_KEY = "vmcoach.options";
const SCRIPT_KEY = "vmcoach.script";

// ---------------------------------------------------------------- options

const form = $("options-form");

function options() {
  const data = new FormData(form);
  return {
    kind: data.get("kind"),
    attempt: data.get("attempt"),
    expect_number: data.get("expect_number"),
    expect_name: data.get("expect_name"),
  };
}

function loadOptions() {
  const saved = JSON.parse(localStorage.getItem(OPTIONS_KEY) || "{}");
  for (const [name, value] of Object.entries(saved)) {
    const field = form.elements[name];
    if (!field) continue;
    if (field.type === "checkbox") field.checked = value;
    else field.value = value;
  }
}

function saveOptions() {
  localStorage.setItem(OPTIONS_KEY, JSON.stringify({ ...options(), countdown: form.elements.countdown.checked }));
}

// --------------------------------------------------------------- a take

let recorder = null;
let busy = false;

function setBusy(on) {
  busy = on;
  $("record").disabled = on;
  $("file").disabled = on;
}

function showResultArea() {
  $("result").hidden = false;
  $("error").hidden = true;
}

function showError(message) {
  showResultArea();
  $("progress").hidden = true;
  $("error").textContent = message;
  $("error").hidden = false;
}

function showPage(path) {
  $("full-report").hidden = false;
  $("report").src = api.withToken(path);
}

$("report").addEventListener("load", () => {
  const frame = $("report");
  try {
    frame.style.height = `${frame.contentDocument.documentElement.scrollHeight + 20}px`;
  } catch {
    frame.style.height = "80vh";
  }
});

async function analyze(audio, name) {
  setBusy(true);
  showResultArea();
  $("summary").replaceChildren();
  $("full-report").hidden = true;
  $("progress").hidden = false;
  const started = performance.now();
  const tick = setInterval(() => {
    const s = Math.round((performance.now() - started) / 1000);
    $("progress-text").textContent = `Listening to your take... ${s} s`;
  }, 250);
  try {
    const report = await api.analyze(audio, options(), name);
    $("progress").hidden = true;
    $("summary").replaceChildren(views.summary(report));
    showPage(report.take.page);
    $("result-title").focus();
    refreshTakes();
  } catch (e) {
    showError(e.message);
  } finally {
    clearInterval(tick);
    $("progress-text").textContent = "Listening...";
    setBusy(false);
  }
}

function onBlock(db, seconds) {
  $("level").value = db;
  $("level-text").textContent = db <= -60 ? "-- dB" : `${Math.round(db)} dB`;
  if (recorder?.recording) {
    $("elapsed").textContent = views.clock(seconds);
    if (seconds >= MAX_SECONDS) stop();
  }
}

async function countdown() {
  for (const n of [3, 2, 1]) {
    $("countdown").textContent = `Starting in ${n}...`;
    await new Promise((done) => setTimeout(done, 1000));
  }
  $("countdown").textContent = "";
}

async function record() {
  if (busy) return;
  setBusy(true);
  recorder = new Recorder(onBlock);
  try {
    $("mic").textContent = `Recording from ${await recorder.open()}, at most ${views.clock(MAX_SECONDS)}.`;
  } catch (e) {
    recorder.close();
    recorder = null;
    setBusy(false);
    $("mic").textContent = `No microphone: ${e.message}. Allow the microphone for this page, or drop a recording below.`;
    return;
  }
  $("stop").disabled = false;
  $("stop").focus();
  if (form.elements.countdown.checked) await countdown();
  if (!recorder) return;
  recorder.start();
  $("countdown").textContent = "Speak now.";
}

async function stop() {
  if (!recorder) return;
  const current = recorder;
  recorder = null;
  $("stop").disabled = true;
  $("countdown").textContent = "";
  const wav = await current.stop();
  $("mic").textContent = wav ? `Recorded ${views.clock(current.seconds())}.` : "Nothing was recorded.";
  if (wav) await analyze(wav, null);
  else setBusy(false);
  $("record").focus();
}

// ---------------------------------------------------------------- takes

async function refreshTakes() {
  try {
    const listing = await api.takes();
    const takes = listing.takes;
    $("takes-empty").hidden = takes.length > 0;
    $("chart").replaceChildren(...(takes.length ? [views.chart(takes)] : []));
    const open = (take) => {
      showResultArea();
      $("summary").replaceChildren(views.el("p", { class: "score" },
        `The take of ${take.time.slice(0, 16).replace("T", " ")}: ${take.score}/100`));
      showPage(`/api/takes/${take.id}.html`);
      $("result-title").focus();
    };
    $("takes-table").tBodies[0].replaceChildren(...takes.slice().reverse().map((t) => views.takeRow(t, open)));
  } catch (e) {
    $("takes-empty").textContent = `The takes cannot be listed: ${e.message}`;
  }
}

// --------------------------------------------------------------- script

let scriptTimer = null;
let scriptAsked = 0;

function scriptChanged() {
  localStorage.setItem(SCRIPT_KEY, $("script-text").value);
  clearTimeout(scriptTimer);
  scriptTimer = setTimeout(checkScript, 300);
}

async function checkScript() {
  const text = $("script-text").value;
  const asked = ++scriptAsked;
  if (!text.trim()) {
    $("script-checks").replaceChildren();
    return;
  }
  try {
    const report = await api.check(text, options());
    if (asked === scriptAsked) $("script-checks").replaceChildren(views.checks(report));
  } catch (e) {
    if (asked === scriptAsked) $("script-checks").replaceChildren(views.el("p", { class: "error" }, e.message));
  }
}

// ---------------------------------------------------------------- wiring

function dropHandlers() {
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const file = e.dataTransfer.files[0];
    if (file && !busy) analyze(file, file.name);
  });
  $("file").addEventListener("change", () => {
    const file = $("file").files[0];
    if (file && !busy) analyze(file, file.name);
    $("file").value = "";
  });
}

loadOptions();
for (const event of ["input", "change"]) {
  form.addEventListener(event, () => {
    saveOptions();
    scriptChanged();
  });
}
form.addEventListener("submit", (e) => e.preventDefault());
$("record").addEventListener("click", record);
$("stop").addEventListener("click", stop);
$("limit").textContent = views.clock(MAX_SECONDS).replace(".0", "");
$("script-text").value = localStorage.getItem(SCRIPT_KEY) || "";
$("script-text").addEventListener("input", scriptChanged);
dropHandlers();
refreshTakes();
if ($("script-text").value.trim()) checkScript();
