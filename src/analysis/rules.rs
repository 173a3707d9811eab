//! The rule set: what each rule checks, its phrases, thresholds, weights and
//! wording, loaded from a JSON file (the default one is embedded,
//! `default-rules.json`). Code owns only the logic a phrase list cannot
//! express; everything a coach might want to tune lives in the file.
//!
//! # Rules file format
//!
//! ```json
//! {
//!   "version": 1,
//!   "delivery": { "pause_s": 1.0, "span_margin_s": 1.0 },
//!   "fillers": { "words": ["um", "uh"], "like": {...}, "you_know": {...} },
//!   "vocabulary": { "stopwords": [...], "professions": [...], ... },
//!   "not_name": ["stopwords"],          // vocabulary lists never taken for a {name}
//!   "not_content": ["stopwords", ...],  // vocabulary lists that are not content for `...`
//!   "kind_cues": { "default": "networking", "cues": [{ "kind": "application", "weight": 1, "patterns": [...] }] },
//!   "rules": [{
//!     "id": "reason", "check": "present", "weight": 12,
//!     "applies_to": ["networking", "application"], "min_attempt": 2,
//!     "checks": "what it checks", "source": "where the threshold or advice comes from",
//!     "critical": true, "verdict": "no reason given", "moment": "reason",
//!     "patterns": ["i am calling about ..."], "unless": ["thanks to ..."], "phrases": { "when": [...] },
//!     "params": { "within_s": 10 }, "uses": ["reason"], "miss": "warn",
//!     "metric": "speech_s", "bands": [{ "below": 8, "status": "fail", "message": "...", "advice": "..." }],
//!     "messages": { "pass": "...", "miss": "..." }, "advice": { "miss": "..." }
//!   }]
//! }
//! ```
//!
//! `check` picks the code that evaluates the rule: `present` (pass when a
//! pattern matches, else `miss`, default fail), `absent` (fail when one
//! matches; for both, a match or a sentence met by meaning does not count
//! where an `unless` pattern matches: "thanks to my professor" is no
//! thanks), `bands` (a delivery metric against ordered bands), `notice`
//! (always says its message), and the logic checks `self-name`,
//! `number-early`, `number-complete`, `number-repeated`, `number-pace`,
//! `follow-up`, `specific-role`, `bare-callback`, `generic-interest`. A
//! replacement file may add rules of its own with the generic checks.
//! Patterns use the phrase language of [`pattern`]. Messages may use
//! `{placeholders}` that the check fills in.

pub mod checks;
mod file;
pub mod names;
pub mod pattern;
pub mod role;
pub mod text;
pub mod voice;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use super::finding::{Kind, Status};
use super::meaning::OnFirstUse;
use crate::error::{Error, Result};
pub use file::*;
use pattern::{Lexicon, Pattern, PatternError};

/// A rule with its patterns compiled.
#[derive(Debug, Clone)]
pub struct Rule {
    pub spec: RuleSpec,
    pub patterns: Vec<Pattern>,
    /// Where these match, the rule's patterns and meaning do not count.
    pub unless: Vec<Pattern>,
    pub phrases: BTreeMap<String, Vec<Pattern>>,
}

impl Rule {
    pub fn applies_to(&self, kind: Kind) -> bool {
        self.spec.applies_to.contains(&kind)
    }

    /// A message by key with `{placeholders}` filled.
    pub fn message(&self, key: &str, vars: &[(&str, String)]) -> String {
        match self.spec.messages.get(key) {
            Some(t) => fill(t, vars),
            None => format!("{}: {key}", self.spec.id),
        }
    }

    pub fn advice(&self, key: &str, vars: &[(&str, String)]) -> Option<String> {
        self.spec.advice.get(key).map(|t| fill(t, vars))
    }

    pub fn param(&self, key: &str, default: f64) -> f64 {
        self.spec.params.get(key).copied().unwrap_or(default)
    }

    pub fn band_for(&self, v: f64) -> Option<&Band> {
        self.spec.bands.iter().find(|b| b.holds(v))
    }
}

/// Replace `{key}` in a template.
pub fn fill(template: &str, vars: &[(&str, String)]) -> String {
    let mut s = template.to_string();
    for (k, v) in vars {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// A kind cue with its patterns compiled.
#[derive(Debug, Clone)]
pub struct CompiledCue {
    pub kind: Kind,
    pub weight: f64,
    pub patterns: Vec<Pattern>,
}

/// A loaded, checked rule set.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub file: RulesFile,
    pub rules: Vec<Rule>,
    pub lexicon: Lexicon,
    pub cues: Vec<CompiledCue>,
    /// The sentence model with the rules' examples embedded; None: the
    /// rules run on their patterns alone.
    pub meaning: Option<Arc<OnFirstUse>>,
}

/// One line of `vmcoach rules`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleDescription {
    pub id: String,
    pub checks: String,
    pub weight: f64,
    pub applies_to: Vec<Kind>,
    pub source: String,
    /// Only for repeat calls from this attempt on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_attempt: Option<u32>,
    /// Thresholds of a measured rule, in plain words ("below 8: fail").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<String>,
    /// The rule's numeric settings (time windows and the like).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, f64>,
}

const DEFAULT_RULES: &str = include_str!("default-rules.json");

/// What is wrong with a rules file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RulesError {
    #[error("vocabulary list `{0}` is not defined")]
    UnknownList(String),
    #[error("rule `{0}` is defined twice")]
    Twice(String),
    #[error("{place}: pattern \"{pattern}\": {error}")]
    Pattern {
        place: String,
        pattern: String,
        error: PatternError,
    },
    #[error("rule `{id}`: {problem}")]
    Rule { id: String, problem: RuleProblem },
    #[error("kind_cues: unknown rule `{0}`")]
    UnknownCueRule(String),
}

impl RulesError {
    fn in_rule(id: &str, problem: RuleProblem) -> RulesError {
        RulesError::Rule {
            id: id.to_string(),
            problem,
        }
    }
}

/// What one rule of a rules file lacks or gets wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleProblem {
    #[error("weight must be a number >= 0")]
    Weight,
    #[error("check `{0:?}` needs `patterns`")]
    NeedsPatterns(Check),
    #[error("needs `phrases.{0}`")]
    NeedsPhrases(&'static str),
    #[error("needs `messages.{0}`")]
    NeedsMessage(&'static str),
    #[error("needs `bands`")]
    NeedsBands,
    #[error("a `bands` rule needs a `metric`")]
    NeedsMetric,
    #[error("the last band must have no bound (it catches the rest)")]
    LastBandBounded,
    #[error("needs vocabulary list `{0}`")]
    NeedsVocabulary(&'static str),
    #[error("uses unknown rule `{0}`")]
    UnknownUse(String),
}

/// Each of `srcs` compiled; `place` names where they stand in errors.
fn compile_all(srcs: &[String], place: &str) -> std::result::Result<Vec<Pattern>, RulesError> {
    srcs.iter()
        .map(|p| {
            Pattern::parse(p).map_err(|error| RulesError::Pattern {
                place: place.to_string(),
                pattern: p.clone(),
                error,
            })
        })
        .collect()
}

/// One rule with its patterns compiled, after checking that it has what
/// its check reads.
fn compile_rule(
    spec: &RuleSpec,
    vocabulary: &BTreeMap<String, Vec<String>>,
) -> std::result::Result<Rule, RulesError> {
    let id = &spec.id;
    let problem = |p| Err(RulesError::in_rule(id, p));
    if spec.weight < 0.0 || !spec.weight.is_finite() {
        return problem(RuleProblem::Weight);
    }
    let what = format!("rule `{id}`");
    let patterns = compile_all(&spec.patterns, &what)?;
    if spec.check.needs_patterns() && patterns.is_empty() {
        return problem(RuleProblem::NeedsPatterns(spec.check));
    }
    let unless = compile_all(&spec.unless, &format!("{what}, unless"))?;
    let mut phrases = BTreeMap::new();
    for (k, v) in &spec.phrases {
        phrases.insert(k.clone(), compile_all(v, &format!("{what}, phrases.{k}"))?);
    }
    if let Some(k) = spec
        .check
        .phrase_keys()
        .iter()
        .find(|k| !phrases.contains_key(**k))
    {
        return problem(RuleProblem::NeedsPhrases(k));
    }
    if let Some(k) = spec
        .check
        .message_keys()
        .iter()
        .find(|k| !spec.messages.contains_key(**k))
    {
        return problem(RuleProblem::NeedsMessage(k));
    }
    if matches!(spec.check, Check::Bands | Check::NumberPace) {
        if spec.bands.is_empty() {
            return problem(RuleProblem::NeedsBands);
        }
        if spec.check == Check::Bands && spec.metric.is_none() {
            return problem(RuleProblem::NeedsMetric);
        }
        if spec
            .bands
            .last()
            .is_some_and(|b| b.below.is_some() || b.upto.is_some())
        {
            return problem(RuleProblem::LastBandBounded);
        }
    }
    if spec.check == Check::SpecificRole {
        if let Some(k) = role::VOCABULARY_LISTS
            .iter()
            .find(|k| !vocabulary.contains_key(**k))
        {
            return problem(RuleProblem::NeedsVocabulary(k));
        }
    }
    Ok(Rule {
        spec: spec.clone(),
        patterns,
        unless,
        phrases,
    })
}

/// The largest rules file read: many times the built-in one, far below what
/// would take a machine's memory.
const MAX_RULES_BYTES: u64 = 2_000_000;

impl RuleSet {
    /// The embedded rules.
    pub fn default_rules() -> RuleSet {
        RuleSet::from_json(DEFAULT_RULES, "default-rules.json")
            .expect("the embedded rules file is valid")
    }

    /// Rules from a JSON file, checked: every pattern compiles, every rule
    /// has the messages its check uses, ids are unique.
    pub fn from_file(path: impl AsRef<Path>) -> Result<RuleSet> {
        let path = path.as_ref();
        let size = std::fs::metadata(path)
            .map_err(|e| Error::io(path, e))?
            .len();
        if size > MAX_RULES_BYTES {
            return Err(Error::Input(format!(
                "{}: is {:.1} MB; a rules file is a few dozen KB (the built-in one is {} KB), and files over {} MB are refused",
                path.display(),
                size as f64 / 1e6,
                DEFAULT_RULES.len() / 1000,
                MAX_RULES_BYTES / 1_000_000
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        RuleSet::from_json(&text, &path.display().to_string())
    }

    /// Rules from JSON text; `origin` names it in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<RuleSet> {
        let file: RulesFile = serde_json::from_str(text)
            .map_err(|e| Error::Input(format!("{origin}: not a vmcoach rules file: {e}")))?;
        RuleSet::compile(file).map_err(|e| Error::Input(format!("{origin}: {e}")))
    }

    fn compile(file: RulesFile) -> std::result::Result<RuleSet, RulesError> {
        let list = |names: &[String]| {
            let mut set = HashSet::new();
            for n in names {
                let words = file
                    .vocabulary
                    .get(n)
                    .ok_or_else(|| RulesError::UnknownList(n.clone()))?;
                for w in words {
                    set.extend(text::normalize_text(w));
                }
            }
            Ok(set)
        };
        let lexicon = Lexicon {
            not_name: list(&file.not_name)?,
            not_content: list(&file.not_content)?,
        };
        let mut rules = Vec::new();
        let mut seen = HashSet::new();
        for spec in &file.rules {
            if !seen.insert(spec.id.clone()) {
                return Err(RulesError::Twice(spec.id.clone()));
            }
            rules.push(compile_rule(spec, &file.vocabulary)?);
        }
        for r in &rules {
            for u in &r.spec.uses {
                if !seen.contains(u) {
                    return Err(RulesError::in_rule(
                        &r.spec.id,
                        RuleProblem::UnknownUse(u.clone()),
                    ));
                }
            }
        }
        let mut cues = Vec::new();
        for c in &file.kind_cues.cues {
            let mut patterns = compile_all(&c.patterns, "kind_cues")?;
            if let Some(rid) = &c.rule {
                let r = rules
                    .iter()
                    .find(|r| &r.spec.id == rid)
                    .ok_or_else(|| RulesError::UnknownCueRule(rid.clone()))?;
                patterns.extend(r.patterns.iter().cloned());
            }
            cues.push(CompiledCue {
                kind: c.kind,
                weight: c.weight,
                patterns,
            });
        }
        Ok(RuleSet {
            file,
            rules,
            lexicon,
            cues,
            meaning: None,
        })
    }

    /// These rules with the sentence model in `dir` loaded and every rule's
    /// examples embedded.
    pub fn with_meaning(self, dir: &Path) -> Result<RuleSet> {
        let rules = self.with_meaning_on_first_use(dir);
        rules.load_meaning()?;
        Ok(rules)
    }

    /// These rules with the sentence model in `dir`, loaded when the first
    /// message is read (see [`OnFirstUse`]).
    pub fn with_meaning_on_first_use(mut self, dir: &Path) -> RuleSet {
        let specs = self
            .rules
            .iter()
            .filter_map(|r| Some((r.spec.id.as_str(), r.spec.meaning.as_ref()?)));
        self.meaning = Some(Arc::new(OnFirstUse::new(dir, specs)));
        self
    }

    /// Loads the sentence model now if it is not loaded yet, so the first
    /// message read does not wait for it.
    pub fn load_meaning(&self) -> Result<()> {
        match &self.meaning {
            Some(m) => m.get().map(|_| ()),
            None => Ok(()),
        }
    }

    /// The plain-word name of a rule ("Says who is calling"), or its id.
    pub fn title(&self, id: &str) -> String {
        self.rule(id)
            .and_then(|r| r.spec.title.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// Every rule: id, what it checks, weight, kinds, and where it comes from.
    pub fn describe(&self) -> Vec<RuleDescription> {
        self.rules
            .iter()
            .map(|r| RuleDescription {
                id: r.spec.id.clone(),
                checks: fill(&r.spec.checks, &param_words(&r.spec.params)),
                weight: r.spec.weight,
                applies_to: r.spec.applies_to.clone(),
                source: r.spec.source.clone(),
                min_attempt: r.spec.min_attempt,
                thresholds: {
                    let metric = match r.spec.check {
                        Check::NumberPace => Some(Metric::DigitsPerSecond),
                        _ => r.spec.metric,
                    };
                    let unit = metric.map(Metric::unit).unwrap_or("");
                    r.spec
                        .bands
                        .iter()
                        .map(|b| describe_band(b, unit))
                        .collect()
                },
                params: r.spec.params.clone(),
            })
            .collect()
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.spec.id == id)
    }

    /// A vocabulary list, normalised.
    pub fn vocab(&self, name: &str) -> HashSet<String> {
        self.file
            .vocabulary
            .get(name)
            .map(|ws| ws.iter().flat_map(|w| text::normalize_text(w)).collect())
            .unwrap_or_default()
    }
}

/// A band in plain words: "under 8 s of speech: fails".
fn describe_band(b: &Band, unit: &str) -> String {
    let status = match b.status {
        Status::Pass => "passes",
        Status::Warn => "warns",
        Status::Fail => "fails",
        Status::Skip => "is skipped",
    };
    let unit = if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    };
    match (b.below, b.upto) {
        (Some(v), _) => format!("under {v}{unit}: {status}"),
        (None, Some(v)) => format!("up to {v}{unit}: {status}"),
        (None, None) => format!("more: {status}"),
    }
}

/// A rule's settings as words for its description's `{name}`s: a
/// `*_fraction` as a percentage, anything else as its number.
fn param_words(params: &BTreeMap<String, f64>) -> Vec<(&str, String)> {
    params
        .iter()
        .map(|(name, v)| {
            let words = if name.ends_with("_fraction") {
                format!("{} %", (v * 100.0).round())
            } else {
                format!("{v}")
            };
            (name.as_str(), words)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pattern language splits elements at spaces, so a phrase written
    /// inside an alternation ("touch base|say hi", "are looking|looking
    /// for") becomes words of neighbouring elements and cannot match as
    /// meant. Its marks: a word twice in one alternation, or in an
    /// alternation and the element next to it (unless one is optional:
    /// "hear|hearing from|back from? you" is meant).
    #[test]
    fn no_built_in_pattern_holds_a_phrase_inside_an_alternation() {
        let rs = RuleSet::default_rules();
        for rule in &rs.rules {
            let spec = &rule.spec;
            let all = spec.patterns.iter().chain(&spec.unless);
            for pattern in all.chain(spec.phrases.values().flatten()) {
                let elems: Vec<&str> = pattern.split_whitespace().collect();
                let words = |e: &str| -> Vec<String> { e.split('|').map(String::from).collect() };
                for (i, e) in elems.iter().enumerate() {
                    let mine = words(e);
                    let mut seen = std::collections::HashSet::new();
                    assert!(
                        mine.iter().all(|w| seen.insert(w)),
                        "{}: {pattern:?} repeats a word in {e:?}",
                        spec.id
                    );
                    let Some(next) = elems.get(i + 1) else {
                        continue;
                    };
                    if !(e.contains('|') || next.contains('|'))
                        || e.ends_with('?')
                        || next.ends_with('?')
                    {
                        continue;
                    }
                    let theirs = words(next);
                    assert!(
                        !mine.iter().any(|w| w != "*" && theirs.contains(w)),
                        "{}: {pattern:?} has a word in both {e:?} and {next:?}: a phrase inside an alternation?",
                        spec.id
                    );
                }
            }
        }
    }

    #[test]
    fn default_rules_load_and_cover_the_contract_ids() {
        let rs = RuleSet::default_rules();
        for id in [
            "identify-self",
            "number-early",
            "number-complete",
            "number-repeated",
            "reason",
            "follow-up",
            "thanks",
            "no-bare-callback",
            "no-resume-check",
            "no-desperation",
            "length",
            "pace",
            "number-pace",
            "fillers",
            "connection",
            "specific-role",
            "experience",
            "no-generic-interest",
            "offer-referral",
        ] {
            assert!(rs.rule(id).is_some(), "missing rule {id}");
        }
        let net_only = rs.rule("connection").unwrap();
        assert_eq!(net_only.spec.applies_to, vec![Kind::Networking]);
        for id in [
            "specific-role",
            "experience",
            "no-generic-interest",
            "offer-referral",
        ] {
            assert_eq!(
                rs.rule(id).unwrap().spec.applies_to,
                vec![Kind::Application],
                "{id}"
            );
        }
    }

    #[test]
    fn describe_gives_every_rule_a_source() {
        let rs = RuleSet::default_rules();
        let d = rs.describe();
        assert_eq!(d.len(), rs.rules.len());
        for r in &d {
            assert!(!r.source.is_empty(), "{} has no source", r.id);
            assert!(!r.checks.is_empty(), "{} has no description", r.id);
        }
        let pace = d.iter().find(|r| r.id == "number-pace").unwrap();
        assert!(pace.source.contains("own heuristic"));
        assert_eq!(
            pace.thresholds,
            ["up to 3.5 digits a second: passes", "more: warns"]
        );
        // Plain words: no setting's internal name, no file of ours cited.
        for r in &d {
            let text = format!("{} {} {}", r.checks, r.source, r.thresholds.join(" "));
            assert!(
                !text.contains("params.") && !text.contains(".md") && !text.contains('{'),
                "{}: {text}",
                r.id
            );
        }
        let early = d.iter().find(|r| r.id == "number-early").unwrap();
        assert!(
            early.checks.contains("first 10 s of speech"),
            "{}",
            early.checks
        );
        assert!(
            d.iter()
                .find(|r| r.id == "length")
                .unwrap()
                .thresholds
                .len()
                >= 3
        );
    }

    #[test]
    fn a_rules_file_with_a_bad_pattern_is_refused_with_its_rule_named() {
        let mut v: serde_json::Value = serde_json::from_str(DEFAULT_RULES).unwrap();
        v["rules"][0]["patterns"] = serde_json::json!(["{nonsense}"]);
        let err = RuleSet::from_json(&v.to_string(), "x.json")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("x.json") && err.contains(v["rules"][0]["id"].as_str().unwrap()),
            "{err}"
        );
    }

    #[test]
    fn a_rules_file_missing_a_message_is_refused() {
        let mut v: serde_json::Value = serde_json::from_str(DEFAULT_RULES).unwrap();
        let rules = v["rules"].as_array_mut().unwrap();
        let thanks = rules.iter_mut().find(|r| r["id"] == "thanks").unwrap();
        thanks["messages"].as_object_mut().unwrap().remove("miss");
        let err = RuleSet::from_json(&v.to_string(), "x.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("messages.miss"), "{err}");
    }

    #[test]
    fn rules_files_can_be_read_from_disk() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        std::fs::write(&p, DEFAULT_RULES).unwrap();
        assert_eq!(
            RuleSet::from_file(&p).unwrap().rules.len(),
            RuleSet::default_rules().rules.len()
        );
        assert!(RuleSet::from_file(dir.path().join("missing.json")).is_err());
    }
}
