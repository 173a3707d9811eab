//! From a timed transcript (and the audio's levels) to findings: delivery
//! metrics, phone numbers, content rules and the score. Everything here is a
//! pure function of plain data, tested without a model.

pub mod engine;
pub mod kind;
pub mod metrics;
pub mod numwords;
pub mod phone;
pub mod quality;
pub mod rules;
pub mod score;
pub mod script;

pub use engine::{analyze, Analysis, AnalysisInput, Moment};
pub use metrics::{Delivery, FillerUse, Pause};
pub use rules::{RuleDescription, RuleSet};
pub use script::estimate_words;

use serde::{Deserialize, Serialize};

/// A phone number found in the transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhoneNumber {
    /// Only the digits, country code included when said ("16125551234").
    pub digits: String,
    /// The words as transcribed ("612-555-1234", "six one two ...").
    pub text: String,
    pub start_s: f64,
    pub end_s: f64,
    /// Digits of an extension said after the number, kept apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// Index range of the words in the transcript, `first..last+1`.
    #[serde(skip)]
    pub word_range: std::ops::Range<usize>,
    /// How sure the model was of the number's words: their mean token
    /// probability, 0..1 (1 for a written script).
    #[serde(default = "certain")]
    pub confidence: f64,
    /// The digits may be wrong: a digit count no phone number has, or a
    /// second hearing that wrote other digits (see [`phone::judge`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub uncertain: bool,
    /// Why it is uncertain, in words ("one digit may be missing").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doubt: Option<String>,
    /// Digits it may be instead, as the second hearing wrote them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
}

fn certain() -> f64 {
    1.0
}

impl PhoneNumber {
    /// The digits reported, when a later hearing or a recount replaced the
    /// ones written in the transcript ("700-405-0159" for "7 0 4 0 5 0 1 5 9").
    pub fn heard_as(&self) -> Option<String> {
        let written = phone::only_digits(&self.text);
        (self.uncertain && written != self.digits).then(|| phone::format_digits(&self.digits))
    }
}

/// Which of the two situations a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Networking,
    Application,
}

/// A piece of the transcript that supports a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub text: String,
    pub start_s: f64,
    pub end_s: f64,
    /// For a phone number's words: the digits reported where they differ
    /// from the words (see [`PhoneNumber::heard_as`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heard_as: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Warn,
    Skip,
}

/// The outcome of one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub status: Status,
    pub message: String,
    pub evidence: Vec<Evidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
}
