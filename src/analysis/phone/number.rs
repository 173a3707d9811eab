//! A phone number as the analysis reports it, and what makes a run of
//! digits one.

use serde::{Deserialize, Serialize};

use super::format::{format_digits, only_digits};

/// A pause longer than this between two digit groups ends a number.
pub const HARD_PAUSE_S: f64 = 2.5;

/// A pause this long inside a run is a good place to split it in two.
pub(super) const SOFT_PAUSE_S: f64 = 1.0;

/// Runs this long are phone numbers without any cue.
pub const MIN_DIGITS: usize = 7;

/// Runs this long (and shorter than [`MIN_DIGITS`]) count after a number cue.
pub const MIN_CUED_DIGITS: usize = 4;

/// The longest international number (E.164).
pub(super) const MAX_DIGITS: usize = 15;

pub(super) const MAX_EXTENSION_DIGITS: usize = 6;

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
    /// second hearing that wrote other digits (see [`super::judge`]).
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
        let written = only_digits(&self.text);
        (self.uncertain && written != self.digits).then(|| format_digits(&self.digits))
    }
}
