//! What the bytes of a compressed file say before symphonia looks, and
//! symphonia does not report: how much of the file is audio (not an ID3v2
//! tag, FLAC metadata or MP4 boxes other than mdat), an MP4's layout and the
//! edit list that trims its encoder priming, whether an MP3 states its
//! length in a Xing/Info/VBRI tag, and whether an Ogg stream was written to
//! its end.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

/// What the bytes say before symphonia looks: facts it does not report.
pub(super) struct Layout {
    /// Bytes that should be audio: an MP4's mdat boxes, a FLAC file after its
    /// metadata blocks, else all but a leading ID3v2 tag (which may hold a picture).
    pub payload_bytes: u64,
    /// For MP4/M4A: its layout, including the edit list symphonia does not apply.
    pub mp4: Option<Mp4Info>,
    /// An MP3 whose first frame carries a Xing/Info/VBRI tag: its frame count
    /// is exact. Without one, symphonia estimates the length from the bitrate.
    pub mp3_length_tag: bool,
    /// An Ogg file whose last page is cut off or is not its stream's end
    /// page: the file stops part way (an Ogg header states no length).
    pub ogg_cut_short: bool,
}

/// Reads the file's [`Layout`], leaving it at its start for symphonia.
pub(super) fn layout(file: &mut File) -> io::Result<Layout> {
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
    let ogg_cut_short = first.starts_with(b"OggS") && ogg_cut_short(file, len)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(Layout {
        payload_bytes,
        mp4,
        mp3_length_tag,
        ogg_cut_short,
    })
}

/// How far from its end an Ogg file is searched for its last page: more
/// than the largest page (27 + 255 + 255 x 255 bytes).
const OGG_TAIL: u64 = 1 << 17;

/// Whether an Ogg file stops before its stream's end: its last page runs
/// past the end of the file, or lacks the end-of-stream flag.
fn ogg_cut_short<R: Read + Seek>(reader: &mut R, len: u64) -> io::Result<bool> {
    let start = len.saturating_sub(OGG_TAIL);
    let tail = read_at(reader, start, (len - start) as usize)?;
    let Some(at) = tail
        .windows(4)
        .rposition(|w| w == b"OggS")
        .filter(|&at| tail.len() >= at + 27)
    else {
        return Ok(true);
    };
    let head = &tail[at..];
    let (flags, segments) = (head[5], head[26] as usize);
    let Some(table) = head.get(27..27 + segments) else {
        return Ok(true);
    };
    let page_len = 27 + segments + table.iter().map(|&l| l as usize).sum::<usize>();
    const END_OF_STREAM: u8 = 0x04;
    Ok(head.len() < page_len || flags & END_OF_STREAM == 0)
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

/// The part of an MP4 audio track to play, from its edit list (`elst`):
/// encoders put priming samples before the audio (1024 or more for AAC) and
/// pad the last frame; the edit list says where the real audio starts and how
/// long it is. symphonia's MP4 reader does not apply it, so it is done here.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Mp4Edit {
    /// Seconds to drop from the start.
    pub skip_s: f64,
    /// Seconds of audio to keep after that.
    pub keep_s: f64,
}

impl Mp4Edit {
    pub fn apply(&self, samples: &mut Vec<f32>, rate: u32) {
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
pub(super) struct Mp4Info {
    pub has_moov: bool,
    /// Bytes in mdat boxes (the coded audio), as far as the file goes.
    pub mdat_bytes: u64,
    /// A top-level box runs past the end of the file.
    pub cut_short: bool,
    pub edit: Option<Mp4Edit>,
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
    use std::path::Path;

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
    fn an_ogg_file_cut_short_has_no_end_page() {
        let bytes = fixture("networking-6s-16k.ogg");
        let len = bytes.len() as u64;
        assert!(!ogg_cut_short(&mut Cursor::new(&bytes), len).unwrap());
        for cut in [bytes.len() / 2, bytes.len() - 10, bytes.len() / 5] {
            let part = &bytes[..cut];
            assert!(
                ogg_cut_short(&mut Cursor::new(part), cut as u64).unwrap(),
                "cut at {cut} of {len}"
            );
        }
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
}
