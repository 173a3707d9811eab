//! The voice checks through the real model on generated audio: a fixture
//! resynthesized flat, as spoken and livelier with Praat's PSOLA, and with
//! filled pauses inserted at known times (fixtures/prosody/, made by
//! scripts/make-prosody-fixtures). These fail, never skip, without the model.

mod common;

use common::*;
use serde_json::Value;

fn variants() -> Vec<Value> {
    let text = std::fs::read_to_string(fixture("prosody/variants.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["variants"].as_array().unwrap().clone()
}

fn variant(kind: &str) -> Value {
    variants()
        .into_iter()
        .find(|v| v["variant"] == kind)
        .unwrap_or_else(|| panic!("no {kind} variant"))
}

fn analyze(file: &str) -> Value {
    let path = fixture(&format!("prosody/{file}"));
    let out = run_with_model(&["analyze".as_ref(), "--json".as_ref(), path.as_ref()], "");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn status<'a>(report: &'a Value, id: &str) -> &'a str {
    report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no rule {id}"))["status"]
        .as_str()
        .unwrap()
}

fn sd(report: &Value) -> f64 {
    report["prosody"]["pitch_sd_semitones"].as_f64().unwrap()
}

#[test]
fn a_flattened_voice_fails_monotone_and_a_livelier_one_spreads_more() {
    let flat = analyze(variant("flat")["file"].as_str().unwrap());
    let spoken = analyze(variant("as-spoken")["file"].as_str().unwrap());
    let lively_v = variant("lively");
    let lively = analyze(lively_v["file"].as_str().unwrap());
    assert_eq!(status(&flat, "monotone"), "fail");
    assert!(sd(&flat) < 0.5, "flat: {}", sd(&flat));
    // PSOLA scaled the excursions by 1.6: the measured spread follows.
    let ratio = sd(&lively) / sd(&spoken);
    assert!((1.3..2.0).contains(&ratio), "lively/as spoken: {ratio}");
    // Within half a semitone of Praat's own measure of the same file.
    let praat = lively_v["praat_sd_semitones"].as_f64().unwrap();
    assert!(
        (sd(&lively) - praat).abs() <= 0.5,
        "{} vs Praat {praat}",
        sd(&lively)
    );
    let p = &spoken["prosody"];
    let median = p["pitch_median_hz"].as_f64().unwrap();
    assert!(
        (120.0..260.0).contains(&median),
        "slt's median pitch: {median}"
    );
    assert!(p["pitch_range_semitones"].as_f64().unwrap() > 2.0 * sd(&spoken));
    assert!(p["statements"].as_u64().unwrap() >= 2, "{p}");
    assert!(p["volume_sd_db"].as_f64().is_some(), "{p}");
    assert_eq!(status(&spoken, "volume-variation"), "pass");
    assert_ne!(status(&spoken, "uptalk"), "skip");
}

#[test]
fn inserted_filled_pauses_are_found_where_they_were_put() {
    let v = variant("fillers");
    let report = analyze(v["file"].as_str().unwrap());
    let found: Vec<(f64, f64)> = report["prosody"]["acoustic_fillers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["start_s"].as_f64().unwrap(), f["end_s"].as_f64().unwrap()))
        .collect();
    let inserted = v["fillers"].as_array().unwrap();
    assert!(!inserted.is_empty());
    for i in inserted {
        let (a, b) = (i[0].as_f64().unwrap(), i[1].as_f64().unwrap());
        assert!(
            found.iter().any(|&(x, y)| x < b && y > a),
            "filler at {a}-{b} not found in {found:?}"
        );
    }
    assert!(found.len() <= inserted.len() + 1, "{found:?}");
    // None is found where nothing was inserted.
    let spoken = analyze(variant("as-spoken")["file"].as_str().unwrap());
    let none = spoken["prosody"]["acoustic_fillers"].as_array().unwrap();
    assert!(none.is_empty(), "{none:?}");
}

#[test]
fn the_voice_is_drawn_on_the_page_and_named_in_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("p.html");
    let flat = fixture("prosody/networking-good-slt-16k-flat.wav");
    let args = [
        "analyze".as_ref(),
        flat.as_os_str(),
        "--html".as_ref(),
        page.as_os_str(),
    ];
    let out = run_with_model(&args, "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("  voice: pitch "), "{text}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("class=\"pitch\""));
    assert!(html.contains("class=\"monotone\""));
}

#[test]
fn a_written_script_skips_the_voice_checks() {
    let script = "Hi, this is Renee Dubois, 612-555-0147. I'll call Thursday. Thanks.";
    let out = run_with_model(&["check".as_ref(), "--json".as_ref(), "-".as_ref()], script);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    for id in ["monotone", "volume-variation", "uptalk"] {
        assert_eq!(status(&report, id), "skip", "{id}");
    }
    assert!(report.get("prosody").is_none());
    assert_eq!(report["delivery"]["acoustic_filler_count"], 0);
}
