//! What the model hears: the voiced parts of a recording, in pieces that
//! fit its 30 s window, with long silences cut out, and the map from a
//! piece's time back to the recording's.
//!
//! Whisper's encoder costs the same for 3 s of audio as for 30 s unless it
//! is told how much of the window holds audio, so each piece is heard with
//! a window sized to it (see the whisper module), and silence that carries
//! no words is not heard at all. A piece the model stopped short in is
//! heard again from its last word ([`stopped_short`]).

use super::Word;
use crate::audio::levels::voiced_within;

/// Longest piece handed to the model at once (its window is 30 s).
pub const MAX_PIECE_S: f64 = 28.0;
/// Audio kept before each voiced stretch (soft onsets fall under the
/// detector's threshold) ...
const PAD_BEFORE_S: f64 = 0.3;
/// ... and after it (fading word ends).
const PAD_AFTER_S: f64 = 0.5;
/// A silence longer than this between voiced stretches is cut out ...
const CUT_SILENCE_S: f64 = 1.5;
/// ... and replaced by this much digital silence.
const GAP_S: f64 = 0.5;

/// A stretch of the recording that a piece plays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Part {
    /// Where it is in the recording, seconds.
    pub start_s: f64,
    pub end_s: f64,
    /// Where it starts in the piece, seconds.
    pub at_s: f64,
}

/// Stretches of the recording joined with short silences between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub parts: Vec<Part>,
}

impl Piece {
    /// The whole recording as one piece.
    pub fn whole(duration_s: f64) -> Piece {
        Piece {
            parts: vec![Part {
                start_s: 0.0,
                end_s: duration_s,
                at_s: 0.0,
            }],
        }
    }

    /// Length of the piece's audio, seconds.
    pub fn duration_s(&self) -> f64 {
        self.parts
            .last()
            .map(|p| p.at_s + p.end_s - p.start_s)
            .unwrap_or(0.0)
    }

    /// The piece's samples, cut from the recording's (`rate` Hz).
    pub fn samples(&self, recording: &[f32], rate: u32) -> Vec<f32> {
        let at = |s: f64| ((s * rate as f64).round() as usize).min(recording.len());
        let mut out = Vec::with_capacity(at(self.duration_s()) + 1);
        for p in &self.parts {
            out.resize(at(p.at_s).max(out.len()), 0.0);
            out.extend_from_slice(&recording[at(p.start_s)..at(p.end_s)]);
        }
        out
    }

    /// A time in the piece as a time in the recording. A time inside an
    /// inserted silence goes to the end of the part before it.
    pub fn to_recording(&self, t: f64) -> f64 {
        let part = self
            .parts
            .iter()
            .rev()
            .find(|p| t >= p.at_s)
            .unwrap_or(&self.parts[0]);
        (part.start_s + (t - part.at_s).max(0.0)).min(part.end_s)
    }

    /// What the piece plays from recording time `t` on, as a piece of its
    /// own. None when it plays nothing after `t`.
    pub fn rest_from(&self, t: f64) -> Option<Piece> {
        let kept: Vec<&Part> = self.parts.iter().filter(|p| p.end_s > t).collect();
        let first = kept.first()?;
        let offset = first.at_s + (t - first.start_s).max(0.0);
        let parts = kept
            .iter()
            .map(|p| {
                let start_s = p.start_s.max(t);
                Part {
                    start_s,
                    end_s: p.end_s,
                    at_s: p.at_s + (start_s - p.start_s) - offset,
                }
            })
            .collect();
        Some(Piece { parts })
    }

    /// A time in the recording as a time in the piece, when the piece plays
    /// it; a time in a silence cut out goes to the start of the part after.
    pub fn to_piece(&self, t: f64) -> Option<f64> {
        let first = self.parts.first()?;
        let last = self.parts.last()?;
        if t < first.start_s || t > last.end_s {
            return None;
        }
        let part = self.parts.iter().find(|p| t <= p.end_s)?;
        Some(part.at_s + (t - part.start_s).max(0.0))
    }
}

/// The longest a word is taken to last when judging whether the model
/// stopped short (its last word may be stretched over all the audio left)
/// ...
const LONGEST_WORD_S: f64 = 1.5;
/// ... and longer by this much for each digit it holds: "840-555-1685."
/// is one word said over 4 s.
const LONGEST_DIGIT_S: f64 = 0.5;
/// The longest pause taken to come before a piece's last word when that
/// word was heard stretched: after the word before it, or the piece's start.
const LONGEST_GAP_S: f64 = 2.5;
/// Voice at least this long after the last word heard in a piece was
/// missed ...
const MISSED_VOICE_S: f64 = 1.0;
/// ... and the rest of the piece is heard again from a little before that
/// word (never into the word before it).
const BEFORE_LAST_WORD_S: f64 = 0.3;

/// Where to hear a piece again from, when the model stopped short in it:
/// tiny.en may end its text in the middle of a sentence ("please call me
/// back at 833-") and so miss every word after, though the voice goes on.
/// `words` are the words heard in `piece`, in the recording's time;
/// `voiced` is its voice activity. Some: voice of at least
/// [`MISSED_VOICE_S`] in the piece after its last word (taken to last
/// [`LONGEST_WORD_S`], more with digits, whatever its end as heard), and
/// the time to hear the piece again from, a little before that word. None
/// when nothing was heard: the piece then holds no speech the model would
/// write.
pub fn stopped_short(piece: &Piece, words: &[Word], voiced: &[(f64, f64)]) -> Option<f64> {
    let last = words.last()?;
    let piece_start = piece.parts.first()?.start_s;
    let word_before_ends = words
        .len()
        .checked_sub(2)
        .map(|i| words[i].end_s)
        .unwrap_or(f64::MIN);
    let digits = last.text.chars().filter(char::is_ascii_digit).count();
    let longest = LONGEST_WORD_S + digits as f64 * LONGEST_DIGIT_S;
    // A word heard longer than any is said was stretched, and its start may
    // have been moved on too: "TWO" heard from 21.5 s to 23.2 s, after "call
    // me at" at 6.7 s, where the voice went on from 7 s to 23 s.
    let last_start = if last.end_s - last.start_s > longest {
        last.start_s
            .min(word_before_ends.max(piece_start) + LONGEST_GAP_S)
    } else {
        last.start_s
    };
    // Not its end as heard: stretched over the rest, or squeezed.
    let said_until = last_start + longest;
    let missed: f64 = piece
        .parts
        .iter()
        .map(|p| voiced_within(voiced, p.start_s.max(said_until), p.end_s))
        .sum();
    if missed < MISSED_VOICE_S {
        return None;
    }
    Some(
        (last_start - BEFORE_LAST_WORD_S)
            .max(word_before_ends.min(last_start))
            .max(piece_start),
    )
}

/// How much of a recording of `duration_s` with voice activity in `voiced`
/// the model hears: all of it, except that a recording longer than a piece
/// whose voice (with its margin) ends within the first piece is heard as
/// that first piece, in one window like any shorter recording. A take
/// stopped a few seconds after its last word is then heard as it was while
/// it was recorded (see `pipeline::live`), and not in a window of another
/// size.
pub fn heard_s(voiced: &[(f64, f64)], duration_s: f64) -> f64 {
    let voice_ends = voiced.last().map(|&(_, end)| end + PAD_AFTER_S);
    match voice_ends {
        Some(end) if duration_s > MAX_PIECE_S && end <= MAX_PIECE_S => MAX_PIECE_S,
        _ => duration_s,
    }
}

/// Plans the pieces for a recording of `duration_s` with voice activity in
/// `voiced` (ordered, non-overlapping). No voice: no pieces.
pub fn plan(voiced: &[(f64, f64)], duration_s: f64) -> Vec<Piece> {
    // Voiced stretches with their margins; where two margins would overlap,
    // the pause between them is shared at its middle, so a cut there never
    // plays the same sound in two pieces.
    let spans: Vec<(f64, f64)> = voiced
        .iter()
        .enumerate()
        .map(|(i, &(a, b))| {
            let before = i
                .checked_sub(1)
                .map(|j| (voiced[j].1 + a) / 2.0)
                .unwrap_or(0.0);
            let after = voiced
                .get(i + 1)
                .map(|n| (b + n.0) / 2.0)
                .unwrap_or(duration_s);
            ((a - PAD_BEFORE_S).max(before), (b + PAD_AFTER_S).min(after))
        })
        .collect();
    // A stretch longer than a piece is cut into equal parts.
    let spans: Vec<(f64, f64)> = spans
        .into_iter()
        .flat_map(|(a, b)| {
            let n = ((b - a) / MAX_PIECE_S).ceil().max(1.0) as usize;
            let step = (b - a) / n as f64;
            (0..n).map(move |i| {
                (
                    a + i as f64 * step,
                    if i + 1 == n {
                        b
                    } else {
                        a + (i + 1) as f64 * step
                    },
                )
            })
        })
        .collect();

    let mut pieces: Vec<Piece> = Vec::new();
    let mut prev_end: Option<f64> = None;
    for (a, b) in spans {
        let gap = prev_end.map(|e| a - e).unwrap_or(0.0);
        let contiguous = prev_end.is_some() && gap <= CUT_SILENCE_S;
        let added = if contiguous { gap } else { GAP_S } + (b - a);
        match pieces.last_mut() {
            Some(piece) if piece.duration_s() + added <= MAX_PIECE_S => {
                let last = piece.parts.last_mut().expect("a piece has parts");
                if contiguous {
                    last.end_s = b;
                } else {
                    let at_s = last.at_s + (last.end_s - last.start_s) + GAP_S;
                    piece.parts.push(Part {
                        start_s: a,
                        end_s: b,
                        at_s,
                    });
                }
            }
            _ => pieces.push(Piece {
                parts: vec![Part {
                    start_s: a,
                    end_s: b,
                    at_s: 0.0,
                }],
            }),
        }
        prev_end = Some(b);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(piece: &Piece) -> Vec<(f64, f64, f64)> {
        piece
            .parts
            .iter()
            .map(|p| {
                (
                    (p.start_s * 100.0).round() / 100.0,
                    (p.end_s * 100.0).round() / 100.0,
                    (p.at_s * 100.0).round() / 100.0,
                )
            })
            .collect()
    }

    #[test]
    fn the_rest_of_a_piece_plays_what_it_played_from_then_on() {
        let piece = Piece {
            parts: vec![
                Part {
                    start_s: 1.0,
                    end_s: 10.0,
                    at_s: 0.0,
                },
                Part {
                    start_s: 20.0,
                    end_s: 25.0,
                    at_s: 9.5,
                },
            ],
        };
        let rest = piece.rest_from(6.0).unwrap();
        assert_eq!(spans(&rest), [(6.0, 10.0, 0.0), (20.0, 25.0, 4.5)]);
        assert_eq!(rest.to_recording(5.0), 20.5);
        let rest = piece.rest_from(21.0).unwrap();
        assert_eq!(spans(&rest), [(21.0, 25.0, 0.0)]);
        assert!(piece.rest_from(25.0).is_none());
    }

    fn said(words: &[(&str, f64, f64)]) -> Vec<Word> {
        words
            .iter()
            .map(|&(text, start_s, end_s)| Word {
                text: text.into(),
                start_s,
                end_s,
                confidence: 1.0,
            })
            .collect()
    }

    /// "Please call me back at 833-" and nothing after, though the voice
    /// goes on for 8 s: heard again from a little before "833-".
    #[test]
    fn a_piece_whose_words_stop_while_the_voice_goes_on_stopped_short() {
        let piece = Piece::whole(14.8);
        let voiced = [(0.6, 6.3), (6.6, 9.0), (9.3, 14.3)];
        let words = said(&[
            ("back", 5.18, 5.35),
            ("at", 5.62, 5.62),
            ("833-", 5.74, 14.51),
        ]);
        let again = stopped_short(&piece, &words, &voiced).unwrap();
        assert!((again - 5.62).abs() < 1e-9, "{again}");
        // The last word well after the word before: from a little before it.
        let words = said(&[("back", 5.18, 5.35), ("at", 6.5, 14.51)]);
        let again = stopped_short(&piece, &words, &voiced).unwrap();
        assert!((again - 6.2).abs() < 1e-9, "{again}");
        // Words up to the end of the voice, or less than a second of voice
        // after the last one: nothing missed.
        let at = |start_s, end_s| said(&[("thanks", start_s, end_s)]);
        assert_eq!(stopped_short(&piece, &at(13.0, 14.2), &voiced), None);
        assert_eq!(stopped_short(&piece, &at(13.5, 13.9), &voiced), None);
        assert!(stopped_short(&piece, &at(11.0, 11.4), &voiced).is_some());
        // A stretched word heard far on, the first of a hearing: taken to
        // start at most 2.5 s after the piece does.
        let rest = piece.rest_from(7.02).unwrap();
        let two = said(&[("TWO", 12.6, 14.5)]);
        let again = stopped_short(&rest, &two, &voiced).unwrap();
        assert!((again - 9.22).abs() < 1e-9, "{again}");
        // A number written as one word takes longer to say.
        let number = said(&[("840-555-1685.", 9.4, 9.8)]);
        assert_eq!(stopped_short(&piece, &number, &voiced), None);
        // Nothing heard at all: not heard again.
        assert_eq!(stopped_short(&piece, &[], &voiced), None);
    }

    #[test]
    fn a_recording_longer_than_a_piece_is_heard_whole_unless_its_voice_ends_in_the_first() {
        // Shorter than a piece: all of it.
        assert_eq!(heard_s(&[(1.0, 20.0)], 25.0), 25.0);
        // Silence after the last word takes it over a piece: the first piece.
        assert_eq!(heard_s(&[(1.0, 20.0), (22.0, 27.4)], 31.0), MAX_PIECE_S);
        // Voice (with its margin) past the first piece, or no voice: all of it.
        assert_eq!(heard_s(&[(1.0, 20.0), (22.0, 27.6)], 31.0), 31.0);
        assert_eq!(heard_s(&[(1.0, 10.0), (40.0, 41.0)], 64.5), 64.5);
        assert_eq!(heard_s(&[], 40.0), 40.0);
    }

    #[test]
    fn silence_gives_no_pieces() {
        assert!(plan(&[], 10.0).is_empty());
    }

    #[test]
    fn a_short_message_is_one_piece_without_its_leading_and_trailing_silence() {
        let p = plan(&[(2.0, 5.0), (5.6, 9.0)], 14.0);
        assert_eq!(p.len(), 1);
        assert_eq!(spans(&p[0]), vec![(1.7, 9.5, 0.0)]);
        assert!((p[0].duration_s() - 7.8).abs() < 1e-9);
        assert!((p[0].to_recording(0.0) - 1.7).abs() < 1e-9);
        assert!((p[0].to_recording(3.3) - 5.0).abs() < 1e-9);
    }

    #[test]
    fn a_long_silence_inside_is_cut_to_a_short_gap() {
        let p = plan(&[(1.0, 3.0), (10.0, 12.0)], 13.0);
        assert_eq!(p.len(), 1);
        assert_eq!(spans(&p[0]), vec![(0.7, 3.5, 0.0), (9.7, 12.5, 3.3)]);
        // Times map back across the cut; the gap maps to the end of the part before it.
        assert!((p[0].to_recording(3.4) - 9.8).abs() < 1e-9);
        assert!((p[0].to_recording(3.0) - 3.5).abs() < 1e-9);
        // And into the piece: a time in the cut silence to the part after.
        assert!((p[0].to_piece(2.0).unwrap() - 1.3).abs() < 1e-9);
        assert!((p[0].to_piece(9.8).unwrap() - 3.4).abs() < 1e-9);
        assert!((p[0].to_piece(6.0).unwrap() - 3.3).abs() < 1e-9);
        assert_eq!(p[0].to_piece(0.5), None);
        assert_eq!(p[0].to_piece(12.6), None);
        let recording: Vec<f32> = (0..13 * 100).map(|i| i as f32).collect();
        let samples = p[0].samples(&recording, 100);
        assert_eq!(samples.len(), 610);
        assert_eq!(samples[0], 70.0);
        assert_eq!(samples[279], 349.0);
        assert_eq!(&samples[280..330], &[0.0; 50][..]);
        assert_eq!(samples[330], 970.0);
    }

    #[test]
    fn a_long_message_is_cut_at_pauses_into_pieces_that_fit_the_window() {
        // 64 s of phrases of 4 s with 0.6 s pauses.
        let voiced: Vec<(f64, f64)> = (0..14)
            .map(|i| (0.5 + i as f64 * 4.6, 4.5 + i as f64 * 4.6))
            .collect();
        let p = plan(&voiced, 65.0);
        assert_eq!(p.len(), 3);
        for piece in &p {
            assert!(piece.duration_s() <= MAX_PIECE_S);
            assert_eq!(piece.parts.len(), 1, "pauses shorter than the cut stay");
        }
        // Consecutive pieces cover the voice without holes.
        for w in p.windows(2) {
            assert!(w[1].parts[0].start_s <= w[0].parts[0].end_s + 0.2);
        }
        for &(a, b) in &voiced {
            assert!(p
                .iter()
                .any(|piece| piece.parts.iter().any(|q| q.start_s <= a && b <= q.end_s)));
        }
    }

    #[test]
    fn speech_without_a_pause_longer_than_a_piece_is_cut_in_equal_parts() {
        let p = plan(&[(0.0, 60.0)], 60.0);
        assert_eq!(p.len(), 3);
        for piece in &p {
            assert!((piece.duration_s() - 20.0).abs() < 1e-9);
        }
    }
}
