//! From a timed transcript (and the audio's levels) to findings: delivery
//! metrics, phone numbers, content rules and the score. Everything here is a
//! pure function of plain data, tested without a model.

pub mod engine;
pub mod finding;
pub mod kind;
pub mod meaning;
pub mod metrics;
pub mod numwords;
pub mod phone;
pub mod prosody;
pub mod quality;
pub mod rules;
pub mod score;
pub mod script;
pub mod suggest;

pub use engine::{analyze, Analysis, AnalysisInput, Moment};
pub use finding::{Evidence, Finding, Kind, Status};
pub use metrics::{Delivery, FillerUse, Pause};
pub use phone::PhoneNumber;
pub use prosody::Prosody;
pub use rules::{RuleDescription, RuleSet};
pub use script::estimate_words;
