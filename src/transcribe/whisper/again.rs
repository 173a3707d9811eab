//! A phone number heard again, two ways (see [`Cut::alone`]).
//!
//! In its context: on the encoder's output for the window it is in: for a
//! recording of one window, the encoding the first pass made (no encoder
//! run at all); otherwise a 30 s window around the number. The decoder is
//! set going at the number (see [`score::start_tokens`]) with the digit
//! prompt, and writes digits one token each, greedily.
//!
//! Alone: the cut's audio encoded by itself (silence after it) and decoded
//! with beam search, digits one token each: slower, and a hearing that owes
//! nothing to the first pass's.
//!
//! Readings are scored on the encoding of the hearing of the same cut.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use super::kept::{self, Kept};
use super::{
    full_params, padded, score, WhisperOptions, WhisperTranscriber, DEFAULT_PROMPT, WINDOW_SAMPLES,
};
use crate::audio::MODEL_RATE;
use crate::error::Result;
use crate::transcribe::pieces::Piece;
use crate::transcribe::{Cut, SCORED_BEST};

/// Tokens enough for a number with its separators and a word either side.
const DIGIT_MAX_TOKENS: usize = 40;

/// Beam width for a cut heard alone.
const DIGIT_BEAM: usize = 5;

/// Digits enough to end a hearing at the next word: a local number's.
const DIGITS_BEFORE_A_WORD_ENDS: usize = 7;

/// Audio kept in a window before the stretch heard, when the recording is
/// longer than one window: context for the decoder.
const CONTEXT_BEFORE_S: f64 = 5.0;

/// How far past a piece's end a cut heard within it may reach: the margin
/// after a number's last word (the piece keeps half a second after its
/// voice).
const PIECE_END_SLACK_S: f64 = 1.0;

/// The stretch of a recording whose encoding the decoder state holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Window {
    recording: u64,
    start: usize,
    len: usize,
    kind: Kind,
}

/// What a [`Window`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Up to 30 s of the recording that a number is heard within.
    Within,
    /// A cut heard alone.
    Alone,
    /// A piece of a recording heard in pieces, in a window sized to it, as
    /// the first pass encoded it (`start` and `len` are then the span of
    /// the recording it plays; see [`Window::piece`]).
    Piece,
}

impl Window {
    /// The window a stretch from `from_s` is heard in: alone, the cut
    /// itself; else the whole recording when it fits in one window, or 30 s
    /// that begin a little before the cut.
    fn for_cut(cut: &Cut) -> Window {
        let samples = cut.recording.samples();
        let at = |s: f64| ((s.max(0.0) * MODEL_RATE as f64) as usize).min(samples.len());
        if cut.alone {
            let start = at(cut.from_s);
            return Window {
                recording: fingerprint(samples),
                start,
                len: at(cut.to_s).max(start) - start,
                kind: Kind::Alone,
            };
        }
        let len = samples.len().min(WINDOW_SAMPLES);
        Window {
            recording: fingerprint(samples),
            start: at(cut.from_s - CONTEXT_BEFORE_S).min(samples.len() - len),
            len,
            kind: Kind::Within,
        }
    }

    /// The first window of a recording, as the first pass encodes it.
    pub(super) fn first(samples: &[f32]) -> Window {
        Window {
            recording: fingerprint(samples),
            start: 0,
            len: samples.len().min(WINDOW_SAMPLES),
            kind: Kind::Within,
        }
    }

    /// A piece of a recording heard in pieces, as the first pass encodes it.
    pub(super) fn piece(samples: &[f32], piece: &Piece) -> Window {
        let at = |s: f64| ((s.max(0.0) * MODEL_RATE as f64) as usize).min(samples.len());
        let start = piece.parts.first().map_or(0, |p| at(p.start_s));
        let end = piece.parts.last().map_or(0, |p| at(p.end_s));
        Window {
            recording: fingerprint(samples),
            start,
            len: end.max(start) - start,
            kind: Kind::Piece,
        }
    }

    fn start_s(&self) -> f64 {
        self.start as f64 / MODEL_RATE as f64
    }
}

/// Tells recordings apart cheaply: their length and every 97th sample.
fn fingerprint(samples: &[f32]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    samples.len().hash(&mut h);
    for s in samples.iter().step_by(97) {
        s.to_bits().hash(&mut h);
    }
    h.finish()
}

/// More of one digit in a row than a whole number holds.
const RUNAWAY_DIGITS: usize = 11;

/// Whether `text` has [`RUNAWAY_DIGITS`] or more of one digit in a row
/// (separators between them aside): the decoder caught in a loop before
/// its token limit ("I do 8 1 8 4 4, 0 0 0 0 0 0 0 0 0 0 0 0 ...").
fn runs_away(text: &str) -> bool {
    let mut run = (' ', 0);
    for c in text.chars() {
        if c.is_ascii_digit() {
            run = if c == run.0 { (c, run.1 + 1) } else { (c, 1) };
            if run.1 >= RUNAWAY_DIGITS {
                return true;
            }
        } else if c.is_alphabetic() {
            run = (' ', 0);
        }
    }
    false
}

/// The encoder's runs in one transcription, counted by whisper.cpp's
/// encoder-begin callback ([`count_encodes`]), and the first window's
/// encoding, copied aside when whisper.cpp is about to encode again on the
/// same state: in a recording of one window, tiny.en ended the text early
/// and the decoder goes on from there on a new encoding. A number in the
/// window is then heard again on the copy, not on the window encoded anew
/// (about a second on one thread; each hearing of a take being recorded
/// whose text ended early paid it).
#[derive(Default)]
pub(super) struct Encodes {
    count: AtomicU32,
    /// While set: the window the first encode is of.
    first: Mutex<Option<Window>>,
    kept: Mutex<Option<Kept>>,
}

impl Encodes {
    pub fn count(&self) -> u32 {
        self.count.load(Ordering::Relaxed)
    }

    /// Until [`Encodes::stop_watching`], keeps the encoding of `window`
    /// (the first encode's) when a second encode follows it.
    pub fn watch_first(&self, window: Window) {
        if let Ok(mut first) = self.first.lock() {
            *first = Some(window);
        }
    }

    pub fn stop_watching(&self) {
        if let Ok(mut first) = self.first.lock() {
            *first = None;
        }
    }

    /// The first window's encoding, when it was kept.
    pub fn take_first(&self) -> Option<Kept> {
        self.kept.lock().ok().and_then(|mut k| k.take())
    }
}

/// whisper.cpp's encoder-begin callback: counts the encoder runs in the
/// [`Encodes`] that `user_data` points to, and when a second run is about
/// to begin while it watches the first window, copies that window's
/// encoding out of `state` first.
///
/// # Safety
/// `user_data` is an `Encodes` that outlives the decode it is given to,
/// and whisper.cpp calls this on the thread decoding, with the state it
/// decodes on, before encoding into it.
pub(super) unsafe extern "C" fn count_encodes(
    _ctx: *mut whisper_rs::whisper_rs_sys::whisper_context,
    state: *mut whisper_rs::whisper_rs_sys::whisper_state,
    user_data: *mut std::ffi::c_void,
) -> bool {
    let Some(encodes) = (user_data as *const Encodes).as_ref() else {
        return true;
    };
    let before = encodes.count.fetch_add(1, Ordering::Relaxed);
    if before != 1 || state.is_null() {
        return true;
    }
    // The watch is only on while the first window is decoded, on one
    // state: the state about to encode again still holds that window.
    let first = encodes.first.lock().ok().and_then(|f| *f);
    if let (Some(window), Ok(mut kept)) = (first, encodes.kept.lock()) {
        *kept = Some(Kept::copy(kept::RawState::of_callback(state), window, None));
    }
    true
}

/// whisper.cpp's logits filter for a cut heard alone: the tokens in
/// `user_data` (a `Vec<i32>`) cannot be chosen, so digits come one token
/// each.
///
/// # Safety
/// whisper.cpp calls it with `logits` of the vocabulary's length, and
/// `user_data` is the transcriber's `Vec<i32>` of multi-digit tokens, which
/// lives as long as the transcriber.
unsafe extern "C" fn suppress_tokens(
    ctx: *mut whisper_rs::whisper_rs_sys::whisper_context,
    _state: *mut whisper_rs::whisper_rs_sys::whisper_state,
    _tokens: *const whisper_rs::whisper_rs_sys::whisper_token_data,
    _n_tokens: std::os::raw::c_int,
    logits: *mut f32,
    user_data: *mut std::ffi::c_void,
) {
    if logits.is_null() || user_data.is_null() {
        return;
    }
    let ids = &*(user_data as *const Vec<i32>);
    let n_vocab = whisper_rs::whisper_rs_sys::whisper_n_vocab(ctx);
    for &id in ids {
        if id >= 0 && id < n_vocab {
            *logits.add(id as usize) = f32::NEG_INFINITY;
        }
    }
}

/// A hearing of digits is over at the first word after a number's worth.
fn number_ended(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let after = text
        .rsplit(|c: char| c.is_ascii_digit())
        .next()
        .unwrap_or("");
    digits >= DIGITS_BEFORE_A_WORD_ENDS && after.contains(char::is_alphabetic)
}

impl WhisperTranscriber {
    /// Makes the state hold the encoding of the window `cut` is heard in,
    /// and returns where the cut begins in it, in seconds.
    fn encode_for(&mut self, cut: &Cut, threads: usize) -> Result<(f64, bool)> {
        if let Some(at_s) = self.piece_for(cut) {
            return Ok((at_s, true));
        }
        let window = Window::for_cut(cut);
        let reused = self.encoded == Some(window) || self.give_back(window);
        if !reused {
            self.keep_encoding();
            // A new state: one the first pass used may keep a piece's
            // window size, and the encoder would take it.
            self.fresh_state()?;
            let samples = cut.recording.samples();
            let samples = padded(samples[window.start..window.start + window.len].to_vec());
            let state = self.state()?;
            let (done, raw) = kept::encoded_on(|| score::encode(state, &samples, threads));
            done?;
            self.number_encodes += 1;
            self.raw = raw.or(self.raw);
            self.encoded = Some(window);
        }
        Ok((cut.from_s - window.start_s(), reused))
    }

    /// Copies the encoding the state holds aside, when it is of a window a
    /// number is heard within and another is about to take its place.
    pub(super) fn keep_encoding(&mut self) {
        let (Some(window), Some(raw)) = (self.encoded, self.raw) else {
            return;
        };
        if window.kind != Kind::Within || self.kept.as_ref().is_some_and(|k| k.window == window) {
            return;
        }
        // SAFETY: `raw` is the pointer of `self.state`, which lives and
        // holds the encoding of `window` (`self.encoded`).
        self.kept = Some(unsafe { Kept::copy(raw, window, self.kept.take()) });
    }

    /// Has the state hold the first pass's encoding of the piece that `cut`
    /// lies in, when it was kept (see [`WhisperTranscriber::keep_piece`]),
    /// and returns where the cut begins in the piece, in seconds. None for
    /// a cut heard alone, or one that no kept piece holds.
    fn piece_for(&mut self, cut: &Cut) -> Option<f64> {
        if cut.alone {
            return None;
        }
        let samples = cut.recording.samples();
        let recording = fingerprint(samples);
        let (at_s, i) = self
            .pieces_kept
            .iter()
            .enumerate()
            .find_map(|(i, (piece, kept))| {
                if kept.window.recording != recording
                    || piece
                        .parts
                        .last()
                        .is_none_or(|p| cut.to_s > p.end_s + PIECE_END_SLACK_S)
                {
                    return None;
                }
                piece.to_piece(cut.from_s).map(|at_s| (at_s, i))
            })?;
        let window = self.pieces_kept[i].1.window;
        if self.encoded != Some(window) {
            self.keep_encoding();
            let raw = self.raw?;
            // SAFETY: `raw` is the pointer of `self.state`, which lives.
            if !unsafe { self.pieces_kept[i].1.give_back(raw) } {
                return None;
            }
            self.encoded = Some(window);
        }
        Some(at_s)
    }

    /// Keeps the encoding of `piece` that the state holds, the first pass
    /// having just heard it there, for a number in it to be heard again on.
    pub(super) fn keep_piece(&mut self, samples: &[f32], piece: &Piece) {
        let Some(raw) = self.raw else {
            return;
        };
        let window = Window::piece(samples, piece);
        // SAFETY: `raw` is the pointer of `self.state`, which lives and
        // holds the encoding of `piece`, decoded last.
        let kept = unsafe { Kept::copy(raw, window, None) };
        self.pieces_kept.push((piece.clone(), kept));
    }

    /// Puts the encoding of `window` back into the state, when it was kept.
    fn give_back(&mut self, window: Window) -> bool {
        let (Some(kept), Some(raw)) = (&self.kept, self.raw) else {
            return false;
        };
        // SAFETY: `raw` is the pointer of `self.state`, which lives.
        if kept.window != window || !unsafe { kept.give_back(raw) } {
            return false;
        }
        self.encoded = Some(window);
        true
    }

    /// See [`crate::transcribe::Transcriber::hear_digits`].
    pub(super) fn hear_again(&mut self, cut: &Cut) -> Result<String> {
        if cut.alone {
            return self.hear_alone(cut);
        }
        let started = std::time::Instant::now();
        let threads = self.number_threads();
        let (at_s, reused) = self.encode_for(cut, threads)?;
        let start = score::start_tokens(&self.ctx, DEFAULT_PROMPT, at_s, cut.lead)?;
        let banned = Arc::clone(&self.multi_digit);
        let how = score::Greedy {
            banned: &banned,
            max_tokens: DIGIT_MAX_TOKENS,
            done: &number_ended,
        };
        let ctx = Arc::clone(&self.ctx);
        let (text, ran_out) = score::hear(&ctx, self.state()?, &start, &how, threads)?;
        let text = self.ended(text, ran_out);
        if self.options.verbose {
            eprintln!(
                "vmcoach: heard a number again from {:.1} s after \"{}\" in {:.2} s{}: {text}",
                cut.from_s,
                cut.lead,
                started.elapsed().as_secs_f64(),
                if reused { " (encoding reused)" } else { "" }
            );
        }
        Ok(text)
    }

    /// The cut's audio alone, decoded by whisper.cpp with beam search and
    /// the digit prompt. One segment, so that an early end of text does not
    /// make whisper.cpp encode again from there; no fallback and few
    /// tokens, so a confused decoder stops soon. (A window sized to the cut
    /// was faster but wrote digits that were not said.)
    fn hear_alone(&mut self, cut: &Cut) -> Result<String> {
        let started = std::time::Instant::now();
        let window = Window::for_cut(cut);
        let samples = cut.recording.samples();
        let samples = padded(samples[window.start..window.start + window.len].to_vec());
        let options = WhisperOptions {
            beam_size: DIGIT_BEAM,
            initial_prompt: Some(DEFAULT_PROMPT.to_string()),
            ..self.options.clone()
        };
        let threads = self.number_threads();
        let mut params = full_params(&options, threads);
        params.set_single_segment(true);
        params.set_temperature_inc(0.0);
        params.set_max_tokens(DIGIT_MAX_TOKENS as i32);
        // Digits one token each: tiny.en otherwise writes "oh oh" as one
        // "0" or "00" as "0" and loses count.
        // SAFETY: `self.multi_digit` is never replaced, so it outlives the
        // decode below, and the filter only reads it (see `suppress_tokens`).
        unsafe {
            params.set_filter_logits_callback(Some(suppress_tokens));
            params.set_filter_logits_callback_user_data(
                Arc::as_ptr(&self.multi_digit) as *mut std::ffi::c_void
            );
        }
        self.keep_encoding();
        self.number_encodes += 1;
        self.decode(params, &samples)?;
        self.encoded = Some(window);
        let state = self.state()?;
        let tokens: i32 = state.as_iter().map(|s| s.n_tokens()).sum();
        let text: Vec<String> = state
            .as_iter()
            .filter_map(|s| s.to_str_lossy().ok().map(|t| t.trim().to_string()))
            .collect();
        let text = self.ended(text.join(" "), tokens >= DIGIT_MAX_TOKENS as i32);
        if self.options.verbose {
            eprintln!(
                "vmcoach: heard {:.1} s around a number alone in {:.2} s: {text}",
                cut.duration_s(),
                started.elapsed().as_secs_f64()
            );
        }
        Ok(text)
    }

    /// A hearing's text, or none when it ran out of tokens or into a run
    /// of one digit longer than any number: it never came to an end, a
    /// loop ("5 5 5 5 ..."), not a hearing.
    fn ended(&self, text: String, ran_out: bool) -> String {
        if !ran_out && !runs_away(&text) {
            return text;
        }
        if self.options.verbose {
            eprintln!("vmcoach: the second listen ran into a loop: {text}");
        }
        String::new()
    }

    /// See [`crate::transcribe::Transcriber::score_texts`].
    pub(super) fn score_again(&mut self, cut: &Cut, texts: &[String]) -> Result<Vec<f64>> {
        let started = std::time::Instant::now();
        let threads = self.number_threads();
        let (at_s, reused) = self.encode_for(cut, threads)?;
        let start = score::start_tokens(&self.ctx, DEFAULT_PROMPT, at_s, cut.lead)?;
        let ctx = Arc::clone(&self.ctx);
        let scores = score::score(&ctx, self.state()?, &start, texts, SCORED_BEST, threads)?;
        if self.options.verbose {
            eprintln!(
                "vmcoach: scored {} readings in {:.2} s{}",
                texts.len(),
                started.elapsed().as_secs_f64(),
                if reused { " (encoding reused)" } else { "" }
            );
            let mut ranked: Vec<(f64, &String)> = scores.iter().copied().zip(texts).collect();
            ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (score, text) in ranked.iter().take(3) {
                eprintln!("vmcoach:   {score:8.2}  {text}");
            }
        }
        Ok(scores)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::Mono16k;

    #[test]
    fn a_hearing_with_more_of_one_digit_in_a_row_than_a_number_ran_away() {
        assert!(runs_away("I do 8 1 8 4 4, 0 0 0 0 0 0 0 0 0 0 0 0 0 0"));
        assert!(runs_away("5 5 5 5 5 5 5 5 5 5 5"));
        // A whole number of one digit is a number.
        assert!(!runs_away("9 9 9, 9 9 9, 9 9 9 9."));
        assert!(!runs_away("8 0 0, 6 6 6, 6 6 6 6. I called"));
        // A word between two runs ends the first.
        assert!(!runs_away("0 0 0 0 0 0 oh 0 0 0 0 0 0"));
    }

    #[test]
    fn a_hearing_ends_at_the_first_word_after_a_number() {
        assert!(!number_ended("My number is"));
        assert!(!number_ended("5 0 3, 5 5 5,"));
        assert!(!number_ended("5 5 5, 0 1 4"));
        assert!(number_ended("5 5 5, 0 1 4 3. I"));
        assert!(number_ended("5 0 3, 5 5 5, 0 1 9 8 and"));
        assert!(!number_ended("5 0 3, 5 5 5, 0 1 9 8."));
    }

    #[test]
    fn a_number_is_heard_in_the_first_window_or_in_one_begun_before_it() {
        let rate = MODEL_RATE as f64;
        let short = Mono16k::from_resampled(vec![0.1; 20 * MODEL_RATE as usize]);
        let cut = |recording, from_s| Cut {
            recording,
            from_s,
            to_s: from_s + 4.0,
            lead: "",
            alone: false,
        };
        let w = Window::for_cut(&cut(&short, 12.0));
        assert_eq!(w, Window::first(short.samples()));
        let long = Mono16k::from_resampled(vec![0.1; 70 * MODEL_RATE as usize]);
        let w = Window::for_cut(&cut(&long, 20.0));
        assert_eq!((w.start as f64 / rate, w.len), (15.0, WINDOW_SAMPLES));
        // Near the end: the last 30 s.
        let w = Window::for_cut(&cut(&long, 65.0));
        assert_eq!(w.start as f64 / rate, 40.0);
        assert_ne!(
            Window::first(short.samples()),
            Window::first(long.samples())
        );
    }
}
