//! Everything that is not plain PCM WAV, decoded with symphonia: MP3, AAC
//! (M4A/MP4 and raw ADTS), FLAC, Ogg Vorbis, mu-law and A-law WAV, and AIFF.
//! The only file that imports symphonia.
//!
//! The container is probed, its default audio track decoded packet by packet to
//! f32 and averaged to mono. The length is checked against the limit before
//! any decoding, from the track's frame count when the container gives one, and
//! again while decoding, so a header that lies cannot make us decode for hours.
//! A few corrupt packets are skipped, as a player would skip them; a file that
//! is mostly corrupt, cut short, or holds no samples is refused with the reason.
//! What the bytes say that symphonia does not report (how much of the file is
//! audio, an MP4's edit list) is read beforehand, in [`layout`].

use std::fs::File;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use symphonia::core::audio::GenericAudioBufferRef;
use symphonia::core::codecs::audio::well_known as codec_ids;
use symphonia::core::codecs::audio::{
    AudioCodecId, AudioCodecParameters, AudioDecoder, AudioDecoderOptions,
};
use symphonia::core::errors::Error as DecodeErr;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

mod layout;

use self::layout::{layout, Layout, Mp4Info};
use super::wav::{minutes, too_long, MAX_RATE, MIN_RATE};
use super::{downmix, Audio};
use crate::error::{Error, Result};

/// Corrupt packets are skipped while they are at most this share of all
/// packets (and `ALWAYS_SKIPPABLE` are always allowed); past that the file is refused.
const MAX_BAD_SHARE: f64 = 0.10;
const ALWAYS_SKIPPABLE: u64 = 2;
/// This many undecodable packets in a row, with fewer good ones than bad so
/// far, ends decoding early: the file is garbage and reading on is wasted time.
const MAX_BAD_RUN: u64 = 32;

/// What this module can decode, for messages about what it cannot.
const READABLE: &str = "WAV, MP3, M4A/AAC, FLAC, Ogg Vorbis and AIFF";
const CONVERT: &str = "convert it to WAV or MP3 first";

/// Reads a compressed or non-PCM audio file to mono samples at its own rate.
pub fn read_file(path: &Path, max_seconds: f64) -> Result<Audio> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    // The decoders are safe Rust but not proven panic-free on hostile input;
    // a panic there is reported as a bad file, not a crash.
    match catch_unwind(AssertUnwindSafe(|| decode(file, path, max_seconds))) {
        Ok(Ok(audio)) => Ok(audio),
        Ok(Err(Undecodable::Io(e))) => Err(Error::io(path, e)),
        Ok(Err(reason)) => Err(Error::bad_audio(path, reason.to_string())),
        Err(_) => Err(Error::bad_audio(
            path,
            "corrupt audio data: the decoder could not make sense of it",
        )),
    }
}

/// The length a file's header gives (stated, or estimated from the
/// bitrate) in seconds, read without decoding: for planning, such as a
/// batch's time left. `None` when the header gives none or the file cannot
/// be read; reading it for real says why.
pub fn header_seconds(path: &Path) -> Option<f64> {
    let mut file = File::open(path).ok()?;
    let seconds = catch_unwind(AssertUnwindSafe(|| {
        let layout = layout(&mut file).ok()?;
        let format = probe(file, path, &layout).ok()?;
        let track = AudioTrack::default_of(format.as_ref(), &layout).ok()?;
        let rate = track.params.sample_rate.filter(|&r| r > 0)?;
        Some(track.header_frames? as f64 / f64::from(rate))
    }));
    seconds.ok().flatten().filter(|s| s.is_finite())
}

/// Why a file cannot be used, in the words [`read_file`] gives the user:
/// [`Undecodable::Io`] becomes [`Error::Io`], every other one
/// [`Error::BadAudio`] with this text as the reason.
#[derive(Debug, thiserror::Error)]
enum Undecodable {
    /// Reading the file failed other than by its end coming early.
    #[error("{0}")]
    Io(io::Error),

    // What the probe found.
    #[error(
        "truncated: the file stops part way through and its index (the MP4 moov box) is missing"
    )]
    Mp4CutShort,
    #[error("incomplete MP4/M4A file: its index (the moov box) is missing")]
    Mp4NoIndex,
    #[error("not an audio file, or not in a format vmcoach reads ({READABLE})")]
    NotAudio,
    #[error("truncated: the file is shorter than its header says")]
    ShorterThanHeader,
    #[error("read error: {0}")]
    Read(io::Error),
    #[error("corrupt audio file header ({0})")]
    CorruptHeader(String),
    #[error("the header asks for more than vmcoach allows ({0})")]
    HeaderLimit(String),
    #[error("cannot read it as audio ({0})")]
    NotReadable(String),

    // The track and its codec.
    #[error("has no audio track (it may be a video or picture file)")]
    NoAudioTrack,
    #[error("{}", unsupported_codec(*.0))]
    UnsupportedCodec(Option<AudioCodecId>),
    #[error("sample rate {0} Hz is outside what vmcoach accepts ({MIN_RATE}-{MAX_RATE} Hz)")]
    Rate(u32),
    #[error("{}", too_long(*.seconds, *.max_seconds))]
    TooLong { seconds: f64, max_seconds: f64 },
    #[error("cannot decode its {codec} audio ({why})")]
    CannotDecode { codec: &'static str, why: String },

    // While decoding.
    #[error("its sample rate changes part way through ({from} Hz, then {to} Hz)")]
    RateChange { from: u32, to: u32 },
    #[error("runs past the limit of {} (use --max-seconds to change it)", minutes(*.0))]
    PastLimit(f64),
    #[error("uses a {codec} feature vmcoach cannot decode ({problem}); {CONVERT}")]
    UnsupportedFeature {
        codec: &'static str,
        problem: String,
    },
    #[error("corrupt {codec} audio: no part of it could be decoded ({problem})")]
    NothingDecoded {
        codec: &'static str,
        problem: String,
    },
    #[error("corrupt {codec} audio: {failed} of {total} packets could not be decoded ({problem})")]
    TooManyFailed {
        codec: &'static str,
        failed: u64,
        total: u64,
        problem: String,
    },

    // What decoded, against what the file promised.
    #[error(
        "damaged: the header promises {promised_s:.1} s of audio but only {decoded_s:.1} s could \
         be decoded; the rest is unreadable"
    )]
    Damaged { promised_s: f64, decoded_s: f64 },
    #[error(
        "truncated: the header promises {promised_s:.1} s of audio but the file ends after \
         {decoded_s:.1} s"
    )]
    Truncated { promised_s: f64, decoded_s: f64 },
    #[error("truncated: the file ends before any audio could be decoded")]
    EndsBeforeAudio,
    #[error(
        "truncated: the file stops part way through its audio ({decoded_s:.1} s could be \
         decoded); it was not written to the end"
    )]
    CutShort { decoded_s: f64 },
    #[error("corrupt {codec} file ({msg})")]
    CorruptFile { codec: &'static str, msg: String },
    #[error(
        "corrupt: only {decoded_s:.1} s of audio could be decoded; the rest of the file is \
         unreadable"
    )]
    MostlyUnreadable { decoded_s: f64 },
    #[error("contains no audio samples")]
    NoSamples,
}

/// How the packet loop ended.
enum End {
    /// The container said there is nothing more.
    Clean,
    /// Reading stopped on an I/O error (for a cut-off file: unexpected end of file).
    Io(io::Error),
    /// The container itself was corrupt part way through.
    Corrupt(String),
}

/// Why packets failed to decode.
#[derive(Default)]
struct Failures {
    count: u64,
    run: u64,
    first: Option<String>,
    /// The decoder called a packet's content unsupported rather than corrupt.
    unsupported: bool,
}

impl Failures {
    fn add(&mut self, what: String, unsupported: bool) {
        if self.first.is_none() {
            self.unsupported = unsupported;
        }
        self.first.get_or_insert(what);
        self.count += 1;
        self.run += 1;
    }
}

/// Probes the file, picks its audio track, decodes it and checks that what
/// decoded is the whole of what the file promised.
fn decode(mut file: File, path: &Path, max_seconds: f64) -> Result<Audio, Undecodable> {
    let layout = layout(&mut file).map_err(Undecodable::Io)?;
    let mut format = probe(file, path, &layout)?;
    let track = AudioTrack::default_of(format.as_ref(), &layout)?;
    track.check_header_length(max_seconds)?;
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&track.params, &AudioDecoderOptions::default())
        .map_err(|e| match e {
            DecodeErr::Unsupported(_) => Undecodable::UnsupportedCodec(Some(track.params.codec)),
            other => Undecodable::CannotDecode {
                codec: track.codec,
                why: plain(&other),
            },
        })?;
    let (decoded, end) = Decoded::read(format.as_mut(), decoder.as_mut(), &track, max_seconds)?;
    decoded.check_failures(track.codec)?;
    decoded.check_complete(end, &layout, &track)?;
    decoded.into_audio(&layout)
}

/// Opens the container with symphonia, guided by the file's extension.
fn probe(file: File, path: &Path, layout: &Layout) -> Result<Box<dyn FormatReader>, Undecodable> {
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let source = MediaSourceStream::new(Box::new(file), Default::default());
    symphonia::default::get_probe()
        .probe(
            &hint,
            source,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| describe_probe_error(e, layout.mp4.as_ref()))
}

/// The audio track to decode, as the container describes it.
struct AudioTrack {
    id: u32,
    params: AudioCodecParameters,
    /// The codec's plain name, for messages.
    codec: &'static str,
    /// The length in the header, stated or estimated from the bitrate.
    header_frames: Option<u64>,
    /// The length when the container states it, as opposed to one estimated
    /// from the bitrate.
    promised_frames: Option<u64>,
}

impl AudioTrack {
    /// The container's default audio track.
    fn default_of(format: &dyn FormatReader, layout: &Layout) -> Result<Self, Undecodable> {
        let Some(track) = format.default_track(TrackType::Audio) else {
            let has_audio = format
                .tracks()
                .iter()
                .any(|t| t.codec_params.as_ref().and_then(|p| p.audio()).is_some());
            return Err(if has_audio {
                Undecodable::UnsupportedCodec(None)
            } else {
                Undecodable::NoAudioTrack
            });
        };
        let Some(params) = track.codec_params.as_ref().and_then(|p| p.audio()).cloned() else {
            return Err(Undecodable::NoAudioTrack);
        };
        let is_mpeg_audio = [
            codec_ids::CODEC_ID_MP1,
            codec_ids::CODEC_ID_MP2,
            codec_ids::CODEC_ID_MP3,
        ]
        .contains(&params.codec);
        Ok(AudioTrack {
            id: track.id,
            codec: codec_name(params.codec).unwrap_or("compressed"),
            header_frames: track.num_frames,
            promised_frames: track
                .num_frames
                .filter(|_| !is_mpeg_audio || layout.mp3_length_tag),
            params,
        })
    }

    /// Refuses a sample rate out of range, and a recording the header says
    /// is longer than the limit, before any decoding.
    fn check_header_length(&self, max_seconds: f64) -> Result<(), Undecodable> {
        if let Some(rate) = self.params.sample_rate {
            check_rate(rate)?;
            // Even an estimate is good enough to refuse a recording of hours.
            if let Some(frames) = self.header_frames {
                let seconds = frames as f64 / rate as f64;
                if seconds > max_seconds {
                    return Err(Undecodable::TooLong {
                        seconds,
                        max_seconds,
                    });
                }
            }
        }
        Ok(())
    }
}

/// What the packet loop decoded, and what it met on the way.
struct Decoded {
    mono: Vec<f32>,
    rate: Option<u32>,
    /// Packets that decoded.
    good: u64,
    failures: Failures,
    /// Bytes of the packets that decoded: compared with the file's size, tells a
    /// file cut short (nearly every byte decoded) from one that is mostly garbage
    /// (demuxers skip unreadable stretches without a word).
    good_bytes: u64,
}

impl Decoded {
    /// Decodes the track's packets to mono until the container ends, fails,
    /// or the packets are garbage, and says how reading ended; stops with an
    /// error past `max_seconds`.
    fn read(
        format: &mut dyn FormatReader,
        decoder: &mut dyn AudioDecoder,
        track: &AudioTrack,
        max_seconds: f64,
    ) -> Result<(Self, End), Undecodable> {
        let mut d = Decoded {
            mono: Vec::new(),
            rate: track.params.sample_rate,
            good: 0,
            failures: Failures::default(),
            good_bytes: 0,
        };
        let mut end = End::Clean;
        if let (Some(r), Some(frames)) = (d.rate, track.header_frames) {
            // Bounded by the limit checked before decoding.
            d.mono
                .reserve(frames.min((max_seconds * r as f64) as u64 + 1) as usize);
        }
        let mut interleaved: Vec<f32> = Vec::new();
        loop {
            let packet = match format.next_packet() {
                Ok(Some(packet)) => packet,
                Ok(None) => break,
                // A chained stream (a second Ogg stream after the first): keep the first.
                Err(DecodeErr::ResetRequired) => break,
                Err(DecodeErr::IoError(e)) => {
                    end = End::Io(e);
                    break;
                }
                Err(other) => {
                    end = End::Corrupt(plain(&other));
                    break;
                }
            };
            if packet.track_id != track.id {
                continue;
            }
            let packet_bytes = packet.data.len() as u64;
            match decoder.decode(&packet) {
                Ok(buffer) => {
                    d.good += 1;
                    d.good_bytes += packet_bytes;
                    d.failures.run = 0;
                    d.append(&buffer, &mut interleaved, max_seconds)?;
                }
                // Per symphonia, a packet that fails with these is skipped and
                // decoding goes on. Garbage can also look like a feature the
                // decoder lacks (AAC: "coupling channel element"), so that is
                // skipped too, and named if nothing decodes.
                Err(DecodeErr::DecodeError(msg)) => d.failures.add(msg.to_string(), false),
                Err(DecodeErr::IoError(e)) => d.failures.add(e.to_string(), false),
                Err(DecodeErr::Unsupported(what)) => d.failures.add(what.to_string(), true),
                Err(DecodeErr::ResetRequired) => decoder.reset(),
                Err(other) => {
                    return Err(Undecodable::CannotDecode {
                        codec: track.codec,
                        why: plain(&other),
                    })
                }
            }
            if d.failures.run >= MAX_BAD_RUN && d.failures.count > d.good {
                break;
            }
        }
        Ok((d, end))
    }

    /// Adds a decoded buffer to the samples, averaged to mono; refuses a rate
    /// that is out of range or changes, and audio past `max_seconds`.
    fn append(
        &mut self,
        buffer: &GenericAudioBufferRef<'_>,
        interleaved: &mut Vec<f32>,
        max_seconds: f64,
    ) -> Result<(), Undecodable> {
        if buffer.frames() == 0 {
            return Ok(());
        }
        let spec = buffer.spec();
        let channels = spec.channels().count().max(1);
        self.check_rate(spec.rate())?;
        buffer.copy_to_vec_interleaved(interleaved);
        if channels == 1 {
            self.mono.extend_from_slice(interleaved);
        } else {
            self.mono.extend(downmix(interleaved, channels));
        }
        if self.mono.len() as f64 > max_seconds * spec.rate() as f64 {
            return Err(Undecodable::PastLimit(max_seconds));
        }
        Ok(())
    }

    /// The rate of a decoded buffer: in range when the header gave none,
    /// else the same as before.
    fn check_rate(&mut self, rate: u32) -> Result<(), Undecodable> {
        match self.rate {
            None => {
                check_rate(rate)?;
                self.rate = Some(rate);
            }
            Some(r) if r != rate => return Err(Undecodable::RateChange { from: r, to: rate }),
            Some(_) => {}
        }
        Ok(())
    }

    /// Refuses a file none of whose packets decoded, or too many.
    fn check_failures(&self, codec: &'static str) -> Result<(), Undecodable> {
        let failures = &self.failures;
        let problem = failures.first.clone().unwrap_or_default();
        if self.good == 0 && failures.count > 0 {
            return Err(if failures.unsupported {
                Undecodable::UnsupportedFeature { codec, problem }
            } else {
                Undecodable::NothingDecoded { codec, problem }
            });
        }
        let total = self.good + failures.count;
        if failures.count > ALWAYS_SKIPPABLE && failures.count as f64 > MAX_BAD_SHARE * total as f64
        {
            return Err(Undecodable::TooManyFailed {
                codec,
                failed: failures.count,
                total,
                problem,
            });
        }
        Ok(())
    }

    /// Refuses a file that decoded to clearly less than its header promises,
    /// saying whether the rest was cut off or is there but unreadable, and a
    /// file whose reading ended in an error before anything, or most of it,
    /// decoded.
    fn check_complete(
        &self,
        end: End,
        layout: &Layout,
        track: &AudioTrack,
    ) -> Result<(), Undecodable> {
        let decoded = self.mono.len() as u64;
        // Most of the file did not decode: garbage, not a clean cut.
        let mostly_unreadable = self.good_bytes * 2 < layout.payload_bytes;
        let cut_mp4 = layout.mp4.as_ref().is_some_and(|m| m.cut_short);
        let seconds = |frames: u64, r: u32| frames as f64 / r as f64;
        // Short of the promise by more than a quarter second and more than 2 %.
        let far_short = |expected: u64, r: u32| {
            expected.saturating_sub(decoded) > (r as u64 / 4).max(expected / 50)
        };
        match (end, track.promised_frames, self.rate) {
            (End::Io(e), _, _) if e.kind() != io::ErrorKind::UnexpectedEof => {
                Err(Undecodable::Io(e))
            }
            (_, Some(expected), Some(r)) if far_short(expected, r) => {
                let promised_s = self.promised_s(layout, expected, r);
                let decoded_s = seconds(decoded, r);
                Err(
                    if self.damaged(layout, expected, cut_mp4, mostly_unreadable) {
                        Undecodable::Damaged {
                            promised_s,
                            decoded_s,
                        }
                    } else {
                        Undecodable::Truncated {
                            promised_s,
                            decoded_s,
                        }
                    },
                )
            }
            (End::Io(_), _, _) if decoded == 0 => Err(Undecodable::EndsBeforeAudio),
            (_, _, Some(r)) if layout.ogg_cut_short => Err(Undecodable::CutShort {
                decoded_s: seconds(decoded, r),
            }),
            (End::Corrupt(_), _, _) if decoded == 0 && cut_mp4 => Err(Undecodable::EndsBeforeAudio),
            (End::Corrupt(msg), _, _) if decoded == 0 => Err(Undecodable::CorruptFile {
                codec: track.codec,
                msg,
            }),
            (End::Io(_) | End::Corrupt(_), None, Some(r)) if mostly_unreadable => {
                Err(Undecodable::MostlyUnreadable {
                    decoded_s: seconds(decoded, r),
                })
            }
            _ => Ok(()),
        }
    }

    /// Short of what the header promises: were the missing frames' bytes cut
    /// off (truncated), or are they in the file but unreadable (damaged)? At the
    /// rate the good packets ran, the missing audio would take some number of
    /// bytes; if at least half that many bytes went undecoded, they are there.
    fn damaged(
        &self,
        layout: &Layout,
        expected: u64,
        cut_mp4: bool,
        mostly_unreadable: bool,
    ) -> bool {
        let decoded = self.mono.len() as u64;
        if cut_mp4 {
            return false;
        }
        if decoded == 0 || self.good_bytes == 0 {
            return mostly_unreadable;
        }
        let missing_bytes =
            expected.saturating_sub(decoded) as f64 * self.good_bytes as f64 / decoded as f64;
        layout.payload_bytes.saturating_sub(self.good_bytes) as f64 > 0.5 * missing_bytes
    }

    /// The promise as a listener would hear it: an MP4 edit list trims encoder priming.
    fn promised_s(&self, layout: &Layout, expected: u64, r: u32) -> f64 {
        match layout.mp4.as_ref().and_then(|m| m.edit) {
            Some(edit) if edit.keep_s > 0.0 => edit.keep_s,
            _ => expected as f64 / r as f64,
        }
    }

    /// The samples, with an MP4's encoder delay and padding taken off (symphonia
    /// leaves them in for AAC); refused when there are none.
    fn into_audio(mut self, layout: &Layout) -> Result<Audio, Undecodable> {
        if let (Some(edit), Some(r)) = (layout.mp4.as_ref().and_then(|m| m.edit), self.rate) {
            edit.apply(&mut self.mono, r);
        }
        match self.rate {
            Some(rate) if !self.mono.is_empty() => Ok(Audio {
                samples: self.mono,
                rate,
            }),
            _ => Err(Undecodable::NoSamples),
        }
    }
}

fn check_rate(rate: u32) -> std::result::Result<(), Undecodable> {
    if (MIN_RATE..=MAX_RATE).contains(&rate) {
        Ok(())
    } else {
        Err(Undecodable::Rate(rate))
    }
}

/// symphonia's error text without its "malformed stream:" prefix.
fn plain(e: &DecodeErr) -> String {
    match e {
        DecodeErr::DecodeError(msg) => (*msg).to_string(),
        other => other.to_string(),
    }
}

fn describe_probe_error(e: DecodeErr, mp4: Option<&Mp4Info>) -> Undecodable {
    // An MP4 keeps its index (the moov box) apart from the audio, often at the
    // end: a recording cut off while being saved or copied has none.
    if let Some(mp4) = mp4.filter(|m| !m.has_moov) {
        return if mp4.cut_short {
            Undecodable::Mp4CutShort
        } else {
            Undecodable::Mp4NoIndex
        };
    }
    match e {
        DecodeErr::Unsupported(_) => Undecodable::NotAudio,
        DecodeErr::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            Undecodable::ShorterThanHeader
        }
        DecodeErr::IoError(e) => Undecodable::Read(e),
        DecodeErr::DecodeError(msg) => Undecodable::CorruptHeader(msg.to_string()),
        DecodeErr::LimitError(msg) => Undecodable::HeaderLimit(msg.to_string()),
        other => Undecodable::NotReadable(other.to_string()),
    }
}

fn unsupported_codec(id: Option<AudioCodecId>) -> String {
    match id.and_then(codec_name) {
        Some(name) => format!("{name} audio is not supported; {CONVERT}"),
        None => format!("uses an audio codec vmcoach cannot decode; {CONVERT}"),
    }
}

/// Plain names for the codecs a voicemail is likely to arrive in.
fn codec_name(id: AudioCodecId) -> Option<&'static str> {
    use codec_ids::*;
    Some(match id {
        CODEC_ID_MP3 => "MP3",
        CODEC_ID_MP2 => "MP2",
        CODEC_ID_MP1 => "MP1",
        CODEC_ID_AAC => "AAC",
        CODEC_ID_FLAC => "FLAC",
        CODEC_ID_VORBIS => "Vorbis",
        CODEC_ID_PCM_MULAW => "mu-law",
        CODEC_ID_PCM_ALAW => "A-law",
        CODEC_ID_OPUS => "Opus",
        CODEC_ID_SPEEX => "Speex",
        CODEC_ID_ALAC => "Apple Lossless (ALAC)",
        CODEC_ID_AC3 => "AC-3",
        CODEC_ID_EAC3 => "E-AC-3",
        CODEC_ID_WMA => "WMA",
        CODEC_ID_ADPCM_G722 => "G.722",
        CODEC_ID_ADPCM_G726 | CODEC_ID_ADPCM_G726LE => "G.726",
        CODEC_ID_ADPCM_MS => "Microsoft ADPCM",
        CODEC_ID_ADPCM_IMA_WAV | CODEC_ID_ADPCM_IMA_QT => "IMA ADPCM",
        CODEC_ID_WAVPACK => "WavPack",
        CODEC_ID_MONKEYS_AUDIO => "Monkey's Audio",
        CODEC_ID_MUSEPACK => "Musepack",
        CODEC_ID_DCA => "DTS",
        _ if (CODEC_ID_PCM_S32LE..=CODEC_ID_PCM_F64BE_PLANAR).contains(&id) => "PCM",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codecs_have_plain_names() {
        assert_eq!(codec_name(codec_ids::CODEC_ID_OPUS), Some("Opus"));
        assert_eq!(codec_name(codec_ids::CODEC_ID_PCM_S16LE), Some("PCM"));
        assert_eq!(
            unsupported_codec(Some(codec_ids::CODEC_ID_WMA)),
            format!("WMA audio is not supported; {CONVERT}")
        );
    }
}
