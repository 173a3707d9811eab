//! For calibrating the meaning thresholds (scripts/calibrate-meaning): each
//! message of a labelled set, as one JSON line: its labels, the status each
//! rule gets from its patterns alone, and every sentence's closeness to
//! each rule's examples and near misses.
//!
//!     cargo run --release --example meaning_scores -- MODEL_DIR fixtures/meaning/tuning.json

use std::collections::BTreeMap;

use serde_json::{json, Value};
use vmcoach::analysis::phone::find_phone_numbers;
use vmcoach::analysis::{analyze, estimate_words, AnalysisInput, Kind, RuleSet};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (dir, set) = match args.as_slice() {
        [_, dir, set] => (dir, set),
        _ => {
            eprintln!("usage: meaning_scores MODEL_DIR SET.json");
            std::process::exit(2);
        }
    };
    let plain = RuleSet::default_rules();
    let meant = RuleSet::default_rules()
        .with_meaning(std::path::Path::new(dir))
        .unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(1)
        });
    let text = std::fs::read_to_string(set).expect("the set can be read");
    let messages: BTreeMap<String, Value> = serde_json::from_str(&text).expect("the set parses");
    for (id, m) in &messages {
        let words = estimate_words(m["text"].as_str().unwrap(), 150.0);
        let numbers = find_phone_numbers(&words);
        let kind: Kind = serde_json::from_value(m["kind"].clone()).unwrap();
        let run = |rules: &RuleSet| {
            analyze(&AnalysisInput {
                words: &words,
                numbers: &numbers,
                hearings: &[],
                duration_s: 0.0,
                voiced: &[],
                kind: Some(kind),
                attempt: 1,
                expect_number: None,
                expect_name: None,
                rules,
                track: None,
            })
        };
        let patterns: BTreeMap<String, Value> = run(&plain)
            .findings
            .iter()
            .map(|f| (f.id.clone(), json!(f.status)))
            .collect();
        let reading = run(&meant).reading.expect("the model read the message");
        let closeness: BTreeMap<String, Value> = meant
            .rules
            .iter()
            .filter(|r| r.spec.meaning.is_some())
            .map(|r| {
                let c = reading.closeness(&r.spec.id);
                (
                    r.spec.id.clone(),
                    json!(c
                        .iter()
                        .map(|c| [c.example, c.near_miss])
                        .collect::<Vec<_>>()),
                )
            })
            .collect();
        let units: Vec<&str> = reading.units.iter().map(|u| u.text.as_str()).collect();
        println!(
            "{}",
            json!({"id": id, "expect": m["expect"], "patterns": patterns, "closeness": closeness, "units": units})
        );
    }
}
