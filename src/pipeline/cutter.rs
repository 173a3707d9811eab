//! The pauses after enough new speech in a take being recorded, found as
//! the audio comes: where the live engine hears the take so far. Every decision depends only on
//! the audio before it (the noise floor is the quiet frames' level so far,
//! brought up to date at fixed frames), so the same audio is cut the same
//! way however it arrives.

use crate::audio::levels::frame_dbfs;
use crate::audio::MODEL_RATE;

/// 20 ms frames of the 16 kHz audio.
const FRAME: usize = MODEL_RATE as usize / 50;
const FRAME_S: f64 = 0.02;
/// A frame is speech this far above the noise floor, and never below the
/// absolute level (the levels module's rule) ...
const ABOVE_FLOOR_DB: f64 = 12.0;
const MIN_DBFS: f64 = -50.0;
/// ... where the floor is this low percentile of the frames so far,
/// brought up to date every this many frames.
const FLOOR_PERCENTILE: f64 = 0.10;
const FLOOR_EVERY: usize = 25;
/// A pause this long after speech may end a piece (between sentences;
/// the groups of a phone number are usually said closer) ...
pub const CUT_PAUSE_S: f64 = 0.36;
/// ... the piece ends this far into it ...
const CUT_INTO_PAUSE_S: f64 = 0.18;
/// ... once it holds this much audio.
pub const MIN_PIECE_S: f64 = 3.0;
/// A piece without a pause is cut here all the same (the model's window).
pub const MAX_PIECE_S: f64 = 28.0;

/// A place to end the piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// The sample (16 kHz) where the piece would end and the next begin.
    pub at: usize,
    /// No pause came: the piece must end here.
    pub forced: bool,
}

/// Finds places to cut, frame by frame.
#[derive(Debug, Default)]
pub struct Cutter {
    db: Vec<f64>,
    floor: f64,
    /// The last frame with speech.
    last_voiced: Option<usize>,
    /// The first frame of the piece under way.
    piece_start: usize,
    /// A cut was offered in the pause under way.
    offered: bool,
}

impl Cutter {
    /// Looks at the frames of `audio` (the take so far, 16 kHz) not seen
    /// yet, up to the next place to cut.
    pub fn next_cut(&mut self, audio: &[f32]) -> Option<Cut> {
        while (self.db.len() + 1) * FRAME <= audio.len() {
            let i = self.db.len();
            let frame = &audio[i * FRAME..(i + 1) * FRAME];
            self.db.push(frame_dbfs(frame, MODEL_RATE)[0]);
            if i.is_multiple_of(FLOOR_EVERY) {
                self.floor = percentile(&self.db, FLOOR_PERCENTILE);
            }
            if let Some(cut) = self.look(i) {
                return Some(cut);
            }
        }
        None
    }

    /// The next piece begins at sample `at` (a cut that was taken).
    pub fn piece_starts(&mut self, at: usize) {
        self.piece_start = at / FRAME;
    }

    /// How long the audio seen has been quiet since its last voice,
    /// seconds, when that voice ends after sample `since`.
    pub fn pause_after(&self, since: usize) -> Option<f64> {
        let v = self.last_voiced?;
        ((v + 1) * FRAME > since).then(|| (self.db.len() - 1 - v) as f64 * FRAME_S)
    }

    /// Whether the audio seen has voice after sample `since`.
    pub fn voiced_after(&self, since: usize) -> bool {
        self.last_voiced.is_some_and(|v| (v + 1) * FRAME > since)
    }

    fn look(&mut self, i: usize) -> Option<Cut> {
        let threshold = (self.floor + ABOVE_FLOOR_DB).max(MIN_DBFS);
        if self.db[i] >= threshold {
            self.last_voiced = Some(i);
            self.offered = false;
        }
        let frames_s = |n: usize| n as f64 * FRAME_S;
        if frames_s(i + 1 - self.piece_start.min(i + 1)) >= MAX_PIECE_S {
            self.offered = true;
            return Some(Cut {
                at: (i + 1) * FRAME,
                forced: true,
            });
        }
        let v = self.last_voiced.filter(|&v| v >= self.piece_start)?;
        let pause = frames_s(i - v);
        let piece = frames_s(v + 1 - self.piece_start);
        if self.offered || pause < CUT_PAUSE_S || piece < MIN_PIECE_S {
            return None;
        }
        self.offered = true;
        Some(Cut {
            at: (v + 1) * FRAME + (CUT_INTO_PAUSE_S * MODEL_RATE as f64) as usize,
            forced: false,
        })
    }
}

fn percentile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(seconds: f64) -> Vec<f32> {
        (0..(16_000.0 * seconds) as usize)
            .map(|i| 0.3 * (i as f32 * 0.2).sin())
            .collect()
    }

    fn quiet(seconds: f64) -> Vec<f32> {
        vec![0.0005; (16_000.0 * seconds) as usize]
    }

    /// Speech of these lengths with these pauses between, after 0.4 s of quiet.
    fn talk(parts: &[(f64, f64)]) -> Vec<f32> {
        let mut x = quiet(0.4);
        for &(speech, pause) in parts {
            x.extend(tone(speech));
            x.extend(quiet(pause));
        }
        x
    }

    fn all_cuts(audio: &[f32], take_each: bool) -> Vec<Cut> {
        let mut c = Cutter::default();
        let mut out = Vec::new();
        while let Some(cut) = c.next_cut(audio) {
            if take_each {
                c.piece_starts(cut.at);
            }
            out.push(cut);
        }
        out
    }

    #[test]
    fn pieces_end_in_pauses_between_sentences_not_in_short_gaps() {
        // 2 s, gap 0.3 (a number's groups), 2 s, pause 0.5, 3 s, pause 0.5.
        let audio = talk(&[(2.0, 0.3), (2.0, 0.5), (3.0, 0.5)]);
        let cuts = all_cuts(&audio, true);
        assert_eq!(cuts.len(), 2, "{cuts:?}");
        // The first ends 0.18 s into the pause after 4.3 s of speech.
        let first = cuts[0].at as f64 / 16_000.0;
        assert!((first - (0.4 + 4.3 + 0.18)).abs() < 0.03, "{first}");
        assert!(!cuts[0].forced);
    }

    #[test]
    fn the_same_audio_is_cut_the_same_however_it_arrives() {
        let audio = talk(&[(3.5, 0.5), (1.0, 0.2), (3.0, 0.6), (4.0, 1.0)]);
        let whole = all_cuts(&audio, true);
        let mut c = Cutter::default();
        let mut bits = Vec::new();
        for end in (0..=audio.len()).step_by(777).chain([audio.len()]) {
            while let Some(cut) = c.next_cut(&audio[..end]) {
                c.piece_starts(cut.at);
                bits.push(cut);
            }
        }
        assert_eq!(whole, bits);
        assert_eq!(whole.len(), 3, "{whole:?}");
    }

    #[test]
    fn a_cut_not_taken_is_offered_again_at_the_next_pause_only() {
        let audio = talk(&[(3.5, 0.5), (1.0, 0.5), (1.0, 0.5)]);
        let cuts = all_cuts(&audio, false);
        assert_eq!(cuts.len(), 3, "{cuts:?}");
        assert!(cuts.windows(2).all(|w| w[0].at < w[1].at));
    }

    #[test]
    fn speech_without_a_pause_is_cut_at_the_longest_piece() {
        // Words 0.8 s long with 0.2 s between them, for 40 s.
        let audio = talk(&[(0.8, 0.2); 40]);
        let cuts = all_cuts(&audio, true);
        assert!(cuts[0].forced);
        assert_eq!(cuts[0].at, (MAX_PIECE_S * 16_000.0) as usize);
    }

    #[test]
    fn silence_is_cut_only_at_the_longest_piece() {
        let cuts = all_cuts(&quiet(40.0), true);
        assert_eq!(cuts.len(), 1, "{cuts:?}");
        assert!(cuts[0].forced);
    }
}
