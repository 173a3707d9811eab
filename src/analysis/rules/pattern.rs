//! The small phrase language of the rules file.
//!
//! A pattern is a space-separated list of elements, matched against the
//! normalised token stream ([`super::text`]) inside one sentence:
//!
//! | element      | matches                                                        |
//! |--------------|----------------------------------------------------------------|
//! | `word`       | that word; written naturally, it is normalised like the transcript ("I'm" = "i am") |
//! | `a\|b\|c`    | any one of the words                                           |
//! | `word*`      | any word starting with `word` ("recommend*")                   |
//! | `x?`         | `x` or nothing (x: a word, alternation or prefix)              |
//! | `*` / `*N`   | up to 3 (or N) words of anything                               |
//! | `{name}`     | a person's name: one to three capitalised words that are not common words (at most two in a transcript without capitals) |
//! | `{num}`      | a number, as digits or words ("7", "seven", "twenty five")     |
//! | `{ord}`      | an ordinal ("third", "3rd"); `{ord:3+}` only third and later   |
//! | `{phone}`    | all the words of one phone number                              |
//! | `...` / `...N` | then, within 8 (or N) words, something with content: at least one word not in the rules file's `not_content` vocabulary ("calling about ..." needs more than "the job") |
//!
//! Matching is lazy (shortest gaps first) and never crosses a sentence end.

use std::collections::HashSet;
use std::ops::Range;

use super::text::{self, Tok, TokenStream};

#[derive(Debug, Clone, PartialEq)]
enum Alt {
    Exact(String),
    Prefix(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Elem {
    Word { alts: Vec<Alt>, optional: bool },
    Gap(usize),
    Name,
    Num,
    Ord { min: u32 },
    Phone,
    Content(usize),
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub source: String,
    elems: Vec<Elem>,
}

/// Word lists the special elements consult.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Words that are never taken for a name, even when capitalised ("I", "Thanks").
    pub not_name: HashSet<String>,
    /// Words that do not count as content for `...` ("the", "job", "position").
    pub not_content: HashSet<String>,
}

/// One place a pattern matched, as token indices.
/// Why a pattern of a rules file does not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("empty pattern")]
    Empty,
    /// A word of the pattern (or the whole of it) that is not understood.
    #[error("`{word}`: {why}")]
    Word { word: String, why: &'static str },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub toks: Range<usize>,
    /// Token ranges captured by `{name}`.
    pub names: Vec<Range<usize>>,
}

impl Pattern {
    pub fn parse(src: &str) -> Result<Pattern, PatternError> {
        let bad = |raw: &str, why| PatternError::Word {
            word: raw.to_string(),
            why,
        };
        let mut elems = Vec::new();
        for raw in src.split_whitespace() {
            if raw == "*" {
                elems.push(Elem::Gap(3));
            } else if let Some(n) = raw.strip_prefix('*').filter(|n| !n.is_empty()) {
                let n: usize = n
                    .parse()
                    .map_err(|_| bad(raw, "expected *N with a number"))?;
                elems.push(Elem::Gap(n));
            } else if raw == "..." {
                elems.push(Elem::Content(8));
            } else if let Some(n) = raw.strip_prefix("...") {
                let n: usize = n
                    .parse()
                    .map_err(|_| bad(raw, "expected ...N with a number"))?;
                elems.push(Elem::Content(n));
            } else if raw.starts_with('{') {
                elems.push(match raw {
                    "{name}" => Elem::Name,
                    "{num}" => Elem::Num,
                    "{ord}" => Elem::Ord { min: 1 },
                    "{phone}" => Elem::Phone,
                    _ => {
                        let min = raw
                            .strip_prefix("{ord:")
                            .and_then(|r| r.strip_suffix("+}"))
                            .and_then(|n| n.parse().ok())
                            .ok_or_else(|| {
                                bad(
                                    raw,
                                    "unknown slot (known: {name} {num} {ord} {ord:N+} {phone})",
                                )
                            })?;
                        Elem::Ord { min }
                    }
                });
            } else {
                let (body, optional) = match raw.strip_suffix('?') {
                    Some(b) => (b, true),
                    None => (raw, false),
                };
                if body.contains('|') || body.ends_with('*') {
                    let mut alts = Vec::new();
                    for a in body.split('|') {
                        let (a, prefix) = match a.strip_suffix('*') {
                            Some(p) => (p, true),
                            None => (a, false),
                        };
                        let norm = text::normalize_word(a);
                        if norm.len() != 1 {
                            return Err(bad(
                                raw,
                                "each alternative must be one plain word (write \"i am\", not \"i'm\", inside a|b)",
                            ));
                        }
                        let w = norm.into_iter().next().unwrap();
                        alts.push(if prefix {
                            Alt::Prefix(w)
                        } else {
                            Alt::Exact(w)
                        });
                    }
                    elems.push(Elem::Word { alts, optional });
                } else {
                    let norm = text::normalize_word(body);
                    if norm.is_empty() {
                        return Err(bad(raw, "no word left after normalising"));
                    }
                    if optional && norm.len() > 1 {
                        return Err(bad(raw, "only a single word can be optional"));
                    }
                    for w in norm {
                        elems.push(Elem::Word {
                            alts: vec![Alt::Exact(w)],
                            optional,
                        });
                    }
                }
            }
        }
        if elems.is_empty() {
            return Err(PatternError::Empty);
        }
        if matches!(elems[0], Elem::Gap(_)) {
            return Err(bad(src, "a pattern cannot start with a gap"));
        }
        Ok(Pattern {
            source: src.to_string(),
            elems,
        })
    }

    /// Every non-overlapping match, left to right.
    pub fn find_all(&self, s: &TokenStream, lex: &Lexicon) -> Vec<Match> {
        let mut out = Vec::new();
        let mut i = 0;
        // Where the rest of the pattern cannot match, for the sentence at
        // hand: each is tried once, so gaps and optional words cost time in
        // proportion to their number, not to the number of ways to combine
        // them.
        let mut failed = Failed::default();
        while i < s.toks.len() {
            let sentence = s.toks[i].sentence;
            if failed.sentence != sentence {
                failed = Failed {
                    sentence,
                    ..Failed::default()
                };
            }
            let mut at = At {
                sentence,
                s,
                lex,
                failed: &mut failed.at,
                names: Vec::new(),
            };
            if let Some(end) = self.match_at(0, i, &mut at) {
                let names = at.names;
                let end = end.max(i + 1);
                out.push(Match {
                    toks: i..end,
                    names,
                });
                i = end;
            } else {
                i += 1;
            }
        }
        out
    }

    pub fn find_first(&self, s: &TokenStream, lex: &Lexicon) -> Option<Match> {
        self.find_all(s, lex).into_iter().next()
    }

    /// Where the pattern from element `ei` on, matched from token `ti`,
    /// ends; the names it captures go into `at.names`.
    fn match_at(&self, ei: usize, ti: usize, at: &mut At) -> Option<usize> {
        if at.failed.contains(&(ei, ti)) {
            return None;
        }
        let end = self.match_step(ei, ti, at);
        if end.is_none() {
            at.failed.insert((ei, ti));
        }
        end
    }

    /// One element of [`Self::match_at`], then the rest.
    fn match_step(&self, ei: usize, ti: usize, at: &mut At) -> Option<usize> {
        let (sentence, s, lex) = (at.sentence, at.s, at.lex);
        let Some(elem) = self.elems.get(ei) else {
            return Some(ti);
        };
        let toks = &s.toks;
        let tok_ok = |t: usize| t < toks.len() && toks[t].sentence == sentence;
        match elem {
            Elem::Word { alts, optional } => {
                if tok_ok(ti) && alts.iter().any(|a| alt_matches(a, &toks[ti].text)) {
                    if let Some(e) = self.match_at(ei + 1, ti + 1, at) {
                        return Some(e);
                    }
                }
                if *optional {
                    return self.match_at(ei + 1, ti, at);
                }
                None
            }
            Elem::Gap(n) => {
                for k in 0..=*n {
                    if k > 0 && !tok_ok(ti + k - 1) {
                        break;
                    }
                    if let Some(e) = self.match_at(ei + 1, ti + k, at) {
                        return Some(e);
                    }
                }
                None
            }
            Elem::Name => {
                if !tok_ok(ti) || !is_name_tok(&toks[ti], s.all_lower, lex) {
                    return None;
                }
                // The whole name first ("Renee Du Bois"), then shorter. Without
                // capitals to tell a name from the words after it, at most
                // first and last name.
                let most = if s.all_lower { 2 } else { NAME_WORDS };
                // Where the name may end: after each of its words, a word
                // with all its capitalised pieces ("Anne-Marie").
                let mut ends = Vec::new();
                let mut end = ti + 1;
                loop {
                    while tok_ok(end) && toks[end].word == toks[end - 1].word && toks[end].cap {
                        end += 1;
                    }
                    ends.push(end);
                    let more = ends.len() < most
                        && tok_ok(end)
                        && is_name_tok(&toks[end], s.all_lower, lex)
                        && !toks[end].comma_before
                        && toks[end].word != toks[end - 1].word;
                    if !more {
                        break;
                    }
                    end += 1;
                }
                for &end in ends.iter().rev() {
                    at.names.push(ti..end);
                    if let Some(e) = self.match_at(ei + 1, end, at) {
                        return Some(e);
                    }
                    at.names.pop();
                }
                None
            }
            Elem::Num => {
                let mut k = 0;
                while tok_ok(ti + k)
                    && text::is_number(&toks[ti + k].text)
                    && toks[ti + k].phone.is_none()
                {
                    k += 1;
                }
                // Longest number first ("twenty five years"), then shorter.
                while k > 0 {
                    if let Some(e) = self.match_at(ei + 1, ti + k, at) {
                        return Some(e);
                    }
                    k -= 1;
                }
                None
            }
            Elem::Ord { min } => {
                if tok_ok(ti)
                    && text::ordinal_value(&toks[ti].text).is_some_and(|v| v >= *min)
                    && text::is_ordinal(&toks[ti].text)
                {
                    return self.match_at(ei + 1, ti + 1, at);
                }
                None
            }
            Elem::Phone => {
                let p = toks.get(ti).and_then(|t| t.phone)?;
                let mut k = ti;
                while k < toks.len() && toks[k].phone == Some(p) {
                    k += 1;
                }
                self.match_at(ei + 1, k, at)
            }
            Elem::Content(n) => {
                let mut last_content = None;
                for k in 0..*n {
                    if !tok_ok(ti + k) {
                        break;
                    }
                    let t = &toks[ti + k];
                    if !lex.not_content.contains(&t.text) {
                        last_content = Some(ti + k);
                    }
                }
                let end = last_content? + 1;
                self.match_at(ei + 1, end, at)
            }
        }
    }
}

/// What a match in one sentence reads, and the (element, token) pairs
/// already known not to match there.
struct At<'a, 'b> {
    sentence: usize,
    s: &'a TokenStream,
    lex: &'a Lexicon,
    failed: &'b mut HashSet<(usize, usize)>,
    /// Token ranges captured by `{name}` so far.
    names: Vec<Range<usize>>,
}

/// The failures of [`At`], kept while the sentence stays the same.
#[derive(Default)]
struct Failed {
    sentence: usize,
    at: HashSet<(usize, usize)>,
}

fn alt_matches(a: &Alt, t: &str) -> bool {
    match a {
        Alt::Exact(w) => w == t,
        Alt::Prefix(p) => t.starts_with(p.as_str()),
    }
}

/// The most words `{name}` takes: first, middle or a surname in two words.
const NAME_WORDS: usize = 3;

fn is_name_tok(t: &Tok, all_lower: bool, lex: &Lexicon) -> bool {
    // Without capitals to go by, at least keep verbs and adverbs ("i am
    // researching", "this is really") from being taken for names.
    let wordish = all_lower && ["ing", "ed", "ly"].iter().any(|s| t.text.ends_with(s));
    (t.cap || all_lower)
        && !wordish
        && t.phone.is_none()
        && t.text.chars().all(|c| c.is_alphabetic())
        && t.text.chars().count() >= 2
        && !lex.not_name.contains(&t.text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcribe::Word;

    fn stream(s: &str) -> TokenStream {
        let words: Vec<Word> = s
            .split_whitespace()
            .enumerate()
            .map(|(i, t)| Word {
                text: t.into(),
                start_s: i as f64,
                end_s: i as f64 + 0.5,
                confidence: 1.0,
            })
            .collect();
        TokenStream::build(&words, |_| false, |_| None)
    }

    fn lex() -> Lexicon {
        Lexicon {
            not_name: ["i", "thanks", "hi", "calling"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            not_content: ["the", "a", "job", "position", "sales", "for", "about"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }

    /// Many gaps or optional words, none of which can end in a match, on a
    /// long sentence: each (element, word) pair is tried once. Before, 25
    /// gaps or 30 optional words over 300 words ran past a minute; the bound
    /// leaves a wide margin for a slow machine.
    #[test]
    fn gaps_and_optional_words_cost_time_in_proportion() {
        let alphas = vec!["alpha"; 300].join(" ");
        let gaps = format!("alpha {} zzz", vec!["*"; 25].join(" "));
        let optional = format!("{} zzz", vec!["alpha?"; 30].join(" "));
        for p in [gaps, optional] {
            let started = std::time::Instant::now();
            assert_eq!(hit(&p, &alphas), None);
            let took = started.elapsed();
            assert!(took.as_secs_f64() < 10.0, "{took:?} for {p}");
        }
        // What they match is unchanged.
        assert_eq!(
            hit("alpha * zzz", "x alpha b c zzz y").as_deref(),
            Some("alpha b c zzz")
        );
    }

    fn hit(p: &str, s: &str) -> Option<String> {
        let st = stream(s);
        Pattern::parse(p).unwrap().find_first(&st, &lex()).map(|m| {
            st.toks[m.toks]
                .iter()
                .map(|t| t.text.clone())
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    #[test]
    fn literal_patterns_match_through_contractions_and_case() {
        assert_eq!(
            hit("I'll call you", "Okay, I will call you Friday."),
            Some("i will call you".into())
        );
        assert_eq!(
            hit("i will call you", "I'll CALL you."),
            Some("i will call you".into())
        );
    }

    #[test]
    fn gaps_are_bounded_and_stay_in_one_sentence() {
        assert!(hit("make sure * received", "to make sure that you received it").is_some());
        assert!(hit("make sure *1 received", "to make sure that you received it").is_none());
        assert!(hit("call * tomorrow", "I will call. Tomorrow is fine").is_none());
    }

    #[test]
    fn name_slot_takes_capitalised_words_only() {
        assert_eq!(
            hit("this is {name}", "Hi, this is Dana Whitfield."),
            Some("this is dana whitfield".into())
        );
        assert_eq!(
            hit("this is {name}", "This is Renee Du Bois. My number"),
            Some("this is renee du bois".into())
        );
        assert_eq!(hit("this is {name}", "This is about the job"), None);
        assert_eq!(hit("i am {name}", "I'm Calling about"), None);
    }

    #[test]
    fn content_slot_needs_more_than_generic_words() {
        assert!(hit("calling about ...", "I'm calling about the sales position.").is_none());
        assert_eq!(
            hit(
                "calling about ...",
                "calling about the coatings chemist job"
            ),
            Some("calling about the coatings chemist".into())
        );
    }

    #[test]
    fn alternation_prefix_optional_and_ordinals() {
        assert!(hit("recommend*|suggest* i call", "Omar suggested I call you").is_some());
        assert!(hit("my really? good friend", "my good friend").is_some());
        assert!(hit("{ord:3+} time", "this is the fourth time").is_some());
        assert!(hit("{ord:3+} time", "this is the second time").is_none());
        assert!(hit("{num} years", "twenty five years of work").is_some());
    }

    #[test]
    fn bad_patterns_are_reported() {
        assert!(Pattern::parse("* hello").is_err());
        assert!(Pattern::parse("{bogus}").is_err());
        assert!(Pattern::parse("i'm|i").is_err());
    }
}
