//! The fuzz targets' inputs replayed without the fuzzer: every input kept
//! under fuzz/corpus/TARGET (the minimized corpora scripts/fuzz leaves) and
//! fuzz/regressions/TARGET (inputs that once crashed, hung or blew up, kept
//! after the fix) goes through the same function the fuzz target calls
//! (fuzz/inputs.rs), so CI guards them without nightly or cargo-fuzz.

#[path = "../fuzz/inputs.rs"]
mod inputs;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

/// The slowest an input may be, fuzzer or not (scripts/fuzz gives the
/// fuzzer the same budget as -timeout, and calls more a hang).
const SLOWEST: Duration = Duration::from_secs(10);

#[test]
fn every_kept_fuzz_input_is_handled() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for (target, run) in inputs::TARGETS {
        let corpus = files(&root.join("corpus").join(target));
        assert!(
            !corpus.is_empty(),
            "fuzz/corpus/{target} is empty: run scripts/fuzz"
        );
        let regressions = files(&root.join("regressions").join(target));
        for path in corpus.iter().chain(&regressions) {
            let bytes = std::fs::read(path).unwrap();
            let started = Instant::now();
            run(&bytes);
            assert!(
                started.elapsed() < SLOWEST,
                "{}: took {:?}",
                path.display(),
                started.elapsed()
            );
        }
        eprintln!(
            "{target}: {} corpus inputs, {} regression inputs",
            corpus.len(),
            regressions.len()
        );
    }
}
