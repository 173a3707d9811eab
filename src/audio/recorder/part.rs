//! A take's file while it is recorded and after: the `.part` written as the
//! take goes ([`PartWriter`]), the names takes get without ever replacing a
//! file, and the repair of a `.part` a crash left behind.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::PART_SUFFIX;
use crate::audio::wav;
use crate::{Error, Result};

/// The `.part` file of a take and what has gone into it. Dropped without
/// [`PartWriter::finish`] (an error, a panic), the WAV writer still brings
/// the header up to date, so the `.part` stays playable.
pub(super) struct PartWriter {
    final_path: PathBuf,
    part_path: PathBuf,
    writer: Option<wav::Writer<BufWriter<File>>>,
    rate: u32,
    pub(super) frames: u64,
    /// Everything written, for the levels at the end.
    samples: Vec<f32>,
}

impl PartWriter {
    pub(super) fn create(path: &Path, rate: u32) -> Result<Self> {
        if path.exists() {
            return Err(Error::Input(format!(
                "{} already exists; choose another name",
                path.display()
            )));
        }
        let part_path = part_path_for(path);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let file = match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&part_path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(Error::Input(format!(
                    "{} is left over from an interrupted take; recover it first",
                    part_path.display()
                )))
            }
            Err(e) => return Err(Error::io(&part_path, e)),
        };
        let mut writer = wav::Writer::new(BufWriter::new(file), rate, &part_path)?;
        writer.flush()?;
        Ok(PartWriter {
            final_path: path.to_path_buf(),
            part_path,
            writer: Some(writer),
            rate,
            frames: 0,
            samples: Vec::new(),
        })
    }

    pub(super) fn seconds(&self) -> f64 {
        self.frames as f64 / self.rate as f64
    }

    pub(super) fn write(&mut self, mono: &[f32]) -> Result<()> {
        let writer = self.writer.as_mut().expect("writer open until finish");
        writer.write(mono)?;
        self.samples.extend(mono.iter().map(|s| s.clamp(-1.0, 1.0)));
        self.frames += mono.len() as u64;
        Ok(())
    }

    /// Brings the header up to date and hands the data to the OS, so the
    /// `.part` file plays up to here whatever happens to this process.
    pub(super) fn flush(&mut self) -> Result<()> {
        let writer = self.writer.as_mut().expect("writer open until finish");
        writer.flush()
    }

    /// Finalizes the WAV and gives it its name; returns the name and the samples.
    pub(super) fn finish(mut self) -> Result<(PathBuf, Vec<f32>)> {
        let writer = self.writer.take().expect("writer open until finish");
        writer.finalize()?;
        let path = place_no_clobber(&self.part_path, &self.final_path)?;
        Ok((path, std::mem::take(&mut self.samples)))
    }

    /// After the source failed: keeps what was recorded and says where.
    pub(super) fn keep_after_failure(self, why: &str) -> Error {
        let seconds = self.seconds();
        if self.frames == 0 {
            let part = self.part_path.clone();
            drop(self);
            let _ = fs::remove_file(&part);
            return Error::Input(format!("recording failed before any audio came in: {why}"));
        }
        let part = self.part_path.clone();
        match self.finish() {
            Ok((path, _)) => Error::Input(format!(
                "recording stopped after {seconds:.1} s: {why}. The audio recorded until then is saved in {}",
                path.display()
            )),
            Err(e) => Error::Input(format!(
                "recording stopped after {seconds:.1} s: {why}; saving it failed too ({e}); what was written is in {}",
                part.display()
            )),
        }
    }
}

/// `FILE.part` for `FILE`.
pub fn part_path_for(path: &Path) -> PathBuf {
    crate::files::with_suffix(path, PART_SUFFIX)
}

/// A new take's name in `dir`, from the local time: `dir/2026-11-25T14-03-11.wav`
/// (`-2`, `-3`... when that take, or its `.part`, already exists).
pub fn default_take_path(dir: &Path) -> PathBuf {
    let stamp = jiff::ZonedDateTime::now()
        .strftime("%Y-%m-%dT%H-%M-%S")
        .to_string();
    free_name(dir, &stamp, ".wav", |p| {
        p.exists() || part_path_for(p).exists()
    })
}

/// `.part` files in `dir` left by takes that did not finish, oldest name first.
pub fn leftover_parts(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.to_str().is_some_and(|s| s.ends_with(".wav.part")))
        .collect();
    out.sort();
    out
}

/// Makes a left-over `.part` playable in full: sets the WAV header's sizes
/// from the data actually in the file (dropping a torn last frame) and gives
/// it a new name that does not exist yet, `NAME.recovered.wav`. Returns that
/// name. The `.part` is gone afterwards.
pub fn repair_part(part: &Path) -> Result<PathBuf> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(part)
        .map_err(|e| Error::io(part, e))?;
    let len = file.metadata().map_err(|e| Error::io(part, e))?.len();
    let layout = read_layout(&mut file, len, part)?;
    let data_len = (len - layout.data_offset) / layout.block_align * layout.block_align;
    if data_len == 0 {
        return Err(Error::bad_audio(
            part,
            "holds no audio: the take was cut off before anything was recorded",
        ));
    }
    let pad = data_len % 2; // RIFF chunks are padded to even sizes
    let end = layout.data_offset + data_len;
    let io = |e| Error::io(part, e);
    file.set_len(end).map_err(io)?;
    if pad == 1 {
        file.seek(SeekFrom::Start(end)).map_err(io)?;
        file.write_all(&[0]).map_err(io)?;
    }
    let riff_size = u32::try_from(end + pad - 8)
        .map_err(|_| Error::bad_audio(part, "is larger than a WAV file can be"))?;
    file.seek(SeekFrom::Start(4)).map_err(io)?;
    file.write_all(&riff_size.to_le_bytes()).map_err(io)?;
    file.seek(SeekFrom::Start(layout.data_offset - 4))
        .map_err(io)?;
    file.write_all(&(data_len as u32).to_le_bytes())
        .map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    if let Some(problem) = wav::header_problem(part) {
        return Err(Error::bad_audio(
            part,
            format!("still not readable after repair: {problem}"),
        ));
    }

    let name = part
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("take.wav.part");
    let stem = name.strip_suffix(PART_SUFFIX).unwrap_or(name);
    let stem = stem.strip_suffix(".wav").unwrap_or(stem);
    let dir = part.parent().unwrap_or(Path::new(""));
    let mut n = 1;
    loop {
        let target = if n == 1 {
            dir.join(format!("{stem}.recovered.wav"))
        } else {
            dir.join(format!("{stem}.recovered-{n}.wav"))
        };
        match rename_no_clobber(part, &target) {
            Ok(()) => return Ok(target),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(e) => return Err(Error::io(&target, e)),
        }
    }
}

struct Layout {
    data_offset: u64,
    block_align: u64,
}

/// Finds the `data` chunk of the WAV `part`, whose sizes may be wrong.
fn read_layout(file: &mut File, len: u64, part: &Path) -> Result<Layout> {
    let bad = |reason: &str| Error::bad_audio(part, reason);
    let mut head = [0u8; 12];
    file.read_exact(&mut head)
        .map_err(|_| bad("is too short to be a WAV file"))?;
    if &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return Err(bad("is not a WAV file"));
    }
    let mut pos = 12u64;
    let mut block_align = None;
    loop {
        let mut ch = [0u8; 8];
        file.seek(SeekFrom::Start(pos))
            .map_err(|e| Error::bad_audio(part, e.to_string()))?;
        file.read_exact(&mut ch)
            .map_err(|_| bad("has no audio data chunk"))?;
        let size = u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]) as u64;
        match &ch[0..4] {
            b"fmt " => {
                let mut fmt = [0u8; 16];
                file.read_exact(&mut fmt)
                    .map_err(|_| bad("has a cut-off format chunk"))?;
                block_align = Some(u16::from_le_bytes([fmt[12], fmt[13]]) as u64);
            }
            b"data" => {
                let block_align = block_align
                    .filter(|&b| b > 0)
                    .ok_or_else(|| bad("has no usable format chunk"))?;
                let data_offset = pos + 8;
                if data_offset > len {
                    return Err(bad("is cut off inside its header"));
                }
                return Ok(Layout {
                    data_offset,
                    block_align,
                });
            }
            _ => {}
        }
        pos += 8 + size + size % 2;
    }
}

/// Renames `from` to `to` unless `to` exists; never replaces a file.
///
/// Uses a hard link, which the OS creates only if the name is free, then
/// removes the old name. Where hard links are not supported (some network
/// and FAT file systems) it checks and renames, which leaves a short window
/// in which another program could create `to` and have it replaced.
pub(super) fn rename_no_clobber(from: &Path, to: &Path) -> io::Result<()> {
    match fs::hard_link(from, to) {
        Ok(()) => fs::remove_file(from),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            if to.exists() {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "target exists",
                ));
            }
            fs::rename(from, to)
        }
    }
}

/// Gives `part` the name `wanted`, or `wanted-2.wav`, ... if that exists.
pub(super) fn place_no_clobber(part: &Path, wanted: &Path) -> Result<PathBuf> {
    let dir = wanted.parent().unwrap_or(Path::new(""));
    let stem = wanted
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("take")
        .to_string();
    let ext = wanted
        .extension()
        .and_then(|s| s.to_str())
        .map(|e| format!(".{e}"))
        .unwrap_or_default();
    let mut target = wanted.to_path_buf();
    let mut n = 1;
    loop {
        match rename_no_clobber(part, &target) {
            Ok(()) => return Ok(target),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => {
                n += 1;
                target = dir.join(format!("{stem}-{n}{ext}"));
            }
            Err(e) => return Err(Error::io(&target, e)),
        }
    }
}

/// `dir/STEM.EXT`, or `dir/STEM-N.EXT` with the first N for which `taken` is false.
pub(super) fn free_name(
    dir: &Path,
    stem: &str,
    ext: &str,
    taken: impl Fn(&Path) -> bool,
) -> PathBuf {
    let first = dir.join(format!("{stem}{ext}"));
    if !taken(&first) {
        return first;
    }
    (2..)
        .map(|n| dir.join(format!("{stem}-{n}{ext}")))
        .find(|p| !taken(p))
        .expect("some name is free")
}
