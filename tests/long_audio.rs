//! A recording longer than one of whisper's windows is heard in pieces
//! (transcribe/pieces.rs); no words may be lost where one piece ends and
//! the next begins. The real model hears a minute of the fixtures' speech
//! joined with pauses too short to cut at comfortably, so the planner has
//! to cut inside running speech. scripts/eval-long measures the same on
//! nine minutes.

mod common;

use std::path::Path;

use common::*;
use vmcoach::audio::{levels, load, resample};
use vmcoach::transcribe::pieces;

const FIXTURES: [&str; 3] = [
    "networking-good-slt-16k.wav",
    "application-good-hts-16k.wav",
    "networking-fillers-kal16-16k.wav",
];
const PAUSE_S: f64 = 0.3;

/// The fixture's samples without their leading and trailing silence.
fn trimmed(name: &str) -> Vec<f32> {
    let (s, rate) = read_wav(&fixture(name));
    assert_eq!(rate, 16_000);
    let loud = |x: &f32| x.abs() > 0.01;
    let first = s.iter().position(loud).unwrap().saturating_sub(1600);
    let last = (s.iter().rposition(loud).unwrap() + 1600).min(s.len());
    s[first..last].to_vec()
}

/// The fixtures one after another with short pauses; each one's script
/// and where it starts and ends, seconds.
fn joined(path: &Path) -> Vec<(String, f64, f64)> {
    let labels: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("labels.json")).unwrap()).unwrap();
    let script = |name: &str| {
        labels["fixtures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"] == name)
            .unwrap()["text"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (mut all, mut parts) = (Vec::new(), Vec::new());
    for name in FIXTURES {
        let samples = trimmed(name);
        let start = all.len() as f64 / 16e3;
        all.extend_from_slice(&samples);
        parts.push((script(name), start, all.len() as f64 / 16e3));
        all.resize(all.len() + (PAUSE_S * 16e3) as usize, 0.0);
    }
    write_wav(path, 16_000, &all);
    parts
}

#[test]
fn no_words_are_lost_where_pieces_meet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("joined.wav");
    let parts = joined(&path);

    // The pieces, planned as the transcriber plans them.
    let audio = resample::to_16k(&load(&path, 600.0).unwrap()).unwrap();
    let voiced = levels::measure(audio.samples(), 16_000).voiced;
    let planned = pieces::plan(&voiced, audio.duration_s());
    assert!(planned.len() >= 3, "{} pieces", planned.len());
    let cuts: Vec<f64> = planned[..planned.len() - 1]
        .iter()
        .map(|p| p.parts.last().unwrap().end_s)
        .collect();

    let heard = transcribe_json(&path, &[]);
    let words: Vec<(String, f64, f64)> = heard["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["text"].as_str().unwrap().to_string(),
                w["start_s"].as_f64().unwrap(),
                w["end_s"].as_f64().unwrap(),
            )
        })
        .collect();

    // Speech runs on across every cut: words on both sides of it, close by.
    for &cut in &cuts {
        let before = words.iter().any(|w| w.1 < cut && w.1 >= cut - 2.0);
        let after = words.iter().any(|w| w.1 >= cut && w.1 < cut + 2.0);
        assert!(
            before && after,
            "a hole in the words at the cut at {cut:.1} s: {words:?}"
        );
    }
    // No stretch of the speech without words (its pauses are under a second).
    for pair in words.windows(2) {
        assert!(
            pair[1].1 - pair[0].2 < 2.0,
            "no words from {:.1} s to {:.1} s (cuts at {cuts:?})",
            pair[0].2,
            pair[1].1
        );
    }
    // Each message keeps nearly all its words (what tiny.en hears wrong
    // still counts: a lost word is one with nothing in its place).
    for (script, start, end) in &parts {
        let said = normalise(script).len();
        let heard: usize = words
            .iter()
            .filter(|w| w.1 >= start - 0.5 && w.1 < end + 0.2)
            .map(|w| normalise(&w.0).len())
            .sum();
        assert!(
            heard as f64 >= 0.9 * said as f64,
            "{heard} words heard of {said} said between {start:.1} s and {end:.1} s (cuts at {cuts:?})"
        );
    }
}
