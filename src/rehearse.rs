//! Rehearsing a message take after take: what changed from one take to the
//! next, the history of takes kept across sessions, and the table of a
//! session's takes. Plain data and pure functions (plus reading and appending
//! the history file); the prompts, the microphone and the terminal are the
//! binary's.
//!
//! ```text
//!  take ─> Report ─> TakeResult ─┬─> takes/history.jsonl (one JSON line per take, append-only)
//!                                ├─> compare(previous, this) ─> Changes ─> "what changed" lines
//!                                ├─> takes_table(session) ─> rows, the best one marked
//!                                └─> chart_points(history, session) ─> the score chart of the take's page
//! ```

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::{Kind, Status};
use crate::jsonl;
use crate::report::html::TakePoint;
use crate::report::Report;
use crate::{Error, Result};

/// The history file's name inside the takes folder.
pub const HISTORY_FILE: &str = "history.jsonl";

/// `DIR/history.jsonl`.
pub fn history_path(takes_dir: &Path) -> PathBuf {
    takes_dir.join(HISTORY_FILE)
}

/// What one take came to: one line of the history, one row of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TakeResult {
    /// When the take was analysed, local time with its UTC offset
    /// (`2026-03-02T09:14:05+01:00`).
    pub time: String,
    /// The take's file, relative to the takes folder when it is inside it.
    pub file: String,
    pub score: u32,
    pub kind: Kind,
    /// Ids of the rules the take failed, in the report's order.
    pub failed: Vec<String>,
    /// Seconds of speech (first word to last).
    pub speech_s: f64,
    /// Speaking rate, words per minute; None when too few words were
    /// said to give one.
    pub wpm: Option<f64>,
}

impl TakeResult {
    pub fn from_report(report: &Report, file: impl Into<String>, time: impl Into<String>) -> Self {
        TakeResult {
            time: time.into(),
            file: file.into(),
            score: report.score,
            kind: report.kind,
            failed: report
                .rules
                .iter()
                .filter(|f| f.status == Status::Fail)
                .map(|f| f.id.clone())
                .collect(),
            speech_s: report.speech_s,
            wpm: pace(report),
        }
    }
}

/// The report's words per minute, when it measured a pace.
fn pace(report: &Report) -> Option<f64> {
    report
        .delivery
        .pace_measured
        .then_some(report.words_per_minute)
}

/// The local time now, as [`TakeResult::time`] has it.
pub fn now_stamp() -> String {
    jiff::ZonedDateTime::now()
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

// ------------------------------------------------------------ comparison

/// What changed from one take to the next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changes {
    pub score_before: u32,
    pub score_after: u32,
    /// Rules that failed or warned before and pass now.
    pub now_passing: Vec<String>,
    /// Rules that did not fail before and fail now.
    pub now_failing: Vec<String>,
    /// Rules that passed before and only warn now.
    pub now_warning: Vec<String>,
    pub speech_s_before: f64,
    pub speech_s_after: f64,
    /// None: too few words for a pace.
    pub wpm_before: Option<f64>,
    pub wpm_after: Option<f64>,
    /// The message was judged a different kind this time (before, after).
    pub kind_changed: Option<(Kind, Kind)>,
}

/// Compares take `after` with the take `before` it.
pub fn compare(before: &Report, after: &Report) -> Changes {
    let status_before = |id: &str| before.rules.iter().find(|f| f.id == id).map(|f| f.status);
    let mut changes = Changes {
        score_before: before.score,
        score_after: after.score,
        now_passing: Vec::new(),
        now_failing: Vec::new(),
        now_warning: Vec::new(),
        speech_s_before: before.speech_s,
        speech_s_after: after.speech_s,
        wpm_before: pace(before),
        wpm_after: pace(after),
        kind_changed: (before.kind != after.kind).then_some((before.kind, after.kind)),
    };
    for f in &after.rules {
        let was = status_before(&f.id);
        match f.status {
            Status::Pass if matches!(was, Some(Status::Fail | Status::Warn)) => {
                changes.now_passing.push(f.id.clone())
            }
            Status::Fail if was != Some(Status::Fail) => changes.now_failing.push(f.id.clone()),
            Status::Warn if was == Some(Status::Pass) => changes.now_warning.push(f.id.clone()),
            _ => {}
        }
    }
    changes
}

impl Changes {
    pub fn score_delta(&self) -> i64 {
        self.score_after as i64 - self.score_before as i64
    }

    /// The changes in a few lines of plain text, most important first.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let delta = self.score_delta();
        let verdict = match delta {
            d if d > 0 => "better",
            0 => "same score",
            _ => "worse",
        };
        out.push(format!(
            "score {} -> {} ({}, {verdict})",
            self.score_before,
            self.score_after,
            signed(delta as f64, 0, "")
        ));
        if let Some((was, now)) = self.kind_changed {
            out.push(format!(
                "judged a {} message this time (was {}): the checks differ",
                kind_name(now),
                kind_name(was)
            ));
        }
        if !self.now_passing.is_empty() {
            out.push(format!("now passing: {}", self.now_passing.join(", ")));
        }
        if !self.now_failing.is_empty() {
            out.push(format!("now failing: {}", self.now_failing.join(", ")));
        }
        if !self.now_warning.is_empty() {
            out.push(format!("now a warning: {}", self.now_warning.join(", ")));
        }
        if self.now_passing.is_empty() && self.now_failing.is_empty() && self.now_warning.is_empty()
        {
            out.push("no check changed".into());
        }
        let pace = match (self.wpm_before, self.wpm_after) {
            (Some(b), Some(a)) => {
                format!("pace {b:.0} -> {a:.0} words/min ({})", signed(a - b, 0, ""))
            }
            (Some(b), None) => format!("pace {b:.0} words/min -> too few words to measure"),
            (None, Some(a)) => format!("pace not measured -> {a:.0} words/min"),
            (None, None) => "too few words for a pace".to_string(),
        };
        out.push(format!(
            "length {:.1} s -> {:.1} s ({}), {pace}",
            self.speech_s_before,
            self.speech_s_after,
            signed(self.speech_s_after - self.speech_s_before, 1, " s"),
        ));
        out
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Networking => "networking",
        Kind::Application => "application",
    }
}

/// `+3.2 s`, `-14`, `±0`.
fn signed(x: f64, decimals: usize, unit: &str) -> String {
    let text = format!("{:.*}", decimals, x.abs());
    if text.trim_start_matches(['0', '.']).is_empty() {
        return format!("±{text}{unit}");
    }
    format!("{}{text}{unit}", if x < 0.0 { "-" } else { "+" })
}

// --------------------------------------------------------------- history

/// The history file as read: the takes in order, and how many lines could
/// not be read (a line torn by a crash, or edited by hand).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub takes: Vec<TakeResult>,
    pub unreadable_lines: usize,
}

/// Reads the history; a missing file is an empty history.
pub fn read_history(path: &Path) -> Result<History> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(History::default()),
        Err(e) => return Err(Error::io(path, e)),
    };
    let mut history = History::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<TakeResult>(line) {
            Ok(take) => history.takes.push(take),
            Err(_) => history.unreadable_lines += 1,
        }
    }
    Ok(history)
}

/// Adds one take to the end of the history, creating the file (not its
/// folder) if needed. Sessions side by side take turns (an exclusive lock
/// while each appends); the line goes out in one write; a line cut off by
/// an earlier crash is dropped first, so the file holds only whole lines.
pub fn append_history(path: &Path, take: &TakeResult) -> Result<()> {
    let io = |e| Error::io(path, e);
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(io)?;
    file.lock().map_err(io)?;
    jsonl::repair_tail(&mut file).map_err(io)?;
    let line = serde_json::to_string(take).expect("a take always serialises");
    jsonl::append_line(&mut file, &line).map_err(io)
}

/// Earlier takes in one line's worth of numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistorySummary {
    pub count: usize,
    pub best_score: u32,
    pub last_score: u32,
    /// Time of the first take in the history.
    pub since: String,
}

pub fn summarize(takes: &[TakeResult]) -> Option<HistorySummary> {
    let last = takes.last()?;
    Some(HistorySummary {
        count: takes.len(),
        best_score: takes.iter().map(|t| t.score).max().unwrap_or(0),
        last_score: last.score,
        since: takes[0].time.clone(),
    })
}

impl HistorySummary {
    /// `Earlier: 7 takes since 2026-03-02, best score 84, last 78.`
    pub fn line(&self) -> String {
        let day = self.since.get(..10).unwrap_or(&self.since);
        format!(
            "Earlier: {} take{} since {day}, best score {}, last {}.",
            self.count,
            if self.count == 1 { "" } else { "s" },
            self.best_score,
            self.last_score
        )
    }
}

// ------------------------------------------------------------ the table

/// One row of the session's table of takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableRow {
    /// 1 for the session's first take.
    pub take: usize,
    pub file: String,
    pub speech_s: f64,
    pub wpm: Option<f64>,
    pub score: u32,
    pub failed: Vec<String>,
    /// The best take: the highest score, the latest of equals.
    pub best: bool,
}

/// Index of the best take: the highest score, the latest among equals.
pub fn best_take(takes: &[TakeResult]) -> Option<usize> {
    takes
        .iter()
        .enumerate()
        .max_by_key(|(i, t)| (t.score, *i))
        .map(|(i, _)| i)
}

pub fn takes_table(takes: &[TakeResult]) -> Vec<TableRow> {
    let best = best_take(takes);
    takes
        .iter()
        .enumerate()
        .map(|(i, t)| TableRow {
            take: i + 1,
            file: t.file.clone(),
            speech_s: t.speech_s,
            wpm: t.wpm,
            score: t.score,
            failed: t.failed.clone(),
            best: best == Some(i),
        })
        .collect()
}

/// The name to keep in the history for a take at `path`: relative to the
/// takes folder when it is inside it, else the path as given.
pub fn file_in_takes(takes_dir: &Path, path: &Path) -> String {
    path.strip_prefix(takes_dir)
        .ok()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// `takes/NAME.json` for `takes/NAME.wav`: where a take's report is kept.
pub fn report_path_for(take: &Path) -> PathBuf {
    take.with_extension("json")
}

/// `takes/NAME.html` for `takes/NAME.wav`: where a take's HTML page is kept.
pub fn page_path_for(take: &Path) -> PathBuf {
    take.with_extension("html")
}

/// Most takes the chart of a take's page shows (the latest ones).
pub const CHART_TAKES: usize = 30;

/// The scores for the chart on a take's page: the earlier sessions' takes,
/// then this session's up to and including the take itself, at most
/// [`CHART_TAKES`] of them.
pub fn chart_points(earlier: &[TakeResult], session: &[TakeResult]) -> Vec<TakePoint> {
    let points: Vec<TakePoint> = earlier
        .iter()
        .map(|t| (t, false))
        .chain(session.iter().map(|t| (t, true)))
        .map(|(t, this_session)| TakePoint {
            score: t.score,
            this_session,
        })
        .collect();
    points[points.len().saturating_sub(CHART_TAKES)..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{coach_script, CoachOptions};

    fn report(script: &str) -> Report {
        let options = CoachOptions {
            kind: Some(Kind::Networking),
            ..Default::default()
        };
        coach_script("take.wav".into(), script, &options)
    }

    const WEAK: &str = "Hi, um, it's Dana. Call me back.";
    const GOOD: &str = "Hi Priya, this is Dana Whitfield. Marcus Lee at Northwind suggested I call you. \
        My number is 612 555 0147. I'm a controls engineer with eight years in water utilities, and I'd \
        value fifteen minutes of your advice on moving into municipal projects. I'll try you again on \
        Thursday morning. Again, Dana Whitfield, 612 555 0147. Thanks so much.";

    fn status(r: &Report, id: &str) -> Status {
        r.rules.iter().find(|f| f.id == id).unwrap().status
    }

    #[test]
    fn a_better_take_lists_the_rules_it_now_passes() {
        let (weak, good) = (report(WEAK), report(GOOD));
        assert!(good.score > weak.score, "{} vs {}", good.score, weak.score);
        let c = compare(&weak, &good);
        assert_eq!(c.score_delta(), good.score as i64 - weak.score as i64);
        assert!(!c.now_passing.is_empty());
        for id in &c.now_passing {
            assert_eq!(status(&good, id), Status::Pass);
            assert!(
                matches!(status(&weak, id), Status::Fail | Status::Warn),
                "{id}"
            );
        }
        // every rule that went from a problem to a pass is listed, in order
        let expected: Vec<String> = good
            .rules
            .iter()
            .filter(|f| f.status == Status::Pass)
            .filter(|f| matches!(status(&weak, &f.id), Status::Fail | Status::Warn))
            .map(|f| f.id.clone())
            .collect();
        assert_eq!(c.now_passing, expected);
        assert_eq!(c.kind_changed, None);
        let lines = c.lines();
        assert!(
            lines[0].starts_with(&format!("score {} -> {} (+", weak.score, good.score)),
            "{lines:?}"
        );
        assert!(lines[0].ends_with("better)"), "{lines:?}");
        assert!(
            lines.iter().any(|l| l.starts_with("now passing: ")),
            "{lines:?}"
        );
        assert!(lines.last().unwrap().starts_with("length "), "{lines:?}");
    }

    #[test]
    fn a_worse_take_lists_the_rules_it_now_fails_and_the_deltas() {
        let (weak, good) = (report(WEAK), report(GOOD));
        let c = compare(&good, &weak);
        assert!(c.score_delta() < 0);
        assert!(c.now_passing.is_empty());
        assert!(!c.now_failing.is_empty());
        for id in &c.now_failing {
            assert_eq!(status(&weak, id), Status::Fail);
            assert_ne!(status(&good, id), Status::Fail);
        }
        assert!((c.speech_s_after - weak.speech_s).abs() < 1e-9);
        assert!((c.speech_s_before - good.speech_s).abs() < 1e-9);
        let lines = c.lines();
        assert!(lines[0].ends_with("worse)"), "{lines:?}");
        let length = lines.last().unwrap();
        assert!(
            length.contains(&format!(
                "{:.1} s -> {:.1} s (-",
                good.speech_s, weak.speech_s
            )),
            "{length}"
        );
    }

    /// Two words give no pace: neither the comparison nor the table's row
    /// shows one (it used to say "150 -> 0 words/min").
    #[test]
    fn a_take_too_short_for_a_pace_has_none() {
        let good = report(GOOD);
        let short = report("Hi, Dana.");
        assert!(!short.delivery.pace_measured);
        let c = compare(&good, &short);
        assert_eq!(c.wpm_after, None);
        let length = c.lines().pop().unwrap();
        assert!(
            length.ends_with("words/min -> too few words to measure"),
            "{length}"
        );
        let taken = TakeResult::from_report(&short, "short.wav", "t");
        assert_eq!(taken.wpm, None);
        assert_eq!(takes_table(&[taken])[0].wpm, None);
    }

    #[test]
    fn the_same_take_twice_changes_nothing() {
        let good = report(GOOD);
        let c = compare(&good, &good);
        assert_eq!(c.score_delta(), 0);
        assert!(c.now_passing.is_empty() && c.now_failing.is_empty() && c.now_warning.is_empty());
        assert_eq!(
            c.lines(),
            vec![
                format!("score {0} -> {0} (±0, same score)", good.score),
                "no check changed".to_string(),
                format!(
                    "length {0:.1} s -> {0:.1} s (±0.0 s), pace {1:.0} -> {1:.0} words/min (±0)",
                    good.speech_s, good.words_per_minute
                ),
            ]
        );
    }

    #[test]
    fn status_changes_are_classified_by_rule() {
        let mut before = report(GOOD);
        let mut after = before.clone();
        // make three rules change in known ways
        let ids: Vec<String> = before.rules.iter().map(|f| f.id.clone()).take(4).collect();
        before.rules[0].status = Status::Fail;
        after.rules[0].status = Status::Pass; // fixed
        before.rules[1].status = Status::Pass;
        after.rules[1].status = Status::Warn; // slipped to a warning
        before.rules[2].status = Status::Skip;
        after.rules[2].status = Status::Fail; // newly failing (did not apply before)
        before.rules[3].status = Status::Warn;
        after.rules[3].status = Status::Warn; // unchanged
        after.kind = Kind::Application;
        let c = compare(&before, &after);
        assert_eq!(c.now_passing, vec![ids[0].clone()]);
        assert_eq!(c.now_warning, vec![ids[1].clone()]);
        assert_eq!(c.now_failing, vec![ids[2].clone()]);
        assert_eq!(c.kind_changed, Some((Kind::Networking, Kind::Application)));
        assert!(c.lines()[1].contains("application message this time (was networking)"));
    }

    fn take(score: u32, file: &str, time: &str) -> TakeResult {
        let mut r = report(GOOD);
        r.score = score;
        TakeResult::from_report(&r, file, time)
    }

    #[test]
    fn a_take_result_keeps_the_failed_rule_ids() {
        let r = report(WEAK);
        let t = TakeResult::from_report(&r, "a.wav", "2026-03-02T09:14:05+01:00");
        let failed: Vec<&str> = r
            .rules
            .iter()
            .filter(|f| f.status == Status::Fail)
            .map(|f| f.id.as_str())
            .collect();
        assert!(!failed.is_empty());
        assert_eq!(t.failed, failed);
        assert_eq!(
            (t.score, t.kind, t.speech_s, t.wpm),
            (
                r.score,
                r.kind,
                r.speech_s,
                r.delivery.pace_measured.then_some(r.words_per_minute)
            )
        );
        // and its line has exactly the fields the history promises
        let v: serde_json::Value = serde_json::to_value(&t).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            ["failed", "file", "kind", "score", "speech_s", "time", "wpm"]
        );
        assert_eq!(v["kind"], "networking");
    }

    #[test]
    fn history_appends_reads_back_and_survives_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = history_path(dir.path());
        assert_eq!(read_history(&path).unwrap(), History::default());
        assert_eq!(summarize(&[]), None);

        let a = take(55, "2026-03-01T10-00-00.wav", "2026-03-01T10:00:00+01:00");
        let b = take(81, "2026-03-01T10-02-00.wav", "2026-03-01T10:02:00+01:00");
        append_history(&path, &a).unwrap();
        append_history(&path, &b).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.ends_with('\n'));
        assert_eq!(
            read_history(&path).unwrap().takes,
            vec![a.clone(), b.clone()]
        );

        // a crash mid-line: the torn line is dropped, the next one is whole
        use std::io::Write;
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"time\":\"2026-03-01T10:04").unwrap();
        drop(f);
        let c = take(70, "2026-03-02T08-00-00.wav", "2026-03-02T08:00:00+01:00");
        append_history(&path, &c).unwrap();
        let h = read_history(&path).unwrap();
        assert_eq!(h.takes, vec![a, b, c]);
        assert_eq!(h.unreadable_lines, 0);
        assert!(!fs::read_to_string(&path).unwrap().contains("10:04\n"));

        let s = summarize(&h.takes).unwrap();
        assert_eq!((s.count, s.best_score, s.last_score), (3, 81, 70));
        assert_eq!(
            s.line(),
            "Earlier: 3 takes since 2026-03-01, best score 81, last 70."
        );
    }

    #[test]
    fn appending_needs_no_existing_file_but_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-folder").join(HISTORY_FILE);
        let err = append_history(&missing, &take(1, "x.wav", "t")).unwrap_err();
        assert!(err.to_string().contains("no-such-folder"), "{err}");
    }

    #[test]
    fn the_table_marks_the_best_take_latest_of_equals() {
        let takes = vec![
            take(60, "a.wav", "1"),
            take(82, "b.wav", "2"),
            take(75, "c.wav", "3"),
            take(82, "d.wav", "4"),
        ];
        let rows = takes_table(&takes);
        assert_eq!(rows.len(), 4);
        assert_eq!(
            rows.iter().map(|r| r.take).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        assert_eq!(
            rows.iter()
                .filter(|r| r.best)
                .map(|r| r.file.as_str())
                .collect::<Vec<_>>(),
            ["d.wav"]
        );
        assert_eq!(rows[2].score, 75);
        assert_eq!(rows[0].failed, takes[0].failed);
        assert_eq!(best_take(&[]), None);
        assert!(takes_table(&[]).is_empty());
    }

    #[test]
    fn files_are_named_relative_to_the_takes_folder() {
        let dir = Path::new("takes");
        assert_eq!(
            file_in_takes(dir, Path::new("takes/2026-03-01T10-00-00.wav")),
            "2026-03-01T10-00-00.wav"
        );
        assert_eq!(
            file_in_takes(dir, Path::new("/tmp/other.wav")),
            "/tmp/other.wav"
        );
        assert_eq!(
            report_path_for(Path::new("takes/a.wav")),
            Path::new("takes/a.json")
        );
        assert_eq!(
            page_path_for(Path::new("takes/a.wav")),
            Path::new("takes/a.html")
        );
    }

    #[test]
    fn the_chart_shows_the_latest_takes_and_which_are_this_sessions() {
        let earlier: Vec<TakeResult> = (0..40).map(|i| take(i, "e.wav", "t")).collect();
        let session = vec![take(90, "a.wav", "t"), take(95, "b.wav", "t")];
        let points = chart_points(&earlier, &session);
        assert_eq!(points.len(), CHART_TAKES);
        assert_eq!(
            points[0],
            TakePoint {
                score: 12,
                this_session: false
            }
        );
        assert_eq!(
            points[CHART_TAKES - 2..],
            [
                TakePoint {
                    score: 90,
                    this_session: true
                },
                TakePoint {
                    score: 95,
                    this_session: true
                }
            ]
        );
        assert_eq!(chart_points(&[], &session[..1]).len(), 1);
    }

    #[test]
    fn signed_numbers() {
        assert_eq!(signed(3.24, 1, " s"), "+3.2 s");
        assert_eq!(signed(-14.4, 0, ""), "-14");
        assert_eq!(signed(0.04, 1, " s"), "±0.0 s");
        assert_eq!(signed(-0.2, 0, ""), "±0");
    }

    #[test]
    fn the_time_stamp_has_an_offset() {
        let t = now_stamp();
        // 2026-03-02T09:14:05+01:00
        assert_eq!(t.len(), 25, "{t}");
        assert_eq!(&t[10..11], "T");
        assert!(matches!(&t[19..20], "+" | "-"), "{t}");
    }
}
