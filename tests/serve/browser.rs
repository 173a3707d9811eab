//! The page in headless Chromium: a fake microphone plays a fixture, the
//! page records it through its AudioWorklet, and the report and the takes
//! list show what the fixture says (tests/browser/serve_take.mjs).

use std::process::Command;

use serde_json::Value;

use crate::common::{fixture, root};
use crate::http::Server;

const TAKE: &str = "networking-second-attempt-hts-22k.wav";

#[test]
fn a_take_recorded_in_chromium_gets_its_report_and_joins_the_takes() {
    let server = Server::start(&[]);
    let driver = root().join("tests/browser/serve_take.mjs");
    let out = Command::new("node")
        .arg(&driver)
        .arg(&server.url)
        .arg(fixture(TAKE))
        .arg("15")
        .args(["--expect-number", "8325550110"])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "node {}: {e} (./scripts/test installs node)",
                driver.display()
            )
        });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(page["errors"], serde_json::json!([]));
    // recorded with the keyboard alone: Record is the first stop of Tab
    assert_eq!(page["tabs_to_record"], 1);
    // the options set before the page was opened again were kept
    assert_eq!(
        page["remembered"],
        serde_json::json!({"countdown": false, "expect_number": "8325550110"})
    );

    // the take the server kept is the one the page shows
    let listing = server.send("GET", "/api/takes", b"").json();
    let takes = listing["takes"].as_array().unwrap();
    assert_eq!(takes.len(), 1);
    let score = takes[0]["score"].as_u64().unwrap();
    assert_eq!(page["score"], format!("{score}/100"));
    let summary = page["summary"].as_str().unwrap();
    assert!(summary.contains("Number heard: 832-555-0110"), "{summary}");
    let report = page["report_text"].as_str().unwrap();
    assert!(report.starts_with(&format!("{score}\n/ 100")), "{report}");
    assert!(
        report.contains("The number 832-555-0110 is complete"),
        "{report}"
    );
    // the fixture's own score, within what the browser's capture changes
    let expected = crate::api::cli_report(&fixture(TAKE), &["--expect-number", "8325550110"]);
    let expected = expected["score"].as_u64().unwrap();
    assert!(
        score.abs_diff(expected) <= 5,
        "browser {score}, file {expected}"
    );
    // the takes list in the page has it
    let rows = page["takes"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][1], score.to_string());
    // recorded in the browser, a WAV at the context's rate
    let id = takes[0]["id"].as_str().unwrap();
    let wav = server.send("GET", &format!("/api/takes/{id}.wav"), b"");
    assert_eq!(&wav.body[..4], b"RIFF");
    let reader = hound::WavReader::new(std::io::Cursor::new(wav.body)).unwrap();
    let seconds = reader.duration() as f64 / reader.spec().sample_rate as f64;
    assert!((14.9..16.0).contains(&seconds), "{seconds} s");
}
