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

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use symphonia::core::codecs::audio::well_known as codec_ids;
use symphonia::core::codecs::audio::{AudioCodecId, AudioDecoderOptions};
use symphonia::core::errors::Error as DecodeErr;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

use super::wav::{minutes, MAX_RATE, MIN_RATE};
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
        Ok(result) => result,
        Err(_) => Err(Error::bad_audio(
            path,
            "corrupt audio data: the decoder could not make sense of it",
        )),
    }
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

/// What the bytes say before symphonia looks: facts it does not report.
struct Layout {
    /// Bytes that should be audio: all but a leading ID3v2 tag (which may hold a picture).
    payload_bytes: u64,
    /// For MP4/M4A: its layout, including the edit list symphonia does not apply.
    mp4: Option<Mp4Info>,
    /// An MP3 whose first frame carries a Xing/Info/VBRI tag: its frame count
    /// is exact. Without one, symphonia estimates the length from the bitrate.
    mp3_length_tag: bool,
}

fn layout(file: &mut File) -> io::Result<Layout> {
    let len = file.metadata()?.len();
    let tag = id3v2_len(file);
    let mp4 = mp4_info(file).unwrap_or(None);
    let mut first = Vec::new();
    file.seek(SeekFrom::Start(tag))?;
    file.take(4096).read_to_end(&mut first)?;
    let mp3_length_tag = [&b"Xing"[..], b"Info", b"VBRI"]
        .iter()
        .any(|t| first.windows(4).any(|w| w == *t));
    // Leave out what is known not to be audio: an MP4's boxes other than
    // mdat, and FLAC's metadata blocks (ffmpeg writes 8 KB of padding).
    let payload_bytes = match (&mp4, flac_audio_start(file)) {
        (Some(mp4), _) if mp4.mdat_bytes > 0 => mp4.mdat_bytes,
        (_, Some(start)) => len.saturating_sub(start),
        _ => len.saturating_sub(tag),
    };
    file.seek(SeekFrom::Start(0))?;
    Ok(Layout {
        payload_bytes,
        mp4,
        mp3_length_tag,
    })
}

/// Where a FLAC file's first audio frame starts: after "fLaC" and its metadata blocks.
fn flac_audio_start<R: Read + Seek>(reader: &mut R) -> Option<u64> {
    if read_at(reader, 0, 4).ok()? != b"fLaC" {
        return None;
    }
    let mut at = 4u64;
    for _ in 0..1024 {
        let head = read_at(reader, at, 4).ok()?;
        at += 4 + u32::from_be_bytes([0, head[1], head[2], head[3]]) as u64;
        if head[0] & 0x80 != 0 {
            return Some(at);
        }
    }
    None
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

fn decode(mut file: File, path: &Path, max_seconds: f64) -> Result<Audio> {
    let bad = |reason: String| Error::bad_audio(path, reason);
    let layout = layout(&mut file).map_err(|e| Error::io(path, e))?;

    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let source = MediaSourceStream::new(Box::new(file), Default::default());
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            source,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| bad(describe_probe_error(e, layout.mp4.as_ref())))?;

    let Some(track) = format.default_track(TrackType::Audio) else {
        let has_audio = format
            .tracks()
            .iter()
            .any(|t| t.codec_params.as_ref().and_then(|p| p.audio()).is_some());
        return Err(bad(if has_audio {
            unsupported_codec(None)
        } else {
            "has no audio track (it may be a video or picture file)".into()
        }));
    };
    let track_id = track.id;
    let header_frames = track.num_frames;
    let Some(params) = track.codec_params.as_ref().and_then(|p| p.audio()).cloned() else {
        return Err(bad(
            "has no audio track (it may be a video or picture file)".into(),
        ));
    };
    let codec = codec_name(params.codec).unwrap_or("compressed");
    // A length the container states, as opposed to one estimated from the bitrate.
    let is_mpeg_audio = [
        codec_ids::CODEC_ID_MP1,
        codec_ids::CODEC_ID_MP2,
        codec_ids::CODEC_ID_MP3,
    ]
    .contains(&params.codec);
    let promised_frames = header_frames.filter(|_| !is_mpeg_audio || layout.mp3_length_tag);

    if let Some(rate) = params.sample_rate {
        check_rate(rate).map_err(&bad)?;
        // Even an estimate is good enough to refuse a recording of hours.
        if let Some(frames) = header_frames {
            let seconds = frames as f64 / rate as f64;
            if seconds > max_seconds {
                return Err(bad(too_long(seconds, max_seconds)));
            }
        }
    }

    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|e| match e {
            DecodeErr::Unsupported(_) => bad(unsupported_codec(Some(params.codec))),
            other => bad(format!(
                "cannot decode its {codec} audio ({})",
                plain(&other)
            )),
        })?;

    let mut rate = params.sample_rate;
    let mut mono: Vec<f32> = Vec::new();
    if let (Some(r), Some(frames)) = (rate, header_frames) {
        // Bounded by the limit checked above.
        mono.reserve(frames.min((max_seconds * r as f64) as u64 + 1) as usize);
    }
    let mut interleaved: Vec<f32> = Vec::new();
    let mut good = 0u64;
    let mut failures = Failures::default();
    // Bytes of the packets that decoded: compared with the file's size, tells a
    // file cut short (nearly every byte decoded) from one that is mostly garbage
    // (demuxers skip unreadable stretches without a word).
    let mut good_bytes = 0u64;
    let mut end = End::Clean;

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
        if packet.track_id != track_id {
            continue;
        }
        let packet_bytes = packet.data.len() as u64;
        match decoder.decode(&packet) {
            Ok(buffer) => {
                good += 1;
                good_bytes += packet_bytes;
                failures.run = 0;
                if buffer.frames() == 0 {
                    continue;
                }
                let spec = buffer.spec();
                match rate {
                    None => {
                        check_rate(spec.rate()).map_err(&bad)?;
                        rate = Some(spec.rate());
                    }
                    Some(r) if r != spec.rate() => {
                        return Err(bad(format!(
                            "its sample rate changes part way through ({r} Hz, then {} Hz)",
                            spec.rate()
                        )));
                    }
                    Some(_) => {}
                }
                let channels = spec.channels().count().max(1);
                buffer.copy_to_vec_interleaved(&mut interleaved);
                if channels == 1 {
                    mono.extend_from_slice(&interleaved);
                } else {
                    mono.extend(downmix(&interleaved, channels));
                }
                if mono.len() as f64 > max_seconds * spec.rate() as f64 {
                    return Err(bad(format!(
                        "runs past the limit of {} (use --max-seconds to change it)",
                        minutes(max_seconds)
                    )));
                }
            }
            // Per symphonia, a packet that fails with these is skipped and
            // decoding goes on. Garbage can also look like a feature the
            // decoder lacks (AAC: "coupling channel element"), so that is
            // skipped too, and named if nothing decodes.
            Err(DecodeErr::DecodeError(msg)) => failures.add(msg.to_string(), false),
            Err(DecodeErr::IoError(e)) => failures.add(e.to_string(), false),
            Err(DecodeErr::Unsupported(what)) => failures.add(what.to_string(), true),
            Err(DecodeErr::ResetRequired) => decoder.reset(),
            Err(other) => {
                return Err(bad(format!(
                    "cannot decode its {codec} audio ({})",
                    plain(&other)
                )))
            }
        }
        if failures.run >= MAX_BAD_RUN && failures.count > good {
            break;
        }
    }

    let problem = failures.first.clone().unwrap_or_default();
    if good == 0 && failures.count > 0 {
        return Err(bad(if failures.unsupported {
            format!("uses a {codec} feature vmcoach cannot decode ({problem}); {CONVERT}")
        } else {
            format!("corrupt {codec} audio: no part of it could be decoded ({problem})")
        }));
    }
    let total = good + failures.count;
    if failures.count > ALWAYS_SKIPPABLE && failures.count as f64 > MAX_BAD_SHARE * total as f64 {
        return Err(bad(format!(
            "corrupt {codec} audio: {} of {total} packets could not be decoded ({problem})",
            failures.count
        )));
    }

    let decoded = mono.len() as u64;
    // Most of the file did not decode: garbage, not a clean cut.
    let mostly_unreadable = good_bytes * 2 < layout.payload_bytes;
    let cut_mp4 = layout.mp4.as_ref().is_some_and(|m| m.cut_short);
    // Short of what the header promises: were the missing frames' bytes cut
    // off (truncated), or are they in the file but unreadable (damaged)? At the
    // rate the good packets ran, the missing audio would take some number of
    // bytes; if at least half that many bytes went undecoded, they are there.
    let damaged = |expected: u64| {
        if cut_mp4 {
            return false;
        }
        if decoded == 0 || good_bytes == 0 {
            return mostly_unreadable;
        }
        let missing_bytes =
            expected.saturating_sub(decoded) as f64 * good_bytes as f64 / decoded as f64;
        layout.payload_bytes.saturating_sub(good_bytes) as f64 > 0.5 * missing_bytes
    };
    // The promise as a listener would hear it: an MP4 edit list trims encoder priming.
    let promised_s = |expected: u64, r: u32| match layout.mp4.as_ref().and_then(|m| m.edit) {
        Some(edit) if edit.keep_s > 0.0 => edit.keep_s,
        _ => expected as f64 / r as f64,
    };
    let seconds = |frames: u64, r: u32| format!("{:.1} s", frames as f64 / r as f64);
    let short = |expected: u64, r: u32| {
        if damaged(expected) {
            format!(
                "damaged: the header promises {:.1} s of audio but only {} could be decoded; the rest is unreadable",
                promised_s(expected, r),
                seconds(decoded, r)
            )
        } else {
            format!(
                "truncated: the header promises {:.1} s of audio but the file ends after {}",
                promised_s(expected, r),
                seconds(decoded, r)
            )
        }
    };
    // Short of the promise by more than a quarter second and more than 2 %.
    let far_short = |expected: u64, r: u32| {
        expected.saturating_sub(decoded) > (r as u64 / 4).max(expected / 50)
    };
    match (end, promised_frames, rate) {
        (End::Io(e), _, _) if e.kind() != io::ErrorKind::UnexpectedEof => {
            return Err(Error::io(path, e))
        }
        (_, Some(expected), Some(r)) if far_short(expected, r) => {
            return Err(bad(short(expected, r)))
        }
        (End::Io(_), _, _) if decoded == 0 => {
            return Err(bad(
                "truncated: the file ends before any audio could be decoded".into(),
            ));
        }
        (End::Corrupt(_), _, _) if decoded == 0 && cut_mp4 => {
            return Err(bad(
                "truncated: the file ends before any audio could be decoded".into(),
            ));
        }
        (End::Corrupt(msg), _, _) if decoded == 0 => {
            return Err(bad(format!("corrupt {codec} file ({msg})")))
        }
        (End::Io(_) | End::Corrupt(_), None, Some(r)) if mostly_unreadable => {
            return Err(bad(format!(
                "corrupt: only {} of audio could be decoded; the rest of the file is unreadable",
                seconds(decoded, r)
            )));
        }
        _ => {}
    }

    // MP4 encoder delay and padding, which symphonia leaves in for AAC.
    if let (Some(edit), Some(r)) = (layout.mp4.as_ref().and_then(|m| m.edit), rate) {
        edit.apply(&mut mono, r);
    }
    match rate {
        Some(rate) if !mono.is_empty() => Ok(Audio {
            samples: mono,
            rate,
        }),
        _ => Err(bad("contains no audio samples".into())),
    }
}

fn check_rate(rate: u32) -> std::result::Result<(), String> {
    if (MIN_RATE..=MAX_RATE).contains(&rate) {
        Ok(())
    } else {
        Err(format!(
            "sample rate {rate} Hz is outside what vmcoach accepts ({MIN_RATE}-{MAX_RATE} Hz)"
        ))
    }
}

fn too_long(seconds: f64, max_seconds: f64) -> String {
    format!(
        "is {} long; the limit is {} (use --max-seconds to change it)",
        minutes(seconds),
        minutes(max_seconds)
    )
}

/// symphonia's error text without its "malformed stream:" prefix.
fn plain(e: &DecodeErr) -> String {
    match e {
        DecodeErr::DecodeError(msg) => (*msg).to_string(),
        other => other.to_string(),
    }
}

fn describe_probe_error(e: DecodeErr, mp4: Option<&Mp4Info>) -> String {
    // An MP4 keeps its index (the moov box) apart from the audio, often at the
    // end: a recording cut off while being saved or copied has none.
    if let Some(mp4) = mp4.filter(|m| !m.has_moov) {
        return if mp4.cut_short {
            "truncated: the file stops part way through and its index (the MP4 moov box) is missing"
                .into()
        } else {
            "incomplete MP4/M4A file: its index (the moov box) is missing".into()
        };
    }
    match e {
        DecodeErr::Unsupported(_) => {
            format!("not an audio file, or not in a format vmcoach reads ({READABLE})")
        }
        DecodeErr::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            "truncated: the file is shorter than its header says".into()
        }
        DecodeErr::IoError(e) => format!("read error: {e}"),
        DecodeErr::DecodeError(msg) => format!("corrupt audio file header ({msg})"),
        DecodeErr::LimitError(msg) => {
            format!("the header asks for more than vmcoach allows ({msg})")
        }
        other => format!("cannot read it as audio ({other})"),
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

/// The part of an MP4 audio track to play, from its edit list (`elst`):
/// encoders put priming samples before the audio (1024 or more for AAC) and
/// pad the last frame; the edit list says where the real audio starts and how
/// long it is. symphonia's MP4 reader does not apply it, so it is done here.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Mp4Edit {
    /// Seconds to drop from the start.
    skip_s: f64,
    /// Seconds of audio to keep after that.
    keep_s: f64,
}

impl Mp4Edit {
    fn apply(&self, samples: &mut Vec<f32>, rate: u32) {
        let skip = ((self.skip_s * rate as f64).round() as usize).min(samples.len());
        let keep = (self.keep_s * rate as f64).round() as usize;
        samples.drain(..skip);
        if keep > 0 && keep < samples.len() {
            samples.truncate(keep);
        }
    }
}

/// The layout of an MP4/M4A file, from its top-level boxes.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Mp4Info {
    has_moov: bool,
    /// Bytes in mdat boxes (the coded audio), as far as the file goes.
    mdat_bytes: u64,
    /// A top-level box runs past the end of the file.
    cut_short: bool,
    edit: Option<Mp4Edit>,
}

/// Reads the top-level layout of an MP4/M4A file and the edit list of its
/// first sound track. `None` when the file is not MP4 (no `ftyp` box first).
fn mp4_info<R: Read + Seek>(reader: &mut R) -> io::Result<Option<Mp4Info>> {
    let mut head = [0u8; 8];
    reader.seek(SeekFrom::Start(0))?;
    if reader.read_exact(&mut head).is_err() || &head[4..8] != b"ftyp" {
        return Ok(None);
    }
    let end = reader.seek(SeekFrom::End(0))?;
    let mut info = Mp4Info {
        has_moov: false,
        mdat_bytes: 0,
        cut_short: false,
        edit: None,
    };
    let mut at = 0;
    for _ in 0..4096 {
        if at + 8 > end {
            info.cut_short = at < end;
            break;
        }
        let head = read_at(reader, at, 8)?;
        let size = match u32_at(&head, 0) as u64 {
            0 => end - at,
            1 => u64_at(&read_at(reader, at + 8, 8)?, 0),
            size => size,
        };
        if size < 8 || at + size > end {
            info.cut_short = true;
            if &head[4..8] == b"mdat" {
                info.mdat_bytes += end - at;
            }
            break;
        }
        info.has_moov |= &head[4..8] == b"moov";
        if &head[4..8] == b"mdat" {
            info.mdat_bytes += size;
        }
        at += size;
    }
    if info.has_moov {
        info.edit = mp4_edit(reader, end)?;
    }
    Ok(Some(info))
}

/// Reads the edit list of the first sound track of an MP4/M4A file. `None`
/// when the file has no sound track, or its edit list is not a single plain
/// edit (with an optional leading empty one).
fn mp4_edit<R: Read + Seek>(reader: &mut R, end: u64) -> io::Result<Option<Mp4Edit>> {
    let Some((moov_at, moov_len)) = find_box(reader, 0, end, b"moov")? else {
        return Ok(None);
    };
    // Movie timescale, the unit of the edit's length.
    let Some((mvhd_at, _)) = find_box(reader, moov_at, moov_at + moov_len, b"mvhd")? else {
        return Ok(None);
    };
    let mvhd = read_at(reader, mvhd_at, 24)?;
    let movie_scale = if mvhd[0] == 1 {
        u32_at(&mvhd, 20)
    } else {
        u32_at(&mvhd, 12)
    };

    let mut at = moov_at;
    while let Some((trak_at, trak_len)) = find_box(reader, at, moov_at + moov_len, b"trak")? {
        at = trak_at + trak_len;
        let trak_end = trak_at + trak_len;
        let Some((mdia_at, mdia_len)) = find_box(reader, trak_at, trak_end, b"mdia")? else {
            continue;
        };
        let Some((hdlr_at, _)) = find_box(reader, mdia_at, mdia_at + mdia_len, b"hdlr")? else {
            continue;
        };
        if &read_at(reader, hdlr_at + 8, 4)?[..] != b"soun" {
            continue;
        }
        let Some((mdhd_at, _)) = find_box(reader, mdia_at, mdia_at + mdia_len, b"mdhd")? else {
            return Ok(None);
        };
        let mdhd = read_at(reader, mdhd_at, 24)?;
        let media_scale = if mdhd[0] == 1 {
            u32_at(&mdhd, 20)
        } else {
            u32_at(&mdhd, 12)
        };
        let Some((edts_at, edts_len)) = find_box(reader, trak_at, trak_end, b"edts")? else {
            return Ok(None);
        };
        let Some((elst_at, elst_len)) = find_box(reader, edts_at, edts_at + edts_len, b"elst")?
        else {
            return Ok(None);
        };
        if elst_len < 8 || movie_scale == 0 || media_scale == 0 {
            return Ok(None);
        }
        let body = read_at(reader, elst_at, (elst_len as usize).min(8 + 2 * 20))?;
        let version = body[0];
        let count = u32_at(&body, 4) as usize;
        let entry_len = if version == 1 { 20 } else { 12 };
        let mut edits = Vec::new();
        for i in 0..count.min(2) {
            let o = 8 + i * entry_len;
            if o + entry_len > body.len() {
                return Ok(None);
            }
            let (duration, media_time) = if version == 1 {
                (u64_at(&body, o), u64_at(&body, o + 8) as i64)
            } else {
                (u32_at(&body, o) as u64, u32_at(&body, o + 4) as i32 as i64)
            };
            edits.push((duration, media_time));
        }
        // An empty edit (media_time -1) first only delays presentation: ignore it.
        let plain: Vec<_> = edits.into_iter().filter(|&(_, t)| t >= 0).collect();
        if count > 2 || plain.len() != 1 {
            return Ok(None);
        }
        let (duration, media_time) = plain[0];
        return Ok(Some(Mp4Edit {
            skip_s: media_time as f64 / media_scale as f64,
            keep_s: duration as f64 / movie_scale as f64,
        }));
    }
    Ok(None)
}

/// Finds the first box named `name` among the boxes laid end to end in
/// `start..end` (the whole file, or the body of a container box such as moov,
/// trak, mdia or edts). Returns the offset of its body (after the box header)
/// and the body's length.
fn find_box<R: Read + Seek>(
    reader: &mut R,
    start: u64,
    end: u64,
    name: &[u8; 4],
) -> io::Result<Option<(u64, u64)>> {
    let mut at = start;
    for _ in 0..4096 {
        if at + 8 > end {
            return Ok(None);
        }
        let head = read_at(reader, at, 8)?;
        let mut size = u32_at(&head, 0) as u64;
        let mut header = 8;
        if size == 1 {
            size = u64_at(&read_at(reader, at + 8, 8)?, 0);
            header = 16;
        } else if size == 0 {
            size = end - at;
        }
        if size < header || at + size > end {
            return Ok(None);
        }
        if &head[4..8] == name {
            return Ok(Some((at + header, size - header)));
        }
        at += size;
    }
    Ok(None)
}

/// Length of an ID3v2 tag at the start of the file (header, body and
/// footer), or 0. Leaves the reader anywhere.
fn id3v2_len<R: Read + Seek>(reader: &mut R) -> u64 {
    let Ok(head) = read_at(reader, 0, 10) else {
        return 0;
    };
    if &head[0..3] != b"ID3" || head[6..10].iter().any(|b| b & 0x80 != 0) {
        return 0;
    }
    let size = head[6..10].iter().fold(0u64, |n, &b| n << 7 | b as u64);
    let footer = if head[5] & 0x10 != 0 { 10 } else { 0 };
    10 + size + footer
}

fn read_at<R: Read + Seek>(reader: &mut R, at: u64, len: usize) -> io::Result<Vec<u8>> {
    reader.seek(SeekFrom::Start(at))?;
    let mut buf = vec![0u8; len];
    reader.read_exact(&mut buf)?;
    Ok(buf)
}

fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_be_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}

fn u64_at(b: &[u8], o: usize) -> u64 {
    (u32_at(b, o) as u64) << 32 | u32_at(b, o + 4) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn fixture(name: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/formats")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn m4a_edit_list_skips_the_aac_priming() {
        let info = mp4_info(&mut Cursor::new(fixture("networking-6s-16k.m4a")))
            .unwrap()
            .unwrap();
        assert!(info.has_moov && !info.cut_short, "{info:?}");
        assert!(info.mdat_bytes > 20_000, "{info:?}");
        // ffmpeg's AAC encoder primes with 1024 samples; the clip is 6 s.
        assert_eq!(
            info.edit,
            Some(Mp4Edit {
                skip_s: 1024.0 / 16_000.0,
                keep_s: 6.0
            })
        );
    }

    #[test]
    fn cut_m4a_has_no_index() {
        let bytes = fixture("networking-6s-16k.m4a");
        let info = mp4_info(&mut Cursor::new(&bytes[..bytes.len() / 2]))
            .unwrap()
            .unwrap();
        assert!(!info.has_moov && info.cut_short, "{info:?}");
        assert_eq!(
            mp4_info(&mut Cursor::new(fixture("networking-6s-16k.mp3"))).unwrap(),
            None
        );
    }

    #[test]
    fn edit_drops_the_priming_and_the_padding() {
        let mut samples: Vec<f32> = (0..100).map(|i| i as f32).collect();
        Mp4Edit {
            skip_s: 0.1,
            keep_s: 0.5,
        }
        .apply(&mut samples, 100);
        assert_eq!(samples, (10..60).map(|i| i as f32).collect::<Vec<_>>());
        // An edit longer than what decoded keeps everything after the skip.
        let mut short: Vec<f32> = vec![0.0; 20];
        Mp4Edit {
            skip_s: 0.1,
            keep_s: 5.0,
        }
        .apply(&mut short, 100);
        assert_eq!(short.len(), 10);
    }

    #[test]
    fn tags_and_metadata_are_measured() {
        // ffmpeg's empty ID3v2.4 tag: 10-byte header and 10 bytes of padding.
        assert_eq!(
            id3v2_len(&mut Cursor::new(fixture("networking-6s-16k.mp3"))),
            20
        );
        assert_eq!(id3v2_len(&mut Cursor::new(b"ID3".to_vec())), 0);
        // STREAMINFO, a Vorbis comment and ffmpeg's 8 KB of padding.
        assert_eq!(
            flac_audio_start(&mut Cursor::new(fixture("networking-6s-16k.flac"))),
            Some(8_256)
        );
        assert_eq!(flac_audio_start(&mut Cursor::new(b"fLaC".to_vec())), None);
    }

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
