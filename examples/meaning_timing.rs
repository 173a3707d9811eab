//! Times the sentence model: load, embedding the rules' examples, and the
//! checks of one message (scripts/bench runs it).
//!
//!     cargo run --release --example meaning_timing -- MODEL_DIR SCRIPT.txt [RUNS]

use std::time::Instant;

use vmcoach::analysis::meaning::Embedder;
use vmcoach::analysis::phone::find_phone_numbers;
use vmcoach::analysis::{analyze, estimate_words, AnalysisInput, RuleSet};

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: meaning_timing MODEL_DIR SCRIPT.txt [RUNS]");
        std::process::exit(2);
    }
    let dir = std::path::Path::new(&args[1]);
    let text = std::fs::read_to_string(&args[2]).expect("the script can be read");
    let runs: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5);

    let t = Instant::now();
    let embedder = Embedder::load(dir).expect("the model loads");
    println!("model load: {:.1} ms", ms(t));
    drop(embedder);
    let t = Instant::now();
    let rules = RuleSet::default_rules()
        .with_meaning(dir)
        .expect("the model loads");
    println!("model load + examples embedded: {:.1} ms", ms(t));

    let words = estimate_words(&text, 150.0);
    let numbers = find_phone_numbers(&words);
    let duration = words.last().map_or(0.0, |w| w.end_s);
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let a = analyze(&AnalysisInput {
            words: &words,
            numbers: &numbers,
            hearings: &[],
            duration_s: duration,
            voiced: &[],
            kind: None,
            attempt: 1,
            expect_number: None,
            expect_name: None,
            rules: &rules,
            track: None,
        });
        times.push(ms(t));
        assert!(a.reading.is_some());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "all checks of {} words ({:.0} s at 150 words/min): median {:.1} ms of {runs}",
        words.len(),
        duration,
        times[runs / 2]
    );
}
