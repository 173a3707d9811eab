//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use vmcoach::analysis::numwords;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real model. Tests that need it fail (never skip) when it is missing.
pub fn model() -> PathBuf {
    let path = root().join("models/ggml-tiny.en.bin");
    assert!(
        path.exists(),
        "{} is missing: run ./scripts/test (or `vmcoach model fetch tiny.en`) to install it",
        path.display()
    );
    path
}

/// Panics with the command's stderr unless it exited 0; returns its stdout.
pub fn succeeded(out: &std::process::Output) -> &[u8] {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    &out.stdout
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name)
}

/// Runs `vmcoach transcribe --json FILE` with the real model.
pub fn transcribe_json(file: &Path, extra: &[&str]) -> serde_json::Value {
    let out = assert_cmd::Command::cargo_bin("vmcoach")
        .unwrap()
        .arg("--model")
        .arg(model())
        .arg("transcribe")
        .arg("--json")
        .arg(file)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("transcribe --json prints one JSON document")
}

/// Runs `vmcoach --model MODEL ARGS...` (with `stdin` as standard input
/// and no colour), asserting that it succeeds.
pub fn run_with_model(args: &[&std::ffi::OsStr], stdin: &str) -> std::process::Output {
    let out = assert_cmd::Command::cargo_bin("vmcoach")
        .unwrap()
        .arg("--model")
        .arg(model())
        .args(args)
        .env("NO_COLOR", "1")
        .write_stdin(stdin)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "vmcoach {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Lower case, no punctuation, numbers as single digits: the same
/// normalisation as scripts/eval-asr (number words read by the library's
/// `numwords`), so a test and the script agree.
pub fn normalise(text: &str) -> Vec<String> {
    let lower = text.to_lowercase().replace('’', "'");
    let mut cleaned = String::new();
    let chars: Vec<char> = lower.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let between_digits = i > 0
            && i + 1 < chars.len()
            && chars[i - 1].is_ascii_digit()
            && chars[i + 1].is_ascii_digit();
        if c.is_ascii_alphanumeric() || c == '\'' {
            cleaned.push(c);
        } else if between_digits || !c.is_alphanumeric() {
            cleaned.push(' ');
        }
    }
    let mut out = Vec::new();
    let words: Vec<&str> = cleaned
        .split_whitespace()
        .map(|w| w.trim_matches('\''))
        .collect();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let unit = |s: &str| {
            numwords::digit(s)
                .or_else(|| numwords::teen(s))
                .map(|n| n.to_string())
        };
        if (w == "double" || w == "triple") && i + 1 < words.len() {
            if let Some(d) = unit(words[i + 1]).filter(|d| d.len() == 1) {
                let n = if w == "double" { 2 } else { 3 };
                out.extend(std::iter::repeat_n(d, n));
                i += 2;
                continue;
            }
        }
        if let Some(d) = unit(w) {
            out.extend(d.chars().map(String::from));
        } else if !w.is_empty() && w.chars().all(|c| c.is_ascii_digit()) {
            out.extend(w.chars().map(String::from));
        } else if !w.is_empty() {
            out.push(w.to_string());
        }
        i += 1;
    }
    out
}

pub fn edit_distance(a: &[String], b: &[String]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = (prev[j + 1] + 1)
                .min(cur[j] + 1)
                .min(prev[j] + usize::from(x != y));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Word error rate of `hyp` against `reference`, both normalised.
pub fn wer(reference: &str, hyp: &str) -> f64 {
    let r = normalise(reference);
    let h = normalise(hyp);
    edit_distance(&r, &h) as f64 / r.len().max(1) as f64
}

/// Writes a 16-bit mono WAV.
pub fn write_wav(path: &Path, rate: u32, samples: &[f32]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for s in samples {
        w.write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16)
            .unwrap();
    }
    w.finalize().unwrap();
}

/// Reads a 16-bit mono WAV (the asterisk prompts, generated files).
pub fn read_wav(path: &Path) -> (Vec<f32>, u32) {
    let mut r = hound::WavReader::open(path).unwrap();
    let rate = r.spec().sample_rate;
    let s = r
        .samples::<i16>()
        .map(|s| s.unwrap() as f32 / 32768.0)
        .collect();
    (s, rate)
}

/// Asserts how vmcoach refuses a bad input: exit status 1, stderr names
/// `file` and states `problem`, nothing panicked, nothing on stdout.
pub fn assert_refused(out: &std::process::Output, file: &Path, problem: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}: {stderr}", file.display());
    assert!(
        stderr.contains(&file.display().to_string()),
        "file not named: {stderr}"
    );
    assert!(
        stderr.contains(problem),
        "expected {problem:?} in: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "stdout should be empty: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}
