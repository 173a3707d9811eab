//! `vmcoach batch DIR|FILE...` and `vmcoach summarize JSONL...`: the
//! terminal side (progress bar, files, exit status) of `vmcoach::batch`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use vmcoach::batch::{self, Event, Shard};
use vmcoach::jsonl;
use vmcoach::report::html::IndexEntry;
use vmcoach::report::summary::{self, FileStamp, Results, Row, Summary};
use vmcoach::report::text::printable;
use vmcoach::report::Report;
use vmcoach::transcribe::whisper::WhisperModel;
use vmcoach::transcribe::Transcriber;
use vmcoach::Error;

use super::html::{self, Replace};
use crate::cli::{BatchArgs, Global, ShardArg, SummarizeArgs};

/// The JSONL output: each line written whole and flushed as its file
/// finishes. The file is held under an exclusive lock for the whole run, so
/// two runs never splice their lines into one file; and earlier results in
/// it are dropped (without `--resume`) only when the first new line is
/// ready, so a run that analyses nothing leaves them as they were.
struct Lines {
    path: PathBuf,
    file: File,
    /// Empty the file before the first line (a run without `--resume`).
    replace: bool,
}

impl Lines {
    /// Opens (or creates) the JSONL under its lock, and drops a last line
    /// cut off by an interrupted run, with or without `--resume`.
    fn open(path: &Path, append: bool) -> vmcoach::Result<Lines> {
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Input(format!(
                    "{}: another vmcoach batch is writing its results there; wait for it to finish, or give this run another --jsonl",
                    path.display()
                )))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(path, e)),
        }
        let tail = jsonl::repair_tail(&mut file).map_err(|e| Error::io(path, e))?;
        // Said even with --quiet: results are being dropped.
        if let jsonl::Tail::Dropped(bytes) = tail {
            eprintln!(
                "vmcoach: {}: its last line was cut off ({bytes} bytes, an interrupted run); it is dropped",
                path.display()
            );
        }
        Ok(Lines {
            path: path.to_path_buf(),
            file,
            replace: !append,
        })
    }

    fn write(&mut self, line: &str) -> vmcoach::Result<()> {
        if std::mem::take(&mut self.replace) {
            self.file.set_len(0).map_err(|e| Error::io(&self.path, e))?;
        }
        // One write per line, taken back if it fails part way: a run
        // stopped at any moment leaves whole lines (at worst one cut-off
        // last line after a crash, which the next run drops).
        jsonl::append_line(&mut self.file, line).map_err(|e| Error::io(&self.path, e))
    }
}

/// Reads earlier results for --resume. An unfinished last line (a run
/// killed in the middle of a write) is left out here; the run cuts it off
/// once it holds the file's lock.
fn read_previous(path: &Path, quiet: bool) -> vmcoach::Result<Results> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Results::default()),
        Err(e) => return Err(Error::io(path, e)),
    };
    let complete = &bytes[..jsonl::unfinished_tail(&bytes).unwrap_or(bytes.len())];
    let results = Results::parse(&String::from_utf8_lossy(complete));
    warn_bad_lines(path, &results, quiet);
    Ok(results)
}

fn warn_bad_lines(path: &Path, results: &Results, quiet: bool) {
    if quiet || results.bad_lines.is_empty() {
        return;
    }
    let shown: Vec<String> = results
        .bad_lines
        .iter()
        .take(10)
        .map(|n| n.to_string())
        .collect();
    let more = if results.bad_lines.len() > 10 {
        ", ..."
    } else {
        ""
    };
    eprintln!(
        "vmcoach: {}: line{} {}{more} {} not a vmcoach report; ignored",
        path.display(),
        if results.bad_lines.len() == 1 {
            ""
        } else {
            "s"
        },
        shown.join(", "),
        if results.bad_lines.len() == 1 {
            "is"
        } else {
            "are"
        },
    );
}

/// Writes the CSV whole or not at all: into a temporary file beside it,
/// then renamed over the name. With no rows, an existing CSV is left as it
/// is.
fn write_csv(path: &Path, rows: &[Row]) -> vmcoach::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut tmp = super::temp_beside(path, ".csv.tmp")?;
    summary::write_csv(rows, std::io::BufWriter::new(tmp.as_file_mut())).map_err(|e| {
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Error::io(path, io),
            other => Error::Input(format!("{}: {other:?}", path.display())),
        }
    })?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path)
        .map(drop)
        .map_err(|e| Error::io(path, e.error))
}

/// The lines `summarize` prints and `batch` starts its summary with.
fn render_summary(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "files analysed: {}", s.files_analysed);
    let _ = writeln!(out, "audio: {:.1} s", s.audio_s);
    match s.mean_score {
        Some(m) => {
            let _ = writeln!(out, "mean score: {m:.1}");
        }
        None => out.push_str("mean score: -\n"),
    }
    if !s.files.is_empty() {
        out.push_str("scores:\n");
        for f in &s.files {
            let _ = writeln!(out, "  {:>5}  {}  {}", f.score, printable(&f.file), f.verdict);
        }
    }
    if s.failed_rules.is_empty() {
        out.push_str("most common failed rules: none\n");
    } else {
        out.push_str("most common failed rules (files):\n");
        for r in &s.failed_rules {
            let _ = writeln!(out, "  {:>5}  {}", r.count, r.id);
        }
    }
    out
}

/// The `--html-dir` folder: a page per file, named the same whichever part
/// of the files a run takes, and the index of them all.
struct Pages {
    dir: PathBuf,
    /// Report source -> page file name.
    names: HashMap<String, String>,
}

impl Pages {
    /// Creates the folder and names every file's page; stops before any
    /// work when a name is held by a file that is not vmcoach's.
    fn prepare(dir: &Path, inputs: &[batch::Input]) -> vmcoach::Result<Pages> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let pages = Pages::named(dir, inputs.iter().map(|i| (i.source(), i.path.clone())));
        for name in pages.names.values().map(String::as_str).chain([INDEX_PAGE]) {
            html::check_replaceable(&dir.join(name))?;
        }
        Ok(pages)
    }

    /// The pages of the files in `rows` (results read back), named as the
    /// batch run that wrote them named them.
    fn of_rows(dir: &Path, rows: &[Row]) -> vmcoach::Result<Pages> {
        if !dir.is_dir() {
            return Err(Error::Input(format!(
                "{}: no such folder (the one given to batch --html-dir)",
                dir.display()
            )));
        }
        let files = rows
            .iter()
            .map(|r| (r.file.clone(), PathBuf::from(&r.file)));
        let pages = Pages::named(dir, files);
        html::check_replaceable(&dir.join(INDEX_PAGE))?;
        Ok(pages)
    }

    /// Names a page for each (report source, path), in the order of the
    /// paths, so that a batch run and a later summarize agree on the names
    /// whatever order they meet the files in.
    fn named(dir: &Path, files: impl Iterator<Item = (String, PathBuf)>) -> Pages {
        let mut files: Vec<(String, PathBuf)> = files.collect();
        files.sort_by(|a, b| a.1.cmp(&b.1));
        let (sources, paths): (Vec<String>, Vec<PathBuf>) = files.into_iter().unzip();
        let names = html::page_names(paths.iter().map(PathBuf::as_path));
        Pages {
            dir: dir.to_path_buf(),
            names: sources.into_iter().zip(names).collect(),
        }
    }

    fn write(
        &self,
        report: &Report,
        extras: &vmcoach::report::html::Extras,
    ) -> vmcoach::Result<()> {
        let Some(name) = self.names.get(&report.source) else {
            return Ok(());
        };
        let page = vmcoach::report::html::render(report, extras);
        html::write_page(&self.dir.join(name), &page, Replace::OwnPages)
    }

    /// The index of every row, linked to its page when the folder has one
    /// (from this run or an earlier one).
    fn write_index(&self, rows: &[Row]) -> vmcoach::Result<()> {
        let entries: Vec<IndexEntry> = rows
            .iter()
            .map(|row| IndexEntry {
                page: self
                    .names
                    .get(&row.file)
                    .filter(|n| self.dir.join(n).is_file())
                    .cloned(),
                row: row.clone(),
            })
            .collect();
        let page = vmcoach::report::html::render_index(&entries, &Summary::of(rows));
        html::write_page(&self.dir.join(INDEX_PAGE), &page, Replace::OwnPages)
    }
}

const INDEX_PAGE: &str = "index.html";

/// The batch's progress: files done of all, and the time left from the
/// audio heard so far (a 5-minute file weighs as much as ten 30 s ones).
struct Progress {
    bar: ProgressBar,
    /// Each input's length from its header, in tenths of a second.
    weights: HashMap<PathBuf, u64>,
    files_done: usize,
}

impl Progress {
    fn new(quiet: bool, inputs: &[batch::Input]) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress {
                bar: ProgressBar::hidden(),
                weights: HashMap::new(),
                files_done: 0,
            };
        }
        let lengths: Vec<Option<f64>> = inputs
            .iter()
            .map(|i| vmcoach::audio::decode::header_seconds(&i.path))
            .collect();
        // A file whose header tells no length counts as an average one.
        let known: Vec<f64> = lengths.iter().flatten().copied().collect();
        let average = known.iter().sum::<f64>() / known.len().max(1) as f64;
        let weights: HashMap<PathBuf, u64> = inputs
            .iter()
            .zip(&lengths)
            .map(|(i, l)| {
                let tenths = (l.unwrap_or(average).max(0.1) * 10.0).round() as u64;
                (i.path.clone(), tenths)
            })
            .collect();
        let bar = ProgressBar::with_draw_target(
            Some(weights.values().sum()),
            ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:24} {prefix} files  {elapsed} elapsed, ETA {eta}  {wide_msg}",
            )
            .expect("valid template"),
        );
        bar.set_prefix(format!("0/{}", inputs.len()));
        bar.enable_steady_tick(Duration::from_millis(500));
        Progress {
            bar,
            weights,
            files_done: 0,
        }
    }

    /// `input` is done (or failed).
    fn done(&mut self, input: &batch::Input, of: usize) {
        self.files_done += 1;
        self.bar
            .inc(self.weights.get(&input.path).copied().unwrap_or(0));
        self.bar.set_prefix(format!("{}/{of}", self.files_done));
    }
}

/// "s" for a count other than one.
fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The files a run analyses, and what it knows of the others.
struct Selection {
    /// Files that could not be read while looking (loops, unreadable folders).
    problems: Vec<batch::Problem>,
    /// Audio files found, before sharding.
    found: usize,
    /// Files in this shard (all found without one).
    selected: usize,
    /// Files to analyse now.
    inputs: Vec<batch::Input>,
    /// Results of earlier runs (`--resume`).
    previous: Results,
    /// Files of this shard those results already cover.
    already_done: usize,
}

/// Finds the audio files (refusing outputs that would land on one of them),
/// keeps this shard's, and with `--resume` leaves out those whose results
/// are already in the JSONL file.
fn select(args: &BatchArgs, shard: Option<Shard>, quiet: bool) -> vmcoach::Result<Selection> {
    let found = batch::discover(&args.inputs, args.recursive);
    for p in &found.problems {
        eprintln!("vmcoach: skipped {p}");
    }
    let not_searched = found.subfolders_not_searched;
    if not_searched > 0 && !quiet {
        eprintln!(
            "vmcoach: {not_searched} subfolder{} not searched (add --recursive)",
            plural(not_searched)
        );
    }
    // Every file found, in this shard or not, is safe from the outputs.
    let found_paths = || found.inputs.iter().map(|i| i.path.as_path());
    if let Some(jsonl) = &args.jsonl {
        super::refuse_output_over(jsonl, found_paths())?;
    }
    if let Some(csv) = &args.csv {
        super::refuse_output_over(csv, found_paths())?;
        if args
            .jsonl
            .as_deref()
            .is_some_and(|j| super::same_file(csv, j))
        {
            return Err(Error::Input(format!(
                "{}: --csv and --jsonl name the same file; give each its own",
                csv.display()
            )));
        }
    }
    let found_count = found.inputs.len();
    let mut inputs = match shard {
        Some(s) => s.select(found.inputs),
        None => found.inputs,
    };
    let selected = inputs.len();
    let mut previous = Results::default();
    let mut already_done = 0;
    if args.resume {
        let out = args
            .jsonl
            .as_deref()
            .expect("clap: --resume requires --jsonl");
        previous = read_previous(out, quiet)?;
        inputs.retain(|i| {
            let done = FileStamp::of(&i.path).is_ok_and(|now| previous.is_done(&i.source(), now));
            already_done += usize::from(done);
            !done
        });
    }
    Ok(Selection {
        problems: found.problems,
        found: found_count,
        selected,
        inputs,
        previous,
        already_done,
    })
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
    let mut progress = Progress::new(global.quiet, inputs);
    let bar = progress.bar.clone();
    let result = batch::run(
        inputs,
        plan.jobs,
        &factory,
        options,
        out.pages.is_some(),
        &mut |event| {
            match event {
                Event::Started { input } => bar.set_message(input.key.clone()),
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
                        bar.suspend(|| {
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
                    bar.suspend(|| eprintln!("vmcoach: {}: {reason}", input.source()));
                    done.failures.push((input.source(), reason));
                    progress.done(input, inputs.len());
                }
            }
            Ok(())
        },
    );
    bar.finish_and_clear();
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
        super::refuse_output_over(csv, args.files.iter().map(|f| f.as_path()))?;
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
