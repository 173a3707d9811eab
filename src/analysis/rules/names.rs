//! Who is calling: the caller's name wherever it stands in the opening,
//! and whether it matches the name expected.

use std::ops::Range;

use super::checks::{outcome, Ctx, Outcome};
use super::pattern::Match;
use super::text::normalize_text;
use super::Rule;
use crate::analysis::finding::Status;

/// A Soundex-like key whose first letter is spelled by sound (c/q -> k,
/// ph -> f, z -> s), so "Catherine" and "Katherine", "Shawn" and "Sean"
/// share a key while "Tom" and "Dana" do not.
fn sound_key(s: &str) -> String {
    fn code(c: char) -> char {
        match c {
            'b' | 'f' | 'p' | 'v' => '1',
            'c' | 'g' | 'j' | 'k' | 'q' | 's' | 'x' | 'z' => '2',
            'd' | 't' => '3',
            'l' => '4',
            'm' | 'n' => '5',
            'r' => '6',
            _ => '0',
        }
    }
    let s = s.replace("ph", "f").replace("sh", "s").replace("ck", "k");
    let mut key = String::new();
    let mut last = ' ';
    for (i, c) in s.chars().enumerate() {
        let k = code(c);
        if i == 0 {
            key.push(match c {
                'c' | 'q' => 'k',
                'z' => 's',
                other => other,
            });
        } else if k != '0' && k != last {
            key.push(k);
        }
        last = if matches!(c, 'h' | 'w') { last } else { k };
        if key.len() >= 4 {
            break;
        }
    }
    key
}

/// Does a heard name agree with the expected one? Any heard word close to
/// any expected word: a small edit distance for its length, or the same sound key.
pub fn name_matches(heard: &[String], expected: &[String]) -> bool {
    heard.iter().any(|h| {
        expected.iter().filter(|e| e.chars().count() >= 2).any(|e| {
            let n = e.chars().count().max(h.chars().count());
            let allowed = match n {
                0..=4 => 1,
                5..=8 => 2,
                _ => 3,
            };
            strsim::levenshtein(h, e) <= allowed || (h.len() >= 3 && sound_key(h) == sound_key(e))
        })
    })
}

/// The caller's own name: what the rule's patterns capture ("this is
/// {name}", "{name} here"), else a name said on its own in the opening
/// ("Hi Tom, Sam Ortiz, 704-..."). A first name alone is a warning.
pub(super) fn self_name(rule: &Rule, cx: &Ctx) -> Outcome {
    let greetings = cx.rules.vocab("greetings");
    let toks = &cx.stream.toks;
    // Candidates: (match, name tokens).
    let mut cands: Vec<(Match, Option<Range<usize>>)> = Vec::new();
    // Overlaps kept: in "Hi Mister Cole, here is Yuki Tanaka" the listener's
    // "Cole, here" must not hide the caller's "here is Yuki Tanaka".
    for m in cx.overlapping_matches(&rule.patterns) {
        let name = m.names.first().cloned();
        if let Some(n) = &name {
            // "Hi Dana, ..." names the listener, not the caller ("Hi,
            // Dana Lee here" does not).
            if n.start > 0
                && greetings.contains(&toks[n.start - 1].text)
                && toks[n.start - 1].sentence == toks[n.start].sentence
                && !toks[n.start].comma_before
            {
                continue;
            }
        }
        cands.push((m, name));
    }
    cands.extend(bare_names(cx, &greetings).into_iter().map(|n| {
        let m = Match {
            toks: n.clone(),
            names: vec![n.clone()],
        };
        (m, Some(n))
    }));
    let expected: Vec<String> = cx.expect_name.map(normalize_text).unwrap_or_default();
    let pass_with = |m: &Match, name: Range<usize>| {
        let ev = cx.toks_evidence(m.toks.clone()).into_iter().collect();
        let shown = cx.raw_text(name.clone());
        let titled = name.len() > 1 && is_title(&toks[name.start]);
        let partial = words_in(toks, &name) - usize::from(titled) == 1 && expected.len() != 1;
        let key = if titled { "title-only" } else { "first-only" };
        let key = [key, "first-only"]
            .into_iter()
            .find(|k| rule.spec.messages.contains_key(*k));
        match key {
            Some(key) if partial => outcome(rule, Status::Warn, key, &[("name", shown)], ev),
            _ => outcome(rule, Status::Pass, "pass", &[("name", shown)], ev),
        }
    };
    if expected.is_empty() {
        return match cands.first() {
            Some((m, Some(n))) => match said_again_in_full(toks, n, &cands) {
                Some((m, full)) => pass_with(m, full),
                None => pass_with(m, n.clone()),
            },
            Some((m, None)) => pass_with(m, m.toks.start..m.toks.start),
            None => outcome(rule, Status::Fail, "miss", &[], Vec::new()),
        };
    }
    for (m, n) in &cands {
        let heard: Vec<String> = match n {
            Some(n) => toks[n.clone()].iter().map(|t| t.text.clone()).collect(),
            None => continue,
        };
        if name_matches(&heard, &expected) {
            return pass_with(m, n.clone().unwrap());
        }
    }
    // The expected name anywhere (said without an introduction phrase, or
    // capitalised oddly by the transcriber) still identifies the caller.
    let any = toks.iter().position(|t| {
        t.phone.is_none()
            && t.text.len() >= 2
            && name_matches(std::slice::from_ref(&t.text), &expected)
    });
    if let Some(i) = any {
        let m = Match {
            toks: i..i + 1,
            names: vec![],
        };
        let end = (i + 1..toks.len())
            .take_while(|&j| {
                j < i + 3 && name_matches(std::slice::from_ref(&toks[j].text), &expected)
            })
            .last()
            .map_or(i + 1, |j| j + 1);
        return pass_with(&m, i..end);
    }
    let expected_shown = cx.expect_name.unwrap_or_default().to_string();
    match cands.iter().find_map(|(m, n)| n.clone().map(|n| (m, n))) {
        Some((m, n)) => {
            let vars = [("heard", cx.raw_text(n)), ("expected", expected_shown)];
            let st = if rule.param("mismatch_warns", 0.0) > 0.0 {
                Status::Warn
            } else {
                Status::Fail
            };
            outcome(
                rule,
                st,
                "mismatch",
                &vars,
                cx.toks_evidence(m.toks.clone()).into_iter().collect(),
            )
        }
        None => outcome(
            rule,
            Status::Fail,
            "miss",
            &[("expected", expected_shown)],
            Vec::new(),
        ),
    }
}

/// How many words of the transcript a name's tokens come from: "Anne-Marie"
/// is one word of two tokens.
fn words_in(toks: &[super::text::Tok], name: &Range<usize>) -> usize {
    let mut words: Vec<usize> = toks[name.clone()].iter().map(|t| t.word).collect();
    words.dedup();
    words.len()
}

/// Forms of address: the name after one is a surname ("Mr. Thorne").
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "mx", "dr", "prof", "miss", "mister", "missus",
];

fn is_title(t: &super::text::Tok) -> bool {
    t.cap && TITLES.contains(&t.text.as_str())
}

/// How far after a first name alone the caller may say it again in full.
const SAID_AGAIN_WITHIN: usize = 4;

/// A partial name (`first`: a first name alone, or a title and surname)
/// that the caller goes on to say in full: right after it ("this is Bella,
/// um, Isabella Russo"; "I am Mr. Nakamura, Hiroshi Nakamura"), or a few
/// words on with the same first name ("Hailey? Hailey Dunn?"). The
/// candidate that holds the full name.
fn said_again_in_full<'a>(
    toks: &[super::text::Tok],
    first: &Range<usize>,
    cands: &'a [(Match, Option<Range<usize>>)],
) -> Option<(&'a Match, Range<usize>)> {
    let titled = first.len() > 1 && is_title(&toks[first.start]);
    if words_in(toks, first) - usize::from(titled) != 1 {
        return None;
    }
    cands.iter().find_map(|(m, n)| {
        let n = n.clone()?;
        let same_name = toks[n.start].text == toks[first.start].text;
        let again = words_in(toks, &n) >= 2
            && n.start >= first.end
            && (n.start == first.end || (same_name && n.start <= first.end + SAID_AGAIN_WITHIN));
        again.then_some((m, n))
    })
}

/// The opening: clauses that start within this many tokens.
const OPENING_TOKS: usize = 16;

/// Names said on their own in the opening: a clause (between sentence
/// starts, commas and the number) of two or three capitalised words that
/// are not common words (or of one, a first name, right before the
/// number), not after a greeting ("Hi Laura," is the listener), nor after
/// a form of address ("Good afternoon, Mr. Hargrove."). The clause may go
/// on with "for" and whom the call is for ("Greta Holm for Mr.
/// Castellano"), or end in "at" before the number ("Hank Sorensen at
/// 775-...").
fn bare_names(cx: &Ctx, greetings: &std::collections::HashSet<String>) -> Vec<Range<usize>> {
    let toks = &cx.stream.toks;
    if cx.stream.all_lower {
        return Vec::new();
    }
    let bound = |i: usize| {
        i == 0
            || toks[i].comma_before
            || toks[i].sentence != toks[i - 1].sentence
            || toks[i].phone.is_some() != toks[i - 1].phone.is_some()
    };
    let is_name = |t: &super::text::Tok| {
        t.cap && t.phone.is_none() && !cx.rules.lexicon.not_name.contains(&t.text)
    };
    let mut out = Vec::new();
    let mut start = 0;
    while start < toks.len().min(OPENING_TOKS) {
        let end = (start + 1..toks.len())
            .find(|&i| bound(i))
            .unwrap_or(toks.len());
        let after_greeting = start > 0
            && greetings.contains(&toks[start - 1].text)
            && toks[start - 1].sentence == toks[start].sentence
            && !toks[start].comma_before;
        let named = toks[start..end].iter().take_while(|t| is_name(t)).count();
        let rest = start + named;
        let goes_on = rest == end
            || toks[rest].text == "for"
            || (toks[rest].text == "at"
                && rest + 1 == end
                && toks.get(end).is_some_and(|t| t.phone.is_some()));
        // A first name alone counts only right before the number ("Hey
        // Gloria, Sean, 401-..."): elsewhere one capitalised word is too
        // often something else.
        let before_number = rest == end && toks.get(end).is_some_and(|t| t.phone.is_some());
        let enough = (2..=3).contains(&named) || (named == 1 && before_number);
        if enough && goes_on && !after_greeting && !is_title(&toks[start]) {
            out.push(start..rest);
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn misspelt_names_still_match() {
        assert!(name_matches(&s(&["katherine"]), &s(&["catherine", "ruiz"])));
        assert!(name_matches(&s(&["sean"]), &s(&["shawn"])));
        assert!(name_matches(&s(&["jon"]), &s(&["john"])));
        assert!(name_matches(&s(&["okonkwo"]), &s(&["adaeze", "okonkow"])));
        assert!(!name_matches(&s(&["marcus"]), &s(&["priya"])));
        assert!(!name_matches(&s(&["tom"]), &s(&["dana"])));
    }
}
