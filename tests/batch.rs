//! `vmcoach batch` and `vmcoach summarize`: a messy folder (good files in
//! three formats, a corrupt WAV, an empty file, a text file named .wav, a
//! symbolic link loop), JSONL that matches `analyze --json`, --resume, shards
//! and the summary of shards. The tests that analyse use the real model on a
//! few short files and fail (never skip) without it; the sharding and usage
//! tests need no model.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use common::*;
use serde_json::Value;
use vmcoach::batch::{discover, Shard};

fn vmcoach() -> Command {
    let mut c = Command::cargo_bin("vmcoach").unwrap();
    c.env_remove("VMCOACH_MODEL")
        .env_remove("VMCOACH_SHARD_COUNT")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .env_remove("SLURM_ARRAY_TASK_MIN")
        .env_remove("SLURM_ARRAY_TASK_STEP")
        .env_remove("JOB_COMPLETION_INDEX");
    c
}

/// `vmcoach --model MODEL batch ARGS...`, output captured (so stderr is a pipe).
fn batch(args: &[&str]) -> Output {
    vmcoach()
        .arg("--model")
        .arg(model())
        .arg("batch")
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The good files: three formats, short, so the model runs briefly.
const GOOD: [(&str, &str); 3] = [
    (
        "networking-second-attempt-hts-22k.wav",
        "second-attempt.wav",
    ),
    ("formats/networking-6s-16k.mp3", "sub/six-seconds.mp3"),
    (
        "formats/networking-6s-8k-mulaw.wav",
        "sub/six-seconds-mulaw.wav",
    ),
];

/// A folder with the good files and every kind of bad one.
fn messy_folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("messages");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    for (from, to) in GOOD {
        std::fs::copy(fixture(from), root.join(to)).unwrap();
    }
    let good = std::fs::read(fixture("networking-good-slt-16k.wav")).unwrap();
    std::fs::write(root.join("corrupt.wav"), &good[..5000]).unwrap();
    std::fs::write(root.join("empty.wav"), b"").unwrap();
    std::fs::write(
        root.join("notes.wav"),
        "Call Dana back on Tuesday about the analyst role.\n",
    )
    .unwrap();
    std::fs::write(root.join("README.txt"), "not audio, not picked\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&root, root.join("sub/loop")).unwrap();
    (dir, root)
}

const BAD: [&str; 3] = ["corrupt.wav", "empty.wav", "notes.wav"];

fn jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn sources(lines: &[Value]) -> BTreeSet<String> {
    lines
        .iter()
        .map(|v| v["source"].as_str().unwrap().to_string())
        .collect()
}

fn assert_no_progress_bar(stderr: &str) {
    for c in ['\r', '\u{1b}', '█', '░', '▉', '▏'] {
        assert!(
            !stderr.contains(c),
            "progress drawing ({c:?}) on a piped stderr:\n{stderr}"
        );
    }
}

#[test]
fn a_messy_folder_is_analysed_the_bad_files_listed_and_resume_skips_what_is_done() {
    let (dir, root) = messy_folder();
    let out = dir.path().join("results.jsonl");
    let csv = dir.path().join("results.csv");
    let run = batch(&[
        s(&root),
        "--recursive",
        "--jsonl",
        s(&out),
        "--csv",
        s(&csv),
    ]);
    let (stdout, stderr) = (text(&run.stdout), text(&run.stderr));
    assert_eq!(
        run.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_no_progress_bar(&stderr);
    for bad in BAD {
        let path = root.join(bad);
        assert!(
            stderr.contains(&format!("{}: ", path.display())),
            "{bad} not reported:\n{stderr}"
        );
        assert!(
            stdout.contains(&path.display().to_string()),
            "{bad} not in the summary:\n{stdout}"
        );
    }
    assert!(
        stderr.contains("loop"),
        "the symlink loop is not reported:\n{stderr}"
    );
    assert!(stdout.contains("files analysed: 3\n"), "{stdout}");
    assert!(
        stdout.contains("this run: 3 analysed, 3 failed"),
        "{stdout}"
    );
    assert!(!stdout.contains("README"), "{stdout}");

    // One line per good file; each is the report `analyze --json` prints,
    // plus the file's size and modification time.
    let lines = jsonl(&out);
    let want: BTreeSet<String> = GOOD
        .iter()
        .map(|(_, to)| root.join(to).display().to_string())
        .collect();
    assert_eq!(sources(&lines), want);
    let mulaw = root.join("sub/six-seconds-mulaw.wav");
    let mut line = lines
        .iter()
        .find(|v| v["source"] == s(&mulaw))
        .unwrap()
        .clone();
    let meta = std::fs::metadata(&mulaw).unwrap();
    let obj = line.as_object_mut().unwrap();
    assert_eq!(obj.remove("file_size").unwrap().as_u64(), Some(meta.len()));
    assert!(obj.remove("file_mtime").unwrap().as_i64().unwrap() > 0);
    let analyze = vmcoach()
        .arg("--model")
        .arg(model())
        .args(["analyze", "--json"])
        .arg(&mulaw)
        .output()
        .unwrap();
    assert!(analyze.status.success(), "{}", text(&analyze.stderr));
    let single: Value = serde_json::from_slice(&analyze.stdout).unwrap();
    assert_eq!(line["transcript"], single["transcript"]);
    assert_eq!(line["score"], single["score"]);
    assert_eq!(line["rules"], single["rules"]);
    assert_eq!(
        line, single,
        "a batch line differs from analyze --json beyond the file stamps"
    );

    // The CSV: a header and one row per analysed file.
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "file",
            "duration_s",
            "words_per_minute",
            "number",
            "number_start_s",
            "score",
            "failed_rules"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let row = rows.iter().find(|r| &r[0] == s(&mulaw)).unwrap();
    assert_eq!(
        row[5].parse::<u64>().unwrap(),
        single["score"].as_u64().unwrap()
    );
    let failed: Vec<&str> = single["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "fail")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(&row[6], failed.join(";"));

    // Again with --resume: nothing is analysed again, nothing is lost.
    let again = batch(&[s(&root), "--recursive", "--jsonl", s(&out), "--resume"]);
    let (stdout2, stderr2) = (text(&again.stdout), text(&again.stderr));
    assert_eq!(again.status.code(), Some(0), "{stderr2}");
    assert!(stdout2.contains("this run: 0 analysed"), "{stdout2}");
    assert!(stdout2.contains("3 already in"), "{stdout2}");
    assert!(stderr2.contains("3 already done"), "{stderr2}");
    assert!(stdout2.contains("files analysed: 3\n"), "{stdout2}");
    assert_eq!(jsonl(&out).len(), 3);

    // A run killed in the middle of a line, and a file changed since: both
    // are analysed again; the cut-off line is dropped.
    let full = std::fs::read_to_string(&out).unwrap();
    let last_start = full.trim_end().rfind('\n').unwrap() + 1;
    let last_source = serde_json::from_str::<Value>(full[last_start..].trim()).unwrap()["source"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::write(&out, &full[..last_start + 40]).unwrap();
    let changed = root.join("second-attempt.wav");
    let f = std::fs::File::options().write(true).open(&changed).unwrap();
    f.set_modified(
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000),
    )
    .unwrap();
    drop(f);
    let listed = vmcoach()
        .args([
            "batch",
            s(&root),
            "-r",
            "--jsonl",
            s(&out),
            "--resume",
            "--list",
        ])
        .output()
        .unwrap();
    let mut expect_again: BTreeSet<String> = [last_source, changed.display().to_string()].into();
    expect_again.extend(BAD.iter().map(|b| root.join(b).display().to_string()));
    assert_eq!(
        text(&listed.stdout)
            .lines()
            .map(String::from)
            .collect::<BTreeSet<_>>(),
        expect_again
    );
    let third = batch(&[s(&root), "-r", "--jsonl", s(&out), "--resume", "--quiet"]);
    let stdout3 = text(&third.stdout);
    assert_eq!(third.status.code(), Some(0), "{}", text(&third.stderr));
    assert!(
        text(&third.stderr).contains("cut off"),
        "{}",
        text(&third.stderr)
    );
    let after = jsonl(&out);
    assert_eq!(sources(&after), want);
    assert!(stdout3.contains("files analysed: 3\n"), "{stdout3}");
    let analysed_again = expect_again.len() - BAD.len();
    assert!(
        stdout3.contains(&format!("this run: {analysed_again} analysed")),
        "{stdout3}"
    );
    assert_eq!(after.len(), 2 + analysed_again);
}

/// Two messages back to back (33 s: two of whisper's 30 s windows), 16-bit as they are.
fn two_messages(path: &Path) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for name in [
        "application-resume-check-awb-16k.wav",
        "application-desperation-kal16-16k.wav",
    ] {
        let mut r = hound::WavReader::open(fixture(name)).unwrap();
        assert_eq!((r.spec().sample_rate, r.spec().channels), (16_000, 1));
        for s in r.samples::<i16>() {
            w.write_sample(s.unwrap()).unwrap();
        }
    }
    w.finalize().unwrap();
}

/// One job (or one `analyze` of both) hears both copies of a message one
/// after the other; each must come out as `analyze` hears it alone. (whisper.cpp keeps the random
/// generator of its temperature fallback in the decoder state: with one
/// state reused, the second copy of this message came out different.)
#[test]
fn a_file_comes_out_the_same_whatever_the_job_heard_before() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("twice");
    std::fs::create_dir(&root).unwrap();
    two_messages(&root.join("a.wav"));
    std::fs::copy(root.join("a.wav"), root.join("b.wav")).unwrap();
    let out = dir.path().join("twice.jsonl");
    let run = batch(&[s(&root), "--jobs", "1", "--jsonl", s(&out)]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let mut lines = jsonl(&out);
    assert_eq!(lines.len(), 2);
    for v in &mut lines {
        let obj = v.as_object_mut().unwrap();
        obj.remove("file_size");
        obj.remove("file_mtime");
    }
    let second = root.join("b.wav");
    let analyze = vmcoach()
        .arg("--model")
        .arg(model())
        .args(["analyze", "--json"])
        .arg(&second)
        .output()
        .unwrap();
    assert!(analyze.status.success(), "{}", text(&analyze.stderr));
    let alone: Value = serde_json::from_slice(&analyze.stdout).unwrap();
    let heard_second = lines.iter().find(|v| v["source"] == s(&second)).unwrap();
    assert_eq!(heard_second["transcript"], alone["transcript"]);
    assert_eq!(heard_second, &alone);
    let mut first = lines
        .iter()
        .find(|v| v["source"] != s(&second))
        .unwrap()
        .clone();
    first["source"] = alone["source"].clone();
    assert_eq!(first, alone);

    // `analyze a.wav b.wav` hears them in one process as well.
    let both = vmcoach()
        .arg("--model")
        .arg(model())
        .args(["analyze", "--json"])
        .arg(root.join("a.wav"))
        .arg(&second)
        .output()
        .unwrap();
    assert!(both.status.success(), "{}", text(&both.stderr));
    let lines: Vec<Value> = text(&both.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[1], alone,
        "analyze's second file differs from analyzing it alone"
    );
}

#[test]
fn shards_split_a_run_and_summarize_merges_them_into_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("messages");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    for (from, to) in GOOD {
        std::fs::copy(fixture(from), root.join(to)).unwrap();
    }
    let whole = dir.path().join("whole.jsonl");
    let whole_csv = dir.path().join("whole.csv");
    let run = batch(&[
        s(&root),
        "-r",
        "--jsonl",
        s(&whole),
        "--csv",
        s(&whole_csv),
        "--jobs",
        "1",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let whole_stdout = text(&run.stdout);

    let mut parts = Vec::new();
    for k in 1..=2 {
        let part = dir.path().join(format!("part-{k}.jsonl"));
        let shard = format!("{k}/2");
        let run = batch(&[s(&root), "-r", "--jsonl", s(&part), "--shard", &shard]);
        assert_eq!(
            run.status.code(),
            Some(0),
            "shard {shard}: {}",
            text(&run.stderr)
        );
        parts.push(part);
    }
    let (a, b) = (sources(&jsonl(&parts[0])), sources(&jsonl(&parts[1])));
    assert!(a.is_disjoint(&b), "{a:?} {b:?}");
    assert_eq!(
        a.union(&b).cloned().collect::<BTreeSet<_>>(),
        sources(&jsonl(&whole))
    );

    let summarize = |files: &[&Path], csv: &Path| {
        let out = vmcoach()
            .arg("summarize")
            .args(files)
            .arg("--csv")
            .arg(csv)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let merged_csv = dir.path().join("merged.csv");
    let merged = summarize(&[&parts[0], &parts[1]], &merged_csv);
    let of_whole = summarize(&[&whole], &dir.path().join("again.csv"));
    assert_eq!(merged, of_whole);
    assert!(merged.starts_with("files analysed: 3\n"), "{merged}");
    // A line per file: its score, its name and its verdict.
    let scores: Vec<&str> = merged
        .lines()
        .skip_while(|l| *l != "scores:")
        .skip(1)
        .take_while(|l| {
            l.starts_with("  ") && l.trim_start().starts_with(|c: char| c.is_ascii_digit())
        })
        .collect();
    assert_eq!(scores.len(), 3, "{merged}");
    assert!(
        whole_stdout.starts_with(&merged),
        "batch:\n{whole_stdout}\nsummarize:\n{merged}"
    );
    assert_eq!(
        std::fs::read_to_string(&merged_csv).unwrap(),
        std::fs::read_to_string(&whole_csv).unwrap()
    );

    let json = vmcoach()
        .args(["summarize", "--json"])
        .arg(&parts[0])
        .arg(&parts[1])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["files_analysed"], 3);
    assert_eq!(v["files"].as_array().unwrap().len(), 3);
}

#[test]
fn nothing_analysable_exits_1_and_a_missing_model_stops_at_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.wav"), b"").unwrap();
    std::fs::write(dir.path().join("notes.wav"), "just text\n").unwrap();
    let run = batch(&[s(dir.path())]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("empty.wav") && stderr.contains("notes.wav"),
        "{stderr}"
    );
    assert!(stderr.contains("no file could be analysed"), "{stderr}");

    let none = tempfile::tempdir().unwrap();
    let run = batch(&[s(none.path())]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        text(&run.stderr).contains("no audio files found"),
        "{}",
        text(&run.stderr)
    );

    let good = dir.path().join("good");
    std::fs::create_dir(&good).unwrap();
    std::fs::copy(fixture("formats/networking-6s-16k.mp3"), good.join("a.mp3")).unwrap();
    let missing = dir.path().join("no-such-model.bin");
    let run = vmcoach()
        .arg("--model")
        .arg(&missing)
        .args(["batch", s(&good)])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(
        text(&run.stderr).contains("no-such-model.bin"),
        "{}",
        text(&run.stderr)
    );
}

/// Results already on disk survive a run that analyses nothing: without
/// --resume, the JSONL is emptied only when the first new line is ready,
/// and the CSV is left as it was.
#[test]
fn a_run_that_analyses_nothing_keeps_the_results_already_written() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(bad.join("notes.wav"), "just text\n").unwrap();
    let results = dir.path().join("prev.jsonl");
    let csv = dir.path().join("prev.csv");
    let earlier = "{\"schema\":1}\n".repeat(4);
    std::fs::write(&results, &earlier).unwrap();
    std::fs::write(&csv, "file,score\na.wav,80\n").unwrap();
    for folder in [bad.clone(), dir.path().join("none")] {
        std::fs::create_dir_all(&folder).unwrap();
        let run = batch(&[s(&folder), "--jsonl", s(&results), "--csv", s(&csv)]);
        assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
        assert_eq!(std::fs::read_to_string(&results).unwrap(), earlier);
        assert_eq!(
            std::fs::read_to_string(&csv).unwrap(),
            "file,score\na.wav,80\n"
        );
    }
}

/// Two runs writing one JSONL would splice their lines: the second is
/// refused while the first holds the file, and the file is left alone.
#[test]
fn a_second_run_on_the_same_results_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("formats/networking-6s-16k.mp3"),
        dir.path().join("a.mp3"),
    )
    .unwrap();
    let results = dir.path().join("out").with_extension("jsonl");
    std::fs::write(&results, "{}\n").unwrap();
    // The first run, as far as the file is concerned: it holds the lock.
    let holder = std::fs::OpenOptions::new()
        .append(true)
        .open(&results)
        .unwrap();
    holder.lock().unwrap();
    let run = batch(&[s(dir.path()), "--jsonl", s(&results)]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("another vmcoach batch"), "{stderr}");
    assert!(stderr.contains(s(&results)), "{stderr}");
    assert_eq!(std::fs::read_to_string(&results).unwrap(), "{}\n");
    drop(holder);
}

/// A folder of many (empty) files: enough for every shard to get some.
fn many_files() -> (tempfile::TempDir, BTreeSet<String>) {
    let dir = tempfile::tempdir().unwrap();
    let mut all = BTreeSet::new();
    for i in 0..60 {
        let rel = format!("coach-{}/msg-{i:02}.wav", i % 4);
        let path = dir.path().join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"").unwrap();
        all.insert(path.display().to_string());
    }
    (dir, all)
}

fn assert_partition(parts: &[BTreeSet<String>], all: &BTreeSet<String>) {
    let mut union = BTreeSet::new();
    for p in parts {
        assert!(!p.is_empty(), "an empty shard of 60 files");
        for f in p {
            assert!(union.insert(f.clone()), "{f} is in two shards");
        }
    }
    assert_eq!(&union, all);
}

#[test]
fn shards_partition_the_discovered_files() {
    let (dir, all) = many_files();
    let found = discover(&[dir.path().to_path_buf()], true);
    assert!(found.problems.is_empty());
    let parts: Vec<BTreeSet<String>> = (0..3)
        .map(|k| {
            let shard: Shard = format!("{}/3", k + 1).parse().unwrap();
            shard
                .select(found.inputs.clone())
                .iter()
                .map(|i| i.source())
                .collect()
        })
        .collect();
    assert_partition(&parts, &all);
}

fn listed(cmd: &mut Command) -> BTreeSet<String> {
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout).lines().map(String::from).collect()
}

#[test]
fn shards_through_the_command_line_partition_the_files_and_auto_reads_the_scheduler() {
    let (dir, all) = many_files();
    let root = s(dir.path());
    let parts: Vec<BTreeSet<String>> = (1..=3)
        .map(|k| {
            listed(vmcoach().args(["batch", root, "-r", "--list", "--shard", &format!("{k}/3")]))
        })
        .collect();
    assert_partition(&parts, &all);
    assert_eq!(listed(vmcoach().args(["batch", root, "-r", "--list"])), all);

    // The same split from a Slurm job array (ids 1-3) and a Kubernetes Indexed Job (0-2).
    for k in 1..=3 {
        let slurm = listed(
            vmcoach()
                .args(["batch", root, "-r", "--list", "--shard", "auto"])
                .env("SLURM_ARRAY_TASK_ID", k.to_string())
                .env("SLURM_ARRAY_TASK_MIN", "1")
                .env("SLURM_ARRAY_TASK_COUNT", "3"),
        );
        assert_eq!(slurm, parts[k - 1]);
        let k8s = listed(
            vmcoach()
                .args(["batch", root, "-r", "--list", "--shard", "auto"])
                .env("JOB_COMPLETION_INDEX", (k - 1).to_string())
                .env("VMCOACH_SHARD_COUNT", "3"),
        );
        assert_eq!(k8s, parts[k - 1]);
    }

    // The split depends on paths relative to the folder, not where it is.
    let moved = tempfile::tempdir().unwrap();
    let copy = moved.path().join("elsewhere");
    for f in &all {
        let rel = Path::new(f).strip_prefix(dir.path()).unwrap();
        std::fs::create_dir_all(copy.join(rel).parent().unwrap()).unwrap();
        std::fs::write(copy.join(rel), b"").unwrap();
    }
    let rel = |set: &BTreeSet<String>, base: &Path| -> BTreeSet<PathBuf> {
        set.iter()
            .map(|f| Path::new(f).strip_prefix(base).unwrap().to_path_buf())
            .collect()
    };
    let there = listed(vmcoach().args(["batch", s(&copy), "-r", "--list", "--shard", "2/3"]));
    assert_eq!(rel(&there, &copy), rel(&parts[1], dir.path()));

    let out = vmcoach()
        .args(["batch", root, "--list", "--shard", "auto"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("SLURM_ARRAY_TASK_ID"),
        "{}",
        text(&out.stderr)
    );
    let out = vmcoach()
        .args(["batch", root, "--list", "--shard", "auto"])
        .env("JOB_COMPLETION_INDEX", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("--shard-count"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["batch", s(dir.path()), "--resume"],
        vec!["batch", s(dir.path()), "--shard", "0/3"],
        vec!["batch", s(dir.path()), "--shard", "4/3"],
        vec!["batch", s(dir.path()), "--jobs", "0"],
        vec!["summarize"],
    ] {
        let out = vmcoach().args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn summarize_refuses_files_without_reports() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.jsonl");
    std::fs::write(&f, "not json\n{\"schema\": 2}\n").unwrap();
    let out = vmcoach().arg("summarize").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("lines 1, 2 are not a vmcoach report"),
        "{stderr}"
    );
}
