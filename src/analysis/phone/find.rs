//! Finding the phone numbers in timed words: the four passes of the
//! module put together.

use super::cues::{has_number_cue, is_reference_number};
use super::lex::lex;
use super::number::{PhoneNumber, MIN_CUED_DIGITS, MIN_DIGITS};
use super::quantities::mark_not_phone;
use super::runs::{bridge_cued, digits_in, extension_after, runs, split_run};
use super::tokens::tokens;
use crate::transcribe::{join_words, Word};

/// Every phone number said in `words`, in order.
pub fn find_phone_numbers(words: &[Word]) -> Vec<PhoneNumber> {
    let mut toks = tokens(&lex(words));
    mark_not_phone(&mut toks);

    let mut found = Vec::new();
    let mut consumed = 0; // tokens already taken by an extension
    let runs = bridge_cued(&toks, words, runs(&toks), |r| has_number_cue(&toks, r));
    for run in runs {
        if run.start < consumed {
            continue;
        }
        let extension = extension_after(&toks, run.end);
        if let Some((_, taken)) = &extension {
            consumed = taken.end;
        }
        let pieces = split_run(&toks, words, run.clone());
        let count = pieces.len();
        for (i, piece) in pieces.into_iter().enumerate() {
            let digits = digits_in(&toks[piece.clone()]);
            let wanted = digits.len() >= MIN_DIGITS
                || (digits.len() >= MIN_CUED_DIGITS && has_number_cue(&toks, piece.clone()));
            if !wanted || is_reference_number(&toks, piece.clone()) {
                continue;
            }
            let first = toks[piece.start].first;
            let last = toks[piece.end - 1].last;
            found.push(PhoneNumber {
                digits,
                text: join_words(&words[first..=last]),
                start_s: words[first].start_s,
                end_s: words[last].end_s,
                extension: if i + 1 == count {
                    extension.as_ref().map(|e| e.0.clone())
                } else {
                    None
                },
                word_range: first..last + 1,
                confidence: words[first..=last]
                    .iter()
                    .map(|w| w.confidence)
                    .sum::<f64>()
                    / (last + 1 - first) as f64,
                uncertain: false,
                doubt: None,
                alternatives: Vec::new(),
            });
        }
    }
    found
}

/// The digits of the longest phone number written in `text`.
pub(super) fn longest_number(text: &str) -> Option<String> {
    let words = crate::analysis::script::estimate_words(text, 150.0);
    find_phone_numbers(&words)
        .into_iter()
        .map(|n| n.digits)
        .max_by_key(|d| d.len())
}

#[cfg(test)]
mod tests {
    use crate::analysis::phone::testing::*;

    // --- written forms -----------------------------------------------------

    #[test]
    fn hyphenated_number_is_found_with_its_trailing_period_dropped() {
        let p = one("You can reach me at 612-555-1234. Thanks!");
        assert_eq!(p.digits, "6125551234");
        assert_eq!(p.text, "612-555-1234.");
        assert_eq!(p.word_range, 5..6);
    }

    // --- lengths and cues ---------------------------------------------------

    #[test]
    fn seven_digit_number_needs_no_cue() {
        assert_eq!(digits("try 555-1234 after five"), ["5551234"]);
    }

    #[test]
    fn runs_under_four_digits_are_never_numbers() {
        assert!(digits("my number is 612").is_empty());
    }

    #[test]
    fn short_runs_after_a_cue_one_short_word_apart_are_one_number() {
        // "two oh oh, five oh oh, nine three nine three", the zeros written
        // as a word: found, for the number pass to hear again.
        let p = one("You can reach me at 2 moe, 5 moe, 9 3 9 3. Thanks so much.");
        assert_eq!(p.digits, "259393");
        assert_eq!(p.text, "2 moe, 5 moe, 9 3 9 3.");
        // Not without a cue, not across a sentence or a longer word, and
        // not when the runs stay too short together.
        assert!(digits("I was 2 moe, 5 moe, 9 3 9 3. Thanks.").is_empty());
        assert!(digits("call me at 2. Moe 5 and 9 3 9 3").is_empty());
        assert!(digits("reach me at 2 more, 5 more, 9 3 9 3").is_empty());
        assert!(digits("reach me at 2 or 3 today").is_empty());
    }

    // --- times and spans ----------------------------------------------------

    #[test]
    fn span_runs_from_first_digit_word_to_last() {
        let p = one("hi my number is six one two five five five one two three four bye");
        // word 4 starts at 1.2 s, word 13 ends at 13 * 0.3 + 0.3 = 4.2 s
        assert!(close(p.start_s, 1.2), "{}", p.start_s);
        assert!(close(p.end_s, 4.2), "{}", p.end_s);
        assert_eq!(p.word_range, 4..14);
    }

    #[test]
    fn span_of_a_number_split_over_words_uses_the_outer_words() {
        let p = one("it's 612- 555- 1234, thanks");
        assert_eq!(p.digits, "6125551234");
        assert!(close(p.start_s, 0.3) && close(p.end_s, 1.2));
        assert_eq!(p.text, "612- 555- 1234,");
    }
}
