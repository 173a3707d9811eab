//! The sentence model and the checks that read meaning: the model in
//! `models/all-MiniLM-L6-v2` (installed by `scripts/test` through
//! `vmcoach model fetch`; these tests fail, never skip, without it), the
//! built-in example embeddings against fresh ones, and the checks on
//! messages in other words than the advice's.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use vmcoach::analysis::meaning::{cache, Embedder};
use vmcoach::analysis::{Kind, RuleSet, Status};
use vmcoach::pipeline::{coach_script, CoachOptions};
use vmcoach::report::Report;

fn model_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/all-MiniLM-L6-v2");
    assert!(
        dir.join("model.safetensors").is_file(),
        "{} is missing: run ./scripts/test (or `vmcoach model fetch --dir models`) to install it",
        dir.display()
    );
    dir
}

fn rules() -> RuleSet {
    RuleSet::default_rules()
        .with_meaning(&model_dir())
        .expect("the sentence model loads")
}

/// The report of a written script with these rules.
fn check(rules: &RuleSet, text: &str, kind: Kind) -> Report {
    let options = CoachOptions {
        kind: Some(kind),
        rules: rules.clone(),
        ..CoachOptions::default()
    };
    coach_script("script.txt".into(), text, &options)
}

fn status(a: &Report, id: &str) -> Status {
    a.rules.iter().find(|f| f.id == id).unwrap().status
}

#[test]
fn the_built_in_example_embeddings_are_those_of_the_model() {
    let embedder = Embedder::load(&model_dir()).unwrap();
    let rules = RuleSet::default_rules();
    let texts: Vec<&str> = rules
        .rules
        .iter()
        .filter_map(|r| r.spec.meaning.as_ref())
        .flat_map(|m| m.examples.iter().chain(&m.near_misses))
        .map(String::as_str)
        .collect();
    assert!(texts.len() > 50, "only {} examples", texts.len());
    let fresh = embedder.embed(&texts).unwrap();
    for (t, v) in texts.iter().zip(&fresh) {
        let cached = cache::lookup(t).unwrap_or_else(|| {
            panic!("{t:?} has no built-in embedding: run cargo run --release --example meaning_cache -- models/all-MiniLM-L6-v2")
        });
        let cos: f32 = cached.iter().zip(v).map(|(a, b)| a * b).sum();
        assert!(
            cos > 0.999,
            "{t:?}: built-in and fresh embeddings differ (cosine {cos})"
        );
    }
    // Unit length: the dot product is the cosine.
    let n: f32 = fresh[0].iter().map(|x| x * x).sum();
    assert!((n - 1.0).abs() < 1e-4, "{n}");
}

#[test]
fn a_networking_message_in_its_own_words_meets_the_advice() {
    let rules = rules();
    let text =
        "Hi Laura, Dev Patel, 617-555-0142. Marco Ruiz from the Boston analytics meetup gave \
                me your name. I'd value fifteen minutes of your advice on how your team hires data \
                analysts. I'll try you again on Tuesday afternoon. Really appreciate it.";
    let a = check(&rules, text, Kind::Networking);
    for id in [
        "identify-self",
        "connection",
        "reason",
        "follow-up",
        "thanks",
    ] {
        assert_eq!(status(&a, id), Status::Pass, "{id}: {:?}", a.rules);
    }
    let with_cue = check(
        &rules,
        &text.replace("I'd value", "I'm calling because I'd value"),
        Kind::Networking,
    );
    assert!(
        a.score.abs_diff(with_cue.score) <= 2,
        "{} against {} with \"I'm calling because\"",
        a.score,
        with_cue.score
    );
}

#[test]
fn other_words_for_thanks_the_resume_check_and_referrals() {
    let rules = rules();
    let a = check(
        &rules,
        "Hi, Carla Diaz, 505-555-0147. Did my application come through okay? Cheers.",
        Kind::Application,
    );
    assert_eq!(status(&a, "no-resume-check"), Status::Fail);
    assert_eq!(status(&a, "thanks"), Status::Pass);
    let b = check(
        &rules,
        "Hello, Maya Singh, 646-555-0175, about the claims adjuster opening in Queens. Five years \
         of auto claims. I'll call Wednesday. Happy to send over a couple of referrals, too.",
        Kind::Application,
    );
    assert_eq!(status(&b, "offer-referral"), Status::Pass);
    assert_eq!(status(&b, "no-resume-check"), Status::Pass);
}

/// A greeting with the listener's name is no referral, however close a
/// name makes it to the examples that name the person who sent the caller.
#[test]
fn a_greeting_with_a_name_is_not_read_for_meaning() {
    let rules = rules();
    let a = check(
        &rules,
        "Good afternoon, Mr. Villarreal. This is Harriet Coombs at 806-555-0199. I am hoping to \
         learn how cotton classers are trained. I will telephone tomorrow at ten. Thank you.",
        Kind::Networking,
    );
    assert_eq!(status(&a, "connection"), Status::Fail);
    let b = check(
        &rules,
        "Good afternoon, Mr. Villarreal. This is Harriet Coombs at 806-555-0199. Your name was \
         given to me by Professor Alice Ward. I will telephone tomorrow at ten. Thank you.",
        Kind::Networking,
    );
    assert_eq!(status(&b, "connection"), Status::Pass);
}

#[derive(Deserialize)]
struct Message {
    kind: Kind,
    text: String,
    expect: BTreeMap<String, Status>,
}

/// Agreement with the labels of a set in fixtures/meaning/.
fn agreement(rules: &RuleSet, set: &str) -> (usize, usize) {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/meaning/{set}.json"));
    let messages: BTreeMap<String, Message> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(messages.len() >= 60, "{set}: {} messages", messages.len());
    let (mut agree, mut total) = (0, 0);
    for m in messages.values() {
        let a = check(rules, &m.text, m.kind);
        for (id, want) in &m.expect {
            total += 1;
            agree += usize::from(status(&a, id) == *want);
        }
    }
    (agree, total)
}

#[test]
fn messages_in_fresh_words_get_their_labelled_statuses() {
    let rules = rules();
    let plain = RuleSet::default_rules();
    for (set, least) in [("tuning", 0.97), ("heldout", 0.90)] {
        let (agree, total) = agreement(&rules, set);
        let (plain_agree, _) = agreement(&plain, set);
        let share = agree as f64 / total as f64;
        println!("{set}: {agree}/{total} with the model, {plain_agree}/{total} on patterns alone");
        assert!(
            share >= least,
            "{set}: {agree}/{total} agree, less than {least}"
        );
        assert!(agree > plain_agree, "{set}: the model adds nothing");
    }
}

/// `vmcoach check` of a short script with the sentence model in `model`.
fn check_with_model(model: &std::path::Path) -> std::process::Output {
    assert_cmd::Command::cargo_bin("vmcoach")
        .unwrap()
        .env("VMCOACH_SENTENCE_MODEL", model)
        .args(["check", "-"])
        .write_stdin("Hi, this is Dana Lee, 617-555-0142.")
        .output()
        .unwrap()
}

/// The model is read only when the first message is, so a tokenizer that is
/// not the installed one is caught before: the error names the file.
#[test]
fn a_changed_tokenizer_is_refused_before_anything_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    std::fs::create_dir(&model).unwrap();
    std::os::unix::fs::symlink(
        model_dir().join("model.safetensors"),
        model.join("model.safetensors"),
    )
    .unwrap();
    std::fs::copy(model_dir().join("config.json"), model.join("config.json")).unwrap();
    let mut tokenizer = std::fs::read_to_string(model_dir().join("tokenizer.json")).unwrap();
    tokenizer.push(' ');
    std::fs::write(model.join("tokenizer.json"), tokenizer).unwrap();
    let out = check_with_model(&model);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("tokenizer.json") && err.contains("sha256"),
        "{err}"
    );
}

/// Weights that do not load (here cut short, with no seal to catch it
/// first) are an error naming the file, not reports that quietly fall back
/// to matching phrases.
#[test]
fn weights_that_do_not_load_are_an_error_not_a_quiet_fall_back() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    std::fs::create_dir(&model).unwrap();
    for f in ["config.json", "tokenizer.json"] {
        std::fs::copy(model_dir().join(f), model.join(f)).unwrap();
    }
    let weights = std::fs::read(model_dir().join("model.safetensors")).unwrap();
    std::fs::write(model.join("model.safetensors"), &weights[..1_000_000]).unwrap();
    let out = check_with_model(&model);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        out.stdout.is_empty(),
        "no report: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        err.contains("model.safetensors") && err.contains("cut short"),
        "{err}"
    );
}
