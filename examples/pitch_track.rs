//! Prints the pitch track vmcoach measures for an audio file, one frame a
//! line: seconds and f0 in Hz (0 unvoiced). Used by scripts/eval-prosody.
//!
//!     cargo run --release --example pitch_track -- FILE [CLARITY]

use vmcoach::analysis::prosody::{track, TrackSettings};
use vmcoach::audio;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: pitch_track FILE [CLARITY]");
        std::process::exit(2);
    };
    let mut settings = TrackSettings::default();
    if let Some(c) = args.get(2) {
        settings.clarity = c.parse().expect("CLARITY is a number between 0 and 1");
    }
    let result = audio::load(std::path::Path::new(path), audio::DEFAULT_MAX_SECONDS)
        .and_then(|a| audio::resample::to_16k(&a));
    let mono = match result {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let t = track(mono.samples(), audio::MODEL_RATE, &settings);
    let mut out = String::new();
    for (i, f) in t.f0_hz.iter().enumerate() {
        out.push_str(&format!("{:.2} {:.2}\n", t.time_of(i), f));
    }
    print!("{out}");
}
