//! Every script in `fixtures/scripts/` through `estimate_words` + `analyze`,
//! checked against the statuses in `fixtures/scripts/labels.json`. Prints a
//! per-rule agreement table and fails on any disagreement.
//!
//! labels.json: `{ "NAME": { "kind": "networking" | "application",
//! "infer": true?, "attempt": N?, "expect_number": "..."?, "expect_name": "..."?,
//! "note": "..."?, "expect": { "rule-id": "pass" | "warn" | "fail" | "skip" } } }`.
//! With `"infer": true` the kind is not given to the analysis and must be
//! inferred; every script's kind, inferred, must match its label.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use vmcoach::analysis::phone::find_phone_numbers;
use vmcoach::analysis::{analyze, estimate_words, AnalysisInput, Kind, RuleSet, Status};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Label {
    kind: Kind,
    #[serde(default)]
    infer: bool,
    #[serde(default)]
    attempt: Option<u32>,
    #[serde(default)]
    expect_number: Option<String>,
    #[serde(default)]
    expect_name: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
    expect: BTreeMap<String, Status>,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/scripts")
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Warn => "warn",
        Status::Fail => "fail",
        Status::Skip => "skip",
    }
}

#[test]
fn every_labelled_script_gets_its_labelled_statuses() {
    every_script_as_labelled(&RuleSet::default_rules());
}

/// The same with the sentence model (installed by scripts/test; missing, it
/// fails): reading meaning must not undo what the patterns got right.
#[test]
fn every_labelled_script_gets_its_labelled_statuses_with_the_sentence_model() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/all-MiniLM-L6-v2");
    let rules = RuleSet::default_rules()
        .with_meaning(&dir)
        .unwrap_or_else(|e| panic!("{e}: run ./scripts/test to install the sentence model"));
    every_script_as_labelled(&rules);
}

fn every_script_as_labelled(rules: &RuleSet) {
    let labels: BTreeMap<String, Label> =
        serde_json::from_str(&std::fs::read_to_string(dir().join("labels.json")).unwrap())
            .expect("labels.json parses");
    let known: Vec<String> = rules.rules.iter().map(|r| r.spec.id.clone()).collect();

    let mut scripts: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".txt").map(str::to_string)
        })
        .collect();
    scripts.sort();
    assert!(scripts.len() >= 30, "only {} scripts", scripts.len());
    for s in &scripts {
        assert!(
            labels.contains_key(s),
            "{s}.txt has no entry in labels.json"
        );
    }

    // rule -> (agree, total)
    let mut table: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut inferred_right = 0;
    for (name, label) in &labels {
        let path = dir().join(format!("{name}.txt"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let words = estimate_words(&text, 150.0);
        let duration = words.last().map_or(0.0, |w| w.end_s);
        let numbers = find_phone_numbers(&words);
        let input = AnalysisInput {
            words: &words,
            numbers: &numbers,
            hearings: &[],
            duration_s: duration,
            voiced: &[],
            kind: if label.infer { None } else { Some(label.kind) },
            attempt: label.attempt.unwrap_or(1),
            expect_number: label.expect_number.as_deref(),
            expect_name: label.expect_name.as_deref(),
            rules,
            track: None,
        };
        let a = analyze(&input);
        // Informational: would the kind have been inferred right?
        let inferred = analyze(&AnalysisInput {
            kind: None,
            ..input
        })
        .kind;
        inferred_right += usize::from(inferred == label.kind);
        if inferred != label.kind {
            problems.push(format!(
                "{name}: the kind would be inferred as {inferred:?}, labelled {:?}",
                label.kind
            ));
        }
        if label.infer {
            let e = table.entry("(kind inference)".into()).or_default();
            e.1 += 1;
            if a.kind == label.kind {
                e.0 += 1;
            } else {
                problems.push(format!(
                    "{name}: kind inferred {:?}, labelled {:?}",
                    a.kind, label.kind
                ));
            }
        }
        for (id, want) in &label.expect {
            assert!(known.contains(id), "{name}: unknown rule id {id}");
            let e = table.entry(id.clone()).or_default();
            e.1 += 1;
            match a.findings.iter().find(|f| &f.id == id) {
                Some(f) if f.status == *want => e.0 += 1,
                Some(f) => problems.push(format!(
                    "{name}: {id} is {}, labelled {} — {}{}",
                    status_name(f.status),
                    status_name(*want),
                    f.message,
                    f.evidence
                        .first()
                        .map(|e| format!(" [{}]", e.text))
                        .unwrap_or_default()
                )),
                None => problems.push(format!(
                    "{name}: {id} not reported, labelled {}",
                    status_name(*want)
                )),
            }
        }
        if std::env::var_os("VMCOACH_TABLE_VERBOSE").is_some() {
            eprintln!(
                "{name}: {:?} {:.1}s {:.0}wpm score {} | {}",
                a.kind, a.delivery.speech_s, a.delivery.words_per_minute, a.score, a.verdict
            );
        }
    }

    let (mut agree, mut total) = (0, 0);
    eprintln!(
        "\n{:<26} {:>7} {:>7} {:>8}",
        "rule", "agree", "labels", "percent"
    );
    for (id, (a, t)) in &table {
        eprintln!(
            "{id:<26} {a:>7} {t:>7} {:>7.0}%",
            100.0 * *a as f64 / *t as f64
        );
        agree += a;
        total += t;
    }
    eprintln!(
        "{:<26} {agree:>7} {total:>7} {:>7.0}%",
        "all",
        100.0 * agree as f64 / total.max(1) as f64
    );
    eprintln!(
        "kind inferred right for {inferred_right} of {} scripts",
        labels.len()
    );
    assert!(
        problems.is_empty(),
        "{} disagreements:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
