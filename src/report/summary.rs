//! What a batch of reports comes to: one JSONL line per report (with the
//! file's stamp, for `--resume`), a row per file for the summary and the
//! CSV, and the results read back from a JSONL file.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::UNIX_EPOCH;

use serde::Serialize;
use serde_json::Value;

use super::Report;
use crate::analysis::Status;

/// A file's size and modification time (whole seconds since 1970), as
/// recorded next to its result so that `--resume` can tell it is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    pub size: u64,
    pub mtime: i64,
}

impl FileStamp {
    pub fn of(path: &Path) -> std::io::Result<FileStamp> {
        let meta = std::fs::metadata(path)?;
        let mtime = match meta.modified()?.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(before) => -(before.duration().as_secs() as i64),
        };
        Ok(FileStamp {
            size: meta.len(),
            mtime,
        })
    }
}

/// One JSONL line: the schema 1 report (as `analyze --json` prints it) with
/// the file's `file_size` and `file_mtime` added. No newline at the end.
pub fn result_line(report: &Report, stamp: FileStamp) -> String {
    #[derive(Serialize)]
    struct Line<'a> {
        #[serde(flatten)]
        report: &'a Report,
        file_size: u64,
        file_mtime: i64,
    }
    serde_json::to_string(&Line {
        report,
        file_size: stamp.size,
        file_mtime: stamp.mtime,
    })
    .expect("a report always serialises")
}

/// What the summary and the CSV need of one report.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub file: String,
    pub duration_s: f64,
    pub words_per_minute: f64,
    /// The first phone number heard (digits only), if any, and when it began.
    pub number: Option<String>,
    pub number_start_s: Option<f64>,
    pub score: u32,
    /// The report's one-line verdict (empty when a line read back has none).
    pub verdict: String,
    /// Ids of the rules that failed, in report order.
    pub failed_rules: Vec<String>,
}

impl Row {
    pub fn from_report(report: &Report) -> Row {
        let first = report.phone_numbers.first();
        Row {
            file: report.source.clone(),
            duration_s: report.duration_s,
            words_per_minute: report.words_per_minute,
            number: first.map(|n| n.digits.clone()),
            number_start_s: first.map(|n| n.start_s),
            score: report.score,
            verdict: report.verdict.clone(),
            failed_rules: report
                .rules
                .iter()
                .filter(|f| f.status == Status::Fail)
                .map(|f| f.id.clone())
                .collect(),
        }
    }

    /// From a report read back as JSON; `None` when it is not a schema 1 report.
    pub fn from_json(v: &Value) -> Option<Row> {
        if v.get("schema")?.as_u64()? != 1 {
            return None;
        }
        let first = v
            .get("phone_numbers")
            .and_then(Value::as_array)
            .and_then(|a| a.first());
        Some(Row {
            file: v.get("source")?.as_str()?.to_string(),
            duration_s: v.get("duration_s")?.as_f64()?,
            words_per_minute: v.get("words_per_minute")?.as_f64()?,
            number: first.and_then(|n| n.get("digits")?.as_str().map(String::from)),
            number_start_s: first.and_then(|n| n.get("start_s")?.as_f64()),
            score: u32::try_from(v.get("score")?.as_u64()?).ok()?,
            verdict: v
                .get("verdict")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            failed_rules: v
                .get("rules")?
                .as_array()?
                .iter()
                .filter(|r| r.get("status").and_then(Value::as_str) == Some("fail"))
                .filter_map(|r| r.get("id")?.as_str().map(String::from))
                .collect(),
        })
    }
}

/// JSONL results read back (from `batch --jsonl`, or `analyze --json` of several files).
#[derive(Debug, Clone, Default)]
pub struct Results {
    /// One row per report line, in file order (see [`merge_rows`]).
    pub rows: Vec<Row>,
    /// Stamps of the files whose line carries them, by source; a later line wins.
    pub done: HashMap<String, FileStamp>,
    /// 1-based numbers of lines that are not schema 1 reports.
    pub bad_lines: Vec<usize>,
}

impl Results {
    pub fn parse(text: &str) -> Results {
        let mut out = Results::default();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                out.bad_lines.push(i + 1);
                continue;
            };
            let Some(row) = Row::from_json(&v) else {
                out.bad_lines.push(i + 1);
                continue;
            };
            if let (Some(size), Some(mtime)) = (
                v.get("file_size").and_then(Value::as_u64),
                v.get("file_mtime").and_then(Value::as_i64),
            ) {
                out.done.insert(row.file.clone(), FileStamp { size, mtime });
            }
            out.rows.push(row);
        }
        out
    }

    /// Whether the file reported as `source`, as it is now on disk
    /// (`now`), already has a result.
    pub fn is_done(&self, source: &str, now: FileStamp) -> bool {
        self.done.get(source) == Some(&now)
    }
}

/// One row per file, sorted by file; when a file appears more than once (it
/// was analysed again after it changed), the last row wins.
pub fn merge_rows(rows: impl IntoIterator<Item = Row>) -> Vec<Row> {
    let mut by_file: BTreeMap<String, Row> = BTreeMap::new();
    for row in rows {
        by_file.insert(row.file.clone(), row);
    }
    by_file.into_values().collect()
}

/// Totals over rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub files_analysed: usize,
    pub audio_s: f64,
    pub mean_score: Option<f64>,
    /// (rule id, files where it failed), most common first, then by id.
    pub failed_rules: Vec<RuleCount>,
    /// Each file's score, in file order.
    pub files: Vec<FileScore>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileScore {
    pub file: String,
    pub score: u32,
    pub verdict: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    pub id: String,
    pub count: usize,
}

impl Summary {
    pub fn of(rows: &[Row]) -> Summary {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for row in rows {
            for id in &row.failed_rules {
                *counts.entry(id.as_str()).or_default() += 1;
            }
        }
        let mut failed_rules: Vec<RuleCount> = counts
            .into_iter()
            .map(|(id, count)| RuleCount {
                id: id.to_string(),
                count,
            })
            .collect();
        failed_rules.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
        let total: u64 = rows.iter().map(|r| r.score as u64).sum();
        Summary {
            files_analysed: rows.len(),
            // From +0.0: a float sum of nothing is -0.0, which printed as
            // "audio: -0.0 s" when every file failed.
            audio_s: (rows.iter().fold(0.0, |sum, r| sum + r.duration_s) * 100.0).round() / 100.0,
            mean_score: (!rows.is_empty())
                .then(|| (total as f64 / rows.len() as f64 * 10.0).round() / 10.0),
            failed_rules,
            files: rows
                .iter()
                .map(|r| FileScore {
                    file: r.file.clone(),
                    score: r.score,
                    verdict: r.verdict.clone(),
                })
                .collect(),
        }
    }
}

/// Column names of the CSV summary.
pub const CSV_HEADER: [&str; 7] = [
    "file",
    "duration_s",
    "words_per_minute",
    "number",
    "number_start_s",
    "score",
    "failed_rules",
];

/// A file name as a CSV cell a spreadsheet shows as text: one that starts
/// like a formula (`=`, `+`, `-`, `@`, a tab or a carriage return) gets a
/// `'` in front, so opening the CSV never runs what a file name says.
fn text_cell(name: &str) -> String {
    if name.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{name}")
    } else {
        name.to_string()
    }
}

/// `x` to `places` decimals, written as short as it reads ("3.3", not
/// "3.3000000000000003" nor "3.30").
fn rounded(x: f64, places: i32) -> String {
    let scale = 10f64.powi(places);
    ((x * scale).round() / scale).to_string()
}

/// Writes the rows as CSV with a header; failed rules joined with `;`.
pub fn write_csv<W: std::io::Write>(rows: &[Row], out: W) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER)?;
    for r in rows {
        w.write_record([
            text_cell(&r.file),
            rounded(r.duration_s, 2),
            rounded(r.words_per_minute, 1),
            r.number.clone().unwrap_or_default(),
            r.number_start_s.map(|s| rounded(s, 2)).unwrap_or_default(),
            r.score.to_string(),
            r.failed_rules.join(";"),
        ])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::phone::find_phone_numbers;
    use crate::analysis::{analyze, AnalysisInput, RuleSet};
    use crate::transcribe::scripted::Scripted;

    /// The report of a 3 s recording of a message with a phone number.
    fn sample_report(source: &str) -> Report {
        const SAID: &str = "Hi Dana, this is Sam Lee, my number is 6 1 2, 5 5 5, 0 1 4 7. \
            Jordan Smith suggested I call about the analyst role. I'll call you Tuesday. Thanks!";
        let words = Scripted::evenly(SAID).transcript().words.clone();
        let analysis = analyze(&AnalysisInput {
            words: &words,
            numbers: &find_phone_numbers(&words),
            hearings: &[],
            duration_s: 3.0,
            voiced: &[],
            kind: None,
            attempt: 1,
            expect_number: None,
            expect_name: None,
            rules: &RuleSet::default_rules(),
            track: None,
        });
        Report::new(source.to_string(), 3.0, words, analysis, 1, None, false)
    }

    #[test]
    fn a_result_line_is_the_report_plus_the_stamp_and_reads_back_as_the_same_row() {
        let report = sample_report("dir/m.wav");
        let stamp = FileStamp {
            size: 96_044,
            mtime: 1_700_000_000,
        };
        let line = result_line(&report, stamp);
        let v: Value = serde_json::from_str(&line).unwrap();
        let plain: Value = serde_json::from_str(&report.to_json_line()).unwrap();
        let mut without = v.as_object().unwrap().clone();
        assert_eq!(without.remove("file_size"), Some(Value::from(96_044)));
        assert_eq!(
            without.remove("file_mtime"),
            Some(Value::from(1_700_000_000))
        );
        assert_eq!(Value::Object(without), plain);

        let row = Row::from_report(&report);
        assert_eq!(Row::from_json(&v), Some(row.clone()));
        assert_eq!(row.number.as_deref(), Some("6125550147"));
        assert!(row.number_start_s.is_some());

        let results = Results::parse(&format!("{line}\nnot json\n\n{}\n", report.to_json_line()));
        assert_eq!(results.rows.len(), 2);
        assert_eq!(results.bad_lines, [2]);
        assert_eq!(results.done.get("dir/m.wav"), Some(&stamp));
        let input = "dir/m.wav";
        assert!(results.is_done(input, stamp));
        assert!(!results.is_done(
            input,
            FileStamp {
                size: 96_044,
                mtime: 1_700_000_001
            }
        ));
        assert!(!results.is_done(
            input,
            FileStamp {
                size: 1,
                mtime: 1_700_000_000
            }
        ));
    }

    #[test]
    fn summary_counts_failed_rules_and_merging_keeps_the_last_row() {
        let row = |file: &str, score: u32, failed: &[&str]| Row {
            file: file.into(),
            duration_s: 10.0,
            words_per_minute: 150.0,
            number: None,
            number_start_s: None,
            score,
            verdict: format!("verdict {score}"),
            failed_rules: failed.iter().map(|s| s.to_string()).collect(),
        };
        let rows = merge_rows([
            row("b.wav", 10, &["x"]),
            row("a.wav", 60, &["y", "x"]),
            row("c.wav", 70, &[]),
            row("b.wav", 50, &["x", "z"]),
        ]);
        assert_eq!(
            rows.iter().map(|r| r.file.as_str()).collect::<Vec<_>>(),
            ["a.wav", "b.wav", "c.wav"]
        );
        let s = Summary::of(&rows);
        assert_eq!(s.files_analysed, 3);
        let scores: Vec<(&str, u32, &str)> = s
            .files
            .iter()
            .map(|f| (f.file.as_str(), f.score, f.verdict.as_str()))
            .collect();
        assert_eq!(
            scores,
            [
                ("a.wav", 60, "verdict 60"),
                ("b.wav", 50, "verdict 50"),
                ("c.wav", 70, "verdict 70")
            ]
        );
        assert_eq!(s.mean_score, Some(60.0));
        assert_eq!(s.audio_s, 30.0);
        let counts: Vec<(&str, usize)> = s
            .failed_rules
            .iter()
            .map(|r| (r.id.as_str(), r.count))
            .collect();
        assert_eq!(counts, [("x", 2), ("y", 1), ("z", 1)]);
        assert_eq!(Summary::of(&[]).mean_score, None);
        let none = Summary::of(&[]).audio_s;
        assert!(none == 0.0 && none.is_sign_positive(), "{none}");
    }

    #[test]
    fn a_file_name_that_reads_as_a_formula_is_written_as_text() {
        let mut rows = vec![Row::from_report(&sample_report("=HYPERLINK(\"x\").wav"))];
        rows.push(Row::from_report(&sample_report("@SUM(A1).wav")));
        rows.push(Row::from_report(&sample_report("plain.wav")));
        let mut out = Vec::new();
        write_csv(&rows, &mut out).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let files: Vec<String> = reader
            .records()
            .map(|r| r.unwrap().get(0).unwrap().to_string())
            .collect();
        assert_eq!(
            files,
            ["'=HYPERLINK(\"x\").wav", "'@SUM(A1).wav", "plain.wav"]
        );
    }

    #[test]
    fn csv_has_a_header_and_one_line_per_row() {
        let report = sample_report("a folder/m, one.wav");
        let rows = vec![Row::from_report(&report)];
        let mut out = Vec::new();
        write_csv(&rows, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("file,duration_s,words_per_minute,number,number_start_s,score,failed_rules")
        );
        let line = lines.next().unwrap();
        assert!(line.starts_with("\"a folder/m, one.wav\",3,"), "{line}");
        assert!(line.contains(",6125550147,"), "{line}");
        assert_eq!(lines.next(), None);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rec = reader.records().next().unwrap().unwrap();
        assert_eq!(rec.get(6).unwrap(), rows[0].failed_rules.join(";"));
    }

    #[test]
    fn csv_numbers_are_rounded_per_column() {
        let mut row = Row::from_report(&sample_report("m.wav"));
        row.duration_s = 1.1 + 2.2;
        row.words_per_minute = 100.0 / 3.0;
        row.number_start_s = Some(0.1 + 0.2);
        let mut out = Vec::new();
        write_csv(&[row], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let line = text.lines().nth(1).unwrap();
        assert!(line.starts_with("m.wav,3.3,33.3,6125550147,0.3,"), "{line}");
    }
}
