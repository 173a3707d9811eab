//! What the contour shows: monotone stretches, rises at the ends of
//! statements, and voiced sounds that no word explains (acoustic fillers).

use serde::Serialize;

use super::stats;

/// A voiced frame: its time and its pitch in semitones (relative to the
/// speaker's median).
pub type Point = (f64, f64);

/// A stretch where the pitch hardly moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonotoneStretch {
    pub start_s: f64,
    pub end_s: f64,
    /// Standard deviation of the pitch over the stretch, semitones.
    pub sd_semitones: f64,
}

/// A statement that ended with the pitch going up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rise {
    pub start_s: f64,
    pub end_s: f64,
    /// How far the pitch rose over the stretch, semitones.
    pub semitones: f64,
    /// "statement" (a sentence's end) or "number" (a phone number's end).
    pub at: String,
    /// The words that end the statement.
    pub text: String,
}

/// A voiced sound with flat pitch that no word (or only a filler word) covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AcousticFiller {
    pub start_s: f64,
    pub end_s: f64,
    /// A filler word of the transcript ("um") lies over it.
    pub in_transcript: bool,
}

/// Where a statement ends: the time and the words that end it.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementEnd {
    /// Start of the statement's last word.
    pub last_word_start_s: f64,
    pub end_s: f64,
    pub at: &'static str,
    pub text: String,
}

/// Stretches of `window_s` (slid by a tenth of it) whose voiced frames,
/// `min_voiced_s` of them at least, spread less than `sd_limit` semitones;
/// overlapping ones merged. A message shorter than the window is one window.
pub fn monotone_stretches(
    points: &[Point],
    hop_s: f64,
    window_s: f64,
    min_voiced_s: f64,
    sd_limit: f64,
) -> Vec<MonotoneStretch> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Vec::new();
    };
    let window = window_s.min(last.0 - first.0).max(hop_s);
    let step = (window_s / 10.0).max(hop_s);
    let min_frames = (min_voiced_s / hop_s).ceil() as usize;
    let mut flat: Vec<(usize, usize)> = Vec::new();
    let mut t = first.0;
    let mut lo = 0;
    while t + window <= last.0 + hop_s / 2.0 {
        while points[lo].0 < t {
            lo += 1;
        }
        let hi = lo + points[lo..].partition_point(|p| p.0 <= t + window);
        let st: Vec<f64> = points[lo..hi].iter().map(|p| p.1).collect();
        if hi - lo >= min_frames.max(2) && stats::sd(&st) < sd_limit {
            match flat.last_mut() {
                Some(prev) if lo < prev.1 => prev.1 = hi,
                _ => flat.push((lo, hi)),
            }
        }
        t += step;
    }
    flat.into_iter()
        .map(|(lo, hi)| {
            let st: Vec<f64> = points[lo..hi].iter().map(|p| p.1).collect();
            MonotoneStretch {
                start_s: points[lo].0,
                end_s: points[hi - 1].0,
                sd_semitones: stats::sd(&st),
            }
        })
        .collect()
}

/// Each statement end whose last `window_s` of voiced pitch (inside its
/// last word, reaching `slack_s` past the word's end) climbs at
/// `min_rate` semitones a second or more.
pub fn rises(
    points: &[Point],
    ends: &[StatementEnd],
    window_s: f64,
    slack_s: f64,
    min_rate: f64,
) -> Vec<Rise> {
    let mut out = Vec::new();
    for e in ends {
        let lo = points.partition_point(|p| p.0 < e.last_word_start_s);
        let hi = points.partition_point(|p| p.0 <= e.end_s + slack_s);
        let Some(last) = points[lo..hi].last() else {
            continue;
        };
        let from = lo + points[lo..hi].partition_point(|p| p.0 < last.0 - window_s);
        let tail = &points[from..hi];
        if tail.len() < 5 || last.0 - tail[0].0 < window_s / 2.0 {
            continue;
        }
        let rate = stats::slope(tail);
        if rate >= min_rate {
            out.push(Rise {
                start_s: tail[0].0,
                end_s: last.0,
                semitones: rate * (last.0 - tail[0].0),
                at: e.at.to_string(),
                text: e.text.clone(),
            });
        }
    }
    out
}

/// Voiced runs (gaps of up to `max_gap_s` bridged) of `min_s` to `max_s`
/// whose pitch spreads less than `sd_limit` semitones and over which words
/// cover less than half, not counting filler words (`covered(start, end)`
/// gives the seconds covered by other words and whether a filler word lies
/// over the run).
pub fn acoustic_fillers(
    points: &[Point],
    max_gap_s: f64,
    (min_s, max_s): (f64, f64),
    sd_limit: f64,
    covered: impl Fn(f64, f64) -> (f64, bool),
) -> Vec<AcousticFiller> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < points.len() {
        let mut j = i + 1;
        while j < points.len() && points[j].0 - points[j - 1].0 <= max_gap_s + 1e-9 {
            j += 1;
        }
        let (start, end) = (points[i].0, points[j - 1].0);
        let st: Vec<f64> = points[i..j].iter().map(|p| p.1).collect();
        let length = end - start;
        if (min_s..=max_s).contains(&length) && stats::sd(&st) < sd_limit {
            let (by_words, filler_word) = covered(start, end);
            if by_words < length / 2.0 {
                out.push(AcousticFiller {
                    start_s: start,
                    end_s: end,
                    in_transcript: filler_word,
                });
            }
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Voiced frames every 10 ms from `a` to `b` seconds, pitch from `f(t)`.
    fn contour(a: f64, b: f64, f: impl Fn(f64) -> f64) -> Vec<Point> {
        let n = ((b - a) / 0.01).round() as usize;
        (0..=n)
            .map(|i| a + i as f64 * 0.01)
            .map(|t| (t, f(t)))
            .collect()
    }

    #[test]
    fn a_flat_stretch_between_lively_ones_is_found() {
        let mut p = contour(0.0, 8.0, |t| 4.0 * (t * 3.0).sin());
        p.extend(contour(8.01, 16.0, |t| 0.3 * (t * 3.0).sin()));
        p.extend(contour(16.01, 24.0, |t| 4.0 * (t * 3.0).sin()));
        let s = monotone_stretches(&p, 0.01, 6.0, 1.0, 2.0);
        assert_eq!(s.len(), 1, "{s:?}");
        // A window half in the flat part is still flat: the edges blur by up to
        // half a window.
        assert!(s[0].start_s >= 5.0 && s[0].start_s <= 8.5, "{s:?}");
        assert!(s[0].end_s >= 15.5 && s[0].end_s <= 19.0, "{s:?}");
        assert!(s[0].sd_semitones < 2.0);
        let lively = contour(0.0, 24.0, |t| 4.0 * (t * 3.0).sin());
        assert!(monotone_stretches(&lively, 0.01, 6.0, 1.0, 2.0).is_empty());
    }

    #[test]
    fn a_short_flat_message_is_one_window() {
        let p = contour(0.5, 3.5, |_| 0.1);
        let s = monotone_stretches(&p, 0.01, 6.0, 1.0, 2.0);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].start_s, s[0].end_s), (0.5, 3.5));
    }

    fn end(word_start: f64, end_s: f64) -> StatementEnd {
        StatementEnd {
            last_word_start_s: word_start,
            end_s,
            at: "statement",
            text: "Dubois.".into(),
        }
    }

    #[test]
    fn a_rising_end_is_a_rise_and_a_falling_one_is_not() {
        let mut p = contour(0.0, 1.0, |t| 3.0 - 4.0 * t);
        p.extend(contour(1.5, 2.0, |t| 6.0 * (t - 1.5)));
        let r = rises(&p, &[end(0.6, 1.0), end(1.6, 2.0)], 0.3, 0.15, 4.0);
        assert_eq!(r.len(), 1, "{r:?}");
        assert!((r[0].semitones - 1.8).abs() < 0.1, "{r:?}");
        assert!((r[0].end_s - 2.0).abs() < 1e-9);
    }

    #[test]
    fn a_flat_voiced_run_no_word_covers_is_a_filler() {
        let mut p = contour(0.0, 0.5, |t| 10.0 * t);
        p.extend(contour(1.0, 1.3, |_| -2.0));
        p.extend(contour(2.0, 2.3, |t| 16.0 * (t - 2.0)));
        let f = acoustic_fillers(&p, 0.02, (0.15, 1.5), 0.8, |a, _| {
            (0.0, (0.9..1.4).contains(&a))
        });
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].start_s, f[0].end_s), (1.0, 1.3));
        assert!(f[0].in_transcript);
        let covered = acoustic_fillers(&p, 0.02, (0.15, 1.5), 0.8, |a, b| (b - a, false));
        assert!(covered.is_empty());
    }
}
