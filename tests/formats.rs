//! Audio formats other than PCM WAV (fixtures/formats/, made by
//! scripts/make-format-fixtures from the first 6 s of networking-good-slt-16k.wav):
//! each good file decodes to the clip's length and sounds like the clip; each
//! bad one is refused through the CLI with exit 1 and a message naming the file.

mod common;

use std::path::{Path, PathBuf};

use vmcoach::audio::{self, resample};

/// The fixtures are the first 6 s of the 16 kHz source.
const CLIP_SECONDS: f64 = 6.0;
/// Largest offset searched when aligning a decoded file with the source.
const MAX_LAG_S: f64 = 0.010;

fn formats(name: &str) -> PathBuf {
    common::fixture("formats").join(name)
}

/// The first 6 s of the source fixture, at `rate`.
fn source_at(rate: u32) -> Vec<f32> {
    let (mut samples, source_rate) =
        common::read_wav(&common::fixture("networking-good-slt-16k.wav"));
    assert_eq!(source_rate, 16_000);
    samples.truncate((CLIP_SECONDS * 16_000.0) as usize);
    resample::resample(&samples, 16_000, rate).unwrap()
}

/// Normalised cross-correlation of `a` and `b` at the best lag within
/// ±`max_lag` samples (b shifted by lag against a), and that lag.
fn best_correlation(a: &[f32], b: &[f32], max_lag: usize) -> (f64, isize) {
    let mut best = (f64::MIN, 0isize);
    for lag in -(max_lag as isize)..=max_lag as isize {
        let (mut ab, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
        for (i, &x) in a.iter().enumerate() {
            let j = i as isize + lag;
            if j < 0 || j as usize >= b.len() {
                continue;
            }
            let y = b[j as usize];
            ab += x as f64 * y as f64;
            aa += x as f64 * x as f64;
            bb += y as f64 * y as f64;
        }
        let r = if aa > 0.0 && bb > 0.0 {
            ab / (aa * bb).sqrt()
        } else {
            0.0
        };
        if r > best.0 {
            best = (r, lag);
        }
    }
    best
}

struct Good {
    file: &'static str,
    rate: u32,
    /// Lowest acceptable correlation with the source.
    min_correlation: f64,
}

/// Lossless and G.711 files must match the source closely; lossy ones less so.
/// Measured with symphonia 0.6.1 and the committed fixtures (see the README in
/// fixtures/formats): every file is within 1 sample of 6.000 s and aligned to
/// within 1 sample; correlations are listed there.
const GOOD: &[Good] = &[
    Good {
        file: "networking-6s-16k.flac",
        rate: 16_000,
        min_correlation: 0.99,
    },
    Good {
        file: "networking-6s-8k-mulaw.wav",
        rate: 8_000,
        min_correlation: 0.9,
    },
    Good {
        file: "networking-6s-8k-alaw.wav",
        rate: 8_000,
        min_correlation: 0.9,
    },
    Good {
        file: "networking-6s-8k.aiff",
        rate: 8_000,
        min_correlation: 0.9,
    },
    Good {
        file: "networking-6s-16k.mp3",
        rate: 16_000,
        min_correlation: 0.8,
    },
    Good {
        file: "networking-6s-44k-stereo.mp3",
        rate: 44_100,
        min_correlation: 0.8,
    },
    Good {
        file: "networking-6s-16k.m4a",
        rate: 16_000,
        min_correlation: 0.8,
    },
    Good {
        file: "networking-6s-16k.ogg",
        rate: 16_000,
        min_correlation: 0.8,
    },
];

/// Decoded length may differ from the clip by at most this much.
const DURATION_TOLERANCE_S: f64 = 0.050;

#[test]
fn every_good_format_decodes_to_the_clip() {
    let mut failures = Vec::new();
    for good in GOOD {
        let path = formats(good.file);
        let audio = audio::load(&path, audio::DEFAULT_MAX_SECONDS)
            .unwrap_or_else(|e| panic!("{}: {e}", good.file));
        assert_eq!(audio.rate, good.rate, "{}", good.file);
        let duration_error = audio.duration_s() - CLIP_SECONDS;
        let source = source_at(audio.rate);
        let max_lag = (MAX_LAG_S * audio.rate as f64) as usize;
        let (r, lag) = best_correlation(&source, &audio.samples, max_lag);
        println!(
            "{:32} {:6} Hz  duration {:.4} s ({:+.1} ms)  correlation {r:.4} at lag {lag:+} samples",
            good.file,
            audio.rate,
            audio.duration_s(),
            duration_error * 1000.0
        );
        if duration_error.abs() > DURATION_TOLERANCE_S {
            failures.push(format!(
                "{}: duration off by {:.1} ms",
                good.file,
                duration_error * 1000.0
            ));
        }
        if r < good.min_correlation {
            failures.push(format!(
                "{}: correlation {r:.3} < {}",
                good.file, good.min_correlation
            ));
        }
        assert!(
            audio
                .samples
                .iter()
                .all(|s| s.is_finite() && s.abs() <= 1.5),
            "{}",
            good.file
        );
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn stereo_is_averaged_to_mono() {
    // Right channel at half level: the mono mix is 0.75 of the source.
    let audio = audio::load(&formats("networking-6s-44k-stereo.mp3"), 600.0).unwrap();
    let source = source_at(44_100);
    let peak = |s: &[f32]| s.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let ratio = peak(&audio.samples) / peak(&source);
    assert!((0.6..0.9).contains(&ratio), "mono peak ratio {ratio}");
}

#[test]
fn mp3_behind_a_large_id3_tag_decodes() {
    // A 1.5 MB ID3v2.3 tag (a private frame of noise, as a cover picture would
    // be) before the fixture's audio: more than symphonia scans for a format
    // marker, so the tag has to be read and skipped, not searched through.
    let mp3 = std::fs::read(formats("networking-6s-16k.mp3")).unwrap();
    let audio_at = 20; // after ffmpeg's empty 20-byte tag
    let mut state = 7u32;
    let mut frame = b"PRIVvmcoach-test\0".to_vec();
    frame.extend((0..1_500_000).map(|_| {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (state >> 24) as u8
    }));
    let frame_len = frame.len() - 4;
    let mut body = b"PRIV".to_vec();
    body.extend_from_slice(&(frame_len as u32).to_be_bytes());
    body.extend_from_slice(&[0, 0]);
    body.extend_from_slice(&frame[4..]);
    let syncsafe = |n: usize| {
        [
            (n >> 21) as u8 & 0x7F,
            (n >> 14) as u8 & 0x7F,
            (n >> 7) as u8 & 0x7F,
            n as u8 & 0x7F,
        ]
    };
    let mut file = b"ID3\x03\x00\x00".to_vec();
    file.extend_from_slice(&syncsafe(body.len()));
    file.extend_from_slice(&body);
    file.extend_from_slice(&mp3[audio_at..]);
    let dir = temp();
    let f = dir.path().join("tagged.mp3");
    std::fs::write(&f, &file).unwrap();
    let audio = audio::load(&f, 600.0).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        (audio.duration_s() - CLIP_SECONDS).abs() < DURATION_TOLERANCE_S,
        "{}",
        audio.duration_s()
    );
}

#[test]
fn limit_is_applied_to_compressed_files_before_decoding() {
    for file in [
        "networking-6s-16k.mp3",
        "networking-6s-16k.flac",
        "networking-6s-8k-mulaw.wav",
    ] {
        let e = audio::load(&formats(file), 2.0).unwrap_err().to_string();
        assert!(e.contains(file), "{e}");
        assert!(e.contains("limit is 2.0 s"), "{e}");
    }
}

/// Runs `vmcoach transcribe FILE` and checks: exit 1, the file named, the
/// problem stated, no panic. Audio is read before the model, so no model is needed.
fn refused(file: &Path, problem: &str) {
    let out = assert_cmd::Command::cargo_bin("vmcoach")
        .unwrap()
        .arg("transcribe")
        .arg(file)
        .output()
        .unwrap();
    common::assert_refused(&out, file, problem);
}

#[test]
fn amr_is_refused_by_name() {
    refused(
        &formats("voicemail.amr"),
        "AMR audio is not supported; convert it to WAV or MP3 first",
    );
}

#[test]
fn opus_is_refused_by_name() {
    refused(
        &formats("voicemail.opus"),
        "Opus audio is not supported; convert it to WAV or MP3 first",
    );
}

#[test]
fn truncated_mp3_is_refused() {
    refused(
        &formats("truncated.mp3"),
        "truncated: the header promises 6.0 s of audio but the file ends after 2.",
    );
}

#[test]
fn text_named_wav_is_not_an_audio_file() {
    refused(&formats("notes.wav"), "not an audio file");
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn random_bytes_are_not_audio() {
    let dir = temp();
    let f = dir.path().join("noise.mp3");
    let mut state = 1u32;
    let bytes: Vec<u8> = (0..20_000)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            // Keep clear of 0xFF so no MPEG frame sync can appear by chance.
            ((state >> 24) as u8) & 0x7F
        })
        .collect();
    std::fs::write(&f, bytes).unwrap();
    refused(&f, "not an audio file");
}

#[test]
fn flac_cut_short_is_truncated() {
    let dir = temp();
    let bytes = std::fs::read(formats("networking-6s-16k.flac")).unwrap();
    for share in [5, 9] {
        let f = dir.path().join(format!("cut-{share}.flac"));
        std::fs::write(&f, &bytes[..bytes.len() * share / 10]).unwrap();
        refused(
            &f,
            "truncated: the header promises 6.0 s of audio but the file ends after",
        );
    }
}

/// An Ogg header states no length, so a cut Ogg file decoded without an
/// error and was heard as whatever was left; its missing end page gives it
/// away.
#[test]
fn ogg_cut_short_is_truncated() {
    let dir = temp();
    let bytes = std::fs::read(formats("networking-6s-16k.ogg")).unwrap();
    for share in [5, 9] {
        let f = dir.path().join(format!("cut-{share}.ogg"));
        std::fs::write(&f, &bytes[..bytes.len() * share / 10]).unwrap();
        refused(&f, "truncated: the file stops part way through its audio");
    }
}

#[test]
fn m4a_cut_short_is_truncated() {
    // ffmpeg writes the index (moov) after the audio, so a cut file has none.
    let dir = temp();
    let f = dir.path().join("cut.m4a");
    let bytes = std::fs::read(formats("networking-6s-16k.m4a")).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() / 2]).unwrap();
    refused(
        &f,
        "truncated: the file stops part way through and its index (the MP4 moov box) is missing",
    );
}

#[test]
fn header_only_mu_law_wav_has_no_samples() {
    // The mu-law fixture's header with an empty data chunk.
    let bytes = std::fs::read(formats("networking-6s-8k-mulaw.wav")).unwrap();
    let data = bytes.windows(4).position(|w| w == b"data").unwrap();
    let mut header = bytes[..data + 8].to_vec();
    header[data + 4..data + 8].copy_from_slice(&0u32.to_le_bytes());
    let riff_len = (header.len() - 8) as u32;
    header[4..8].copy_from_slice(&riff_len.to_le_bytes());
    let dir = temp();
    let f = dir.path().join("header.wav");
    std::fs::write(&f, &header).unwrap();
    refused(&f, "contains no audio samples");
}

#[test]
fn ogg_of_headers_only_is_refused() {
    // Only the pages before the first one with a granule position: the Vorbis
    // identification, comment and setup headers, no audio.
    let bytes = std::fs::read(formats("networking-6s-16k.ogg")).unwrap();
    let audio_start = ogg_pages(&bytes)
        .into_iter()
        .find(|&(_, granule)| granule != 0)
        .unwrap()
        .0;
    let dir = temp();
    let f = dir.path().join("headers.ogg");
    std::fs::write(&f, &bytes[..audio_start]).unwrap();
    refused(&f, "headers.ogg");
}

/// (offset, granule position) of each Ogg page.
fn ogg_pages(bytes: &[u8]) -> Vec<(usize, u64)> {
    let mut pages = Vec::new();
    let mut at = 0;
    while at + 27 <= bytes.len() && &bytes[at..at + 4] == b"OggS" {
        let granule = u64::from_le_bytes(bytes[at + 6..at + 14].try_into().unwrap());
        let segments = bytes[at + 26] as usize;
        let body: usize = bytes[at + 27..at + 27 + segments]
            .iter()
            .map(|&b| b as usize)
            .sum();
        pages.push((at, granule));
        at += 27 + segments + body;
    }
    pages
}

/// `bytes` with every `step`th byte in `range` inverted.
fn shred(bytes: &[u8], range: std::ops::Range<usize>, step: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for i in range.filter(|i| i % step == 0) {
        out[i] ^= 0xFF;
    }
    out
}

/// Body of the M4A fixture's mdat box (the coded audio).
fn mdat_range(bytes: &[u8]) -> std::ops::Range<usize> {
    let at = bytes.windows(4).position(|w| w == b"mdat").unwrap();
    let len = u32::from_be_bytes(bytes[at - 4..at].try_into().unwrap()) as usize;
    at + 4..at - 4 + len
}

#[test]
fn a_few_damaged_frames_are_skipped() {
    let dir = temp();
    // FLAC frames carry a CRC, so a damaged one is dropped by the demuxer; AAC
    // packets come from the MP4 sample table, so a damaged one is a decode error.
    for file in ["networking-6s-16k.flac", "networking-6s-16k.m4a"] {
        let bytes = std::fs::read(formats(file)).unwrap();
        let audio_bytes = if file.ends_with(".m4a") {
            mdat_range(&bytes)
        } else {
            0..bytes.len()
        };
        let mut damaged = bytes.clone();
        for k in 1..=2 {
            let at = audio_bytes.start + audio_bytes.len() * k / 3;
            for b in &mut damaged[at..at + 48] {
                *b ^= 0x5A;
            }
        }
        let f = dir.path().join(file);
        std::fs::write(&f, &damaged).unwrap();
        let audio = audio::load(&f, 600.0).unwrap_or_else(|e| panic!("{e}"));
        assert!(audio.duration_s() > 5.5, "{file}: {}", audio.duration_s());
    }
}

#[test]
fn flac_that_is_mostly_garbage_is_refused() {
    // The metadata intact, then every 97th byte of the audio inverted: frames
    // fail their CRC and the demuxer skips them, so only a little decodes.
    let bytes = std::fs::read(formats("networking-6s-16k.flac")).unwrap();
    let dir = temp();
    let f = dir.path().join("shredded.flac");
    std::fs::write(&f, shred(&bytes, 10_000..bytes.len(), 97)).unwrap();
    refused(&f, "damaged: the header promises 6.0 s of audio but only");
}

#[test]
fn m4a_whose_packets_are_mostly_garbage_is_refused() {
    // The index intact, every 53rd byte of the coded audio inverted: the
    // demuxer hands over every packet and most fail to decode.
    let bytes = std::fs::read(formats("networking-6s-16k.m4a")).unwrap();
    let mdat = mdat_range(&bytes);
    let dir = temp();
    let f = dir.path().join("shredded.m4a");
    std::fs::write(&f, shred(&bytes, mdat.start + 200..mdat.end, 53)).unwrap();
    refused(&f, "corrupt AAC audio");
}

#[test]
fn mp3_cut_at_a_frame_boundary_is_still_truncated() {
    // 90 % of the file: the MP3 reader stops cleanly, short of the Info tag's count.
    let bytes = std::fs::read(formats("networking-6s-16k.mp3")).unwrap();
    let dir = temp();
    let f = dir.path().join("cut.mp3");
    std::fs::write(&f, &bytes[..bytes.len() * 9 / 10]).unwrap();
    refused(&f, "truncated: the header promises 6.0 s");
}

#[test]
fn mp3_transcribes_with_the_real_model() {
    let json = common::transcribe_json(&formats("networking-6s-16k.mp3"), &[]);
    let words = common::normalise(json["transcript"].as_str().unwrap());
    let duration = json["duration_s"].as_f64().unwrap();
    assert!(
        (duration - CLIP_SECONDS).abs() < DURATION_TOLERANCE_S,
        "duration {duration}"
    );
    // "Hi Mr. Castellano, this is Renee Dubois. My number is six one two, five ..."
    for expected in ["this", "is", "my", "number", "6", "1", "2"] {
        assert!(
            words.iter().any(|w| w == expected),
            "{expected:?} missing from {words:?}"
        );
    }
    // tiny.en hears "Renee Du Bois".
    let heard = |w: &str| words.iter().any(|x| x == w);
    assert!(
        heard("renee") && (heard("dubois") || heard("bois")),
        "caller's name (Renee Dubois) missing from {words:?}"
    );
}

/// A batch weighs its time left by each file's length, read from the
/// header without decoding: near the decoded length for every format (an
/// MP3 without a length in its header is estimated from its bitrate), and
/// nothing at all for a file that is not audio.
#[test]
fn header_length_is_close_to_the_decoded_length() {
    for good in GOOD {
        let path = formats(good.file);
        let seconds = audio::decode::header_seconds(&path)
            .unwrap_or_else(|| panic!("{}: no length in its header", good.file));
        assert!(
            (seconds - CLIP_SECONDS).abs() < 0.5,
            "{}: header says {seconds:.2} s, the clip is {CLIP_SECONDS} s",
            good.file
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.wav");
    std::fs::write(&text, "not audio at all\n").unwrap();
    assert_eq!(audio::decode::header_seconds(&text), None);
    assert_eq!(
        audio::decode::header_seconds(&dir.path().join("missing.wav")),
        None
    );
}
