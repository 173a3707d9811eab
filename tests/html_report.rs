//! The HTML report in a real browser: headless Chromium (driven by
//! tests/browser/check_page.py over the DevTools protocol) opens pages made
//! with the real model from the fixtures and from a transcript full of
//! markup. These fail, never skip, without the model or Chromium
//! (./scripts/test installs both).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;
use vmcoach::pipeline::{coach_script, CoachOptions};
use vmcoach::report::html::{self, Extras, Recording};

const FIXTURE: &str = "networking-fillers-kal16-16k.wav";

fn vmcoach() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("vmcoach").unwrap();
    c.env_remove("VMCOACH_MODEL").env("NO_COLOR", "1");
    c
}

/// Runs the browser driver on `page`; its JSON result.
fn open_in_chromium(page: &Path, args: &[&str]) -> Value {
    let driver = root().join("tests/browser/check_page.py");
    let out = Command::new("python3")
        .arg(&driver)
        .arg(page)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "python3 {}: {e} (python3 is needed for the browser tests)",
                driver.display()
            )
        });
    assert!(
        out.status.success(),
        "{} {}: {}",
        driver.display(),
        page.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the driver prints one JSON document")
}

fn assert_self_contained(page: &str) {
    for remote in ["http://", "https://", "src=\"//", "href=\"//"] {
        assert!(!page.contains(remote), "the page refers to {remote}");
    }
    assert_eq!(
        page.matches("<script").count(),
        1,
        "one inline script, no other"
    );
    assert!(
        !page.contains("<link") && !page.contains("@import"),
        "no outside styles"
    );
}

#[test]
fn a_fixture_report_plays_from_the_clicked_word_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let page_path = dir.path().join("report.html");
    let out = vmcoach()
        .arg("--model")
        .arg(model())
        .args(["analyze", "--json", "--html"])
        .arg(&page_path)
        .arg(fixture(FIXTURE))
        .output()
        .unwrap();
    succeeded(&out);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let page = std::fs::read_to_string(&page_path).unwrap();
    assert_self_contained(&page);
    assert!(page.contains("src=\"data:audio/wav;base64,"));
    // 16 kHz 16-bit audio in base64 is about 43 kB a second; the rest is small
    let size_kb = page.len() / 1024;
    let duration = report["duration_s"].as_f64().unwrap();
    assert!(
        (size_kb as f64) < 43.0 * duration + 250.0,
        "{size_kb} kB for {duration} s"
    );

    let words = report["words"].as_array().unwrap();
    let (click, word) = words
        .iter()
        .enumerate()
        .find(|(_, w)| w["start_s"].as_f64().unwrap() > 8.0)
        .expect("a word after 8 s");
    let screenshot = dir.path().join("report.png");
    let got = open_in_chromium(
        &page_path,
        &[
            "--click-word",
            &click.to_string(),
            "--screenshot",
            screenshot.to_str().unwrap(),
            "--clip-height",
            "1300",
        ],
    );

    assert_eq!(got["errors"], serde_json::json!([]), "no console errors");
    assert_eq!(got["word_marks"], words.len(), "one timeline mark per word");
    assert_eq!(
        got["report_words"],
        words.len(),
        "every word in the transcript"
    );
    let numbers = report["phone_numbers"].as_array().unwrap();
    assert!(!numbers.is_empty());
    assert!(
        got["number_marks"].as_u64().unwrap() >= numbers.len() as u64,
        "{got}"
    );
    assert!(got["number_words"].as_u64().unwrap() >= 7, "{got}");
    let parts: Vec<&Value> = report["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["part"])
        .collect();
    assert_eq!(
        got["markers"]
            .as_array()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        parts
    );
    assert!(got["has_player"].as_bool().unwrap());

    let c = &got["click"];
    assert_eq!(c["word"], word["text"].as_str().unwrap());
    assert_eq!(c["before"].as_f64().unwrap(), 0.0);
    let (start, after) = (
        word["start_s"].as_f64().unwrap(),
        c["after"].as_f64().unwrap(),
    );
    assert!(
        (start - 0.05..start + 1.5).contains(&after),
        "clicked at {start} s, the player is at {after} s"
    );
    let text = got["body_text"].as_str().unwrap();
    assert!(
        text.contains(&format!("{}\n/ 100", report["score"])),
        "{text}"
    );
    assert!(text.contains(report["verdict"].as_str().unwrap()));
    let png = std::fs::read(&screenshot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
}

/// At phone width (400 px) the title is the file name, unbroken inside a
/// word, and the timeline wraps into more rows instead of shrinking its
/// words; a wide window keeps the wide picture.
#[test]
fn at_phone_width_the_title_holds_and_the_timeline_stays_readable() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("practice messages/from the phone");
    std::fs::create_dir_all(&deep).unwrap();
    copy_fixture(FIXTURE, deep.join(FIXTURE));
    let page_path = dir.path().join("report.html");
    let out = vmcoach()
        .arg("--model")
        .arg(model())
        .args(["analyze", "--html"])
        .arg(&page_path)
        .arg(deep.join(FIXTURE))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let phone = open_in_chromium(&page_path, &["--width", "400"]);
    assert_eq!(phone["errors"], serde_json::json!([]));
    let layout = &phone["layout"];
    assert_eq!(layout["title"], FIXTURE);
    assert_eq!(
        layout["title_breaks_mid_word"],
        serde_json::json!([]),
        "{layout}"
    );
    assert_eq!(
        layout["timelines_shown"],
        serde_json::json!(["timeline-narrow"])
    );
    let px = layout["word_label_px"].as_f64().unwrap();
    assert!(px >= 9.0, "word labels {px:.1} px high at 400 px");
    assert_eq!(layout["wider_than_window"], false, "{layout}");
    let wide = open_in_chromium(&page_path, &[]);
    assert_eq!(
        wide["layout"]["timelines_shown"],
        serde_json::json!(["timeline"])
    );
    assert!(wide["layout"]["word_label_px"].as_f64().unwrap() >= 9.0);
}

#[test]
fn a_transcript_full_of_markup_shows_as_text_and_runs_nothing_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let nasty = "<script>alert(1)</script>";
    let said = format!(
        "Hi {nasty} this is \"Dana\" & 'Lee' <img src=x onerror=alert(2)>, my number is 612 555 0147. Thanks."
    );
    let report = coach_script(
        format!("calls/{nasty}&\".wav"),
        &said,
        &CoachOptions::default(),
    );
    let tone: Vec<f32> = (0..48_000).map(|i| 0.3 * (i as f32 * 0.05).sin()).collect();
    let extras = Extras {
        recording: Some(Recording::new(&tone, 16_000).unwrap()),
        number_window_s: Some(10.0),
        takes: Vec::new(),
    };
    let page = html::render(&report, &extras);
    assert_self_contained(&page);
    let path = dir.path().join("markup.html");
    std::fs::write(&path, &page).unwrap();

    let got = open_in_chromium(&path, &["--click-word", "1"]);
    assert_eq!(got["errors"], serde_json::json!([]));
    assert_eq!(got["alert_calls"], 0, "a script from the transcript ran");
    let text = got["body_text"].as_str().unwrap();
    for shown in [
        nasty,
        "\"Dana\"",
        "'Lee'",
        "<img src=x onerror=alert(2)>",
        // the title: the file name after the last slash, which is in the tag
        "script>&\".wav",
    ] {
        assert!(
            text.contains(shown),
            "{shown:?} not shown as text in:\n{text}"
        );
    }
    assert_eq!(got["word_marks"], report.words.len());
}

fn copy_fixture(name: &str, to: PathBuf) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(fixture(name), to).unwrap();
}

#[test]
fn batch_writes_a_page_per_file_and_an_index_sorted_by_a_click() {
    let dir = two_messages_named_alike();
    succeeds(run_in(
        dir.path(),
        &["--quiet", "batch", "a", "b", "--html-dir", "pages"],
    ));
    let pages = dir.path().join("pages");
    let mut names: Vec<String> = std::fs::read_dir(&pages)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["a__msg.wav.html", "b__msg.wav.html", "index.html"]);
    let index = std::fs::read_to_string(pages.join("index.html")).unwrap();
    assert_self_contained(&index);
    for name in &names[..2] {
        assert!(index.contains(&format!("href=\"{name}\"")), "{name}");
        let page = std::fs::read_to_string(pages.join(name)).unwrap();
        assert_self_contained(&page);
    }

    let got = open_in_chromium(&pages.join("index.html"), &["--sort-column", "Score"]);
    assert_eq!(got["errors"], serde_json::json!([]));
    let runs: Vec<Vec<u32>> = got["sorted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| {
            run.as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().parse().unwrap())
                .collect()
        })
        .collect();
    let mut ascending = runs[0].clone();
    ascending.sort();
    assert_eq!(runs[0], ascending, "first click: ascending");
    ascending.reverse();
    assert_eq!(runs[1], ascending, "second click: descending");

    // a run again replaces vmcoach's own pages and nothing else
    std::fs::write(pages.join("a__msg.wav.html"), "my own notes").unwrap();
    let again = run_in(
        dir.path(),
        &["--quiet", "batch", "a", "b", "--html-dir", "pages"],
    );
    assert_eq!(again.status.code(), Some(1));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("a__msg.wav.html") && err.contains("not a vmcoach page"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(pages.join("a__msg.wav.html")).unwrap(),
        "my own notes"
    );
}

/// Parts of a `--shard` run share one pages folder: none writes an index
/// that would hide the others' files; summarize writes the one index.
#[test]
fn shards_leave_the_index_to_summarize() {
    let dir = two_messages_named_alike();
    for (k, jsonl) in [("1/2", "part-1.jsonl"), ("2/2", "part-2.jsonl")] {
        let args = [
            "batch",
            "a",
            "b",
            "--shard",
            k,
            "--html-dir",
            "pages",
            "--jsonl",
            jsonl,
        ];
        let err = succeeds(run_in(dir.path(), &args));
        assert!(err.contains("--html-dir pages"), "{err}");
    }
    let pages = dir.path().join("pages");
    assert!(!pages.join("index.html").exists());

    let args = [
        "summarize",
        "part-1.jsonl",
        "part-2.jsonl",
        "--html-dir",
        "pages",
    ];
    succeeds(run_in(dir.path(), &args));
    let index = std::fs::read_to_string(pages.join("index.html")).unwrap();
    assert_self_contained(&index);
    for name in ["a__msg.wav.html", "b__msg.wav.html"] {
        assert!(pages.join(name).is_file(), "{name}");
        assert!(index.contains(&format!("href=\"{name}\"")), "{name}");
    }

    let missing = run_in(
        dir.path(),
        &["summarize", "part-1.jsonl", "--html-dir", "nowhere"],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nowhere"));
}

/// Two messages with the same file name in two folders, a/ and b/.
fn two_messages_named_alike() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(
        "short-20s-application-awb-16k.wav",
        dir.path().join("a/msg.wav"),
    );
    copy_fixture(
        "networking-7digit-rms-16k.wav",
        dir.path().join("b/msg.wav"),
    );
    dir
}

/// vmcoach with the test model, run in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    vmcoach()
        .current_dir(dir)
        .arg("--model")
        .arg(model())
        .args(args)
        .output()
        .unwrap()
}

/// Asserts that the run succeeded; its stderr.
fn succeeds(out: std::process::Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{err}");
    err
}

#[test]
fn analyze_writes_one_page_only() {
    let out = vmcoach()
        .args(["analyze", "a.wav", "b.wav", "--html", "out.html"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--html") && err.contains("batch --html-dir"),
        "{err}"
    );
}
