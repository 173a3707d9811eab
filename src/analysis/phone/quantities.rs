//! Numbers that are quantities, not digits of a phone number: years,
//! percentages, money, times, counts, dates.

use super::lex::{is_year, NotPhone, Sep};
use super::tokens::{Tok, TokKind};
use crate::analysis::numwords::Shape;

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
pub(super) fn mark_not_phone(toks: &mut [Tok]) {
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

#[cfg(test)]
mod tests {
    use crate::analysis::phone::testing::*;

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
}
