#![allow(dead_code)]
//! What each fuzz target feeds vmcoach: the fuzz targets call these with the
//! fuzzer's bytes, and tests/fuzz_replay.rs calls them (without the fuzzer)
//! with every input kept under fuzz/corpus/ and fuzz/regressions/, so an
//! input that once crashed, hung or blew up stays checked.
//!
//! Each function must return, whatever the bytes: an error is a fine answer,
//! a panic, a hang or unbounded memory is a finding.

use std::io::Write;
use std::path::{Path, PathBuf};

use vmcoach::analysis::rules::pattern::{Lexicon, Pattern};
use vmcoach::analysis::rules::text::TokenStream;
use vmcoach::analysis::{estimate_words, RuleSet};
use vmcoach::pipeline::{coach_script, CoachOptions, SCRIPT_WPM};

/// The targets, by the name of their folder under fuzz/corpus/.
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("audio", audio),
    ("model", model),
    ("rules_file", rules_file),
    ("rules_pattern", rules_pattern),
    ("phone", phone),
    ("jsonl", jsonl),
];

/// The file extensions the audio target's first byte picks from: symphonia
/// takes the extension as a hint, so each format is reached by name too.
pub const AUDIO_EXTENSIONS: &[&str] = &["wav", "mp3", "flac", "ogg", "m4a", "aiff", "aac", "bin"];

/// The longest recording the audio target lets through: long enough for
/// every seed, short enough that one input decodes in milliseconds.
const AUDIO_MAX_SECONDS: f64 = 30.0;

/// Audio sniffing and decoding: byte 0 picks the file's extension
/// ([`AUDIO_EXTENSIONS`]), the rest is the file, loaded as `analyze` loads one.
pub fn audio(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let ext = AUDIO_EXTENSIONS[pick as usize % AUDIO_EXTENSIONS.len()];
    let path = scratch_file(&format!("input.{ext}"), bytes);
    if let Ok(audio) = vmcoach::audio::load(&path, AUDIO_MAX_SECONDS) {
        assert!(audio.samples.iter().all(|s| s.is_finite()));
        assert!(audio.duration_s() <= AUDIO_MAX_SECONDS + 1.0);
    }
}

/// The model file checker, on a file of these bytes.
pub fn model(data: &[u8]) {
    let path = scratch_file("model.bin", data);
    let _ = vmcoach::transcribe::model::validate(&path);
}

/// The rules file loader, then the checks of a fixed script under the rules
/// it loaded.
pub fn rules_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rules) = RuleSet::from_json(text, "fuzz.json") {
        let options = CoachOptions {
            rules,
            ..CoachOptions::default()
        };
        coach_script("fuzz.txt".into(), SCRIPT, &options);
    }
}

const SCRIPT: &str = "Hi Dana, this is Sam Lee, Priya Shah suggested I call. My number is \
    612 555 0147. I am a chemist with five years in coatings and I would love fifteen \
    minutes of your advice. I will call you Thursday. Again, 612-555-0147. Thanks!";

/// The pattern language: the first line is a pattern, the rest the text it
/// is matched against.
pub fn rules_pattern(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (pattern, said) = text.split_once('\n').unwrap_or((&text, SCRIPT));
    let Ok(pattern) = Pattern::parse(pattern) else {
        return;
    };
    let words = estimate_words(said, SCRIPT_WPM);
    let stream = TokenStream::build(&words, |_| false, |_| None);
    for m in pattern.find_all(&stream, &Lexicon::default()) {
        assert!(m.toks.start < m.toks.end && m.toks.end <= stream.toks.len());
    }
}

/// The phone-number finder and the checks, on a written script.
pub fn phone(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let words = estimate_words(&text, SCRIPT_WPM);
    for n in vmcoach::analysis::phone::find_phone_numbers(&words) {
        assert!(!n.digits.is_empty());
    }
    coach_script("fuzz.txt".into(), &text, &CoachOptions::default());
}

/// The JSONL resume reader: a batch's earlier results as `--resume` finds
/// them, and the repair of a cut-off last line before the next is added.
pub fn jsonl(data: &[u8]) {
    use vmcoach::jsonl::{self, Tail};
    use vmcoach::report::summary::{merge_rows, Results, Summary};
    let complete = match jsonl::unfinished_tail(data) {
        Some(cut) => {
            assert!(cut < data.len());
            &data[..cut]
        }
        None => data,
    };
    let results = Results::parse(&String::from_utf8_lossy(complete));
    let rows = merge_rows(results.rows);
    let _ = Summary::of(&rows);

    let path = scratch_file("results.jsonl", data);
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .open(&path)
        .expect("the scratch file");
    let tail = jsonl::repair_tail(&mut file).expect("the scratch file");
    jsonl::append_line(&mut file, "{}").expect("the scratch file");
    let after = std::fs::read(&path).expect("the scratch file");
    let kept = match tail {
        Tail::Whole => data.len(),
        Tail::Ended => data.len() + 1,
        Tail::Dropped(n) => data.len() - n as usize,
    };
    assert_eq!(
        &after[..kept.min(data.len())],
        &data[..kept.min(data.len())]
    );
    assert!(after.ends_with(b"\n{}\n") || after == b"{}\n");
}

/// `bytes` written to `name` in this process's scratch folder.
fn scratch_file(name: &str, bytes: &[u8]) -> PathBuf {
    thread_local! {
        static DIR: tempfile::TempDir = tempfile::Builder::new()
            .prefix("vmcoach-fuzz-")
            .tempdir()
            .expect("a scratch folder");
    }
    let path = DIR.with(|d| d.path().join(name));
    write(&path, bytes);
    path
}

fn write(path: &Path, bytes: &[u8]) {
    let mut f = std::fs::File::create(path).expect("the scratch file");
    f.write_all(bytes).expect("the scratch file");
}
