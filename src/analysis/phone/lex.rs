//! Pass 1: words to pieces (written digits, words, signs), with how
//! strongly each is set apart from the one before.

use crate::analysis::numwords;
use crate::transcribe::Word;

/// A word that is a digit or a short group of them: "5", "55,", "Oh,".
pub(super) fn is_digit_word(word: &Word) -> bool {
    let text = bare_word(&word.text);
    (!text.is_empty() && text.len() <= 3 && text.chars().all(|c| c.is_ascii_digit()))
        || numwords::digit(&text).is_some()
}

/// A word without the punctuation around it, lowercase: "Oh," -> "oh".
pub(super) fn bare_word(text: &str) -> String {
    text.trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

/// How strongly a piece is set apart from the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Sep {
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
pub(super) enum NotPhone {
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
pub(super) enum PieceKind {
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
pub(super) struct Piece {
    pub(super) kind: PieceKind,
    pub(super) word: usize,
    pub(super) sep: Sep,
}

/// Splits every word into pieces.
pub(super) fn lex(words: &[Word]) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut pending = Sep::Plain;
    for (wi, w) in words.iter().enumerate() {
        let mut lexed = lex_word(&w.text);
        if let Some(pair) = digit_pair_among_digits(words, wi) {
            lexed.pieces = pair;
        }
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

/// Digits said one by one that whisper now and then writes as a decimal:
/// one digit, a point and one digit ("8.0", "6.6": "eight oh", "six six"),
/// or up to three digits, a point and two that begin with an "oh" ("4.00",
/// "7.04": "four oh oh", "seven oh four"); or as a date or a fraction, one
/// digit on each side of a slash ("5/0", "8/4": "five oh", "eight four").
fn is_digit_pair(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some((a, b)) = text.split_once('/') {
        return a.len() == 1 && b.len() == 1 && digits(a) && digits(b);
    }
    let Some((whole, part)) = text.split_once('.') else {
        return false;
    };
    digits(whole)
        && digits(part)
        && ((whole.len() == 1 && part.len() == 1)
            || (whole.len() <= 3 && part.len() == 2 && part.starts_with('0')))
}

/// Word `wi` as its two digits, when it is a digit pair ([`is_digit_pair`])
/// next to a digit word or another pair ("call me at 8.0, 6.6, 6.6"); a
/// pair among words is a quantity ("a 2.5 GPA").
fn digit_pair_among_digits(words: &[Word], wi: usize) -> Option<Vec<PieceKind>> {
    let pair = |i: usize| {
        words
            .get(i)
            .is_some_and(|w| is_digit_pair(&bare_word(&w.text)))
    };
    let digits = |i: usize| pair(i) || words.get(i).is_some_and(is_digit_word);
    if !pair(wi) || !(wi.checked_sub(1).is_some_and(digits) || digits(wi + 1)) {
        return None;
    }
    let text = bare_word(&words[wi].text);
    Some(
        text.split(['.', '/'])
            .map(|d| PieceKind::Numeral(d.to_string()))
            .collect(),
    )
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
    // "oh" said as zero and written as the letter, fused with digits: "803
    // 7OO 9100", "6O2-555-O1O8"; not a letter on its own ("an O-1 visa").
    let o_among_digits = |part: &str| {
        part.chars().any(|c| c.is_ascii_digit())
            && part.chars().all(|c| c.is_ascii_digit() || c == 'o')
    };
    if has_alpha && core.split('-').all(o_among_digits) {
        return lex_numeric(&core.replace('o', "0"));
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

pub(super) fn is_year(digits: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use crate::analysis::phone::testing::*;

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
    fn digit_pairs_written_as_decimals_among_digits_are_read() {
        // "eight oh oh, six six six, ..." as whisper wrote it.
        assert_eq!(
            digits("Please call me at 8.0, 6.6, 6.6, 6.6. A friend suggested it."),
            ["80666666"]
        );
        assert_eq!(digits("reach me at 5 0.3, 5 5 5, 0 1 9 8."), ["5035550198"]);
        // "four oh oh, seven oh four, four four oh oh"
        assert_eq!(
            digits("The best number for me is 4.00, 7.04, 4.00, 4.00, I look forward"),
            ["400704400400"]
        );
        // Among words, a decimal is a quantity.
        assert!(digits("I kept a 3.8 GPA and 2.5 years of 4 8 0 0 hours").is_empty());
        assert!(digits("it rose 6.6 and then 7.2 percent").is_empty());
        assert!(digits("a 4.00 GPA in 2 years and 3.05 miles").is_empty());
    }

    #[test]
    fn digit_pairs_written_as_dates_among_digits_are_read() {
        // "five oh oh, five oh oh, eight oh oh four" as whisper wrote it.
        assert_eq!(digits("My cell is 5/0, 5/0, 8/4. A friend"), ["505084"]);
        assert_eq!(digits("call me at 5/0 3, 5 5 5, 0 1 9 8."), ["5035550198"]);
        // Among words, a date or a fraction; more than a digit a side, a date.
        assert!(digits("I can start on 8/4 or 9/1 at 2 3 0 0 hours").is_empty());
        assert!(digits("it was 5 5 5, 12/4, 7 0 0 1 then").is_empty());
    }

    #[test]
    fn the_letter_o_among_digits_is_a_zero() {
        // "eight oh three, seven oh oh, nine one oh oh" as whisper wrote it.
        assert_eq!(
            digits("Please call me back at 803 7OO 9100. Thanks"),
            ["8037009100"]
        );
        assert_eq!(
            digits("The best number for me is 894 703 1OO."),
            ["894703100"]
        );
        assert_eq!(digits("it's 6O2-555-O1O8"), ["6025550108"]);
        // Other letters fused with digits still keep a word out, and so
        // does an O set apart from the digits.
        assert!(digits("a 401k and 1990s and 5 go").is_empty());
        assert_eq!(
            super::lex_word("O-1").pieces,
            [super::PieceKind::NotPhone(super::NotPhone::Mixed)]
        );
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

    #[test]
    fn retirement_plan_is_not_a_number() {
        assert!(digits("a 401k and a 401(k) and a 401 k").is_empty());
    }

    #[test]
    fn decimals_and_thousands_are_not_numbers() {
        assert!(digits("2.5 years, 1,500,000 users, 10+ years").is_empty());
    }

    #[test]
    fn spoken_word_after_a_written_number_is_not_glued_to_it() {
        assert_eq!(
            digits("call me at 612-555-1234 one more time"),
            ["6125551234"]
        );
    }
}
