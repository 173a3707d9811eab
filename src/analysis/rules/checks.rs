//! The code behind each kind of check. A check reads the rule's data
//! (patterns, thresholds, messages) and the message, and returns an
//! [`Outcome`].

use std::collections::HashMap;
use std::ops::Range;

use super::names;
use super::pattern::Match;
use super::role::role_mentions;
use super::text::TokenStream;
use super::voice;
use super::{Check, Metric, Rule, RuleSet};
use crate::analysis::finding::{Evidence, Kind, Status};
use crate::analysis::meaning::Reading;
use crate::analysis::metrics::Delivery;
use crate::analysis::phone;
use crate::analysis::phone::PhoneNumber;
use crate::analysis::prosody::Prosody;
use crate::transcribe::Word;

/// Everything a check may look at.
pub struct Ctx<'a> {
    pub rules: &'a RuleSet,
    pub words: &'a [Word],
    pub stream: &'a TokenStream,
    pub phones: &'a [PhoneNumber],
    pub delivery: &'a Delivery,
    pub kind: Kind,
    pub attempt: u32,
    pub expect_number: Option<&'a str>,
    pub expect_name: Option<&'a str>,
    /// The voice (None for a written script).
    pub prosody: Option<&'a Prosody>,
    /// How close each sentence is to each rule's examples (None without
    /// the sentence model).
    pub reading: Option<&'a Reading>,
}

/// The most words a quote runs on past its match to reach the end of the
/// phrase.
const PHRASE_MORE: usize = 10;

/// What a rule found, before it is turned into a [`crate::analysis::Finding`].
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    pub message: String,
    pub evidence: Vec<Evidence>,
    pub advice: Option<String>,
}

impl Ctx<'_> {
    pub(super) fn words_evidence(&self, r: Range<usize>) -> Option<Evidence> {
        if r.is_empty() || r.end > self.words.len() {
            return None;
        }
        let ws = &self.words[r];
        Some(Evidence {
            text: ws
                .iter()
                .map(|w| w.text.trim())
                .collect::<Vec<_>>()
                .join(" "),
            start_s: ws[0].start_s,
            end_s: ws[ws.len() - 1].end_s,
            heard_as: None,
        })
    }

    /// The words of a match, carried on to the end of their phrase: a
    /// pattern stops at the least that proves the point ("Thank", "would
    /// value"), a quote should read as what was said ("Thank you for your
    /// time.").
    pub(super) fn toks_evidence(&self, r: Range<usize>) -> Option<Evidence> {
        let words = self.stream.word_range(r);
        let (end, cut) = self.phrase_end(words.clone());
        let mut ev = self.words_evidence(words.start..end)?;
        if cut {
            ev.text.push_str(" …");
        }
        Some(ev)
    }

    /// Where the phrase holding `words` ends: after the first word that
    /// closes a clause (a comma, a full stop...), before a phone number, or
    /// after [`PHRASE_MORE`] more words, which leaves it cut (`true`).
    fn phrase_end(&self, words: Range<usize>) -> (usize, bool) {
        let closes = |i: usize| {
            self.words[i]
                .text
                .trim_end()
                .ends_with([',', '.', ';', ':', '!', '?', '…'])
        };
        let in_number = |i: usize| self.phones.iter().any(|p| p.word_range.contains(&i));
        let mut end = words.end.min(self.words.len());
        while end > words.start && end < self.words.len() && !closes(end - 1) {
            if in_number(end) || end - words.end >= PHRASE_MORE {
                return (end, !in_number(end));
            }
            end += 1;
        }
        (end, false)
    }

    /// Evidence for the first `n` token ranges.
    fn evidence_of(&self, ranges: impl Iterator<Item = Range<usize>>, n: usize) -> Vec<Evidence> {
        ranges
            .take(n)
            .filter_map(|r| self.toks_evidence(r))
            .collect()
    }

    /// The number's words, and the digits reported where they differ.
    fn phone_evidence(&self, p: &PhoneNumber) -> Evidence {
        let words = self.words_evidence(p.word_range.clone());
        Evidence {
            heard_as: p.heard_as(),
            ..words.unwrap_or(Evidence {
                text: p.text.clone(),
                start_s: p.start_s,
                end_s: p.end_s,
                heard_as: None,
            })
        }
    }

    /// The token ranges of the sentences that meet `rule` by
    /// meaning, closest first.
    fn meant(&self, rule: &Rule) -> Vec<Range<usize>> {
        self.reading
            .map(|r| {
                r.hits(&rule.spec.id)
                    .into_iter()
                    .map(|u| u.toks.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What the rule's patterns match, then (when none does) the pieces
    /// that meet it by meaning; neither where an `unless` phrase matches.
    fn found(&self, rule: &Rule) -> Vec<Range<usize>> {
        let not: Vec<Range<usize>> = self
            .overlapping_matches(&rule.unless)
            .into_iter()
            .map(|m| m.toks)
            .collect();
        let counts = |r: &Range<usize>| !not.iter().any(|n| n.start < r.end && r.start < n.end);
        let ms: Vec<Range<usize>> = self
            .matches(&rule.patterns)
            .into_iter()
            .map(|m| m.toks)
            .filter(counts)
            .collect();
        if ms.is_empty() {
            self.meant(rule).into_iter().filter(counts).collect()
        } else {
            ms
        }
    }

    pub(super) fn matches(&self, pats: &[super::pattern::Pattern]) -> Vec<Match> {
        // Drop matches inside an earlier, longer one.
        let mut out: Vec<Match> = Vec::new();
        for m in self.overlapping_matches(pats) {
            if out.last().is_some_and(|l| m.toks.start < l.toks.end) {
                continue;
            }
            out.push(m);
        }
        out
    }

    /// Every match of the patterns, in order of where it starts (longest
    /// first), overlaps kept.
    pub(super) fn overlapping_matches(&self, pats: &[super::pattern::Pattern]) -> Vec<Match> {
        let mut all: Vec<Match> = pats
            .iter()
            .flat_map(|p| p.find_all(self.stream, &self.rules.lexicon))
            .collect();
        all.sort_by_key(|m| (m.toks.start, std::cmp::Reverse(m.toks.end)));
        all
    }

    /// The words of a token range as written, without surrounding punctuation ("Marcus Bell").
    pub(super) fn raw_text(&self, r: Range<usize>) -> String {
        let wr = self.stream.word_range(r);
        self.words[wr]
            .iter()
            .map(|w| w.text.trim_matches(|c: char| !c.is_alphanumeric()))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

pub(super) fn outcome(
    rule: &Rule,
    status: Status,
    key: &str,
    vars: &[(&str, String)],
    evidence: Vec<Evidence>,
) -> Outcome {
    let advice = if matches!(status, Status::Fail | Status::Warn) {
        rule.advice(key, vars)
    } else {
        None
    };
    Outcome {
        status,
        message: rule.message(key, vars),
        evidence,
        advice,
    }
}

/// Evaluate one rule. `done` holds the raw status of rules already
/// evaluated (logic checks read it through the rule's `uses`).
pub fn evaluate(rule: &Rule, cx: &Ctx, done: &HashMap<String, Status>) -> Outcome {
    match rule.spec.check {
        Check::Present => present(rule, cx),
        Check::Absent => absent(rule, cx),
        Check::Bands => bands(rule, cx),
        Check::Notice => {
            let vars = [("attempt", cx.attempt.to_string())];
            outcome(rule, Status::Warn, "notice", &vars, Vec::new())
        }
        Check::SelfName => names::self_name(rule, cx),
        Check::NumberEarly => number_early(rule, cx),
        Check::NumberComplete => number_complete(rule, cx),
        Check::NumberRepeated => number_repeated(rule, cx),
        Check::NumberPace => number_pace(rule, cx),
        Check::FollowUp => follow_up(rule, cx),
        Check::SpecificRole => specific_role(rule, cx),
        Check::BareCallback | Check::GenericInterest => backed_by_others(rule, cx, done),
        Check::Monotone => {
            let sd_limit = cx.rules.file.prosody.monotone_sd_semitones;
            from_verdict(rule, voice::monotone(rule, cx.prosody, sd_limit))
        }
        Check::Uptalk => from_verdict(rule, voice::uptalk(rule, cx.prosody)),
    }
}

fn from_verdict(rule: &Rule, v: voice::Verdict) -> Outcome {
    outcome(rule, v.status, v.key, &v.vars, v.evidence)
}

fn present(rule: &Rule, cx: &Ctx) -> Outcome {
    let ms = cx.found(rule);
    if ms.is_empty() {
        let st = rule.spec.miss.unwrap_or(Status::Fail);
        return outcome(rule, st, "miss", &[], Vec::new());
    }
    let ev: Vec<Evidence> = cx.evidence_of(ms.into_iter(), 3);
    let vars = [("phrase", first_text(&ev))];
    outcome(rule, Status::Pass, "pass", &vars, ev)
}

fn absent(rule: &Rule, cx: &Ctx) -> Outcome {
    let ms = cx.found(rule);
    if ms.is_empty() {
        return outcome(rule, Status::Pass, "pass", &[], Vec::new());
    }
    let ev: Vec<Evidence> = cx.evidence_of(ms.into_iter(), 5);
    let vars = [("phrase", first_text(&ev))];
    outcome(rule, Status::Fail, "hit", &vars, ev)
}

/// The value of a metric and how it is shown; None when it needs the
/// audio and there is none, or the audio did not give it.
fn metric_value(m: Metric, d: &Delivery, p: Option<&Prosody>) -> Option<(f64, String)> {
    Some(match m {
        Metric::SpeechS => (d.speech_s, format!("{:.0}", d.speech_s)),
        Metric::WordsPerMinute => (d.words_per_minute, format!("{:.0}", d.words_per_minute)),
        Metric::FillersPer100 => (
            d.fillers_per_100_words,
            format!("{:.1}", d.fillers_per_100_words),
        ),
        Metric::DigitsPerSecond => (0.0, String::new()),
        Metric::VolumeSdDb => {
            let v = p?.volume_sd_db?;
            (v, format!("{v:.1}"))
        }
    })
}

fn bands(rule: &Rule, cx: &Ctx) -> Outcome {
    let metric = rule.spec.metric.unwrap_or(Metric::SpeechS);
    let min_words = rule.param("min_words", 0.0);
    if (cx.delivery.spoken_words as f64) < min_words {
        let vars = [("count", cx.delivery.spoken_words.to_string())];
        return outcome(rule, Status::Skip, "few-words", &vars, Vec::new());
    }
    let Some((v, shown)) = metric_value(metric, cx.delivery, cx.prosody) else {
        let key = if cx.prosody.is_some() {
            "no-voice"
        } else {
            "skip"
        };
        return outcome(rule, Status::Skip, key, &[], Vec::new());
    };
    let evidence = match metric {
        Metric::FillersPer100 => filler_evidence(cx),
        _ => span_evidence(cx).into_iter().collect(),
    };
    band_outcome(rule, v, &shown, evidence)
}

/// The transcript's fillers and the ones only the voice gave away, in
/// the order they were said.
fn filler_evidence(cx: &Ctx) -> Vec<Evidence> {
    let heard = cx.prosody.into_iter().flat_map(|p| &p.acoustic_fillers);
    let mut ev: Vec<Evidence> = cx
        .delivery
        .fillers
        .iter()
        .map(|f| (f.text.clone(), f.start_s, f.end_s))
        .chain(
            heard
                .filter(|f| !f.in_transcript)
                .map(|f| ("(filled pause)".to_string(), f.start_s, f.end_s)),
        )
        .map(|(text, start_s, end_s)| Evidence {
            text,
            start_s,
            end_s,
            heard_as: None,
        })
        .collect();
    ev.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    ev.truncate(12);
    ev
}

fn band_outcome(rule: &Rule, v: f64, shown: &str, evidence: Vec<Evidence>) -> Outcome {
    let Some(b) = rule.band_for(v) else {
        return Outcome {
            status: Status::Skip,
            message: format!("{}: no band for {shown}", rule.spec.id),
            evidence,
            advice: None,
        };
    };
    let vars = [("value", shown.to_string())];
    let advice = if matches!(b.status, Status::Fail | Status::Warn) {
        b.advice.as_deref().map(|a| super::fill(a, &vars))
    } else {
        None
    };
    Outcome {
        status: b.status,
        message: super::fill(&b.message, &vars),
        evidence,
        advice,
    }
}

/// The whole speech as one piece of evidence: its first and last words.
fn span_evidence(cx: &Ctx) -> Option<Evidence> {
    let w = cx.words;
    if w.is_empty() {
        return None;
    }
    let head: Vec<&str> = w.iter().take(4).map(|w| w.text.trim()).collect();
    let text = if w.len() <= 8 {
        w.iter()
            .map(|w| w.text.trim())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        let tail: Vec<&str> = w[w.len() - 4..].iter().map(|w| w.text.trim()).collect();
        format!("{} … {}", head.join(" "), tail.join(" "))
    };
    Some(Evidence {
        text,
        start_s: cx.delivery.speech_start_s,
        end_s: cx.delivery.speech_end_s,
        heard_as: None,
    })
}

// ---------------------------------------------------------------- numbers

fn secs(v: f64) -> String {
    format!("{v:.1}")
}

/// Seconds from the start of speech in which the number belongs, unless the
/// rule's `within_s` says otherwise.
pub const NUMBER_WINDOW_S: f64 = 10.0;

fn number_early(rule: &Rule, cx: &Ctx) -> Outcome {
    let Some(first) = cx.phones.first() else {
        return outcome(rule, Status::Fail, "none", &[], Vec::new());
    };
    let at = (first.start_s - cx.delivery.speech_start_s).max(0.0);
    let within = rule.param("within_s", NUMBER_WINDOW_S);
    let vars = [("at", secs(at)), ("within", format!("{within:.0}"))];
    let ev = vec![cx.phone_evidence(first)];
    if at <= within {
        outcome(rule, Status::Pass, "pass", &vars, ev)
    } else {
        outcome(rule, Status::Fail, "late", &vars, ev)
    }
}

fn number_complete(rule: &Rule, cx: &Ctx) -> Outcome {
    if cx.phones.is_empty() {
        return outcome(rule, Status::Fail, "none", &[], Vec::new());
    }
    if let Some(expected) = cx.expect_number {
        let exp_digits = phone::only_digits(expected);
        let mut first_diff = None;
        for p in cx.phones {
            let m = phone::compare_number(&p.digits, expected);
            if m.matches {
                let vars = [
                    ("digits", phone::format_digits(&p.digits)),
                    ("expected", phone::format_digits(&exp_digits)),
                ];
                return outcome(
                    rule,
                    Status::Pass,
                    "pass",
                    &vars,
                    vec![cx.phone_evidence(p)],
                );
            }
            if first_diff.is_none() {
                first_diff = Some((p, m.differing_groups));
            }
        }
        let (p, groups) = first_diff.expect("at least one number");
        let groups = if groups.is_empty() {
            "the digits".to_string()
        } else {
            groups.join(", ")
        };
        // Unsure digits, or a second hearing that wrote the number meant:
        // most likely misheard rather than said wrong.
        let misheard = p.uncertain
            || p.alternatives
                .iter()
                .any(|a| phone::compare_number(a, expected).matches);
        let key = if misheard && rule.spec.messages.contains_key("misheard") {
            "misheard"
        } else {
            "mismatch"
        };
        let vars = [
            ("digits", phone::format_digits(&p.digits)),
            ("expected", phone::format_digits(&exp_digits)),
            ("groups", groups),
        ];
        return outcome(rule, Status::Fail, key, &vars, vec![cx.phone_evidence(p)]);
    }
    let complete = |d: &str| d.len() == 10 || d.len() >= 11;
    // A full number heard for sure passes. One that was not (its digits a
    // best guess) is worth a warning, when the rule has words for it: a
    // listener may have to guess too.
    let mut full = cx.phones.iter().filter(|p| complete(&p.digits));
    let sure = full.clone().find(|p| !p.uncertain);
    if let Some(p) = sure.or_else(|| full.next()) {
        let vars = [("digits", phone::format_digits(&p.digits))];
        let (status, key) = if p.uncertain && rule.spec.messages.contains_key("unsure") {
            (Status::Warn, "unsure")
        } else {
            (Status::Pass, "pass")
        };
        return outcome(rule, status, key, &vars, vec![cx.phone_evidence(p)]);
    }
    let p = &cx.phones[0];
    let vars = [
        ("digits", phone::format_digits(&p.digits)),
        ("count", p.digits.len().to_string()),
    ];
    let key = if p.digits.len() == 7 {
        "short"
    } else {
        "broken"
    };
    outcome(rule, Status::Fail, key, &vars, vec![cx.phone_evidence(p)])
}

/// The same number said twice: the same digits, or one the tail of the
/// other (the area code left off the second time).
fn same_number(a: &str, b: &str) -> bool {
    let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    s == l || (s.len() >= 7 && l.ends_with(s))
}

/// The same number said twice, by what was heard of each: also when they
/// were not heard for sure and share a hearing (both first heard as
/// 352-811-960, then recounted apart as 352-811-9660 and 352-811-9600).
fn same_phone(a: &PhoneNumber, b: &PhoneNumber) -> bool {
    fn heard(p: &PhoneNumber) -> impl Iterator<Item = &String> {
        std::iter::once(&p.digits).chain(&p.alternatives)
    }
    heard(a).any(|x| heard(b).any(|y| same_number(x, y)))
}

fn number_repeated(rule: &Rule, cx: &Ctx) -> Outcome {
    let ps = cx.phones;
    if ps.is_empty() {
        return outcome(rule, Status::Warn, "none", &[], Vec::new());
    }
    let d = cx.delivery;
    let tail = rule
        .param("end_window_s", 10.0)
        .max(rule.param("end_fraction", 0.3) * d.speech_s);
    let end_from = d.speech_end_s - tail;
    let mut any_repeat = None;
    for j in 1..ps.len() {
        if let Some(i) = (0..j).find(|&i| same_phone(&ps[i], &ps[j])) {
            let ev = vec![cx.phone_evidence(&ps[i]), cx.phone_evidence(&ps[j])];
            if ps[j].start_s >= end_from {
                return outcome(
                    rule,
                    Status::Pass,
                    "pass",
                    &[("at", secs(ps[j].start_s))],
                    ev,
                );
            }
            any_repeat.get_or_insert(ev);
        }
    }
    match any_repeat {
        Some(ev) => outcome(rule, Status::Warn, "not-at-end", &[], ev),
        None => outcome(
            rule,
            Status::Warn,
            "once",
            &[],
            vec![cx.phone_evidence(&ps[0])],
        ),
    }
}

fn number_pace(rule: &Rule, cx: &Ctx) -> Outcome {
    let min_dur = rule.param("min_duration_s", 0.3);
    let fastest = cx
        .phones
        .iter()
        .filter(|p| p.digits.len() >= 7 && p.end_s - p.start_s >= min_dur)
        .map(|p| (p, p.digits.len() as f64 / (p.end_s - p.start_s)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    match fastest {
        None => outcome(rule, Status::Skip, "none", &[], Vec::new()),
        Some((p, rate)) => band_outcome(
            rule,
            rate,
            &format!("{rate:.1}"),
            vec![cx.phone_evidence(p)],
        ),
    }
}

// ---------------------------------------------------------------- content logic

fn follow_up(rule: &Rule, cx: &Ctx) -> Outcome {
    let mut intents: Vec<Range<usize>> = cx
        .matches(&rule.patterns)
        .into_iter()
        .map(|m| m.toks)
        .collect();
    intents.extend(cx.meant(rule));
    if intents.is_empty() {
        return outcome(rule, Status::Fail, "miss", &[], Vec::new());
    }
    let whens = cx.matches(&rule.phrases["when"]);
    let toks = &cx.stream.toks;
    for m in &intents {
        let sent = toks[m.start].sentence;
        if let Some(w) = whens.iter().find(|w| toks[w.toks.start].sentence == sent) {
            let r = m.start.min(w.toks.start)..m.end.max(w.toks.end);
            let vars = [("when", cx.raw_text(w.toks.clone()))];
            return outcome(
                rule,
                Status::Pass,
                "pass",
                &vars,
                cx.toks_evidence(r).into_iter().collect(),
            );
        }
    }
    let ev = cx.evidence_of(intents.into_iter(), 2);
    outcome(rule, Status::Warn, "no-when", &[], ev)
}

fn specific_role(rule: &Rule, cx: &Ctx) -> Outcome {
    let ms = role_mentions(cx.stream, cx.rules);
    if let Some(m) = ms.iter().find(|m| m.is_specific()) {
        let ev: Vec<Evidence> = cx.toks_evidence(m.toks.clone()).into_iter().collect();
        let vars = [("role", first_text(&ev))];
        return outcome(rule, Status::Pass, "pass", &vars, ev);
    }
    if ms.is_empty() {
        return outcome(rule, Status::Fail, "miss", &[], Vec::new());
    }
    let ev: Vec<Evidence> = cx.evidence_of(ms.iter().map(|m| m.toks.clone()), 2);
    let vars = [("role", first_text(&ev))];
    outcome(rule, Status::Fail, "vague", &vars, ev)
}

/// `no-bare-callback` and `no-generic-interest`: the rule's patterns find a
/// request or a phrase that is harmless when the message also carries what
/// the `uses` rules look for (a reason, a specific role, experience), and a
/// failure when it carries none of it.
fn backed_by_others(rule: &Rule, cx: &Ctx, done: &HashMap<String, Status>) -> Outcome {
    let none_key = if rule.spec.check == Check::BareCallback {
        "no-request"
    } else {
        "none"
    };
    let ms = cx.matches(&rule.patterns);
    if ms.is_empty() {
        return outcome(rule, Status::Pass, none_key, &[], Vec::new());
    }
    let ev: Vec<Evidence> = cx.evidence_of(ms.iter().map(|m| m.toks.clone()), 3);
    let backed: Vec<&str> = rule
        .spec
        .uses
        .iter()
        .filter(|u| done.get(u.as_str()) == Some(&Status::Pass))
        // A rule for the other kind of message backs nothing here.
        .filter(|u| cx.rules.rule(u).is_some_and(|r| r.applies_to(cx.kind)))
        .map(|u| u.as_str())
        .collect();
    let vars = [
        ("phrase", first_text(&ev)),
        ("backed_by", backed.join(", ")),
    ];
    if backed.is_empty() {
        outcome(rule, Status::Fail, "fail", &vars, ev)
    } else {
        outcome(rule, Status::Pass, "pass", &vars, ev)
    }
}

/// The words of the first piece of evidence, for a message's `{phrase}`,
/// without the punctuation that closed them (the message has its own).
fn first_text(ev: &[Evidence]) -> String {
    ev.first()
        .map(|e| {
            e.text
                .trim_end_matches([',', '.', ';', ':', '!', '?'])
                .to_string()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_and_its_tail_are_the_same_number() {
        assert!(same_number("6125551234", "5551234"));
        assert!(!same_number("6125551234", "6125551235"));
    }
}
