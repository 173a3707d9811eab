//! Live input from a microphone. The only file that talks to cpal (and,
//! on Linux, to ALSA directly: only to keep its complaints off stderr).
//!
//! ```text
//!  device ──cpal callback──> convert to f32 ──> ring buffer ──> Capture::recv_timeout ──> recorder
//!          (audio thread)    (no locks, no allocation)          (caller's thread)
//! ```
//!
//! The device is opened at its own default configuration (rate, channels,
//! sample format); nothing is resampled or mixed here. The audio callback only
//! converts the samples to f32 and copies them into a fixed-size lock-free
//! ring buffer ([`rtrb`]). When the reader falls behind and the buffer is full,
//! the callback drops that block of audio and counts an overrun instead of
//! waiting. Stream errors are counted (xruns) or kept as a message (a device
//! that went away), and the reader sees them after it has drained what was
//! captured before.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SizedSample};

use crate::{Error, Result};

/// How much audio the ring buffer between the audio thread and the reader
/// holds. The reader normally takes it every few milliseconds; this only has
/// to cover a stall of the reader (a slow disk, a busy machine); 2 s was
/// seen not to be enough (docs/performance.md). 10 s of 48 kHz stereo f32
/// is 3.8 MB.
pub const BUFFER_SECONDS: f64 = 10.0;

/// An input device as the system reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceInfo {
    /// Human-readable name.
    pub name: String,
    /// The system's identifier (for ALSA the PCM name, e.g. `default` or
    /// `hw:CARD=PCH,DEV=0`). [`start`] accepts this or the name.
    pub id: String,
    /// The device's default sample rate, Hz.
    pub rate: u32,
    /// The device's default channel count.
    pub channels: u16,
    /// The device's default sample format, e.g. `i16`, `f32`.
    pub sample_format: String,
    /// Whether this is the system's default input.
    pub is_default: bool,
}

/// alsa-lib writes to stderr when it looks for a device that is not there
/// ("ALSA lib confmisc.c:855:(parse_card) cannot find card '0'", eight lines
/// on a machine without a sound card), above vmcoach's own clear error.
/// For the calling thread, where cpal lists and opens the devices, those
/// lines go to a buffer instead.
fn quiet_alsa() {
    #[cfg(target_os = "linux")]
    {
        thread_local!(static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
        if !QUIET.replace(true) {
            // Without the buffer, ALSA writes to stderr as before.
            let _ = alsa::Output::local_error_handler();
        }
    }
}

/// Lists the input devices that offer a usable recording configuration.
/// An empty list is not an error: the machine has no microphone.
pub fn input_devices() -> Result<Vec<DeviceInfo>> {
    quiet_alsa();
    let host = cpal::default_host();
    let default_id = host
        .default_input_device()
        .and_then(|d| d.id().ok())
        .map(|id| id.id().to_string());
    let devices = host
        .input_devices()
        .map_err(|e| Error::Input(format!("cannot list audio devices: {e}")))?;
    let mut out = Vec::new();
    for device in devices.filter(|d| !is_pseudo(d)) {
        let Ok(config) = device.default_input_config() else {
            continue;
        };
        if !is_convertible(config.sample_format()) {
            continue;
        }
        let id = device
            .id()
            .map(|id| id.id().to_string())
            .unwrap_or_default();
        out.push(DeviceInfo {
            name: device_name(&device),
            is_default: default_id.as_deref() == Some(id.as_str()),
            id,
            rate: config.sample_rate(),
            channels: config.channels(),
            sample_format: config.sample_format().to_string(),
        });
    }
    Ok(out)
}

/// Counters and the first fatal error, shared with the audio thread.
#[derive(Debug, Default)]
struct Shared {
    /// Blocks of audio dropped because the ring buffer was full.
    overruns: AtomicU64,
    /// Frames in those blocks.
    dropped_frames: AtomicU64,
    /// Overruns the device itself reported (the system did not run our
    /// callback in time).
    xruns: AtomicU64,
    /// Why the stream stopped delivering audio, set once.
    fatal: OnceLock<String>,
}

/// A running recording stream. Drop it (or call [`Capture::stop`]) to close
/// the device.
pub struct Capture {
    stream: Option<cpal::Stream>,
    consumer: rtrb::Consumer<f32>,
    shared: Arc<Shared>,
    rate: u32,
    channels: u16,
    device_name: String,
    sample_format: String,
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Capture")
            .field("device", &self.device_name)
            .field("rate", &self.rate)
            .field("channels", &self.channels)
            .field("sample_format", &self.sample_format)
            .field("running", &self.stream.is_some())
            .finish()
    }
}

/// Opens the input device named `device` (its id or its name, see
/// [`input_devices`]), or the system's default input, at the device's own
/// default configuration, and starts recording.
pub fn start(device: Option<&str>) -> Result<Capture> {
    quiet_alsa();
    let host = cpal::default_host();
    let device = match device {
        None => host.default_input_device().ok_or_else(|| {
            Error::Input("no microphone found: the system reports no default input device".into())
        })?,
        Some(wanted) => find_device(&host, wanted)?,
    };
    let name = device_name(&device);
    let supported = device.default_input_config().map_err(|e| {
        Error::Input(format!(
            "no microphone found: input device \"{name}\" cannot record ({e})"
        ))
    })?;
    let format = supported.sample_format();
    if !is_convertible(format) {
        return Err(Error::Input(format!(
            "microphone \"{name}\" delivers {format} samples, which vmcoach cannot record"
        )));
    }
    let mut config = supported.config();
    let (rate, channels) = (config.sample_rate, config.channels);
    let capacity = ((rate as f64 * channels as f64 * BUFFER_SECONDS) as usize).max(16_384);
    let shared = Arc::new(Shared::default());
    // Blocks of about 20 ms where the device allows them: what a device
    // picks for itself ranges from a few frames (a callback per sample) to
    // whole seconds. If the device refuses, it gets its own choice.
    if let cpal::SupportedBufferSize::Range { min, max } = *supported.buffer_size() {
        if min <= max {
            config.buffer_size = cpal::BufferSize::Fixed((rate / 50).clamp(min, max));
        }
    }
    let built = match open_stream(&device, config, format, capacity, &shared) {
        Err(_) if config.buffer_size != cpal::BufferSize::Default => {
            config.buffer_size = cpal::BufferSize::Default;
            open_stream(&device, config, format, capacity, &shared)
        }
        other => other,
    };
    let (stream, consumer) =
        built.map_err(|e| Error::Input(format!("cannot open microphone \"{name}\": {e}")))?;
    stream
        .play()
        .map_err(|e| Error::Input(format!("cannot start recording from \"{name}\": {e}")))?;
    Ok(Capture {
        stream: Some(stream),
        consumer,
        shared,
        rate,
        channels,
        device_name: name,
        sample_format: format.to_string(),
    })
}

impl Capture {
    /// Sample rate of the chunks, Hz (the device's own).
    pub fn rate(&self) -> u32 {
        self.rate
    }
    /// Channels per frame in the chunks (interleaved).
    pub fn channels(&self) -> u16 {
        self.channels
    }
    pub fn device_name(&self) -> &str {
        &self.device_name
    }
    /// The format the device delivers, before conversion to f32.
    pub fn sample_format(&self) -> &str {
        &self.sample_format
    }
    /// Frames the device delivers per callback, where the system says.
    pub fn block_frames(&self) -> Option<u32> {
        self.stream.as_ref().and_then(|s| s.buffer_size().ok())
    }
    /// Blocks of audio dropped because the reader fell behind.
    pub fn overruns(&self) -> u64 {
        self.shared.overruns.load(Ordering::Relaxed)
    }
    /// Frames lost in those blocks.
    pub fn dropped_frames(&self) -> u64 {
        self.shared.dropped_frames.load(Ordering::Relaxed)
    }
    /// Overruns reported by the device or driver itself.
    pub fn xruns(&self) -> u64 {
        self.shared.xruns.load(Ordering::Relaxed)
    }
    /// Why the stream stopped delivering audio, once it has.
    pub fn error(&self) -> Option<&str> {
        self.shared.fatal.get().map(String::as_str)
    }

    /// Waits up to `timeout` for audio: `Ok(Some(samples))` with interleaved
    /// f32 frames (whole frames, everything buffered so far), `Ok(None)` when
    /// nothing came in time (or the stream was stopped and is drained), and
    /// `Err` when the device failed and everything it delivered before has
    /// been returned.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<Option<Vec<f32>>> {
        let deadline = Instant::now() + timeout;
        let channels = self.channels.max(1) as usize;
        loop {
            let available = self.consumer.slots();
            let take = available - available % channels;
            if take > 0 {
                let mut out = Vec::with_capacity(take);
                if let Ok(chunk) = self.consumer.read_chunk(take) {
                    let (a, b) = chunk.as_slices();
                    out.extend_from_slice(a);
                    out.extend_from_slice(b);
                    chunk.commit_all();
                }
                return Ok(Some(out));
            }
            if let Some(reason) = self.error() {
                return Err(Error::Input(format!(
                    "microphone \"{}\" stopped: {reason}",
                    self.device_name
                )));
            }
            if self.stream.is_none() {
                return Ok(None);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            // The ring buffer has no wake-up; a few milliseconds is far below
            // any buffer size a device uses, so nothing piles up.
            std::thread::sleep((deadline - now).min(Duration::from_millis(5)));
        }
    }

    /// Closes the device. Audio already captured can still be read.
    pub fn stop(&mut self) {
        if let Some(stream) = self.stream.take() {
            let _ = stream.pause();
            drop(stream);
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Builds the stream for `format` with a fresh ring buffer of `capacity` samples.
fn open_stream(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    format: cpal::SampleFormat,
    capacity: usize,
    shared: &Arc<Shared>,
) -> std::result::Result<(cpal::Stream, rtrb::Consumer<f32>), cpal::Error> {
    let (producer, consumer) = rtrb::RingBuffer::<f32>::new(capacity);
    let stream = match format {
        cpal::SampleFormat::I8 => build::<i8>(device, config, producer, shared),
        cpal::SampleFormat::I16 => build::<i16>(device, config, producer, shared),
        cpal::SampleFormat::I24 => build::<cpal::I24>(device, config, producer, shared),
        cpal::SampleFormat::I32 => build::<i32>(device, config, producer, shared),
        cpal::SampleFormat::I64 => build::<i64>(device, config, producer, shared),
        cpal::SampleFormat::U8 => build::<u8>(device, config, producer, shared),
        cpal::SampleFormat::U16 => build::<u16>(device, config, producer, shared),
        cpal::SampleFormat::U24 => build::<cpal::U24>(device, config, producer, shared),
        cpal::SampleFormat::U32 => build::<u32>(device, config, producer, shared),
        cpal::SampleFormat::U64 => build::<u64>(device, config, producer, shared),
        cpal::SampleFormat::F32 => build::<f32>(device, config, producer, shared),
        cpal::SampleFormat::F64 => build::<f64>(device, config, producer, shared),
        _ => unreachable!("checked by is_convertible"),
    }?;
    Ok((stream, consumer))
}

fn build<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    mut producer: rtrb::Producer<f32>,
    shared: &Arc<Shared>,
) -> std::result::Result<cpal::Stream, cpal::Error>
where
    T: SizedSample,
    f32: FromSample<T>,
{
    let channels = config.channels.max(1) as u64;
    let data_shared = Arc::clone(shared);
    let error_shared = Arc::clone(shared);
    device.build_input_stream::<T, _, _>(
        config,
        // Runs on the audio thread: no locks, no allocation, no waiting.
        move |data: &[T], _: &cpal::InputCallbackInfo| match producer.write_chunk_uninit(data.len())
        {
            Ok(chunk) => {
                chunk.fill_from_iter(data.iter().map(|&s| s.to_sample::<f32>()));
            }
            Err(_) => {
                data_shared.overruns.fetch_add(1, Ordering::Relaxed);
                data_shared
                    .dropped_frames
                    .fetch_add(data.len() as u64 / channels, Ordering::Relaxed);
            }
        },
        move |err: cpal::Error| match err.kind() {
            // The device overran: some audio was lost, the stream goes on.
            cpal::ErrorKind::Xrun => {
                error_shared.xruns.fetch_add(1, Ordering::Relaxed);
            }
            // Informational: the stream keeps running.
            cpal::ErrorKind::DeviceChanged | cpal::ErrorKind::RealtimeDenied => {}
            // Anything else ends the take; the first reason is kept.
            _ => {
                let _ = error_shared.fatal.set(err.to_string());
            }
        },
        Some(Duration::from_secs(5)),
    )
}

/// ALSA's `null` device "records" endless silence: never a microphone.
fn is_pseudo(device: &cpal::Device) -> bool {
    device.id().is_ok_and(|id| id.id() == "null")
}

/// Whether the callback can turn this format into f32 (DSD cannot).
fn is_convertible(format: cpal::SampleFormat) -> bool {
    use cpal::SampleFormat::*;
    matches!(
        format,
        I8 | I16 | I24 | I32 | I64 | U8 | U16 | U24 | U32 | U64 | F32 | F64
    )
}

fn device_name(device: &cpal::Device) -> String {
    match device.description() {
        Ok(d) => d.name().to_string(),
        Err(_) => device
            .id()
            .map(|id| id.id().to_string())
            .unwrap_or_else(|_| "unknown device".into()),
    }
}

/// Finds an input device by its id or name: exact match first, then a
/// case-insensitive part of the name if only one device has it.
fn find_device(host: &cpal::Host, wanted: &str) -> Result<cpal::Device> {
    let devices: Vec<cpal::Device> = host
        .input_devices()
        .map_err(|e| {
            Error::Input(format!(
                "no microphone found: cannot list audio devices ({e})"
            ))
        })?
        .filter(|d| !is_pseudo(d))
        .collect();
    if devices.is_empty() {
        return Err(Error::Input(format!(
            "no microphone found: there are no input devices, so none called \"{wanted}\""
        )));
    }
    let named: Vec<(String, String)> = devices
        .iter()
        .map(|d| {
            (
                d.id().map(|id| id.id().to_string()).unwrap_or_default(),
                device_name(d),
            )
        })
        .collect();
    if let Some(i) = named
        .iter()
        .position(|(id, name)| id == wanted || name == wanted)
    {
        return Ok(devices[i].clone());
    }
    let lower = wanted.to_lowercase();
    let partial: Vec<usize> = named
        .iter()
        .enumerate()
        .filter(|(_, (id, name))| {
            id.to_lowercase().contains(&lower) || name.to_lowercase().contains(&lower)
        })
        .map(|(i, _)| i)
        .collect();
    if let [i] = partial[..] {
        return Ok(devices[i].clone());
    }
    let list = named
        .iter()
        .map(|(id, _)| id.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let why = if partial.is_empty() {
        "no input device"
    } else {
        "more than one input device"
    };
    Err(Error::Input(format!(
        "{why} matches \"{wanted}\"; the input devices are: {list}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cpal::Sample;

    #[test]
    fn every_integer_and_float_format_converts_to_unit_range() {
        assert_eq!(i16::MIN.to_sample::<f32>(), -1.0);
        assert!((i16::MAX.to_sample::<f32>() - 1.0).abs() < 1e-4);
        assert_eq!(0u8.to_sample::<f32>(), -1.0);
        assert_eq!(128u8.to_sample::<f32>(), 0.0);
        assert_eq!(32_768u16.to_sample::<f32>(), 0.0);
        assert_eq!(0i8.to_sample::<f32>(), 0.0);
        assert!((i32::MAX.to_sample::<f32>() - 1.0).abs() < 1e-6);
        assert_eq!(0.25f64.to_sample::<f32>(), 0.25);
        assert!(is_convertible(cpal::SampleFormat::U24));
        assert!(!is_convertible(cpal::SampleFormat::DsdU8));
    }
}
