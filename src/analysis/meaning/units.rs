//! The pieces of a message that are compared with a rule's examples: each
//! sentence, and each clause of a sentence that has several, without the
//! phone numbers' digits (which say nothing about meaning).

use std::ops::Range;

use crate::analysis::rules::text::TokenStream;
use crate::transcribe::Word;

/// A sentence or a clause.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Its tokens in the message's token stream.
    pub toks: Range<usize>,
    /// Its words as said, phone numbers left out.
    pub text: String,
}

/// Fewer tokens than this make no clause of their own ("Hi Laura,").
const MIN_CLAUSE_TOKS: usize = 3;

/// A sentence this short is read whole only: its clauses say nothing the
/// sentence does not (and each piece costs the model time).
const SPLIT_FROM_TOKS: usize = 12;

fn unit(words: &[Word], stream: &TokenStream, toks: Range<usize>) -> Option<Unit> {
    let mut seen = None;
    let mut text = String::new();
    for t in &stream.toks[toks.clone()] {
        if t.phone.is_some() || seen == Some(t.word) {
            continue;
        }
        seen = Some(t.word);
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(words[t.word].text.trim());
    }
    let has_words = stream.toks[toks.clone()].iter().any(|t| t.phone.is_none());
    has_words.then_some(Unit { toks, text })
}

/// Sentences, then the clauses of each sentence with more than one.
pub fn units(words: &[Word], stream: &TokenStream) -> Vec<Unit> {
    let toks = &stream.toks;
    let mut out = Vec::new();
    let mut start = 0;
    while start < toks.len() {
        let s = toks[start].sentence;
        let end = (start..toks.len())
            .find(|&i| toks[i].sentence != s)
            .unwrap_or(toks.len());
        out.extend(unit(words, stream, start..end));
        let cuts: Vec<usize> = (start + 1..end).filter(|&i| toks[i].comma_before).collect();
        if !cuts.is_empty() && end - start >= SPLIT_FROM_TOKS {
            let bounds: Vec<usize> = std::iter::once(start)
                .chain(cuts)
                .chain(std::iter::once(end))
                .collect();
            for w in bounds.windows(2) {
                if w[1] - w[0] >= MIN_CLAUSE_TOKS {
                    out.extend(unit(words, stream, w[0]..w[1]));
                }
            }
        }
        start = end;
    }
    out
}
