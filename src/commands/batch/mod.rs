//! `vmcoach batch DIR|FILE...` and `vmcoach summarize JSONL...`: the
//! terminal side (progress bar, files, exit status) of `vmcoach::batch`.
//!
//! Its parts: `outputs` (JSONL, CSV, summary text, HTML pages) and `select`
//! (which files a run takes); the progress bar is in `commands::progress`.

mod outputs;
mod select;

use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use vmcoach::batch::{self, Event, Shard};
use vmcoach::report::summary::{self, Results, Row, Summary};
use vmcoach::report::text::printable;
use vmcoach::transcribe::whisper::WhisperModel;
use vmcoach::transcribe::Transcriber;
use vmcoach::Error;

use super::progress::FilesProgress;
use crate::cli::{BatchArgs, Global, ShardArg, SummarizeArgs};
use outputs::{render_summary, warn_bad_lines, write_csv, Lines, Pages};
use select::{select, Selection};

/// "s" for a count other than one.
fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// How many files at once and how many threads each, on the cores that are
/// free; says so when `--jobs` or `--threads` asked for more.
fn plan_jobs(global: &Global, args: &BatchArgs, files: usize) -> batch::Plan {
    // Cores another process keeps busy would make whisper's threads spin.
    let cores = vmcoach::transcribe::whisper::cores::free();
    let jobs = args.jobs.map(|j| j as usize);
    let threads = args.decoding.model.threads.map(|t| t as usize);
    let plan = batch::plan(cores, jobs, threads, files);
    if !global.quiet {
        if let Some(j) = jobs.filter(|&j| j > cores) {
            eprintln!(
                "vmcoach: --jobs {j} is more than the {cores} free cores; using {}",
                plan.jobs
            );
        }
        if let Some(t) = threads.filter(|&t| t > plan.threads) {
            eprintln!(
                "vmcoach: --threads {t} with {} job{} would oversubscribe the {cores} free cores; using {} each",
                plan.jobs,
                plural(plan.jobs),
                plan.threads
            );
        }
    }
    plan
}

/// Where each finished file goes.
struct Outputs<'a> {
    lines: Option<Lines>,
    pages: Option<&'a Pages>,
    json: bool,
}

/// What a run's files came to.
#[derive(Default)]
struct Done {
    rows: Vec<Row>,
    /// (file, why it failed)
    failures: Vec<(String, String)>,
}

/// Analyses `inputs` on the planned pool, writing each result as it comes.
fn analyse_all(
    global: &Global,
    args: &BatchArgs,
    inputs: &[batch::Input],
    plan: batch::Plan,
    options: &vmcoach::pipeline::CoachOptions,
    mut out: Outputs,
) -> anyhow::Result<Done> {
    let mut done = Done::default();
    if inputs.is_empty() {
        return Ok(done);
    }
    // One model for the whole run; each job gets its own decoder state.
    let model = WhisperModel::load(
        &super::model_path(args.decoding.model.model.as_deref())?,
        super::whisper_options(&args.decoding),
    )?;
    let factory = || -> vmcoach::Result<Box<dyn Transcriber + Send>> {
        Ok(Box::new(model.transcriber(plan.threads)?))
    };
    if !global.quiet {
        eprintln!(
            "vmcoach: {} job{} x {} thread{}",
            plan.jobs,
            plural(plan.jobs),
            plan.threads,
            plural(plan.threads)
        );
    }
    let mut progress = FilesProgress::new(global.quiet, inputs);
    let result = batch::run(
        inputs,
        plan.jobs,
        &factory,
        options,
        out.pages.is_some(),
        &mut |event| {
            match event {
                Event::Started { input } => progress.started(&input.key),
                Event::Finished {
                    input,
                    result: Ok(analysed),
                } => {
                    let line = summary::result_line(&analysed.report, analysed.stamp);
                    if let Some(lines) = out.lines.as_mut() {
                        lines.write(&line)?;
                    }
                    if let (Some(pages), Some(extras)) = (out.pages, &analysed.page) {
                        pages.write(&analysed.report, extras)?;
                    }
                    if out.json {
                        progress
                            .suspend(|| {
                                let mut stdout = std::io::stdout().lock();
                                writeln!(stdout, "{line}").and_then(|_| stdout.flush())
                            })
                            .map_err(|e| Error::io("<stdout>", e))?;
                    }
                    done.rows.push(Row::from_report(&analysed.report));
                    progress.done(input, inputs.len());
                }
                Event::Finished {
                    input,
                    result: Err(e),
                } => {
                    let reason = batch::failure_reason(input, &e);
                    progress.suspend(|| eprintln!("vmcoach: {}: {reason}", input.source()));
                    done.failures.push((input.source(), reason));
                    progress.done(input, inputs.len());
                }
            }
            Ok(())
        },
    );
    progress.finish();
    result?;
    Ok(done)
}

/// The summary a run ends with: the totals over every row, then this run's
/// counts and speed, the files that failed and those not read.
fn run_summary(
    args: &BatchArgs,
    rows: &[Row],
    sel: &Selection,
    done: &Done,
    plan: batch::Plan,
    wall_s: f64,
) -> String {
    let analysed_now = done.rows.len();
    let audio_now: f64 = done.rows.iter().map(|r| r.duration_s).sum();
    let mut text = render_summary(&Summary::of(rows));
    let _ = write!(
        text,
        "this run: {analysed_now} analysed, {} failed",
        done.failures.len()
    );
    if args.resume {
        let out = args
            .jsonl
            .as_deref()
            .expect("clap: --resume requires --jsonl");
        let _ = write!(text, ", {} already in {}", sel.already_done, out.display());
    }
    if analysed_now > 0 {
        let _ = write!(
            text,
            "; {audio_now:.1} s of audio in {wall_s:.1} s ({:.2} audio s per second, {} job{} x {} thread{})",
            audio_now / wall_s.max(1e-9),
            plan.jobs,
            plural(plan.jobs),
            plan.threads,
            plural(plan.threads)
        );
    }
    text.push('\n');
    if !done.failures.is_empty() {
        let _ = writeln!(text, "failed ({}):", done.failures.len());
        for (file, reason) in &done.failures {
            let _ = writeln!(text, "  {file}: {reason}");
        }
    }
    if !sel.problems.is_empty() {
        let _ = writeln!(text, "not read ({}):", sel.problems.len());
        for p in &sel.problems {
            let _ = writeln!(text, "  {p}");
        }
    }
    text
}

pub fn run(global: &Global, args: &BatchArgs) -> anyhow::Result<ExitCode> {
    let quiet = global.quiet;
    let options = super::analyze::coach_options(&args.coach.message, args.limits.max_seconds)?;
    let shard = match args.shard {
        None => None,
        Some(ShardArg::Fixed(s)) => Some(s),
        Some(ShardArg::Auto) => Some(
            Shard::from_env(|k| std::env::var(k).ok(), args.shard_count)
                .map_err(anyhow::Error::msg)?,
        ),
    };
    let mut sel = select(args, shard, quiet)?;
    let pages = match (&args.html_dir, args.list) {
        (Some(dir), false) => Some(Pages::prepare(dir, &sel.inputs)?),
        _ => None,
    };
    if args.list {
        let mut out = std::io::stdout().lock();
        for i in &sel.inputs {
            writeln!(out, "{}", printable(&i.source()))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !quiet {
        let n = sel.inputs.len();
        let mut what = format!("vmcoach: {n} file{} to analyse", plural(n));
        if let Some(s) = shard {
            let _ = write!(what, " (shard {s}: {} of {})", sel.selected, sel.found);
        }
        if sel.already_done > 0 {
            let _ = write!(what, ", {} already done", sel.already_done);
        }
        eprintln!("{what}");
    }
    let lines = match &args.jsonl {
        Some(path) => Some(Lines::open(path, args.resume)?),
        None => None,
    };
    let plan = plan_jobs(global, args, sel.inputs.len());

    let started = Instant::now();
    let outputs = Outputs {
        lines,
        pages: pages.as_ref(),
        json: args.coach.json,
    };
    let done = analyse_all(global, args, &sel.inputs, plan, &options, outputs)?;
    let wall_s = started.elapsed().as_secs_f64();

    let previous = std::mem::take(&mut sel.previous.rows);
    let rows = summary::merge_rows(previous.into_iter().chain(done.rows.iter().cloned()));
    if let Some(path) = &args.csv {
        write_csv(path, &rows)?;
    }
    if let Some(pages) = &pages {
        if shard.is_some() {
            // Parts run side by side; one index of them all comes from summarize.
            if !quiet {
                eprintln!(
                    "vmcoach: {}: the index of every part: \
                     vmcoach summarize PART.jsonl... --html-dir {0}",
                    pages.dir.display()
                );
            }
        } else {
            pages.write_index(&rows)?;
        }
    }

    let text = run_summary(args, &rows, &sel, &done, plan, wall_s);
    if args.coach.json {
        // stdout carries the JSON lines; the summary goes beside them.
        if !quiet {
            eprint!("{text}");
        }
    } else {
        print!("{text}");
    }

    if rows.is_empty() {
        if sel.found == 0 {
            eprintln!("vmcoach: error: no audio files found");
            return Ok(ExitCode::from(1));
        }
        let shard_had_nothing = shard.is_some() && sel.selected == 0;
        if !shard_had_nothing {
            eprintln!("vmcoach: error: no file could be analysed");
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn summarize(global: &Global, args: &SummarizeArgs) -> anyhow::Result<ExitCode> {
    let mut rows = Vec::new();
    for path in &args.files {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let results = Results::parse(&String::from_utf8_lossy(&bytes));
        warn_bad_lines(path, &results, global.quiet);
        rows.extend(results.rows);
    }
    let rows = summary::merge_rows(rows);
    if rows.is_empty() {
        return Err(Error::Input("no vmcoach reports in the files given".into()).into());
    }
    if let Some(csv) = &args.csv {
        crate::commands::refuse_output_over(csv, args.files.iter().map(|f| f.as_path()))?;
    }
    if let Some(path) = &args.csv {
        write_csv(path, &rows)?;
    }
    if let Some(dir) = &args.html_dir {
        Pages::of_rows(dir, &rows)?.write_index(&rows)?;
    }
    let summary = Summary::of(&rows);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", render_summary(&summary));
    }
    Ok(ExitCode::SUCCESS)
}
