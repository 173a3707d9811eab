//! Readings of a full number to put to the model when the hearings had
//! counts no phone number has, or disagreed.

use super::doubt::{contradicts, full_length, number_doubt, DIGIT_BEFORE_S};
use super::find::longest_number;
use super::format::{format_digits, only_digits};
use super::hearings::RECOUNT_DIGITS;
use super::lex::{bare_word, is_digit_word};
use super::number::{PhoneNumber, MIN_DIGITS};
use crate::analysis::numwords;
use crate::transcribe::Word;

/// Readings of a number to choose between by how well each fits the
/// audio from `from_s` to the number's end (before the number's first word
/// when a group said before it was split off).
#[derive(Debug, Clone, PartialEq)]
pub struct Recount {
    pub from_s: f64,
    /// Each a text the model could have written there, with exactly
    /// [`RECOUNT_DIGITS`] digits.
    pub readings: Vec<String>,
}

impl Recount {
    /// The reading whose digits are the longest number in `text`, when
    /// there is one: another hearing wrote it (see
    /// `pipeline::rehear_numbers`). A reading's only digits are its
    /// number's (see [`recount`]).
    pub fn written_in(&self, text: &str) -> Option<&String> {
        let heard = longest_number(text)?;
        self.readings.iter().find(|r| only_digits(r) == heard)
    }
}

/// Edits a reading may be from what was heard.
const RECOUNT_EDITS: usize = 2;

/// More readings than this are too many to score (each is a decode): the
/// number is left as it was heard. The evaluation sets stay well under it
/// (docs/phone-numbers.md).
const MAX_READINGS: usize = 150;

/// Whether number `n` of the first pass should be recounted, given what its
/// second hearing wrote (`again`), and the readings to choose from.
///
/// tiny.en most often gets a run of one digit a digit too short or too
/// long ("five five five five" as 555, "oh oh" as one 0), or leaves a first
/// group apart, and then writes the same count however the span is cut or
/// searched. So when neither hearing has a count a phone number can have
/// (8 or 9 digits, 11 without a leading 1, 12 or more; or 7 with digits
/// split off right before them, or with a second hearing of 8 or 9, or of
/// a full number with the seven inside it, in any hearing, see
/// [`fills_in`]), or when a 10-digit number was heard with other digits the
/// second time, every
/// reading of [`RECOUNT_DIGITS`] digits that at most [`RECOUNT_EDITS`]
/// edits make of a hearing (see [`edits_to`]), or that puts any first digit
/// before a hearing one digit short, is put to the model, written as the
/// second hearing wrote the words around it. Readings whose area code or
/// exchange begins with 0 or 1 are left out. A number shorter than 7
/// digits (after a cue) is recounted only from another hearing (`others`:
/// the one within the recording when it did not confirm the first pass,
/// the wider one of a 7-digit number) of 8 or 9 digits. Otherwise shorter
/// numbers broke off, and a group that was not written at all cannot be
/// made up: no recount.
pub fn recount(n: &PhoneNumber, again: &str, others: &[&str], words: &[Word]) -> Option<Recount> {
    let heard = longest_number(again);
    // A full-length second hearing is taken as it is (see [`judge`]),
    // unless it is only the first one less a digit: then either may be right.
    if number_doubt(n).is_some()
        && heard
            .as_deref()
            .is_some_and(|h| full_length(h) && !n.digits.contains(h))
    {
        return None;
    }
    let contradicts = heard.as_deref().is_some_and(|h| contradicts(&n.digits, h));
    let mut bases = vec![n.digits.clone()];
    bases.extend(heard.clone());
    let mut from_s = n.start_s;
    match n.digits.len() {
        7 => {
            // Every digit a hearing wrote: "8, 0, 0, 0, 0" is one number's
            // end there, not strays.
            let filled = std::iter::once(again)
                .chain(others.iter().copied())
                .map(only_digits)
                .find(|d| fills_in(&n.digits, d));
            if let Some((start, digits)) = split_off(n, words) {
                from_s = start;
                bases.push(digits + &n.digits);
            } else if let Some(d) = filled {
                bases.push(d);
            } else if !heard
                .as_deref()
                .is_some_and(|h| matches!(h.len(), 8 | 9) || fills_in(&n.digits, h))
            {
                return None;
            }
        }
        len if len >= 8 && number_doubt(n).is_some() => {}
        // A short number after a cue, whose other digits the first pass
        // wrote as words ("2 moe, 5 moe, 9 3 9 3"): the hearing within the
        // recording wrote a count one or two short of a full number.
        len if len < MIN_DIGITS => {
            // All its digits: it starts at the number and stops at the
            // first word after them, and it may write a group apart ("2,
            // 0 5, 0 9 3 9 3").
            let other = others
                .iter()
                .map(|o| only_digits(o))
                .find(|w| matches!(w.len(), 8 | 9))?;
            bases.push(other);
        }
        // A full number heard otherwise the second time: the model chooses.
        RECOUNT_DIGITS if contradicts => {}
        _ => return None,
    }
    let mut digits = readings_of(&bases);
    if digits.is_empty() || digits.len() > MAX_READINGS {
        return None;
    }
    // Every digit of the second hearing too, while the readings stay few
    // enough: its longest number may be a part of it ("4, 0, 7, 0, 4, 4,
    // 4, 0, 0" holds 704-4400).
    let all = only_digits(again);
    if (MIN_DIGITS + 1..=RECOUNT_DIGITS + RECOUNT_EDITS).contains(&all.len()) {
        let more = readings_of(&[all]);
        if digits.union(&more).count() <= MAX_READINGS {
            digits.extend(more);
        }
    }
    let (before, after) = around_number(again);
    let readings = digits
        .iter()
        .map(|d| {
            let mut text = before.clone();
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&spaced(d));
            text.push_str(&after);
            text
        })
        .collect();
    Some(Recount { from_s, readings })
}

/// The readings of [`RECOUNT_DIGITS`] digits that the hearings `bases`
/// may be (see [`recount`]), as a North American number can be.
fn readings_of(bases: &[String]) -> std::collections::BTreeSet<String> {
    let mut digits = std::collections::BTreeSet::new();
    for base in bases {
        digits.extend(edits_to(base, RECOUNT_DIGITS, RECOUNT_EDITS));
        // One digit short: it may be the first digit, whatever it was
        // (the first word of a number is the one most often lost). A full
        // count that no area code can begin: its first digit was misheard
        // ("four" as "oh").
        if base.len() + 1 == RECOUNT_DIGITS {
            digits.extend((2..=9).map(|c| format!("{c}{base}")));
        } else if base.len() == RECOUNT_DIGITS && !nanp_shaped(base) {
            digits.extend((2..=9).map(|c| format!("{c}{}", &base[1..])));
        }
    }
    digits.retain(|d| nanp_shaped(d));
    digits
}

/// The digit strings of length `count` that at most `edits` edits make of
/// `digits`: a run of one digit made one longer or (a run of two or more)
/// one shorter, a 0 put in anywhere, a 4 read as "oh oh", or the first or
/// last digit left out.
fn edits_to(digits: &str, count: usize, edits: usize) -> Vec<String> {
    if digits.len() == count {
        return vec![digits.to_string()];
    }
    if edits == 0 || digits.len().abs_diff(count) > edits {
        return Vec::new();
    }
    let d = digits.as_bytes();
    let mut next = std::collections::BTreeSet::new();
    if digits.len() < count {
        for i in 0..=d.len() {
            for c in [
                i.checked_sub(1).map(|j| d[j]),
                d.get(i).copied(),
                Some(b'0'),
            ]
            .into_iter()
            .flatten()
            {
                let mut v = d.to_vec();
                v.insert(i, c);
                next.insert(v);
            }
            // "oh oh" written as a 4 (tiny.en hears "oh" as "four").
            if d.get(i) == Some(&b'4') {
                let mut v = d.to_vec();
                v.splice(i..=i, *b"00");
                next.insert(v);
            }
        }
    } else {
        for i in 0..d.len() {
            let in_run = (i > 0 && d[i - 1] == d[i]) || d.get(i + 1) == Some(&d[i]);
            // A digit at either end may be a word next to the number.
            if in_run || i == 0 || i + 1 == d.len() {
                let mut v = d.to_vec();
                v.remove(i);
                next.insert(v);
            }
        }
    }
    let mut out = std::collections::BTreeSet::new();
    for v in next {
        let v = String::from_utf8(v).unwrap_or_default();
        out.extend(edits_to(&v, count, edits - 1));
    }
    out.into_iter().collect()
}

/// `digits` as the digit prompt writes a number: one by one, in the groups
/// of [`format_digits`] ("6 1 2, 5 5 5, 0 1 4 7").
fn spaced(digits: &str) -> String {
    format_digits(digits)
        .split('-')
        .map(|group| {
            group
                .chars()
                .map(String::from)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The words a hearing wrote before its first digit ("my number is") and
/// what it wrote after its last (". Thank you", with the space or the
/// punctuation that follows the digit), digits written as words counted as
/// digits.
fn around_number(text: &str) -> (String, String) {
    let words: Vec<&str> = text.split_whitespace().collect();
    let digit = |w: &&str| {
        let t = bare_word(w);
        t.chars().any(|c| c.is_ascii_digit()) || numwords::digit(&t).is_some()
    };
    let (Some(first), Some(last)) = (words.iter().position(digit), words.iter().rposition(digit))
    else {
        return (String::new(), String::new());
    };
    // What follows the last letter or digit of the last digit word: "." of "0147.".
    let word = words[last];
    let end = word
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_alphanumeric())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let punct = &word[end..];
    let rest = words[last + 1..].join(" ");
    let after = match (punct.is_empty(), rest.is_empty()) {
        (_, true) => punct.to_string(),
        (true, false) => format!(" {rest}"),
        (false, false) => format!("{punct} {rest}"),
    };
    (words[..first].join(" "), after)
}

/// A 10-digit number as the North American plan allows it: area code and
/// exchange begin with 2 to 9.
fn nanp_shaped(digits: &str) -> bool {
    let d = digits.as_bytes();
    d.len() != 10 || (d[0] >= b'2' && d[3] >= b'2')
}

/// Whether a full number heard again (`heard`) holds the seven digits of
/// the first pass (`first`) in their order, with some of its three more
/// among them, not only in front: the first pass lost digits of runs
/// ("two oh oh, nine nine nine" written 2 0 9 9), not an area code (that
/// case is the wider hearing's; see `pipeline::numbers`). A hearing of 11
/// digits that no country code begins counts too: it wrote a run one too
/// long ("eight oh oh oh" heard as 8 0 0 0 0 where the first pass wrote
/// "8 O L O L O").
fn fills_in(first: &str, heard: &str) -> bool {
    let full = heard.len() == RECOUNT_DIGITS
        || (heard.len() == RECOUNT_DIGITS + 1 && !heard.starts_with('1'));
    if !full || heard.ends_with(first) {
        return false;
    }
    let mut rest = heard.chars();
    first.chars().all(|d| rest.any(|h| h == d))
}

/// The digits said right before number `n` and left out of it (see
/// [`digits_just_before`]), and where they start: each digit word that
/// starts less than [`DIGIT_BEFORE_S`] before the next, going back, a
/// group's worth at most ([`SPLIT_OFF_WORDS`]).
fn split_off(n: &PhoneNumber, words: &[Word]) -> Option<(f64, String)> {
    let last = n.word_range.start.min(words.len());
    let mut first = last;
    while first > 0 && last - first < SPLIT_OFF_WORDS && is_digit_word(&words[first - 1]) {
        let next = words.get(first).map_or(n.start_s, |w| w.start_s);
        if next - words[first - 1].start_s >= DIGIT_BEFORE_S {
            break;
        }
        first -= 1;
    }
    if first == last {
        return None;
    }
    let digits: String = words[first..last]
        .iter()
        .map(|w| {
            let t = bare_word(&w.text);
            numwords::digit(&t).map_or(t, |d| d.to_string())
        })
        .collect();
    Some((words[first].start_s, only_digits(&digits)))
}

/// The most words a split-off first group takes: three digits said one by one.
const SPLIT_OFF_WORDS: usize = 3;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::phone::find_phone_numbers;
    use crate::analysis::phone::testing::*;

    #[test]
    fn edits_lengthen_or_shorten_runs_and_put_in_zeros() {
        // 9 digits to 10: a run one longer, or a 0 anywhere.
        let longer = edits_to("261555966", 10, 1);
        for d in [
            "2615559966",
            "2615555966",
            "2615559666",
            "2615550966",
            "0261555966",
        ] {
            assert!(longer.contains(&d.to_string()), "{d} not in {longer:?}");
        }
        assert!(!longer.contains(&"2615558966".to_string()));
        assert!(longer.iter().all(|d| d.len() == 10));
        // 11 to 10: a run one shorter, or an end digit left out.
        let shorter = edits_to("45155522222", 10, 1);
        assert!(shorter.contains(&"4515552222".to_string()));
        assert!(shorter.contains(&"5155522222".to_string()));
        assert!(!shorter.contains(&"4155522222".to_string()), "{shorter:?}");
        // "oh oh three three" written 4 3 3: a 4 read as two zeros.
        assert!(edits_to("431555433", 10, 1).contains(&"4315550033".to_string()));
        // Two edits at most; the count as it is needs none.
        assert!(edits_to("65555501", 10, 2).contains(&"6555555001".to_string()));
        assert!(edits_to("6555501", 10, 2).is_empty());
        assert_eq!(
            edits_to("6125550147", 10, 2),
            vec!["6125550147".to_string()]
        );
    }

    #[test]
    fn a_short_number_after_a_cue_is_recounted_from_the_hearing_within() {
        let w = words("you can reach me at 2 moe, 5 moe, 9 3 9 3. thanks");
        let found = find_phone_numbers(&w);
        assert_eq!(found[0].digits, "259393");
        let alone = "We have 2, 5, 0, 3, 3, thanks";
        // No hearing within, or one without 8 or 9 digits: no recount.
        assert!(recount(&found[0], alone, &[], &w).is_none());
        assert!(recount(&found[0], alone, &["2 5 9 3 9 3."], &w).is_none());
        // One of 8, a group written apart: its digits are recounted.
        let within = "2, 0 5, 0 9 3 9 3. Thanks";
        let r = recount(&found[0], alone, &[within], &w).unwrap();
        assert_reads(&r, "2005009393");
        assert!(r
            .readings
            .iter()
            .all(|t| only_digits(t).len() == RECOUNT_DIGITS));
    }

    /// "two oh oh, nine nine nine, five seven oh one" written as seven
    /// digits, heard in full the second time: the model chooses.
    #[test]
    fn seven_digits_a_full_hearing_fills_in_are_recounted() {
        assert_recounted_to(
            "you can call me at 2 0 9 9 5 7 1. thanks",
            "2 0 0 9 9 9 5 7 0 1.",
            "2009995701",
        );
        // An area code in front only is the wider hearing's to tell.
        assert!(recounted(
            "you can call me at 5 5 5 0 1 6 3. thanks",
            "2 0 6 5 5 5 0 1 6 3"
        )
        .is_none());
        // Other digits: not a filling in.
        assert!(recounted(
            "you can call me at 5 5 5 0 1 6 3. thanks",
            "2 0 6 5 5 5 0 1 6 4"
        )
        .is_none());
        assert!(fills_in("2099571", "2009995701"));
        assert!(!fills_in("2099571", "2009995170"));
        // A run heard one too long: 11 digits, no country code.
        assert!(fills_in("5955448", "59554480000"));
        assert!(!fills_in("5955448", "15955448000"));
        assert_recounted_to(
            "you can call me at 595 544 8 O L O L O. thanks",
            "call me at 5 9 5 5 4 4 8, 0, 0, 0, 0.",
            "5955448000",
        );
        // Another hearing fills it in, the one alone not.
        let w = words("you can call me at 595 544 8 O L O L O. thanks");
        let found = find_phone_numbers(&w);
        let r = recount(
            &found[0],
            "That's 5 9 5 5 4 4 8",
            &["5 9 5 5 4 4 8 0 0 0 0. Bye"],
            &w,
        )
        .unwrap();
        assert_reads(&r, "5955448000");
    }

    #[test]
    fn every_digit_of_the_second_hearing_makes_readings() {
        // "four oh oh, seven oh four, four four oh oh": the first pass
        // wrote 12 digits, and the hearing alone's longest number is 7 of
        // its 9 (704-4400).
        assert_recounted_to(
            "The best number for me is 4.00, 7.04, 4.00, 4.00, I look forward",
            "4, 0, 7, 0, 4, 4, 4, 0, 0. I look...",
            "4007044400",
        );
    }

    /// Asserts that `digits` are among the recount's readings.
    fn assert_reads(r: &Recount, digits: &str) {
        let all: Vec<String> = r.readings.iter().map(|t| only_digits(t)).collect();
        assert!(all.iter().any(|d| d == digits), "{digits} not in {all:?}");
    }

    /// Asserts that the number in `text`, heard again as `again`, is
    /// recounted with `digits` among its readings.
    fn assert_recounted_to(text: &str, again: &str, digits: &str) {
        let r = recounted(text, again).unwrap_or_else(|| panic!("no recount of {text:?}"));
        assert_reads(&r, digits);
    }

    fn recounted(text: &str, again: &str) -> Option<Recount> {
        let w = words(text);
        let found = find_phone_numbers(&w);
        assert_eq!(found.len(), 1, "{text}");
        recount(&found[0], again, &[], &w)
    }

    #[test]
    fn a_number_of_a_count_no_number_has_is_recounted_in_the_second_hearings_words() {
        let r = recounted(
            "my number is 261 555 966 thanks",
            "For me is 2 6 1 5 5 5 9 6 6, I can send",
        )
        .unwrap();
        assert!(r
            .readings
            .contains(&"For me is 2 6 1, 5 5 5, 9 9 6 6, I can send".to_string()));
        for reading in &r.readings {
            let digits = only_digits(reading);
            assert_eq!(digits.len(), RECOUNT_DIGITS, "{reading}");
            // Area code and exchange begin with 2-9.
            assert!(nanp_shaped(&digits), "{reading}");
        }
        // Digits written as words count as digits around the number.
        assert_eq!(
            around_number("I got three, five, two, oh, thank you."),
            ("I got".to_string(), ", thank you.".to_string())
        );
    }

    #[test]
    fn numbers_that_can_be_right_are_not_recounted() {
        // A count a number can have, heard twice alike.
        assert_eq!(
            recounted("call 612 555 0147 please", "6 1 2, 5 5 5, 0 1 4 7"),
            None
        );
        // A full-length second hearing is taken as it is (see judge).
        assert_eq!(
            recounted("call 350 554 477 please", "3 0 0, 5 5 5, 4 4 7 7"),
            None
        );
        // Seven digits and nothing to say a group is missing.
        assert_eq!(recounted("call 555 0163 please", "5 5 5, 0 1 6 3"), None);
        // Broken off.
        assert_eq!(recounted("my number is 555 01", "5 5 5 0 1"), None);
    }

    #[test]
    fn a_full_number_heard_otherwise_the_second_time_is_put_to_the_model() {
        let r = recounted(
            "call 773 555 4190 please",
            "at 7 7 3, 5 5 5, 0 1 9 0. Thanks",
        )
        .unwrap();
        assert_eq!(
            r.readings,
            vec![
                "at 7 7 3, 5 5 5, 0 1 9 0. Thanks".to_string(),
                "at 7 7 3, 5 5 5, 4 1 9 0. Thanks".to_string()
            ]
        );
        // A second hearing of the wrong count: its recounts too.
        let r = recounted("call 222 300 0001 please", "2 2 2 3 0 0 0 0 1 8 6").unwrap();
        assert!(r.readings.contains(&"2 2 2, 3 0 0, 0 0 0 1".to_string()));
        assert!(r.readings.contains(&"2 2 2, 3 0 0, 0 1 8 6".to_string()));
    }

    #[test]
    fn a_group_split_off_before_seven_digits_is_recounted_with_them() {
        let r = recounted("5 5 <pause:1.0> 508 6228 thanks", "5 0 8 6 2 2 8").unwrap();
        // From the split-off digits on, with them.
        assert_eq!(r.from_s, 0.0);
        assert!(
            r.readings.iter().any(|t| only_digits(t) == "5555086228"),
            "{:?}",
            r.readings
        );
        // "Four" heard as "oh": no area code begins with 0, so the first
        // digit may be any other.
        let r = recounted("oh, 9 9 <pause:1.0> 999 0666 thanks", "9 9 9 0 6 6 6").unwrap();
        assert!(
            r.readings.contains(&"4 9 9, 9 9 9, 0 6 6 6".to_string()),
            "{:?}",
            r.readings
        );
        assert!(r.readings.iter().all(|t| !t.starts_with('0')));
    }

    #[test]
    fn readings_keep_only_the_punctuation_after_the_last_digit() {
        assert_eq!(
            around_number("call 612-555-0147. Thanks"),
            ("call".to_string(), ". Thanks".to_string())
        );
        assert_eq!(
            around_number("é 5 5 5—"),
            ("é".to_string(), "—".to_string())
        );
        assert_eq!(
            around_number("no digits here"),
            (String::new(), String::new())
        );
    }

    #[test]
    fn a_split_off_group_is_three_digits_at_most() {
        let w = words("1 2 3 4 5 <pause:1.0> 508 6228");
        let found = find_phone_numbers(&w);
        let n = found
            .iter()
            .find(|n| n.digits == "5086228")
            .expect("7 digits");
        assert_eq!(split_off(n, &w).map(|(_, d)| d), Some("345".to_string()));
    }
}
