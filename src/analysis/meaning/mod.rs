//! Checks that recognise what was meant, not only the words: each content
//! rule may carry example sentences that meet it and near misses that do
//! not (the rules file's `meaning`). Every sentence of the message is
//! embedded by a small sentence model; a rule is met by meaning when some
//! sentence is close enough to one of its examples
//! (`threshold`) and closer to the examples than to the near misses
//! (`margin`). The patterns still count: meaning adds to them.
//!
//! Without the model (not installed) the rules run on their patterns alone.

pub mod cache;
pub mod embed;
mod rows;
mod units;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
pub use embed::Embedder;
pub use units::{units, Greeting, Unit};

use super::rules::text::TokenStream;
use crate::transcribe::Word;

/// What a rule's meaning is, as written in the rules file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeaningSpec {
    /// Sentences that meet the rule, in varied words.
    pub examples: Vec<String>,
    /// Sentences close in words that do not meet it.
    #[serde(default)]
    pub near_misses: Vec<String>,
    /// Least cosine similarity to an example.
    pub threshold: f32,
    /// How much closer to an example than to any near miss.
    #[serde(default)]
    pub margin: f32,
    /// Where the examples come from.
    pub source: String,
}

/// One rule's examples, embedded.
#[derive(Debug)]
struct Prepared {
    examples: Vec<Vec<f32>>,
    near_misses: Vec<Vec<f32>>,
    threshold: f32,
    margin: f32,
}

/// The sentence model with every rule's examples embedded, loaded once.
#[derive(Debug)]
pub struct Meaning {
    embedder: Embedder,
    rules: HashMap<String, Prepared>,
}

/// [`Meaning`] loaded the first time it is asked for: a process that hears
/// a recording first then does not hold the sentence model beside Whisper's
/// buffers (the model and its examples come to about 80 MB).
#[derive(Debug)]
pub struct OnFirstUse {
    dir: PathBuf,
    specs: Vec<(String, MeaningSpec)>,
    loaded: OnceLock<Result<Meaning>>,
}

impl OnFirstUse {
    /// Nothing is read until [`OnFirstUse::get`].
    pub fn new<'a>(
        dir: &Path,
        specs: impl IntoIterator<Item = (&'a str, &'a MeaningSpec)>,
    ) -> OnFirstUse {
        OnFirstUse {
            dir: dir.to_path_buf(),
            specs: specs
                .into_iter()
                .map(|(id, s)| (id.to_string(), s.clone()))
                .collect(),
            loaded: OnceLock::new(),
        }
    }

    /// The model with the examples embedded, loaded on the first call. A
    /// model that does not load is a [`Error::BadModel`] every time.
    pub fn get(&self) -> Result<&Meaning> {
        self.loaded
            .get_or_init(|| {
                let specs = self.specs.iter().map(|(id, s)| (id.as_str(), s));
                Meaning::load(&self.dir, specs)
            })
            .as_ref()
            .map_err(|e| match e {
                Error::BadModel { path, reason } => Error::bad_model(path, reason.as_str()),
                other => Error::bad_model(
                    &self.dir,
                    format!("the sentence model could not be loaded: {other}"),
                ),
            })
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn best(v: &[f32], of: &[Vec<f32>]) -> f32 {
    of.iter().map(|e| dot(v, e)).fold(-1.0, f32::max)
}

impl Meaning {
    /// Loads the model in `dir` and embeds the examples of `specs` (rule id, spec).
    pub fn load<'a>(
        dir: &Path,
        specs: impl IntoIterator<Item = (&'a str, &'a MeaningSpec)>,
    ) -> Result<Meaning> {
        let embedder = Embedder::load(dir)?;
        let specs: Vec<(&str, &MeaningSpec)> = specs.into_iter().collect();
        let texts: Vec<&str> = specs
            .iter()
            .flat_map(|(_, s)| s.examples.iter().chain(&s.near_misses))
            .map(String::as_str)
            .collect();
        let mut all = embed_examples(&embedder, &texts)?.into_iter();
        let mut rules = HashMap::new();
        for (id, s) in specs {
            let examples = all.by_ref().take(s.examples.len()).collect();
            let near_misses = all.by_ref().take(s.near_misses.len()).collect();
            let p = Prepared {
                examples,
                near_misses,
                threshold: s.threshold,
                margin: s.margin,
            };
            rules.insert(id.to_string(), p);
        }
        Ok(Meaning { embedder, rules })
    }

    /// Embeds the pieces of one message and scores them against every rule.
    pub fn read(
        &self,
        words: &[Word],
        stream: &TokenStream,
        greeting: &Greeting,
    ) -> Result<Reading> {
        let units = units(words, stream, greeting);
        let texts: Vec<&str> = units.iter().map(|u| u.text.as_str()).collect();
        let vectors = self.embedder.embed(&texts)?;
        let scores = self
            .rules
            .iter()
            .map(|(id, p)| {
                let per_unit = vectors
                    .iter()
                    .map(|v| Closeness {
                        example: best(v, &p.examples),
                        near_miss: best(v, &p.near_misses),
                    })
                    .collect();
                (id.clone(), (per_unit, p.threshold, p.margin))
            })
            .collect();
        Ok(Reading { units, scores })
    }
}

/// The examples' embeddings: the built-in ones from [`cache`], the rest
/// from the model.
fn embed_examples(embedder: &Embedder, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
    let missing: Vec<&str> = texts
        .iter()
        .copied()
        .filter(|t| cache::lookup(t).is_none())
        .collect();
    let mut fresh = embedder.embed(&missing)?.into_iter();
    Ok(texts
        .iter()
        .map(|t| match cache::lookup(t) {
            Some(v) => v.to_vec(),
            None => fresh.next().unwrap_or_default(),
        })
        .collect())
}

/// How close one piece of the message is to a rule's examples and near misses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Closeness {
    pub example: f32,
    pub near_miss: f32,
}

/// The pieces of one message and how close each is to each rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    pub units: Vec<Unit>,
    scores: HashMap<String, (Vec<Closeness>, f32, f32)>,
}

impl Reading {
    /// The pieces that meet `rule` by meaning, closest first.
    pub fn hits(&self, rule: &str) -> Vec<&Unit> {
        let Some((per_unit, threshold, margin)) = self.scores.get(rule) else {
            return Vec::new();
        };
        let mut hits: Vec<(usize, f32)> = per_unit
            .iter()
            .enumerate()
            .filter(|(_, c)| c.example >= *threshold && c.example - c.near_miss >= *margin)
            .map(|(i, c)| (i, c.example))
            .collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1));
        hits.into_iter().map(|(i, _)| &self.units[i]).collect()
    }

    /// Every piece's closeness to `rule` (for calibrating thresholds).
    pub fn closeness(&self, rule: &str) -> &[Closeness] {
        self.scores.get(rule).map_or(&[], |s| s.0.as_slice())
    }
}
