//! What the analysis says of a message: which kind it is, and each rule's
//! finding with its evidence.

use serde::{Deserialize, Serialize};

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
    /// The check in plain words ("Says who is calling"), as the reports name it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
}
