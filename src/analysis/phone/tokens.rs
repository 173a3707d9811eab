//! Pass 2: pieces to tokens, number words read into digits.

use super::lex::{NotPhone, Piece, PieceKind, Sep};
use crate::analysis::numwords::{self, Shape};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum TokKind {
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
pub(super) struct Tok {
    pub(super) kind: TokKind,
    /// First and last word the token comes from.
    pub(super) first: usize,
    pub(super) last: usize,
    /// Separation from the token before.
    pub(super) sep: Sep,
}

impl Tok {
    pub(super) fn is_num(&self) -> bool {
        matches!(self.kind, TokKind::Num { .. })
    }
    pub(super) fn word(&self) -> Option<&str> {
        match &self.kind {
            TokKind::Word(w) => Some(w),
            _ => None,
        }
    }
    pub(super) fn num(&self) -> Option<(&str, Shape)> {
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
pub(super) fn tokens(pieces: &[Piece]) -> Vec<Tok> {
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

#[cfg(test)]
mod tests {
    use crate::analysis::phone::testing::*;

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
}
