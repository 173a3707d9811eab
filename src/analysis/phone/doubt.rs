//! Whether a number's digits may be wrong: the digit count, speech around
//! it that no word covers, and what the number pass heard again.

use super::find::longest_number;
use super::format::format_digits;
use super::hearings::{Hearing, Hearings, RECOUNT_DIGITS};
use super::lex::{bare_word, is_digit_word};
use super::number::{PhoneNumber, MIN_DIGITS};
use crate::transcribe::{join_words, Word};

/// Marks the numbers whose digits may be wrong, so that the report says
/// "uncertain" rather than a wrong number: an unusual digit count (8 or 9
/// digits: some were dropped; fewer than 7: it broke off; 11 without a
/// leading 1, or more: a digit too many), speech right before it that no
/// word was written for (`voiced`: where the audio's level detector heard
/// voice; whisper most often drops a whole group of digits, and a 10-digit
/// number then reads as a 7-digit one), or a second hearing of its stretch
/// of audio (`hearings`) that wrote other digits. A second hearing with
/// no number in it is no evidence either way. A recounted reading (see
/// [`recount`]) that differs from the first hearing replaces it, and the
/// number stays uncertain, with the first hearing as the alternative. So
/// does a full number heard from the seconds before a 7-digit one when it
/// ends with those seven digits: the first pass wrote its area code as
/// words.
pub fn judge(
    numbers: &mut [PhoneNumber],
    hearings: &[Hearings],
    words: &[Word],
    voiced: &[(f64, f64)],
) {
    // Whose digits a recount chose by the model's scores, none of its
    // hearings having written them.
    let mut scored = vec![false; numbers.len()];
    for (i, n) in numbers.iter_mut().enumerate() {
        let heard = hearings.iter().find(|h| h.number == i);
        let again_written = written(heard.and_then(|h| h.again.as_ref()));
        let wider_written = written(heard.and_then(|h| h.wider.as_ref()));
        let again = again_written
            .as_ref()
            .map(|(_, d)| d.clone())
            .filter(|a| contradicts(&n.digits, a) || completes(n, a));
        // The reading of a full number's digits that fit the audio best,
        // when the hearings had impossible counts or disagreed (see
        // [`recount`]): the best guess there is, still only a guess. It may
        // start before the number (a split-off group), but it ends where
        // the number ends.
        let recounted = written(heard.and_then(|h| h.recount.as_ref()));
        let counted = recounted
            .clone()
            .filter(|(_, d)| d.len() == RECOUNT_DIGITS && *d != n.digits);
        // A number without its area code, heard again with the seconds
        // before it (see `pipeline::numbers`), with one: the first pass
        // wrote the area code as words ("Oh, here you go 901-1005").
        let area_code = [&again_written, &wider_written]
            .into_iter()
            .flatten()
            .filter(|_| n.digits.len() == MIN_DIGITS)
            .find(|(_, d)| full_length(d) && d.ends_with(n.digits.as_str()))
            .cloned();
        if let Some((r, digits)) = counted {
            // The recount chose what a hearing wrote as a full number
            // around the first pass's seven digits: the evidence that
            // makes an area code sure (below).
            let area_code = area_code.as_ref().is_some_and(|(_, a)| *a == digits);
            replace_first_hearing(n, digits, words, r.from_s, is_digit_word);
            if let Some(again) = again.filter(|a| *a != n.digits && !n.alternatives.contains(a)) {
                n.alternatives.push(again);
            }
            settle(n, heard);
            if area_code || heard.is_some_and(recount_sure) {
                n.uncertain = false;
                n.doubt = None;
            }
            scored[i] = n.uncertain;
            continue;
        }
        if let Some((r, digits)) = area_code {
            replace_first_hearing(n, digits, words, r.from_s, |_| true);
            // Sure: the first pass and a hearing made apart agree on all
            // seven digits, and that hearing wrote a full number's three
            // more in front. On the tuning part of the evaluation sets this
            // made one right number sure and no wrong one
            // (docs/phone-numbers.md).
            n.uncertain = false;
            n.doubt = None;
            continue;
        }
        // The recount weighed the second hearing's digits against the
        // first's and kept the first by far: the disagreement is settled
        // (the same evidence that makes a recount that differs sure).
        let kept = heard.is_some_and(recount_sure) && recounted.is_some_and(|(_, d)| d == n.digits);
        let mut doubts = Vec::new();
        let mut replaced = false;
        match (number_doubt(n), again) {
            // The second hearing has a full number's length where the first
            // has not: it is the better guess, and still only a guess.
            (Some(_), Some(again)) if full_length(&again) => {
                doubts.push(format!(
                    "the first listen heard {}",
                    format_digits(&n.digits)
                ));
                n.alternatives.push(std::mem::replace(&mut n.digits, again));
                replaced = true;
            }
            (count, again) => {
                doubts.extend(count);
                if let Some(again) = again {
                    if !kept {
                        doubts.push(format!("a second listen heard {}", format_digits(&again)));
                    }
                    n.alternatives.push(again);
                }
            }
        }
        // Seven digits that the wider hearing wrote inside a full number,
        // with digits after them too: not a local number but part of one
        // whose ends were not written (one that ends with them is taken
        // above).
        let wider = wider_written.map(|(_, d)| d);
        if let Some(around) = inside_a_wider_number(n, wider) {
            doubts.push(format!("a wider listen heard {}", format_digits(&around)));
            n.alternatives.push(around);
        }
        if heard.is_some_and(unheard_again) {
            doubts.push("a second listen could not make it out".to_string());
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
        if replaced {
            settle(n, heard);
        }
    }
    said_twice_alike(numbers, &scored);
}

/// Whether the number was heard again and every hearing came back empty:
/// each broke down in a loop ("3 0 4 5 5 5 0 0 5 5 0 0 5 5 5 5 5 ..."
/// until it ran out of tokens, which leaves no text) or wrote nothing where
/// the first pass wrote digits. The first pass's digits are then all there
/// is. (A hearing that wrote words but no digits is no evidence either
/// way: its cut may have missed the number.)
fn unheard_again(h: &Hearings) -> bool {
    let texts: Vec<&Hearing> = [&h.again, &h.in_context, &h.wider]
        .into_iter()
        .flatten()
        .collect();
    !texts.is_empty() && texts.iter().all(|t| t.text.trim().is_empty())
}

/// A hearing with the digits of the longest number it wrote.
fn written(hearing: Option<&Hearing>) -> Option<(&Hearing, String)> {
    let hearing = hearing?;
    Some((hearing, longest_number(&hearing.text)?))
}

/// The full number a 7-digit number's wider hearing wrote (`wider`, its
/// digits) around its digits, not ending with them.
fn inside_a_wider_number(n: &PhoneNumber, wider: Option<String>) -> Option<String> {
    let wider = wider.filter(|_| n.digits.len() == MIN_DIGITS)?;
    (full_length(&wider)
        && wider.contains(n.digits.as_str())
        && !wider.ends_with(n.digits.as_str()))
    .then_some(wider)
}

/// How much more likely (in log-probability) a recount's reading must be
/// than the next best for the recount to be sure. Chosen on the tuning
/// part of the evaluation sets (scripts/eval-numbers): the wrong recounts
/// won by at most 3.4, and 8 of 16 right ones by 4.0 or more
/// (docs/phone-numbers.md).
pub const SURE_RECOUNT_MARGIN: f64 = 4.0;

/// How much more likely a recount's reading must be than the next best
/// both on the number's audio alone and within the recording, for the
/// two weighings together to make it sure. Chosen on the tuning part of
/// the evaluation sets: the wrong recounts that both weighings chose won
/// there by at most 0.97, and 5 right ones by 1.59 or more in both
/// (docs/phone-numbers.md).
const SURE_BOTH_MARGIN: f64 = 1.5;

/// How much more likely a recount's reading must be than the next best
/// when it was weighed only within the recording (the number's hearing
/// there wrote the first pass's digits, see `pipeline::numbers`), for the
/// recount to be sure. Chosen on the tuning part of the evaluation sets
/// and of four sets of new synthesized messages: the wrong readings won
/// there by at most 2.52, and 10 of 23 right ones by 3.0 or more
/// (docs/phone-numbers.md).
pub const SURE_WITHIN_MARGIN: f64 = 3.0;

/// Whether the recount's reading won by far, or by enough in two
/// weighings made apart.
fn recount_sure(h: &Hearings) -> bool {
    match (h.recount_margin, h.recount_within_margin) {
        (Some(alone), _) if alone >= SURE_RECOUNT_MARGIN => true,
        (None, Some(within)) => within >= SURE_WITHIN_MARGIN,
        (Some(alone), Some(within)) => alone.min(within) >= SURE_BOTH_MARGIN,
        _ => false,
    }
}

/// A number said twice and heard the same both times is sure: two
/// utterances, heard apart, agree on it. Not when neither was heard so and
/// both are a recount's choice by the model's scores (`scored`): the same
/// model on the same voice leans the same way twice ("one one oh oh" read
/// as 1110 both times).
fn said_twice_alike(numbers: &mut [PhoneNumber], scored: &[bool]) {
    let all: Vec<String> = numbers.iter().map(|n| n.digits.clone()).collect();
    for (i, n) in numbers.iter_mut().enumerate() {
        let twice = all
            .iter()
            .enumerate()
            .any(|(j, d)| j != i && *d == n.digits && !(scored[i] && scored[j]));
        if n.uncertain && twice && full_length(&n.digits) {
            n.uncertain = false;
            n.doubt = None;
        }
    }
}

/// A number put in place of the first pass's is sure when the hearing made
/// within the recording wrote it too: two hearings made apart (one on the
/// whole recording's encoding, one on the stretch alone) agree on it.
fn settle(n: &mut PhoneNumber, heard: Option<&Hearings>) {
    let confirmed = heard
        .and_then(|h| h.in_context.as_ref())
        .and_then(|c| longest_number(&c.text))
        .is_some_and(|c| c == n.digits && full_length(&c));
    if confirmed {
        n.uncertain = false;
        n.doubt = None;
    }
}

/// Whether a second hearing wrote exactly the first pass's digits, and
/// they are a count a phone number has: the two agree, and there is
/// nothing to recount.
pub fn confirms(n: &PhoneNumber, text: &str) -> bool {
    number_doubt(n).is_none() && agrees(n, text)
}

/// Whether a second hearing wrote exactly the first pass's digits, as
/// they are, of whatever count.
pub fn agrees(n: &PhoneNumber, text: &str) -> bool {
    longest_number(text).as_deref() == Some(n.digits.as_str())
}

/// Whether a second hearing (`again`) wrote other digits than the first:
/// one that wrote fewer or more of the same digits lost or gained an edge
/// of the cut, which is no contradiction.
pub(super) fn contradicts(first: &str, again: &str) -> bool {
    !again.contains(first) && !first.contains(again)
}

/// Whether a second hearing (`again`) is a full number with all of the
/// first pass's digits in it, where the first pass had a count no phone
/// number has: it heard the digit the first lost ("four four five five" as
/// 445), not an edge of the cut.
fn completes(n: &PhoneNumber, again: &str) -> bool {
    number_doubt(n).is_some() && full_length(again) && again.contains(n.digits.as_str())
}

/// A number's length, 10 digits or more, that raises no doubt.
pub(super) fn full_length(digits: &str) -> bool {
    digits.len() >= 10 && count_doubt(digits).is_none()
}

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
pub(super) fn number_doubt(n: &PhoneNumber) -> Option<String> {
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

/// How far apart a split-off digit and the number start at most: a digit
/// and a pause between groups (1.5 s on a real speaker's "7 0 | 4 0 5").
pub(super) const DIGIT_BEFORE_S: f64 = 2.0;

/// About how long saying a written word takes: a digit is a short word.
fn spoken_s(text: &str) -> f64 {
    const PER_DIGIT_S: f64 = 0.3;
    const PER_LETTER_S: f64 = 0.065;
    let digits = text.chars().filter(|c| c.is_ascii_digit()).count() as f64;
    let letters = text.chars().filter(|c| c.is_alphabetic()).count() as f64;
    (digits * PER_DIGIT_S + letters * PER_LETTER_S).max(0.2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::phone::testing::*;
    use crate::analysis::phone::{find_phone_numbers, recount, Hearing};

    fn judged(text: &str, again: Option<&str>) -> PhoneNumber {
        let mut found = find_phone_numbers(&words(text));
        assert_eq!(found.len(), 1, "{text}");
        let hearings = [Hearings {
            number: 0,
            again: again.map(|t| Hearing {
                from_s: found[0].start_s,
                text: t.to_string(),
            }),
            ..Hearings::default()
        }];
        judge(&mut found, &hearings, &[], &[]);
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
    fn a_recount_that_kept_the_first_hearing_by_far_settles_a_second_one() {
        // The second hearing wrote a 0 too many, and the recount weighed
        // its readings against the first hearing's.
        let judged = |margin: f64| {
            let mut found = find_phone_numbers(&words("call me at 422 830 8000 thanks"));
            let hearings = [Hearings {
                number: 0,
                again: Some(Hearing {
                    from_s: found[0].start_s,
                    text: "at 4, 2, 2, 8, 3, 0, 8, 0, 0, 0, 0. Thank you".into(),
                }),
                recount: Some(Hearing {
                    from_s: found[0].start_s,
                    text: "at 4 2 2, 8 3 0, 8 0 0 0. Thank you".into(),
                }),
                recount_margin: Some(margin),
                ..Hearings::default()
            }];
            judge(&mut found, &hearings, &[], &[]);
            found.remove(0)
        };
        let n = judged(SURE_RECOUNT_MARGIN + 0.5);
        assert_eq!(n.digits, "4228308000");
        assert!(!n.uncertain, "{n:?}");
        assert_eq!(n.alternatives.len(), 1, "{n:?}");
        let n = judged(SURE_RECOUNT_MARGIN - 0.5);
        assert!(n.uncertain);
        assert!(n.doubt.unwrap().starts_with("a second listen heard"));
    }

    #[test]
    fn seven_digits_inside_a_wider_hearings_full_number_are_uncertain() {
        let judged = |wider: &str| {
            let mut found = find_phone_numbers(&words("that's 0 0 4 4 3 2 6 bye"));
            let hearings = [Hearings {
                number: 0,
                wider: Some(Hearing {
                    from_s: 0.0,
                    text: wider.into(),
                }),
                ..Hearings::default()
            }];
            judge(&mut found, &hearings, &[], &[]);
            found.remove(0)
        };
        let n = judged("One more, 9 0 0 4 4 3 2 6 9 0");
        assert_eq!(n.digits, "0044326");
        assert!(n.uncertain);
        assert_eq!(
            n.doubt.as_deref(),
            Some("a wider listen heard 900-443-2690")
        );
        assert_eq!(n.alternatives, vec!["9004432690".to_string()]);
        // Ending with them: the area code, taken.
        let n = judged("One more, 2 1 2 0 0 4 4 3 2 6");
        assert_eq!(n.digits, "2120044326");
        // Only the same seven: nothing more heard.
        assert!(!judged("One more, 0 0 4 4 3 2 6").uncertain);
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
    fn a_number_no_hearing_could_make_out_is_uncertain() {
        let n = judged("my number is 773-555-4190 thanks", Some(""));
        assert!(n.uncertain);
        assert_eq!(
            n.doubt.as_deref(),
            Some("a second listen could not make it out")
        );
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

    /// Number in `text` judged with a second hearing `again` that puts
    /// `digits` in place of the first's, which stays as the alternative;
    /// one hearing alone is a guess, so the number is uncertain.
    fn replaced(text: &str, again: &str, digits: &str) -> PhoneNumber {
        let first = find_phone_numbers(&words(text))[0].digits.clone();
        let n = judged(text, Some(again));
        assert_eq!(n.digits, digits);
        assert_eq!(n.alternatives, vec![first]);
        assert!(n.uncertain);
        n
    }

    #[test]
    fn a_full_length_second_hearing_replaces_a_first_hearing_of_the_wrong_length() {
        let n = replaced(
            "my number is 350 554 477 thanks",
            "is 3 0 0, 5 5 5, 4 4 7 7. Thanks",
            "3005554477",
        );
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
    fn a_full_second_hearing_with_the_first_ones_digits_in_it_completes_a_short_count() {
        // "four four five five" written 445 the first time.
        replaced(
            "my cell is 537 555 445 I have",
            "is 5 3 7 5 5 5 4 4 5 5. I have",
            "5375554455",
        );
        // A full first count that a longer hearing holds is kept: that
        // hearing took in an edge of the cut.
        let n = judged(
            "my cell is 537 555 4455 I have",
            Some("is 5 3 7 5 5 5 4 4 5 5 2. I have"),
        );
        assert_eq!((n.digits.as_str(), n.uncertain), ("5375554455", false));
    }

    #[test]
    fn a_reading_is_only_taken_by_the_number_it_was_made_for() {
        // Two numbers; the second's reading starts inside the first.
        let w = words("612 555 0147. Or 5 5 <pause:1.0> 508 6228");
        let mut found = find_phone_numbers(&w);
        assert_eq!(found.len(), 2);
        let reading = Hearings {
            number: 1,
            recount: Some(Hearing {
                from_s: found[0].start_s + 0.1,
                text: "5 5 5, 5 0 8, 6 2 2 8".into(),
            }),
            ..Hearings::default()
        };
        judge(&mut found, std::slice::from_ref(&reading), &w, &[]);
        assert_eq!(found[0].digits, "6125550147");
        assert!(!found[0].uncertain);
        assert_eq!(found[1].digits, "5555086228");
        // Words that do not cover the number (a script, a test): no panic.
        let mut alone = find_phone_numbers(&w);
        judge(&mut alone, &[reading], &[], &[]);
        assert_eq!(alone[1].digits, "5555086228");
    }

    #[test]
    fn an_area_code_heard_in_the_words_before_a_seven_digit_number_is_taken() {
        let w = words("oh here you go 9 0 1 1 0 0 5 thanks");
        let hearing = |from_s: f64, text: &str| {
            Some(Hearing {
                from_s,
                text: text.into(),
            })
        };
        let judged = |extra: &str| {
            let mut found = find_phone_numbers(&w);
            assert_eq!(found[0].digits, "9011005");
            let hearings = [Hearings {
                number: 0,
                again: hearing(found[0].start_s, "9 0 1 1 0 0 5."),
                wider: hearing(0.0, extra),
                ..Hearings::default()
            }];
            judge(&mut found, &hearings, &w, &[]);
            found.remove(0)
        };
        let n = judged("4, 0, 0, 9, 0, 1, 1, 0, 0, 5.");
        assert_eq!(n.digits, "4009011005");
        // Both hearings agree on the seven digits: sure, with the first
        // hearing kept as the alternative.
        assert!(!n.uncertain);
        assert_eq!(n.alternatives, vec!["9011005".to_string()]);
        assert_eq!(n.doubt, None);
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

    /// A 7-digit number recounted as the full number that the hearing
    /// from the seconds before it wrote (taken unscored): that hearing and
    /// the first pass agree on the seven digits, as for an area code.
    #[test]
    fn a_recount_the_wider_hearing_wrote_around_seven_digits_is_sure() {
        let w = words("7 0 <pause:1.0> 405 0159 thanks");
        let judged = |wider: &str| {
            let mut found = find_phone_numbers(&w);
            assert_eq!(found[0].digits, "4050159");
            let heard = |from_s: f64, text: &str| {
                Some(Hearing {
                    from_s,
                    text: text.into(),
                })
            };
            let hearings = [Hearings {
                number: 0,
                again: heard(found[0].start_s, "4, 0, 5, 0, 1, 5, 9."),
                wider: heard(0.0, wider),
                recount: heard(0.0, "7 0 0, 4 0 5, 0 1 5 9"),
                ..Hearings::default()
            }];
            judge(&mut found, &hearings, &w, &[]);
            found.remove(0)
        };
        let n = judged("7 0, 0, 4, 0, 5, 0, 1, 5, 9.");
        assert_eq!(n.digits, "7004050159");
        assert!(!n.uncertain, "{:?}", n.doubt);
        // The wider hearing wrote other digits: the recount stays a guess.
        let n = judged("7 0 4 0 5 0 1 5 9.");
        assert_eq!(n.digits, "7004050159");
        assert!(n.uncertain);
    }

    /// Number "5 5 <pause> 508 6228" recounted as 555-508-6228, with what
    /// the hearing within the recording wrote.
    fn recounted(in_context: Option<&str>, margin: Option<f64>) -> PhoneNumber {
        let w = words("5 5 <pause:1.0> 508 6228 thanks");
        let mut found = find_phone_numbers(&w);
        let r = recount(&found[0], "5 0 8 6 2 2 8", &[], &w).unwrap();
        let heard = |text: &str| Hearing {
            from_s: found[0].start_s,
            text: text.into(),
        };
        let hearings = [Hearings {
            number: 0,
            again: Some(heard("5 0 8 6 2 2 8")),
            in_context: in_context.map(heard),
            wider: None,
            recount: Some(Hearing {
                from_s: r.from_s,
                text: "5 5 5, 5 0 8, 6 2 2 8".into(),
            }),
            recount_margin: margin,
            recount_within_margin: None,
        }];
        judge(&mut found, &hearings, &w, &[]);
        found.remove(0)
    }

    #[test]
    fn a_recount_the_hearing_within_the_recording_wrote_too_is_sure() {
        let n = recounted(Some("5 5 5, 5 0 8, 6 2 2 8."), None);
        assert_eq!(n.digits, "5555086228");
        assert!(!n.uncertain && n.doubt.is_none(), "{n:?}");
        assert_eq!(n.alternatives, vec!["5086228".to_string()]);
        let n = recounted(Some("5 5, 5 0 8, 6 2 2 8."), None);
        assert!(n.uncertain);
    }

    #[test]
    fn a_recount_that_won_by_far_is_sure() {
        let n = recounted(None, Some(SURE_RECOUNT_MARGIN + 0.5));
        assert_eq!(n.digits, "5555086228");
        assert!(!n.uncertain, "{n:?}");
        assert!(recounted(None, Some(SURE_RECOUNT_MARGIN - 0.5)).uncertain);
    }

    #[test]
    fn a_recount_that_won_in_both_weighings_is_sure() {
        let both = |alone: f64, within: Option<f64>| {
            let mut h = Hearings {
                recount_margin: Some(alone),
                recount_within_margin: within,
                ..Hearings::default()
            };
            let sure = recount_sure(&h);
            h.recount_margin = None;
            (sure, recount_sure(&h))
        };
        assert_eq!(
            both(SURE_BOTH_MARGIN + 0.1, Some(SURE_BOTH_MARGIN + 0.1)),
            (true, false)
        );
        assert_eq!(
            both(SURE_BOTH_MARGIN + 0.1, Some(SURE_BOTH_MARGIN - 0.1)),
            (false, false)
        );
        // Weighed within the recording only: sure by its own margin.
        assert_eq!(
            both(SURE_BOTH_MARGIN - 0.1, Some(SURE_WITHIN_MARGIN)),
            (false, true)
        );
        assert_eq!(
            both(SURE_BOTH_MARGIN - 0.1, Some(SURE_WITHIN_MARGIN - 0.1)),
            (false, false)
        );
        // Within the recording another reading was more likely.
        assert_eq!(both(SURE_RECOUNT_MARGIN - 0.1, Some(-2.0)), (false, false));
        assert_eq!(both(SURE_RECOUNT_MARGIN, None), (true, false));
        // Through the judgement: a recount that differs from the first hearing.
        let mut found = find_phone_numbers(&words("5 5 <pause:1.0> 508 6228 thanks"));
        let hearings = [Hearings {
            number: 0,
            recount: Some(Hearing {
                from_s: 0.0,
                text: "5 5 5, 5 0 8, 6 2 2 8".into(),
            }),
            recount_margin: Some(2.0),
            recount_within_margin: Some(2.5),
            ..Hearings::default()
        }];
        judge(&mut found, &hearings, &[], &[]);
        assert_eq!(found[0].digits, "5555086228");
        assert!(!found[0].uncertain, "{:?}", found[0]);
    }

    #[test]
    fn a_number_said_twice_and_heard_alike_is_sure() {
        // The first is a digit short and heard again in full; the second
        // says the same.
        let w = words("512 555 047 <pause:2.0> again 512 555 0147");
        let mut found = find_phone_numbers(&w);
        assert_eq!(found.len(), 2);
        let hearings = [Hearings {
            number: 0,
            again: Some(Hearing {
                from_s: found[0].start_s,
                text: "5 1 2, 5 5 5, 0 1 4 7".into(),
            }),
            ..Hearings::default()
        }];
        judge(&mut found, &hearings, &w, &[]);
        assert_eq!(found[0].digits, "5125550147");
        assert!(!found[0].uncertain && !found[1].uncertain, "{found:?}");
        // Heard otherwise the second time: the first stays uncertain.
        let w = words("512 555 047 <pause:2.0> again 512 555 0174");
        let mut found = find_phone_numbers(&w);
        judge(&mut found, &hearings, &w, &[]);
        assert!(found[0].uncertain, "{found:?}");
    }

    #[test]
    fn a_recounted_reading_replaces_the_first_hearing_and_stays_uncertain() {
        let n = recounted(None, None);
        let n = &n;
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
}
