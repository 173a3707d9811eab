//! WAV with hound: decoding PCM 8/16/24/32-bit and 32-bit float, any channel
//! count (averaged to mono), and writing the 16-bit mono WAV of a take or a
//! page's player. The only file that imports hound.
//!
//! The header is checked before any sample is read, so a huge or lying file
//! is refused without allocating for it, and the reasons hound gives are
//! turned into words a user can act on.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::{downmix, Audio};
use crate::error::{Error, Result};

/// Rates we accept. Below 8 kHz speech is not intelligible enough; above
/// 192 kHz is not a recording of a voice.
pub const MIN_RATE: u32 = 8_000;
pub const MAX_RATE: u32 = 192_000;

/// Reads a WAV file from disk.
pub fn read_file(path: &Path, max_seconds: f64) -> Result<Audio> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read(std::io::BufReader::new(file), path, max_seconds)
}

/// Reads a WAV stream; `name` is used in error messages.
pub fn read<R: Read + Seek>(mut reader: R, name: &Path, max_seconds: f64) -> Result<Audio> {
    let bad = |reason: String| Error::bad_audio(name, reason);
    if let Some(tag) = sniff_format_tag(&mut reader).map_err(|e| Error::io(name, e))? {
        if let Some(encoding) = unsupported_encoding(tag) {
            return Err(bad(format!(
                "unsupported WAV encoding: {encoding}; vmcoach reads PCM and 32-bit float WAV"
            )));
        }
    }
    let wav = hound::WavReader::new(reader).map_err(|e| bad(describe(e)))?;
    let spec = wav.spec();
    if spec.channels == 0 {
        return Err(bad("the header says it has no channels".into()));
    }
    if !(MIN_RATE..=MAX_RATE).contains(&spec.sample_rate) {
        return Err(bad(format!(
            "sample rate {} Hz is outside what vmcoach accepts ({MIN_RATE}-{MAX_RATE} Hz)",
            spec.sample_rate
        )));
    }
    let frames = wav.duration() as u64;
    if frames == 0 {
        return Err(bad("contains no audio samples".into()));
    }
    let seconds = frames as f64 / spec.sample_rate as f64;
    if seconds > max_seconds {
        return Err(bad(too_long(seconds, max_seconds)));
    }
    let samples = frames * spec.channels as u64;
    if samples > super::MAX_SAMPLES {
        return Err(bad(too_big(samples)));
    }

    let interleaved = match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Float, 32) => {
            collect(wav.into_samples::<f32>(), frames, spec, |s| s, name)?
        }
        (hound::SampleFormat::Int, bits @ 1..=32) => {
            let scale = 1.0 / (1u64 << (bits - 1)) as f32;
            collect(
                wav.into_samples::<i32>(),
                frames,
                spec,
                |s| s as f32 * scale,
                name,
            )?
        }
        (format, bits) => {
            return Err(bad(format!(
                "unsupported WAV encoding: {bits}-bit {}",
                if format == hound::SampleFormat::Float {
                    "float"
                } else {
                    "integer"
                }
            )))
        }
    };
    Ok(Audio {
        samples: downmix(&interleaved, spec.channels as usize),
        rate: spec.sample_rate,
    })
}

fn collect<S, I>(
    samples: I,
    frames: u64,
    spec: hound::WavSpec,
    convert: impl Fn(S) -> f32,
    name: &Path,
) -> Result<Vec<f32>>
where
    I: Iterator<Item = hound::Result<S>>,
{
    let expected = frames * spec.channels as u64;
    let mut out = Vec::with_capacity(expected as usize);
    for sample in samples {
        match sample {
            Ok(s) => out.push(convert(s)),
            // hound reports a data chunk that stops early as an I/O error
            // ("failed to read enough bytes"), whatever its kind.
            Err(hound::Error::IoError(_)) => {
                return Err(truncated(name, out.len() as u64, expected, spec));
            }
            Err(e) => return Err(Error::bad_audio(name, describe(e))),
        }
    }
    if (out.len() as u64) < expected {
        return Err(truncated(name, out.len() as u64, expected, spec));
    }
    Ok(out)
}

fn truncated(name: &Path, got: u64, expected: u64, spec: hound::WavSpec) -> Error {
    let per_second = spec.sample_rate as f64 * spec.channels as f64;
    Error::bad_audio(
        name,
        format!(
            "truncated: the header promises {:.1} s of audio but the file ends after {:.1} s",
            expected as f64 / per_second,
            got as f64 / per_second
        ),
    )
}

/// A length for a person: "45.0 s", "10 min", "10 min 1 s", "10 min 0.4 s".
pub(super) fn minutes(seconds: f64) -> String {
    if seconds < 60.0 {
        return format!("{seconds:.1} s");
    }
    let tenths = (seconds * 10.0).round() as u64;
    let (whole, rest) = (tenths / 600, tenths % 600);
    match rest {
        0 => format!("{whole} min"),
        r if r % 10 == 0 => format!("{whole} min {} s", r / 10),
        r => format!("{whole} min {}.{} s", r / 10, r % 10),
    }
}

/// Why a recording of `seconds` is refused with a limit of `max_seconds`,
/// the two told apart however close they are.
pub(super) fn too_long(seconds: f64, max_seconds: f64) -> String {
    let (length, limit) = match (minutes(seconds), minutes(max_seconds)) {
        (a, b) if a == b => (format!("{seconds:.2} s"), format!("{max_seconds:.2} s")),
        pair => pair,
    };
    format!("is {length} long; the limit is {limit} (use --max-seconds to change it)")
}

/// Why a recording that would decode to `samples` samples (all channels)
/// is refused whatever the length limit: see [`super::MAX_SAMPLES`].
pub(super) fn too_big(samples: u64) -> String {
    format!(
        "is too big to analyse: it decodes to {samples} samples ({:.0} MB), and vmcoach holds at \
         most {} MB of samples for one recording; cut it shorter, or save it as mono at 16 kHz",
        samples as f64 * 4e-6,
        super::MAX_SAMPLES * 4 / 1_000_000
    )
}

/// A sample in -1..1 as a 16-bit one (clipped at full scale).
pub fn to_i16(sample: f32) -> i16 {
    (sample.clamp(-1.0, 1.0) * 32767.0).round() as i16
}

/// A 16-bit mono WAV written as the samples come. Dropped without
/// [`Writer::finalize`] (an error, a panic), it still brings the header up
/// to date, so what was written stays playable.
pub struct Writer<W: Write + Seek> {
    inner: hound::WavWriter<W>,
    /// Named in errors.
    name: std::path::PathBuf,
}

impl<W: Write + Seek> Writer<W> {
    /// Writes the header to `out`; `name` is used in error messages.
    pub fn new(out: W, rate: u32, name: &Path) -> Result<Self> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let inner = hound::WavWriter::new(out, spec).map_err(|e| write_error(name, e))?;
        Ok(Writer {
            inner,
            name: name.to_path_buf(),
        })
    }

    pub fn write(&mut self, samples: &[f32]) -> Result<()> {
        for &s in samples {
            self.inner
                .write_sample(to_i16(s))
                .map_err(|e| write_error(&self.name, e))?;
        }
        Ok(())
    }

    /// Brings the header up to date and writes out what is buffered.
    pub fn flush(&mut self) -> Result<()> {
        self.inner.flush().map_err(|e| write_error(&self.name, e))
    }

    pub fn finalize(self) -> Result<()> {
        let name = self.name;
        self.inner.finalize().map_err(|e| write_error(&name, e))
    }
}

/// `samples` as a whole 16-bit mono WAV file in memory; `name` is used in
/// error messages (a WAV file holds at most 4 GB).
pub fn encode(samples: &[f32], rate: u32, name: &Path) -> Result<Vec<u8>> {
    let mut bytes = std::io::Cursor::new(Vec::with_capacity(44 + samples.len() * 2));
    let mut writer = Writer::new(&mut bytes, rate, name)?;
    writer.write(samples)?;
    writer.finalize()?;
    Ok(bytes.into_inner())
}

/// Why the WAV file at `path` cannot be opened, if it cannot.
pub fn header_problem(path: &Path) -> Option<String> {
    hound::WavReader::open(path).err().map(|e| e.to_string())
}

fn write_error(name: &Path, e: hound::Error) -> Error {
    match e {
        hound::Error::IoError(e) => Error::io(name, e),
        other => Error::bad_audio(name, other.to_string()),
    }
}

/// hound's errors in plain words.
fn describe(e: hound::Error) -> String {
    match e {
        hound::Error::FormatError(msg) => format!("corrupt WAV file ({msg})"),
        // hound reports a header cut short as UnexpectedEof, or as an
        // error of its own: "Failed to read enough bytes."
        hound::Error::IoError(e)
            if e.kind() == std::io::ErrorKind::UnexpectedEof
                || e.to_string().contains("enough bytes") =>
        {
            "truncated: the file ends inside its WAV header".into()
        }
        hound::Error::IoError(e) => format!("read error: {e}"),
        hound::Error::Unsupported => "unsupported WAV encoding".into(),
        hound::Error::InvalidSampleFormat => "invalid sample format in the WAV header".into(),
        hound::Error::TooWide => "samples are wider than 32 bits".into(),
        other => other.to_string(),
    }
}

/// Looks for the `fmt ` chunk of a RIFF/WAVE stream and returns its format
/// tag (the sub-format's for WAVE_FORMAT_EXTENSIBLE), so a compressed WAV can
/// be named ("mu-law") instead of hound's bare "unsupported". Returns `None`
/// when the stream is not laid out as expected; hound then reports the error.
pub(super) fn sniff_format_tag<R: Read + Seek>(reader: &mut R) -> std::io::Result<Option<u16>> {
    let start = reader.stream_position()?;
    let result = (|| {
        let mut riff = [0u8; 12];
        if reader.read_exact(&mut riff).is_err()
            || &riff[0..4] != b"RIFF"
            || &riff[8..12] != b"WAVE"
        {
            return Ok(None);
        }
        // Walk at most a few chunks looking for "fmt ".
        for _ in 0..16 {
            let mut head = [0u8; 8];
            if reader.read_exact(&mut head).is_err() {
                return Ok(None);
            }
            let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as i64;
            if &head[0..4] == b"fmt " {
                let mut fmt = [0u8; 40];
                let n = (len as usize).min(40);
                if n < 2 || reader.read_exact(&mut fmt[..n]).is_err() {
                    return Ok(None);
                }
                let tag = u16::from_le_bytes([fmt[0], fmt[1]]);
                if tag == 0xFFFE && n >= 26 {
                    return Ok(Some(u16::from_le_bytes([fmt[24], fmt[25]])));
                }
                return Ok(Some(tag));
            }
            reader.seek(SeekFrom::Current(len + (len & 1)))?;
        }
        Ok(None)
    })();
    reader.seek(SeekFrom::Start(start))?;
    result
}

/// Names a WAV format tag that hound cannot decode.
fn unsupported_encoding(tag: u16) -> Option<&'static str> {
    Some(match tag {
        1 | 3 => return None,
        2 => "Microsoft ADPCM",
        6 => "A-law",
        7 => "mu-law",
        0x11 => "IMA ADPCM",
        0x31 => "GSM 6.10",
        0x55 => "MP3 inside WAV",
        _ => "compressed (format tag not PCM or float)",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file a second over the limit is not "10.0 minutes long; the limit
    /// is 10.0 minutes": the two lengths always read differently.
    #[test]
    fn a_length_over_the_limit_reads_as_more_than_the_limit() {
        assert_eq!(minutes(45.0), "45.0 s");
        assert_eq!(minutes(600.0), "10 min");
        assert_eq!(minutes(601.0), "10 min 1 s");
        assert_eq!(minutes(600.4), "10 min 0.4 s");
        assert_eq!(
            too_long(601.0, 600.0),
            "is 10 min 1 s long; the limit is 10 min (use --max-seconds to change it)"
        );
        assert_eq!(
            too_long(600.02, 600.0),
            "is 600.02 s long; the limit is 600.00 s (use --max-seconds to change it)"
        );
    }
    use std::io::Cursor;

    const LIMIT: f64 = 600.0;

    fn name() -> &'static Path {
        Path::new("test.wav")
    }

    /// Writes `frames` of a ramp in the given format to an in-memory WAV.
    fn wav_bytes(spec: hound::WavSpec, frames: usize, value: f64) -> Vec<u8> {
        let mut cursor = Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut cursor, spec).unwrap();
        for _ in 0..frames {
            for _ in 0..spec.channels {
                match spec.sample_format {
                    hound::SampleFormat::Float => w.write_sample(value as f32).unwrap(),
                    hound::SampleFormat::Int => {
                        let max = (1i64 << (spec.bits_per_sample - 1)) as f64;
                        let v = (value * max).round().min(max - 1.0) as i32;
                        w.write_sample(v).unwrap()
                    }
                }
            }
        }
        w.finalize().unwrap();
        cursor.into_inner()
    }

    fn spec(channels: u16, rate: u32, bits: u16, float: bool) -> hound::WavSpec {
        hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: bits,
            sample_format: if float {
                hound::SampleFormat::Float
            } else {
                hound::SampleFormat::Int
            },
        }
    }

    #[test]
    fn every_bit_depth_and_channel_count_decodes_to_the_same_level() {
        for (bits, float) in [
            (8, false),
            (16, false),
            (24, false),
            (32, false),
            (32, true),
        ] {
            for channels in [1u16, 2, 6] {
                let bytes = wav_bytes(spec(channels, 22_050, bits, float), 2205, 0.5);
                let audio = read(Cursor::new(bytes), name(), LIMIT).unwrap();
                assert_eq!(audio.rate, 22_050);
                assert_eq!(audio.samples.len(), 2205, "{bits}-bit x{channels}");
                let tolerance = if bits == 8 { 1.0 / 64.0 } else { 1e-4 };
                assert!(
                    audio.samples.iter().all(|s| (s - 0.5).abs() < tolerance),
                    "{bits}-bit float={float} x{channels}: {}",
                    audio.samples[0]
                );
            }
        }
    }

    #[test]
    fn downmix_averages_channels() {
        let mut cursor = Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut cursor, spec(2, 16_000, 16, false)).unwrap();
        for _ in 0..100 {
            w.write_sample(16_384i16).unwrap();
            w.write_sample(0i16).unwrap();
        }
        w.finalize().unwrap();
        let audio = read(Cursor::new(cursor.into_inner()), name(), LIMIT).unwrap();
        assert!(audio.samples.iter().all(|s| (s - 0.25).abs() < 1e-4));
    }

    #[test]
    fn round_trip_of_sixteen_bit_is_lossless() {
        let mut cursor = Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut cursor, spec(1, 16_000, 16, false)).unwrap();
        let values: Vec<i16> = (-500..500).map(|i| (i * 37) as i16).collect();
        for v in &values {
            w.write_sample(*v).unwrap();
        }
        w.finalize().unwrap();
        let audio = read(Cursor::new(cursor.into_inner()), name(), LIMIT).unwrap();
        let back: Vec<i16> = audio
            .samples
            .iter()
            .map(|s| (s * 32768.0).round() as i16)
            .collect();
        assert_eq!(back, values);
    }

    fn err(bytes: Vec<u8>) -> String {
        read(Cursor::new(bytes), name(), LIMIT)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn text_is_not_a_wav() {
        let e = err(b"hello, this is a text file pretending to be audio\n".to_vec());
        assert!(e.starts_with("test.wav: "), "{e}");
        assert!(e.contains("corrupt WAV") || e.contains("not a WAV"), "{e}");
    }

    #[test]
    fn empty_file_is_refused() {
        let e = err(Vec::new());
        assert!(e.contains("test.wav"), "{e}");
    }

    #[test]
    fn truncated_data_is_named() {
        let mut bytes = wav_bytes(spec(1, 16_000, 16, false), 16_000, 0.1);
        bytes.truncate(bytes.len() / 2);
        let e = err(bytes);
        assert!(e.contains("truncated"), "{e}");
        assert!(e.contains("1.0 s"), "{e}");
    }

    #[test]
    fn a_header_cut_short_is_named_truncated() {
        let full = wav_bytes(spec(1, 16_000, 16, false), 16_000, 0.1);
        for len in [12, 16, 20, 30] {
            let e = err(full[..len].to_vec());
            assert!(e.starts_with("test.wav: "), "{len}: {e}");
            assert!(e.contains("truncated"), "{len}: {e}");
        }
    }

    #[test]
    fn header_only_has_no_samples() {
        let e = err(wav_bytes(spec(1, 16_000, 16, false), 0, 0.0));
        assert!(e.contains("no audio samples"), "{e}");
    }

    #[test]
    fn mu_law_is_named() {
        // A minimal mu-law WAV: fmt tag 7, 8-bit, 8 kHz, 8 samples.
        let mut b = Vec::new();
        b.extend_from_slice(b"RIFF");
        b.extend_from_slice(&(4u32 + 8 + 18 + 8 + 8).to_le_bytes());
        b.extend_from_slice(b"WAVEfmt ");
        b.extend_from_slice(&18u32.to_le_bytes());
        for v in [7u16, 1] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(&8000u32.to_le_bytes());
        b.extend_from_slice(&8000u32.to_le_bytes());
        for v in [1u16, 8, 0] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(b"data");
        b.extend_from_slice(&8u32.to_le_bytes());
        b.extend_from_slice(&[0xFFu8; 8]);
        let e = err(b);
        assert!(e.contains("mu-law"), "{e}");
    }

    #[test]
    fn too_long_is_refused_before_decoding() {
        let bytes = wav_bytes(spec(1, 8_000, 16, false), 8_000 * 3, 0.1);
        let e = read(Cursor::new(bytes), name(), 2.0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("limit is 2.0 s"), "{e}");
    }

    #[test]
    fn rate_outside_range_is_refused() {
        let e = err(wav_bytes(spec(1, 4_000, 16, false), 400, 0.1));
        assert!(e.contains("4000 Hz"), "{e}");
    }
}
