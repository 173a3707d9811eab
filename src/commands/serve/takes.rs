//! The takes folder as the API shows it. A take's id is its WAV file's name
//! without `.wav`; ids are checked against a short list of characters and
//! the file must be a regular file directly in the folder, so a path is
//! never taken from the client.

use std::path::{Path, PathBuf};

use serde::Serialize;
use vmcoach::rehearse::{self, TakeResult};

/// Longest id accepted.
const MAX_ID: usize = 120;

/// Whether `id` can name a take: ASCII letters, digits, `-`, `_` and `.`,
/// not starting with a dot, never `..`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID
        && !id.starts_with('.')
        && !id.contains("..")
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// The id of the take a history line names, when it is a WAV file directly
/// in the takes folder.
pub fn id_of(file: &str) -> Option<String> {
    let stem = file.strip_suffix(".wav")?;
    valid_id(stem).then(|| stem.to_string())
}

/// Which of a take's files a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `ID` or `ID.json`: the report (schema 1).
    Report,
    /// `ID.wav`: the recording.
    Audio,
    /// `ID.html`: the take's page.
    Page,
}

impl Part {
    fn extension(self) -> &'static str {
        match self {
            Part::Report => "json",
            Part::Audio => "wav",
            Part::Page => "html",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Part::Report => "application/json",
            Part::Audio => "audio/wav",
            Part::Page => "text/html; charset=utf-8",
        }
    }
}

/// `ID`, `ID.json`, `ID.wav` or `ID.html` as an id and a part; `None` for
/// anything that is not a valid id.
pub fn parse(segment: &str) -> Option<(String, Part)> {
    let (id, part) = [
        (".wav", Part::Audio),
        (".html", Part::Page),
        (".json", Part::Report),
    ]
    .into_iter()
    .find_map(|(ext, part)| segment.strip_suffix(ext).map(|id| (id, part)))
    .unwrap_or((segment, Part::Report));
    valid_id(id).then(|| (id.to_string(), part))
}

/// The file of a take's part, when it is a regular file (not a link).
pub fn existing(dir: &Path, id: &str, part: Part) -> Option<PathBuf> {
    debug_assert!(valid_id(id));
    let path = dir.join(format!("{id}.{}", part.extension()));
    std::fs::symlink_metadata(&path)
        .is_ok_and(|m| m.is_file())
        .then_some(path)
}

/// One take in `GET /api/takes`.
#[derive(Debug, Serialize)]
pub struct Listed {
    /// None for a history line whose file is not in the takes folder.
    pub id: Option<String>,
    #[serde(flatten)]
    pub take: TakeResult,
    /// Which of its files are there.
    pub audio: bool,
    pub report: bool,
    pub page: bool,
}

/// `GET /api/takes`: the history, oldest first.
#[derive(Debug, Serialize)]
pub struct Listing {
    pub takes: Vec<Listed>,
    /// History lines that could not be read (left out).
    pub unreadable_lines: usize,
}

pub fn listing(dir: &Path) -> vmcoach::Result<Listing> {
    let history = rehearse::read_history(&rehearse::history_path(dir))?;
    let takes = history
        .takes
        .into_iter()
        .map(|take| {
            let id = id_of(&take.file);
            let has = |part| {
                id.as_deref()
                    .is_some_and(|id| existing(dir, id, part).is_some())
            };
            Listed {
                audio: has(Part::Audio),
                report: has(Part::Report),
                page: has(Part::Page),
                id,
                take,
            }
        })
        .collect();
    Ok(Listing {
        takes,
        unreadable_lines: history.unreadable_lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_never_leave_the_folder() {
        for good in [
            "2026-03-04T09-14-05",
            "2026-03-04T09-14-05-2",
            "a.recovered",
            "x_1",
        ] {
            assert!(valid_id(good), "{good}");
        }
        for bad in [
            "", ".hidden", "..", "a/../b", "a/b", "a\\b", "..%2f", "a..b", "é", "a b", "a\0",
        ] {
            assert!(!valid_id(bad), "{bad:?}");
        }
        assert!(!valid_id(&"a".repeat(MAX_ID + 1)));
        assert_eq!(parse("t1.wav"), Some(("t1".into(), Part::Audio)));
        assert_eq!(parse("t1.html"), Some(("t1".into(), Part::Page)));
        assert_eq!(parse("t1.json"), Some(("t1".into(), Part::Report)));
        assert_eq!(parse("t1"), Some(("t1".into(), Part::Report)));
        assert_eq!(parse("../t1.wav"), None);
        assert_eq!(parse(".wav"), None);
        assert_eq!(
            id_of("2026-03-04T09-14-05.wav").as_deref(),
            Some("2026-03-04T09-14-05")
        );
        assert_eq!(id_of("/tmp/elsewhere.wav"), None);
        assert_eq!(id_of("take.mp3"), None);
    }

    #[test]
    fn only_regular_files_in_the_folder_are_served() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.wav"), b"RIFF").unwrap();
        assert!(existing(dir.path(), "t", Part::Audio).is_some());
        assert!(existing(dir.path(), "t", Part::Page).is_none());
        #[cfg(unix)]
        {
            let outside = tempfile::NamedTempFile::new().unwrap();
            std::os::unix::fs::symlink(outside.path(), dir.path().join("l.wav")).unwrap();
            assert!(existing(dir.path(), "l", Part::Audio).is_none());
        }
    }
}
