//! A said number against the one the caller meant to leave, group by group.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::format::{country_code_len, only_digits};

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
            let as_cc = 1 + strsim::levenshtein(&said_digits[front..], &exp.national);
            if as_cc < strsim::levenshtein(&said_digits, &exp.national) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
