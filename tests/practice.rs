//! The practice commands end to end: `vmcoach devices`, `record` and
//! `rehearse` as a user runs them, recording from the fake microphone of
//! tests/common/alsa.rs (ALSA plays a fixture as the default input, in real
//! time) through cpal, and coaching with the real model. Each `vmcoach` runs
//! as a child process with `ALSA_CONFIG_PATH` pointing at its own
//! configuration. These fail, never skip, without the model.
//!
//! Ctrl-C: the first one stops the take like Enter; the take is finalized
//! and coached and the exit status is 0. A second one exits at once with
//! status 130.
#![cfg(target_os = "linux")]

#[path = "common/alsa.rs"]
mod alsa;
mod common;
#[path = "common/takes.rs"]
mod takes;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use alsa::{alsa_config, fixture_samples};
use serde_json::Value;
use takes::*;

// ------------------------------------------------------------------ tests

#[test]
fn devices_lists_the_test_microphone_as_the_default() {
    let _alone = alone();
    let dir = tempfile::tempdir().unwrap();
    let f = device_format();
    let raw = dir.path().join("empty.raw");
    fs::write(&raw, b"").unwrap();
    let conf = alsa_config(dir.path(), &raw, None);

    let text = run(dir.path(), "devices", &conf, &["devices"], None);
    text.ok();
    let lines: Vec<&str> = text.stdout.lines().collect();
    let default = lines
        .iter()
        .find(|l| l.contains("vmcoach test microphone"))
        .unwrap_or_else(|| panic!("{}", text.stdout));
    assert!(default.starts_with("* default "), "{default}");
    let fields: Vec<&str> = default.split_whitespace().collect();
    assert_eq!(
        fields[fields.len() - 3..],
        [
            f.rate.to_string().as_str(),
            &f.channels.to_string(),
            &f.format
        ],
        "{default}"
    );
    let muted = lines.iter().find(|l| l.contains("vmcoach_muted")).unwrap();
    assert!(muted.starts_with("  vmcoach_muted "), "{muted}");
    assert!(text.stdout.contains("* the default input"));

    let json = run(
        dir.path(),
        "devices-json",
        &conf,
        &["devices", "--json"],
        None,
    );
    json.ok();
    let list: Value = serde_json::from_str(&json.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let d = list.iter().find(|d| d["id"] == "default").unwrap();
    assert_eq!(d["name"], "vmcoach test microphone");
    assert_eq!(d["default"], true);
    assert_eq!(d["sample_format"], f.format.as_str());
    let m = list.iter().find(|d| d["id"] == "vmcoach_muted").unwrap();
    assert_eq!(m["default"], false);
}

#[test]
fn record_saves_a_take_and_the_real_model_finds_the_number() {
    let _alone = alone();
    let dir = tempfile::tempdir().unwrap();
    let (mut mono, rate) = fixture_samples();
    let speech_s = mono.len() as f64 / rate as f64;
    // the message (26 s) and then silence, as when the speaker waits before
    // stopping: a 30 s take
    mono.extend(std::iter::repeat_n(0i16, 5 * rate as usize));
    let conf = fake_mic(dir.path(), &mono);
    let takes = dir.path().join("takes");
    let model = model();
    let child = spawn(
        dir.path(),
        "record",
        &conf,
        &[
            "--model",
            &model,
            "record",
            "--no-countdown",
            "--max-seconds",
            "30",
            "--takes",
            "takes",
            "--json",
            "--expect-number",
            "6125550147",
        ],
        None,
    );
    // The take is renamed from .part to its name when it is finalized: from
    // then on the user waits for the feedback.
    let started = Instant::now();
    let mut finalized = None;
    let mut child = Some(child);
    let deadline = started + Duration::from_secs(120);
    while finalized.is_none() {
        if !files_with(&takes, ".wav").is_empty() {
            finalized = Some(Instant::now());
        }
        if child.as_mut().unwrap().try_wait().unwrap().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "no take after 120 s");
        std::thread::sleep(Duration::from_millis(5));
    }
    let r = finish(
        child.take().unwrap(),
        dir.path(),
        "record",
        Duration::from_secs(240),
    );
    let ended = Instant::now();
    r.ok();
    let finalized = finalized.expect("the take was finalized before vmcoach ended");
    let feedback_s = (ended - finalized).as_secs_f64();
    eprintln!(
        "30 s take: recorded in {:.2} s wall; from the end of the take to the report: {feedback_s:.2} s",
        (finalized - started).as_secs_f64()
    );

    let wavs = files_with(&takes, ".wav");
    assert_eq!(wavs.len(), 1, "{wavs:?}");
    let name = wavs[0].file_name().unwrap().to_str().unwrap().to_string();
    // 2026-03-02T09-14-05.wav
    assert!(name.len() == 23 && name.as_bytes()[10] == b'T', "{name}");
    let (frames, wav_rate) = wav_frames(&wavs[0]);
    assert_eq!(wav_rate, device_format().rate);
    assert_eq!(frames, 30 * wav_rate, "exactly --max-seconds of audio");
    assert!(files_with(&takes, ".part").is_empty());

    let report: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}: stdout is one JSON report:\n{}", r.stdout));
    assert_eq!(report["schema"], 1);
    assert_eq!(report["source"], format!("takes/{name}"));
    assert!(
        (report["duration_s"].as_f64().unwrap() - 30.0).abs() < 0.01,
        "{}",
        report["duration_s"]
    );
    assert_eq!(
        report["phone_numbers"][0]["digits"], "6125550147",
        "{}",
        report["transcript"]
    );
    // (Not bounded above: with silence after the message, whisper stretches
    // the last words into it, and the speech span follows the words.)
    let speech = report["speech_s"].as_f64().unwrap();
    assert!(
        speech > speech_s * 0.8 && speech <= 30.0,
        "speech {speech} of {speech_s}"
    );
    assert!(
        r.stderr.contains(&format!("saved takes/{name}")),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    // Measured, not asserted: timing belongs in benchmarks, and a busy
    // machine makes whisper.cpp's spinning threads many times slower.
    eprintln!("{feedback_s:.2} s from the end of the take to the report");
}

#[test]
fn ctrl_c_finalizes_the_take_coaches_it_and_exits_0() {
    let _alone = alone();
    let dir = tempfile::tempdir().unwrap();
    let conf = fake_mic(dir.path(), &fixture_samples().0);
    let out = dir.path().join("takes").join("interrupted.wav");
    let part = dir.path().join("takes").join("interrupted.wav.part");
    let model = model();
    let mut child = spawn(
        dir.path(),
        "record",
        &conf,
        &[
            "--model",
            &model,
            "record",
            "--no-countdown",
            "--out",
            "takes/interrupted.wav",
            "--json",
        ],
        None,
    );
    wait_for_part(&part, 2.0, &mut child, dir.path(), "record");
    sigint(&child);
    let interrupted = Instant::now();
    let r = finish(child, dir.path(), "record", Duration::from_secs(60));
    r.ok();
    assert_eq!(r.status.code(), Some(0));
    assert!(!part.exists());
    let (frames, rate) = wav_frames(&out);
    let seconds = frames as f64 / rate as f64;
    assert!((2.0..4.0).contains(&seconds), "{seconds} s");
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["source"], "takes/interrupted.wav");
    assert!((report["duration_s"].as_f64().unwrap() - seconds).abs() < 0.01);
    assert!(
        r.stderr.contains("Recorded ") && r.stderr.contains("(stopped)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("saved takes/interrupted.wav"),
        "{}",
        r.stderr
    );
    eprintln!(
        "Ctrl-C after 2 s: {seconds:.2} s take, report {:.2} s after the signal",
        interrupted.elapsed().as_secs_f64()
    );
}

#[test]
fn a_second_ctrl_c_exits_at_once_and_the_cut_take_is_recovered_next_time() {
    let _alone = alone();
    let dir = tempfile::tempdir().unwrap();
    let conf = fake_mic(dir.path(), &fixture_samples().0);
    let part = dir.path().join("takes").join("twice.wav.part");
    let model = model();
    let mut child = spawn(
        dir.path(),
        "record",
        &conf,
        &[
            "--model",
            &model,
            "record",
            "--no-countdown",
            "--out",
            "takes/twice.wav",
        ],
        None,
    );
    wait_for_part(&part, 1.0, &mut child, dir.path(), "record");
    sigint(&child);
    std::thread::sleep(Duration::from_millis(10));
    sigint(&child);
    let second = Instant::now();
    let r = finish(child, dir.path(), "record", Duration::from_secs(60));
    assert_eq!(r.status.code(), Some(130), "{}", r.stderr);
    eprintln!(
        "second Ctrl-C: exited after {:.2} s",
        second.elapsed().as_secs_f64()
    );
    assert!(r.stderr.contains("interrupted"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "no report: {}", r.stdout);
    // The first Ctrl-C may have finalized the take before the second came
    // (then it is whole); else the .part is there, and the next start
    // recovers it.
    let whole = dir.path().join("takes").join("twice.wav");
    assert!(
        whole.exists() != part.exists(),
        "exactly one of the take and its .part"
    );
    eprintln!(
        "second Ctrl-C: exit 130, the take {}",
        if part.exists() {
            "left as .part"
        } else {
            "already finalized by the first"
        }
    );
    if part.exists() {
        let again = run(
            dir.path(),
            "record-again",
            &conf,
            &[
                "record",
                "--no-countdown",
                "--no-analyze",
                "--max-seconds",
                "0.5",
                "--takes",
                "takes",
            ],
            None,
        );
        again.ok();
        assert!(
            again.stderr.contains("recovered a take that was cut off: takes/twice.wav.part -> takes/twice.recovered.wav"),
            "{}",
            again.stderr
        );
        let (frames, rate) = wav_frames(&dir.path().join("takes").join("twice.recovered.wav"));
        assert!(frames as f64 >= 1.0 * rate as f64);
    }
}

/// A `.part` as a killed recording leaves it: the header was last brought up
/// to date before the end of the data.
fn torn_part(path: &Path, samples: &[i16], header_samples: u32) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for &s in samples {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
    let mut bytes = fs::read(path).unwrap();
    let data_at = bytes.len() - samples.len() * 2;
    bytes[4..8].copy_from_slice(&(data_at as u32 - 8 + header_samples * 2).to_le_bytes());
    bytes[data_at - 4..data_at].copy_from_slice(&(header_samples * 2).to_le_bytes());
    fs::write(path, bytes).unwrap();
}

#[test]
fn a_left_over_part_is_recovered_at_the_next_start_and_the_user_told() {
    let _alone = alone();
    let dir = tempfile::tempdir().unwrap();
    let (source, rate) = fixture_samples();
    let conf = fake_mic(dir.path(), &source);
    let takes = dir.path().join("takes");
    fs::create_dir_all(&takes).unwrap();
    let part = takes.join("2026-01-02T03-04-05.wav.part");
    torn_part(&part, &source[..2 * rate as usize], rate / 2);
    assert_eq!(hound::WavReader::open(&part).unwrap().duration(), rate / 2);

    let r = run(
        dir.path(),
        "record",
        &conf,
        &[
            "record",
            "--no-countdown",
            "--no-analyze",
            "--max-seconds",
            "1",
            "--takes",
            "takes",
            "--json",
        ],
        None,
    );
    r.ok();
    assert!(
        r.stderr.contains(
            "recovered a take that was cut off: takes/2026-01-02T03-04-05.wav.part -> takes/2026-01-02T03-04-05.recovered.wav"
        ),
        "{}",
        r.stderr
    );
    assert!(!part.exists());
    let recovered = takes.join("2026-01-02T03-04-05.recovered.wav");
    assert_eq!(
        wav_frames(&recovered),
        (2 * rate, rate),
        "all the data, not just what the header said"
    );
    // and the new take was recorded after it
    let summary: Value = serde_json::from_str(&r.stdout).unwrap();
    let new_take = dir.path().join(summary["path"].as_str().unwrap());
    assert_ne!(new_take, recovered);
    let (frames, new_rate) = wav_frames(&new_take);
    assert_eq!(frames, new_rate);
    assert_eq!(summary["stop"], "max_seconds");
    assert_eq!(summary["overruns"], 0);
    assert!(files_with(&takes, ".part").is_empty());
}

#[test]
fn no_microphone_is_our_one_clear_error_without_alsa_lines() {
    let _machine = alone();
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("asound.conf");
    fs::write(&conf, "# no devices at all\n").unwrap();
    let args = [
        "record",
        "--no-analyze",
        "--out",
        "take.wav",
        "--max-seconds",
        "1",
    ];
    let r = run(dir.path(), "record", &conf, &args, None);
    assert_eq!(r.status.code(), Some(1), "{}", r.stderr);
    assert!(
        r.stderr.starts_with("vmcoach: error: no microphone found"),
        "{}",
        r.stderr
    );
    // alsa-lib's own "ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown
    // PCM default" stays out of it.
    assert!(!r.stderr.contains("ALSA lib"), "{}", r.stderr);
    assert!(!dir.path().join("take.wav").exists());
}

#[test]
fn rehearse_without_a_microphone_says_what_else_works_and_leaves_nothing() {
    let _machine = alone();
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("asound.conf");
    fs::write(&conf, "# no devices at all\n").unwrap();
    let model = model();
    let args = ["rehearse", "--model", &model, "--takes", "takes"];
    let r = run(dir.path(), "rehearse", &conf, &args, Some("q\n"));
    assert_eq!(r.status.code(), Some(1), "{}", r.stderr);
    assert!(
        r.stderr.starts_with("vmcoach: error: no microphone found"),
        "{}",
        r.stderr
    );
    // Before anything else: no take announced, no folder made.
    assert!(!r.stdout.contains("Take 1") && !r.stderr.contains("Take 1"));
    assert!(!dir.path().join("takes").exists());
    // What works without one.
    assert!(r.stderr.contains("vmcoach analyze FILE"), "{}", r.stderr);
    assert!(
        r.stderr.contains("vmcoach check SCRIPT.txt"),
        "{}",
        r.stderr
    );
}

#[test]
fn record_never_overwrites_and_names_the_file() {
    let _alone = alone();
    let dir = tempfile::tempdir().unwrap();
    let conf = fake_mic(dir.path(), &fixture_samples().0[..16_000]);
    fs::write(dir.path().join("mine.wav"), b"keep me").unwrap();
    let r = run(
        dir.path(),
        "record",
        &conf,
        &[
            "record",
            "--no-countdown",
            "--no-analyze",
            "--out",
            "mine.wav",
        ],
        None,
    );
    assert_eq!(r.status.code(), Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("mine.wav already exists"), "{}", r.stderr);
    assert_eq!(fs::read(dir.path().join("mine.wav")).unwrap(), b"keep me");

    // no microphone at all: a clear message, exit 1
    let none = dir.path().join("none.conf");
    fs::write(&none, "# no devices\n").unwrap();
    let r = run(
        dir.path(),
        "record-none",
        &none,
        &["record", "--no-countdown", "--no-analyze"],
        None,
    );
    assert_eq!(r.status.code(), Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("no microphone found") && r.stderr.contains("vmcoach devices"),
        "{}",
        r.stderr
    );
}

#[test]
fn rehearse_records_two_takes_compares_them_and_keeps_the_history() {
    let _alone = alone();
    let dir = tempfile::tempdir().unwrap();
    let conf = fake_mic(dir.path(), &fixture_samples().0);
    let takes = dir.path().join("takes");
    let model = model();
    let args = [
        "--model",
        &model,
        "rehearse",
        "--no-countdown",
        "--max-seconds",
        "6",
        "--takes",
        "takes",
        "--kind",
        "networking",
        "--expect-number",
        "6125550147",
    ];
    let r = run(dir.path(), "rehearse", &conf, &args, Some("\nq\n"));
    r.ok();
    let out = &r.stdout;
    assert!(!out.starts_with("Earlier:"), "no history yet:\n{out}");
    assert_eq!(
        r.stderr.matches("Enter to try again, q to quit").count(),
        2,
        "{}",
        r.stderr
    );
    assert!(
        out.contains("Take 1: score ") && out.contains("first take of this session"),
        "{out}"
    );
    let take2 = out
        .find("Take 2: score ")
        .unwrap_or_else(|| panic!("{out}"));
    let changes: Vec<&str> = out[take2..]
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .collect();
    assert!(changes[0].trim_start().starts_with("score "), "{changes:?}");
    assert!(
        changes
            .iter()
            .any(|l| l.trim_start().starts_with("length ") && l.contains("words/min")),
        "{changes:?}"
    );

    // the history: two lines, one per take, with the promised fields
    let history = fs::read_to_string(takes.join("history.jsonl")).unwrap();
    let lines: Vec<Value> = history
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{history}");
    let wavs = files_with(&takes, ".wav");
    assert_eq!(wavs.len(), 2, "{wavs:?}");
    let second_page = fs::read_to_string(wavs[1].with_extension("html")).unwrap();
    assert!(
        second_page.contains("id=\"takes\""),
        "the second take's page charts both"
    );
    for (line, wav) in lines.iter().zip(&wavs) {
        let name = wav.file_name().unwrap().to_str().unwrap();
        assert_eq!(line["file"], name);
        assert_eq!(line["kind"], "networking");
        assert!(line["time"].as_str().unwrap().len() == 25, "{line}");
        assert!(
            line["failed"].is_array() && line["speech_s"].is_f64() && line["wpm"].is_f64(),
            "{line}"
        );
        // the report next to the take
        let report: Value =
            serde_json::from_str(&fs::read_to_string(wav.with_extension("json")).unwrap()).unwrap();
        assert_eq!(report["score"], line["score"]);
        assert_eq!(report["speech_s"], line["speech_s"]);
        let failed: Vec<&str> = report["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["status"] == "fail")
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        assert_eq!(line["failed"], serde_json::json!(failed));
        // and its page, with the score across the takes so far
        let page = fs::read_to_string(wav.with_extension("html")).unwrap();
        assert!(page.contains("data:audio/wav;base64,"), "{}", wav.display());
        let (frames, rate) = wav_frames(wav);
        assert_eq!(frames, 6 * rate);
        assert!(
            r.stderr.contains(&format!("saved takes/{name}")),
            "{}",
            r.stderr
        );
    }

    // the table: both takes, the best one marked
    let table = &out[out
        .find("Takes this session")
        .unwrap_or_else(|| panic!("{out}"))..];
    let rows: Vec<&str> = table.lines().skip(2).take(2).collect();
    for (i, (row, line)) in rows.iter().zip(&lines).enumerate() {
        let cells: Vec<&str> = row[1..].split_whitespace().collect();
        assert_eq!(cells[0], (i + 1).to_string(), "{row}");
        assert_eq!(cells[1], line["file"].as_str().unwrap(), "{row}");
        assert_eq!(cells[6], line["score"].to_string(), "{row}");
    }
    assert_eq!(
        rows.iter().filter(|r| r.starts_with('*')).count(),
        1,
        "{table}"
    );
    assert!(table.contains("* best: take "), "{table}");

    // a later session starts with the earlier takes and adds to the history
    let again = run(dir.path(), "rehearse-again", &conf, &args, Some("q\n"));
    again.ok();
    let best = lines
        .iter()
        .map(|l| l["score"].as_u64().unwrap())
        .max()
        .unwrap();
    let first_line = again.stdout.lines().next().unwrap();
    assert!(
        first_line.starts_with("Earlier: 2 takes since "),
        "{first_line}"
    );
    assert!(
        first_line.ends_with(&format!("best score {best}, last {}.", lines[1]["score"])),
        "{first_line}"
    );
    assert_eq!(
        fs::read_to_string(takes.join("history.jsonl"))
            .unwrap()
            .lines()
            .count(),
        3
    );
    assert_eq!(
        again
            .stderr
            .matches("Enter to try again, q to quit")
            .count(),
        1
    );
}
