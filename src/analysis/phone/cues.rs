//! The words around a run that make a short run a number ("my number is")
//! or a long one something else (an order number, a time).

use std::ops::Range;

use super::tokens::{Tok, TokKind};
use crate::analysis::numwords::Shape;

#[rustfmt::skip]
const NUMBER_NOUNS: &[&str] = &[
    "number", "number's", "numbers", "phone", "cell", "mobile", "telephone", "digits",
];

#[rustfmt::skip]
const REACH_VERBS: &[&str] = &[
    "call", "reach", "reached", "text", "contact", "me", "back", "ring",
];

#[rustfmt::skip]
const TIME_BEFORE: &[&str] = &[
    "at", "around", "by", "before", "after", "until", "till", "from",
];

/// Whether a number cue comes right before the run: "my number is", "my
/// cell", "call me at", "reach me on", "area code", "call", "dial". A time
/// ("call me at ten thirty") is not taken for a broken number.
pub(super) fn has_number_cue(toks: &[Tok], run: Range<usize>) -> bool {
    // Up to five words before the run, nearest last, fillers skipped.
    let mut before: Vec<&str> = toks[..run.start]
        .iter()
        .rev()
        .filter(|t| t.kind != TokKind::Filler)
        .take(5)
        .map(|t| t.word().unwrap_or(""))
        .collect();
    before.reverse();
    let mut words: &[&str] = &before;
    while let Some((last, rest)) = words.split_last() {
        if matches!(
            *last,
            "is" | "was" | "again" | "it's" | "that's" | "thats" | "its"
        ) {
            words = rest;
        } else {
            break;
        }
    }
    // "the best number for me is".
    if let [rest @ .., "for", "me"] = words {
        words = rest;
    }
    let Some((&last, rest)) = words.split_last() else {
        return false;
    };
    if NUMBER_NOUNS.contains(&last) || matches!(last, "call" | "dial" | "text") {
        return true;
    }
    if last == "code" && rest.last() == Some(&"area") {
        return true;
    }
    if matches!(last, "at" | "on") && rest.iter().rev().take(3).any(|w| REACH_VERBS.contains(w)) {
        return !(TIME_BEFORE.contains(&last) && looks_like_time(&toks[run]));
    }
    false
}

/// Words that make a following number something other than a phone number:
/// "job ID 4417829", "requisition number 20451", "zip code 55401".
#[rustfmt::skip]
const REFERENCE_WORDS: &[&str] = &[
    "id", "req", "requisition", "reference", "ref", "order", "case", "ticket", "confirmation",
    "posting", "job", "employee", "account", "badge", "member", "invoice", "tracking", "serial",
    "zip", "postal", "zipcode", "student",
];

/// Whether the run is a reference, ID or zip code rather than a phone
/// number: one of [`REFERENCE_WORDS`] right before it, or before "number"
/// or "code" right before it ("job number is 4417829").
pub(super) fn is_reference_number(toks: &[Tok], run: Range<usize>) -> bool {
    let before: Vec<&str> = toks[..run.start]
        .iter()
        .rev()
        .filter(|t| t.kind != TokKind::Filler)
        .take(3)
        .map(|t| t.word().unwrap_or(""))
        .collect(); // nearest first
    let rest = match before.as_slice() {
        ["is" | "was", rest @ ..] => rest,
        rest => rest,
    };
    match rest {
        [w, ..] if REFERENCE_WORDS.contains(w) => true,
        ["number" | "no" | "code" | "#", w, ..] => REFERENCE_WORDS.contains(w),
        _ => false,
    }
}

/// "ten thirty", "six fifteen", "9 45": an hour and maybe minutes.
fn looks_like_time(run: &[Tok]) -> bool {
    let nums: Vec<(&str, Shape)> = run.iter().filter_map(Tok::num).collect();
    let hour = |(d, _): (&str, Shape)| d.parse::<u32>().is_ok_and(|h| (1..=12).contains(&h));
    let minutes = |(d, s): (&str, Shape)| {
        d.len() == 2
            && d.parse::<u32>().is_ok_and(|m| m < 60)
            && matches!(
                s,
                Shape::Teen | Shape::Tens | Shape::TensUnit | Shape::Written
            )
    };
    match nums.as_slice() {
        [h] => hour(*h),
        [h, m] => hour(*h) && minutes(*m),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::phone::testing::*;

    // --- prefixes, country codes, extensions --------------------------------

    #[test]
    fn area_code_cue_is_not_part_of_the_number() {
        let p = one("area code 612 555 1234");
        assert_eq!(p.digits, "6125551234");
        assert_eq!(p.word_range, 2..5);
    }

    #[test]
    fn short_run_after_a_number_cue_is_reported_as_broken() {
        assert_eq!(digits("my number is 612-555"), ["612555"]);
        assert_eq!(digits("you can call me at six one two five"), ["6125"]);
        assert_eq!(digits("my cell is, uh, 612 55"), ["61255"]);
        assert_eq!(
            digits("the best number for me is 4 4 4 8 2 0. I'm"),
            ["444820"]
        );
    }

    #[test]
    fn short_run_without_a_cue_is_not_a_number() {
        assert!(digits("I have 612 555 reasons").is_empty());
        assert!(digits("ID 4512 was filed").is_empty());
    }

    #[test]
    fn reference_numbers_and_zip_codes_are_not_phone_numbers() {
        assert!(digits("the job ID is 4417829 and the requisition number is 20451").is_empty());
        assert!(digits("zip code 55401").is_empty());
        assert_eq!(
            digits("job ID 4417829. My number is 612-555-1234"),
            ["6125551234"]
        );
    }
}
