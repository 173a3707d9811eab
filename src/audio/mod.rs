//! Audio in: decoding files to mono f32, resampling to the model's 16 kHz,
//! and level measurements. Each third-party audio crate is imported in one file:
//! hound in [`wav`] (PCM and float WAV), symphonia in [`decode`] (everything else).

pub mod capture;
pub mod decode;
pub mod levels;
pub mod recorder;
pub mod resample;
pub mod wav;

/// Decoded audio: mono samples in -1..1 at `rate` Hz.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    pub samples: Vec<f32>,
    pub rate: u32,
}

impl Audio {
    pub fn duration_s(&self) -> f64 {
        if self.rate == 0 {
            0.0
        } else {
            self.samples.len() as f64 / self.rate as f64
        }
    }
}

/// The model's input rate.
pub const MODEL_RATE: u32 = 16_000;

/// Mono audio at 16 kHz. Only [`resample::to_16k`] builds one, so whatever
/// reaches the model has been through the resampler.
#[derive(Debug, Clone, PartialEq)]
pub struct Mono16k(Vec<f32>);

impl Mono16k {
    pub(crate) fn from_resampled(samples: Vec<f32>) -> Self {
        Mono16k(samples)
    }
    pub fn samples(&self) -> &[f32] {
        &self.0
    }
    pub fn duration_s(&self) -> f64 {
        self.0.len() as f64 / MODEL_RATE as f64
    }
    /// The stretch from `from_s` to `to_s` (clamped to the audio).
    pub fn between(&self, from_s: f64, to_s: f64) -> Mono16k {
        let rate = MODEL_RATE as f64;
        let at = |s: f64| ((s * rate).max(0.0) as usize).min(self.0.len());
        let from = at(from_s);
        Mono16k(self.0[from..at(to_s).max(from)].to_vec())
    }
}

/// Averages interleaved frames of `channels` samples down to one channel.
pub fn downmix(interleaved: &[f32], channels: usize) -> Vec<f32> {
    if channels <= 1 {
        return interleaved.to_vec();
    }
    let scale = 1.0 / channels as f32;
    interleaved
        .chunks_exact(channels)
        .map(|frame| frame.iter().sum::<f32>() * scale)
        .collect()
}

/// Default longest input: a voicemail is a minute or two; ten minutes is
/// already far past anything worth coaching.
pub const DEFAULT_MAX_SECONDS: f64 = 600.0;

/// The most samples (all channels counted) one recording may decode to,
/// whatever `--max-seconds` allows: 2^27, 512 MiB as f32, enough for the
/// default limit at 192 kHz. A header that promises more is refused before
/// decoding, and decoding stops when the samples pass it.
pub const MAX_SAMPLES: u64 = 1 << 27;

/// Reads an audio file to mono samples at its own rate.
///
/// The first bytes decide the reader: PCM and float WAV go to hound (fast, and
/// precise about what is wrong with a WAV), formats nobody here can decode
/// (AMR, Opus, WebM, text, documents) are named at once, and everything else
/// (MP3, M4A/AAC, FLAC, Ogg Vorbis, AIFF, mu-law and A-law WAV) goes to symphonia.
pub fn load(path: &std::path::Path, max_seconds: f64) -> crate::Result<Audio> {
    let meta = std::fs::metadata(path).map_err(|e| crate::Error::io(path, e))?;
    if meta.is_dir() {
        return Err(crate::Error::bad_audio(
            path,
            "is a folder, not an audio file",
        ));
    }
    if !meta.is_file() {
        return Err(crate::Error::bad_audio(
            path,
            "is not a regular file (a pipe, a socket or a device); save the recording to a file first",
        ));
    }
    if meta.len() == 0 {
        return Err(crate::Error::bad_audio(path, "is empty (0 bytes)"));
    }
    let mut audio = decode_file(path, max_seconds)?;
    if audio.samples.iter().any(|s| !s.is_finite()) {
        return Err(crate::Error::bad_audio(
            path,
            "is damaged: it holds samples that are not numbers (NaN or infinity)",
        ));
    }
    let peak = audio.samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    if peak > MAX_PEAK {
        return Err(crate::Error::bad_audio(
            path,
            format!(
                "is damaged: its samples reach {peak:.3e} times full scale (float audio stays near 1); \
                 it may be integer audio stored as float"
            ),
        ));
    }
    remove_dc(&mut audio.samples);
    Ok(audio)
}

/// The largest sample a recording may hold, in times full scale: float
/// audio may run a little over 1, never this far (36 dB over).
const MAX_PEAK: f32 = 64.0;

/// A constant offset of the samples (a microphone's or sound card's DC)
/// above this (-34 dBFS) is taken off before anything measures or hears the
/// audio. Speech itself averages to far less; the largest offset in the
/// fixtures and evaluation recordings is under 0.015, and they are heard
/// exactly as before.
const DC_LIMIT: f32 = 0.02;

/// Takes a constant offset off `samples`, when it is large enough to
/// matter: the voice detector measures levels, and an offset of a tenth of
/// full scale reads as loud steady noise with no voice above it.
fn remove_dc(samples: &mut [f32]) {
    if samples.is_empty() {
        return;
    }
    let mean = (samples.iter().map(|&s| s as f64).sum::<f64>() / samples.len() as f64) as f32;
    if mean.abs() > DC_LIMIT {
        for s in samples.iter_mut() {
            *s -= mean;
        }
    }
}

/// The reader the first bytes of `path` call for, and its audio.
fn decode_file(path: &std::path::Path, max_seconds: f64) -> crate::Result<Audio> {
    let head = read_head(path)?;
    match sniff(&head) {
        Sniffed::Wav => {
            // The fmt chunk may sit after other chunks, past the sniffed bytes.
            let file = std::fs::File::open(path).map_err(|e| crate::Error::io(path, e))?;
            let tag = wav::sniff_format_tag(&mut std::io::BufReader::new(file))
                .ok()
                .flatten();
            if wav_for_symphonia(tag) {
                decode::read_file(path, max_seconds)
            } else {
                wav::read_file(path, max_seconds)
            }
        }
        Sniffed::Other => decode::read_file(path, max_seconds),
        Sniffed::Refused(reason) => Err(crate::Error::bad_audio(path, reason)),
    }
}

/// Which WAVs go to symphonia, by format tag: G.711 telephone audio (6 A-law,
/// 7 mu-law), which its PCM decoder expands. PCM and float stay on hound, and
/// so does every other tag: hound's reader names the encoding it cannot read.
fn wav_for_symphonia(tag: Option<u16>) -> bool {
    matches!(tag, Some(6) | Some(7))
}

/// How many leading bytes [`sniff`] looks at.
const HEAD_LEN: usize = 4096;

fn read_head(path: &std::path::Path) -> crate::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| crate::Error::io(path, e))?;
    let mut head = Vec::with_capacity(HEAD_LEN);
    file.take(HEAD_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| crate::Error::io(path, e))?;
    Ok(head)
}

/// Where a file goes, judged from its first bytes.
#[derive(Debug, PartialEq)]
enum Sniffed {
    /// RIFF/WAVE: its format tag decides (see [`wav_for_symphonia`]).
    Wav,
    /// Refused here, with the reason.
    Refused(String),
    /// Anything else: symphonia probes it.
    Other,
}

const CONVERT: &str = "convert it to WAV or MP3 first";

fn sniff(head: &[u8]) -> Sniffed {
    let refuse = |what: &str| Sniffed::Refused(format!("{what} is not supported; {CONVERT}"));
    if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WAVE") {
        return Sniffed::Wav;
    }
    if head.starts_with(b"#!AMR") {
        // "#!AMR\n" (narrowband) or "#!AMR-WB\n" (wideband), RFC 4867.
        return refuse("AMR audio");
    }
    if head.starts_with(b"OggS") {
        if find(head, b"OpusHead") {
            return refuse("Opus audio");
        }
        if find(head, b"Speex   ") {
            return refuse("Speex audio");
        }
        return Sniffed::Other;
    }
    if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return refuse("WebM/Matroska audio");
    }
    if let Some(kind) = document_kind(head) {
        return Sniffed::Refused(format!("is {kind}, not an audio file"));
    }
    // Audio that starts with printable bytes (a tag or container name) is not text.
    let audio_magic: [&[u8]; 4] = [b"ID3", b"fLaC", b"FORM", b"ADIF"];
    if looks_like_text(head) && !audio_magic.iter().any(|m| head.starts_with(m)) {
        return Sniffed::Refused(
            "is a text file, not an audio file (not a WAV, MP3 or any other recording)".into(),
        );
    }
    Sniffed::Other
}

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Common files that get picked by mistake.
fn document_kind(head: &[u8]) -> Option<&'static str> {
    let kinds: [(&[u8], &str); 6] = [
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG picture"),
        (&[0xFF, 0xD8, 0xFF], "a JPEG picture"),
        (b"GIF8", "a GIF picture"),
        (b"PK\x03\x04", "a zip archive (or an Office document)"),
        (b"{\\rtf", "an RTF document"),
    ];
    kinds
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, kind)| *kind)
}

/// Text, not audio: valid UTF-8 (a character cut off at the end of the sniffed
/// bytes is allowed) of printable characters and ordinary whitespace.
fn looks_like_text(head: &[u8]) -> bool {
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() && head.len() >= HEAD_LEN => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !text.is_empty()
        && text
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\x0C'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_is_taken_off_and_speech_left_as_it_is() {
        // Ten whole periods: no offset to take off.
        let step = std::f32::consts::TAU * 10.0 / 1600.0;
        let tone: Vec<f32> = (0..1600).map(|i| (i as f32 * step).sin() * 0.3).collect();
        let mut same = tone.clone();
        remove_dc(&mut same);
        assert!(same == tone, "a tone without an offset was changed");
        let mut shifted: Vec<f32> = tone.iter().map(|s| s + 0.09).collect();
        remove_dc(&mut shifted);
        let mean = shifted.iter().sum::<f32>() / shifted.len() as f32;
        assert!(mean.abs() < 1e-3, "{mean}");
        for (a, b) in shifted.iter().zip(&tone) {
            assert!((a - b).abs() < 2e-3, "{a} {b}");
        }
    }

    fn wav_header(tag: u16) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(b"RIFF");
        b.extend_from_slice(&36u32.to_le_bytes());
        b.extend_from_slice(b"WAVEfmt ");
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&tag.to_le_bytes());
        b.extend_from_slice(&[1, 0, 0x40, 0x1F, 0, 0, 0x80, 0x3E, 0, 0, 2, 0, 16, 0]);
        b.extend_from_slice(b"data");
        b.extend_from_slice(&0u32.to_le_bytes());
        b
    }

    #[test]
    fn pcm_and_float_wav_stay_on_hound_and_g711_goes_to_symphonia() {
        let route = |tag: u16| {
            assert_eq!(sniff(&wav_header(tag)), Sniffed::Wav);
            let sniffed =
                wav::sniff_format_tag(&mut std::io::Cursor::new(wav_header(tag))).unwrap();
            wav_for_symphonia(sniffed)
        };
        assert!(!route(1));
        assert!(!route(3));
        assert!(route(6));
        assert!(route(7));
        // hound's reader names the encodings nobody here decodes (GSM 6.10).
        assert!(!route(0x31));
        assert!(!wav_for_symphonia(None));
    }

    fn refused(head: &[u8]) -> String {
        match sniff(head) {
            Sniffed::Refused(reason) => reason,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn amr_opus_and_text_are_named() {
        assert!(refused(b"#!AMR\n\x3c\x00\x01").starts_with("AMR audio is not supported"));
        assert!(refused(b"#!AMR-WB\n\x00").starts_with("AMR audio"));
        let mut ogg = b"OggS\0\x02".to_vec();
        ogg.resize(28, 0);
        ogg.extend_from_slice(b"OpusHead\x01\x01");
        assert!(refused(&ogg).starts_with("Opus audio is not supported"));
        assert!(refused(b"Call Dana back on Tuesday.\n").contains("not an audio file"));
        assert!(refused("Caf\u{e9} r\u{e9}sum\u{e9} notes\r\n".as_bytes()).contains("text file"));
        assert!(refused(b"%PDF-1.7\n%\xE2\xE3").contains("PDF"));
    }

    #[test]
    fn binary_and_other_containers_go_to_symphonia() {
        assert_eq!(sniff(b"ID3\x04\x00\x00\x00\x00\x00\x0a"), Sniffed::Other);
        assert_eq!(sniff(b"fLaC\x00\x00\x00\x22"), Sniffed::Other);
        assert_eq!(sniff(b"\x00\x00\x00\x20ftypM4A "), Sniffed::Other);
        let mut vorbis = b"OggS\0\x02".to_vec();
        vorbis.resize(28, 0);
        vorbis.extend_from_slice(b"\x01vorbis");
        assert_eq!(sniff(&vorbis), Sniffed::Other);
        assert_eq!(sniff(&[0xFF, 0xFB, 0x90, 0x00, 0x00]), Sniffed::Other);
    }
}
