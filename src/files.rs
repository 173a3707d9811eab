//! Files written whole: a temporary file beside the target, renamed over
//! it once complete, so a reader never sees half a file and a failed write
//! leaves the old one as it was.

use std::path::{Path, PathBuf};

/// `path` with `suffix` added to its name: `take.wav.part` for `take.wav`.
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// The folder `path` is in ("." for a bare file name).
pub fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A temporary file in `path`'s folder, named `.vmcoach-…SUFFIX`, readable
/// like any other document (the umask still applies), not private as a
/// temporary file is.
pub fn temp_beside(path: &Path, suffix: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".vmcoach-").suffix(suffix);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    builder.tempfile_in(dir_of(path))
}
