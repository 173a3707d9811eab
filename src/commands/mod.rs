//! What each subcommand does, in terms of the library. Progress bars and
//! terminal concerns live here, never in the library.

mod analyze;
mod batch;
mod devices;
mod html;
mod live;
mod model;
mod progress;
mod record;
mod rehearse;
mod rules;
mod serve;
mod transcribe;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use vmcoach::transcribe::whisper::{Timestamps, WhisperModel, WhisperOptions, WhisperTranscriber};

use crate::cli::{Cli, DecodingArgs, TimestampArg};

pub fn run(mut cli: Cli) -> anyhow::Result<ExitCode> {
    if let Some(model) = cli.command.model_args_mut() {
        model.or_before(&cli.global.model);
    }
    let global = &cli.global;
    match &cli.command {
        crate::cli::Command::Analyze(args) => analyze::analyze(global, args),
        crate::cli::Command::Check(args) => analyze::check(global, args),
        crate::cli::Command::Rules(args) => rules::run(global, args),
        crate::cli::Command::Transcribe(args) => transcribe::run(global, args),
        crate::cli::Command::Model(cmd) => model::run(global, cmd),
        crate::cli::Command::Batch(args) => batch::run(global, args),
        crate::cli::Command::Summarize(args) => batch::summarize(global, args),
        crate::cli::Command::Devices(args) => devices::run(global, args),
        crate::cli::Command::Record(args) => record::run(global, args),
        crate::cli::Command::Rehearse(args) => rehearse::run(global, args),
        crate::cli::Command::Serve(args) => serve::run(global, args),
    }
}

/// A temporary file beside `path`, to be renamed over it once whole (see
/// [`vmcoach::files::temp_beside`]).
pub fn temp_beside(path: &Path, suffix: &str) -> vmcoach::Result<tempfile::NamedTempFile> {
    vmcoach::files::temp_beside(path, suffix).map_err(|e| vmcoach::Error::io(path, e))
}

/// Whether two paths name one file: by file identity (another name, a
/// link, `./x` for `x`), or for files not there yet by their absolute paths.
pub fn same_file(a: &Path, b: &Path) -> bool {
    same_file::is_same_file(a, b)
        .unwrap_or_else(|_| std::path::absolute(a).ok() == std::path::absolute(b).ok())
}

/// Refuses to write `output` when it is one of `inputs`, so a report never
/// lands on a recording or on a file the run reads.
pub fn refuse_output_over<'a>(
    output: &Path,
    inputs: impl IntoIterator<Item = &'a Path>,
) -> vmcoach::Result<()> {
    match inputs.into_iter().find(|input| same_file(output, input)) {
        Some(input) => Err(vmcoach::Error::Input(format!(
            "{}: is one of this run's inputs ({}); choose another name for the output",
            output.display(),
            input.display()
        ))),
        None => Ok(()),
    }
}

/// The model file to use, from --model, $VMCOACH_MODEL or the default places.
pub fn model_path(given: Option<&Path>) -> vmcoach::Result<PathBuf> {
    let env = std::env::var_os(vmcoach::transcribe::model::MODEL_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    vmcoach::transcribe::model::resolve(given, env.as_deref())
}

/// The sentence model's folder, if it is installed (`$VMCOACH_SENTENCE_MODEL`
/// must name one that holds it).
pub fn sentence_model() -> vmcoach::Result<Option<PathBuf>> {
    let env = std::env::var_os(vmcoach::transcribe::model::sentence::SENTENCE_MODEL_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    vmcoach::transcribe::model::sentence::find(env.as_deref())
}

/// The whisper settings from the command line (every command that hears
/// audio uses these, so batch lines and `analyze --json` agree).
pub fn whisper_options(decoding: &DecodingArgs) -> WhisperOptions {
    let mut options = WhisperOptions {
        timestamps: match decoding.timestamps {
            TimestampArg::Tokens => Timestamps::Tokens,
            TimestampArg::Dtw => Timestamps::Dtw,
        },
        verbose: decoding.model.verbose,
        beam_size: decoding.beam,
        pieces: !decoding.whole_audio,
        second_listen: !decoding.no_second_listen,
        ..Default::default()
    };
    if let Some(prompt) = &decoding.prompt {
        options.initial_prompt = Some(prompt.clone()).filter(|p| !p.is_empty());
    }
    options
}

/// Loads the whisper model once for the whole command.
pub fn load_transcriber(decoding: &DecodingArgs) -> vmcoach::Result<WhisperTranscriber> {
    transcriber_loader(decoding)?()
}

/// Loads the whisper model once, for transcribers that share it (a take's
/// live hearing and its report).
pub fn load_model(decoding: &DecodingArgs) -> vmcoach::Result<WhisperModel> {
    let (path, options) = model_and_options(decoding)?;
    WhisperModel::load(&path, options)
}

fn model_and_options(decoding: &DecodingArgs) -> vmcoach::Result<(PathBuf, WhisperOptions)> {
    let path = model_path(decoding.model.model.as_deref())?;
    let mut options = whisper_options(decoding);
    if let Some(t) = decoding.model.threads {
        options.threads = t as usize;
    }
    Ok((path, options))
}

/// What loading the model needs, found now; the loading itself when called
/// (on another thread, for `serve`).
pub fn transcriber_loader(
    decoding: &DecodingArgs,
) -> vmcoach::Result<impl FnOnce() -> vmcoach::Result<WhisperTranscriber> + Send + 'static> {
    let (path, options) = model_and_options(decoding)?;
    Ok(move || WhisperTranscriber::load(&path, options))
}
