//! The fake microphone: ALSA plays a file as the default input, so the
//! real capture path (cpal, ALSA) runs with no sound card. Shared by
//! tests/capture.rs and tests/practice.rs.
//!
//! Each test writes its own ALSA configuration and runs the recording in a
//! child process (a test binary's entry point, or `vmcoach` itself) with
//! `ALSA_CONFIG_PATH` pointing at it, because ALSA reads its configuration
//! once per process, on first use. The configuration
//! replaces the system's entirely (no `alsa.conf`, whose hooks would pull in
//! `/etc/alsa/conf.d` and `~/.asoundrc`, e.g. a PulseAudio default), and is:
//!
//! ```text
//! pcm.!default {                        # the microphone cpal opens
//!   type file                           # passes audio through, and
//!   slave.pcm { type null }             #   (null: endless silence, no clock, any format)
//!   infile "/tmp/.../mic.raw"           # overwrites what is captured with this file
//!   file "|python3 pacer.py 384000"     # and writes it to this command
//!   format "raw"
//!   hint { show on description "vmcoach test microphone" }
//! }
//! pcm.vmcoach_muted { ... infile "/dev/zero" ... }   # a second input: digital silence
//! ```
//!
//! The `null` device takes any format, so cpal picks its own default for it
//! (stereo f32 at 48 kHz, by cpal's preference order). The tests ask a child
//! process what that is and write the raw file in exactly that format: the fixture
//! resampled to the device rate, full level on the first channel and half on
//! the others (so the downmix is checked too). The file plugin fills what
//! the application reads byte for byte from the raw file.
//!
//! Two things that did not work, for whoever changes this:
//! - A `plug` in front of a 16 kHz s16 file device: ALSA then converts, the
//!   conversion reads the file device through mmap, and the file plugin's
//!   mmap path reads more of the infile than is committed, so the audio
//!   comes out chopped (seen with arecord too). Reads (cpal uses
//!   `snd_pcm_readi`) straight on the file device are exact.
//! - Pacing through a FIFO as the infile: the plugin takes whatever a
//!   `read()` returns and pads the rest of the period with silence.
//!
//! The `null` device has no clock: on its own it delivers audio as fast as
//! it is read. The pacer gives it one: the file plugin writes every captured
//! block to the pacer's pipe, the pacer reads it at N bytes per second
//! through a pipe shrunk to 4 KiB, so capture blocks in that write and runs
//! at real time (or a chosen multiple of it). With `file "/dev/null"`
//! instead it is unpaced, which is how the overrun test makes the reader
//! fall behind.
//!
//! The same arrangement works by hand, e.g. with the fixture converted by
//! `sox fixture.wav -t raw -e floating-point -b 32 -c 2 -r 48000 mic.raw`:
//! `ALSA_CONFIG_PATH=that.conf arecord -D default -f FLOAT_LE -r 48000 -c 2 -d 3 -t raw out.raw`
//! gives the same bytes back.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use vmcoach::audio::resample;

/// The fixture the fake microphone plays unless a test says otherwise.
pub const FIXTURE: &str = "networking-good-slt-16k.wav";

/// The fixture's samples (16 kHz mono) and rate.
pub fn fixture_samples() -> (Vec<i16>, u32) {
    fixture_samples_of(FIXTURE)
}

/// A 16 kHz mono 16-bit fixture's samples and rate.
pub fn fixture_samples_of(name: &str) -> (Vec<i16>, u32) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let mut r = hound::WavReader::open(&path).unwrap();
    let spec = r.spec();
    assert_eq!(
        (spec.channels, spec.bits_per_sample, spec.sample_rate),
        (1, 16, 16_000),
        "{name}"
    );
    (
        r.samples::<i16>().map(|s| s.unwrap()).collect(),
        spec.sample_rate,
    )
}

pub const PACER: &str = r#"
import fcntl, os, sys, time
rate = float(sys.argv[1])  # bytes per second
fd = sys.stdin.fileno()
try:
    fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 4096)
except (AttributeError, OSError):
    pass
start, seen = time.monotonic(), 0
while True:
    block = os.read(fd, 4096)
    if not block:
        break
    seen += len(block)
    ahead = start + seen / rate - time.monotonic()
    if ahead > 0:
        time.sleep(ahead)
"#;

/// Writes the ALSA configuration: the default input plays `raw`, paced at
/// `pace` bytes per second or unpaced; `vmcoach_muted` plays silence.
pub fn alsa_config(dir: &Path, raw: &Path, pace: Option<f64>) -> PathBuf {
    let output = match pace {
        Some(bytes_per_s) => {
            let python = which("python3").expect("python3 is needed to pace the fake microphone");
            let pacer = dir.join("pacer.py");
            fs::write(&pacer, PACER).unwrap();
            format!(
                "\"|{} {} {bytes_per_s}\"",
                python.display(),
                pacer.display()
            )
        }
        None => "\"/dev/null\"".to_string(),
    };
    let conf = format!(
        r#"# vmcoach capture test: a file as the default microphone
pcm.!default {{
  type file
  slave.pcm {{ type null }}
  infile "{raw}"
  file {output}
  format "raw"
  hint {{ show on description "vmcoach test microphone" }}
}}
pcm.vmcoach_muted {{
  type file
  slave.pcm {{ type null }}
  infile "/dev/zero"
  file {output}
  format "raw"
  hint {{ show on description "vmcoach muted input" }}
}}
"#,
        raw = raw.display(),
    );
    let path = dir.join("asound.conf");
    fs::write(&path, conf).unwrap();
    path
}

/// A fake microphone in `dir` with nothing to play, unpaced: enough to ask
/// which configuration the device opens at.
pub fn empty_mic(dir: &Path) -> PathBuf {
    let raw = dir.join("empty.raw");
    fs::write(&raw, b"").unwrap();
    alsa_config(dir, &raw, None)
}

/// The configuration cpal picks for the fake microphone (its default).
#[derive(Debug)]
pub struct DeviceFormat {
    pub rate: u32,
    pub channels: usize,
    pub format: String,
}

impl DeviceFormat {
    pub fn sample_bytes(&self) -> usize {
        match self.format.as_str() {
            "i16" => 2,
            "i32" | "f32" => 4,
            "f64" => 8,
            other => panic!("the test cannot write {other} samples"),
        }
    }

    pub fn bytes_per_second(&self) -> f64 {
        (self.rate as usize * self.channels * self.sample_bytes()) as f64
    }

    /// `mono` (16 kHz) as the device would deliver it.
    pub fn encode(&self, mono: &[i16]) -> Vec<u8> {
        let x: Vec<f32> = mono.iter().map(|&s| s as f32 / 32768.0).collect();
        let x = resample::resample(&x, 16_000, self.rate).unwrap();
        let mut out = Vec::with_capacity(x.len() * self.channels * self.sample_bytes());
        for &s in &x {
            for ch in 0..self.channels {
                let v = if ch == 0 { s } else { s * 0.5 };
                match self.format.as_str() {
                    "i16" => {
                        out.extend(((v.clamp(-1.0, 1.0) * 32767.0).round() as i16).to_le_bytes())
                    }
                    "i32" => out.extend(
                        ((v.clamp(-1.0, 1.0) as f64 * 2_147_483_647.0).round() as i32)
                            .to_le_bytes(),
                    ),
                    "f32" => out.extend(v.to_le_bytes()),
                    "f64" => out.extend((v as f64).to_le_bytes()),
                    _ => unreachable!(),
                }
            }
        }
        out
    }
}

/// A fake default microphone in `dir` that plays `mono` (16 kHz) in the
/// device's `format` at `speed` times real time, or unpaced; returns the
/// ALSA configuration.
pub fn fake_mic(dir: &Path, format: &DeviceFormat, mono: &[i16], speed: Option<f64>) -> PathBuf {
    let raw = dir.join("mic.raw");
    fs::write(&raw, format.encode(mono)).unwrap();
    alsa_config(dir, &raw, speed.map(|s| s * format.bytes_per_second()))
}

pub fn which(cmd: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(cmd))
        .find(|p| p.is_file())
}
