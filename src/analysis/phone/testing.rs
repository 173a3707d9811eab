//! Words for the tests of the phone-number passes.

use crate::transcribe::Word;

use super::{find_phone_numbers, PhoneNumber};

/// Words from a string, 0.3 s each, back to back. A token `<pause:N>`
/// adds N seconds of silence before the next word.
pub fn words(text: &str) -> Vec<Word> {
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

pub fn found(text: &str) -> Vec<PhoneNumber> {
    find_phone_numbers(&words(text))
}

/// The digits of every number found.
pub fn digits(text: &str) -> Vec<String> {
    found(text).into_iter().map(|p| p.digits).collect()
}

pub fn one(text: &str) -> PhoneNumber {
    let mut all = found(text);
    assert_eq!(all.len(), 1, "expected one number in {text:?}, got {all:?}");
    all.remove(0)
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}
