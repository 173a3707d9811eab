//! The practice commands as a user runs them: `vmcoach` in a child process
//! recording from the fake microphone of `alsa.rs` (ALSA plays a fixture as
//! the default input, in real time), its output in files. Shared by
//! tests/practice.rs and tests/live.rs (each includes it with `#[path]`,
//! beside `alsa.rs`).
#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::alsa::{self, DeviceFormat};
use super::common;

/// One test at a time: real-time capture and whisper.cpp's spinning
/// threads must not share the two cores with another test.
pub static MACHINE: Mutex<()> = Mutex::new(());

pub fn alone() -> std::sync::MutexGuard<'static, ()> {
    MACHINE.lock().unwrap_or_else(|e| e.into_inner())
}

pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Starts `vmcoach ARGS` with the ALSA configuration; its output goes to
/// files in `dir` named after `name`; `stdin` is written and closed.
pub fn spawn(dir: &Path, name: &str, conf: &Path, args: &[&str], stdin: Option<&str>) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vmcoach"));
    cmd.args(args)
        .current_dir(dir)
        .env("ALSA_CONFIG_PATH", conf)
        .env_remove("VMCOACH_MODEL")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(fs::File::create(dir.join(format!("{name}.stdout"))).unwrap())
        .stderr(fs::File::create(dir.join(format!("{name}.stderr"))).unwrap());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(text.as_bytes()).unwrap();
    }
    child
}

pub fn output(dir: &Path, name: &str) -> (String, String) {
    let read =
        |ext: &str| fs::read_to_string(dir.join(format!("{name}.{ext}"))).unwrap_or_default();
    (read("stdout"), read("stderr"))
}

/// Waits for the child to end (at most `timeout`).
pub fn finish(mut child: Child, dir: &Path, name: &str, timeout: Duration) -> Run {
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let (out, err) = output(dir, name);
            panic!("{name} did not finish in {timeout:?}\n--- stdout\n{out}\n--- stderr\n{err}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (stdout, stderr) = output(dir, name);
    Run {
        status,
        stdout,
        stderr,
    }
}

pub fn run(dir: &Path, name: &str, conf: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    finish(
        spawn(dir, name, conf, args, stdin),
        dir,
        name,
        Duration::from_secs(240),
    )
}

impl Run {
    pub fn ok(&self) -> &Self {
        assert!(
            self.status.success(),
            "{}\n--- stdout\n{}\n--- stderr\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }
}

/// The configuration cpal opens the fake microphone at, as `vmcoach devices
/// --json` lists it.
pub fn device_format() -> &'static DeviceFormat {
    static FORMAT: OnceLock<DeviceFormat> = OnceLock::new();
    FORMAT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let conf = alsa::empty_mic(dir.path());
        let r = run(dir.path(), "devices", &conf, &["devices", "--json"], None);
        r.ok();
        let list: Value = serde_json::from_str(&r.stdout).unwrap();
        let d = list
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["default"] == true)
            .unwrap_or_else(|| panic!("no default device: {list}"));
        DeviceFormat {
            rate: d["rate"].as_u64().unwrap() as u32,
            channels: d["channels"].as_u64().unwrap() as usize,
            format: d["sample_format"].as_str().unwrap().to_string(),
        }
    })
}

/// A fake default microphone in `dir` playing `mono` (16 kHz) in real time.
pub fn fake_mic(dir: &Path, mono: &[i16]) -> PathBuf {
    alsa::fake_mic(dir, device_format(), mono, Some(1.0))
}

pub fn model() -> String {
    common::model().display().to_string()
}

/// Frames and rate of a WAV vmcoach wrote (mono 16-bit).
pub fn wav_frames(path: &Path) -> (u32, u32) {
    let r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = r.spec();
    assert_eq!(
        (spec.channels, spec.bits_per_sample),
        (1, 16),
        "{}",
        path.display()
    );
    (r.duration(), spec.sample_rate)
}

pub fn files_with(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    out.retain(|p| p.to_str().is_some_and(|s| s.ends_with(suffix)));
    out.sort();
    out
}

/// Waits until the take being recorded at `part` holds `seconds` of audio.
pub fn wait_for_part(part: &Path, seconds: f64, child: &mut Child, dir: &Path, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = hound::WavReader::open(part) {
            if r.duration() as f64 >= seconds * r.spec().sample_rate as f64 {
                return;
            }
        }
        if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
            let (out, err) = output(dir, name);
            panic!(
                "no growing {}\n--- stdout\n{out}\n--- stderr\n{err}",
                part.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn sigint(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}
