//! Where a batch run's results go: the JSONL lines (and the earlier results
//! read back for `--resume`), the CSV, the summary's text and the HTML pages.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use vmcoach::batch;
use vmcoach::jsonl;
use vmcoach::report::html::IndexEntry;
use vmcoach::report::summary::{self, Results, Row, Summary};
use vmcoach::report::text::printable;
use vmcoach::report::Report;
use vmcoach::Error;

use crate::commands::html::{self, Replace};

/// The JSONL output: each line written whole and flushed as its file
/// finishes. The file is held under an exclusive lock for the whole run, so
/// two runs never splice their lines into one file; and earlier results in
/// it are dropped (without `--resume`) only when the first new line is
/// ready, so a run that analyses nothing leaves them as they were.
pub(super) struct Lines {
    pub(super) path: PathBuf,
    pub(super) file: File,
    /// Empty the file before the first line (a run without `--resume`).
    pub(super) replace: bool,
}

impl Lines {
    /// Opens (or creates) the JSONL under its lock, and drops a last line
    /// cut off by an interrupted run, with or without `--resume`.
    pub(super) fn open(path: &Path, append: bool) -> vmcoach::Result<Lines> {
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

    pub(super) fn write(&mut self, line: &str) -> vmcoach::Result<()> {
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
pub(super) fn read_previous(path: &Path, quiet: bool) -> vmcoach::Result<Results> {
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

pub(super) fn warn_bad_lines(path: &Path, results: &Results, quiet: bool) {
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
pub(super) fn write_csv(path: &Path, rows: &[Row]) -> vmcoach::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut tmp = crate::commands::temp_beside(path, ".csv.tmp")?;
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
pub(super) fn render_summary(s: &Summary) -> String {
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
            let _ = writeln!(
                out,
                "  {:>5}  {}  {}",
                f.score,
                printable(&f.file),
                f.verdict
            );
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
pub(super) struct Pages {
    pub(super) dir: PathBuf,
    /// Report source -> page file name.
    pub(super) names: HashMap<String, String>,
}

impl Pages {
    /// Creates the folder and names every file's page; stops before any
    /// work when a name is held by a file that is not vmcoach's.
    pub(super) fn prepare(dir: &Path, inputs: &[batch::Input]) -> vmcoach::Result<Pages> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let pages = Pages::named(dir, inputs.iter().map(|i| (i.source(), i.path.clone())));
        for name in pages.names.values().map(String::as_str).chain([INDEX_PAGE]) {
            html::check_replaceable(&dir.join(name))?;
        }
        Ok(pages)
    }

    /// The pages of the files in `rows` (results read back), named as the
    /// batch run that wrote them named them.
    pub(super) fn of_rows(dir: &Path, rows: &[Row]) -> vmcoach::Result<Pages> {
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
    pub(super) fn named(dir: &Path, files: impl Iterator<Item = (String, PathBuf)>) -> Pages {
        let mut files: Vec<(String, PathBuf)> = files.collect();
        files.sort_by(|a, b| a.1.cmp(&b.1));
        let (sources, paths): (Vec<String>, Vec<PathBuf>) = files.into_iter().unzip();
        let names = html::page_names(paths.iter().map(PathBuf::as_path));
        Pages {
            dir: dir.to_path_buf(),
            names: sources.into_iter().zip(names).collect(),
        }
    }

    pub(super) fn write(
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
    pub(super) fn write_index(&self, rows: &[Row]) -> vmcoach::Result<()> {
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

pub(super) const INDEX_PAGE: &str = "index.html";
