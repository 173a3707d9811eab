//! Batch analysis: many recordings, one model. Everything here is plain data
//! and plain functions (no terminal, no clap), so the command in
//! `commands/batch.rs` only wires it together:
//!
//! ```text
//!  DIR|FILE... ─> discover ─> shard ─> resume filter ─> run (pool of transcribers) ─> JSONL lines
//!                                                                                    └> rows ─> summary, CSV
//! ```
//!
//! * [`discover`] walks folders (sorted, symlink loops and unreadable folders
//!   reported, never followed) and picks audio files by extension.
//! * [`Shard`] takes a deterministic 1/N of the inputs by a stable hash (FNV-1a)
//!   of each file's path relative to the folder it was found in, so every
//!   machine of a job array agrees on the split.
//! * The JSONL lines, the rows of the summary and CSV, and reading results
//!   back for `--resume` are the report's (see `report::summary`).
//! * [`run`] analyses files on a pool of threads, one transcriber each, and
//!   hands every event to the caller on the calling thread, so one writer
//!   orders the output.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::error::{Error, Result};
use crate::pipeline::{self, CoachOptions};
use crate::report::summary::FileStamp;
use crate::report::{html, Report};
use crate::transcribe::Transcriber;

// ---------------------------------------------------------------------------
// Discovery

/// Extensions picked from folders (compared without case). Files given by
/// name are taken whatever their extension. AMR and Opus are listed so that
/// they are reported with the decoder's reason instead of passed over in silence.
pub const AUDIO_EXTENSIONS: [&str; 11] = [
    "wav", "mp3", "m4a", "aac", "flac", "ogg", "oga", "aif", "aiff", "amr", "opus",
];

/// One file to analyse.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    /// The path to open: the folder as given joined with what was found under it.
    pub path: PathBuf,
    /// The shard key: the path relative to the folder it was found in, with
    /// `/` between parts (a file given by name: its path as given).
    pub key: String,
}

impl Input {
    /// The report's `source`: the path as `vmcoach analyze PATH` prints it.
    pub fn source(&self) -> String {
        self.path.display().to_string()
    }
}

/// Something that could not be read while looking for inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

/// What [`discover`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovery {
    /// Sorted by path, no path twice.
    pub inputs: Vec<Input>,
    /// Missing arguments, symlink loops, unreadable folders, broken links.
    pub problems: Vec<Problem>,
    /// Folders not searched because `recursive` was off.
    pub subfolders_not_searched: usize,
}

/// Whether a file name has one of the [`AUDIO_EXTENSIONS`].
pub fn has_audio_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| AUDIO_EXTENSIONS.iter().any(|a| a.eq_ignore_ascii_case(e)))
}

/// `a/b/c.wav` whatever the platform's separator.
fn slash_key(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// Finds the audio files under `args`: folders are searched for files with
/// an audio extension (their subfolders too when `recursive`), files are
/// taken as given. Hidden files and folders (a name starting with `.`, such
/// as macOS's `._x.wav`) are passed over inside folders. Symbolic links are
/// followed, except one that leads back into a folder being searched: that
/// loop is reported as a problem, as is every folder or link that cannot be read.
pub fn discover(args: &[PathBuf], recursive: bool) -> Discovery {
    let mut found = Discovery::default();
    for arg in args {
        let meta = match std::fs::metadata(arg) {
            Ok(meta) => meta,
            Err(e) => {
                found.problems.push(Problem {
                    path: arg.clone(),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        if !meta.is_dir() {
            found.inputs.push(Input {
                path: arg.clone(),
                key: slash_key(arg),
            });
            continue;
        }
        let mut walker = walkdir::WalkDir::new(arg)
            .follow_links(true)
            .sort_by_file_name()
            .min_depth(1);
        if !recursive {
            walker = walker.max_depth(1);
        }
        let entries = walker
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
        for entry in entries {
            match entry {
                Ok(entry) if entry.file_type().is_dir() => {
                    if !recursive {
                        found.subfolders_not_searched += 1;
                    }
                }
                Ok(entry) => {
                    if entry.file_type().is_file() && has_audio_extension(entry.path()) {
                        let rel = entry.path().strip_prefix(arg).unwrap_or(entry.path());
                        found.inputs.push(Input {
                            path: entry.path().to_path_buf(),
                            key: slash_key(rel),
                        });
                    }
                }
                Err(err) => found.problems.push(walk_problem(arg, &err)),
            }
        }
    }
    found.inputs.sort();
    found.inputs.dedup_by(|a, b| a.path == b.path);
    found
}

fn walk_problem(root: &Path, err: &walkdir::Error) -> Problem {
    let path = err.path().unwrap_or(root).to_path_buf();
    let reason = if let Some(ancestor) = err.loop_ancestor() {
        format!(
            "symbolic link loop (leads back to {}); not followed",
            ancestor.display()
        )
    } else if let Some(io) = err.io_error() {
        match io.kind() {
            std::io::ErrorKind::PermissionDenied => format!("cannot be read ({io}); skipped"),
            std::io::ErrorKind::NotFound => format!("broken link or vanished ({io}); skipped"),
            _ => format!("{io}; skipped"),
        }
    } else {
        err.to_string()
    };
    Problem { path, reason }
}

// ---------------------------------------------------------------------------
// Sharding

/// The K-th of N parts of the inputs (stored 0-based, written `K/N` 1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based.
    pub index: u32,
    pub count: u32,
}

/// 64-bit FNV-1a: a fixed hash, the same on every machine and every run.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Why a shard cannot be taken: `--shard K/N` written wrong, or a
/// scheduler's environment that does not say which task this is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    #[error("the number of shards must be at least 1")]
    NoShards,
    #[error("shard {k} of {n} does not exist (1 to {n})")]
    NoSuchShard { k: u64, n: u32 },
    #[error("{given:?}: {why}")]
    Syntax { given: String, why: &'static str },
    #[error("{name}={value:?} is not a number")]
    NotANumber { name: String, value: String },
    #[error("{what} is out of range")]
    OutOfRange { what: String },
    #[error("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; pass --shard-count N")]
    NoSlurmCount,
    #[error(
        "SLURM_ARRAY_TASK_ID={id} is not min {min} + a multiple of step {step}; use a plain range such as --array=0-{last}"
    )]
    OffSlurmStep {
        id: i64,
        min: i64,
        step: i64,
        last: i64,
    },
    #[error("JOB_COMPLETION_INDEX is set, but not the number of completions: pass --shard-count N or set VMCOACH_SHARD_COUNT")]
    NoCompletionCount,
    #[error("--shard auto: neither SLURM_ARRAY_TASK_ID (Slurm job array) nor JOB_COMPLETION_INDEX (Kubernetes Indexed Job) is set")]
    NoScheduler,
    /// A shard the scheduler named that does not exist.
    #[error("{task}: {inner}")]
    Task {
        task: String,
        inner: Box<ShardError>,
    },
}

impl Shard {
    pub fn new(index: u32, count: u32) -> std::result::Result<Shard, ShardError> {
        if count == 0 {
            return Err(ShardError::NoShards);
        }
        if index >= count {
            return Err(ShardError::NoSuchShard {
                k: index as u64 + 1,
                n: count,
            });
        }
        Ok(Shard { index, count })
    }

    /// Which shard a key falls in, 0-based.
    pub fn of_key(key: &str, count: u32) -> u32 {
        (fnv1a64(key.as_bytes()) % count.max(1) as u64) as u32
    }

    pub fn contains(&self, input: &Input) -> bool {
        Shard::of_key(&input.key, self.count) == self.index
    }

    /// Keeps this shard's inputs, in order.
    pub fn select(&self, inputs: Vec<Input>) -> Vec<Input> {
        inputs.into_iter().filter(|i| self.contains(i)).collect()
    }

    /// From the scheduler's environment (`--shard auto`): a Slurm job array
    /// (`SLURM_ARRAY_TASK_ID` among `SLURM_ARRAY_TASK_COUNT` tasks, from
    /// `SLURM_ARRAY_TASK_MIN` by `SLURM_ARRAY_TASK_STEP`) or a Kubernetes
    /// Indexed Job (`JOB_COMPLETION_INDEX`, 0-based, with the count from
    /// `count`, since Kubernetes does not pass the number of completions).
    /// `count` also overrides Slurm's task count.
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
        count: Option<u32>,
    ) -> std::result::Result<Shard, ShardError> {
        let num = |name: &str| match var(name).filter(|v| !v.trim().is_empty()) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ShardError::NotANumber {
                    name: name.to_string(),
                    value: v,
                }),
        };
        let out_of_range = |what: String| ShardError::OutOfRange { what };
        let in_task = |task: String| {
            move |e| ShardError::Task {
                task,
                inner: Box::new(e),
            }
        };
        if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let step = num("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
            let n = match count {
                Some(n) => n as i64,
                None => num("SLURM_ARRAY_TASK_COUNT")?.ok_or(ShardError::NoSlurmCount)?,
            };
            if id < min || (id - min) % step != 0 {
                return Err(ShardError::OffSlurmStep {
                    id,
                    min,
                    step,
                    last: n - 1,
                });
            }
            let index = (id - min) / step;
            return Shard::new(
                u32::try_from(index).map_err(|_| out_of_range(format!("task index {index}")))?,
                u32::try_from(n).map_err(|_| out_of_range(format!("task count {n}")))?,
            )
            .map_err(in_task(format!("Slurm array task {id}")));
        }
        if let Some(index) = num("JOB_COMPLETION_INDEX")? {
            let n = count.ok_or(ShardError::NoCompletionCount)?;
            return Shard::new(
                u32::try_from(index)
                    .map_err(|_| out_of_range(format!("JOB_COMPLETION_INDEX={index}")))?,
                n,
            )
            .map_err(in_task(format!("JOB_COMPLETION_INDEX={index}")));
        }
        Err(ShardError::NoScheduler)
    }
}

impl std::str::FromStr for Shard {
    type Err = ShardError;
    /// `K/N`, 1-based: `1/3`, `2/3`, `3/3`.
    fn from_str(s: &str) -> std::result::Result<Shard, ShardError> {
        let syntax = |why| ShardError::Syntax {
            given: s.to_string(),
            why,
        };
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| syntax("expected K/N, such as 2/8"))?;
        let k: u32 = k
            .trim()
            .parse()
            .map_err(|_| syntax("K is not a whole number"))?;
        let n: u32 = n
            .trim()
            .parse()
            .map_err(|_| syntax("N is not a whole number"))?;
        if k == 0 {
            return Err(syntax("shards count from 1"));
        }
        Shard::new(k - 1, n)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index as u64 + 1, self.count)
    }
}

// ---------------------------------------------------------------------------
// Jobs and threads

/// How many files at once, and how many model threads each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub jobs: usize,
    pub threads: usize,
}

/// Threads per job when the user names neither. Two single-threaded jobs
/// are faster than one job on both cores (docs/performance.md, "Batch"):
/// whisper.cpp's two threads wait on each other at every step (and the
/// decoding, resampling and analysis around the model run on one thread),
/// while two jobs keep both cores busy. Hence one thread per job, as many
/// jobs as cores.
pub const DEFAULT_THREADS_PER_JOB: usize = 1;

/// Splits `cores` between jobs so that jobs x threads never exceeds the
/// cores (whisper.cpp's threads spin while they wait, so oversubscribing
/// slows everything down). Either number may be given; `files` caps the
/// jobs, and cores no job needs go to the threads of those that run.
pub fn plan(cores: usize, jobs: Option<usize>, threads: Option<usize>, files: usize) -> Plan {
    let cores = cores.max(1);
    let files = files.max(1);
    let jobs = match (jobs, threads) {
        (Some(j), _) => j.clamp(1, cores),
        (None, Some(t)) => (cores / t.clamp(1, cores)).max(1),
        (None, None) => (cores / DEFAULT_THREADS_PER_JOB).max(1),
    }
    .min(files);
    let fair = (cores / jobs).max(1);
    let threads = match threads {
        Some(t) => t.clamp(1, fair),
        None => fair,
    };
    Plan { jobs, threads }
}

// ---------------------------------------------------------------------------
// The pool

/// Makes one transcriber per job: in vmcoach, a new decoder state on a
/// shared `WhisperModel`; in tests, a scripted transcriber.
pub trait TranscriberFactory {
    fn transcriber(&self) -> Result<Box<dyn Transcriber + Send>>;
}

impl<F> TranscriberFactory for F
where
    F: Fn() -> Result<Box<dyn Transcriber + Send>>,
{
    fn transcriber(&self) -> Result<Box<dyn Transcriber + Send>> {
        self()
    }
}

/// A file's report with the stamp taken just before it was read.
#[derive(Debug, Clone)]
pub struct Analysed {
    pub report: Report,
    pub stamp: FileStamp,
    /// What its HTML page shows besides the report, when pages were asked for.
    pub page: Option<html::Extras>,
}

/// What the pool tells the caller, in the order it happens.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per file, moved once: boxing buys nothing
pub enum Event<'a> {
    /// A job picked up this file.
    Started { input: &'a Input },
    /// The file is done, or failed (the error names the file or says why).
    Finished {
        input: &'a Input,
        result: Result<Analysed>,
    },
}

/// Reads, transcribes and coaches one file; with `pages`, keeps what its
/// HTML page needs too.
pub fn analyse(
    input: &Input,
    transcriber: &mut dyn Transcriber,
    options: &CoachOptions,
    pages: bool,
) -> Result<Analysed> {
    let stamp = FileStamp::of(&input.path).map_err(|e| Error::io(&input.path, e))?;
    let heard = pipeline::hear_file(&input.path, options.max_seconds, transcriber)?;
    // The sentence model, loaded with the first file: one that does not
    // load fails each file, rather than each report quietly lacking it.
    options.rules.load_meaning()?;
    let report = pipeline::coach_heard(input.source(), &heard, options);
    let page = if pages {
        Some(html::Extras::for_recording(
            heard.mono16k.samples(),
            crate::audio::MODEL_RATE,
            &options.rules,
        )?)
    } else {
        None
    };
    Ok(Analysed {
        report,
        stamp,
        page,
    })
}

/// Analyses `inputs` on `jobs` threads, each with its own transcriber from
/// `factory` (all made here first, so a model error stops the run before any
/// file). Files are taken in order; `on_event` runs on the calling thread
/// for every start and finish, so whatever it writes is never interleaved. A
/// failed file is an event, never a stop. If `on_event` returns an error no
/// new file is started, the files under way are finished (their events are
/// dropped), and that error is returned. With `pages`, each result keeps
/// what its HTML page needs ([`Analysed::page`]).
pub fn run(
    inputs: &[Input],
    jobs: usize,
    factory: &dyn TranscriberFactory,
    options: &CoachOptions,
    pages: bool,
    on_event: &mut dyn FnMut(Event<'_>) -> Result<()>,
) -> Result<()> {
    if inputs.is_empty() {
        return Ok(());
    }
    let jobs = jobs.clamp(1, inputs.len());
    let transcribers = (0..jobs)
        .map(|_| factory.transcriber())
        .collect::<Result<Vec<_>>>()?;
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, Option<Result<Analysed>>)>();
    std::thread::scope(|scope| {
        for mut transcriber in transcribers {
            let tx = tx.clone();
            let (next, stop) = (&next, &stop);
            scope.spawn(move || loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(input) = inputs.get(i) else { break };
                if tx.send((i, None)).is_err() {
                    break;
                }
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    analyse(input, transcriber.as_mut(), options, pages)
                }))
                .unwrap_or_else(|panic| {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    Err(Error::Transcribe(format!(
                        "internal error while analysing it: {what}"
                    )))
                });
                if tx.send((i, Some(result))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut failure = None;
        for (i, result) in rx {
            if failure.is_some() {
                continue;
            }
            let input = &inputs[i];
            let event = match result {
                None => Event::Started { input },
                Some(result) => Event::Finished { input, result },
            };
            if let Err(e) = on_event(event) {
                stop.store(true, Ordering::Relaxed);
                failure = Some(e);
            }
        }
        failure.map_or(Ok(()), Err)
    })
}

/// The reason for a failed file without the path in front, when the error
/// message starts with it ("x.wav: is empty" -> "is empty").
pub fn failure_reason(input: &Input, err: &Error) -> String {
    let message = err.to_string();
    let prefix = format!("{}: ", input.path.display());
    message
        .strip_prefix(&prefix)
        .map(str::to_string)
        .unwrap_or(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcribe::scripted::Scripted;
    use crate::transcribe::Transcript;
    use std::collections::{HashMap, HashSet};

    fn write_wav(path: &Path, seconds: f64) {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for i in 0..(16_000.0 * seconds) as usize {
            w.write_sample(((i as f32 * 0.05).sin() * 3000.0) as i16)
                .unwrap();
        }
        w.finalize().unwrap();
    }

    fn transcript(text: &str) -> Transcript {
        Scripted::evenly(text).transcript().clone()
    }

    const SAID: &str = "Hi Dana, this is Sam Lee, my number is 6 1 2, 5 5 5, 0 1 4 7. \
        Jordan Smith suggested I call about the analyst role. I'll call you Tuesday. Thanks!";

    fn scripted_factory() -> impl Fn() -> Result<Box<dyn Transcriber + Send>> {
        || Ok(Box::new(Scripted::new(transcript(SAID))) as Box<dyn Transcriber + Send>)
    }

    fn inputs_named(names: &[&str]) -> Vec<Input> {
        names
            .iter()
            .map(|n| Input {
                path: PathBuf::from(n),
                key: n.to_string(),
            })
            .collect()
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn shards_partition_the_inputs() {
        let names: Vec<String> = (0..200)
            .map(|i| format!("coach{}/msg-{i:03}.wav", i % 7))
            .collect();
        let inputs: Vec<Input> = names
            .iter()
            .map(|n| Input {
                path: PathBuf::from("/data").join(n),
                key: n.clone(),
            })
            .collect();
        for n in [1u32, 2, 3, 5, 16] {
            let mut seen = HashSet::new();
            let mut total = 0;
            for k in 0..n {
                let part = Shard::new(k, n).unwrap().select(inputs.clone());
                total += part.len();
                for i in part {
                    assert!(
                        seen.insert(i.path.clone()),
                        "{} in two shards of {n}",
                        i.path.display()
                    );
                }
                if n <= 5 {
                    // 200 files: every part gets a fair share.
                    let share = Shard::new(k, n).unwrap().select(inputs.clone()).len();
                    assert!(share > 200 / n as usize / 2, "shard {k} of {n}: {share}");
                }
            }
            assert_eq!(total, inputs.len());
            assert_eq!(seen.len(), inputs.len());
        }
    }

    #[test]
    fn shard_depends_on_the_relative_path_only() {
        let a = Input {
            path: PathBuf::from("/mnt/a/x/1.wav"),
            key: "x/1.wav".into(),
        };
        let b = Input {
            path: PathBuf::from("/scratch/b/x/1.wav"),
            key: "x/1.wav".into(),
        };
        for k in 0..4 {
            let s = Shard::new(k, 4).unwrap();
            assert_eq!(s.contains(&a), s.contains(&b));
        }
    }

    #[test]
    fn shard_syntax() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 1, count: 3 }));
        assert_eq!("2/3".parse::<Shard>().unwrap().to_string(), "2/3");
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "1/-2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shard_from_slurm_and_kubernetes() {
        let env = |pairs: &[(&str, &str)]| {
            let m: HashMap<String, String> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            move |k: &str| m.get(k).cloned()
        };
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
        ]);
        assert_eq!(
            Shard::from_env(slurm, None),
            Ok(Shard { index: 3, count: 4 })
        );
        let from_one = env(&[
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
        ]);
        assert_eq!(
            Shard::from_env(from_one, None),
            Ok(Shard { index: 0, count: 4 })
        );
        let stepped = env(&[
            ("SLURM_ARRAY_TASK_ID", "20"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_STEP", "10"),
        ]);
        assert_eq!(
            Shard::from_env(stepped, None),
            Ok(Shard { index: 2, count: 3 })
        );
        let k8s = env(&[("JOB_COMPLETION_INDEX", "0")]);
        assert_eq!(
            Shard::from_env(&k8s, Some(5)),
            Ok(Shard { index: 0, count: 5 })
        );
        assert!(Shard::from_env(&k8s, None)
            .unwrap_err()
            .to_string()
            .contains("--shard-count"));
        assert!(Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "5")]), Some(5)).is_err());
        assert!(Shard::from_env(env(&[]), Some(5))
            .unwrap_err()
            .to_string()
            .contains("SLURM_ARRAY_TASK_ID"));
    }

    #[test]
    fn discovery_is_sorted_picks_audio_and_reports_loops() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/deeper")).unwrap();
        std::fs::create_dir_all(root.join(".hidden")).unwrap();
        for f in [
            "z.wav",
            "a.MP3",
            "notes.txt",
            "b/c.flac",
            "b/deeper/d.opus",
            ".hidden/x.wav",
            "._a.wav",
        ] {
            std::fs::write(root.join(f), b"x").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root, root.join("b/loop")).unwrap();

        let flat = discover(&[root.to_path_buf()], false);
        let keys: Vec<&str> = flat.inputs.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["a.MP3", "z.wav"]);
        assert_eq!(flat.subfolders_not_searched, 1);
        assert!(flat.problems.is_empty(), "{:?}", flat.problems);

        let deep = discover(&[root.to_path_buf()], true);
        let keys: Vec<&str> = deep.inputs.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["a.MP3", "b/c.flac", "b/deeper/d.opus", "z.wav"]);
        assert_eq!(deep.inputs[1].path, root.join("b/c.flac"));
        #[cfg(unix)]
        {
            assert_eq!(deep.problems.len(), 1, "{:?}", deep.problems);
            assert!(
                deep.problems[0].reason.contains("loop"),
                "{}",
                deep.problems[0]
            );
        }

        // Named files are taken whatever their extension; a missing one is a problem.
        let named = discover(
            &[
                root.join("notes.txt"),
                root.join("missing.wav"),
                root.join("z.wav"),
            ],
            false,
        );
        assert_eq!(named.inputs.len(), 2);
        assert_eq!(named.problems.len(), 1);
        assert_eq!(named.problems[0].path, root.join("missing.wav"));
    }

    #[test]
    fn plan_never_oversubscribes() {
        for cores in 1..=8 {
            for jobs in [None, Some(1), Some(2), Some(3), Some(16)] {
                for threads in [None, Some(1), Some(2), Some(4), Some(64)] {
                    for files in [1, 2, 100] {
                        let p = plan(cores, jobs, threads, files);
                        assert!(p.jobs >= 1 && p.threads >= 1);
                        assert!(
                            p.jobs * p.threads <= cores,
                            "{cores} {jobs:?} {threads:?} {files}: {p:?}"
                        );
                        assert!(p.jobs <= files);
                    }
                }
            }
        }
        assert_eq!(
            plan(2, None, None, 40),
            Plan {
                jobs: 2 / DEFAULT_THREADS_PER_JOB,
                threads: DEFAULT_THREADS_PER_JOB
            }
        );
        assert_eq!(
            plan(2, Some(1), None, 40),
            Plan {
                jobs: 1,
                threads: 2
            }
        );
        assert_eq!(
            plan(2, None, Some(2), 40),
            Plan {
                jobs: 1,
                threads: 2
            }
        );
        // One file: all the cores go to it.
        assert_eq!(
            plan(4, None, None, 1),
            Plan {
                jobs: 1,
                threads: 4
            }
        );
    }

    #[test]
    fn the_pool_reports_every_file_once_and_failures_do_not_stop_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for i in 0..7 {
            let p = dir.path().join(format!("m{i}.wav"));
            write_wav(&p, 2.0 + i as f64 * 0.1);
            paths.push(p);
        }
        let empty = dir.path().join("empty.wav");
        std::fs::write(&empty, b"").unwrap();
        paths.push(empty.clone());
        let inputs: Vec<Input> = paths
            .iter()
            .map(|p| Input {
                path: p.clone(),
                key: p.display().to_string(),
            })
            .collect();
        let options = CoachOptions::default();
        for jobs in [1, 3] {
            let mut started = 0;
            let mut done = Vec::new();
            let mut failed = Vec::new();
            run(
                &inputs,
                jobs,
                &scripted_factory(),
                &options,
                false,
                &mut |e| {
                    match e {
                        Event::Started { .. } => started += 1,
                        Event::Finished {
                            input,
                            result: Ok(a),
                        } => {
                            assert_eq!(a.report.source, input.source());
                            assert_eq!(a.stamp, FileStamp::of(&input.path).unwrap());
                            done.push(input.path.clone());
                        }
                        Event::Finished {
                            input,
                            result: Err(e),
                        } => failed.push((input.path.clone(), failure_reason(input, &e))),
                    }
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(started, 8);
            assert_eq!(done.len(), 7);
            assert_eq!(failed.len(), 1);
            assert_eq!(failed[0].0, empty);
            assert!(failed[0].1.contains("empty"), "{}", failed[0].1);
        }
    }

    #[test]
    fn the_pool_makes_one_transcriber_per_job_and_stops_on_a_writer_error() {
        let dir = tempfile::tempdir().unwrap();
        let inputs: Vec<Input> = (0..6)
            .map(|i| {
                let p = dir.path().join(format!("m{i}.wav"));
                write_wav(&p, 1.5);
                Input {
                    key: p.display().to_string(),
                    path: p,
                }
            })
            .collect();
        let made = AtomicUsize::new(0);
        let factory = || {
            made.fetch_add(1, Ordering::SeqCst);
            Ok(Box::new(Scripted::new(transcript(SAID))) as Box<dyn Transcriber + Send>)
        };
        let mut finished = 0;
        let err = run(
            &inputs,
            2,
            &factory,
            &CoachOptions::default(),
            false,
            &mut |e| {
                if let Event::Finished { .. } = e {
                    finished += 1;
                    if finished == 2 {
                        return Err(Error::Input("disk full".into()));
                    }
                }
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(made.load(Ordering::SeqCst), 2);
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(finished, 2);

        let failing =
            || -> Result<Box<dyn Transcriber + Send>> { Err(Error::Input("no model".into())) };
        let mut events = 0;
        assert!(run(
            &inputs,
            2,
            &failing,
            &CoachOptions::default(),
            false,
            &mut |_| {
                events += 1;
                Ok(())
            }
        )
        .is_err());
        assert_eq!(events, 0);
    }

    #[test]
    fn failure_reason_drops_the_path() {
        let input = inputs_named(&["x/y.wav"]).remove(0);
        let e = Error::bad_audio("x/y.wav", "is empty (0 bytes)");
        assert_eq!(failure_reason(&input, &e), "is empty (0 bytes)");
        let e = Error::Transcribe("boom".into());
        assert_eq!(failure_reason(&input, &e), "transcription failed: boom");
    }
}
