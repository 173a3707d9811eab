//! Phone numbers in a transcript, in every form whisper writes them.
//!
//! Whisper writes a phone number as "612-555-1234.", "(612) 555-1234",
//! "612, 555, 1234", "six one two five five five ...", "double five",
//! "sixty six seventy seven", "five hundred fifty five" or any mix, split
//! across words in any way. Finding them takes four passes:
//!
//! 1. **lex**: each word becomes pieces: runs of written digits, words,
//!    `+`, a fused extension marker (`x22`), or a whole word that is never
//!    part of a phone number (`$50,000`, `15%`, `3:30`, `3rd`, `401k`).
//!    Between pieces we keep how strongly they are separated (same word,
//!    space, comma, sentence end) and the pause.
//! 2. **tokens**: number words are read into numbers ([`numwords`]), and
//!    numbers that are quantities rather than digits are marked (see
//!    `mark_not_phone`): years, percentages, money, times, counts, dates.
//! 3. **runs**: a number is a maximal run of number tokens with nothing but
//!    punctuation, fillers ("um") and pauses under [`HARD_PAUSE_S`] between
//!    them; digits simply concatenate ("555-12-34" is "5551234"). A run too
//!    long for one number is split where it reads as two (see `split_run`).
//! 4. **classify**: a run of 7 or more digits is a phone number. A run of 4
//!    to 6 digits is reported only after a number cue ("my number is",
//!    "call me at") — a broken-off number that the analysis should flag.
//!    Shorter runs are never reported.
//!
//! A number's span (`start_s`, `end_s`, `word_range`, `text`) covers its
//! digits, from "plus" when a country code is said that way. The cue ("area
//! code", "my number is") and the extension are not part of the span; the
//! extension's digits are in [`PhoneNumber::extension`].

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::numwords::{self, Shape};
use super::PhoneNumber;
use crate::transcribe::{join_words, Rehearing, Word};

/// A pause longer than this between two digit groups ends a number.
pub const HARD_PAUSE_S: f64 = 2.5;
/// A pause this long inside a run is a good place to split it in two.
const SOFT_PAUSE_S: f64 = 1.0;
/// Runs this long are phone numbers without any cue.
pub const MIN_DIGITS: usize = 7;
/// Runs this long (and shorter than [`MIN_DIGITS`]) count after a number cue.
pub const MIN_CUED_DIGITS: usize = 4;
/// The longest international number (E.164).
const MAX_DIGITS: usize = 15;
const MAX_EXTENSION_DIGITS: usize = 6;

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/// Every phone number said in `words`, in order.
pub fn find_phone_numbers(words: &[Word]) -> Vec<PhoneNumber> {
    let mut toks = tokens(&lex(words));
    mark_not_phone(&mut toks);

    let mut found = Vec::new();
    let mut consumed = 0; // tokens already taken by an extension
    for run in runs(&toks) {
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

/// How a said number compares with the expected one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberMatch {
    /// The said number is the expected one (see [`compare_number`] for what
    /// may be left out).
    pub matches: bool,
    /// The groups that differ, in order: "country code", "area code",
    /// "exchange", "line" (NANP), or "national number" for other numbers.
    pub differing_groups: Vec<String>,
    /// Expected digits that were not said.
    pub missing_digits: usize,
    /// Said digits that were not expected.
    pub extra_digits: usize,
}

/// Compares a said number with the expected one. Only digits count in
/// either; a leading `+` in `expected` marks its first group as the country
/// code ("+44 20 7946 0958").
///
/// - NANP numbers are compared by area code, exchange and line; a 7-digit
///   expected number by exchange and line.
/// - A country code said but not expected, or expected but not said, is
///   not a difference; two different country codes are. Likewise an area
///   code said when the expected number is 7 digits. An area code left out
///   of a 10-digit expected number is a difference (three missing digits).
/// - Digits are aligned by edit distance, so one dropped or extra digit
///   marks only the group it is in.
pub fn compare_number(said: &str, expected: &str) -> NumberMatch {
    let said_digits = only_digits(said);
    let exp = Layout::of(expected);

    // Take off what the said number has in front of the expected national number.
    let extra_front = said_digits.len().saturating_sub(exp.national.len());
    let cc = exp.country_code.as_str();
    let (said_cc, said_national) = if !cc.is_empty() && extra_front > 0 {
        if said_digits.starts_with(cc) && extra_front >= cc.len() {
            (cc, &said_digits[cc.len()..])
        } else {
            // Either a different country code or stray digits in the number:
            // whichever explains the said digits with fewer differences.
            let front = extra_front.min(3);
            let as_cc = 1 + edits(&said_digits[front..], &exp.national);
            if as_cc < edits(&said_digits, &exp.national) {
                (&said_digits[..front], &said_digits[front..])
            } else {
                ("", said_digits.as_str())
            }
        }
    } else if exp.country_code.is_empty()
        && ((exp.national.len() == 10 && said_digits.len() == 11 && said_digits.starts_with('1'))
            || (exp.national.len() == 7 && said_digits.len() == 10)
            || (exp.national.len() == 7 && said_digits.len() == 11 && said_digits.starts_with('1')))
    {
        // "1" before a NANP number, or an area code before a 7-digit one.
        (&said_digits[..extra_front], &said_digits[extra_front..])
    } else {
        ("", said_digits.as_str())
    };

    let mut differing = Vec::new();
    if !said_cc.is_empty() && !exp.country_code.is_empty() && said_cc != exp.country_code {
        differing.push("country code".to_string());
    }
    let alignment = align(said_national, &exp.national);
    for (name, range) in &exp.groups {
        if alignment
            .iter()
            .any(|(pos, op)| *op != Op::Same && range.contains(pos))
        {
            differing.push(name.to_string());
        }
    }
    let missing_digits = alignment
        .iter()
        .filter(|(_, op)| *op == Op::Missing)
        .count();
    let extra_digits = alignment.iter().filter(|(_, op)| *op == Op::Extra).count();
    NumberMatch {
        matches: differing.is_empty() && missing_digits == 0 && extra_digits == 0,
        differing_groups: differing,
        missing_digits,
        extra_digits,
    }
}

/// Formats digits for display: "612-555-1234", "555-1234", "+1 612-555-1234",
/// "+44 20 7946 0958", "020 7946 0958". Non-digits in the input are ignored.
pub fn format_digits(digits: &str) -> String {
    let d = only_digits(digits);
    let n = d.len();
    match n {
        0..=4 => d,
        5..=7 => format!("{}-{}", &d[..3], &d[3..]),
        8..=10 => format!("{}-{}-{}", &d[..3], &d[3..6], &d[6..]),
        11 if d.starts_with('1') => format!("+1 {}", format_digits(&d[1..])),
        _ if d.starts_with('0') => group_from_right(&d),
        _ => {
            let cc = country_code_len(&d);
            format!("+{} {}", &d[..cc], group_from_right(&d[cc..]))
        }
    }
}

/// Marks the numbers whose digits may be wrong, so that the report says
/// "uncertain" rather than a wrong number: an unusual digit count (8 or 9
/// digits: some were dropped; fewer than 7: it broke off; 11 without a
/// leading 1, or more: a digit too many), speech right before it that no
/// word was written for (`voiced`: where the audio's level detector heard
/// voice; whisper most often drops a whole group of digits, and a 10-digit
/// number then reads as a 7-digit one), or a second hearing of its stretch
/// of audio (`rehearings`) that wrote other digits. A second hearing with
/// no number in it is no evidence either way. A recounted reading (see
/// [`recount`]) that differs from the first hearing replaces it, and the
/// number stays uncertain, with the first hearing as the alternative. So
/// does a full number heard from the seconds before a 7-digit one when it
/// ends with those seven digits: the first pass wrote its area code as
/// words.
pub fn judge(
    numbers: &mut [PhoneNumber],
    rehearings: &[Rehearing],
    words: &[Word],
    voiced: &[(f64, f64)],
) {
    for n in numbers {
        let overlaps = |r: &&Rehearing| r.start_s < n.end_s && n.start_s < r.end_s;
        let rehearing = rehearings
            .iter()
            .filter(|r| r.count.is_none())
            .find(overlaps);
        let again = rehearing.and_then(|r| longest_number(&r.text));
        let again = again.filter(|a| contradicts(&n.digits, a));
        // The reading of a full number's digits that fit the audio best,
        // when the hearings had impossible counts or disagreed (see
        // [`recount`]): the best guess there is, still only a guess. It may
        // start before the number (a split-off group), but it ends where
        // the number ends.
        let counted = rehearings
            .iter()
            .filter(|r| r.count.is_some())
            .filter(|r| (r.end_s - n.end_s).abs() < 1e-6)
            .find(overlaps)
            .and_then(|r| Some((r, longest_number(&r.text)?)))
            .filter(|(r, d)| Some(d.len()) == r.count && *d != n.digits);
        if let Some((r, digits)) = counted {
            replace_first_hearing(n, digits, words, r.start_s, is_digit_word);
            if let Some(again) = again.filter(|a| *a != n.digits && !n.alternatives.contains(a)) {
                n.alternatives.push(again);
            }
            continue;
        }
        // A number without its area code, heard again with the seconds
        // before it (see `pipeline::rehear_numbers`), with one: the first
        // pass wrote the area code as words ("Oh, here you go 901-1005").
        let area_code = rehearings
            .iter()
            .filter(|r| r.count.is_none() && n.digits.len() == MIN_DIGITS)
            .filter(overlaps)
            .find_map(|r| {
                let heard = longest_number(&r.text)?;
                (full_length(&heard) && heard.ends_with(n.digits.as_str())).then_some((r, heard))
            });
        if let Some((r, digits)) = area_code {
            replace_first_hearing(n, digits, words, r.start_s, |_| true);
            continue;
        }
        let mut doubts = Vec::new();
        match (number_doubt(n), again) {
            // The second hearing has a full number's length where the first
            // has not: it is the better guess, and still only a guess.
            (Some(_), Some(again)) if full_length(&again) => {
                doubts.push(format!(
                    "the first listen heard {}",
                    format_digits(&n.digits)
                ));
                n.alternatives.push(std::mem::replace(&mut n.digits, again));
            }
            (count, again) => {
                doubts.extend(count);
                if let Some(again) = again {
                    doubts.push(format!("a second listen heard {}", format_digits(&again)));
                    n.alternatives.push(again);
                }
            }
        }
        if digits_just_before(n, words) {
            doubts.push("digits said right before it may belong to it".to_string());
        } else if unheard_before(n, words, voiced) {
            doubts.push("speech right before it was not written down".to_string());
        } else if broken_groups(n, words) {
            doubts.push("its digits came in odd groups; some may be missing".to_string());
        }
        n.uncertain = !doubts.is_empty();
        n.doubt = (!doubts.is_empty()).then(|| doubts.join("; "));
    }
}

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

/// The count a recount reaches: a US number with its area code.
pub const RECOUNT_DIGITS: usize = 10;
/// Edits a reading may be from what was heard.
const RECOUNT_EDITS: usize = 2;
/// More readings than this are too many to score (about 25 ms each on 2
/// cores): the number is left as it was heard. The most seen on the
/// evaluation sets was 84.
const MAX_READINGS: usize = 150;

/// Whether number `n` of the first pass should be recounted, given what its
/// second hearing wrote (`again`), and the readings to choose from.
///
/// tiny.en most often gets a run of one digit a digit too short or too
/// long ("five five five five" as 555, "oh oh" as one 0), or leaves a first
/// group apart, and then writes the same count however the span is cut or
/// searched. So when neither hearing has a count a phone number can have
/// (8 or 9 digits, 11 without a leading 1, 12 or more; or 7 with digits
/// split off right before them, or with a second hearing of 8 or 9), or
/// when a 10-digit number was heard with other digits the second time, every
/// reading of [`RECOUNT_DIGITS`] digits that at most [`RECOUNT_EDITS`]
/// edits make of a hearing (see [`edits_to`]), or that puts any first digit
/// before a hearing one digit short, is put to the model, written as the
/// second hearing wrote the words around it. Readings whose area code or
/// exchange begins with 0 or 1 are left out. Shorter numbers broke off,
/// and a group that was not written at all cannot be made up: no recount.
pub fn recount(n: &PhoneNumber, again: &str, words: &[Word]) -> Option<Recount> {
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
            if let Some((start, digits)) = split_off(n, words) {
                from_s = start;
                bases.push(digits + &n.digits);
            } else if !heard.as_deref().is_some_and(|h| matches!(h.len(), 8 | 9)) {
                return None;
            }
        }
        len if len >= 8 && number_doubt(n).is_some() => {}
        // A full number heard otherwise the second time: the model chooses.
        RECOUNT_DIGITS if contradicts => {}
        _ => return None,
    }
    let mut digits = std::collections::BTreeSet::new();
    for base in &bases {
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
    if digits.is_empty() || digits.len() > MAX_READINGS {
        return None;
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

/// The digit strings of length `count` that at most `edits` edits make of
/// `digits`: a run of one digit made one longer or (a run of two or more)
/// one shorter, a 0 put in anywhere, or the first or last digit left out.
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

/// Whether a second hearing (`again`) wrote other digits than the first:
/// one that wrote fewer or more of the same digits lost or gained an edge
/// of the cut, which is no contradiction.
fn contradicts(first: &str, again: &str) -> bool {
    !again.contains(first) && !first.contains(again)
}

/// A number's length, 10 digits or more, that raises no doubt.
fn full_length(digits: &str) -> bool {
    digits.len() >= 10 && count_doubt(digits).is_none()
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

/// Puts `digits`, a later hearing's, in place of number `n`'s first
/// hearing, which becomes its first alternative; widens it over the words
/// `taken` from `from_s` on (see [`take_words_from`]); and marks it
/// uncertain.
fn replace_first_hearing(
    n: &mut PhoneNumber,
    digits: String,
    words: &[Word],
    from_s: f64,
    taken: fn(&Word) -> bool,
) {
    let first = format_digits(&n.digits);
    n.alternatives
        .push(std::mem::replace(&mut n.digits, digits));
    take_words_from(n, words, from_s, taken);
    n.uncertain = true;
    n.doubt = Some(format!("the first listen heard {first}"));
}

/// Widens number `n` over the words right before it that start from
/// `from_s` on and are `taken`: the digits a hearing from there put back.
fn take_words_from(n: &mut PhoneNumber, words: &[Word], from_s: f64, taken: fn(&Word) -> bool) {
    if n.word_range.end > words.len() {
        return;
    }
    let mut first = n.word_range.start;
    while first > 0 && words[first - 1].start_s >= from_s - TIME_SLACK_S && taken(&words[first - 1])
    {
        first -= 1;
    }
    if first < n.word_range.start {
        n.start_s = words[first].start_s;
        n.word_range.start = first;
        n.text = join_words(&words[n.word_range.clone()]);
    }
}

/// What is wrong with a digit count no phone number has: 8 or 9 digits
/// (some were dropped), fewer than 7 (it broke off), 11 without a leading
/// 1 or more than 11 (a digit too many).
/// [`count_doubt`] for a number as it was said: after "plus", a country
/// code makes 11 to 15 digits (the most a number can have) a full count.
fn number_doubt(n: &PhoneNumber) -> Option<String> {
    let first = n.text.split_whitespace().next().unwrap_or("");
    let plus = first.starts_with('+') || bare_word(first) == "plus";
    if plus && (11..=MAX_INTERNATIONAL_DIGITS).contains(&n.digits.len()) {
        return None;
    }
    count_doubt(&n.digits)
}

/// The most digits an international number has (E.164).
const MAX_INTERNATIONAL_DIGITS: usize = 15;

fn count_doubt(digits: &str) -> Option<String> {
    match digits.len() {
        9 => Some("one digit may be missing".to_string()),
        8 => Some("two digits may be missing".to_string()),
        count @ 0..=6 => Some(format!("only {count} digits")),
        11 if !digits.starts_with('1') => Some("one digit too many".to_string()),
        12.. => Some("too many digits".to_string()),
        _ => None,
    }
}

/// Voiced audio before a number that counts as left-out speech: about two
/// spoken digits. Less catches the first word's late DTW start (up to
/// about 0.4 s on real speakers' digits).
const UNHEARD_MIN_S: f64 = 0.6;
/// How far before the number to look for it.
const UNHEARD_LOOK_S: f64 = 1.5;
/// Slack for word times (DTW starts are within about 0.1 s, worst 0.34 s,
/// on the fixtures).
const TIME_SLACK_S: f64 = 0.15;

/// Whether there is voiced audio right before the number that no word
/// covers: whisper most often drops a number's first group, and the rest
/// then reads as a 7-digit number. A word's end is not known (DTW times
/// give a word's start; it ends where the next one starts), so the word
/// before is taken to last about as long as saying it takes
/// ([`spoken_s`]). Only the side before is checked: after a number the
/// length of the number's own last word is too uncertain, and real speakers'
/// dropped groups were all first groups (scripts/eval-numbers on FSDD
/// digits).
fn unheard_before(n: &PhoneNumber, words: &[Word], voiced: &[(f64, f64)]) -> bool {
    let range = n.word_range.clone();
    if voiced.is_empty() || range.is_empty() || range.end > words.len() {
        return false;
    }
    let first = &words[range.start];
    let mut from = first.start_s - UNHEARD_LOOK_S;
    if let Some(prev) = range.start.checked_sub(1).map(|i| &words[i]) {
        from = from.max(prev.start_s + spoken_s(&prev.text) + TIME_SLACK_S);
    }
    crate::audio::levels::voiced_within(voiced, from, first.start_s - TIME_SLACK_S) >= UNHEARD_MIN_S
}

/// Whether the word right before the number, starting less than
/// [`DIGIT_BEFORE_S`] before it, is a digit left out of it ("5 5 | 508-6228",
/// "Oh, | 999-0666"): the first group was split off or half heard, and the
/// rest reads as a 7-digit number.
fn digits_just_before(n: &PhoneNumber, words: &[Word]) -> bool {
    let Some(prev) = n.word_range.start.checked_sub(1).and_then(|i| words.get(i)) else {
        return false;
    };
    let Some(first) = words.get(n.word_range.start) else {
        return false;
    };
    is_digit_word(prev) && first.start_s - prev.start_s < DIGIT_BEFORE_S
}

/// Whether a 7-digit number was written in more than two groups of
/// digits ("7 9, 2, 4 9, 0 8"). A local number is said in two, three
/// digits and four; more breaks are pauses in which digits were said and
/// not written (FSDD nicolas saying "4 7 9 6 2 2 4 9 0 8", written like
/// that by all three hearings). No right number in the eval sets was
/// written so (scripts/eval-numbers: fixtures, synth, FSDD).
fn broken_groups(n: &PhoneNumber, words: &[Word]) -> bool {
    if n.digits.len() != MIN_DIGITS || n.word_range.end > words.len() {
        return false;
    }
    let mut groups = 0;
    let mut in_group = false;
    for w in &words[n.word_range.clone()] {
        if is_digit_word(w) && !in_group {
            groups += 1;
            in_group = true;
        }
        if w.text.trim_end().ends_with([',', '.', ';']) {
            in_group = false;
        }
    }
    groups > 2
}

/// A word that is a digit or a short group of them: "5", "55,", "Oh,".
fn is_digit_word(word: &Word) -> bool {
    let text = bare_word(&word.text);
    (!text.is_empty() && text.len() <= 3 && text.chars().all(|c| c.is_ascii_digit()))
        || numwords::digit(&text).is_some()
}

/// A word without the punctuation around it, lowercase: "Oh," -> "oh".
fn bare_word(text: &str) -> String {
    text.trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

/// How far apart a split-off digit and the number start at most: a digit
/// and a pause between groups (1.5 s on a real speaker's "7 0 | 4 0 5").
const DIGIT_BEFORE_S: f64 = 2.0;

/// About how long saying a written word takes: a digit is a short word.
fn spoken_s(text: &str) -> f64 {
    const PER_DIGIT_S: f64 = 0.3;
    const PER_LETTER_S: f64 = 0.065;
    let digits = text.chars().filter(|c| c.is_ascii_digit()).count() as f64;
    let letters = text.chars().filter(|c| c.is_alphabetic()).count() as f64;
    (digits * PER_DIGIT_S + letters * PER_LETTER_S).max(0.2)
}

/// The digits of the longest phone number written in `text`.
fn longest_number(text: &str) -> Option<String> {
    let words = super::estimate_words(text, 150.0);
    find_phone_numbers(&words)
        .into_iter()
        .map(|n| n.digits)
        .max_by_key(|d| d.len())
}

// ---------------------------------------------------------------------------
// Pass 1: words to pieces
// ---------------------------------------------------------------------------

/// How strongly a piece is set apart from the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Sep {
    /// Inside one word: "612-555", "x22".
    Inner,
    /// A space, or a hyphen.
    Plain,
    /// A comma, semicolon, colon or ellipsis.
    Comma,
    /// A full stop, question or exclamation mark.
    Sentence,
}

/// Why a number is not part of a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotPhone {
    Money,
    Percent,
    Time,
    Date,
    Year,
    Count,
    /// Digits fused with letters: "401k", "1990s", "5-year".
    Mixed,
}

#[derive(Debug, Clone, PartialEq)]
enum PieceKind {
    /// Digits as written: "612".
    Numeral(String),
    /// A word, lowercase, without surrounding punctuation.
    Word(String),
    Plus,
    /// The extension marker fused with its digits: the "x" of "x22".
    Ext,
    /// "$" written apart from its amount.
    Currency,
    /// "%" written apart from its amount.
    Percent,
    NotPhone(NotPhone),
}

#[derive(Debug, Clone)]
struct Piece {
    kind: PieceKind,
    word: usize,
    sep: Sep,
}

/// Splits every word into pieces.
fn lex(words: &[Word]) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut pending = Sep::Plain;
    for (wi, w) in words.iter().enumerate() {
        let lexed = lex_word(&w.text);
        pending = pending.max(lexed.lead);
        if lexed.pieces.is_empty() {
            continue; // punctuation only: its separation carries to the next word
        }
        for (k, kind) in lexed.pieces.into_iter().enumerate() {
            let sep = if k == 0 { pending } else { Sep::Inner };
            pieces.push(Piece {
                kind,
                word: wi,
                sep,
            });
        }
        pending = lexed.trail;
    }
    pieces
}

struct LexedWord {
    lead: Sep,
    pieces: Vec<PieceKind>,
    trail: Sep,
}

fn lex_word(text: &str) -> LexedWord {
    let lower = text.trim().replace('’', "'").to_lowercase();
    let kept = |c: char| c.is_alphanumeric() || matches!(c, '+' | '$' | '£' | '€' | '%');
    let (Some(start), Some(end)) = (lower.find(kept), lower.rfind(kept)) else {
        return LexedWord {
            lead: punct_sep(&lower),
            pieces: Vec::new(),
            trail: Sep::Plain,
        };
    };
    let end = end + lower[end..].chars().next().map_or(1, char::len_utf8);
    let core = &lower[start..end];
    LexedWord {
        lead: punct_sep(&lower[..start]),
        pieces: lex_core(core),
        trail: punct_sep(&lower[end..]),
    }
}

/// The separation that punctuation around a word stands for.
fn punct_sep(punct: &str) -> Sep {
    if punct.contains("...") || punct.contains('…') {
        Sep::Comma
    } else if punct.contains(['.', '!', '?']) {
        Sep::Sentence
    } else if punct.contains([',', ';', ':']) {
        Sep::Comma
    } else {
        Sep::Plain
    }
}

fn lex_core(core: &str) -> Vec<PieceKind> {
    match core {
        "+" => return vec![PieceKind::Plus],
        "$" | "£" | "€" => return vec![PieceKind::Currency],
        "%" => return vec![PieceKind::Percent],
        _ => {}
    }
    let has_digit = core.chars().any(|c| c.is_ascii_digit());
    let has_alpha = core.chars().any(char::is_alphabetic);
    if !has_digit {
        let squashed = core.replace('.', "");
        if squashed == "am" || squashed == "pm" {
            return vec![PieceKind::Word(squashed)];
        }
        return core
            .split('-')
            .map(|p| p.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
            .filter(|p| !p.is_empty())
            .flat_map(|p| match p {
                // "oh oh" run together with an apostrophe: "3 O'oh, 3 6 6"
                "o'oh" | "oh'oh" | "o'o" => vec!["oh", "oh"],
                _ => vec![p],
            })
            .map(|p| PieceKind::Word(p.to_string()))
            .collect();
    }
    if core.contains('%') {
        return vec![PieceKind::NotPhone(NotPhone::Percent)];
    }
    if core.contains(['$', '£', '€']) {
        return vec![PieceKind::NotPhone(NotPhone::Money)];
    }
    if has_alpha {
        return lex_mixed(core);
    }
    match core.strip_prefix('+') {
        Some(rest) => {
            let mut out = vec![PieceKind::Plus];
            out.extend(lex_numeric(rest));
            out
        }
        None => lex_numeric(core),
    }
}

/// A word of digits and separators: "612-555-1234", "(612)555", "3:30".
fn lex_numeric(body: &str) -> Vec<PieceKind> {
    let not = |why| vec![PieceKind::NotPhone(why)];
    if body.ends_with('+') {
        return not(NotPhone::Count); // "10+"
    }
    if body.contains(':') {
        return not(NotPhone::Time);
    }
    if body.contains('/') {
        return not(NotPhone::Date);
    }
    let groups: Vec<&str> = body
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    if is_thousands(body) || is_decimal(body) {
        return not(NotPhone::Count);
    }
    if groups.len() == 2 && groups.iter().all(|g| g.len() == 4 && is_year(g)) {
        return not(NotPhone::Year); // "2015-2019"
    }
    groups
        .into_iter()
        .map(|g| PieceKind::Numeral(g.to_string()))
        .collect()
}

/// "50,000", "1,200": commas before groups of exactly three digits.
fn is_thousands(body: &str) -> bool {
    let mut parts = body.split(',');
    let first = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && (1..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_digit())
        && rest.iter().all(|p| {
            let int = p.split('.').next().unwrap_or("");
            int.len() == 3 && int.chars().all(|c| c.is_ascii_digit())
        })
}

/// "2.5", "3.75": one point with one or two digits after it.
fn is_decimal(body: &str) -> bool {
    match body.split_once('.') {
        Some((a, b)) => {
            !a.is_empty()
                && a.chars().all(|c| c.is_ascii_digit())
                && (1..=2).contains(&b.len())
                && b.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

fn is_year(digits: &str) -> bool {
    digits.len() == 4
        && digits
            .parse::<u32>()
            .is_ok_and(|y| (1900..=2099).contains(&y))
}

/// Digits fused with letters. Only an extension ("x22", "1234x22",
/// "ext.22") is kept; everything else ("3rd", "3pm", "401k", "1990s") is
/// never part of a phone number.
fn lex_mixed(core: &str) -> Vec<PieceKind> {
    for marker in ["extension", "ext.", "ext", "x"] {
        if let Some(pos) = core.rfind(marker) {
            let (before, after) = (&core[..pos], &core[pos + marker.len()..]);
            let digits_after = !after.is_empty() && after.chars().all(|c| c.is_ascii_digit());
            let numeric_before = before.chars().all(|c| !c.is_alphabetic());
            if digits_after && numeric_before {
                let mut out = if before.is_empty() {
                    Vec::new()
                } else {
                    lex_numeric(before)
                };
                out.push(PieceKind::Ext);
                out.push(PieceKind::Numeral(after.to_string()));
                return out;
            }
        }
    }
    let letters: String = core.chars().filter(|c| c.is_alphabetic()).collect();
    let why = match letters.as_str() {
        "st" | "nd" | "rd" | "th" => NotPhone::Date,
        "am" | "pm" => NotPhone::Time,
        _ => NotPhone::Mixed,
    };
    vec![PieceKind::NotPhone(why)]
}

// ---------------------------------------------------------------------------
// Pass 2: pieces to tokens
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum TokKind {
    /// Digits, with how they were said.
    Num {
        digits: String,
        shape: Shape,
    },
    Plus,
    /// "extension", "ext", "x".
    Ext,
    /// "um", "uh": allowed inside a number.
    Filler,
    Currency,
    Percent,
    /// Any other word.
    Word(String),
    NotPhone(NotPhone),
}

#[derive(Debug, Clone)]
struct Tok {
    kind: TokKind,
    /// First and last word the token comes from.
    first: usize,
    last: usize,
    /// Separation from the token before.
    sep: Sep,
}

impl Tok {
    fn is_num(&self) -> bool {
        matches!(self.kind, TokKind::Num { .. })
    }
    fn word(&self) -> Option<&str> {
        match &self.kind {
            TokKind::Word(w) => Some(w),
            _ => None,
        }
    }
    fn num(&self) -> Option<(&str, Shape)> {
        match &self.kind {
            TokKind::Num { digits, shape } => Some((digits, *shape)),
            _ => None,
        }
    }
}

#[rustfmt::skip]
const FILLERS: &[&str] = &[
    "um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "hmm", "mm",
];

/// Reads number words into numbers; other pieces become one token each.
fn tokens(pieces: &[Piece]) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        let p = &pieces[i];
        let (kind, used) = match &p.kind {
            PieceKind::Numeral(d) => (
                TokKind::Num {
                    digits: d.clone(),
                    shape: Shape::Written,
                },
                1,
            ),
            PieceKind::Word(w) => match spoken_number_at(pieces, i) {
                Some(s) => (
                    TokKind::Num {
                        digits: s.digits,
                        shape: s.shape,
                    },
                    s.len,
                ),
                None => (word_kind(w), 1),
            },
            PieceKind::Plus => (TokKind::Plus, 1),
            PieceKind::Ext => (TokKind::Ext, 1),
            PieceKind::Currency => (TokKind::Currency, 1),
            PieceKind::Percent => (TokKind::Percent, 1),
            PieceKind::NotPhone(why) => (TokKind::NotPhone(*why), 1),
        };
        toks.push(Tok {
            kind,
            first: p.word,
            last: pieces[i + used - 1].word,
            sep: p.sep,
        });
        i += used;
    }
    toks
}

fn word_kind(w: &str) -> TokKind {
    match w {
        "plus" => TokKind::Plus,
        "extension" | "ext" | "x" => TokKind::Ext,
        _ if FILLERS.contains(&w) => TokKind::Filler,
        _ => TokKind::Word(w.to_string()),
    }
}

/// The spoken number starting at piece `i`, if one does. Number words are
/// read together only when nothing stronger than a space separates them.
fn spoken_number_at(pieces: &[Piece], i: usize) -> Option<numwords::Spoken> {
    let PieceKind::Word(w) = &pieces[i].kind else {
        return None;
    };
    if !numwords::starts_number(w) || (is_oh(w) && !oh_is_zero(pieces, i)) {
        return None;
    }
    let mut window: Vec<&str> = vec![w];
    for p in pieces.iter().skip(i + 1).take(7) {
        if p.sep > Sep::Plain {
            break;
        }
        match &p.kind {
            PieceKind::Word(w) => window.push(w),
            PieceKind::Numeral(d) if d.len() == 1 => window.push(d),
            _ => break,
        }
    }
    numwords::parse(&window)
}

fn is_oh(w: &str) -> bool {
    w == "oh" || w == "o"
}

/// "oh" is a zero only next to another number with no punctuation between:
/// "six oh two", "two three oh." — but not "Oh, hi" or "1234. Oh, and".
fn oh_is_zero(pieces: &[Piece], i: usize) -> bool {
    let numberish = |p: &Piece| match &p.kind {
        PieceKind::Numeral(_) => true,
        PieceKind::Word(w) => {
            numwords::starts_number(w) || matches!(w.as_str(), "hundred" | "thousand")
        }
        _ => false,
    };
    let before = i > 0 && numberish(&pieces[i - 1]) && pieces[i].sep <= Sep::Plain;
    let after = pieces
        .get(i + 1)
        .is_some_and(|n| numberish(n) && n.sep <= Sep::Plain);
    before || after
}

// ---------------------------------------------------------------------------
// Distractors: numbers that are quantities, not digits
// ---------------------------------------------------------------------------

/// Words that, right after a number, make it a quantity: "seven years",
/// "12 people", "fifteen percent", "50 thousand", "3 pm", "401 k".
#[rustfmt::skip]
const UNIT_WORDS: &[&str] = &[
    "year", "years", "yrs", "month", "months", "week", "weeks", "day", "days", "hour", "hours",
    "hrs", "minute", "minutes", "mins", "second", "seconds", "people", "person", "persons",
    "employees", "staff", "members", "clients", "customers", "students", "patients", "kids",
    "children", "reports", "times", "sites", "locations", "stores", "projects", "countries",
    "languages", "miles", "percent", "per", "dollars", "dollar", "bucks", "cents", "euros",
    "pounds", "grand", "k", "hundred", "thousand", "million", "billion", "am", "pm", "o'clock",
    "oclock", "st", "nd", "rd", "th",
    // ordinals after a tens word: "twenty first", "thirty third"
    "first", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
];

/// Words that, right before a number, make it a count or a place in a
/// list: "over 200", "a team of 25", "suite 400", "age 30".
#[rustfmt::skip]
const COUNT_BEFORE: &[&str] = &[
    "over", "nearly", "almost", "approximately", "roughly", "than", "age", "aged", "suite",
    "apartment", "apt", "unit", "room", "floor", "page", "chapter", "grade", "level",
];
#[rustfmt::skip]
const COUNT_OF: &[&str] = &[
    "team", "group", "staff", "total", "class", "crew", "department",
];

#[rustfmt::skip]
const MONTHS: &[&str] = &[
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",
];

/// Words before a year: "in 2019", "since 1998", "class of 2020", "summer 2019".
#[rustfmt::skip]
const YEAR_BEFORE: &[&str] = &[
    "in", "since", "from", "until", "till", "by", "of", "to", "through", "year", "circa",
    "around", "summer", "spring", "fall", "autumn", "winter", "early", "late", "mid",
];

/// Marks numbers that are not phone digits, so that they break a run instead
/// of joining it. Each rule looks only at the number itself and the word
/// right next to it, so a quantity said right before or after a phone
/// number is taken out without eating into it.
///
/// - a unit word right after: "seven years", "12 people", "fifteen percent",
///   "50 thousand dollars", "3 pm", "401 k", "twenty first"
/// - "$" or "%" written apart: "$ 50", "15 %"
/// - a count word right before: "over 200", "a team of 25", "suite 400"
/// - a month right before (date), and a year after such a date
/// - a year after "in", "since", "from", "of", …: "in 2019", "since
///   nineteen ninety eight", "in two thousand five"
///
/// Whole words like "$50,000", "15%", "3:30", "3rd", "3pm", "401k", "1,200"
/// were already set aside when lexing.
fn mark_not_phone(toks: &mut [Tok]) {
    for i in 0..toks.len() {
        if !toks[i].is_num() {
            continue;
        }
        let why = not_phone_reason(toks, i);
        if let Some(why) = why {
            // A spoken year takes two tokens ("nineteen ninety eight").
            if why == NotPhone::Year {
                if let Some(second) = spoken_year_second(toks, i) {
                    toks[second].kind = TokKind::NotPhone(why);
                }
            }
            toks[i].kind = TokKind::NotPhone(why);
        }
    }
}

fn not_phone_reason(toks: &[Tok], i: usize) -> Option<NotPhone> {
    let (digits, _) = toks[i].num()?;
    let prev = i.checked_sub(1).map(|p| &toks[p]);
    let prev_word = prev
        .filter(|_| toks[i].sep <= Sep::Comma)
        .and_then(Tok::word);
    let next = toks.get(i + 1).filter(|n| n.sep <= Sep::Plain);

    if let Some(next) = next {
        match &next.kind {
            TokKind::Percent => return Some(NotPhone::Percent),
            TokKind::Word(w) if UNIT_WORDS.contains(&w.as_str()) => {
                return Some(match w.as_str() {
                    "percent" | "per" => NotPhone::Percent,
                    "dollars" | "dollar" | "bucks" | "cents" | "euros" | "pounds" | "grand"
                    | "k" | "thousand" | "million" | "billion" => NotPhone::Money,
                    "am" | "pm" | "o'clock" | "oclock" => NotPhone::Time,
                    _ => NotPhone::Count,
                });
            }
            _ => {}
        }
    }
    if prev.is_some_and(|p| p.kind == TokKind::Currency && toks[i].sep <= Sep::Plain) {
        return Some(NotPhone::Money);
    }
    if let Some(w) = prev_word {
        if COUNT_BEFORE.contains(&w) {
            return Some(NotPhone::Count);
        }
        if w == "of"
            && i >= 2
            && toks[i - 2].word().is_some_and(|w2| COUNT_OF.contains(&w2))
            && !is_year(digits)
        {
            return Some(NotPhone::Count);
        }
        if MONTHS.contains(&w) {
            return Some(NotPhone::Date);
        }
        if YEAR_BEFORE.contains(&w) && (is_year(digits) || spoken_year_second(toks, i).is_some()) {
            return Some(NotPhone::Year);
        }
    }
    // "June 3, 2019": a year right after a date.
    if prev.is_some_and(|p| p.kind == TokKind::NotPhone(NotPhone::Date)) && is_year(digits) {
        return Some(NotPhone::Year);
    }
    None
}

/// For a year said in two parts ("nineteen ninety eight", "twenty twenty",
/// "twenty oh five"), the token holding the second part.
fn spoken_year_second(toks: &[Tok], i: usize) -> Option<usize> {
    let (first, shape) = toks[i].num()?;
    if !matches!((first, shape), ("19", Shape::Teen) | ("20", Shape::Tens)) {
        return None;
    }
    let next = toks.get(i + 1).filter(|t| t.sep <= Sep::Plain)?;
    let (_, shape) = next.num()?;
    matches!(shape, Shape::Teen | Shape::Tens | Shape::TensUnit).then_some(i + 1)
}

// ---------------------------------------------------------------------------
// Pass 3: runs of number tokens
// ---------------------------------------------------------------------------

/// Maximal runs of number tokens (a leading "plus" included). Fillers may sit
/// inside a run; any other word or a marked quantity ends it. (Long pauses
/// are cut afterwards, in `split_run`.)
fn runs(toks: &[Tok]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let starts_with_plus =
            toks[i].kind == TokKind::Plus && toks.get(i + 1).is_some_and(Tok::is_num);
        if !toks[i].is_num() && !starts_with_plus {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = if starts_with_plus { i + 2 } else { i + 1 };
        while let Some(next) = next_num(toks, end) {
            end = next + 1;
        }
        out.push(start..end);
        i = end;
    }
    out
}

/// The number token that continues a run ending before `end`, skipping up to
/// two fillers.
fn next_num(toks: &[Tok], end: usize) -> Option<usize> {
    let mut k = end;
    while k < toks.len() && k < end + 2 && toks[k].kind == TokKind::Filler {
        k += 1;
    }
    toks.get(k).filter(|t| t.is_num()).map(|_| k)
}

/// The pause between two tokens, in seconds.
fn pause_between(words: &[Word], a: &Tok, b: &Tok) -> f64 {
    if a.last == b.first {
        0.0
    } else {
        words[b.first].start_s - words[a.last].end_s
    }
}

/// Splits runs at pauses longer than [`HARD_PAUSE_S`], then splits a run
/// that is not one complete number where it reads best as several.
///
/// A complete number has 10 digits, 11 with a leading 1, 7, or 8 to 15
/// after "plus". Any other run is cut between words into complete numbers,
/// preferring cuts at a sentence end or a pause, then at a comma:
/// "612-555-1234. 612-555-1234" is two numbers, and so is "555-1234,
/// 612-555-1234". If no such cut works, a stray group at either end may be
/// left out when a comma, full stop or pause sets it apart ("Minneapolis
/// 55401, 612-555-1234"). Otherwise the run is kept whole: a broken or
/// wrong number that the analysis should flag ("612-555-12", "612-555-12345").
fn split_run(toks: &[Tok], words: &[Word], run: Range<usize>) -> Vec<Range<usize>> {
    // First at long pauses.
    let mut parts = Vec::new();
    let mut start = run.start;
    let mut prev: Option<usize> = None;
    for k in run.clone() {
        if !toks[k].is_num() {
            continue;
        }
        if let Some(p) = prev {
            if pause_between(words, &toks[p], &toks[k]) > HARD_PAUSE_S {
                parts.push(start..p + 1);
                start = k;
            }
        }
        prev = Some(k);
    }
    parts.push(start..run.end);
    parts
        .into_iter()
        .flat_map(|p| split_long(toks, words, p))
        .collect()
}

fn split_long(toks: &[Tok], words: &[Word], run: Range<usize>) -> Vec<Range<usize>> {
    let nums: Vec<usize> = run.clone().filter(|&k| toks[k].is_num()).collect();
    let splitter = Splitter {
        toks,
        words,
        nums: &nums,
        plus: toks[run.start].kind == TokKind::Plus,
    };
    if splitter.piece_cost(0..nums.len()).is_some() {
        return vec![run];
    }
    let parts = splitter.best(false).or_else(|| splitter.best(true));
    match parts {
        Some(parts) => parts
            .into_iter()
            .filter(|p| p.kept)
            .map(|p| {
                let first = if p.nums.start == 0 {
                    run.start
                } else {
                    nums[p.nums.start]
                };
                first..nums[p.nums.end - 1] + 1
            })
            .collect(),
        None => vec![run],
    }
}

/// One piece of a split run: a range of the run's number tokens, and
/// whether it is kept as a number or left out as a stray group.
#[derive(Debug, Clone)]
struct Part {
    nums: Range<usize>,
    kept: bool,
}

/// Finds the best way to cut a run (its number tokens `nums`) into numbers.
struct Splitter<'a> {
    toks: &'a [Tok],
    words: &'a [Word],
    nums: &'a [usize],
    /// The run starts with "plus".
    plus: bool,
}

impl Splitter<'_> {
    fn digits(&self, r: Range<usize>) -> String {
        self.nums[r]
            .iter()
            .filter_map(|&k| self.toks[k].num().map(|d| d.0))
            .collect()
    }

    /// The cost of these tokens as one complete number, or `None` if they
    /// are not one: 10 digits, 11 with a leading 1 (not cut off by a full
    /// stop: "No one. 612-…"), 8 to 15 after "plus" cost 0; 7 digits cost 1.
    fn piece_cost(&self, r: Range<usize>) -> Option<u32> {
        let digits = self.digits(r.clone());
        if self.plus && r.start == 0 {
            let fits = if digits.starts_with('1') {
                digits.len() == 11
            } else {
                (8..=MAX_DIGITS).contains(&digits.len())
            };
            return fits.then_some(0);
        }
        let lone_one_cut_off = self.digits(r.start..r.start + 1) == "1"
            && r.len() > 1
            && self.sep_before(r.start + 1) == Sep::Sentence;
        match digits.len() {
            10 => Some(0),
            11 if digits.starts_with('1') && !lone_one_cut_off => Some(0),
            7 => Some(1),
            _ => None,
        }
    }

    /// The strongest separation between number token `j - 1` and `j`.
    fn sep_before(&self, j: usize) -> Sep {
        self.toks[self.nums[j - 1] + 1..=self.nums[j]]
            .iter()
            .map(|t| t.sep)
            .max()
            .unwrap_or(Sep::Plain)
    }

    /// The cost of cutting before number token `j`: 0 at a sentence end or a
    /// pause, 1 at a comma, 2 at a space; `None` inside a word.
    fn cut_cost(&self, j: usize) -> Option<u32> {
        let (a, b) = (&self.toks[self.nums[j - 1]], &self.toks[self.nums[j]]);
        if a.last == b.first {
            return None;
        }
        let sep = self.sep_before(j);
        Some(
            if sep == Sep::Sentence || pause_between(self.words, a, b) >= SOFT_PAUSE_S {
                0
            } else if sep == Sep::Comma {
                1
            } else {
                2
            },
        )
    }

    /// Whether a stray group can be cut off before number token `j`: a
    /// comma, full stop or pause sets it apart, or a change between digits
    /// and words ("612-555-1234 one more time").
    fn sets_apart(&self, j: usize) -> bool {
        let written = |k: usize| {
            self.toks[self.nums[k]]
                .num()
                .is_some_and(|(_, s)| s == Shape::Written)
        };
        self.cut_cost(j)
            .is_some_and(|c| c <= 1 || written(j - 1) != written(j))
    }

    /// The cheapest cutting into complete numbers. With `strays`, a group at
    /// either end may be left out if it is set apart (see [`Self::sets_apart`]).
    fn best(&self, strays: bool) -> Option<Vec<Part>> {
        let n = self.nums.len();
        // best[i]: the cheapest cutting of nums[..i].
        let mut best: Vec<Option<(u32, Vec<Part>)>> = vec![None; n + 1];
        best[0] = Some((0, Vec::new()));
        for i in 1..=n {
            for j in 0..i {
                let Some((base, parts)) = &best[j] else {
                    continue;
                };
                let cut = match j {
                    0 => 0,
                    _ => match self.cut_cost(j) {
                        Some(c) => c,
                        None => continue,
                    },
                };
                let (cost, kept) = match self.piece_cost(j..i) {
                    Some(c) => (c, true),
                    None if strays && j == 0 && i < n && self.sets_apart(i) => (5, false),
                    None if strays && i == n && j > 0 && self.sets_apart(j) => (5, false),
                    None => continue,
                };
                let total = base + cut + cost;
                if best[i].as_ref().is_none_or(|(b, _)| total < *b) {
                    let mut parts = parts.clone();
                    parts.push(Part { nums: j..i, kept });
                    best[i] = Some((total, parts));
                }
            }
        }
        best[n]
            .take()
            .map(|(_, parts)| parts)
            .filter(|parts| parts.iter().any(|p| p.kept))
    }
}

fn digits_in(toks: &[Tok]) -> String {
    toks.iter().filter_map(|t| t.num().map(|d| d.0)).collect()
}

/// The extension said right after a run ending before `end`: "extension 22",
/// "ext. 22", "x22", "and extension two two", "extension is 22". Returns its
/// digits and the token range it covers.
fn extension_after(toks: &[Tok], end: usize) -> Option<(String, Range<usize>)> {
    let mut k = end;
    if toks.get(k).and_then(Tok::word) == Some("and") {
        k += 1;
    }
    if toks.get(k)?.kind != TokKind::Ext {
        return None;
    }
    k += 1;
    if matches!(toks.get(k).and_then(Tok::word), Some("is" | "number")) {
        k += 1;
    }
    let start = k;
    let mut digits = String::new();
    while let Some(t) = toks.get(k) {
        let Some((d, _)) = t.num() else { break };
        if (k > start && t.sep >= Sep::Comma) || digits.len() + d.len() > MAX_EXTENSION_DIGITS {
            break;
        }
        digits.push_str(d);
        k += 1;
    }
    (!digits.is_empty()).then_some((digits, end..k))
}

// ---------------------------------------------------------------------------
// Pass 4: cues for short runs
// ---------------------------------------------------------------------------

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
fn has_number_cue(toks: &[Tok], run: Range<usize>) -> bool {
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
fn is_reference_number(toks: &[Tok], run: Range<usize>) -> bool {
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

// ---------------------------------------------------------------------------
// Comparing and formatting
// ---------------------------------------------------------------------------

/// The digits of `s`, nothing else: "503-555-0187" as "5035550187".
pub(crate) fn only_digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The expected number split into country code and named national groups.
struct Layout {
    country_code: String,
    national: String,
    groups: Vec<(&'static str, Range<usize>)>,
}

impl Layout {
    fn of(expected: &str) -> Layout {
        let digits = only_digits(expected);
        let trimmed = expected.trim_start();
        let cc = if let Some(rest) = trimmed.strip_prefix('+') {
            let first_group: String = rest
                .trim_start()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if (1..=3).contains(&first_group.len()) && first_group.len() < digits.len() {
                first_group
            } else {
                digits[..country_code_len(&digits).min(digits.len())].to_string()
            }
        } else if digits.len() == 11 && digits.starts_with('1') {
            "1".to_string()
        } else {
            String::new()
        };
        let national = digits[cc.len()..].to_string();
        let groups = match (cc.as_str(), national.len()) {
            ("" | "1", 10) => vec![("area code", 0..3), ("exchange", 3..6), ("line", 6..10)],
            ("" | "1", 7) => vec![("exchange", 0..3), ("line", 3..7)],
            (_, n) => vec![("national number", 0..n)],
        };
        Layout {
            country_code: cc,
            national,
            groups,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Changed,
    /// An expected digit not said.
    Missing,
    /// A said digit not expected (placed at the expected digit before it).
    Extra,
}

/// Edit-distance alignment of `said` against `expected`: for each step, the
/// position in `expected` it concerns and what happened there.
fn align(said: &str, expected: &str) -> Vec<(usize, Op)> {
    let (s, e) = (said.as_bytes(), expected.as_bytes());
    let (n, m) = (s.len(), e.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=m).collect();
    for i in 1..=n {
        for j in 1..=m {
            let sub = d[i - 1][j - 1] + usize::from(s[i - 1] != e[j - 1]);
            d[i][j] = sub.min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
        }
    }
    let mut ops = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        if i > 0 && j > 0 && s[i - 1] == e[j - 1] && d[i][j] == d[i - 1][j - 1] {
            ops.push((j - 1, Op::Same));
            (i, j) = (i - 1, j - 1);
        } else if i > 0 && j > 0 && d[i][j] == d[i - 1][j - 1] + 1 {
            ops.push((j - 1, Op::Changed));
            (i, j) = (i - 1, j - 1);
        } else if j > 0 && d[i][j] == d[i][j - 1] + 1 {
            ops.push((j - 1, Op::Missing));
            j -= 1;
        } else {
            // A said digit with no expected one: it belongs with the expected
            // digit before it (the group that ran long), or the first one.
            ops.push((j.saturating_sub(1), Op::Extra));
            i -= 1;
        }
    }
    ops.reverse();
    ops
}

fn edits(said: &str, expected: &str) -> usize {
    align(said, expected)
        .iter()
        .filter(|(_, op)| *op != Op::Same)
        .count()
}

/// Digits of the ITU country code at the start of an international number.
fn country_code_len(d: &str) -> usize {
    let two: u32 = d.get(..2).and_then(|p| p.parse().ok()).unwrap_or(0);
    match d.as_bytes().first() {
        Some(b'1') | Some(b'7') => 1,
        Some(b'2') if matches!(two, 20 | 27) => 2,
        Some(b'3') if matches!(two, 30..=34 | 36 | 39) => 2,
        Some(b'4') if two != 42 => 2,
        Some(b'5') if (51..=58).contains(&two) => 2,
        Some(b'6') if (60..=66).contains(&two) => 2,
        Some(b'8') if matches!(two, 81 | 82 | 84 | 86) => 2,
        Some(b'9') if matches!(two, 90..=95 | 98) => 2,
        _ => 3,
    }
    .min(d.len())
}

/// "2079460958" → "20 7946 0958": groups of four from the right.
fn group_from_right(d: &str) -> String {
    let mut groups = Vec::new();
    let mut end = d.len();
    while end > 4 {
        groups.push(&d[end - 4..end]);
        end -= 4;
    }
    groups.push(&d[..end]);
    groups.reverse();
    groups.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(text: &str, again: Option<&str>) -> PhoneNumber {
        let mut found = find_phone_numbers(&words(text));
        assert_eq!(found.len(), 1, "{text}");
        let rehearings: Vec<Rehearing> = again
            .map(|t| Rehearing {
                start_s: found[0].start_s,
                end_s: found[0].end_s,
                text: t.to_string(),
                count: None,
            })
            .into_iter()
            .collect();
        judge(&mut found, &rehearings, &[], &[]);
        found.remove(0)
    }

    #[test]
    fn a_number_heard_the_same_twice_is_certain() {
        let n = judged(
            "my number is 612-555-0147 thanks",
            Some("My number is 6 1 2, 5 5 5, 0 1 4 7."),
        );
        assert!(!n.uncertain);
        assert_eq!((n.doubt, n.alternatives.len()), (None, 0));
        assert!(
            (n.confidence - 0.9).abs() < 1e-9,
            "the mean of its words' confidence"
        );
    }

    #[test]
    fn a_digit_count_no_number_has_is_uncertain() {
        let n = judged("my number is 503 550 198 thanks", None);
        assert!(n.uncertain);
        assert_eq!(n.doubt.as_deref(), Some("one digit may be missing"));
        let n = judged("call me at 503 55 198 thanks", None);
        assert_eq!(n.doubt.as_deref(), Some("two digits may be missing"));
    }

    #[test]
    fn a_country_code_said_with_plus_makes_a_long_count_whole() {
        for said in [
            "plus 44 20 7946 0958",
            "+44 20 7946 0958",
            "plus 1 612 555 0147",
        ] {
            let n = judged(&format!("call me on {said} thanks"), None);
            assert!(!n.uncertain, "{said}: {:?}", n.doubt);
        }
        let n = judged("call me on 44 20 7946 0958 thanks", None);
        assert_eq!(n.doubt.as_deref(), Some("too many digits"));
        let n = judged("call me on plus 44 20 7946 0958 1234 5 thanks", None);
        assert_eq!(n.doubt.as_deref(), Some("too many digits"));
    }

    #[test]
    fn a_second_hearing_with_other_digits_makes_it_uncertain_with_the_alternative() {
        let n = judged(
            "my number is 773-555-4190 thanks",
            Some("is 7 7 3, 5 5 5, 0 1 9 0. I"),
        );
        assert!(n.uncertain);
        assert_eq!(n.alternatives, vec!["7735550190".to_string()]);
        assert_eq!(
            n.doubt.as_deref(),
            Some("a second listen heard 773-555-0190")
        );
    }

    #[test]
    fn a_second_hearing_of_fewer_of_the_same_digits_is_no_contradiction() {
        let n = judged(
            "my number is 742-555-0349 thanks",
            Some("2, 5 5 5, 0 3 4 9."),
        );
        assert!(!n.uncertain, "{:?}", n.doubt);
    }

    #[test]
    fn a_second_hearing_without_a_number_is_no_evidence() {
        let n = judged("my number is 773-555-4190 thanks", Some("thank you"));
        assert!(!n.uncertain);
    }

    #[test]
    fn digit_counts_no_number_has() {
        assert_eq!(
            count_doubt("90044326905").as_deref(),
            Some("one digit too many")
        );
        assert_eq!(
            count_doubt("775999229244").as_deref(),
            Some("too many digits")
        );
        for fine in ["16125550147", "6125550147", "5550147"] {
            assert_eq!(count_doubt(fine), None, "{fine}");
        }
    }

    #[test]
    fn a_full_length_second_hearing_replaces_a_first_hearing_of_the_wrong_length() {
        let n = judged(
            "my number is 350 554 477 thanks",
            Some("is 3 0 0, 5 5 5, 4 4 7 7. Thanks"),
        );
        assert_eq!(n.digits, "3005554477");
        assert_eq!(n.alternatives, vec!["350554477".to_string()]);
        assert!(n.uncertain);
        assert!(
            n.doubt
                .as_deref()
                .unwrap()
                .starts_with("the first listen heard 350"),
            "{:?}",
            n.doubt
        );
        // A second hearing of the wrong length too is only an alternative.
        let n = judged(
            "my number is 350 554 477 thanks",
            Some("is 3 0 5, 5 5 4, 4 7 7 7 7. Thanks"),
        );
        assert_eq!(n.digits, "350554477");
    }

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
        // Two edits at most; the count as it is needs none.
        assert!(edits_to("65555501", 10, 2).contains(&"6555555001".to_string()));
        assert!(edits_to("6555501", 10, 2).is_empty());
        assert_eq!(
            edits_to("6125550147", 10, 2),
            vec!["6125550147".to_string()]
        );
    }

    fn recounted(text: &str, again: &str) -> Option<Recount> {
        let w = words(text);
        let found = find_phone_numbers(&w);
        assert_eq!(found.len(), 1, "{text}");
        recount(&found[0], again, &w)
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
    fn a_reading_is_only_taken_by_the_number_it_was_made_for() {
        // Two numbers; the second's reading starts inside the first.
        let w = words("612 555 0147. Or 5 5 <pause:1.0> 508 6228");
        let mut found = find_phone_numbers(&w);
        assert_eq!(found.len(), 2);
        let reading = Rehearing {
            start_s: found[0].start_s + 0.1,
            end_s: found[1].end_s,
            text: "5 5 5, 5 0 8, 6 2 2 8".into(),
            count: Some(RECOUNT_DIGITS),
        };
        judge(&mut found, std::slice::from_ref(&reading), &w, &[]);
        assert_eq!(found[0].digits, "6125550147");
        assert!(!found[0].uncertain);
        assert_eq!(found[1].digits, "5555086228");
        // Words that do not cover the number (a script, a test): no panic.
        let mut alone = find_phone_numbers(&w);
        judge(&mut alone[1..], &[reading], &[], &[]);
        assert_eq!(alone[1].digits, "5555086228");
    }

    #[test]
    fn an_area_code_heard_in_the_words_before_a_seven_digit_number_is_taken() {
        let w = words("oh here you go 9 0 1 1 0 0 5 thanks");
        let hearing = |start_s: f64, text: &str| Rehearing {
            start_s,
            end_s: 0.0,
            text: text.into(),
            count: None,
        };
        let judged = |extra: &str| {
            let mut found = find_phone_numbers(&w);
            assert_eq!(found[0].digits, "9011005");
            let end_s = found[0].end_s;
            let rehearings = [
                Rehearing {
                    end_s,
                    ..hearing(found[0].start_s, "9 0 1 1 0 0 5.")
                },
                Rehearing {
                    end_s,
                    ..hearing(0.0, extra)
                },
            ];
            judge(&mut found, &rehearings, &w, &[]);
            found.remove(0)
        };
        let n = judged("4, 0, 0, 9, 0, 1, 1, 0, 0, 5.");
        assert_eq!(n.digits, "4009011005");
        assert!(n.uncertain);
        assert_eq!(n.alternatives, vec!["9011005".to_string()]);
        assert_eq!(n.doubt.as_deref(), Some("the first listen heard 901-1005"));
        assert_eq!((n.start_s, n.word_range.start), (0.0, 0), "{}", n.text);
        // Ten digits that are not these seven with three before them, or
        // three digits too few to be an area code: the number stays.
        for other in [
            "4 0 0 9 0 1 1 0 0 6",
            "4 0 9 0 1 1 0 0 5",
            "here you go 9 0 1 1 0 0 5",
        ] {
            let n = judged(other);
            assert_eq!(n.digits, "9011005", "{other}");
            assert!(!n.uncertain, "{other}");
        }
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

    #[test]
    fn a_recounted_reading_replaces_the_first_hearing_and_stays_uncertain() {
        let w = words("5 5 <pause:1.0> 508 6228 thanks");
        let mut found = find_phone_numbers(&w);
        let r = recount(&found[0], "5 0 8 6 2 2 8", &w).unwrap();
        let rehearings = [
            Rehearing {
                start_s: found[0].start_s,
                end_s: found[0].end_s,
                text: "5 0 8 6 2 2 8".into(),
                count: None,
            },
            Rehearing {
                start_s: r.from_s,
                end_s: found[0].end_s,
                text: "5 5 5, 5 0 8, 6 2 2 8".into(),
                count: Some(RECOUNT_DIGITS),
            },
        ];
        judge(&mut found, &rehearings, &w, &[]);
        let n = &found[0];
        assert_eq!(n.digits, "5555086228");
        assert_eq!(n.alternatives, vec!["5086228".to_string()]);
        assert!(n.uncertain);
        assert_eq!(n.doubt.as_deref(), Some("the first listen heard 508-6228"));
        // The split-off words are the number's now.
        assert_eq!(n.text, "5 5 508 6228");
        assert_eq!(n.word_range, 0..4);
        assert_eq!(n.start_s, 0.0);
    }

    #[test]
    fn a_digit_said_right_before_a_number_makes_it_uncertain() {
        for text in [
            "5 5 <pause:1.0> 508 6228 thanks",
            "oh, 999 0666",
            "it's 7 0 <pause:1.0> 405 0159",
        ] {
            let n = judged_with_voice(text, &[]);
            assert_eq!(n.digits.len(), 7, "{text}");
            assert_eq!(
                n.doubt.as_deref(),
                Some("digits said right before it may belong to it"),
                "{text}"
            );
        }
        // A word, or a digit long before it, is no such sign.
        for text in ["call me at 555 0159", "I was number 1 <pause:2> 555 0159"] {
            assert!(!judged_with_voice(text, &[]).uncertain, "{text}");
        }
    }

    fn judged_with_voice(text: &str, voiced: &[(f64, f64)]) -> PhoneNumber {
        let words = words(text);
        let mut found = find_phone_numbers(&words);
        assert_eq!(found.len(), 1, "{text}");
        judge(&mut found, &[], &words, voiced);
        found.remove(0)
    }

    #[test]
    fn voice_before_a_number_that_no_word_covers_makes_it_uncertain() {
        // A group said in the pause before "405" was not written down.
        let text = "my number is <pause:1.5> 405 0159 thanks";
        let n = judged_with_voice(text, &[(0.0, 0.9), (1.0, 2.0), (2.4, 3.3)]);
        assert_eq!(n.digits, "4050159");
        assert!(n.uncertain);
        assert_eq!(
            n.doubt.as_deref(),
            Some("speech right before it was not written down")
        );
        // The same words with silence in the pause.
        let n = judged_with_voice(text, &[(0.0, 0.9), (2.4, 3.3)]);
        assert!(!n.uncertain, "{:?}", n.doubt);
    }

    #[test]
    fn a_seven_digit_number_written_in_odd_groups_is_uncertain() {
        // FSDD nicolas: "4 7 9 6 2 2 4 9 0 8", written with "6 2" lost.
        let n = judged_with_voice("All 7 9, 2, 4 9, 0 8.", &[]);
        assert_eq!(n.digits, "7924908");
        assert!(n.uncertain);
        assert_eq!(
            n.doubt.as_deref(),
            Some("its digits came in odd groups; some may be missing")
        );
        // A local number in its two groups, or in one, is not.
        for text in [
            "call me at 5 5 5, 0 1 6 3. Thanks",
            "call me at five five five, oh one six three. Thanks",
            "call me at 555-0163. Thanks",
            "call me at 5 5 5 0 1 6 3. Thanks",
        ] {
            let n = judged_with_voice(text, &[]);
            assert_eq!(n.digits, "5550163", "{text}");
            assert!(!n.uncertain, "{text}: {:?}", n.doubt);
        }
        // Ten digits in many groups are a full number said slowly.
        let n = judged_with_voice("it's 6 1, 2 5, 5 5, 0 1, 4 7. Thanks", &[]);
        assert!(!n.uncertain, "{:?}", n.doubt);
    }

    /// Words from a string, 0.3 s each, back to back. A token `<pause:N>`
    /// adds N seconds of silence before the next word.
    fn words(text: &str) -> Vec<Word> {
        let mut out = Vec::new();
        let mut t = 0.0;
        for token in text.split_whitespace() {
            if let Some(secs) = token
                .strip_prefix("<pause:")
                .and_then(|r| r.strip_suffix('>'))
            {
                t += secs.parse::<f64>().unwrap();
                continue;
            }
            out.push(Word {
                text: token.to_string(),
                start_s: t,
                end_s: t + 0.3,
                confidence: 0.9,
            });
            t += 0.3;
        }
        out
    }

    fn found(text: &str) -> Vec<PhoneNumber> {
        find_phone_numbers(&words(text))
    }

    /// The digits of every number found.
    fn digits(text: &str) -> Vec<String> {
        found(text).into_iter().map(|p| p.digits).collect()
    }

    fn one(text: &str) -> PhoneNumber {
        let mut all = found(text);
        assert_eq!(all.len(), 1, "expected one number in {text:?}, got {all:?}");
        all.remove(0)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    // --- written forms -----------------------------------------------------

    #[test]
    fn hyphenated_number_is_found_with_its_trailing_period_dropped() {
        let p = one("You can reach me at 612-555-1234. Thanks!");
        assert_eq!(p.digits, "6125551234");
        assert_eq!(p.text, "612-555-1234.");
        assert_eq!(p.word_range, 5..6);
    }

    #[test]
    fn area_code_in_parentheses_is_read() {
        assert_eq!(digits("call me at (612) 555-1234 anytime"), ["6125551234"]);
        assert_eq!(digits("call me at (612)555-1234"), ["6125551234"]);
    }

    #[test]
    fn dotted_number_is_read() {
        assert_eq!(digits("my number is 612.555.1234."), ["6125551234"]);
    }

    #[test]
    fn unbroken_digits_are_read() {
        assert_eq!(digits("it's 6125551234"), ["6125551234"]);
    }

    #[test]
    fn space_separated_groups_join() {
        assert_eq!(digits("it's 612 555 1234 thanks"), ["6125551234"]);
    }

    #[test]
    fn comma_separated_groups_join() {
        let p = one("that's 612, 555, 1234, again thanks");
        assert_eq!(p.digits, "6125551234");
        assert_eq!(p.text, "612, 555, 1234,");
    }

    #[test]
    fn oddly_grouped_digits_just_concatenate() {
        assert_eq!(digits("number is 555-12-34"), ["5551234"]);
        assert_eq!(digits("number is 55 51 234"), ["5551234"]);
        assert_eq!(digits("it's 6 12-5 551 23 4."), ["6125551234"]);
    }

    #[test]
    fn hyphens_written_as_separate_words_do_not_break_a_number() {
        assert_eq!(digits("it's 612 - 555 - 1234"), ["6125551234"]);
    }

    // --- spoken forms ------------------------------------------------------

    #[test]
    fn digit_words_make_a_number() {
        let p = one("it's six one two five five five one two three four thanks");
        assert_eq!(p.digits, "6125551234");
        assert_eq!(p.word_range, 1..11);
    }

    #[test]
    fn capitalised_digit_words_with_commas_are_read() {
        assert_eq!(
            digits("Six, one, two. Five, five, five. One, two, three, four."),
            ["6125551234"]
        );
    }

    #[test]
    fn hyphenated_digit_words_are_read() {
        assert_eq!(
            digits("it's six-one-two, five-five-five, one-two-three-four"),
            ["6125551234"]
        );
    }

    #[test]
    fn written_and_spoken_digits_mix() {
        assert_eq!(
            digits("it's 6 1 2, 555, one two three four"),
            ["6125551234"]
        );
    }

    #[test]
    fn oh_o_and_zero_are_zero_inside_a_number() {
        assert_eq!(
            digits("it's six oh two five five five one oh three zero"),
            ["6025551030"]
        );
        assert_eq!(digits("it's 6 o 2 555 1234"), ["6025551234"]);
    }

    #[test]
    fn oh_oh_written_as_one_word_is_two_zeros() {
        assert_eq!(
            digits("My cell is 3 O'oh, 3 6 6 4 8 O'oh. Have a great day."),
            ["3003664800"]
        );
        assert_eq!(digits("Oh'oh, 4 O'oh 5 5 5 1 2 3 4"), ["4005551234"]);
    }

    #[test]
    fn oh_as_an_interjection_is_not_a_digit() {
        assert_eq!(
            digits("Oh, hi! It's 612-555-1234. Oh, and thanks"),
            ["6125551234"]
        );
    }

    #[test]
    fn double_five_expands_to_two_digits() {
        assert_eq!(
            digits("it's six one two five double five one two three four"),
            ["6125551234"]
        );
    }

    #[test]
    fn triple_five_expands_to_three_digits() {
        assert_eq!(
            digits("it's six one two triple five one two three four"),
            ["6125551234"]
        );
    }

    #[test]
    fn pairs_like_sixty_six_seventy_seven_are_read() {
        assert_eq!(
            digits("it's six one two five five five sixty six seventy seven"),
            ["6125556677"]
        );
    }

    #[test]
    fn five_hundred_fifty_five_is_three_digits() {
        assert_eq!(
            digits("it's six one two five hundred fifty five one two three four"),
            ["6125551234"]
        );
    }

    #[test]
    fn twelve_hundred_is_four_digits() {
        assert_eq!(digits("it's 612 555 twelve hundred"), ["6125551200"]);
        assert_eq!(digits("it's 612 555 twelve thirty four"), ["6125551234"]);
    }

    #[test]
    fn fillers_inside_a_number_are_skipped() {
        let p = one("it's six one two, um, five five five, one two three four");
        assert_eq!(p.digits, "6125551234");
        assert!(p.text.contains("um,"));
    }

    // --- prefixes, country codes, extensions --------------------------------

    #[test]
    fn area_code_cue_is_not_part_of_the_number() {
        let p = one("area code 612 555 1234");
        assert_eq!(p.digits, "6125551234");
        assert_eq!(p.word_range, 2..5);
    }

    #[test]
    fn leading_one_is_kept_as_country_code() {
        assert_eq!(digits("call 1-612-555-1234"), ["16125551234"]);
        assert_eq!(
            digits("call one six one two five five five one two three four"),
            ["16125551234"]
        );
    }

    #[test]
    fn plus_one_is_kept_and_starts_the_span() {
        let p = one("it's plus one 612 555 1234");
        assert_eq!(p.digits, "16125551234");
        assert_eq!(p.word_range, 1..6);
        assert_eq!(digits("it's +1 612-555-1234"), ["16125551234"]);
        assert_eq!(digits("it's +1-612-555-1234"), ["16125551234"]);
    }

    #[test]
    fn international_number_with_country_code_is_one_number() {
        assert_eq!(
            digits("reach me on +44 20 7946 0958 please"),
            ["442079460958"]
        );
        assert_eq!(digits("reach me on plus 44 20 7946 0958"), ["442079460958"]);
    }

    #[test]
    fn extension_is_kept_apart() {
        let p = one("call 612-555-1234 extension 22 thanks");
        assert_eq!(p.digits, "6125551234");
        assert_eq!(p.extension.as_deref(), Some("22"));
        assert_eq!(p.word_range, 1..2);
    }

    #[test]
    fn extension_written_short_or_fused_is_kept_apart() {
        for text in [
            "call 612-555-1234, ext. 22",
            "call 612-555-1234 x22",
            "call 612-555-1234x22",
            "call 612-555-1234 x 22",
            "call 612-555-1234 and extension twenty two",
        ] {
            let p = one(text);
            assert_eq!(p.digits, "6125551234", "{text}");
            assert_eq!(p.extension.as_deref(), Some("22"), "{text}");
        }
    }

    #[test]
    fn number_without_extension_has_none() {
        assert_eq!(one("call 612-555-1234").extension, None);
    }

    // --- lengths and cues ---------------------------------------------------

    #[test]
    fn seven_digit_number_needs_no_cue() {
        assert_eq!(digits("try 555-1234 after five"), ["5551234"]);
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
    fn runs_under_four_digits_are_never_numbers() {
        assert!(digits("my number is 612").is_empty());
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

    #[test]
    fn long_pause_between_groups_ends_a_number() {
        let all = found("it's 612 555 1234 <pause:3> 555 9876 thanks");
        assert_eq!(
            all.iter().map(|p| p.digits.as_str()).collect::<Vec<_>>(),
            ["6125551234", "5559876"]
        );
    }

    #[test]
    fn short_pause_inside_a_number_does_not_split_it() {
        assert_eq!(
            digits("it's 612 <pause:1.5> 555 <pause:2> 1234"),
            ["6125551234"]
        );
    }

    // --- two numbers --------------------------------------------------------

    #[test]
    fn number_at_start_and_end_are_two_entries() {
        let all =
            found("Hi, 612-555-1234, this is Ana about the role, again 612-555-1234. Thanks.");
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].word_range, 1..2);
        assert_eq!(all[1].word_range, 9..10);
    }

    #[test]
    fn number_repeated_back_to_back_is_split_in_two() {
        assert_eq!(
            digits("it's 612-555-1234. 612-555-1234."),
            ["6125551234", "6125551234"]
        );
        assert_eq!(
            digits("six one two five five five one two three four six one two five five five one two three four"),
            ["6125551234", "6125551234"]
        );
        assert_eq!(
            digits("it's 555-1234, 612-555-1234"),
            ["5551234", "6125551234"]
        );
    }

    #[test]
    fn plus_one_number_repeated_is_split_in_two() {
        assert_eq!(
            digits("+1 612 555 1234, 612 555 1234"),
            ["16125551234", "6125551234"]
        );
    }

    #[test]
    fn stray_group_before_a_full_number_is_left_out() {
        assert_eq!(digits("Suite 200, 612-555-1234"), ["6125551234"]);
        assert_eq!(digits("Minneapolis 55401, 612-555-1234"), ["6125551234"]);
    }

    #[test]
    fn overlong_run_that_does_not_split_cleanly_is_kept_whole() {
        assert_eq!(digits("it's 6112-555-12345"), ["611255512345"]);
    }

    // --- distractors --------------------------------------------------------

    #[test]
    fn years_are_not_numbers() {
        assert!(digits("I graduated in 2019 and have worked since 1998").is_empty());
        assert!(digits("since nineteen ninety eight").is_empty());
        assert!(digits("from 2015-2019 I led sales").is_empty());
    }

    #[test]
    fn year_right_before_a_number_does_not_join_it() {
        assert_eq!(digits("since 2019 612-555-1234"), ["6125551234"]);
        assert_eq!(
            digits("in twenty nineteen six one two five five five one two three four"),
            ["6125551234"]
        );
        let p = one("in two thousand nineteen 612 555 1234");
        assert_eq!(p.word_range, 4..7);
    }

    #[test]
    fn percentages_are_not_numbers() {
        assert!(digits("sales grew 15% and then fifteen percent and 40 per cent").is_empty());
        assert_eq!(digits("up 15 % 612-555-1234"), ["6125551234"]);
    }

    #[test]
    fn money_is_not_a_number() {
        assert!(digits("a budget of $50,000 and $1,200 or 50 thousand dollars").is_empty());
        assert!(digits("fifty thousand dollars a year").is_empty());
        assert_eq!(digits("saved $1,200 612 555 1234"), ["6125551234"]);
        assert_eq!(digits("saved $ 1200 612 555 1234"), ["6125551234"]);
    }

    #[test]
    fn times_of_day_are_not_numbers() {
        assert!(digits("call me at 3:30 or 3 pm or at two thirty or 10 a.m. or 9am").is_empty());
        assert!(digits("call me at ten thirty").is_empty());
        assert_eq!(digits("after 3:30 612-555-1234"), ["6125551234"]);
    }

    #[test]
    fn counts_of_years_and_people_are_not_numbers() {
        assert!(digits("seven years, 12 people, a team of 25, over 200 clients").is_empty());
    }

    #[test]
    fn count_right_after_a_number_does_not_join_it() {
        assert_eq!(digits("it's 612-555-1234 seven years ago"), ["6125551234"]);
        assert_eq!(
            digits("it's six one two five five five one two three four seven years ago"),
            ["6125551234"]
        );
    }

    #[test]
    fn dates_and_ordinals_are_not_numbers() {
        assert!(digits("on June 3rd, the 15th, June 3, 2019, or twenty first").is_empty());
        assert_eq!(digits("June 3rd 612-555-1234"), ["6125551234"]);
        assert_eq!(digits("by June 3 612-555-1234"), ["6125551234"]);
    }

    #[test]
    fn retirement_plan_is_not_a_number() {
        assert!(digits("a 401k and a 401(k) and a 401 k").is_empty());
    }

    #[test]
    fn decimals_and_thousands_are_not_numbers() {
        assert!(digits("2.5 years, 1,500,000 users, 10+ years").is_empty());
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

    #[test]
    fn stray_digit_set_apart_by_a_full_stop_is_left_out() {
        assert_eq!(digits("I have 2. 612-555-1234"), ["6125551234"]);
        assert_eq!(digits("No one. 612-555-1234"), ["6125551234"]);
        assert_eq!(digits("I'm number 5. 555-1234"), ["5551234"]);
    }

    #[test]
    fn spoken_word_after_a_written_number_is_not_glued_to_it() {
        assert_eq!(
            digits("call me at 612-555-1234 one more time"),
            ["6125551234"]
        );
    }

    #[test]
    fn international_number_without_plus_is_kept_whole() {
        assert_eq!(digits("it's 44 20 7946 0958"), ["442079460958"]);
    }

    // --- compare_number -----------------------------------------------------

    fn cmp(said: &str, expected: &str) -> (bool, Vec<String>, usize, usize) {
        let m = compare_number(said, expected);
        (
            m.matches,
            m.differing_groups,
            m.missing_digits,
            m.extra_digits,
        )
    }

    #[test]
    fn same_digits_match_whatever_the_punctuation() {
        assert_eq!(cmp("6125551234", "(612) 555-1234"), (true, vec![], 0, 0));
    }

    #[test]
    fn each_differing_nanp_group_is_named() {
        assert_eq!(cmp("6135551234", "612-555-1234").1, ["area code"]);
        assert_eq!(cmp("6125561234", "612-555-1234").1, ["exchange"]);
        assert_eq!(cmp("6125551235", "612-555-1234").1, ["line"]);
        assert_eq!(cmp("7135551299", "612-555-1234").1, ["area code", "line"]);
    }

    #[test]
    fn missing_area_code_is_a_difference_with_three_missing_digits() {
        assert_eq!(
            cmp("5551234", "612-555-1234"),
            (false, vec!["area code".to_string()], 3, 0)
        );
    }

    #[test]
    fn dropped_or_extra_digit_marks_only_its_group() {
        assert_eq!(
            cmp("612555123", "612-555-1234"),
            (false, vec!["line".to_string()], 1, 0)
        );
        assert_eq!(
            cmp("61255512345", "612-555-1234"),
            (false, vec!["line".to_string()], 0, 1)
        );
        assert_eq!(cmp("61255123", "612-555-1234").1, ["exchange", "line"]);
    }

    #[test]
    fn country_code_may_be_said_or_left_out() {
        assert!(compare_number("16125551234", "612-555-1234").matches);
        assert!(compare_number("6125551234", "+1 612-555-1234").matches);
        assert!(compare_number("16125551234", "+1 (612) 555-1234").matches);
    }

    #[test]
    fn different_country_code_is_named() {
        assert_eq!(cmp("4420 7946 0958", "+1 207 946 0958").1, ["country code"]);
        assert_eq!(
            cmp("442079460958", "+44 20 7946 0958"),
            (true, vec![], 0, 0)
        );
        assert_eq!(
            cmp("442079460959", "+44 20 7946 0958").1,
            ["national number"]
        );
    }

    #[test]
    fn seven_digit_expected_uses_exchange_and_line() {
        assert!(compare_number("5551234", "555-1234").matches);
        assert!(compare_number("6125551234", "555-1234").matches);
        assert_eq!(cmp("5561234", "555-1234").1, ["exchange"]);
    }

    // --- format_digits ------------------------------------------------------

    #[test]
    fn nanp_numbers_are_formatted_with_hyphens() {
        assert_eq!(format_digits("6125551234"), "612-555-1234");
        assert_eq!(format_digits("5551234"), "555-1234");
        assert_eq!(format_digits("16125551234"), "+1 612-555-1234");
        assert_eq!(format_digits("(612) 555.1234"), "612-555-1234");
    }

    #[test]
    fn international_numbers_get_a_plus_and_groups_of_four() {
        assert_eq!(format_digits("442079460958"), "+44 20 7946 0958");
        assert_eq!(format_digits("353123456789"), "+353 1 2345 6789");
        assert_eq!(format_digits("02079460958"), "020 7946 0958");
    }

    #[test]
    fn partial_numbers_are_grouped_by_three() {
        assert_eq!(format_digits("1234"), "1234");
        assert_eq!(format_digits("61255"), "612-55");
        assert_eq!(format_digits("612555123"), "612-555-123");
        assert_eq!(format_digits(""), "");
    }
}
