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

    /// The words and segments whose start `keep` accepts.
    pub fn starting(self, keep: impl Fn(f64) -> bool) -> Transcript {
        Transcript {
            words: self.words.into_iter().filter(|w| keep(w.start_s)).collect(),
            segments: self
                .segments
                .into_iter()
                .filter(|s| keep(s.start_s))
                .collect(),
        }
    }

    /// Drops the last word, and its segment if it held no other; a segment
    /// that did ends with the word before.
    pub fn drop_last_word(&mut self) {
        let Some(dropped) = self.words.pop() else {
            return;
        };
        let Some(last) = self.segments.last_mut() else {
            return;
        };
        let within: Vec<Word> = self
            .words
            .iter()
            .filter(|w| w.start_s >= last.start_s)
            .cloned()
            .collect();
        match within.last() {
            Some(w) if last.start_s <= dropped.start_s => {
                last.text = join_words(&within);
                last.end_s = w.end_s.max(last.start_s);
            }
            _ => {
                self.segments.pop();
            }
        }
    }

    /// Every time `by_s` seconds later: a stretch's transcript placed in
    /// the recording it was cut from.
    pub fn shifted(mut self, by_s: f64) -> Transcript {
        for w in &mut self.words {
            (w.start_s, w.end_s) = (w.start_s + by_s, w.end_s + by_s);
        }
        for s in &mut self.segments {
            (s.start_s, s.end_s) = (s.start_s + by_s, s.end_s + by_s);
        }
        self
    }
}

/// How far a window's last word may run past the end of its voice.
const LAST_WORD_PAST_VOICE_S: f64 = 0.3;

/// The latest a window's last word (`word`) can end: with the voice
/// stretch it is in, of `voiced` (the recording's voice activity), and a
/// little after. None when it began after that (the detector missed a
/// quiet word) or before any voice: then it is left as heard.
pub fn last_word_limit(word: &Word, voiced: &[(f64, f64)]) -> Option<f64> {
    let &(_, voice_end) = voiced
        .iter()
        .rev()
        .find(|&&(start, _)| start < word.end_s)?;
    let limit = ((voice_end + LAST_WORD_PAST_VOICE_S) * 100.0).round() / 100.0;
    (word.start_s < limit).then_some(limit)
}

/// `words` joined with single spaces.
pub fn join_words(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A stretch of a recording that holds a phone number, to be heard again.
#[derive(Debug, Clone, Copy)]
pub struct Cut<'a> {
    /// The whole recording the first pass heard.
    pub recording: &'a Mono16k,
    /// Where the stretch begins, in seconds of the recording: where `lead`
    /// begins, or the number when there is no lead.
    pub from_s: f64,
    /// Where the stretch ends: past the number's last sound.
    pub to_s: f64,
    /// What the first pass wrote between `from_s` and the number ("my
    /// number is"), or "". A transcriber that hears the stretch in its
    /// context may take these words as said, so that it starts where the
    /// number does.
    pub lead: &'a str,
    /// Hear the stretch's audio alone, apart from the recording, rather
    /// than within it: slower, and a hearing independent of the first
    /// pass's (see `whisper::again`).
    pub alone: bool,
}

impl Cut<'_> {
    /// The stretch's audio alone.
    pub fn audio(&self) -> Mono16k {
        self.recording.between(self.from_s, self.to_s)
    }

    pub fn duration_s(&self) -> f64 {
        (self.to_s.min(self.recording.duration_s()) - self.from_s.max(0.0)).max(0.0)
    }
}

/// How many of the texts given to [`Transcriber::score_texts`] get their
/// own score: the best ones. Working out the rest would be wasted (the
/// number pass compares its best readings only).
pub const SCORED_BEST: usize = 5;

/// The one seam between vmcoach and a speech model.
pub trait Transcriber {
    fn transcribe(&mut self, audio: &Mono16k) -> Result<Transcript>;

    /// Decodes a stretch that holds a phone number again, tuned for
    /// digits, and returns the text that follows the cut's lead. `None`:
    /// this transcriber has no such pass.
    fn hear_digits(&mut self, _cut: &Cut) -> Result<Option<String>> {
        Ok(None)
    }

    /// How well each of `texts` fits as what follows the cut's lead: the
    /// log-probability the model gives its tokens, one after the other
    /// (the higher, the better). Only the [`SCORED_BEST`] best need theirs:
    /// the others may get minus infinity. `None`: this transcriber cannot
    /// tell.
    fn score_texts(&mut self, _cut: &Cut, _texts: &[String]) -> Result<Option<Vec<f64>>> {
        Ok(None)
    }

    /// Gives back the memory that hearing a recording needed (whisper.cpp's
    /// decoder state), once it and its numbers are heard: the analysis that
    /// follows need not have it resident. The next hearing makes it again.
    fn release_buffers(&mut self) {}

    /// A thread count that another thread may set while this transcriber
    /// works (0: as it was made to); a call under way takes it up at its
    /// next step. None: one without threads of its own. The live engine's
    /// transcriber leaves a core to the capture, and takes it back when
    /// the take has ended, for the hearing under way too.
    fn threads_now(&self) -> Option<std::sync::Arc<std::sync::atomic::AtomicI32>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stretchs_transcript_is_cut_and_placed_in_its_recording() {
        let word = |text: &str, start_s: f64| Word {
            text: text.into(),
            start_s,
            end_s: start_s + 0.4,
            confidence: 0.9,
        };
        let t = Transcript {
            words: vec![word("context", 1.0), word("last", 6.0), word("words", 6.5)],
            segments: vec![
                Segment {
                    text: "context".into(),
                    start_s: 1.0,
                    end_s: 1.4,
                },
                Segment {
                    text: "last words".into(),
                    start_s: 6.0,
                    end_s: 6.9,
                },
            ],
        };
        let tail = t.starting(|s| s >= 5.0).shifted(20.0);
        assert_eq!(tail.text(), "last words");
        assert_eq!(tail.words[0].start_s, 26.0);
        assert_eq!(tail.words[1].end_s, 26.9);
        assert_eq!(tail.segments.len(), 1);
        assert_eq!(
            (tail.segments[0].start_s, tail.segments[0].end_s),
            (26.0, 26.9)
        );
    }
}
