//! The terminal side of hearing a take while it is recorded: the capture's
//! chunks handed to the engine (`vmcoach::pipeline::live`) as the recorder
//! reads them, and one quiet line under the level meter with the last
//! words heard and the one cue of the moment.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use vmcoach::audio::recorder::ChunkSource;
use vmcoach::pipeline::live::{Cue, LiveEvent, LiveTake};
use vmcoach::transcribe::whisper::{cores, WhisperModel};

/// Starts hearing a take of `channels` at `rate` Hz on a transcriber of
/// `model`'s with `threads` threads (`None`: all cores but one, at least
/// one: whisper.cpp's threads spin, and the capture must keep a core).
pub fn start(
    model: &WhisperModel,
    threads: Option<u16>,
    rate: u32,
    channels: u16,
) -> vmcoach::Result<LiveTake> {
    let threads = threads
        .map(usize::from)
        .unwrap_or_else(|| cores::all().saturating_sub(1).max(1));
    let mut transcriber = model.transcriber(threads)?;
    let stop = Arc::new(AtomicBool::new(false));
    transcriber.set_abort(Arc::clone(&stop));
    let live = LiveTake::new(rate, channels, Box::new(transcriber), stop);
    live.set_threads_after_stop(cores::all());
    Ok(live)
}

/// A chunk source that hands every chunk to the live engine too; the
/// recorder gets the chunks unchanged, so the take on disk is the same.
pub struct Tee<'a, S: ChunkSource> {
    pub source: &'a mut S,
    pub live: &'a LiveTake,
}

impl<S: ChunkSource> ChunkSource for Tee<'_, S> {
    fn rate(&self) -> u32 {
        self.source.rate()
    }
    fn channels(&self) -> u16 {
        self.source.channels()
    }
    fn next_chunk(&mut self, timeout: Duration) -> vmcoach::Result<Option<Vec<f32>>> {
        let chunk = self.source.next_chunk(timeout)?;
        if let Some(chunk) = &chunk {
            self.live.push(chunk);
        }
        Ok(chunk)
    }
    fn overruns(&self) -> u64 {
        self.source.overruns()
    }
    fn stop(&mut self) {
        self.source.stop()
    }
}

/// Words shown at most on the live line.
const LAST_WORDS: usize = 8;

/// What the live line shows: the last words heard and the cue.
#[derive(Debug, Default)]
pub struct LiveLine {
    words: String,
    cue: Option<Cue>,
}

impl LiveLine {
    /// Takes in the engine's events; `verbose` also tells each hearing's
    /// time on its own line (where no meter is drawn).
    pub fn update(&mut self, events: Vec<LiveEvent>, verbose: bool) {
        for event in events {
            match event {
                LiveEvent::Heard {
                    until_s,
                    words,
                    took_s,
                } => {
                    if verbose {
                        eprintln!(
                            "vmcoach: live: heard the first {until_s:.1} s in {took_s:.2} s ({} words)",
                            words.len()
                        );
                    }
                    let from = words.len().saturating_sub(LAST_WORDS);
                    self.words = vmcoach::transcribe::join_words(&words[from..]);
                }
                LiveEvent::Cue(cue) => {
                    if verbose {
                        eprintln!("vmcoach: live: {cue}");
                    }
                    self.cue = Some(cue);
                }
            }
        }
    }

    /// The line, cut to `width` characters (empty before anything was heard).
    pub fn render(&self, width: usize) -> String {
        let mut line = String::new();
        if !self.words.is_empty() {
            line = format!("  ...{}", self.words);
        }
        if let Some(cue) = &self.cue {
            line = format!("{line}  [{cue}]");
        }
        let count = line.chars().count();
        if count > width {
            // Keep the end: the newest words and the cue.
            line = line.chars().skip(count - width).collect();
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmcoach::transcribe::Word;

    fn word(text: &str) -> Word {
        Word {
            text: text.into(),
            start_s: 0.0,
            end_s: 0.1,
            confidence: 0.9,
        }
    }

    #[test]
    fn the_line_shows_the_last_words_and_one_cue() {
        let mut line = LiveLine::default();
        assert_eq!(line.render(80), "");
        let words: Vec<Word> = "hi this is Dana my number is 6 1 2 5 5 5"
            .split(' ')
            .map(word)
            .collect();
        line.update(
            vec![
                LiveEvent::Heard {
                    until_s: 6.0,
                    words,
                    took_s: 0.5,
                },
                LiveEvent::Cue(Cue::NoNumberYet { after_s: 15.0 }),
                LiveEvent::Cue(Cue::NumberHeard { at_s: 5.4 }),
            ],
            false,
        );
        assert_eq!(
            line.render(80),
            "  ...number is 6 1 2 5 5 5  [number heard 0:05]"
        );
        assert_eq!(line.render(20), " [number heard 0:05]");
    }
}
