//! Recording a take to a WAV file: from chunks of interleaved samples (a
//! [`ChunkSource`], the microphone's [`Capture`] or anything else) to mono
//! 16-bit PCM at the source's rate.
//!
//! ```text
//!  ChunkSource ─> downmix ─> FILE.part (header refreshed every 0.5 s) ─> finalize ─> FILE
//!                   │                                                       (never overwrites)
//!                   └─> live level, elapsed, silence detector ─> on_tick / stop
//! ```
//!
//! The file is written as the take goes: `takes/NAME.wav.part` holds a WAV
//! whose header is brought up to date every half second, so a crash or a
//! kill leaves a file that plays up to the last update, and
//! [`repair_part`] recovers all of it. Only a finished take gets its final
//! name, through a rename that refuses to replace an existing file.
//!
//! Nothing here touches sound hardware, so the whole driver runs in tests on
//! a scripted source. The file's side is in `part`, the level meter and
//! silence detector in `meter`.

mod meter;
mod part;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::capture::Capture;
use super::levels::{self, Levels};
use crate::{Error, Result};
use meter::Meter;
use part::PartWriter;
pub use part::{default_take_path, leftover_parts, part_path_for, repair_part};

/// Suffix of a take that is still being written (or was cut short).
pub const PART_SUFFIX: &str = ".part";
/// How often the `.part` file's header is brought up to date, in audio time.
pub const FLUSH_EVERY_S: f64 = 0.5;

/// Where interleaved f32 audio comes from.
pub trait ChunkSource {
    /// Sample rate, Hz.
    fn rate(&self) -> u32;
    /// Channels per interleaved frame.
    fn channels(&self) -> u16;
    /// Waits up to `timeout` for the next chunk of whole interleaved frames.
    /// `Ok(None)`: nothing yet (or the source is stopped and drained).
    /// `Err`: the source failed after delivering everything it had.
    fn next_chunk(&mut self, timeout: Duration) -> Result<Option<Vec<f32>>>;
    /// Blocks of audio lost so far because nobody read them in time.
    fn overruns(&self) -> u64 {
        0
    }
    /// Stops producing; what is buffered can still be read.
    fn stop(&mut self) {}
}

impl ChunkSource for Capture {
    fn rate(&self) -> u32 {
        Capture::rate(self)
    }
    fn channels(&self) -> u16 {
        Capture::channels(self)
    }
    fn next_chunk(&mut self, timeout: Duration) -> Result<Option<Vec<f32>>> {
        self.recv_timeout(timeout)
    }
    /// Our own dropped blocks plus the overruns the device reported.
    fn overruns(&self) -> u64 {
        Capture::overruns(self) + self.xruns()
    }
    fn stop(&mut self) {
        Capture::stop(self)
    }
}

/// How to record one take.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordOptions {
    /// The finished take's name. It must not exist yet; while recording, the
    /// audio goes to this name plus [`PART_SUFFIX`].
    pub path: PathBuf,
    /// Stop after this much audio.
    pub max_seconds: Option<f64>,
    /// Stop after this much silence, once speech has begun.
    pub stop_on_silence: Option<f64>,
    /// How often `on_tick` is called, in audio time.
    pub tick_every: Duration,
    /// Give up when the source delivers nothing for this long.
    pub stall_timeout: Duration,
}

impl RecordOptions {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        RecordOptions {
            path: path.into(),
            max_seconds: None,
            stop_on_silence: None,
            tick_every: Duration::from_millis(100),
            stall_timeout: Duration::from_secs(5),
        }
    }
}

/// Live state, passed to `on_tick` about every [`RecordOptions::tick_every`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tick {
    /// Audio recorded so far, seconds.
    pub elapsed_s: f64,
    /// Peak and RMS of the audio since the previous tick (about the last
    /// 100 ms), dBFS; `-inf` for digital silence.
    pub peak_dbfs: f64,
    pub rms_dbfs: f64,
    /// Whether speech has been heard yet.
    pub speech_started: bool,
    /// Silence since speech last stopped, seconds (0 while speaking or
    /// before speech).
    pub silence_s: f64,
    /// Blocks of audio lost so far.
    pub overruns: u64,
}

/// Why a take ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The caller set the stop flag (Enter, Ctrl-C).
    Requested,
    /// [`RecordOptions::max_seconds`] reached.
    MaxSeconds,
    /// [`RecordOptions::stop_on_silence`] seconds of silence after speech.
    Silence,
}

/// Something about the take worth telling before the transcript.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TakeWarning {
    /// Nothing, or next to nothing, came in.
    Silent { peak_dbfs: f64 },
    /// Sound came in, but nothing that looks like speech.
    NoSpeech,
    /// Part of the take hit full scale.
    Clipping { clipped_share: f64 },
    /// Speech came in, but very low.
    TooQuiet { peak_dbfs: f64 },
    /// Audio was dropped because the computer fell behind.
    LostAudio { overruns: u64 },
}

/// Input peaking below this is no input at all: a muted microphone or the
/// wrong device.
const SILENT_PEAK_DBFS: f64 = -60.0;
/// Speech peaking below this is too quiet to be heard on a phone, and more
/// than this share of samples at full scale is audible clipping: the same
/// limits as `analysis::quality` uses for any recording.
const QUIET_PEAK_DBFS: f64 = -20.0;
const CLIPPED_SHARE_WARN: f64 = 0.001;

impl std::fmt::Display for TakeWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TakeWarning::Silent { .. } => write!(
                f,
                "no sound came in: the microphone may be muted, or the wrong input device is selected"
            ),
            TakeWarning::NoSpeech => write!(f, "no speech was heard in the take"),
            TakeWarning::Clipping { clipped_share } => write!(
                f,
                "the input clipped ({:.1}% of samples at full scale): lower the input level or move back from the microphone",
                clipped_share * 100.0
            ),
            TakeWarning::TooQuiet { peak_dbfs } => write!(
                f,
                "the take is very quiet (peak {peak_dbfs:.0} dBFS): move closer or raise the input level"
            ),
            TakeWarning::LostAudio { overruns } => write!(
                f,
                "{overruns} short gap{} in the audio: the computer fell behind while recording",
                if *overruns == 1 { "" } else { "s" }
            ),
        }
    }
}

/// A finished take.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TakeSummary {
    /// Where the take is (the requested name, or the next free one if that
    /// appeared meanwhile).
    pub path: PathBuf,
    /// Rate of the file (the source's), Hz.
    pub rate: u32,
    /// Channels the source delivered (the file is mono).
    pub source_channels: u16,
    pub duration_s: f64,
    pub stop: StopReason,
    pub overruns: u64,
    pub levels: Levels,
    pub warnings: Vec<TakeWarning>,
}

/// Longest a take goes on after a stop while the source still delivers.
const STOP_DRAIN: Duration = Duration::from_millis(200);

/// Records one take from `source` until `stop` is set, `max_seconds` or the
/// silence limit is reached. Calls `on_tick` with the live state. On a source
/// failure the audio recorded so far is kept (finalized under its name) and
/// the error says where.
pub fn record(
    source: &mut dyn ChunkSource,
    opts: &RecordOptions,
    stop: &AtomicBool,
    on_tick: &mut dyn FnMut(&Tick),
) -> Result<TakeSummary> {
    let (rate, channels) = (source.rate(), source.channels() as usize);
    if rate == 0 || channels == 0 {
        return Err(Error::Input(format!(
            "audio source reports {rate} Hz, {channels} channels"
        )));
    }
    let mut take = PartWriter::create(&opts.path, rate)?;
    let max_frames = opts
        .max_seconds
        .map(|s| (s.max(0.0) * rate as f64).round() as u64);
    let mut meter = Meter::new(rate, opts.stop_on_silence);
    let tick_frames = ((opts.tick_every.as_secs_f64() * rate as f64) as u64).max(1);
    let flush_frames = ((FLUSH_EVERY_S * rate as f64) as u64).max(1);
    let (mut next_tick, mut next_flush) = (tick_frames, flush_frames);
    let mut mono: Vec<f32> = Vec::new();
    let mut last_audio = Instant::now();
    // Set when a stop is asked for: until then, take what the source still
    // holds (the last few milliseconds before the key press), then finish
    // even if a device that ignores the stop keeps delivering.
    let mut stopping: Option<Instant> = None;

    let reason = loop {
        if stop.load(Ordering::Relaxed) && stopping.is_none() {
            stopping = Some(Instant::now() + STOP_DRAIN);
            source.stop();
        }
        if stopping.is_some_and(|until| Instant::now() >= until) {
            break StopReason::Requested;
        }
        if max_frames.is_some_and(|m| take.frames >= m) {
            break StopReason::MaxSeconds;
        }
        let wait = if stopping.is_some() {
            Duration::ZERO
        } else {
            Duration::from_millis(50)
        };
        let chunk = match source.next_chunk(wait) {
            Ok(Some(chunk)) => chunk,
            Ok(None) if stopping.is_some() => break StopReason::Requested,
            Ok(None) => {
                if last_audio.elapsed() >= opts.stall_timeout {
                    let why = format!(
                        "no audio arrived for {:.0} s",
                        opts.stall_timeout.as_secs_f64()
                    );
                    return Err(take.keep_after_failure(&why));
                }
                on_tick(&meter.tick(take.seconds(), source.overruns()));
                continue;
            }
            Err(e) => return Err(take.keep_after_failure(&e.to_string())),
        };
        last_audio = Instant::now();

        mono.clear();
        mono.extend(chunk.chunks_exact(channels).map(take_sample));
        if let Some(m) = max_frames {
            mono.truncate(m.saturating_sub(take.frames).min(usize::MAX as u64) as usize);
        }
        let mut silence_stop = false;
        let mut used = mono.len();
        for (i, &s) in mono.iter().enumerate() {
            if meter.push(s) {
                silence_stop = true;
                used = i + 1;
                break;
            }
        }
        take.write(&mono[..used])?;

        if take.frames >= next_flush {
            take.flush()?;
            next_flush = take.frames + flush_frames;
        }
        if take.frames >= next_tick {
            on_tick(&meter.tick(take.seconds(), source.overruns()));
            next_tick = take.frames + tick_frames;
        }
        if silence_stop {
            break StopReason::Silence;
        }
    };
    source.stop();
    on_tick(&meter.tick(take.seconds(), source.overruns()));
    let overruns = source.overruns();
    let (path, samples) = take.finish()?;
    let levels = levels::measure(&samples, rate);
    let warnings = take_warnings(&levels, overruns);
    Ok(TakeSummary {
        path,
        rate,
        source_channels: channels as u16,
        duration_s: samples.len() as f64 / rate as f64,
        stop: reason,
        overruns,
        levels,
        warnings,
    })
}

/// One interleaved frame as the take's mono sample, before it is written
/// as 16 bits (the live engine keeps the same samples the file gets).
pub fn take_sample(frame: &[f32]) -> f32 {
    frame.iter().sum::<f32>() / frame.len() as f32
}

/// What to tell about a take, from its levels.
pub fn take_warnings(levels: &Levels, overruns: u64) -> Vec<TakeWarning> {
    let mut out = Vec::new();
    if levels.peak_dbfs < SILENT_PEAK_DBFS {
        out.push(TakeWarning::Silent {
            peak_dbfs: levels.peak_dbfs,
        });
    } else if levels.voiced.is_empty() {
        out.push(TakeWarning::NoSpeech);
    } else if levels.peak_dbfs < QUIET_PEAK_DBFS {
        out.push(TakeWarning::TooQuiet {
            peak_dbfs: levels.peak_dbfs,
        });
    }
    if levels.clipped_share > CLIPPED_SHARE_WARN {
        out.push(TakeWarning::Clipping {
            clipped_share: levels.clipped_share,
        });
    }
    if overruns > 0 {
        out.push(TakeWarning::LostAudio { overruns });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use part::{free_name, place_no_clobber};
    use std::collections::VecDeque;
    use std::fs;
    use std::path::Path;

    /// A scripted source: chunks come out in order, then `end` happens.
    struct Fake {
        rate: u32,
        channels: u16,
        chunks: VecDeque<Vec<f32>>,
        end: End,
        overruns: u64,
        stopped: bool,
    }

    #[derive(Clone)]
    enum End {
        /// Nothing more arrives (timeouts).
        Quiet,
        /// The device fails.
        Fail(&'static str),
        /// Sets this flag once the script is played (like a key press).
        Raise(std::sync::Arc<AtomicBool>),
    }

    impl Fake {
        fn new(rate: u32, channels: u16, samples: &[f32], chunk_frames: usize, end: End) -> Self {
            let chunks = samples
                .chunks(chunk_frames * channels as usize)
                .map(|c| c.to_vec())
                .collect();
            Fake {
                rate,
                channels,
                chunks,
                end,
                overruns: 0,
                stopped: false,
            }
        }
    }

    impl ChunkSource for Fake {
        fn rate(&self) -> u32 {
            self.rate
        }
        fn channels(&self) -> u16 {
            self.channels
        }
        fn next_chunk(&mut self, _timeout: Duration) -> Result<Option<Vec<f32>>> {
            if let Some(c) = self.chunks.pop_front() {
                return Ok(Some(c));
            }
            match &self.end {
                End::Quiet => Ok(None),
                End::Fail(why) => Err(Error::Input(why.to_string())),
                End::Raise(flag) => {
                    flag.store(true, Ordering::Relaxed);
                    Ok(None)
                }
            }
        }
        fn overruns(&self) -> u64 {
            self.overruns
        }
        fn stop(&mut self) {
            self.stopped = true;
        }
    }

    const RATE: u32 = 16_000;

    fn tone(seconds: f64, amp: f32) -> Vec<f32> {
        (0..(RATE as f64 * seconds) as usize)
            .map(|i| amp * (i as f32 * 0.2).sin())
            .collect()
    }

    fn noise(seconds: f64, amp: f32) -> Vec<f32> {
        let mut x = 99u32;
        (0..(RATE as f64 * seconds) as usize)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                amp * ((x >> 16) as f32 / 32_768.0 - 1.0)
            })
            .collect()
    }

    /// Speech-like: bursts of tone with short pauses, over low noise.
    fn speechish(seconds: f64) -> Vec<f32> {
        let mut out = Vec::new();
        while (out.len() as f64) < seconds * RATE as f64 {
            out.extend(tone(0.6, 0.3));
            out.extend(noise(0.15, 0.002));
        }
        out.truncate((seconds * RATE as f64) as usize);
        out
    }

    fn read_wav(path: &Path) -> (hound::WavSpec, Vec<i16>) {
        let mut r = hound::WavReader::open(path).unwrap();
        let spec = r.spec();
        (spec, r.samples::<i16>().map(|s| s.unwrap()).collect())
    }

    fn run(source: &mut dyn ChunkSource, opts: &RecordOptions) -> (Result<TakeSummary>, Vec<Tick>) {
        let stop = AtomicBool::new(false);
        let mut ticks = Vec::new();
        let r = record(source, opts, &stop, &mut |t| ticks.push(t.clone()));
        (r, ticks)
    }

    #[test]
    fn stops_at_max_seconds_with_exact_length_and_content() {
        let dir = tempfile::tempdir().unwrap();
        let audio = speechish(3.0);
        let mut src = Fake::new(RATE, 1, &audio, 333, End::Quiet);
        let mut opts = RecordOptions::new(dir.path().join("t.wav"));
        opts.max_seconds = Some(2.0);
        let (r, ticks) = run(&mut src, &opts);
        let s = r.unwrap();
        assert_eq!(s.stop, StopReason::MaxSeconds);
        assert_eq!(s.path, dir.path().join("t.wav"));
        assert!(!part_path_for(&s.path).exists());
        assert!(src.stopped);
        let (spec, samples) = read_wav(&s.path);
        assert_eq!(
            (spec.channels, spec.sample_rate, spec.bits_per_sample),
            (1, RATE, 16)
        );
        assert_eq!(samples.len(), 32_000);
        for (i, (&got, &want)) in samples.iter().zip(&audio).enumerate() {
            assert!((got as f32 / 32767.0 - want).abs() < 1e-4, "sample {i}");
        }
        assert!((s.duration_s - 2.0).abs() < 1e-9);
        // about one tick per 100 ms of audio, elapsed increasing
        assert!((19..=23).contains(&ticks.len()), "{}", ticks.len());
        assert!(ticks.windows(2).all(|w| w[0].elapsed_s <= w[1].elapsed_s));
        assert!(ticks.iter().any(|t| t.rms_dbfs > -15.0 && t.speech_started));
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    }

    #[test]
    fn stereo_is_downmixed_to_mono() {
        let dir = tempfile::tempdir().unwrap();
        let left = tone(1.0, 0.4);
        let inter: Vec<f32> = left.iter().flat_map(|&l| [l, -l * 0.5]).collect();
        let mut src = Fake::new(RATE, 2, &inter, 100, End::Quiet);
        let mut opts = RecordOptions::new(dir.path().join("s.wav"));
        opts.max_seconds = Some(1.0);
        let s = run(&mut src, &opts).0.unwrap();
        assert_eq!(s.source_channels, 2);
        let (spec, samples) = read_wav(&s.path);
        assert_eq!(spec.channels, 1);
        assert_eq!(samples.len(), 16_000);
        for (&got, &l) in samples.iter().zip(&left) {
            assert!((got as f32 / 32767.0 - l * 0.25).abs() < 1e-4);
        }
    }

    #[test]
    fn stops_after_silence_once_speech_began() {
        let dir = tempfile::tempdir().unwrap();
        // silence first (must not count), then speech, then silence
        let mut audio = noise(2.0, 0.001);
        audio.extend(speechish(2.0));
        audio.extend(noise(4.0, 0.001));
        let mut src = Fake::new(RATE, 1, &audio, 160, End::Quiet);
        let mut opts = RecordOptions::new(dir.path().join("q.wav"));
        opts.stop_on_silence = Some(1.5);
        let s = run(&mut src, &opts).0.unwrap();
        assert_eq!(s.stop, StopReason::Silence);
        // speech ends at 4.0 s (its last pause is noise too, so maybe 3.9 s)
        assert!((5.3..=5.6).contains(&s.duration_s), "{}", s.duration_s);
    }

    #[test]
    fn silence_alone_never_stops_the_take() {
        let dir = tempfile::tempdir().unwrap();
        let audio = noise(5.0, 0.0003);
        let mut src = Fake::new(RATE, 1, &audio, 160, End::Quiet);
        let mut opts = RecordOptions::new(dir.path().join("n.wav"));
        opts.stop_on_silence = Some(1.0);
        opts.max_seconds = Some(4.0);
        let s = run(&mut src, &opts).0.unwrap();
        assert_eq!(s.stop, StopReason::MaxSeconds);
        assert_eq!(
            s.warnings,
            vec![TakeWarning::Silent {
                peak_dbfs: s.levels.peak_dbfs
            }]
        );
    }

    #[test]
    fn long_speech_without_pauses_is_not_silence() {
        let dir = tempfile::tempdir().unwrap();
        let mut audio = noise(1.0, 0.001);
        audio.extend(tone(20.0, 0.3));
        let mut src = Fake::new(RATE, 1, &audio, 160, End::Quiet);
        let mut opts = RecordOptions::new(dir.path().join("l.wav"));
        opts.stop_on_silence = Some(1.0);
        opts.max_seconds = Some(21.0);
        assert_eq!(run(&mut src, &opts).0.unwrap().stop, StopReason::MaxSeconds);
    }

    #[test]
    fn stop_flag_ends_the_take_and_keeps_what_was_buffered() {
        let dir = tempfile::tempdir().unwrap();
        let flag = std::sync::Arc::new(AtomicBool::new(false));
        let audio = speechish(1.5);
        let mut src = Fake::new(RATE, 1, &audio, 400, End::Raise(flag.clone()));
        let opts = RecordOptions::new(dir.path().join("k.wav"));
        let s = record(&mut src, &opts, &flag, &mut |_| {}).unwrap();
        assert_eq!(s.stop, StopReason::Requested);
        assert_eq!(read_wav(&s.path).1.len(), audio.len());
    }

    #[test]
    fn device_failure_keeps_the_audio_and_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let audio = speechish(1.2);
        let mut src = Fake::new(RATE, 1, &audio, 320, End::Fail("device unplugged"));
        let opts = RecordOptions::new(dir.path().join("f.wav"));
        let err = run(&mut src, &opts).0.unwrap_err().to_string();
        assert!(
            err.contains("device unplugged") && err.contains("1.2 s") && err.contains("f.wav"),
            "{err}"
        );
        assert_eq!(read_wav(&dir.path().join("f.wav")).1.len(), audio.len());
        assert!(leftover_parts(dir.path()).is_empty());
    }

    #[test]
    fn failure_before_any_audio_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut src = Fake::new(RATE, 1, &[], 320, End::Fail("gone"));
        let err = run(&mut src, &RecordOptions::new(dir.path().join("e.wav")))
            .0
            .unwrap_err()
            .to_string();
        assert!(err.contains("before any audio"), "{err}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_source_that_goes_quiet_is_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let audio = speechish(0.5);
        let mut src = Fake::new(RATE, 1, &audio, 320, End::Quiet);
        let mut opts = RecordOptions::new(dir.path().join("z.wav"));
        opts.stall_timeout = Duration::from_millis(200);
        let err = run(&mut src, &opts).0.unwrap_err().to_string();
        assert!(err.contains("no audio arrived"), "{err}");
        assert_eq!(read_wav(&dir.path().join("z.wav")).1.len(), audio.len());
    }

    #[test]
    fn never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("x.wav");
        fs::write(&target, b"keep me").unwrap();
        let mut src = Fake::new(RATE, 1, &tone(0.5, 0.3), 160, End::Quiet);
        let mut opts = RecordOptions::new(&target);
        opts.max_seconds = Some(0.5);
        let err = run(&mut src, &opts).0.unwrap_err().to_string();
        assert!(err.contains("already exists"), "{err}");
        assert_eq!(fs::read(&target).unwrap(), b"keep me");

        // the name appearing while recording: the take goes next to it
        let part = dir.path().join("y.wav.part");
        fs::write(&part, b"take").unwrap();
        fs::write(dir.path().join("y.wav"), b"other").unwrap();
        let placed = place_no_clobber(&part, &dir.path().join("y.wav")).unwrap();
        assert_eq!(placed, dir.path().join("y-2.wav"));
        assert_eq!(fs::read(dir.path().join("y.wav")).unwrap(), b"other");
        assert_eq!(fs::read(&placed).unwrap(), b"take");
        assert!(!part.exists());
    }

    #[test]
    fn a_leftover_part_blocks_the_same_name() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("p.wav.part"), b"RIFF").unwrap();
        let mut src = Fake::new(RATE, 1, &tone(0.5, 0.3), 160, End::Quiet);
        let err = run(&mut src, &RecordOptions::new(dir.path().join("p.wav")))
            .0
            .unwrap_err()
            .to_string();
        assert!(err.contains("left over"), "{err}");
    }

    #[test]
    fn part_file_is_playable_while_recording() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("live.wav");
        let audio = speechish(2.0);
        let mut src = Fake::new(RATE, 1, &audio, 160, End::Quiet);
        let mut opts = RecordOptions::new(&target);
        opts.max_seconds = Some(2.0);
        let part = part_path_for(&target);
        let mut seen = Vec::new();
        record(&mut src, &opts, &AtomicBool::new(false), &mut |t| {
            if let Ok(r) = hound::WavReader::open(&part) {
                seen.push((t.elapsed_s, r.duration() as f64 / RATE as f64));
            }
        })
        .unwrap();
        // the header is never more than half a second behind
        assert!(seen.len() > 10);
        for (elapsed, playable) in seen {
            assert!(
                elapsed - playable <= FLUSH_EVERY_S + 0.11,
                "{elapsed} vs {playable}"
            );
        }
    }

    /// What a killed recording leaves: a header from the last flush, more
    /// data after it, and maybe half a sample.
    fn torn_part(
        dir: &Path,
        name: &str,
        samples: usize,
        header_samples: u32,
        extra_bytes: usize,
    ) -> PathBuf {
        let part = dir.join(name);
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&part, spec).unwrap();
        for i in 0..samples {
            w.write_sample((i % 1000) as i16).unwrap();
        }
        w.finalize().unwrap();
        let mut bytes = fs::read(&part).unwrap();
        let data_at = bytes.len() - samples * 2;
        bytes[4..8].copy_from_slice(&(data_at as u32 - 8 + header_samples * 2).to_le_bytes());
        bytes[data_at - 4..data_at].copy_from_slice(&(header_samples * 2).to_le_bytes());
        bytes.extend(std::iter::repeat_n(7u8, extra_bytes));
        fs::write(&part, bytes).unwrap();
        part
    }

    #[test]
    fn repair_recovers_all_data_of_a_torn_part() {
        let dir = tempfile::tempdir().unwrap();
        let part = torn_part(dir.path(), "2026-01-02T03-04-05.wav.part", 20_000, 8_000, 1);
        assert_eq!(leftover_parts(dir.path()), vec![part.clone()]);
        let fixed = repair_part(&part).unwrap();
        assert_eq!(fixed, dir.path().join("2026-01-02T03-04-05.recovered.wav"));
        assert!(!part.exists());
        let (_, samples) = read_wav(&fixed);
        assert_eq!(samples.len(), 20_000);
        assert_eq!(samples[19_999], (19_999 % 1000) as i16);
        assert!(leftover_parts(dir.path()).is_empty());

        // a second one with the same name does not replace the first
        let part = torn_part(dir.path(), "2026-01-02T03-04-05.wav.part", 100, 0, 0);
        let again = repair_part(&part).unwrap();
        assert_eq!(
            again,
            dir.path().join("2026-01-02T03-04-05.recovered-2.wav")
        );
        assert_eq!(read_wav(&fixed).1.len(), 20_000);
        assert_eq!(read_wav(&again).1.len(), 100);
    }

    #[test]
    fn repair_refuses_what_it_cannot_fix() {
        let dir = tempfile::tempdir().unwrap();
        let empty = torn_part(dir.path(), "e.wav.part", 0, 0, 1);
        assert!(repair_part(&empty)
            .unwrap_err()
            .to_string()
            .contains("no audio"));
        let junk = dir.path().join("j.wav.part");
        fs::write(&junk, b"hello, this is not a wav").unwrap();
        assert!(repair_part(&junk)
            .unwrap_err()
            .to_string()
            .contains("not a WAV"));
        assert!(junk.exists());
    }

    #[test]
    fn warnings_for_clipping_quiet_and_lost_audio() {
        let quiet = speechish(3.0).iter().map(|s| s * 0.02).collect::<Vec<_>>();
        let l = levels::measure(&quiet, RATE);
        let w = take_warnings(&l, 0);
        assert!(
            matches!(w[..], [TakeWarning::TooQuiet { peak_dbfs }] if peak_dbfs < -40.0),
            "{w:?}"
        );

        let loud = speechish(3.0)
            .iter()
            .map(|s| (s * 5.0).clamp(-1.0, 1.0))
            .collect::<Vec<_>>();
        let l = levels::measure(&loud, RATE);
        let w = take_warnings(&l, 3);
        assert!(
            matches!(
                w[..],
                [
                    TakeWarning::Clipping { .. },
                    TakeWarning::LostAudio { overruns: 3 }
                ]
            ),
            "{w:?}"
        );
        assert!(w[1].to_string().contains("3 short gaps"));

        let ok = speechish(3.0);
        assert!(take_warnings(&levels::measure(&ok, RATE), 0).is_empty());
    }

    #[test]
    fn default_names_are_local_timestamps_and_free() {
        let dir = tempfile::tempdir().unwrap();
        let p = default_take_path(dir.path());
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        // 2026-11-25T14-03-11.wav
        assert_eq!(name.len(), 23, "{name}");
        assert!(
            name.ends_with(".wav") && name.as_bytes()[10] == b'T' && !name.contains(':'),
            "{name}"
        );
        fs::write(part_path_for(&p), b"").unwrap();
        let stem = name.trim_end_matches(".wav");
        let q = free_name(dir.path(), stem, ".wav", |p| {
            p.exists() || part_path_for(p).exists()
        });
        assert_eq!(q, dir.path().join(format!("{stem}-2.wav")));
    }
}
