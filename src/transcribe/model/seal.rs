//! A model's seal: its sha256, written beside it (`NAME.sha256`, in
//! `sha256sum` format) when vmcoach writes the model. Loading checks it
//! cheaply: a model not written since its seal is trusted as it is; one
//! changed since (a flipped byte, a partial copy) is hashed again and
//! refused if the hash differs. `vmcoach model verify` always hashes.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::fetch::sha256_file;
use crate::error::{Error, Result};
use crate::files;

/// The seal of the model at `path`: `ggml-tiny.en.bin.sha256` for `ggml-tiny.en.bin`.
pub fn seal_path(path: &Path) -> PathBuf {
    files::with_suffix(path, ".sha256")
}

/// Hashes the model at `path` and writes its seal (to a temporary file,
/// then renamed), after the model itself is in place.
pub(crate) fn write(path: &Path) -> Result<String> {
    let hash = sha256_file(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let seal = seal_path(path);
    let mut tmp = files::temp_beside(&seal, ".sha256.tmp").map_err(|e| Error::io(&seal, e))?;
    std::io::Write::write_all(&mut tmp, format!("{hash}  {name}\n").as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(&seal, e))?;
    tmp.persist(&seal).map_err(|e| Error::io(&seal, e.error))?;
    Ok(hash)
}

/// The hash a model's seal records, if it has a readable one.
fn recorded(path: &Path) -> Option<(String, SystemTime)> {
    let seal = seal_path(path);
    let sealed_at = std::fs::metadata(&seal).and_then(|m| m.modified()).ok()?;
    let text = std::fs::read_to_string(&seal).ok()?;
    let hash = text.split_whitespace().next()?;
    (hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| (hash.to_ascii_lowercase(), sealed_at))
}

/// Refuses a model whose content is not what its seal records. Without a
/// seal (a model written by another tool) there is nothing to check. With
/// `always`, the model is hashed even when it was not written since it was
/// sealed.
pub fn check(path: &Path, always: bool) -> Result<Option<String>> {
    let Some((expected, sealed_at)) = recorded(path) else {
        return Ok(None);
    };
    let written_at = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map_err(|e| Error::io(path, e))?;
    if !always && written_at <= sealed_at {
        return Ok(Some(expected));
    }
    let actual = sha256_file(path)?;
    if actual != expected {
        return Err(Error::bad_model(
            path,
            format!(
                "has changed since it was installed (its sha256 is {actual}, {} records {expected}); \
                 install it again with: vmcoach model fetch",
                seal_path(path).display()
            ),
        ));
    }
    Ok(Some(actual))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_byte_is_caught_and_an_unsealed_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("m.bin");
        std::fs::write(&model, vec![7u8; 4096]).unwrap();
        assert_eq!(check(&model, true).unwrap(), None);
        let hash = write(&model).unwrap();
        assert_eq!(
            check(&model, false).unwrap().as_deref(),
            Some(hash.as_str())
        );
        assert_eq!(check(&model, true).unwrap().as_deref(), Some(hash.as_str()));
        // One byte flipped in place, the file written after its seal.
        let mut bytes = std::fs::read(&model).unwrap();
        bytes[1000] ^= 1;
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&model, &bytes).unwrap();
        let e = check(&model, false).unwrap_err().to_string();
        assert!(e.contains("has changed since it was installed"), "{e}");
        assert!(e.contains("m.bin"), "{e}");
        // verify hashes whatever the times say.
        let seal = seal_path(&model);
        let text = std::fs::read_to_string(&seal).unwrap();
        std::fs::write(&seal, text).unwrap();
        assert!(check(&model, false).is_ok());
        assert!(check(&model, true).is_err());
    }
}
