//! Writes src/analysis/meaning/examples.bin: the built-in rules' example
//! sentences and near misses, embedded (see `analysis::meaning::cache`).
//!
//!     cargo run --release --example meaning_cache -- MODEL_DIR

use vmcoach::analysis::meaning::{cache, Embedder};
use vmcoach::analysis::RuleSet;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: meaning_cache MODEL_DIR");
        std::process::exit(2);
    };
    let embedder = Embedder::load(std::path::Path::new(&dir)).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let rules = RuleSet::default_rules();
    let mut texts: Vec<String> = rules
        .rules
        .iter()
        .filter_map(|r| r.spec.meaning.as_ref())
        .flat_map(|m| m.examples.iter().chain(&m.near_misses).cloned())
        .collect();
    texts.sort();
    texts.dedup();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let vectors = embedder
        .embed(&refs)
        .expect("the model embeds the examples");
    let entries: Vec<(String, Vec<f32>)> = texts.into_iter().zip(vectors).collect();
    let out =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analysis/meaning/examples.bin");
    std::fs::write(&out, cache::encode(&entries)).expect("the file is written");
    println!("{} sentences -> {}", entries.len(), out.display());
}
