//! `vmcoach analyze FILE...` and `vmcoach check SCRIPT|-`.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Once, OnceLock};

use vmcoach::analysis::{Kind, RuleSet};
use vmcoach::audio::MODEL_RATE;
use vmcoach::pipeline::{self, CoachOptions};
use vmcoach::report::{html, text, Report};
use vmcoach::transcribe::model::sentence;

use super::html::Replace;
use super::progress::Steps;
use crate::cli::{AnalyzeArgs, CheckArgs, Global, KindArg, MessageArgs};

/// Colour only on a terminal, and never with NO_COLOR set.
pub fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The columns the text report wraps to: the terminal's when stdout is one,
/// else `$COLUMNS`, else [`text::DEFAULT_WIDTH`].
pub fn text_width() -> usize {
    let stdout = std::io::stdout();
    let terminal = stdout
        .is_terminal()
        .then(|| terminal_size::terminal_size_of(&stdout))
        .flatten()
        .map(|(terminal_size::Width(w), _)| usize::from(w));
    let columns = || {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|&c| c > 0)
    };
    terminal.or_else(columns).unwrap_or(text::DEFAULT_WIDTH)
}

/// The columns of the terminal on stderr (80 when it is not one).
pub fn stderr_width() -> usize {
    terminal_size::terminal_size_of(std::io::stderr())
        .map(|(terminal_size::Width(w), _)| usize::from(w))
        .unwrap_or(text::DEFAULT_WIDTH)
}

pub fn coach_options(args: &MessageArgs, max_seconds: f64) -> vmcoach::Result<CoachOptions> {
    Ok(CoachOptions {
        kind: match args.kind {
            KindArg::Auto => None,
            KindArg::Networking => Some(Kind::Networking),
            KindArg::Application => Some(Kind::Application),
        },
        attempt: args.attempt,
        expect_number: args.expect_number.clone(),
        expect_name: args.expect_name.clone(),
        rules: match &args.rules {
            Some(path) => with_meaning(RuleSet::from_file(path)?)?,
            None => default_rules()?,
        },
        max_seconds,
    })
}

/// The built-in rules with the sentence model, loaded once per process.
fn default_rules() -> vmcoach::Result<RuleSet> {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    if let Some(r) = RULES.get() {
        return Ok(r.clone());
    }
    let rules = with_meaning(RuleSet::default_rules())?;
    Ok(RULES.get_or_init(|| rules).clone())
}

/// Set when the rules were loaded without the sentence model.
static PATTERNS_ONLY: AtomicBool = AtomicBool::new(false);

/// Says once on stderr, with the first report, that the content checks
/// matched phrases only (the sentence model is not installed).
fn note_patterns_only() {
    static SAID: Once = Once::new();
    if PATTERNS_ONLY.load(Ordering::Relaxed) {
        SAID.call_once(|| {
            eprintln!(
                "vmcoach: the sentence model ({}) is not installed, so the content checks \
                 matched phrases only and may have missed what was said in other words; \
                 install it with: vmcoach model fetch",
                sentence::SENTENCE_MODEL
            )
        });
    }
}

/// `rules` with the sentence model when it is installed. Without it the
/// content checks run on their phrase patterns alone (the first report
/// printed says so); a model that is there but damaged is an error.
fn with_meaning(rules: RuleSet) -> vmcoach::Result<RuleSet> {
    match super::sentence_model()? {
        Some(dir) => {
            sentence::check(&dir)?;
            // Loaded when the first message is read: after the recording is
            // heard, so Whisper's buffers and the sentence model are not
            // both resident during the hearing.
            Ok(rules.with_meaning_on_first_use(&dir))
        }
        None => {
            PATTERNS_ONLY.store(true, Ordering::Relaxed);
            Ok(rules)
        }
    }
}

/// Prints reports: text, one JSON document, or JSON lines for several.
pub fn print_report(report: &Report, json: bool, several: bool) {
    print_report_with(report, json, several, false);
}

/// [`print_report`]; `verbose` text also names each check's rule id and the
/// recording's levels in dBFS.
pub fn print_report_with(report: &Report, json: bool, several: bool, verbose: bool) {
    note_patterns_only();
    if json && several {
        println!("{}", report.to_json_line());
    } else if json {
        println!("{}", report.to_json_pretty());
    } else {
        print!(
            "{}",
            text::render_with(report, use_color(), text_width(), verbose)
        );
    }
}

pub fn analyze(global: &Global, args: &AnalyzeArgs) -> anyhow::Result<ExitCode> {
    if args.html.is_some() && args.files.len() > 1 {
        use clap::CommandFactory;
        crate::cli::Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--html writes the page of one recording; give one file, or use `vmcoach batch --html-dir DIR` for a page per file",
            )
            .exit();
    }
    if let Some(out) = &args.html {
        super::refuse_output_over(out, args.files.iter().map(|f| f.as_path()))?;
    }
    let options = coach_options(&args.coach.message, args.limits.max_seconds)?;
    let several = args.files.len() > 1;
    // Decode the first file before loading the model so a bad single file
    // is reported at once.
    let mut transcriber = None;
    let mut failed = 0;
    for (i, file) in args.files.iter().enumerate() {
        let result = (|| -> vmcoach::Result<(Report, pipeline::Heard)> {
            let steps = Steps::new(global.quiet);
            steps.say(format!("reading {}", file.display()));
            let audio = vmcoach::audio::load(file, options.max_seconds)?;
            if transcriber.is_none() {
                steps.say("loading the model");
                transcriber = Some(super::load_transcriber(&args.decoding)?);
            }
            let t = transcriber.as_mut().expect("loaded above");
            let heard = steps.hear(audio, t)?;
            steps.say("checking what was said");
            // The sentence model loads now, the hearing over: one that does
            // not load is an error, not a quiet fall back to phrases.
            options.rules.load_meaning()?;
            let report = pipeline::coach_heard(file.display().to_string(), &heard, &options);
            Ok((report, heard))
        })();
        match result {
            Ok((report, heard)) => {
                if !args.coach.json && i > 0 {
                    println!();
                }
                print_report_with(
                    &report,
                    args.coach.json,
                    several,
                    args.decoding.model.verbose,
                );
                if let Some(out) = &args.html {
                    let samples = heard.mono16k.samples();
                    let written = html::Extras::for_recording(samples, MODEL_RATE, &options.rules)
                        .and_then(|extras| {
                            let page = html::render(&report, &extras);
                            super::html::write_page(out, &page, Replace::Always)
                        });
                    if let Err(e) = written {
                        eprintln!("vmcoach: error: the HTML report is not written: {e}");
                        failed += 1;
                    }
                }
            }
            Err(e @ (vmcoach::Error::NoModel { .. } | vmcoach::Error::BadModel { .. })) => {
                return Err(e.into());
            }
            Err(e) => {
                eprintln!("vmcoach: error: {e}");
                failed += 1;
            }
        }
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn check(_global: &Global, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let options = coach_options(&args.coach.message, vmcoach::audio::DEFAULT_MAX_SECONDS)?;
    let (source, script) = if args.script.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| vmcoach::Error::io("<stdin>", e))?;
        ("-".to_string(), s)
    } else {
        let bytes = std::fs::read(&args.script).map_err(|e| vmcoach::Error::io(&args.script, e))?;
        let s = String::from_utf8(bytes).map_err(|_| {
            vmcoach::Error::Input(format!(
                "{}: not a text file (not UTF-8)",
                args.script.display()
            ))
        })?;
        (args.script.display().to_string(), s)
    };
    if script.trim().is_empty() {
        return Err(vmcoach::Error::Input(format!("{source}: the script is empty")).into());
    }
    options.rules.load_meaning()?;
    let report = pipeline::coach_script(source, &script, &options);
    print_report(&report, args.coach.json, false);
    Ok(ExitCode::SUCCESS)
}
