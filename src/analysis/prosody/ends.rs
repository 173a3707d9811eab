//! Where statements end, for the rising-end check: each sentence (a word
//! that ends with a full stop or an exclamation mark, and the last word)
//! and each phone number.

use super::find::StatementEnd;
use crate::analysis::phone::PhoneNumber;
use crate::transcribe::Word;

/// The statement ends of a message, in time order.
pub fn statement_ends(words: &[Word], phones: &[PhoneNumber]) -> Vec<StatementEnd> {
    let number_end = |i: usize| phones.iter().any(|p| p.word_range.end == i + 1);
    let in_number = |i: usize| phones.iter().any(|p| p.word_range.contains(&i));
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let text = w.text.trim();
        let last = i + 1 == words.len();
        let at = if number_end(i) {
            "number"
        } else if in_number(i) || text.ends_with('?') {
            continue;
        } else if text.ends_with(['.', '!']) || last {
            "statement"
        } else {
            continue;
        };
        let first = i.saturating_sub(2);
        out.push(StatementEnd {
            last_word_start_s: w.start_s,
            end_s: w.end_s,
            at,
            text: words[first..=i]
                .iter()
                .map(|w| w.text.trim())
                .collect::<Vec<_>>()
                .join(" "),
        });
    }
    out
}
