//! Writing HTML pages: whole or not at all (a temporary file in the same
//! folder, then renamed over the name), and never over a file the user did
//! not ask to replace.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Component, Path};

use vmcoach::report::html;
use vmcoach::Error;

/// What may happen to a file already at the page's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// The user named the file (`--html OUT`): replace it.
    Always,
    /// Replace it only when it is a page vmcoach wrote (`--html-dir`).
    OwnPages,
    /// Keep it; the page is not written (a take's page).
    Never,
}

fn is_own_page(path: &Path) -> bool {
    let mut start = Vec::with_capacity(1024);
    std::fs::File::open(path)
        .and_then(|f| f.take(1024).read_to_end(&mut start))
        .is_ok_and(|_| html::is_own_page(&start))
}

/// An error when `path` holds a file that is not a vmcoach page.
pub fn check_replaceable(path: &Path) -> vmcoach::Result<()> {
    if path.exists() && !is_own_page(path) {
        return Err(Error::Input(format!(
            "{}: already exists and is not a vmcoach page; it is left as it is (move it, or choose another folder)",
            path.display()
        )));
    }
    Ok(())
}

/// Writes `page` to `path`.
pub fn write_page(path: &Path, page: &str, replace: Replace) -> vmcoach::Result<()> {
    if replace == Replace::OwnPages {
        check_replaceable(path)?;
    }
    let mut tmp = super::temp_beside(path, ".html.tmp")?;
    tmp.write_all(page.as_bytes())
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::io(path, e))?;
    let persisted = match replace {
        Replace::Never => tmp.persist_noclobber(path),
        Replace::Always | Replace::OwnPages => tmp.persist(path),
    };
    persisted.map(drop).map_err(|e| Error::io(path, e.error))
}

/// File names for the pages of `sources` in one folder: the path's parts
/// joined by `__` (`..` as `up`), every character but letters, digits, `.`,
/// `-` and `_` as `_`, then `.html`. Two sources with the same file name in
/// different folders get different pages; a name already taken (ignoring
/// case, for case-insensitive file systems) gets `-2`, `-3`... before
/// `.html`. `index.html` is never given out.
pub fn page_names<'a>(sources: impl IntoIterator<Item = &'a Path>) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::from(["index.html".to_string()]);
    sources
        .into_iter()
        .map(|source| {
            let parts: Vec<String> = source
                .components()
                .filter_map(|c| match c {
                    Component::Normal(part) => Some(
                        part.to_string_lossy()
                            .chars()
                            .map(|c| {
                                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                                    c
                                } else {
                                    '_'
                                }
                            })
                            .collect(),
                    ),
                    Component::ParentDir => Some("up".to_string()),
                    _ => None,
                })
                .collect();
            let stem = if parts.is_empty() {
                "recording".to_string()
            } else {
                parts.join("__")
            };
            let mut name = format!("{stem}.html");
            let mut n = 1;
            while !taken.insert(name.to_lowercase()) {
                n += 1;
                name = format!("{stem}-{n}.html");
            }
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_file_names_in_different_folders_get_different_pages() {
        let sources = [
            "a/take.wav",
            "b/take.wav",
            "../x y/Take.WAV",
            "a__take.wav",
            "index",
            "/abs/z.wav",
        ];
        let names = page_names(sources.iter().map(Path::new));
        assert_eq!(
            names,
            [
                "a__take.wav.html",
                "b__take.wav.html",
                "up__x_y__Take.WAV.html",
                "a__take.wav-2.html",
                "index-2.html",
                "abs__z.wav.html"
            ]
        );
    }

    #[test]
    fn pages_replace_only_what_they_may() {
        let dir = tempfile::tempdir().unwrap();
        let page = format!(
            "<!doctype html><html><head>{}</head></html>",
            html::GENERATOR
        );
        let mine = dir.path().join("mine.html");
        write_page(&mine, &page, Replace::OwnPages).unwrap();
        write_page(&mine, &(page.clone() + "again"), Replace::OwnPages).unwrap();
        assert!(std::fs::read_to_string(&mine).unwrap().ends_with("again"));

        let theirs = dir.path().join("theirs.html");
        std::fs::write(&theirs, "my notes").unwrap();
        let err = write_page(&theirs, &page, Replace::OwnPages).unwrap_err();
        assert!(
            err.to_string().contains("theirs.html")
                && err.to_string().contains("not a vmcoach page"),
            "{err}"
        );
        assert!(write_page(&theirs, &page, Replace::Never).is_err());
        assert_eq!(std::fs::read_to_string(&theirs).unwrap(), "my notes");
        write_page(&theirs, &page, Replace::Always).unwrap();
        assert_eq!(std::fs::read_to_string(&theirs).unwrap(), page);
        // nothing left behind
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
