//! The pieces of a message that are compared with a rule's examples: its
//! sentences, without the phone numbers' digits (which say nothing about
//! meaning).
//!
//! A long sentence is read whole, not also as its clauses: on the tuning
//! set its clauses changed no check's agreement, and they doubled the word
//! pieces the model reads for a rambling message (docs/checks.md).

use std::collections::HashSet;
use std::ops::Range;

use crate::analysis::rules::text::{Tok, TokenStream};
use crate::transcribe::Word;

/// A sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Its tokens in the message's token stream.
    pub toks: Range<usize>,
    /// Its words as said, phone numbers left out.
    pub text: String,
}

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

/// Which words a greeting is made of: greeting words proper ("hi", "good",
/// "afternoon"), and the capitalised words that are not common words
/// (names and titles).
pub struct Greeting<'a> {
    pub greetings: &'a HashSet<String>,
    pub not_name: &'a HashSet<String>,
}

impl Greeting<'_> {
    /// A sentence of greeting words and names only, one greeting word at
    /// least ("Good afternoon, Mr. Villarreal."; "Hello Mr. Crispin
    /// Ashworth, 251-555-0156."): it says nothing a check looks for, and
    /// the name in it sat close to examples that name people (a referral).
    fn is_greeting(&self, toks: &[Tok]) -> bool {
        let words = || toks.iter().filter(|t| t.phone.is_none());
        words().any(|t| self.greetings.contains(&t.text))
            && words().all(|t| {
                self.greetings.contains(&t.text) || (t.cap && !self.not_name.contains(&t.text))
            })
    }
}

/// The sentences that have words besides phone numbers, in order, but for
/// greetings (see [`Greeting::is_greeting`]).
pub fn units(words: &[Word], stream: &TokenStream, greeting: &Greeting) -> Vec<Unit> {
    let toks = &stream.toks;
    let mut out = Vec::new();
    let mut start = 0;
    while start < toks.len() {
        let s = toks[start].sentence;
        let end = (start..toks.len())
            .find(|&i| toks[i].sentence != s)
            .unwrap_or(toks.len());
        if !greeting.is_greeting(&toks[start..end]) {
            out.extend(unit(words, stream, start..end));
        }
        start = end;
    }
    out
}
