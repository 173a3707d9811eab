//! The live level and the silence detector of a take being recorded.

use super::Tick;
use crate::audio::levels;

/// A frame is voiced this far above the noise floor (as in [`levels`]).
const VOICED_ABOVE_FLOOR_DB: f64 = 12.0;
/// And never below this level, so dither in digital silence is not speech.
const VOICED_MIN_DBFS: f64 = -50.0;
/// Speech has begun after this much voice in a row.
const SPEECH_START_S: f64 = 0.1;
/// The noise floor is a low percentile of the frames over this window.
const FLOOR_WINDOW_S: f64 = 10.0;
const FLOOR_PERCENTILE: f64 = 0.10;
/// Once speech has begun, the floor may rise at most this far above where it
/// was, so a long stretch without pauses is not mistaken for silence.
const FLOOR_MAX_RISE_DB: f64 = 6.0;

/// Live level and silence detection over frames of [`levels::FRAME_S`],
/// with an adaptive noise floor like [`levels::measure`]'s.
pub(super) struct Meter {
    frame_len: usize,
    stop_after_frames: Option<usize>,
    // current frame
    sum_sq: f64,
    n: usize,
    // since the last tick
    tick_peak: f32,
    tick_sum_sq: f64,
    tick_n: usize,
    // recent frame energies, dBFS
    history: std::collections::VecDeque<f64>,
    history_len: usize,
    sorted: Vec<f64>,
    floor_at_start: Option<f64>,
    voiced_run: usize,
    silent_run: usize,
    speech_started: bool,
}

impl Meter {
    pub(super) fn new(rate: u32, stop_on_silence: Option<f64>) -> Self {
        let frame_s = levels::FRAME_S;
        Meter {
            frame_len: ((rate as f64 * frame_s) as usize).max(1),
            stop_after_frames: stop_on_silence.map(|s| ((s / frame_s).ceil() as usize).max(1)),
            sum_sq: 0.0,
            n: 0,
            tick_peak: 0.0,
            tick_sum_sq: 0.0,
            tick_n: 0,
            history: std::collections::VecDeque::new(),
            history_len: (FLOOR_WINDOW_S / frame_s) as usize,
            sorted: Vec::new(),
            floor_at_start: None,
            voiced_run: 0,
            silent_run: 0,
            speech_started: false,
        }
    }

    /// Adds one sample; true when the silence limit has just been reached.
    pub(super) fn push(&mut self, s: f32) -> bool {
        let sq = (s as f64) * (s as f64);
        self.tick_peak = self.tick_peak.max(s.abs());
        self.tick_sum_sq += sq;
        self.tick_n += 1;
        self.sum_sq += sq;
        self.n += 1;
        if self.n < self.frame_len {
            return false;
        }
        let db = levels::to_dbfs((self.sum_sq / self.n as f64).sqrt());
        self.sum_sq = 0.0;
        self.n = 0;
        self.frame(db)
    }

    pub(super) fn frame(&mut self, db: f64) -> bool {
        if self.history.len() == self.history_len {
            self.history.pop_front();
        }
        self.history.push_back(db);
        self.sorted.clear();
        self.sorted.extend(self.history.iter().copied());
        self.sorted.sort_by(|a, b| a.total_cmp(b));
        let mut floor =
            self.sorted[((self.sorted.len() - 1) as f64 * FLOOR_PERCENTILE).round() as usize];
        if let Some(start) = self.floor_at_start {
            floor = floor.min(start + FLOOR_MAX_RISE_DB);
        }
        let voiced = db >= (floor + VOICED_ABOVE_FLOOR_DB).max(VOICED_MIN_DBFS);
        if voiced {
            self.voiced_run += 1;
            self.silent_run = 0;
            if !self.speech_started
                && self.voiced_run as f64 * levels::FRAME_S >= SPEECH_START_S - 1e-9
            {
                self.speech_started = true;
                self.floor_at_start = Some(floor);
            }
        } else {
            self.voiced_run = 0;
            if self.speech_started {
                self.silent_run += 1;
            }
        }
        self.speech_started && self.stop_after_frames.is_some_and(|n| self.silent_run >= n)
    }

    pub(super) fn tick(&mut self, elapsed_s: f64, overruns: u64) -> Tick {
        let rms = if self.tick_n == 0 {
            0.0
        } else {
            (self.tick_sum_sq / self.tick_n as f64).sqrt()
        };
        let tick = Tick {
            elapsed_s,
            peak_dbfs: levels::to_dbfs(self.tick_peak as f64),
            rms_dbfs: levels::to_dbfs(rms),
            speech_started: self.speech_started,
            silence_s: self.silent_run as f64 * levels::FRAME_S,
            overruns,
        };
        self.tick_peak = 0.0;
        self.tick_sum_sq = 0.0;
        self.tick_n = 0;
        tick
    }
}
