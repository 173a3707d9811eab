//! `vmcoach transcribe FILE [--json]`.

use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;
use vmcoach::report::text::clock;
use vmcoach::transcribe::Word;

use crate::cli::{Global, TranscribeArgs};

#[derive(Serialize)]
struct TranscriptJson<'a> {
    schema: u32,
    source: String,
    duration_s: f64,
    transcript: String,
    words: &'a [Word],
}

pub fn run(global: &Global, args: &TranscribeArgs) -> anyhow::Result<ExitCode> {
    // Read the audio first: a bad file is reported before the model loads.
    let started = Instant::now();
    let audio = vmcoach::audio::load(&args.file, args.limits.max_seconds)?;
    let read = started.elapsed();
    let mut transcriber = super::load_transcriber(&args.decoding)?;
    // A transcript only: the numbers' second hearing serves the analysis.
    transcriber.set_second_listen(false);
    let loaded = started.elapsed();
    let heard = super::progress::Steps::new(global.quiet).hear(audio, &mut transcriber)?;
    if args.decoding.model.verbose {
        // scripts/bench reads this line.
        let heard_s = (started.elapsed() - loaded).as_secs_f64();
        eprintln!(
            "vmcoach: timing: read {:.3} s, model load {:.3} s, transcription {heard_s:.3} s ({:.1}x real time)",
            read.as_secs_f64(),
            (loaded - read).as_secs_f64(),
            heard.audio.duration_s() / heard_s.max(1e-9),
        );
    }
    if args.json {
        let doc = TranscriptJson {
            schema: 1,
            source: args.file.display().to_string(),
            duration_s: round3(heard.audio.duration_s()),
            transcript: heard.transcript.text(),
            words: &heard.transcript.words,
        };
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else if heard.transcript.segments.is_empty() {
        println!("(no speech found)");
    } else {
        for s in &heard.transcript.segments {
            println!("[{} - {}] {}", clock(s.start_s), clock(s.end_s), s.text);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
