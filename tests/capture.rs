//! The real capture path, cpal and ALSA included, with no sound card: ALSA
//! plays a file as a microphone.
//!
//! # The fake microphone
//!
//! See tests/common/alsa.rs: ALSA's `file` plugin plays a raw file as the
//! default input, paced to real time (or a multiple of it) by a small
//! python3 reader. Each test writes its own ALSA configuration and runs the
//! recording in a child process (this test binary again, running one of
//! the `child_*` entry points) with `ALSA_CONFIG_PATH` pointing at it,
//! because ALSA reads its configuration once per process, on first use.
#![cfg(target_os = "linux")]

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

#[path = "common/alsa.rs"]
mod alsa;

use alsa::{fixture_samples, DeviceFormat};
use vmcoach::audio::{capture, recorder, resample, Audio};

const PARAM_PREFIX: &str = "VMCOACH_CAPTURE_CHILD_";

/// The unpaced test keeps a core busy; the paced ones must not share the
/// machine with it.
static MACHINE: RwLock<()> = RwLock::new(());

// ---------------------------------------------------------------- helpers

/// Asks a child once which configuration cpal opens the fake device at.
fn device_format() -> &'static DeviceFormat {
    static FORMAT: OnceLock<DeviceFormat> = OnceLock::new();
    FORMAT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let conf = alsa::empty_mic(dir.path());
        let report = run_child("child_devices", dir.path(), &conf, &[]);
        let line = report
            .get("default")
            .unwrap_or_else(|| panic!("no default device: {report:?}"));
        let f: Vec<&str> = line.split('|').collect();
        DeviceFormat {
            rate: f[1].parse().unwrap(),
            channels: f[2].parse().unwrap(),
            format: f[3].to_string(),
        }
    })
}

/// A fake default microphone in `dir` (see `alsa::fake_mic`) in the format
/// the device opens at.
fn fake_mic(dir: &Path, mono: &[i16], speed: Option<f64>) -> PathBuf {
    alsa::fake_mic(dir, device_format(), mono, speed)
}

/// Starts this test binary's `entry` in a child process with the ALSA
/// configuration and the parameters.
fn spawn_child(
    entry: &str,
    dir: &Path,
    alsa_conf: &Path,
    params: &[(&str, String)],
) -> std::process::Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        entry,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("ALSA_CONFIG_PATH", alsa_conf)
    .stdin(Stdio::null())
    .stdout(fs::File::create(dir.join(format!("{entry}.stdout"))).unwrap())
    .stderr(fs::File::create(dir.join(format!("{entry}.stderr"))).unwrap());
    for (k, v) in params {
        cmd.env(format!("{PARAM_PREFIX}{k}"), v);
    }
    cmd.spawn().unwrap()
}

/// Runs a child to the end and returns its report.
fn run_child(
    entry: &str,
    dir: &Path,
    alsa_conf: &Path,
    params: &[(&str, String)],
) -> HashMap<String, String> {
    let report = dir.join(format!("{entry}.report"));
    let mut all = params.to_vec();
    all.push(("REPORT", report.display().to_string()));
    let mut child = spawn_child(entry, dir, alsa_conf, &all);
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "{entry} did not finish in time:\n{}",
                child_output(dir, entry)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        status.success(),
        "{entry} failed ({status}):\n{}",
        child_output(dir, entry)
    );
    let text = fs::read_to_string(&report)
        .unwrap_or_else(|_| panic!("{entry} wrote no report:\n{}", child_output(dir, entry)));
    let report: HashMap<String, String> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    eprintln!("{entry}: {report:?}");
    report
}

fn child_output(dir: &Path, entry: &str) -> String {
    let read =
        |ext: &str| fs::read_to_string(dir.join(format!("{entry}.{ext}"))).unwrap_or_default();
    format!(
        "--- stdout\n{}\n--- stderr\n{}",
        read("stdout"),
        read("stderr")
    )
}

fn num(report: &HashMap<String, String>, key: &str) -> f64 {
    report
        .get(key)
        .unwrap_or_else(|| panic!("no {key} in {report:?}"))
        .parse()
        .unwrap()
}

fn read_wav(path: &Path) -> (Vec<f32>, u32) {
    let mut r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = r.spec();
    assert_eq!((spec.channels, spec.bits_per_sample), (1, 16));
    (
        r.samples::<i16>()
            .map(|s| s.unwrap() as f32 / 32768.0)
            .collect(),
        spec.sample_rate,
    )
}

/// Best normalized correlation of `got` against `want` (both 16 kHz) over
/// lags of up to ±50 ms, and that lag.
fn best_correlation(want: &[f32], got: &[f32]) -> (f64, isize) {
    let mut best = (f64::MIN, 0);
    for lag in -800isize..=800 {
        let (mut xy, mut xx, mut yy) = (0.0f64, 0.0f64, 0.0f64);
        for (i, &x) in want.iter().enumerate() {
            let j = i as isize + lag;
            if j < 0 || j as usize >= got.len() {
                continue;
            }
            let y = got[j as usize];
            xy += (x * y) as f64;
            xx += (x * x) as f64;
            yy += (y * y) as f64;
        }
        let c = xy / (xx * yy).sqrt().max(1e-12);
        if c > best.0 {
            best = (c, lag);
        }
    }
    best
}

fn to_16k(samples: Vec<f32>, rate: u32) -> Vec<f32> {
    resample::to_16k(&Audio { samples, rate })
        .unwrap()
        .samples()
        .to_vec()
}

// ------------------------------------------------------------------ tests

#[test]
fn records_the_fixture_through_alsa_and_cpal() {
    let _shared = MACHINE.read().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let (source, rate) = fixture_samples();
    let conf = fake_mic(dir.path(), &source, Some(1.0));
    let source_s = source.len() as f64 / rate as f64;
    let out = dir.path().join("takes").join("fixture.wav");
    let report = run_child(
        "child_record",
        dir.path(),
        &conf,
        &[
            ("OUT", out.display().to_string()),
            ("MAX", source_s.to_string()),
        ],
    );
    assert!(!report.contains_key("error"), "{report:?}");
    assert_eq!(report["stop"], "MaxSeconds");

    let (got, got_rate) = read_wav(&out);
    assert_eq!(got_rate as f64, num(&report, "rate"));
    let duration = got.len() as f64 / got_rate as f64;
    let duration_error = (duration - source_s).abs() / source_s;
    let want: Vec<f32> = source.iter().map(|&s| s as f32 / 32768.0).collect();
    let (corr, lag) = best_correlation(&want, &to_16k(got, got_rate));
    let wall = num(&report, "wall_s");
    eprintln!(
        "fixture via \"{}\" ({} Hz, {} ch, {}): {duration:.3} s of {source_s:.3} s (error {:.3} %), \
         correlation {corr:.4} at lag {lag} samples, {} overruns, {} xruns, {wall:.2} s wall",
        report["device"],
        report["rate"],
        report["channels"],
        report["format"],
        duration_error * 100.0,
        report["overruns"],
        report["xruns"],
    );
    assert!(duration_error <= 0.02, "duration {duration} vs {source_s}");
    assert!(corr >= 0.95, "correlation {corr} at lag {lag}");
    assert_eq!(num(&report, "overruns"), 0.0);
    // The pacer made it a real-time capture, not a file copy.
    assert!(wall >= source_s * 0.9, "took {wall} s for {source_s} s");
    assert!(recorder::leftover_parts(&dir.path().join("takes")).is_empty());
}

#[test]
fn sixty_seconds_at_four_times_real_time_without_overruns() {
    let _shared = MACHINE.read().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let (source, rate) = fixture_samples();
    let long: Vec<i16> = source
        .iter()
        .copied()
        .cycle()
        .take(61 * rate as usize)
        .collect();
    let conf = fake_mic(dir.path(), &long, Some(4.0));
    let out = dir.path().join("long.wav");
    let report = run_child(
        "child_record",
        dir.path(),
        &conf,
        &[("OUT", out.display().to_string()), ("MAX", "60".into())],
    );
    assert!(!report.contains_key("error"), "{report:?}");
    let (got, got_rate) = read_wav(&out);
    let duration = got.len() as f64 / got_rate as f64;
    eprintln!(
        "60 s capture at 4x real time: {duration:.3} s, {} overruns ({} frames dropped), {} xruns, {} s wall",
        report["overruns"], report["dropped_frames"], report["xruns"], report["wall_s"]
    );
    assert!((duration - 60.0).abs() <= 60.0 * 0.02);
    assert_eq!(num(&report, "overruns"), 0.0);
    assert_eq!(num(&report, "xruns"), 0.0);
    // past the loop seam at 26.2 s the content still lines up
    let from = 25 * rate as usize;
    let want: Vec<f32> = long[from..40 * rate as usize]
        .iter()
        .map(|&s| s as f32 / 32768.0)
        .collect();
    let got16 = to_16k(got, got_rate);
    let (corr, lag) = best_correlation(&want, &got16[from..]);
    assert!(
        corr >= 0.95,
        "correlation {corr} at lag {lag} after the loop seam"
    );
}

#[test]
fn a_reader_that_falls_behind_counts_overruns_and_keeps_a_valid_file() {
    let _alone = MACHINE.write().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = fixture_samples();
    // Unpaced, the device delivers many times faster than real time; a
    // reader that pauses 1.5 s at every tick lets more than the ring
    // buffer pile up.
    let conf = fake_mic(dir.path(), &source, None);
    let out = dir.path().join("behind.wav");
    let report = run_child(
        "child_record",
        dir.path(),
        &conf,
        &[
            ("OUT", out.display().to_string()),
            ("MAX", "6".into()),
            ("SLOW_MS", "1500".into()),
        ],
    );
    eprintln!(
        "unpaced device, reader pausing 1.5 s per tick: {} overruns, {} frames dropped",
        report["overruns"], report["dropped_frames"]
    );
    assert!(num(&report, "overruns") > 0.0, "{report:?}");
    assert!(num(&report, "dropped_frames") > 0.0, "{report:?}");
    assert!(report["warnings"].contains("LostAudio"), "{report:?}");
    let (got, got_rate) = read_wav(&out);
    assert_eq!(got.len(), 6 * got_rate as usize);
}

#[test]
fn stop_flag_mid_take_leaves_a_valid_wav() {
    let _shared = MACHINE.read().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let (source, rate) = fixture_samples();
    let conf = fake_mic(dir.path(), &source, Some(1.0));
    let out = dir.path().join("stopped.wav");
    // chosen by its name, as the device list shows it
    let report = run_child(
        "child_record",
        dir.path(),
        &conf,
        &[
            ("OUT", out.display().to_string()),
            ("DEVICE", "vmcoach test microphone".into()),
            ("STOP_AFTER", "1.5".into()),
        ],
    );
    assert_eq!(report["stop"], "Requested", "{report:?}");
    let (got, got_rate) = read_wav(&out);
    let duration = got.len() as f64 / got_rate as f64;
    // Stopped part way through the fixture: no more than the 1.5 s before
    // the stop and a block, and more than half of it (how much the fake
    // device delivers by then varies with the machine's load: 1.16 s was
    // seen on a busy one). Every frame captured is in the file.
    assert!((0.75..=2.0).contains(&duration), "{duration}");
    assert!(
        (duration - num(&report, "duration_s")).abs() < 0.01,
        "{duration} {report:?}"
    );
    assert_eq!(num(&report, "dropped_frames"), 0.0, "{report:?}");
    // The length above shows the stop ended the take; this only catches a
    // take that hangs after it. Finishing the file (fsync, reread) and
    // closing the device took 2.2 s on a machine busy with other tests, so
    // the bound is loose.
    assert!(num(&report, "wall_s") < 10.0, "{report:?}");
    assert!(!recorder::part_path_for(&out).exists());
    let want: Vec<f32> = source[..rate as usize]
        .iter()
        .map(|&s| s as f32 / 32768.0)
        .collect();
    let (corr, _) = best_correlation(&want, &to_16k(got, got_rate));
    assert!(corr >= 0.95, "{corr}");
}

#[test]
fn a_muted_input_is_reported_as_silent() {
    let _shared = MACHINE.read().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let conf = fake_mic(dir.path(), &fixture_samples().0, Some(1.0));
    let out = dir.path().join("muted.wav");
    // chosen by part of its name
    let report = run_child(
        "child_record",
        dir.path(),
        &conf,
        &[
            ("OUT", out.display().to_string()),
            ("DEVICE", "MUTED".into()),
            ("MAX", "1".into()),
        ],
    );
    assert_eq!(report["device"], "vmcoach muted input", "{report:?}");
    assert!(report["warnings"].starts_with("[Silent"), "{report:?}");
    assert_eq!(read_wav(&out).0.len(), num(&report, "rate") as usize);
}

#[test]
fn killed_mid_take_leaves_a_part_that_plays_and_repairs() {
    let _shared = MACHINE.read().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let (source, rate) = fixture_samples();
    let conf = fake_mic(dir.path(), &source, Some(1.0));
    let out = dir.path().join("killed.wav");
    let part = recorder::part_path_for(&out);
    let mut child = spawn_child(
        "child_record",
        dir.path(),
        &conf,
        &[
            ("OUT", out.display().to_string()),
            ("MAX", "30".into()),
            ("REPORT", dir.path().join("unused").display().to_string()),
        ],
    );
    // wait until the header says at least 2 s are in
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = hound::WavReader::open(&part) {
            if r.duration() as f64 >= 2.0 * r.spec().sample_rate as f64 {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no growing .part:\n{}",
            child_output(dir.path(), "child_record")
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "child ended early:\n{}",
            child_output(dir.path(), "child_record")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    // Killed outright, as by a crash or the power going. (Not SIGINT: a
    // process started in the background by a shell without job control
    // inherits SIGINT ignored, and the take would just run to its end.)
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "{status}");
    assert!(!out.exists());

    // playable as it is, up to the last header update
    let (as_left, left_rate) = read_wav(&part);
    assert!(as_left.len() as f64 >= 2.0 * left_rate as f64);
    assert_eq!(recorder::leftover_parts(dir.path()), vec![part.clone()]);

    let fixed = recorder::repair_part(&part).unwrap();
    assert_eq!(fixed, dir.path().join("killed.recovered.wav"));
    assert!(!part.exists());
    let (recovered, fixed_rate) = read_wav(&fixed);
    assert_eq!(fixed_rate, left_rate);
    assert!(recovered.len() >= as_left.len());
    assert_eq!(&recovered[..as_left.len()], &as_left[..]);
    let recovered_s = recovered.len() as f64 / fixed_rate as f64;
    let n = ((recovered_s * rate as f64) as usize).min(source.len()) - 800;
    let want: Vec<f32> = source[..n].iter().map(|&s| s as f32 / 32768.0).collect();
    let (corr, lag) = best_correlation(&want, &to_16k(recovered, fixed_rate));
    eprintln!(
        "interrupted take: {:.2} s playable as left, {recovered_s:.2} s after repair, correlation {corr:.4} at lag {lag}",
        as_left.len() as f64 / left_rate as f64,
    );
    assert!(corr >= 0.95, "{corr}");
}

#[test]
fn devices_are_listed_with_their_default_configuration() {
    let _shared = MACHINE.read().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let conf = fake_mic(dir.path(), &fixture_samples().0[..16_000], None);
    let report = run_child("child_devices", dir.path(), &conf, &[]);
    let f = device_format();
    let default = format!(
        "vmcoach test microphone|{}|{}|{}|true",
        f.rate, f.channels, f.format
    );
    assert_eq!(report.get("default"), Some(&default), "{report:?}");
    assert!(
        report["vmcoach_muted"].starts_with("vmcoach muted input|")
            && report["vmcoach_muted"].ends_with("|false")
    );
    assert_eq!(report.len(), 2, "{report:?}");
}

#[test]
fn no_microphone_is_a_clear_error() {
    let _shared = MACHINE.read().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("asound.conf");
    fs::write(&conf, "# no devices at all\n").unwrap();
    let report = run_child("child_no_microphone", dir.path(), &conf, &[]);
    assert_eq!(report["devices"], "0");
    assert!(
        report["default_error"].starts_with("no microphone found: "),
        "{report:?}"
    );
    assert!(
        report["named_error"].starts_with("no microphone found: "),
        "{report:?}"
    );
}

// ------------------------------------------------- child process entries

fn param(name: &str) -> Option<String> {
    std::env::var(format!("{PARAM_PREFIX}{name}")).ok()
}

struct Report(Vec<String>);

impl Report {
    fn put(&mut self, key: &str, value: impl std::fmt::Display) {
        self.0
            .push(format!("{key}={}", value.to_string().replace('\n', " ")));
    }
    fn save(&self) {
        fs::write(param("REPORT").unwrap(), self.0.join("\n") + "\n").unwrap();
    }
}

/// Records one take from the default (or DEVICE) microphone to OUT.
#[test]
#[ignore = "run in a child process by the capture tests"]
fn child_record() {
    if param("REPORT").is_none() {
        return;
    }
    let mut report = Report(Vec::new());
    let mut capture = capture::start(param("DEVICE").as_deref()).unwrap();
    report.put("device", capture.device_name());
    report.put("rate", capture.rate());
    report.put("channels", capture.channels());
    report.put("format", capture.sample_format());
    report.put(
        "block_frames",
        capture.block_frames().map_or("?".into(), |n| n.to_string()),
    );
    let mut opts = recorder::RecordOptions::new(param("OUT").unwrap());
    opts.max_seconds = param("MAX").map(|s| s.parse().unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    if let Some(after) = param("STOP_AFTER") {
        let stop = stop.clone();
        let after = Duration::from_secs_f64(after.parse().unwrap());
        std::thread::spawn(move || {
            std::thread::sleep(after);
            stop.store(true, Ordering::Relaxed);
        });
    }
    let slow = Duration::from_millis(param("SLOW_MS").map_or(0, |s| s.parse().unwrap()));
    let started = Instant::now();
    let result = recorder::record(&mut capture, &opts, &stop, &mut |_| {
        std::thread::sleep(slow)
    });
    report.put("wall_s", started.elapsed().as_secs_f64());
    report.put("overruns", capture.overruns());
    report.put("dropped_frames", capture.dropped_frames());
    report.put("xruns", capture.xruns());
    match result {
        Ok(take) => {
            report.put("stop", format!("{:?}", take.stop));
            report.put("duration_s", take.duration_s);
            report.put("path", take.path.display());
            report.put("warnings", format!("{:?}", take.warnings));
        }
        Err(e) => report.put("error", e),
    }
    report.save();
}

/// Lists the input devices: one `id=name|rate|channels|format|default` line each.
#[test]
#[ignore = "run in a child process by the capture tests"]
fn child_devices() {
    if param("REPORT").is_none() {
        return;
    }
    let mut report = Report(Vec::new());
    for d in capture::input_devices().unwrap() {
        report.put(
            &d.id,
            format!(
                "{}|{}|{}|{}|{}",
                d.name, d.rate, d.channels, d.sample_format, d.is_default
            ),
        );
    }
    report.save();
}

/// Tries to record where there is nothing to record from.
#[test]
#[ignore = "run in a child process by the capture tests"]
fn child_no_microphone() {
    if param("REPORT").is_none() {
        return;
    }
    let mut report = Report(Vec::new());
    report.put("devices", capture::input_devices().unwrap().len());
    report.put("default_error", capture::start(None).unwrap_err());
    report.put(
        "named_error",
        capture::start(Some("USB headset")).unwrap_err(),
    );
    report.save();
}
