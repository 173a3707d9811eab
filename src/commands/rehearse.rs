//! `vmcoach rehearse`: record, feedback, what changed since the previous
//! take, again, until q; then the table of the session's takes. Each take
//! keeps its WAV, its report (`NAME.json`) and its HTML page (`NAME.html`,
//! with the score across takes) in the takes folder and a line in
//! `history.jsonl` there. The logic is in `vmcoach::rehearse`; this is the
//! terminal side.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use vmcoach::audio::{recorder, MODEL_RATE};
use vmcoach::rehearse::{self, TableRow, TakeResult};
use vmcoach::report::{html, Report};

use super::analyze::{coach_options, print_report};
use super::html::Replace;
use super::record::{self, Console, Input};
use crate::cli::{Global, RehearseArgs};

pub fn run(global: &Global, args: &RehearseArgs) -> anyhow::Result<ExitCode> {
    let takes_dir = &args.take.takes;
    let mut console = Console::new(global.quiet, true);
    console.install_ctrlc()?;
    record::recover_leftovers(&console, takes_dir, None);

    let history_path = rehearse::history_path(takes_dir);
    let history = rehearse::read_history(&history_path)?;
    if history.unreadable_lines > 0 {
        eprintln!(
            "vmcoach: warning: {}: {} line{} could not be read and {} left out",
            history_path.display(),
            history.unreadable_lines,
            if history.unreadable_lines == 1 {
                ""
            } else {
                "s"
            },
            if history.unreadable_lines == 1 {
                "is"
            } else {
                "are"
            }
        );
    }
    if let Some(summary) = rehearse::summarize(&history.takes) {
        println!("{}", summary.line());
    }

    let options = coach_options(&args.message, record::analysis_limit(&args.take))?;
    // The sentence model now, not in the wait after the first take.
    options.rules.load_meaning()?;
    record::check_microphone(&args.take)?;
    let model = super::load_model(&args.decoding)?;
    let mut transcriber = model.transcriber(0)?;
    console.verbose = args.decoding.model.verbose;
    std::fs::create_dir_all(takes_dir).map_err(|e| vmcoach::Error::io(takes_dir, e))?;

    let mut session: Vec<TakeResult> = Vec::new();
    let mut previous: Option<Report> = None;
    loop {
        let n = session.len() + 1;
        console.note(format!("\nTake {n}"));
        let path = recorder::default_take_path(takes_dir);
        let (summary, live) =
            match record::record_take(&mut console, &args.take, &path, Some(&model)) {
                Ok(s) => s,
                Err(e) => {
                    print_table(&session);
                    return Err(e);
                }
            };
        record::print_take_warnings(&summary);
        let (report, heard) = match record::coach_take(
            global,
            &mut transcriber,
            &summary.path,
            &options,
            live,
            console.verbose,
        ) {
            Ok(r) => r,
            Err(e) => {
                print_table(&session);
                return Err(e.into());
            }
        };
        print_report(&report, false, false);
        save_report(&report, &summary.path);
        let take = TakeResult::from_report(
            &report,
            rehearse::file_in_takes(takes_dir, &summary.path),
            rehearse::now_stamp(),
        );
        if let Err(e) = rehearse::append_history(&history_path, &take) {
            eprintln!("vmcoach: warning: the take is not in the history: {e}");
        }
        session.push(take);
        match html::Extras::for_recording(heard.mono16k.samples(), MODEL_RATE, &options.rules) {
            Ok(mut extras) => {
                extras.takes = rehearse::chart_points(&history.takes, &session);
                save_page(&report, &extras, &summary.path);
            }
            Err(e) => eprintln!("vmcoach: warning: the HTML page is not saved: {e}"),
        }
        println!();
        println!("Take {n}: score {}/100", report.score);
        match &previous {
            Some(before) => {
                for line in rehearse::compare(before, &report).lines() {
                    println!("  {line}");
                }
            }
            None => println!("  first take of this session"),
        }
        console.note(format!("saved {}", summary.path.display()));
        previous = Some(report);

        match console.prompt("Enter to try again, q to quit: ") {
            Input::Line(l) if matches!(l.trim().to_lowercase().as_str(), "q" | "quit") => break,
            Input::Line(_) => continue,
            Input::Eof | Input::Interrupt => break,
        }
    }
    print_table(&session);
    Ok(ExitCode::SUCCESS)
}

/// Keeps the report next to the take, as `NAME.json`; never replaces a file.
pub fn save_report(report: &Report, take: &Path) {
    let path = rehearse::report_path_for(take);
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| f.write_all((report.to_json_pretty() + "\n").as_bytes()));
    if let Err(e) = written {
        eprintln!(
            "vmcoach: warning: the report is not saved: {}: {e}",
            path.display()
        );
    }
}

/// Keeps the take's HTML page next to it, as `NAME.html`; never replaces a file.
pub fn save_page(report: &Report, extras: &html::Extras, take: &Path) {
    let path = rehearse::page_path_for(take);
    let page = html::render(report, extras);
    if let Err(e) = super::html::write_page(&path, &page, Replace::Never) {
        eprintln!("vmcoach: warning: the HTML page is not saved: {e}");
    }
}

/// The session's takes on stdout, the best one marked.
fn print_table(session: &[TakeResult]) {
    let rows = rehearse::takes_table(session);
    if rows.is_empty() {
        return;
    }
    println!();
    print!("{}", render_table(&rows));
}

fn render_table(rows: &[TableRow]) -> String {
    use std::fmt::Write as _;
    let file_w = rows
        .iter()
        .map(|r| r.file.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let mut out = String::new();
    let _ = writeln!(out, "Takes this session");
    let _ = writeln!(
        out,
        "  {:>4}  {:<file_w$}  {:>7}  {:>8}  {:>5}  FAILED",
        "TAKE", "FILE", "LENGTH", "PACE", "SCORE"
    );
    for r in rows {
        let failed = if r.failed.is_empty() {
            "-".to_string()
        } else {
            r.failed.join(", ")
        };
        let _ = writeln!(
            out,
            "{} {:>4}  {:<file_w$}  {:>7}  {:>8}  {:>5}  {failed}",
            if r.best { "*" } else { " " },
            r.take,
            r.file,
            format!("{:.1} s", r.speech_s),
            r.wpm.map_or("-".to_string(), |w| format!("{w:.0} wpm")),
            r.score,
        );
    }
    if let Some(best) = rows.iter().find(|r| r.best) {
        let _ = writeln!(
            out,
            "* best: take {} ({}, score {})",
            best.take, best.file, best.score
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lines_up_and_marks_the_best() {
        let rows = vec![
            TableRow {
                take: 1,
                file: "2026-03-02T09-14-05.wav".into(),
                speech_s: 31.24,
                wpm: Some(171.6),
                score: 62,
                failed: vec!["followup".into(), "thanks".into()],
                best: false,
            },
            TableRow {
                take: 2,
                file: "2026-03-02T09-15-40.wav".into(),
                speech_s: 27.9,
                wpm: Some(151.0),
                score: 84,
                failed: vec![],
                best: true,
            },
        ];
        assert_eq!(
            render_table(&rows),
            "Takes this session\n\
             \x20 TAKE  FILE                      LENGTH      PACE  SCORE  FAILED\n\
             \x20    1  2026-03-02T09-14-05.wav   31.2 s   172 wpm     62  followup, thanks\n\
             *    2  2026-03-02T09-15-40.wav   27.9 s   151 wpm     84  -\n\
             * best: take 2 (2026-03-02T09-15-40.wav, score 84)\n"
        );
    }
}
