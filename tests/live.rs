//! Hearing a take while it is recorded, through the real capture path: the
//! fake microphone of tests/common/alsa.rs (ALSA's file plugin paced at real
//! time) into `vmcoach record`, with the real model. Whatever happens while
//! recording, the report must give the verdicts and numbers `vmcoach
//! analyze` gives for the saved take, its transcript within a word in 100,
//! and the take must be the bytes a recording without live hearing saves. These fail, never skip, without the model.
#![cfg(target_os = "linux")]

#[path = "common/alsa.rs"]
mod alsa;
mod common;
#[path = "common/takes.rs"]
mod takes;

use std::fs;
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use serde_json::Value;
use takes::*;

/// A fixture followed by a second of silence, and its length in seconds.
fn fixture_then_silence(name: &str) -> (Vec<i16>, f64) {
    let mut mono = alsa::fixture_samples_of(name).0;
    mono.extend(std::iter::repeat_n(0, 16_000));
    let seconds = mono.len() as f64 / 16_000.0;
    (mono, seconds)
}

/// `vmcoach analyze --json` of a take, run where the take was recorded.
fn analyze(dir: &Path, take: &str) -> Value {
    let model = model();
    let r = run(
        dir,
        "analyze",
        Path::new("/dev/null"),
        &["--model", &model, "analyze", "--json", take],
        None,
    );
    r.ok();
    serde_json::from_str(&r.stdout).unwrap()
}

/// `vmcoach -v record` of one take into `takes/NAME.wav`, with `more` args.
fn record(dir: &Path, conf: &Path, name: &str, more: &[&str]) -> Child {
    let model = model();
    let out = format!("takes/{name}.wav");
    let mut args = vec![
        "--model",
        &model,
        "-v",
        "record",
        "--no-countdown",
        "--json",
        "--out",
        &out,
    ];
    args.extend_from_slice(more);
    spawn(dir, name, conf, &args, None)
}

/// The words of a report's transcript, lower case, without punctuation.
fn words(report: &Value) -> Vec<String> {
    report["transcript"]
        .as_str()
        .unwrap_or_default()
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Each rule's id and status.
fn verdicts(report: &Value) -> Vec<(String, String)> {
    report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].to_string(), r["status"].to_string()))
        .collect()
}

/// The report a finished `record --json` printed, checked against the saved
/// take's own: the same verdicts and numbers, the same length, and the
/// transcript at most 1 word in 100 apart (so its word error rate is
/// within a point of the saved take's).
fn report_is_the_saved_takes(r: &Run, dir: &Path, name: &str) -> Value {
    r.ok();
    let live: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}\n--- stdout\n{}\n--- stderr\n{}", r.stdout, r.stderr));
    let saved = analyze(dir, &format!("takes/{name}.wav"));
    let both = format!("live:\n{live:#}\nsaved:\n{saved:#}");
    assert_eq!(verdicts(&live), verdicts(&saved), "{both}");
    assert_eq!(
        live["phone_numbers"]
            .as_array()
            .map(|n| n.iter().map(|n| n["digits"].clone()).collect::<Vec<_>>()),
        saved["phone_numbers"]
            .as_array()
            .map(|n| n.iter().map(|n| n["digits"].clone()).collect::<Vec<_>>()),
        "{both}"
    );
    assert_eq!(live["duration_s"], saved["duration_s"], "{both}");
    assert_eq!(live["speech_heard"], saved["speech_heard"], "{both}");
    let (a, b) = (words(&live), words(&saved));
    let apart = strsim::generic_levenshtein(&a, &b);
    assert!(apart * 100 <= b.len().max(1), "{apart} words apart\n{both}");
    assert!(!r.stderr.contains("short gap"), "{}", r.stderr);
    live
}

/// A new folder with a fake microphone playing `fixture` then a second of
/// silence, and `vmcoach -v record` of it as take NAME (`more` args) started.
fn record_fixture(fixture: &str, name: &str, more: &[&str]) -> (tempfile::TempDir, Child) {
    let dir = tempfile::tempdir().unwrap();
    let (mono, _) = fixture_then_silence(fixture);
    let conf = fake_mic(dir.path(), &mono);
    let child = record(dir.path(), &conf, name, more);
    (dir, child)
}

/// Waits until `name`'s stderr holds `text`.
fn wait_for_line(dir: &Path, name: &str, text: &str, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let err = fs::read_to_string(dir.join(format!("{name}.stderr"))).unwrap_or_default();
        if err.contains(text) {
            return;
        }
        if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
            panic!("no {text:?} in\n{err}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_take_heard_live_gets_the_saved_takes_report_and_the_same_bytes() {
    let _alone = alone();
    let dir = tempfile::tempdir().unwrap();
    let (mono, seconds) = fixture_then_silence("short-20s-application-awb-16k.wav");
    let conf = fake_mic(dir.path(), &mono);
    let max = format!("{seconds:.2}");
    let live = record(dir.path(), &conf, "live", &["--max-seconds", &max]);
    let r = finish(live, dir.path(), "live", Duration::from_secs(240));
    let report = report_is_the_saved_takes(&r, dir.path(), "live");
    // It was heard while recording, and found the number then.
    assert!(r.stderr.contains("live: heard the first"), "{}", r.stderr);
    assert!(r.stderr.contains("live: number heard 0:0"), "{}", r.stderr);
    assert_eq!(report["phone_numbers"][0]["digits"], "3145550176");

    let after = record(
        dir.path(),
        &conf,
        "after",
        &["--max-seconds", &max, "--no-live"],
    );
    let r = finish(after, dir.path(), "after", Duration::from_secs(240));
    r.ok();
    assert!(!r.stderr.contains("live:"), "{}", r.stderr);
    let bytes = |n: &str| fs::read(dir.path().join("takes").join(n)).unwrap();
    assert!(
        bytes("live.wav") == bytes("after.wav"),
        "the takes differ with and without live hearing"
    );
}

#[test]
fn a_take_stopped_in_the_middle_of_a_sentence_is_coached_as_saved() {
    let _alone = alone();
    let (dir, mut child) = record_fixture("networking-good-slt-16k.wav", "cut", &[]);
    let part = dir.path().join("takes/cut.wav.part");
    // 9.5 s: inside "Priya Raman suggested I call you".
    wait_for_part(&part, 9.5, &mut child, dir.path(), "cut");
    sigint(&child);
    let r = finish(child, dir.path(), "cut", Duration::from_secs(120));
    let report = report_is_the_saved_takes(&r, dir.path(), "cut");
    assert!(r.stderr.contains("(stopped)"), "{}", r.stderr);
    let duration = report["duration_s"].as_f64().unwrap();
    assert!((9.4..11.0).contains(&duration), "{duration} s");
}

#[test]
fn a_take_without_speech_is_heard_as_none() {
    let _alone = alone();
    let dir = tempfile::tempdir().unwrap();
    let conf = fake_mic(dir.path(), &[0i16; 16_000]);
    let child = record(
        dir.path(),
        &conf,
        "quiet",
        &["--device", "vmcoach_muted", "--max-seconds", "4"],
    );
    let r = finish(child, dir.path(), "quiet", Duration::from_secs(120));
    let report = report_is_the_saved_takes(&r, dir.path(), "quiet");
    assert_eq!(report["speech_heard"], false);
    assert_eq!(report["words"].as_array().unwrap().len(), 0);
    assert!(!r.stderr.contains("live: heard"), "{}", r.stderr);
}

#[test]
fn ctrl_c_while_the_take_is_being_heard_still_saves_and_coaches_it() {
    let _alone = alone();
    let (dir, mut child) = record_fixture("application-good-hts-16k.wav", "busy", &[]);
    // whisper.cpp's verbose line as the worker starts hearing the take so far.
    wait_for_line(dir.path(), "busy", "vmcoach: 1 thread(s)", &mut child);
    sigint(&child);
    let r = finish(child, dir.path(), "busy", Duration::from_secs(120));
    let report = report_is_the_saved_takes(&r, dir.path(), "busy");
    assert_eq!(r.status.code(), Some(0));
    assert!(dir.path().join("takes/busy.wav").is_file());
    assert!(!dir.path().join("takes/busy.wav.part").exists());
    assert!(report["duration_s"].as_f64().unwrap() > 3.0);
    // The stop came while the model was hearing the take so far.
    let stopped = r.stderr.find("Recorded ").unwrap();
    let started = r.stderr.find("vmcoach: 1 thread(s)").unwrap();
    assert!(started < stopped, "{}", r.stderr);
}
