//! A [`Transcriber`] that returns a canned transcript, for testing what lies
//! downstream of the model without running it.

use std::path::Path;

use super::{Transcriber, Transcript, Word};
use crate::audio::Mono16k;
use crate::error::{Error, Result};

/// Returns the same transcript for any audio.
#[derive(Debug, Clone)]
pub struct Scripted {
    transcript: Transcript,
}

impl Scripted {
    pub fn new(transcript: Transcript) -> Self {
        Scripted { transcript }
    }

    /// The words of `text`, one every 0.3 s, each 0.25 s long.
    pub fn evenly(text: &str) -> Self {
        let words = text
            .split_whitespace()
            .enumerate()
            .map(|(i, w)| Word {
                text: w.to_string(),
                start_s: 0.3 * i as f64,
                end_s: 0.3 * i as f64 + 0.25,
                confidence: 0.9,
            })
            .collect();
        Scripted::new(Transcript {
            words,
            ..Default::default()
        })
    }

    /// The transcript it returns.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// Reads a transcript saved as JSON (`{"words": [...]}`).
    pub fn from_json_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let transcript: Transcript = serde_json::from_str(&text)
            .map_err(|e| Error::Input(format!("{}: not a transcript: {e}", path.display())))?;
        Ok(Scripted { transcript })
    }
}

impl Transcriber for Scripted {
    fn transcribe(&mut self, _audio: &Mono16k) -> Result<Transcript> {
        Ok(self.transcript.clone())
    }
}
