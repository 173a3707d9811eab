//! Every kind of bad file a user can hand us gets a message that names the
//! file and the problem, exit status 1, and never a panic.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

mod common;

use common::assert_refused;

fn vmcoach() -> Command {
    Command::cargo_bin("vmcoach").unwrap()
}

/// A quiet tone of `seconds` as a 16-bit mono WAV.
fn write_wav(path: &Path, rate: u32, seconds: f64) {
    let tone: Vec<f32> = (0..(rate as f64 * seconds) as usize)
        .map(|i| (i as f32 * 0.05).sin() * 0.1)
        .collect();
    common::write_wav(path, rate, &tone);
}

/// Runs `vmcoach ARGS` and checks: status 1, stderr names `file` and contains
/// `problem`, nothing panicked.
fn fails_with(args: &[&str], file: &Path, problem: &str) {
    let out = vmcoach()
        .args(args)
        .env_remove("VMCOACH_MODEL")
        .output()
        .unwrap();
    assert_refused(&out, file, problem);
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn text_file_named_wav_is_refused() {
    let dir = temp();
    let f = dir.path().join("notes.wav");
    std::fs::write(&f, "Remember to call Dana back on Tuesday.\n").unwrap();
    fails_with(&["transcribe", p(&f)], &f, "not a WAV");
}

#[test]
fn empty_file_is_refused() {
    let dir = temp();
    let f = dir.path().join("empty.wav");
    std::fs::write(&f, b"").unwrap();
    fails_with(&["transcribe", p(&f)], &f, "empty");
}

#[test]
fn truncated_wav_is_refused() {
    let dir = temp();
    let f = dir.path().join("cut.wav");
    write_wav(&f, 16_000, 2.0);
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() / 3]).unwrap();
    fails_with(&["transcribe", p(&f)], &f, "truncated");
}

#[test]
fn header_only_wav_has_no_samples() {
    let dir = temp();
    let f = dir.path().join("header.wav");
    write_wav(&f, 16_000, 0.0);
    fails_with(&["transcribe", p(&f)], &f, "no audio samples");
}

#[test]
fn recording_over_the_limit_is_refused() {
    let dir = temp();
    let f = dir.path().join("long.wav");
    write_wav(&f, 8_000, 3.0);
    fails_with(&["transcribe", p(&f), "--max-seconds", "2"], &f, "limit");
}

#[test]
fn header_claiming_hours_is_refused_without_reading() {
    // A 44-byte header whose data chunk claims 4 GB.
    let dir = temp();
    let f = dir.path().join("huge.wav");
    write_wav(&f, 16_000, 0.1);
    let mut bytes = std::fs::read(&f).unwrap();
    bytes[40..44].copy_from_slice(&(u32::MAX - 1).to_le_bytes());
    bytes[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    std::fs::write(&f, &bytes).unwrap();
    fails_with(&["transcribe", p(&f)], &f, "limit");
}

#[test]
fn missing_file_is_named() {
    let f = PathBuf::from("no/such/recording.wav");
    fails_with(&["transcribe", p(&f)], &f, "No such file");
}

#[test]
fn folder_is_not_a_recording() {
    let dir = temp();
    fails_with(&["transcribe", p(dir.path())], dir.path(), "folder");
}

#[test]
fn missing_model_names_the_fetch_command() {
    let dir = temp();
    let f = dir.path().join("ok.wav");
    write_wav(&f, 16_000, 1.0);
    let model = dir.path().join("absent.bin");
    fails_with(
        &["transcribe", p(&f), "--model", p(&model)],
        &model,
        "vmcoach model fetch",
    );
}

#[test]
fn text_file_as_model_is_refused_before_whisper_sees_it() {
    let dir = temp();
    let f = dir.path().join("ok.wav");
    write_wav(&f, 16_000, 1.0);
    let model = dir.path().join("model.bin");
    std::fs::write(&model, "this is not a model\n").unwrap();
    fails_with(
        &["transcribe", p(&f), "--model", p(&model)],
        &model,
        "not a whisper.cpp model",
    );
}

#[test]
fn usage_error_exits_two() {
    let out = vmcoach().args(["transcribe"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// An output path that is one of the inputs would turn a recording into a
/// report: it is refused before anything is written, and the recording
/// stays as it was, whatever name it is given by.
#[test]
fn an_output_over_an_input_is_refused_and_the_input_kept() {
    let dir = temp();
    let wav = dir.path().join("x.wav");
    write_wav(&wav, 16_000, 1.0);
    let before = std::fs::read(&wav).unwrap();
    let also = dir.path().join(".").join("x.wav");
    fails_with(
        &["analyze", p(&wav), "--html", p(&also)],
        &also,
        "this run's inputs",
    );
    fails_with(
        &["batch", p(dir.path()), "--jsonl", p(&wav)],
        &wav,
        "this run's inputs",
    );
    fails_with(
        &["batch", p(dir.path()), "--csv", p(&wav)],
        &wav,
        "this run's inputs",
    );
    assert_eq!(std::fs::read(&wav).unwrap(), before);
    // Two outputs of one run on the same file.
    let out = dir.path().join("out.txt");
    fails_with(
        &["batch", p(dir.path()), "--jsonl", p(&out), "--csv", p(&out)],
        &out,
        "name the same file",
    );
    // summarize's CSV over the JSONL it reads.
    let jsonl = dir.path().join("r.jsonl");
    std::fs::write(&jsonl, "{}\n").unwrap();
    let jsonl_before = std::fs::read(&jsonl).unwrap();
    let out = vmcoach()
        .args(["summarize", p(&jsonl), "--csv", p(&jsonl)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(&jsonl).unwrap(), jsonl_before);
}

/// A length limit that is not a finite positive number would switch the
/// limit off: it is a usage error.
#[test]
fn a_length_limit_that_is_not_a_positive_number_is_refused() {
    let dir = temp();
    let wav = dir.path().join("x.wav");
    write_wav(&wav, 16_000, 1.0);
    for limit in ["nan", "inf", "1e309", "0", "-5"] {
        for command in ["analyze", "transcribe", "batch"] {
            let arg = format!("--max-seconds={limit}");
            let out = vmcoach().args([command, p(&wav), &arg]).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{command} {arg}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains("seconds above 0"),
                "{command} {arg}: {stderr}"
            );
        }
    }
}

/// A pipe has no length to read: it is named for what it is, not "empty".
#[test]
fn a_pipe_is_not_taken_for_an_empty_file() {
    let dir = temp();
    let fifo = dir.path().join("take.wav");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    fails_with(&["transcribe", p(&fifo)], &fifo, "not a regular file");
}

/// Float samples that are not numbers would reach the model as noise it
/// writes "!!!!" for, and ones of 1e38 gave "peak 760 dBFS": the file is
/// refused as damaged.
#[test]
fn float_samples_that_are_not_numbers_are_refused() {
    let dir = temp();
    for (name, bad, problem) in [
        ("nan.wav", f32::NAN, "not numbers"),
        ("inf.wav", f32::INFINITY, "not numbers"),
        ("huge.wav", 1e38, "times full scale"),
    ] {
        let f = dir.path().join(name);
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut w = hound::WavWriter::create(&f, spec).unwrap();
        for i in 0..16_000 {
            let s = if i % 100 == 0 { bad } else { 0.1 };
            w.write_sample(s).unwrap();
        }
        w.finalize().unwrap();
        fails_with(&["transcribe", p(&f)], &f, problem);
    }
}

/// A file name with a newline is listed on one line.
#[test]
fn a_file_name_with_a_newline_is_listed_on_one_line() {
    let dir = temp();
    let f = dir.path().join("two\nlines.wav");
    write_wav(&f, 16_000, 1.0);
    let out = vmcoach()
        .args(["batch", p(dir.path()), "--list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let listed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(listed.lines().count(), 1, "{listed:?}");
    assert!(listed.contains("two\\nlines.wav"), "{listed:?}");
}

/// A rules file many times larger than any real one is refused before it
/// is read (a 40 MB one took over a gigabyte of memory).
#[test]
fn a_huge_rules_file_is_refused_before_it_is_read() {
    let dir = temp();
    let rules = dir.path().join("rules.json");
    std::fs::write(&rules, vec![b' '; 3_000_000]).unwrap();
    let script = dir.path().join("script.txt");
    std::fs::write(&script, "Hi, this is Dana Lee.\n").unwrap();
    fails_with(
        &["check", p(&script), "--rules", p(&rules)],
        &rules,
        "are refused",
    );
}

/// `vmcoach rules --json | head -c 1`: the reader goes away early. The
/// process ends quietly (killed by SIGPIPE, as Unix tools are), never with
/// a panic on stderr.
#[test]
fn a_closed_output_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    for _ in 0..5 {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vmcoach"))
            .args(["rules", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(stderr.is_empty(), "{stderr}");
        assert_ne!(status.code(), Some(101), "{status}: {stderr}");
    }
}
