//! Is a role named specifically? "A sales position" and "an engineer job in
//! Houston" name a profession; "industrial sales of paints and coatings in
//! Ohio" and "a controls engineer for food packaging lines" name a specialty
//! and a detail.
//!
//! Around every profession word ("chemist", "sales") and job word
//! ("position", "opening") the words of the same clause are read for facets:
//! a *specialty* (a content word right before the profession: "formulation
//! chemist", "inside sales"), an *industry or product* (content after a link
//! word: "for food packaging", "of paints"), a *place* (a capitalised word
//! after a link: "in Charlotte"; or "remote") and a *level* ("senior"). A
//! mention is specific with at least two facets, one of them a specialty or
//! an industry/product: place and level alone do not make a profession
//! specific. The word lists come from the rules file's vocabulary.

use std::collections::HashSet;
use std::ops::Range;

use super::text::{is_number, Tok, TokenStream};
use super::RuleSet;

/// Vocabulary lists the check reads.
pub const VOCABULARY_LISTS: &[&str] = &[
    "professions",
    "job_nouns",
    "levels",
    "detail_links",
    "location_words",
    "not_specialty",
    "role_stop",
    "stopwords",
    "generic_words",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    Specialty,
    Industry,
    Place,
    Level,
}

/// A mention of a role and what was said about it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleMention {
    /// Tokens from the first to the last word that describes the role.
    pub toks: Range<usize>,
    pub facets: Vec<Facet>,
}

impl RoleMention {
    pub fn is_specific(&self) -> bool {
        self.facets.len() >= 2
            && self
                .facets
                .iter()
                .any(|f| matches!(f, Facet::Specialty | Facet::Industry))
    }
}

struct Lists {
    professions: HashSet<String>,
    job_nouns: HashSet<String>,
    levels: HashSet<String>,
    links: HashSet<String>,
    places: HashSet<String>,
    not_specialty: HashSet<String>,
    stop: HashSet<String>,
    stopwords: HashSet<String>,
    generic: HashSet<String>,
}

impl Lists {
    fn is_profession(&self, t: &str) -> bool {
        self.professions.contains(t)
            || t.strip_suffix('s')
                .is_some_and(|s| self.professions.contains(s))
            || t.strip_suffix("es")
                .is_some_and(|s| self.professions.contains(s))
    }
    fn is_job(&self, t: &str) -> bool {
        self.job_nouns.contains(t)
            || t.strip_suffix('s')
                .is_some_and(|s| self.job_nouns.contains(s))
    }
    fn is_content(&self, t: &str) -> bool {
        !self.not_specialty.contains(t)
            && !self.stopwords.contains(t)
            && !self.generic.contains(t)
            && !self.stop.contains(t)
            && !self.links.contains(t)
            && !self.is_job(t)
            && !is_number(t)
            && t.chars().all(|c| c.is_alphabetic())
    }
}

/// The level, specialty and place words right before anchor `a` (at most
/// three, in the same clause), nearest first; and where the mention starts.
fn facets_before(toks: &[Tok], a: usize, is_prof: bool, l: &Lists) -> (usize, Vec<Facet>) {
    let sentence = toks[a].sentence;
    let mut facets = Vec::new();
    let mut first = a;
    let mut b = a;
    while b > 0 && a - b < 3 {
        let p = &toks[b - 1];
        if p.sentence != sentence || p.phone.is_some() || toks[b].comma_before {
            break;
        }
        let pt = p.text.as_str();
        if l.levels.contains(pt) {
            facets.push(Facet::Level);
        } else if l.is_profession(pt) {
            if is_prof {
                facets.push(Facet::Specialty);
            }
        } else if l.places.contains(pt) {
            facets.push(Facet::Place);
        } else if l.is_content(pt) {
            facets.push(Facet::Specialty);
        } else {
            break;
        }
        b -= 1;
        first = b;
    }
    (first, facets)
}

/// The level, place and industry words after anchor `a` within its clause
/// ("engineer at a packaging plant in Portland"); and where the mention ends.
fn facets_after(s: &TokenStream, a: usize, l: &Lists) -> (usize, Vec<Facet>) {
    let toks = &s.toks;
    let sentence = toks[a].sentence;
    let mut facets = Vec::new();
    let mut last = a;
    // Words after it, within the clause.
    let limit = (a + 12).min(toks.len());
    let mut i = a + 1;
    while i < limit
        && toks[i].sentence == sentence
        && !toks[i].comma_before
        && (l.is_job(&toks[i].text) || l.is_profession(&toks[i].text))
    {
        i += 1;
    }
    while i < limit {
        let tk = &toks[i];
        if tk.sentence != sentence || tk.phone.is_some() || l.stop.contains(&tk.text) {
            break;
        }
        if tk.comma_before && i > a + 1 && !l.links.contains(&tk.text) {
            break;
        }
        let tt = tk.text.as_str();
        if l.levels.contains(tt) {
            facets.push(Facet::Level);
            last = i;
            i += 1;
            continue;
        }
        if l.places.contains(tt) {
            facets.push(Facet::Place);
            last = i;
            i += 1;
            continue;
        }
        if !l.links.contains(tt) {
            i += 1;
            continue;
        }
        // A link word: look past further links and determiners at what it introduces.
        let mut j = i + 1;
        while j < limit
            && toks[j].sentence == sentence
            && (l.links.contains(&toks[j].text) || l.not_specialty.contains(&toks[j].text))
            && !l.is_content(&toks[j].text)
        {
            j += 1;
        }
        if j >= limit || toks[j].sentence != sentence || toks[j].phone.is_some() {
            break;
        }
        let head = &toks[j];
        let ht = head.text.as_str();
        if l.levels.contains(ht) {
            facets.push(Facet::Level);
        } else if l.places.contains(ht) || (head.cap && !s.all_lower && !l.stopwords.contains(ht)) {
            // "remote", "northeast", or a capitalised name: "in Charlotte", "at Acme".
            facets.push(Facet::Place);
        } else if l.is_profession(ht) {
            // "the opening for a chemist": the profession itself is no facet.
        } else if l.is_content(ht) {
            facets.push(Facet::Industry);
        } else {
            break;
        }
        // The words that go with it ("food packaging lines", "San Jose").
        let mut k = j + 1;
        while k < limit
            && toks[k].sentence == sentence
            && !toks[k].comma_before
            && toks[k].phone.is_none()
            && !l.links.contains(&toks[k].text)
            && !l.stop.contains(&toks[k].text)
            && (l.is_content(&toks[k].text)
                || (toks[k].cap && !s.all_lower)
                || l.places.contains(&toks[k].text))
        {
            k += 1;
        }
        last = k - 1;
        i = k;
    }
    (last, facets)
}

/// Every role mention in the stream, in order.
pub fn role_mentions(s: &TokenStream, rules: &RuleSet) -> Vec<RoleMention> {
    let l = Lists {
        professions: rules.vocab("professions"),
        job_nouns: rules.vocab("job_nouns"),
        levels: rules.vocab("levels"),
        links: rules.vocab("detail_links"),
        places: rules.vocab("location_words"),
        not_specialty: rules.vocab("not_specialty"),
        stop: rules.vocab("role_stop"),
        stopwords: rules.vocab("stopwords"),
        generic: rules.vocab("generic_words"),
    };
    let toks = &s.toks;
    let mut out = Vec::new();
    for a in 0..toks.len() {
        let t = &toks[a].text;
        if toks[a].phone.is_some() {
            continue;
        }
        let is_prof = l.is_profession(t);
        let is_job = !is_prof && l.is_job(t);
        if !is_prof && !is_job {
            continue;
        }
        // A job word right after a profession ("sales position") belongs to that mention.
        if is_job
            && a > 0
            && l.is_profession(&toks[a - 1].text)
            && toks[a - 1].sentence == toks[a].sentence
        {
            continue;
        }
        let (first, mut facets) = facets_before(toks, a, is_prof, &l);
        let (last, after) = facets_after(s, a, &l);
        facets.extend(after);
        out.push(RoleMention {
            toks: first..last + 1,
            facets,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::script::estimate_words;

    fn specific(s: &str) -> bool {
        let rs = RuleSet::default_rules();
        let words = estimate_words(s, 150.0);
        let st = TokenStream::build(&words, |_| false, |_| None);
        role_mentions(&st, &rs).iter().any(|m| m.is_specific())
    }

    #[test]
    fn professions_alone_are_not_specific() {
        assert!(!specific("I saw your posting for a sales position."));
        assert!(!specific("I'm calling about the job."));
        assert!(!specific("I'm interested in an engineer job in Houston."));
        assert!(!specific("I'm applying for a position with your company."));
        assert!(!specific("It's for a senior engineer in Houston."));
    }

    #[test]
    fn a_specialty_with_a_detail_is_specific() {
        assert!(specific(
            "I do industrial sales of paints and coatings in Ohio."
        ));
        assert!(specific("You need a formulation chemist in Charlotte."));
        assert!(specific(
            "I'm a controls engineer for food packaging lines."
        ));
        assert!(specific(
            "I saw the opening for a payroll accountant in your Tulsa office."
        ));
        assert!(specific("I'm a senior hydraulic technician."));
    }
}
