//! A transcriber that remembers what the model said about exact audio: a
//! number's second hearing and the scores of its readings. The live engine
//! hears the numbers of a take while it is recorded through one; the
//! report after the stop asks the same questions through another that
//! shares its memory, and the cuts that were heard already are answered at
//! once, with the very text the model gave. A cut is found again only when
//! what its hearing depends on is equal bit for bit (see [`Key`]), so
//! nothing is ever answered for audio that was not heard.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::audio::Mono16k;
use crate::error::{Error, Result};
use crate::transcribe::{Cut, Transcriber, Transcript};

/// What a hearing of a cut depends on: a cut heard alone, its own
/// samples; one heard within its recording, the whole recording's, where
/// the cut lies and the words taken as said before it. (So a number heard
/// within a take still being recorded is heard again after the stop: the
/// take has grown.)
#[derive(Debug, Clone, PartialEq)]
struct Key {
    samples: Vec<f32>,
    alone: bool,
    from_s: u64,
    to_s: u64,
    lead: String,
}

impl Key {
    fn of(cut: &Cut) -> Key {
        if cut.alone {
            return Key {
                samples: cut.audio().samples().to_vec(),
                alone: true,
                from_s: 0,
                to_s: 0,
                lead: cut.lead.to_string(),
            };
        }
        Key {
            samples: cut.recording.samples().to_vec(),
            alone: false,
            from_s: cut.from_s.to_bits(),
            to_s: cut.to_s.to_bits(),
            lead: cut.lead.to_string(),
        }
    }
}

/// What the model said about exact stretches of audio.
#[derive(Debug, Default, Clone)]
pub struct Memory {
    heard: Vec<(Key, Option<String>)>,
    scored: Vec<(Key, Vec<String>, Option<Vec<f64>>)>,
    /// Questions answered from memory, and asked of the model.
    pub hits: usize,
    pub misses: usize,
}

/// `inner` with `memory` in front of its number questions. With `stop`,
/// every call to the model first checks it and gives up with
/// [`Error::Transcribe`] once it is set.
pub struct Recall<'a> {
    pub inner: &'a mut dyn Transcriber,
    pub memory: &'a mut Memory,
    pub stop: Option<&'a AtomicBool>,
}

/// The message of the error a stopped [`Recall`] gives.
pub const STOPPED: &str = "stopped";

impl Recall<'_> {
    fn go_on(&self) -> Result<()> {
        match self.stop {
            Some(stop) if stop.load(Ordering::SeqCst) => Err(Error::Transcribe(STOPPED.into())),
            _ => Ok(()),
        }
    }
}

impl Transcriber for Recall<'_> {
    fn transcribe(&mut self, audio: &Mono16k) -> Result<Transcript> {
        self.go_on()?;
        self.inner.transcribe(audio)
    }

    fn hear_digits(&mut self, cut: &Cut) -> Result<Option<String>> {
        let key = Key::of(cut);
        if let Some((_, text)) = self.memory.heard.iter().find(|(k, _)| *k == key) {
            self.memory.hits += 1;
            return Ok(text.clone());
        }
        self.go_on()?;
        self.memory.misses += 1;
        let text = self.inner.hear_digits(cut)?;
        self.memory.heard.push((key, text.clone()));
        Ok(text)
    }

    fn score_texts(&mut self, cut: &Cut, texts: &[String]) -> Result<Option<Vec<f64>>> {
        let key = Key::of(cut);
        if let Some((_, _, scores)) = self
            .memory
            .scored
            .iter()
            .find(|(k, t, _)| *k == key && t == texts)
        {
            self.memory.hits += 1;
            return Ok(scores.clone());
        }
        self.go_on()?;
        self.memory.misses += 1;
        let scores = self.inner.score_texts(cut, texts)?;
        self.memory
            .scored
            .push((key, texts.to_vec(), scores.clone()));
        Ok(scores)
    }

    fn release_buffers(&mut self) {
        self.inner.release_buffers()
    }

    fn threads_now(&self) -> Option<std::sync::Arc<std::sync::atomic::AtomicI32>> {
        self.inner.threads_now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts the questions that reach it; hears every cut as its length.
    #[derive(Default)]
    struct Counting(usize);

    impl Transcriber for Counting {
        fn transcribe(&mut self, _audio: &Mono16k) -> Result<Transcript> {
            Ok(Transcript::default())
        }
        fn hear_digits(&mut self, cut: &Cut) -> Result<Option<String>> {
            self.0 += 1;
            Ok(Some(cut.audio().samples().len().to_string()))
        }
        fn score_texts(&mut self, _cut: &Cut, texts: &[String]) -> Result<Option<Vec<f64>>> {
            self.0 += 1;
            Ok(Some(texts.iter().map(|t| t.len() as f64).collect()))
        }
    }

    fn recall<'a>(inner: &'a mut Counting, memory: &'a mut Memory) -> Recall<'a> {
        Recall {
            inner,
            memory,
            stop: None,
        }
    }

    fn audio(values: &[f32]) -> Mono16k {
        Mono16k::from_resampled(values.to_vec())
    }

    /// The whole of `recording`, heard alone or within it.
    fn whole(recording: &Mono16k, alone: bool) -> Cut<'_> {
        Cut {
            recording,
            from_s: 0.0,
            to_s: f64::INFINITY,
            lead: "",
            alone,
        }
    }

    #[test]
    fn the_same_samples_are_answered_from_memory_and_others_asked() {
        let mut memory = Memory::default();
        let mut model = Counting::default();
        let texts = vec!["1 2".to_string(), "1 2 3".to_string()];
        let (a, b) = (audio(&[0.1, 0.2]), audio(&[0.1]));
        {
            let mut first = recall(&mut model, &mut memory);
            assert_eq!(first.hear_digits(&whole(&a, true)).unwrap().unwrap(), "2");
            first.score_texts(&whole(&b, true), &texts).unwrap();
        }
        let mut later = Counting::default();
        let mut second = recall(&mut later, &mut memory);
        assert_eq!(second.hear_digits(&whole(&a, true)).unwrap().unwrap(), "2");
        assert_eq!(
            second
                .score_texts(&whole(&b, true), &texts)
                .unwrap()
                .unwrap(),
            vec![3.0, 5.0]
        );
        assert_eq!(second.memory.misses, 2, "both answered from memory");
        // One sample different by the least step: asked again.
        let nearly = audio(&[0.1, f32::from_bits(0.2f32.to_bits() + 1)]);
        second.hear_digits(&whole(&nearly, true)).unwrap();
        second.score_texts(&whole(&b, true), &texts[..1]).unwrap();
        // Within the recording: the same samples heard alone are another
        // question.
        second.hear_digits(&whole(&a, false)).unwrap();
        assert_eq!(later.0, 3);
        assert_eq!((memory.hits, memory.misses), (2, 5));
    }

    #[test]
    fn a_stopped_recall_asks_the_model_nothing() {
        let mut memory = Memory::default();
        let mut model = Counting::default();
        let stop = AtomicBool::new(true);
        let mut recall = Recall {
            inner: &mut model,
            memory: &mut memory,
            stop: Some(&stop),
        };
        assert!(recall.hear_digits(&whole(&audio(&[0.3]), true)).is_err());
        assert!(recall.transcribe(&audio(&[0.3])).is_err());
        assert_eq!(model.0, 0);
    }
}
