//! Faults from outside: a full disk and a read-only folder (a small tmpfs
//! mounted in a private mount namespace, `unshare -rm`, which works for root
//! and, where user namespaces are allowed, for anyone; a machine where it
//! fails fails these tests), a batch killed with SIGKILL at random moments
//! and resumed, and rehearse sessions appending to one history side by
//! side. The batch tests run the real model on a few 2 s clips.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

const VMCOACH: &str = env!("CARGO_BIN_EXE_vmcoach");

/// Clips of [`CLIP_S`] cut from the fixtures, one per fixture named, in `dir`.
fn clips(dir: &Path, names: &[&str]) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut r = hound::WavReader::open(fixture(name)).unwrap();
            let spec = r.spec();
            let path = dir.join(format!("clip-{i}.wav"));
            let mut w = hound::WavWriter::create(&path, spec).unwrap();
            let n = (spec.sample_rate as f64 * CLIP_S) as usize * spec.channels as usize;
            for s in r.samples::<i16>().take(n) {
                w.write_sample(s.unwrap()).unwrap();
            }
            w.finalize().unwrap();
            path
        })
        .collect()
}

const CLIP_S: f64 = 2.0;

const CLIPS: [&str; 3] = [
    "networking-good-slt-16k.wav",
    "application-good-hts-16k.wav",
    "networking-fillers-kal16-16k.wav",
];

/// A scratch folder, its `in/` folder and the one clip in it.
fn one_clip() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let clip = clips(&input, &CLIPS[..1]).remove(0);
    (tmp, input, clip)
}

fn vmcoach(args: &[&str]) -> Command {
    let mut c = Command::new(VMCOACH);
    c.env_remove("VMCOACH_MODEL")
        .arg("--quiet")
        .arg("--model")
        .arg(model())
        .args(args);
    c
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs vmcoach with `args` where `disk` is a fresh tmpfs of `kb` KB that
/// holds a copy of `seed`'s files (mounted read-only with `read_only`), in
/// a private mount namespace; afterwards the tmpfs's files are copied to
/// `after`, so the test can see what was left on the full disk.
fn on_small_disk(
    kb: u32,
    read_only: bool,
    seed: &Path,
    disk: &Path,
    after: &Path,
    args: &[&str],
) -> Output {
    const SCRIPT: &str = r#"
        kb=$1 disk=$2 seed=$3 mode=$4 after=$5; shift 5
        mount -t tmpfs -o size="$kb"k vmcoach-test "$disk" || exit 100
        cp -a "$seed"/. "$disk"/ 2>/dev/null
        if [ "$mode" = ro ]; then mount -o remount,ro "$disk" || exit 100; fi
        "$@"
        rc=$?
        cp -a "$disk"/. "$after"/ || exit 100
        exit $rc
    "#;
    for d in [seed, disk, after] {
        std::fs::create_dir_all(d).unwrap();
    }
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c", SCRIPT, "sh", &kb.to_string()])
        .arg(disk)
        .arg(seed)
        .arg(if read_only { "ro" } else { "rw" })
        .arg(after)
        .arg(VMCOACH)
        .args(["--quiet", "--model"])
        .arg(model())
        .args(args)
        .env_remove("VMCOACH_MODEL")
        .output()
        .expect("unshare (util-linux) runs");
    assert_ne!(
        out.status.code(),
        Some(100),
        "could not mount a tmpfs in a private mount namespace (unshare -rm): {}",
        text(&out.stderr)
    );
    out
}

/// The files in `dir`, by name.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A schema 1 report line, as an earlier run wrote it (from `check`: no model).
fn earlier_line(dir: &Path) -> String {
    let script = dir.join("earlier.txt");
    std::fs::write(
        &script,
        "Hi Dana, this is Sam Lee, call me at 612 555 0147. Thanks!\n",
    )
    .unwrap();
    let out = vmcoach(&["check", "--json", s(&script)]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report.to_string()
}

/// A full disk: the line that does not fit is taken back, so the results
/// file still ends with the whole lines before it, and the run says which
/// file could not be written and why. An HTML page that does not fit leaves
/// nothing behind, not half a page.
#[test]
fn a_full_disk_leaves_whole_lines_and_no_half_written_file() {
    let (tmp, input, clip) = one_clip();
    let seed = tmp.path().join("seed");
    std::fs::create_dir_all(&seed).unwrap();
    let earlier = earlier_line(tmp.path());
    std::fs::write(seed.join("r.jsonl"), format!("{earlier}\n")).unwrap();
    // A tmpfs of 16 pages, all taken but the end of the results file's last
    // page: the new line (the report of a 2 s clip, several KB) starts to
    // be written and runs out of room part way.
    const PAGE: usize = 4096;
    let results_pages = (earlier.len() + 1).div_ceil(PAGE);
    assert!(earlier.len() + 1 < results_pages * PAGE);
    std::fs::write(seed.join("filler"), vec![b'x'; (16 - results_pages) * PAGE]).unwrap();
    let disk = tmp.path().join("disk");
    let after = tmp.path().join("after");
    let run = on_small_disk(
        64,
        false,
        &seed,
        &disk,
        &after,
        &[
            "batch",
            s(&input),
            "--resume",
            "--jsonl",
            &format!("{}/r.jsonl", s(&disk)),
        ],
    );
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("r.jsonl") && stderr.contains("No space left on device"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(after.join("r.jsonl")).unwrap(),
        format!("{earlier}\n"),
        "the earlier line alone, nothing of the new one"
    );

    let page = format!("{}/page.html", s(&disk));
    let after_page = tmp.path().join("after-page");
    std::fs::remove_file(seed.join("r.jsonl")).unwrap();
    let run = on_small_disk(
        64,
        false,
        &seed,
        &disk,
        &after_page,
        &["analyze", s(&clip), "--html", &page],
    );
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("page.html") && stderr.contains("No space left on device"),
        "{stderr}"
    );
    assert_eq!(
        names(&after_page),
        vec!["filler"],
        "no page and no temporary file left"
    );
}

/// A read-only folder: refused with the file's name and the reason, exit 1.
#[test]
fn a_read_only_output_folder_is_an_error_naming_the_file() {
    let (tmp, input, clip) = one_clip();
    let seed = tmp.path().join("seed");
    let disk = tmp.path().join("disk");
    let cases: [(&str, Vec<String>); 3] = [
        (
            "r.jsonl",
            vec!["batch".into(), s(&input).into(), "--jsonl".into()],
        ),
        (
            "r.csv",
            vec!["batch".into(), s(&input).into(), "--csv".into()],
        ),
        (
            "page.html",
            vec!["analyze".into(), s(&clip).into(), "--html".into()],
        ),
    ];
    for (i, (name, args)) in cases.iter().enumerate() {
        let out = format!("{}/{name}", s(&disk));
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.push(&out);
        let after = tmp.path().join(format!("after-{i}"));
        let run = on_small_disk(64, true, &seed, &disk, &after, &args);
        let stderr = text(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains(&out) && stderr.contains("Read-only file system"),
            "{name}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(names(&after).is_empty());
    }
}

/// A cut-off last line (a run killed mid-write, or an older vmcoach on a
/// full disk) is dropped on the next run, with --resume or without, even
/// when that run analyses nothing; the lines before it stay.
#[test]
fn a_cut_off_last_line_is_repaired_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let earlier = earlier_line(tmp.path());
    let bad = tmp.path().join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("notes.wav"), "just text\n").unwrap();
    let results = tmp.path().join("r.jsonl");
    for resume in [false, true] {
        std::fs::write(
            &results,
            format!("{earlier}\n{}", &earlier[..earlier.len() / 2]),
        )
        .unwrap();
        let mut args = vec!["batch", s(&bad), "--jsonl", s(&results)];
        if resume {
            args.push("--resume");
        }
        let run = vmcoach(&args).output().unwrap();
        // With --resume the earlier result counts: the run is not a failure.
        let expected = if resume { 0 } else { 1 };
        assert_eq!(run.status.code(), Some(expected), "{}", text(&run.stderr));
        assert_eq!(
            std::fs::read_to_string(&results).unwrap(),
            format!("{earlier}\n"),
            "resume: {resume}"
        );
    }
}

/// A small deterministic generator for the kill times (xorshift64*); the
/// seed is printed so a failing run can be repeated with VMCOACH_KILL_SEED.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The results file as the next run finds it: the sources of its whole
/// lines (each must be a report) and the length of a cut-off last line.
fn lines_in(path: &Path) -> (Vec<String>, usize) {
    let bytes = std::fs::read(path).unwrap_or_default();
    let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let sources = text(&bytes[..whole])
        .lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("a torn line ({e}): {l}"));
            v["source"].as_str().expect("a report line").to_string()
        })
        .collect();
    (sources, bytes.len() - whole)
}

fn assert_each_once(sources: &[String]) {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for s in sources {
        *count.entry(s).or_default() += 1;
    }
    assert!(
        count.values().all(|&n| n == 1),
        "a file has two lines: {count:?}"
    );
}

/// `batch --resume` killed with SIGKILL at 20 random moments: after every
/// kill the results file holds whole report lines, none for the same file
/// twice; the next run goes on from there; in the end every file has
/// exactly one line.
#[test]
fn a_batch_killed_at_random_moments_resumes_with_every_file_once() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let files = clips(&input, &CLIPS);
    let results = tmp.path().join("r.jsonl");
    let run = |results: &Path| {
        vmcoach(&[
            "--threads",
            "2",
            "batch",
            s(&input),
            "--jobs",
            "1",
            "--resume",
            "--jsonl",
            s(results),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
    };
    // How long a whole run takes, uninterrupted: the kill times are drawn from it.
    let started = Instant::now();
    assert!(run(&tmp.path().join("whole.jsonl"))
        .wait()
        .unwrap()
        .success());
    let whole_s = started.elapsed().as_secs_f64();
    assert_eq!(
        lines_in(&tmp.path().join("whole.jsonl")).0.len(),
        files.len()
    );

    let seed = std::env::var("VMCOACH_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| started.elapsed().as_nanos() as u64 | 1);
    let mut rng = Rng(seed);
    let (mut kills, mut finished_runs, mut rounds, mut cut_lines, mut lines_at_kills) =
        (0, 0, 1, 0, 0);
    while kills < 20 {
        let mut child = run(&results);
        std::thread::sleep(Duration::from_secs_f64(rng.next() * whole_s));
        if child.try_wait().unwrap().is_some() {
            finished_runs += 1;
        } else {
            child.kill().unwrap();
            child.wait().unwrap();
            kills += 1;
        }
        let (sources, cut) = lines_in(&results);
        assert_each_once(&sources);
        cut_lines += usize::from(cut > 0);
        lines_at_kills += sources.len();
        if sources.len() == files.len() && cut == 0 {
            // Every file done: the next kills start a new round on a fresh file.
            std::fs::remove_file(&results).unwrap();
            rounds += 1;
        }
    }
    assert!(run(&results).wait().unwrap().success());
    let (sources, cut) = lines_in(&results);
    assert_each_once(&sources);
    assert_eq!((sources.len(), cut), (files.len(), 0));
    eprintln!(
        "kill -9 (seed {seed}): {kills} kills, {finished_runs} runs finished before their kill time, \
         {rounds} rounds of {} files, {lines_at_kills} whole lines found after the kills, \
         {cut_lines} cut-off last lines; a whole run takes {whole_s:.2} s",
        files.len()
    );
}

/// Rehearse sessions side by side appending to one history: every line
/// whole, none lost.
#[test]
fn sessions_appending_to_one_history_side_by_side_tear_no_line() {
    use vmcoach::rehearse::{append_history, history_path, read_history, TakeResult};
    let tmp = tempfile::tempdir().unwrap();
    let path = history_path(tmp.path());
    let report = vmcoach::pipeline::coach_script(
        "take.wav".into(),
        "Hi Dana, this is Sam Lee, call me at 612 555 0147. Thanks!",
        &Default::default(),
    );
    const SESSIONS: usize = 8;
    const TAKES: usize = 50;
    std::thread::scope(|scope| {
        for session in 0..SESSIONS {
            let (path, report) = (&path, &report);
            scope.spawn(move || {
                for take in 0..TAKES {
                    // Long lines (a long file name): the more bytes a write
                    // carries, the likelier a torn one.
                    let file = format!("{session}-{take}-{}.wav", "x".repeat(20_000));
                    let result = TakeResult::from_report(report, file, format!("t{take}"));
                    append_history(path, &result).unwrap();
                }
            });
        }
    });
    let history = read_history(&path).unwrap();
    assert_eq!(history.unreadable_lines, 0);
    assert_eq!(history.takes.len(), SESSIONS * TAKES);
}
