//! Writing numbers for people: "612-555-1234", "+44 20 7946 0958".

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

/// The digits of `s`, nothing else: "503-555-0187" as "5035550187".
pub(crate) fn only_digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Digits of the ITU country code at the start of an international number.
pub(super) fn country_code_len(d: &str) -> usize {
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
