//! English number words the way people say phone numbers: "six", "oh",
//! "sixty six", "double five", "five hundred fifty five", "twelve hundred".
//!
//! [`parse`] reads one spoken number from the start of a list of lowercase
//! words and gives its digits. It never reads across two separate numbers:
//! "five five five" is three numbers of one digit each, "sixty six seventy
//! seven" is two ("66", "77"), "twenty nineteen" is two ("20", "19").

/// How a number was said, which later rules (years, times) look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Written as digits in the transcript: "612".
    Written,
    /// One digit word: "six", "oh", "zero".
    Digit,
    /// "ten" to "nineteen".
    Teen,
    /// A tens word alone: "sixty".
    Tens,
    /// A tens word and a digit: "sixty six".
    TensUnit,
    /// "double five", "triple oh".
    Repeat,
    /// With "hundred" or "thousand": "five hundred fifty five", "twelve hundred".
    Multiplied,
}

/// One number read from the start of a word list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spoken {
    pub digits: String,
    pub shape: Shape,
    /// How many words it took.
    pub len: usize,
}

/// The digit a single word stands for: "zero", "oh", "o", "nought", "one" … "nine".
pub fn digit(word: &str) -> Option<u32> {
    Some(match word {
        "zero" | "oh" | "o" | "nought" | "naught" => 0,
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        _ => return None,
    })
}

/// "ten" … "nineteen".
pub fn teen(word: &str) -> Option<u32> {
    Some(match word {
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        _ => return None,
    })
}

/// "twenty" … "ninety" as 20 … 90.
pub fn tens(word: &str) -> Option<u32> {
    Some(match word {
        "twenty" => 20,
        "thirty" => 30,
        "forty" | "fourty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

/// Whether a number can start with this word ("hundred" alone cannot).
pub fn starts_number(word: &str) -> bool {
    digit(word).is_some()
        || teen(word).is_some()
        || tens(word).is_some()
        || repeat_count(word).is_some()
}

/// "double" → 2, "triple" → 3.
fn repeat_count(word: &str) -> Option<usize> {
    match word {
        "double" => Some(2),
        "triple" => Some(3),
        _ => None,
    }
}

/// A digit word other than zero, as it can follow "sixty" or "hundred".
fn unit(word: &str) -> Option<u32> {
    digit(word).filter(|&d| d > 0)
}

/// A number below one hundred said as words: a digit, a teen, or tens with an
/// optional unit. Returns the value, words used and shape.
fn below_hundred(words: &[&str]) -> Option<(u32, usize, Shape)> {
    let first = *words.first()?;
    if let Some(t) = tens(first) {
        return Some(match words.get(1).and_then(|w| unit(w)) {
            Some(u) => (t + u, 2, Shape::TensUnit),
            None => (t, 1, Shape::Tens),
        });
    }
    if let Some(t) = teen(first) {
        return Some((t, 1, Shape::Teen));
    }
    digit(first).map(|d| (d, 1, Shape::Digit))
}

/// What may follow "hundred" or "thousand": an optional "and", then a
/// non-zero number below one hundred. "and" is only taken with a number after it.
fn remainder(words: &[&str]) -> Option<(u32, usize)> {
    let skip = usize::from(words.first() == Some(&"and"));
    let (v, n, _) = below_hundred(&words[skip..])?;
    (v > 0).then_some((v, skip + n))
}

/// Reads one spoken number from the start of `words` (lowercase, no
/// punctuation). `words` may include written single digits ("double 5").
pub fn parse(words: &[&str]) -> Option<Spoken> {
    let first = *words.first()?;

    if let Some(times) = repeat_count(first) {
        let next = *words.get(1)?;
        let d = digit(next).or_else(|| single_written_digit(next))?;
        return Some(Spoken {
            digits: d.to_string().repeat(times),
            shape: Shape::Repeat,
            len: 2,
        });
    }

    let (value, mut used, shape) = below_hundred(words)?;
    let multiplier = words.get(used).copied();
    if value == 0 || !matches!(multiplier, Some("hundred" | "thousand")) {
        return Some(Spoken {
            digits: value.to_string(),
            shape,
            len: used,
        });
    }

    let mut total;
    if multiplier == Some("thousand") {
        total = value * 1000;
        used += 1;
        // "two thousand five hundred ..."
        if let Some((h, n, _)) = below_hundred(&words[used..]) {
            if h > 0 && h < 10 && words.get(used + n) == Some(&"hundred") {
                total += h * 100;
                used += n + 1;
            }
        }
    } else {
        total = value * 100;
        used += 1;
    }
    if let Some((rest, n)) = remainder(&words[used..]) {
        total += rest;
        used += n;
    }
    Some(Spoken {
        digits: total.to_string(),
        shape: Shape::Multiplied,
        len: used,
    })
}

fn single_written_digit(word: &str) -> Option<u32> {
    let mut chars = word.chars();
    let d = chars.next()?.to_digit(10)?;
    chars.next().is_none().then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits_of(text: &str) -> Vec<String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let s = parse(&words[i..]).expect(words[i]);
            out.push(s.digits);
            i += s.len;
        }
        out
    }

    #[test]
    fn digit_words_are_one_number_each() {
        assert_eq!(digits_of("five five five"), ["5", "5", "5"]);
        assert_eq!(digits_of("oh zero o"), ["0", "0", "0"]);
    }

    #[test]
    fn tens_take_a_following_unit_but_not_a_teen() {
        assert_eq!(digits_of("sixty six seventy seven"), ["66", "77"]);
        assert_eq!(digits_of("twenty nineteen"), ["20", "19"]);
        assert_eq!(digits_of("sixty oh"), ["60", "0"]);
    }

    #[test]
    fn hundreds_and_thousands_multiply() {
        assert_eq!(digits_of("five hundred fifty five"), ["555"]);
        assert_eq!(digits_of("five hundred and five"), ["505"]);
        assert_eq!(digits_of("twelve hundred"), ["1200"]);
        assert_eq!(digits_of("twelve hundred thirty four"), ["1234"]);
        assert_eq!(digits_of("two thousand nineteen"), ["2019"]);
        assert_eq!(digits_of("two thousand five hundred"), ["2500"]);
    }

    #[test]
    fn double_and_triple_repeat_a_digit() {
        assert_eq!(digits_of("double five triple oh"), ["55", "000"]);
        assert_eq!(parse(&["double", "5"]).unwrap().digits, "55");
        assert_eq!(parse(&["double", "trouble"]), None);
    }

    #[test]
    fn and_is_left_alone_without_a_number_after_it() {
        let s = parse(&["five", "hundred", "and", "then"]).unwrap();
        assert_eq!((s.digits.as_str(), s.len), ("500", 2));
    }
}
