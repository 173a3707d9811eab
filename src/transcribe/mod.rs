//! Speech to timed words. The model sits behind [`Transcriber`]; the whisper
//! implementation lives in [`whisper`], a canned one for tests in [`scripted`],
//! and everything about model files (finding, checking, converting) in [`model`].

pub mod model;
pub mod pieces;
pub mod scripted;
pub mod whisper;

use serde::{Deserialize, Serialize};

use crate::audio::Mono16k;
use crate::error::Result;

/// One recognised word with its time span in seconds from the start of the audio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub start_s: f64,
    pub end_s: f64,
    /// Mean token probability, 0..1.
    pub confidence: f64,
}

/// A stretch of speech as whisper segmented it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub text: String,
    pub start_s: f64,
    pub end_s: f64,
}

/// What a transcriber returns: the words in order, and the segments they came in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    pub words: Vec<Word>,
    #[serde(default)]
    pub segments: Vec<Segment>,
}

impl Transcript {
    /// The words joined with single spaces.
    pub fn text(&self) -> String {
        join_words(&self.words)
    }
}

/// `words` joined with single spaces.
pub fn join_words(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The one seam between vmcoach and a speech model.
pub trait Transcriber {
    fn transcribe(&mut self, audio: &Mono16k) -> Result<Transcript>;

    /// Decodes a few seconds that hold a phone number again, tuned for
    /// digits, and returns the text. `None`: this transcriber has no such
    /// pass.
    fn hear_digits(&mut self, _audio: &Mono16k) -> Result<Option<String>> {
        Ok(None)
    }

    /// How well each of `texts` fits `audio`: the log-probability the
    /// model gives its tokens, one after the other, as what was said there
    /// (the higher, the better). `None`: this transcriber cannot tell.
    fn score_texts(&mut self, _audio: &Mono16k, _texts: &[String]) -> Result<Option<Vec<f64>>> {
        Ok(None)
    }
}
