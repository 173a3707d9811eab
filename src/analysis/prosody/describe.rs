//! From a pitch track and the timed words to [`Prosody`]: how the voice
//! moved over the message.

use serde::{Deserialize, Serialize};

use super::find::{self, AcousticFiller, MonotoneStretch, Point, Rise, StatementEnd};
use super::pitch::Track;
use super::stats;
use crate::transcribe::Word;

/// The prosody settings of the rules file (`"prosody"`): how the voice is
/// measured. What counts as too flat for a check is in the rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProsodySettings {
    /// The pitch tracker's clarity (0-1) for a frame to be voiced.
    pub voicing_clarity: f32,
    /// Monotone: windows this long...
    pub monotone_window_s: f64,
    /// ...with this much voiced speech at least...
    pub monotone_min_voiced_s: f64,
    /// ...whose pitch spreads less than this (standard deviation, semitones).
    pub monotone_sd_semitones: f64,
    /// Uptalk: the last this many seconds of a statement's voiced pitch...
    pub rise_window_s: f64,
    /// ...climbing at this many semitones a second or more.
    pub rise_semitones_per_s: f64,
    /// Acoustic fillers: voiced runs this long at least...
    pub filler_min_s: f64,
    /// ...and at most...
    pub filler_max_s: f64,
    /// ...with a pitch spread under this (semitones).
    pub filler_sd_semitones: f64,
    /// Volume variation: words shorter than this are not counted.
    pub volume_min_word_s: f64,
}

/// How the voice moved: pitch, its spread, flat stretches, rising ends,
/// volume between words and voiced sounds no word explains.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prosody {
    /// Seconds of voiced speech the pitch was measured on.
    pub voiced_s: f64,
    pub pitch_median_hz: f64,
    /// Standard deviation of the pitch over the voiced frames, semitones.
    pub pitch_sd_semitones: f64,
    /// From the 5th to the 95th percentile of the pitch, semitones.
    pub pitch_range_semitones: f64,
    pub monotone_stretches: Vec<MonotoneStretch>,
    /// Statements (and phone numbers) that ended with the pitch going up.
    pub rises: Vec<Rise>,
    /// How many statement ends were looked at for a rise.
    pub statements: usize,
    /// Standard deviation of the words' loudness, dB (null with fewer than
    /// 5 words long enough to measure).
    pub volume_sd_db: Option<f64>,
    pub acoustic_fillers: Vec<AcousticFiller>,
    /// The pitch contour for drawing: (seconds, semitones from the median)
    /// of every voiced frame. Not part of the JSON.
    #[serde(skip)]
    pub contour: Vec<Point>,
}

/// What [`describe`] reads besides the track.
pub struct Spoken<'a> {
    pub words: &'a [Word],
    /// Where statements end (sentences, phone numbers).
    pub ends: &'a [StatementEnd],
    /// The transcript's filler words, (start, end) seconds.
    pub fillers: &'a [(f64, f64)],
    /// Phone numbers, (start, end) seconds: digits are often said flat and
    /// their word times are the least sure, so no filler is looked for there.
    pub numbers: &'a [(f64, f64)],
}

fn round(x: f64, places: i32) -> f64 {
    let k = 10f64.powi(places);
    (x * k).round() / k
}

/// Describe the voice of a message.
pub fn describe(track: &Track, spoken: &Spoken, s: &ProsodySettings) -> Prosody {
    let voiced: Vec<(f64, f64)> = track
        .f0_hz
        .iter()
        .enumerate()
        .filter(|(_, &f)| f > 0.0)
        .map(|(i, &f)| (track.time_of(i), f as f64))
        .collect();
    let hz: Vec<f64> = voiced.iter().map(|p| p.1).collect();
    let median_hz = stats::median(&hz);
    let points: Vec<Point> = voiced
        .iter()
        .map(|&(t, f)| (t, stats::semitones(f, median_hz)))
        .collect();
    let st: Vec<f64> = points.iter().map(|p| p.1).collect();
    let mut monotone = find::monotone_stretches(
        &points,
        track.hop_s,
        s.monotone_window_s,
        s.monotone_min_voiced_s,
        s.monotone_sd_semitones,
    );
    let mut rises = find::rises(
        &points,
        spoken.ends,
        s.rise_window_s,
        0.15,
        s.rise_semitones_per_s,
    );
    let mut fillers = find::acoustic_fillers(
        &points,
        0.03,
        (s.filler_min_s, s.filler_max_s),
        s.filler_sd_semitones,
        |a, b| coverage(spoken, a, b),
    );
    for m in &mut monotone {
        m.sd_semitones = round(m.sd_semitones, 2);
    }
    for r in &mut rises {
        r.semitones = round(r.semitones, 2);
    }
    for f in &mut fillers {
        f.start_s = round(f.start_s, 2);
        f.end_s = round(f.end_s, 2);
    }
    Prosody {
        voiced_s: round(points.len() as f64 * track.hop_s, 2),
        pitch_median_hz: round(median_hz, 1),
        pitch_sd_semitones: round(stats::sd(&st), 2),
        pitch_range_semitones: round(
            stats::percentile(&st, 95.0) - stats::percentile(&st, 5.0),
            2,
        ),
        monotone_stretches: monotone,
        rises,
        statements: spoken.ends.len(),
        volume_sd_db: volume_sd_db(track, spoken, s.volume_min_word_s).map(|v| round(v, 2)),
        acoustic_fillers: fillers,
        contour: points,
    }
}

/// Seconds a letter of a word takes at least, when the word's own end is
/// too early (word times often give a word no length at all).
const S_PER_LETTER: f64 = 0.07;

/// Where word `i` ends at the earliest: its own end, or as far as its
/// letters take to say, up to the next word's start.
fn reach(words: &[Word], i: usize) -> f64 {
    let w = &words[i];
    let letters = w.text.chars().filter(|c| c.is_alphanumeric()).count() as f64;
    let next = words.get(i + 1).map_or(f64::INFINITY, |n| n.start_s);
    w.end_s.max((w.start_s + letters * S_PER_LETTER).min(next))
}

/// Seconds of `start..end` covered by words that are not fillers, and
/// whether a filler word overlaps it. A word reaches at least as far as its
/// letters take to say (up to the next word).
fn coverage(spoken: &Spoken, start: f64, end: f64) -> (f64, bool) {
    let overlap = |a: f64, b: f64| (b.min(end) - a.max(start)).max(0.0);
    let is_filler = |w: &Word| {
        spoken
            .fillers
            .iter()
            .any(|&(a, b)| w.start_s >= a && w.end_s <= b)
    };
    let mut words = 0.0;
    let mut filler = false;
    for (i, w) in spoken.words.iter().enumerate() {
        let reach = reach(spoken.words, i);
        if is_filler(w) {
            filler |= overlap(w.start_s, reach) > 0.0 || (w.start_s >= start && w.start_s <= end);
        } else {
            words += overlap(w.start_s, reach);
        }
    }
    let numbers: f64 = spoken.numbers.iter().map(|&(a, b)| overlap(a, b)).sum();
    (words + numbers, filler)
}

/// The spread of the words' loudness: each word's level (from its start
/// to its [`reach`]) is the 90th percentile of its frames' levels (its
/// loud part, so a word time a little off changes it little).
fn volume_sd_db(track: &Track, spoken: &Spoken, min_word_s: f64) -> Option<f64> {
    let words = spoken.words;
    let levels: Vec<f64> = (0..words.len())
        .map(|i| (words[i].start_s, reach(words, i)))
        .filter(|(a, b)| b - a >= min_word_s)
        .filter_map(|(a, b)| {
            let frames: Vec<f64> = track.level_db[track.frames(a, b)]
                .iter()
                .map(|&d| d as f64)
                .collect();
            (!frames.is_empty()).then(|| stats::percentile(&frames, 90.0))
        })
        .collect();
    (levels.len() >= 5).then(|| stats::sd(&levels))
}
