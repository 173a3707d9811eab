//! The whisper.cpp implementation of [`Transcriber`](super::Transcriber).
//! This folder is the only place that imports whisper-rs, apart from
//! model/quantize.rs, which calls ggml's quantizer through it; whisper's
//! centiseconds become seconds here and nowhere else.

mod abort;
mod again;
pub mod cores;
mod kept;
mod score;
mod threads;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI32};
use std::sync::Arc;

use whisper_rs::{
    DtwMode, DtwModelPreset, DtwParameters, FullParams, SamplingStrategy, WhisperContext,
    WhisperContextParameters, WhisperState,
};

use super::pieces::{self, Piece};
use super::{join_words, last_word_limit, model, Cut, Segment, Transcriber, Transcript, Word};
use crate::audio::{levels, Mono16k, MODEL_RATE};
use crate::error::{Error, Result};

/// DTW places a word's start about this much after the word really starts,
/// every voice alike (scripts/eval-timing; docs/performance.md), so it is
/// taken off.
const DTW_LAG_S: f64 = 0.30;

/// How word times are taken from whisper. Token timestamps go badly wrong
/// in long segments (whisper.cpp stacks the last words at the segment's
/// end); DTW's error is nearly all a constant lag, and DTW with the lag
/// removed is the default (scripts/eval-timing; the figures are in
/// docs/performance.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timestamps {
    /// whisper.cpp's token timestamps (`token_timestamps`, from the timestamp-token probabilities).
    Tokens,
    /// Dynamic time warping over the cross-attention of the alignment heads.
    Dtw,
}

/// Settings for the whisper transcriber.
#[derive(Debug, Clone)]
pub struct WhisperOptions {
    /// Threads for the model; 0: the cores free when each recording starts
    /// (see [`cores::free`]).
    pub threads: usize,
    pub timestamps: Timestamps,
    /// Let whisper.cpp print its own log lines to stderr.
    pub verbose: bool,
    /// Text that conditions the decoder (style, vocabulary).
    pub initial_prompt: Option<String>,
    /// Beam width; 1 is greedy decoding.
    pub beam_size: usize,
    /// Hear a recording longer than one piece ([`pieces::MAX_PIECE_S`]) as
    /// its voiced parts, in pieces with long silences cut out, each with an
    /// encoder window sized to it. `false`: the whole recording in
    /// whisper's fixed 30 s windows.
    pub pieces: bool,
    /// Hear each phone number a second time (see
    /// [`Transcriber::hear_digits`]; what it costs: docs/phone-numbers.md).
    pub second_listen: bool,
    /// Once this is set, a decoding under way gives up (whisper.cpp's
    /// abort callback) and fails: hearing a take while it is recorded
    /// stops at once when the take ends.
    pub abort: Option<Arc<AtomicBool>>,
}

impl Default for WhisperOptions {
    fn default() -> Self {
        WhisperOptions {
            threads: 0,
            timestamps: Timestamps::Dtw,
            verbose: false,
            initial_prompt: Some(DEFAULT_PROMPT.to_string()),
            beam_size: 1,
            pieces: true,
            second_listen: true,
            abort: None,
        }
    }
}

/// Most hearings of a piece past where the model stopped short in it.
const MAX_HEARD_AGAIN: usize = 3;

/// How much further on a hearing past a stop must begin than the one
/// before it (see [`WhisperTranscriber::hear_past_stops`]).
const MIN_STEP_S: f64 = 0.5;

/// Primes the decoder for voicemail: digits written one by one in groups
/// (greedy tiny.en otherwise collapses "five five five" into "55"), and
/// fillers kept rather than cleaned away. It lowers the word error rate
/// and multiplies the numbers heard digit-exact (scripts/eval-asr on the
/// fixtures; docs/performance.md).
pub const DEFAULT_PROMPT: &str =
    "Hi, this is Dana. My number is 6 1 2, 5 5 5, 0 1 4 7. Um, I'm calling about the opening, uh, you know.";

/// A segment is dropped as invented when whisper itself thinks there is no
/// speech and its words are unlikely (the rule OpenAI's decoder uses) ...
const NO_SPEECH_PROB: f32 = 0.6;
const LOW_LOGPROB: f32 = -1.0;
/// ... or when the audio under it holds almost no voice activity.
const MIN_VOICED_SHARE: f64 = 0.15;
/// ... or when its words pile onto the same instants: a run of words the
/// audio cannot hold. On noise whisper runs on with a stock sentence ("I'm
/// going to have a great day...") whose DTW times come in clumps: the share
/// of word pairs starting < 30 ms apart is high on such a trap and near
/// zero on real speech (docs/performance.md).
const STACKED_PAIR_SHARE: f64 = 0.25;
const STACKED_MIN_PAIRS: usize = 3;

fn collapsed_timing(words: &[Word]) -> bool {
    let pairs = words.len().saturating_sub(1);
    let same = words
        .windows(2)
        .filter(|w| w[1].start_s - w[0].start_s < 0.03)
        .count();
    same >= STACKED_MIN_PAIRS && same as f64 >= STACKED_PAIR_SHARE * pairs as f64
}

/// whisper.cpp refuses input shorter than one second.
const MIN_SAMPLES: usize = MODEL_RATE as usize + MODEL_RATE as usize / 10;

pub struct WhisperTranscriber {
    // Keep the context alive as long as the state that uses it.
    ctx: Arc<WhisperContext>,
    /// None only after making a new state failed.
    state: Option<WhisperState>,
    options: WhisperOptions,
    eot: i32,
    /// Tokens of two or more digits, kept out of a number's second hearing.
    multi_digit: Arc<Vec<i32>>,
    /// The state has decoded a recording since it was made.
    state_used: bool,
    /// Threads chosen for the last recording transcribed (0: none yet).
    recording_threads: usize,
    /// Threads that another thread may set for the calls under way (0:
    /// as chosen; see [`threads`]).
    threads_now: Arc<AtomicI32>,
    /// The stretch of a recording whose encoding the state holds: a
    /// number is heard again, and its readings scored, without encoding
    /// it again (see [`again`]).
    encoded: Option<again::Window>,
    /// whisper.cpp's pointer to `state`, once an encode ran on it.
    raw: Option<kept::RawState>,
    /// The encoding of a window a number is in, kept while the state
    /// holds another (see [`kept`]).
    kept: Option<kept::Kept>,
    /// The first pass's encodings of the pieces of a recording heard in
    /// pieces that hold digits, each with its piece: a number in one is
    /// heard again on it (see [`again`]).
    pieces_kept: Vec<(Piece, kept::Kept)>,
    /// Encoder runs for numbers heard again, since the transcriber was made.
    number_encodes: u32,
}

impl WhisperTranscriber {
    /// How many times the encoder ran for numbers heard again (their
    /// hearings and recounts), since this transcriber was made.
    pub fn number_encodes(&self) -> u32 {
        self.number_encodes
    }

    /// Gives up any decoding once `flag` is set (see [`WhisperOptions::abort`]).
    pub fn set_abort(&mut self, flag: Arc<AtomicBool>) {
        self.options.abort = Some(flag);
    }

    /// Turns the numbers' second hearing on or off (see [`WhisperOptions::second_listen`]).
    pub fn set_second_listen(&mut self, on: bool) {
        self.options.second_listen = on;
    }

    /// Checks the model file, then loads it once for the life of the
    /// transcriber; every recording still gets a new decoder state (see
    /// [`WhisperModel::transcriber`]).
    pub fn load(path: &Path, options: WhisperOptions) -> Result<Self> {
        let threads = options.threads;
        WhisperModel::load(path, options)?.transcriber(threads)
    }
}

/// One loaded model that many transcribers share: the weights are read once,
/// and each [`WhisperModel::transcriber`] gets its own decoder state, so
/// transcribers made from one model can run side by side on different threads.
pub struct WhisperModel {
    ctx: Arc<WhisperContext>,
    options: WhisperOptions,
    eot: i32,
    multi_digit: Arc<Vec<i32>>,
}

impl WhisperModel {
    /// Checks the model file, then loads it once. `options.threads` is the
    /// default for transcribers made with [`WhisperModel::transcriber`]`(0)`.
    pub fn load(path: &Path, options: WhisperOptions) -> Result<Self> {
        let info = model::validate(path)?;
        if options.verbose {
            eprintln!("vmcoach: whisper.cpp: {}", build_features());
        } else {
            // Without a log backend this swallows whisper.cpp's and ggml's log lines.
            whisper_rs::install_logging_hooks();
        }
        let mut params = WhisperContextParameters::default();
        if options.timestamps == Timestamps::Dtw {
            let preset = match (info.n_audio_layer, info.multilingual) {
                (4, false) => DtwModelPreset::TinyEn,
                (4, true) => DtwModelPreset::Tiny,
                (6, false) => DtwModelPreset::BaseEn,
                (6, true) => DtwModelPreset::Base,
                _ => {
                    return Err(Error::bad_model(
                        path,
                        "DTW timestamps have no alignment-head preset for this model size",
                    ))
                }
            };
            params.dtw_parameters(DtwParameters {
                mode: DtwMode::ModelPreset {
                    model_preset: preset,
                },
                ..Default::default()
            });
        }
        let ctx = WhisperContext::new_with_params(path, params)
            .map_err(|e| Error::bad_model(path, format!("whisper.cpp could not load it ({e})")))?;
        let eot = ctx.token_eot();
        let multi_digit = Arc::new(multi_digit_tokens(&ctx, eot));
        Ok(WhisperModel {
            ctx: Arc::new(ctx),
            options,
            eot,
            multi_digit,
        })
    }

    /// The options the model was loaded with.
    pub fn options(&self) -> &WhisperOptions {
        &self.options
    }

    /// A transcriber with its own decoder state that uses `threads` threads
    /// (0: as the model's options say). It owns a share of the
    /// model, so it may outlive this value and move to another thread.
    ///
    /// Each recording it hears gets a new decoder state, so its transcript is
    /// the one a fresh `vmcoach analyze FILE` gives, whatever was heard
    /// before: whisper.cpp keeps the random generator of its temperature
    /// fallback in the state, and a reused state samples differently. A
    /// state is cheap to make against decoding a voicemail (both measured in
    /// docs/performance.md).
    pub fn transcriber(&self, threads: usize) -> Result<WhisperTranscriber> {
        let mut options = self.options.clone();
        if threads > 0 {
            options.threads = threads;
        }
        Ok(WhisperTranscriber {
            ctx: Arc::clone(&self.ctx),
            state: Some(new_state(&self.ctx)?),
            options,
            eot: self.eot,
            multi_digit: Arc::clone(&self.multi_digit),
            state_used: false,
            recording_threads: 0,
            threads_now: Arc::new(AtomicI32::new(0)),
            encoded: None,
            raw: None,
            kept: None,
            pieces_kept: Vec::new(),
            number_encodes: 0,
        })
    }
}

/// The text tokens (below end-of-text) that are two or more digits, with or
/// without a leading space: "00", " 555", " 2019".
fn multi_digit_tokens(ctx: &WhisperContext, eot: i32) -> Vec<i32> {
    (0..eot)
        .filter(|&id| {
            ctx.token_to_bytes(id).is_ok_and(|bytes| {
                let digits = bytes.strip_prefix(b" ").unwrap_or(bytes);
                digits.len() >= 2 && digits.iter().all(u8::is_ascii_digit)
            })
        })
        .collect()
}

fn new_state(ctx: &WhisperContext) -> Result<WhisperState> {
    ctx.create_state()
        .map_err(|e| Error::Transcribe(format!("could not create a decoder state ({e})")))
}

// A transcriber moves to a worker thread; a model is shared between them.
const _: () = {
    const fn send<T: Send>() {}
    const fn send_sync<T: Send + Sync>() {}
    send::<WhisperTranscriber>();
    send_sync::<WhisperModel>();
};

/// Decoding settings: greedy (or beam search), English, token timestamps, no cross-segment
/// context (a voicemail is short, and context feeds hallucination loops).
fn full_params(options: &WhisperOptions, threads: usize) -> FullParams<'_, '_> {
    let strategy = if options.beam_size > 1 {
        SamplingStrategy::BeamSearch {
            beam_size: options.beam_size as i32,
            patience: -1.0,
        }
    } else {
        SamplingStrategy::Greedy { best_of: 1 }
    };
    let mut p = FullParams::new(strategy);
    p.set_n_threads(threads.max(1) as i32);
    p.set_language(Some("en"));
    p.set_translate(false);
    p.set_no_context(true);
    p.set_print_progress(false);
    p.set_print_realtime(false);
    p.set_print_special(false);
    p.set_print_timestamps(false);
    p.set_token_timestamps(true);
    p.set_suppress_blank(true);
    if let Some(prompt) = &options.initial_prompt {
        p.set_initial_prompt(prompt);
    }
    if let Some(abort) = &options.abort {
        // SAFETY: the flag is owned by `options`, which the params borrow,
        // so it outlives every decoding they run.
        unsafe {
            p.set_abort_callback(Some(abort::aborted));
            p.set_abort_callback_user_data(Arc::as_ptr(abort) as *mut std::ffi::c_void);
        }
    }
    p
}

/// Encoder frames (50 per second) for a piece of `samples`, with a margin:
/// the encoder's window is sized to the audio instead of a fixed 30 s.
///
/// Rounded up to a multiple of 8: ggml's tiled kernels take the attention
/// product (softmax x V) only when its inner length, the window, is a
/// multiple of 8 (16 with AVX-512), and otherwise fall back to slow dot
/// products (docs/performance.md). (patches/whisper-cpp.cmake now pads the
/// keys to 16 inside whisper.cpp; the windows stay as they were measured.)
fn window_frames(samples: usize) -> i32 {
    const FRAMES_PER_S: f64 = 50.0;
    const FULL: i32 = 1500;
    const ALIGN: i32 = 8;
    let seconds = samples as f64 / MODEL_RATE as f64 + WINDOW_MARGIN_S;
    let frames = (seconds * FRAMES_PER_S).ceil() as i32;
    ((frames + ALIGN - 1) / ALIGN * ALIGN).min(FULL)
}

/// Room left in the encoder's window after a piece's audio.
const WINDOW_MARGIN_S: f64 = 1.0;

impl Transcriber for WhisperTranscriber {
    fn transcribe(&mut self, audio: &Mono16k) -> Result<Transcript> {
        let _threads = threads::Following::new(&self.threads_now);
        let levels = levels::measure(audio.samples(), MODEL_RATE);
        if levels.voiced.is_empty() {
            // Nothing rises above the noise: whisper would only invent words.
            return Ok(Transcript::default());
        }
        let duration = audio.duration_s();
        // Pieces pay only when the recording is longer than one window
        // (faster and fewer word errors; docs/performance.md). For a shorter
        // one a fitted window made it slower: with less than 30 s of context
        // tiny.en ends the text early, and whisper.cpp encodes again from
        // there; it also heard fewer numbers right.
        let in_pieces = self.options.pieces && duration > pieces::MAX_PIECE_S;
        let pieces = if in_pieces {
            pieces::plan(&levels.voiced, duration)
        } else {
            vec![Piece::whole(duration)]
        };
        let threads = self.threads();
        self.recording_threads = threads;
        if self.options.verbose {
            eprintln!("vmcoach: {threads} thread(s), {} piece(s)", pieces.len());
        }
        let options = self.options.clone();
        let mut transcript = Transcript::default();
        let encodes = again::Encodes::default();
        // A recording of one window: the window a number in it is heard
        // again within.
        let window = (!in_pieces).then(|| again::Window::first(audio.samples()));
        self.pieces_kept.clear();
        for piece in &pieces {
            let encodes_before = encodes.count();
            let words_before = transcript.words.len();
            if let Some(window) = window {
                encodes.watch_first(window);
            }
            self.hear_piece(piece, audio, in_pieces, threads, &options, &encodes)?;
            encodes.stop_watching();
            if window.is_some() && encodes.count() == 1 {
                // One window encoded once: the state holds it, and a number
                // in it is heard again on that encoding. Kept aside should
                // the window be heard again from where its text stopped
                // short, on a new state (see `hear_past_stops`).
                self.encoded = window;
            }
            self.collect(piece, &levels, &mut transcript);
            self.hear_past_stops(
                piece,
                audio,
                in_pieces,
                threads,
                &levels,
                &mut transcript,
                words_before,
                &encodes,
            )?;
            // A piece encoded once that holds digits: the state holds its
            // encoding, and a number in it is heard again on that.
            let digits = transcript.words[words_before..]
                .iter()
                .any(|w| w.text.contains(|c: char| c.is_ascii_digit()));
            if in_pieces && digits && encodes.count() == encodes_before + 1 {
                self.keep_piece(audio.samples(), piece);
            }
        }
        if let Some(first) = encodes.take_first() {
            // Encoded again from where the text ended: the first window's
            // encoding was copied aside before, for a number heard there.
            self.kept = Some(first);
        }
        // Padding may let a time run past the real end; the end is taken
        // to the 10 ms frame it is in, as whisper.cpp's times are.
        let last_frame = (duration * 100.0).floor() / 100.0;
        for w in &mut transcript.words {
            w.end_s = w.end_s.min(last_frame).max(w.start_s);
        }
        Ok(transcript)
    }

    /// The number heard again on the encoding of the window it is in,
    /// greedily, digits one token each (see [`again`]). None of the
    /// invented-segment checks: the first pass already found speech here.
    fn hear_digits(&mut self, cut: &Cut) -> Result<Option<String>> {
        if !self.options.second_listen {
            return Ok(None);
        }
        let _threads = threads::Following::new(&self.threads_now);
        let _abort = abort::Watching::new(self.options.abort.as_ref());
        self.hear_again(cut).map(Some)
    }

    /// Each text fed to the decoder where the number begins, on the same
    /// encoding as the hearing (see [`score::score`]).
    fn score_texts(&mut self, cut: &Cut, texts: &[String]) -> Result<Option<Vec<f64>>> {
        if !self.options.second_listen {
            return Ok(None);
        }
        let _threads = threads::Following::new(&self.threads_now);
        let _abort = abort::Watching::new(self.options.abort.as_ref());
        self.score_again(cut, texts).map(Some)
    }

    fn threads_now(&self) -> Option<Arc<AtomicI32>> {
        Some(Arc::clone(&self.threads_now))
    }

    fn release_buffers(&mut self) {
        self.encoded = None;
        self.kept = None;
        self.pieces_kept = Vec::new();
        self.raw = None;
        self.state = None;
    }
}

/// Silence heard after a recording of one window. whisper.cpp takes a
/// timestamp within 1 s of the end of what it is given for the end of the
/// audio, and the word-time pass then stretches the last word to it:
/// "call." said at 14.28-14.53 s came out 14.28-15.19 s from the first
/// 15.2 s of a message, 14.28-14.53 s from 15.8 s or more. So a take
/// stopped soon after its last word, or heard while it is recorded at a
/// short pause, gets its last word's real end. The encoder's input is the
/// same (whisper.cpp pads it with silence to 30 s anyway), and the words'
/// times are kept within the recording.
const TAIL_S: f64 = 1.5;

/// The encoder's window: 30 s.
const WINDOW_SAMPLES: usize = 30 * MODEL_RATE as usize;

/// `samples` followed by [`TAIL_S`] of silence, within one window.
fn with_tail(mut samples: Vec<f32>) -> Vec<f32> {
    let tail = (TAIL_S * MODEL_RATE as f64) as usize;
    let len = (samples.len() + tail).min(WINDOW_SAMPLES);
    if len > samples.len() {
        samples.resize(len, 0.0);
    }
    samples
}

/// `samples` lengthened with silence to what whisper.cpp accepts.
fn padded(mut samples: Vec<f32>) -> Vec<f32> {
    if samples.len() < MIN_SAMPLES {
        samples.resize(MIN_SAMPLES, 0.0);
    }
    samples
}

impl WhisperTranscriber {
    /// Threads for the next recording: as the options say, or the cores
    /// free right now (an 80 ms sample of the machine's load).
    fn threads(&self) -> usize {
        match self.options.threads {
            0 => cores::free(),
            n => n,
        }
    }

    /// The threads chosen for the recording a number is in (see
    /// [`WhisperTranscriber::threads`] when none was heard yet).
    fn number_threads(&self) -> usize {
        match self.recording_threads {
            0 => self.threads(),
            n => n,
        }
    }

    /// A new decoder state unless this one is unused, so what was heard
    /// before changes nothing.
    fn fresh_state(&mut self) -> Result<()> {
        self.encoded = None;
        if self.state_used || self.state.is_none() {
            // The old state's buffers go before the new one's are made:
            // two at once would double the peak memory.
            self.state = None;
            self.raw = None;
            self.state = Some(new_state(&self.ctx)?);
        }
        self.state_used = true;
        Ok(())
    }

    /// The decoder state.
    fn state(&mut self) -> Result<&mut WhisperState> {
        self.state
            .as_mut()
            .ok_or_else(|| Error::Transcribe("no decoder state".into()))
    }

    /// Runs the model over `samples` (at least [`MIN_SAMPLES`]) on a new
    /// decoder state, so what was heard before changes nothing.
    fn decode(&mut self, params: FullParams, samples: &[f32]) -> Result<()> {
        self.fresh_state()?;
        let state = self.state()?;
        let (done, raw) = kept::encoded_on(|| state.full(params, samples));
        done.map_err(|e| Error::Transcribe(format!("whisper.cpp failed ({e})")))?;
        self.raw = raw.or(self.raw);
        Ok(())
    }

    /// Decodes `piece` of the recording `audio`: in a window sized to it
    /// when the recording is heard in pieces, else in whisper's 30 s one.
    /// `encodes` counts the encoder's runs.
    fn hear_piece(
        &mut self,
        piece: &Piece,
        audio: &Mono16k,
        in_pieces: bool,
        threads: usize,
        options: &WhisperOptions,
        encodes: &again::Encodes,
    ) -> Result<()> {
        let samples = padded(piece.samples(audio.samples(), MODEL_RATE));
        let samples = if in_pieces {
            samples
        } else {
            with_tail(samples)
        };
        let mut params = full_params(options, threads);
        if in_pieces {
            params.set_audio_ctx(window_frames(samples.len()));
        }
        // SAFETY: `encodes` outlives the decode, and the callback runs on
        // this thread before each encode (see `again::count_encodes`).
        unsafe {
            params.set_start_encoder_callback(Some(again::count_encodes));
            params.set_start_encoder_callback_user_data(
                encodes as *const again::Encodes as *mut std::ffi::c_void,
            );
        }
        self.decode(params, &samples)
    }

    /// Hears the rest of `piece` again while the model stops short in it
    /// (see [`pieces::stopped_short`]), at most [`MAX_HEARD_AGAIN`] times:
    /// a hearing of the rest may stop short too ("called me at TWO", and
    /// nothing of the 15 s after). The first hearing's words of the piece
    /// are those of `transcript` from `words_before`. Each hearing again
    /// begins at least [`MIN_STEP_S`] after the one before.
    #[allow(clippy::too_many_arguments)]
    fn hear_past_stops(
        &mut self,
        piece: &Piece,
        audio: &Mono16k,
        in_pieces: bool,
        threads: usize,
        levels: &levels::Levels,
        transcript: &mut Transcript,
        words_before: usize,
        encodes: &again::Encodes,
    ) -> Result<()> {
        let options = self.options.clone();
        let mut current = piece.clone();
        let mut first_word = words_before;
        let mut heard_from: Option<f64> = None;
        for _ in 0..MAX_HEARD_AGAIN {
            let heard = &transcript.words[first_word..];
            let (Some(from_s), Some(last)) = (
                pieces::stopped_short(&current, heard, &levels.voiced),
                heard.last(),
            ) else {
                break;
            };
            if heard_from.is_some_and(|f| from_s < f + MIN_STEP_S) {
                break;
            }
            let Some(rest) = current.rest_from(from_s) else {
                break;
            };
            if options.verbose {
                eprintln!(
                    "vmcoach: the voice went on past the last word heard ({:?} at {:.2} s): heard again from {from_s:.2} s",
                    last.text, last.start_s
                );
            }
            transcript.drop_last_word();
            first_word = transcript.words.len();
            // A number in the window is heard again on the encoding the
            // state holds now, not on the window encoded anew.
            self.keep_encoding();
            self.hear_piece(&rest, audio, in_pieces, threads, &options, encodes)?;
            self.collect(&rest, levels, transcript);
            current = rest;
            heard_from = Some(from_s);
        }
        Ok(())
    }

    /// Adds the segments just decoded from `piece` to `transcript`, in the
    /// recording's time, dropping the ones that look invented.
    fn collect(&self, piece: &Piece, levels: &levels::Levels, transcript: &mut Transcript) {
        let piece_s = piece.duration_s();
        let Some(state) = &self.state else {
            return;
        };
        let before = transcript.words.len();
        for segment in state.as_iter() {
            // Whisper may stretch a segment to the end of its window.
            let local = (
                (segment.start_timestamp() as f64 / 100.0).min(piece_s),
                (segment.end_timestamp() as f64 / 100.0).min(piece_s),
            );
            let (start_s, end_s) = (piece.to_recording(local.0), piece.to_recording(local.1));
            let mut tokens = Vec::new();
            for i in 0..segment.n_tokens() {
                let Some(token) = segment.get_token(i) else {
                    continue;
                };
                let data = token.token_data();
                if data.id >= self.eot {
                    continue; // timestamps and other special tokens
                }
                let bytes = token.to_bytes().unwrap_or_default().to_vec();
                tokens.push(Tok {
                    bytes,
                    p: data.p,
                    plog: data.plog,
                    t0: data.t0,
                    t1: data.t1,
                    t_dtw: data.t_dtw,
                });
            }
            if tokens.is_empty() {
                continue;
            }
            let avg_logprob = tokens.iter().map(|t| t.plog).sum::<f32>() / tokens.len() as f32;
            let invented =
                segment.no_speech_probability() > NO_SPEECH_PROB && avg_logprob < LOW_LOGPROB;
            let span = (end_s - start_s).max(0.01);
            let unvoiced = levels.voiced_within(start_s, end_s) / span < MIN_VOICED_SHARE;
            let mut words = words_from_tokens(&tokens, self.options.timestamps, local);
            let stacked = self.options.timestamps == Timestamps::Dtw && collapsed_timing(&words);
            if invented || unvoiced || stacked {
                if self.options.verbose {
                    let why = if invented {
                        "invented"
                    } else if unvoiced {
                        "no voice under it"
                    } else {
                        "words piled onto the same instants"
                    };
                    eprintln!(
                        "vmcoach: dropped segment {start_s:.2}-{end_s:.2} s ({why}): no-speech p {:.2}, mean log p {avg_logprob:.2}",
                        segment.no_speech_probability()
                    );
                }
                continue;
            }
            for w in &mut words {
                w.start_s = piece.to_recording(w.start_s);
                w.end_s = piece.to_recording(w.end_s).max(w.start_s);
            }
            transcript.segments.push(Segment {
                text: join_words(&words),
                start_s,
                end_s,
            });
            transcript.words.extend(words);
        }
        if transcript.words.len() > before {
            if let Some(last) = transcript.words.last_mut() {
                end_with_its_voice(last, &levels.voiced);
            }
        }
    }
}

/// The last word a window was heard saying ends with the voice it is in.
/// whisper.cpp's word-time pass may run to the end of the audio it is
/// given, and the last word then takes all that is left, however silent:
/// "call." said at 14.3-14.5 s came out 14.3-17.0 s from a take
/// stopped at 17 s, 14.3-15.2 s from the same take heard while recording,
/// up to 15.2 s. `voiced` is the recording's voice activity.
fn end_with_its_voice(word: &mut Word, voiced: &[(f64, f64)]) {
    if let Some(limit) = last_word_limit(word, voiced) {
        word.end_s = word.end_s.min(limit);
    }
}

/// A text token as whisper.cpp gave it.
struct Tok {
    bytes: Vec<u8>,
    p: f32,
    plog: f32,
    t0: i64,
    t1: i64,
    t_dtw: i64,
}

/// Groups byte-level tokens into words: a token that starts with a space
/// starts a new word; punctuation and word pieces join the word before.
/// Bytes are joined before decoding because one character (é) can be split
/// across tokens.
fn words_from_tokens(tokens: &[Tok], mode: Timestamps, segment: (f64, f64)) -> Vec<Word> {
    let mut groups: Vec<Vec<&Tok>> = Vec::new();
    for t in tokens {
        let starts_word = t.bytes.first() == Some(&b' ');
        match groups.last_mut() {
            Some(g) if !starts_word => g.push(t),
            _ => groups.push(vec![t]),
        }
    }
    let mut words: Vec<Word> = groups
        .iter()
        .filter_map(|g| {
            let bytes: Vec<u8> = g.iter().flat_map(|t| t.bytes.iter().copied()).collect();
            let text = String::from_utf8_lossy(&bytes).trim().to_string();
            if text.is_empty() {
                return None;
            }
            let first = g[0];
            let last = g[g.len() - 1];
            let (start_s, end_s) = match mode {
                Timestamps::Tokens => (first.t0 as f64 / 100.0, last.t1 as f64 / 100.0),
                Timestamps::Dtw => (
                    (first.t_dtw as f64 / 100.0 - DTW_LAG_S).max(0.0),
                    last.t1 as f64 / 100.0,
                ),
            };
            let confidence = g.iter().map(|t| t.p as f64).sum::<f64>() / g.len() as f64;
            Some(Word {
                text,
                start_s,
                end_s,
                confidence,
            })
        })
        .collect();
    // Keep times ordered and inside the segment: token timestamps can jitter.
    let mut floor = segment.0;
    for w in &mut words {
        w.start_s = w.start_s.clamp(floor, segment.1.max(floor));
        w.end_s = w.end_s.max(w.start_s);
        floor = w.start_s;
    }
    if mode == Timestamps::Dtw {
        // DTW gives one instant per token; a word ends where the next begins.
        for i in 0..words.len().saturating_sub(1) {
            let next = words[i + 1].start_s;
            if words[i].end_s > next {
                words[i].end_s = next.max(words[i].start_s);
            }
        }
    }
    words
}

/// The CPU features whisper.cpp was compiled with, as it reports them
/// ("... AVX2 = 1 | ... | LLAMAFILE = 1 | ...").
///
/// whisper.cpp writes them into one static string each time it is asked,
/// so two threads asking at once read each other's half-written text: it
/// is asked once per process.
pub fn build_features() -> &'static str {
    static FEATURES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FEATURES.get_or_init(|| {
        whisper_rs::print_system_info()
            .trim_end_matches([' ', '|'])
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    #[test]
    fn windows_are_multiples_of_eight_up_to_the_full_window() {
        let rate = MODEL_RATE as usize;
        // 10 s + 1 s margin = 550 frames -> 552.
        assert_eq!(window_frames(10 * rate), 552);
        assert_eq!(window_frames(rate * 27 / 2), 728); // 14.5 s -> 725 -> 728
        assert_eq!(window_frames(40 * rate), 1500);
        for s in [1usize, 5, 17, 28] {
            assert_eq!(window_frames(s * rate) % 8, 0);
        }
    }

    #[test]
    fn a_windows_last_word_ends_with_its_voice_and_a_little_after() {
        let word = |start_s, end_s| Word {
            text: "call.".into(),
            start_s,
            end_s,
            confidence: 0.9,
        };
        let voiced = [(1.0, 6.0), (8.0, 14.52)];
        // Stretched to the end of the take: cut to the voice and 0.3 s.
        let mut w = word(14.3, 16.99);
        end_with_its_voice(&mut w, &voiced);
        assert_eq!(w.end_s, 14.82);
        // Within the voice and its 0.3 s: as heard.
        for end_s in [14.5, 14.8] {
            let mut w = word(14.3, end_s);
            end_with_its_voice(&mut w, &voiced);
            assert_eq!(w.end_s, end_s);
        }
        // Begun in a pause, or before any voice, where the detector heard
        // none: left as heard.
        for (start_s, end_s) in [(7.0, 7.9), (0.2, 0.9)] {
            let mut w = word(start_s, end_s);
            end_with_its_voice(&mut w, &voiced);
            assert_eq!(w.end_s, end_s);
        }
    }

    /// The second hearing of a number may write only one digit per token.
    #[test]
    fn multi_digit_tokens_are_exactly_the_tokens_of_two_or_more_digits() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/ggml-tiny.en.bin");
        whisper_rs::install_logging_hooks();
        let ctx = WhisperContext::new_with_params(&path, WhisperContextParameters::default())
            .unwrap_or_else(|e| panic!("{}: {e} (scripts/prepare fetches it)", path.display()));
        let eot = ctx.token_eot();
        let ids = multi_digit_tokens(&ctx, eot);
        let text = |id: i32| String::from_utf8_lossy(ctx.token_to_bytes(id).unwrap()).into_owned();
        let texts: Vec<String> = ids.iter().map(|&id| text(id)).collect();
        for t in ["00", " 555", "000"] {
            assert!(
                texts.iter().any(|x| x == t),
                "{t:?} not among {} tokens",
                texts.len()
            );
        }
        for t in [" 5", "0", " 0", "5.", " five", " 5,"] {
            assert!(!texts.iter().any(|x| x == t), "{t:?} is suppressed");
        }
        assert!(texts.iter().all(|t| t.trim_start().len() >= 2), "{texts:?}");
    }

    /// The thread count another thread sets reaches whisper.cpp's graphs
    /// (patches/whisper-cpp.cmake, 11); 0 leaves the transcriber's own.
    #[test]
    fn the_thread_count_set_from_outside_reaches_the_graphs() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let options = WhisperOptions {
            threads: 1,
            second_listen: false,
            ..WhisperOptions::default()
        };
        let mut t = WhisperTranscriber::load(&root.join("models/ggml-tiny.en.bin"), options)
            .unwrap_or_else(|e| panic!("{e} (scripts/prepare fetches it)"));
        let wav = root.join("fixtures/networking-fast-number-slt-16k.wav");
        let audio = crate::audio::load(&wav, 600.0).unwrap();
        let audio = crate::audio::resample::to_16k(&audio)
            .unwrap()
            .between(0.0, 4.0);
        let now = t.threads_now().unwrap();
        for (set, used) in [(2, 2), (0, 1), (3, 3)] {
            now.store(set, Ordering::SeqCst);
            let heard = t.transcribe(&audio).unwrap();
            assert!(!heard.words.is_empty());
            assert_eq!(threads::used(), used, "set to {set}");
        }
    }

    /// .cargo/config.toml turns on ggml's tiled matrix kernels; without
    /// them the encoder is slower (docs/performance.md).
    #[test]
    fn whisper_cpp_is_built_with_tiled_matrix_kernels() {
        let features = build_features();
        assert!(features.contains("LLAMAFILE = 1"), "{features}");
        assert!(features.contains("OPENMP = 1"), "{features}");
    }

    /// patches/whisper-cpp.cmake changes the whisper.cpp that is built
    /// (.cargo/config.toml hands it to CMake) and marks the system info
    /// with its version.
    #[test]
    fn whisper_cpp_is_built_with_the_projects_patch() {
        let features = build_features();
        assert!(
            features.contains("VMCOACH_PATCH = 19"),
            "{features}\nwhisper.cpp was built with an older patches/whisper-cpp.cmake: \
             run cargo clean --release -p whisper-rs-sys"
        );
    }
}
