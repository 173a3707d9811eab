//! Timed words for a written script (`vmcoach check`), so the rules that use
//! time (number early, length, pace) work without audio.

use crate::transcribe::Word;

/// Extra silence after a comma, semicolon, colon or dash.
pub const COMMA_PAUSE_S: f64 = 0.25;
/// Extra silence after a sentence end.
pub const SENTENCE_PAUSE_S: f64 = 0.5;
/// Extra silence for an ellipsis ("...") or a blank line: a real pause.
pub const LONG_PAUSE_S: f64 = 1.2;

/// The script's words with times estimated at `wpm` words a minute.
///
/// Each word takes `60 / wpm` seconds; a word with three or more digits
/// ("612-555-1234", "5551234") takes that per digit, as the digits are said
/// one by one. Punctuation adds a pause after the word: a comma
/// [`COMMA_PAUSE_S`], a sentence end [`SENTENCE_PAUSE_S`], an ellipsis or a
/// blank line [`LONG_PAUSE_S`]. A word is voiced for 90% of its slot.
/// Text is kept as written, so it reads like a transcript.
pub fn estimate_words(script: &str, wpm: f64) -> Vec<Word> {
    let wpm = if wpm.is_finite() && wpm > 0.0 {
        wpm
    } else {
        150.0
    };
    let slot = 60.0 / wpm;
    let mut out = Vec::new();
    let mut t = 0.0;
    for (pi, para) in script.split("\n\n").enumerate() {
        if pi > 0 && !out.is_empty() {
            t += LONG_PAUSE_S;
        }
        for raw in para.split_whitespace() {
            if !raw.chars().any(|c| c.is_alphanumeric()) {
                // A lone dash or ellipsis between words: a pause, not a word.
                t += if raw.contains("...") || raw.contains('…') {
                    LONG_PAUSE_S
                } else {
                    COMMA_PAUSE_S
                };
                continue;
            }
            let digits = raw.chars().filter(|c| c.is_ascii_digit()).count();
            let units = if digits >= 3 { digits as f64 } else { 1.0 };
            let dur = units * slot;
            out.push(Word {
                text: raw.to_string(),
                start_s: round3(t),
                end_s: round3(t + dur * 0.9),
                confidence: 1.0,
            });
            t += dur;
            let tail = raw.trim_end_matches(['"', '\'', ')', '”', '’']);
            if tail.ends_with("...") || tail.ends_with('…') {
                t += LONG_PAUSE_S;
            } else if tail.ends_with(['.', '?', '!']) {
                t += SENTENCE_PAUSE_S;
            } else if tail.ends_with([',', ';', ':', '-', '—', '–']) {
                t += COMMA_PAUSE_S;
            }
        }
    }
    out
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_take_their_share_of_a_minute() {
        let w = estimate_words("one two three", 150.0);
        assert_eq!(w.len(), 3);
        assert_eq!(w[1].start_s, 0.4);
        assert_eq!(w[2].start_s, 0.8);
        assert!((w[2].end_s - 1.16).abs() < 1e-9);
    }

    #[test]
    fn punctuation_adds_pauses() {
        let w = estimate_words("Hi, there. Bye... now", 150.0);
        assert!((w[1].start_s - 0.65).abs() < 1e-9);
        assert!((w[2].start_s - 1.55).abs() < 1e-9);
        assert!((w[3].start_s - 3.15).abs() < 1e-9);
    }

    #[test]
    fn phone_numbers_take_a_slot_per_digit() {
        let w = estimate_words("612-555-1234 ok", 150.0);
        assert!((w[1].start_s - 4.0).abs() < 1e-9);
        assert_eq!(w[0].text, "612-555-1234");
    }

    #[test]
    fn blank_lines_are_long_pauses_and_lone_dashes_are_not_words() {
        let w = estimate_words("one\n\ntwo - three", 150.0);
        assert_eq!(w.len(), 3);
        assert!((w[1].start_s - 1.6).abs() < 1e-9);
        assert!((w[2].start_s - 2.25).abs() < 1e-9);
    }
}
