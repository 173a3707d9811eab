//! The JSON API with the real model: uploads become takes like rehearse's,
//! two at once are both heard, the takes are listed and served, a script
//! is checked as `vmcoach check` checks it.

use std::process::Command;

use serde_json::Value;

use crate::common::{fixture, model};
use crate::http::Server;

const TAKE: &str = "networking-second-attempt-hts-22k.wav";

/// `vmcoach analyze --json` of a fixture, for comparison.
pub fn cli_report(file: &std::path::Path, extra: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_vmcoach"))
        .arg("--model")
        .arg(model())
        .args(["analyze", "--json"])
        .args(extra)
        .arg(file)
        .output()
        .unwrap();
    crate::common::succeeded(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn two_uploads_at_once_are_both_heard_and_kept_as_takes() {
    let server = Server::start(&[]);
    let audio = std::fs::read(fixture(TAKE)).unwrap();
    let replies: Vec<_> = std::thread::scope(|s| {
        let uploads: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    server.send(
                        "POST",
                        "/api/analyze?expect_number=832%20555%200110&kind=networking",
                        &audio,
                    )
                })
            })
            .collect();
        uploads.into_iter().map(|u| u.join().unwrap()).collect()
    });
    let expected = cli_report(
        &fixture(TAKE),
        &["--expect-number", "8325550110", "--kind", "networking"],
    );
    let mut ids = Vec::new();
    for reply in &replies {
        let report = reply.ok_json();
        assert_eq!(report["schema"], 1);
        assert_eq!(report["score"], expected["score"]);
        assert_eq!(report["phone_numbers"][0]["digits"], "8325550110");
        assert_eq!(report["rules"], expected["rules"]);
        ids.push(report["take"]["id"].as_str().unwrap().to_string());
    }
    assert_ne!(ids[0], ids[1], "never one take over another");
    // the second heard knows what changed since the first
    let changes: Vec<Value> = replies
        .iter()
        .map(|r| r.json()["take"]["changes"].clone())
        .collect();
    assert_eq!(
        changes.iter().filter(|c| c.is_null()).count(),
        1,
        "{changes:?}"
    );
    assert!(changes
        .iter()
        .any(|c| c[0].as_str().is_some_and(|l| l.contains("same score"))));

    let listing = server.send("GET", "/api/takes", b"").json();
    let takes = listing["takes"].as_array().unwrap();
    assert_eq!(takes.len(), 2);
    for take in takes {
        assert!(ids.iter().any(|i| take["id"] == i.as_str()), "{take}");
        assert_eq!(take["score"], expected["score"]);
        for part in ["audio", "report", "page"] {
            assert_eq!(take[part], true, "{part}: {take}");
        }
    }
    let history = std::fs::read_to_string(server.takes.path().join("history.jsonl")).unwrap();
    assert_eq!(history.lines().count(), 2);

    let id = &ids[0];
    let wav = server.send("GET", &format!("/api/takes/{id}.wav"), b"");
    assert_eq!(wav.header("content-type"), Some("audio/wav"));
    assert_eq!(wav.body, audio, "a WAV upload is kept as it came");
    let report = server.send("GET", &format!("/api/takes/{id}"), b"").json();
    assert_eq!(report["score"], expected["score"]);
    let page = server.send(
        "GET",
        &format!("/api/takes/{id}.html?token={}", server.token),
        b"",
    );
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-security-policy")
        .unwrap()
        .contains("frame-ancestors 'self'"));
    assert!(String::from_utf8_lossy(&page.body).contains("832-555-0110"));
    let mut files = server.takes_files();
    files.retain(|f| f != "history.jsonl");
    assert_eq!(
        files.len(),
        6,
        "NAME.wav/.json/.html twice, no .part: {files:?}"
    );
}

#[test]
fn an_upload_in_another_format_becomes_a_wav_take() {
    let server = Server::start(&[]);
    let mp3 = fixture("formats/networking-6s-44k-stereo.mp3");
    let reply = server.send(
        "POST",
        "/api/analyze?name=practice.mp3",
        &std::fs::read(&mp3).unwrap(),
    );
    let report = reply.ok_json();
    assert_eq!(report["source"], "practice.mp3");
    assert_eq!(report["score"], cli_report(&mp3, &[])["score"]);
    let id = report["take"]["id"].as_str().unwrap();
    let wav = server.send("GET", &format!("/api/takes/{id}.wav"), b"");
    assert_eq!(&wav.body[..4], b"RIFF");
    let take = server.takes.path().join(format!("{id}.wav"));
    let heard = cli_report(&take, &[]);
    assert_eq!(heard["transcript"], report["transcript"]);
}

#[test]
fn a_script_is_checked_as_vmcoach_check_checks_it() {
    let server = Server::start(&[]);
    let script = "Hi Priya, this is Dana Whitfield. Marcus Lee suggested I call you. My number is 612 555 0147. \
        I'll try you again Thursday morning. Thanks so much.";
    let reply = server.send(
        "POST",
        "/api/check?kind=networking&attempt=2&expect_name=Dana%20Whitfield",
        script.as_bytes(),
    );
    let report = reply.ok_json();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("script.txt");
    std::fs::write(&file, script).unwrap();
    let cli = Command::new(env!("CARGO_BIN_EXE_vmcoach"))
        .args([
            "check",
            "--json",
            "--kind",
            "networking",
            "--attempt",
            "2",
            "--expect-name",
            "Dana Whitfield",
        ])
        .arg(&file)
        .output()
        .unwrap();
    let expected: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(report["estimated_timing"], true);
    assert_eq!(report["attempt"], 2);
    for key in ["score", "rules", "phone_numbers", "kind", "top_fixes"] {
        assert_eq!(report[key], expected[key], "{key}");
    }
    let empty = server.send("POST", "/api/check", b"  \n");
    assert_eq!(
        (empty.status, empty.error()),
        (400, "script: the script is empty".to_string())
    );
    let bad = server.send("POST", "/api/check?kind=voicemail", b"Hi");
    assert_eq!(bad.status, 400);
    assert!(bad.error().contains("kind"), "{}", bad.error());
    assert_eq!(
        server.send("POST", "/api/check?attempt=0", b"Hi").status,
        400
    );
}
