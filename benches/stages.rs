//! The stages around the model, which should take milliseconds:
//! decoding and resampling a 60 s 48 kHz stereo WAV, and the analysis
//! (metrics, phone numbers, rules) of a 150-word transcript, and the
//! prosody stage (pitch track, then its description) of a 25 s fixture.
//!
//!     cargo bench --bench stages

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use vmcoach::analysis::{self, AnalysisInput, RuleSet};

/// 60 s of a 48 kHz stereo WAV: a tone that glides, with a quieter second channel.
fn stereo_wav(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("60s-48k-stereo.wav");
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    for i in 0..60 * 48_000 {
        let t = i as f64 / 48_000.0;
        let s = (2.0 * std::f64::consts::PI * (200.0 + 5.0 * t) * t).sin() * 0.3;
        w.write_sample((s * 32767.0) as i16).unwrap();
        w.write_sample((s * 0.5 * 32767.0) as i16).unwrap();
    }
    w.finalize().unwrap();
    path
}

/// About 150 words as a voicemail says them, number and fillers included.
const MESSAGE: &str = "Hi Dana, this is Jordan Lee. My number is 6 1 2, 5 5 5, 0 1 4 7. \
    Um, Priya Raman from the county library suggested I reach out to you. \
    I'm calling about the grants coordinator opening on your team. \
    I've spent six years writing and managing federal grants for two nonprofits, \
    and last year I, uh, brought in one point two million dollars for literacy programs. \
    I'd like to ask you fifteen minutes of questions about how your office plans its funding cycle, \
    and whether my reporting experience would fit what you need this spring. \
    You know, I also built the tracking spreadsheet our finance staff still uses. \
    I'll send you a short email this afternoon with my resume and a writing sample, \
    and I'll follow up on Thursday morning if I haven't reached you. \
    Again, this is Jordan Lee at 6 1 2, 5 5 5, 0 1 4 7. Thank you so much for your time, \
    and have a great rest of your week.";

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let wav = stereo_wav(dir.path());
    c.bench_function("decode 60 s 48 kHz stereo WAV", |b| {
        b.iter(|| vmcoach::audio::load(black_box(&wav), 600.0).unwrap())
    });
    let audio = vmcoach::audio::load(&wav, 600.0).unwrap();
    c.bench_function("resample 60 s to 16 kHz mono", |b| {
        b.iter(|| vmcoach::audio::resample::to_16k(black_box(&audio)).unwrap())
    });

    let words = analysis::estimate_words(MESSAGE, 150.0);
    let rules = RuleSet::default_rules();
    let duration = words.last().unwrap().end_s;
    c.bench_function(&format!("phone numbers in {} words", words.len()), |b| {
        b.iter(|| analysis::phone::find_phone_numbers(black_box(&words)))
    });
    // The worst case of number finding: one run of spaced digits.
    let digits: String = (0..10_000u32)
        .map(|i| format!("{} ", (i * 7 + i / 3) % 10))
        .collect();
    let digit_words = analysis::estimate_words(&digits, 150.0);
    c.bench_function("phone numbers in 10,000 spaced digits", |b| {
        b.iter(|| analysis::phone::find_phone_numbers(black_box(&digit_words)))
    });
    c.bench_function(
        &format!(
            "analysis (metrics, numbers, rules) of {} words",
            words.len()
        ),
        |b| {
            b.iter(|| {
                let words = black_box(&words);
                analysis::analyze(&AnalysisInput {
                    words,
                    numbers: &analysis::phone::find_phone_numbers(words),
                    hearings: &[],
                    duration_s: duration,
                    voiced: &[(0.2, duration)],
                    kind: None,
                    attempt: 1,
                    expect_number: Some("6125550147"),
                    expect_name: Some("Jordan Lee"),
                    rules: &rules,
                    track: None,
                })
            })
        },
    );
}

/// The prosody stage on a real-length message: the pitch track of the
/// 16 kHz audio, then its description against the words.
fn prosody(c: &mut Criterion) {
    use analysis::prosody::{self, TrackSettings};
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/networking-good-slt-16k.wav");
    let audio = vmcoach::audio::load(&path, 600.0).unwrap();
    let mono = vmcoach::audio::resample::to_16k(&audio).unwrap();
    let seconds = mono.samples().len() as f64 / 16_000.0;
    let rules = RuleSet::default_rules();
    let settings = TrackSettings {
        clarity: rules.file.prosody.voicing_clarity,
        ..TrackSettings::default()
    };
    c.bench_function(&format!("pitch track of {seconds:.0} s"), |b| {
        b.iter(|| prosody::track(black_box(mono.samples()), 16_000, &settings))
    });
    let track = prosody::track(mono.samples(), 16_000, &settings);
    let words = analysis::estimate_words(MESSAGE, 150.0);
    let ends = prosody::statement_ends(&words, &[]);
    c.bench_function(&format!("prosody description of {seconds:.0} s"), |b| {
        b.iter(|| {
            let spoken = prosody::Spoken {
                words: &words,
                ends: &ends,
                fillers: &[],
                numbers: &[],
            };
            prosody::describe(black_box(&track), &spoken, &rules.file.prosody)
        })
    });
}

criterion_group!(stages, benches, prosody);
criterion_main!(stages);
