//! The rules file as written: every field a rules file may have, with its
//! defaults (see the format in [`super`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::DEFAULT_RULES;
use crate::analysis::finding::{Kind, Status};
use crate::analysis::meaning::MeaningSpec;
use crate::analysis::prosody::ProsodySettings;

/// Which code evaluates a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    Present,
    Absent,
    Bands,
    Notice,
    SelfName,
    NumberEarly,
    NumberComplete,
    NumberRepeated,
    NumberPace,
    FollowUp,
    SpecificRole,
    BareCallback,
    GenericInterest,
    Monotone,
    Uptalk,
}

impl Check {
    /// Message keys the check uses; the file must provide each.
    pub(super) fn message_keys(self) -> &'static [&'static str] {
        match self {
            Check::Present => &["pass", "miss"],
            Check::Absent => &["pass", "hit"],
            Check::Bands => &[],
            Check::Notice => &["notice"],
            Check::SelfName => &["pass", "miss", "mismatch"],
            Check::NumberEarly => &["pass", "late", "none"],
            Check::NumberComplete => &["pass", "short", "broken", "none", "mismatch"],
            Check::NumberRepeated => &["pass", "once", "not-at-end", "none"],
            Check::NumberPace => &["none"],
            Check::FollowUp => &["pass", "no-when", "miss"],
            Check::SpecificRole => &["pass", "vague", "miss"],
            Check::BareCallback => &["pass", "no-request", "fail"],
            Check::GenericInterest => &["pass", "none", "fail"],
            Check::Monotone => &["pass", "stretches", "flat", "no-voice"],
            Check::Uptalk => &["pass", "rises", "number", "no-voice"],
        }
    }

    pub(super) fn phrase_keys(self) -> &'static [&'static str] {
        match self {
            Check::FollowUp => &["when"],
            _ => &[],
        }
    }

    pub(super) fn needs_patterns(self) -> bool {
        matches!(
            self,
            Check::Present
                | Check::Absent
                | Check::SelfName
                | Check::FollowUp
                | Check::BareCallback
                | Check::GenericInterest
        )
    }

    /// Checks that read other rules' outcomes run after those.
    pub fn is_logic(self) -> bool {
        matches!(self, Check::BareCallback | Check::GenericInterest)
    }
}

/// A delivery measure a `bands` rule compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Seconds of speech.
    SpeechS,
    /// Words a minute over the speech span.
    WordsPerMinute,
    /// Fillers per 100 spoken words.
    #[serde(rename = "fillers_per_100")]
    FillersPer100,
    /// Digits a second while saying a phone number (used by `number-pace`).
    DigitsPerSecond,
    /// Standard deviation of the words' loudness, dB (needs the audio).
    VolumeSdDb,
}

impl Metric {
    /// What the measure counts, after a number ("8 s of speech").
    pub fn unit(self) -> &'static str {
        match self {
            Metric::SpeechS => "s of speech",
            Metric::WordsPerMinute => "words a minute",
            Metric::FillersPer100 => "fillers per 100 words",
            Metric::DigitsPerSecond => "digits a second",
            Metric::VolumeSdDb => "dB of loudness spread between words",
        }
    }
}

/// One band of a `bands` rule; the first band whose bound holds wins
/// (`below`: value < bound, `upto`: value <= bound, neither: always).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upto: Option<f64>,
    pub status: Status,
    /// `{value}` is replaced by the measured value.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
}

impl Band {
    pub(super) fn holds(&self, v: f64) -> bool {
        match (self.below, self.upto) {
            (Some(b), _) => v < b,
            (None, Some(u)) => v <= u,
            (None, None) => true,
        }
    }
}

fn both_kinds() -> Vec<Kind> {
    vec![Kind::Networking, Kind::Application]
}

/// One rule as written in the rules file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub check: Check,
    /// What the rule checks, in plain words (for `vmcoach rules`).
    pub checks: String,
    /// Where the rule or its threshold comes from.
    pub source: String,
    pub weight: f64,
    #[serde(default = "both_kinds")]
    pub applies_to: Vec<Kind>,
    /// The rule only runs from this attempt on (extra rules for repeat calls).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_attempt: Option<u32>,
    /// A failure of this rule alone makes the message likely to be deleted.
    #[serde(default)]
    pub critical: bool,
    /// Short reason used in the verdict when this rule is the worst failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
    /// Name of the part of the message this rule's evidence marks on the timeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moment: Option<String>,
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Phrases that take away a match of the patterns or meaning they overlap.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<String>,
    #[serde(default)]
    pub phrases: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    /// Rules whose outcome this one reads (logic checks).
    #[serde(default)]
    pub uses: Vec<String>,
    /// Status of a `present` rule when nothing matched (default fail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub miss: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<Metric>,
    #[serde(default)]
    pub bands: Vec<Band>,
    #[serde(default)]
    pub messages: BTreeMap<String, String>,
    #[serde(default)]
    pub advice: BTreeMap<String, String>,
    /// Rules that name one problem ("no reason", "a bare call-back") share a
    /// group; the fixes to make first name a group once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The check in plain words, as the reports name it ("Says who is calling").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Example sentences and near misses: the rule is also met by what a
    /// sentence means (see [`super::meaning`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meaning: Option<MeaningSpec>,
}

/// Word-level settings for delivery measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverySettings {
    /// A gap between words longer than this is a pause.
    pub pause_s: f64,
    /// How far the audio's speech span may stray from the words' span (see metrics).
    pub span_margin_s: f64,
    /// Fewer words as spoken than this give no pace: a rate from a word or
    /// two says nothing about how the message is delivered.
    #[serde(default = "default_min_pace_words")]
    pub min_pace_words: usize,
}

fn default_min_pace_words() -> usize {
    8
}

/// When "like" / "you know" are fillers rather than grammar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextFiller {
    /// After one of these words it is grammar ("I'd like", "let you know").
    pub not_after: Vec<String>,
    /// Before one of these it is grammar ("like a", "you know him").
    pub not_before: Vec<String>,
    /// After one of these, and not ruled out, it is a filler ("I was like so").
    #[serde(default)]
    pub after: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FillerSettings {
    /// Words that are always fillers ("um", "uh-huh"), compared after
    /// lowercasing and stripping punctuation (hyphens kept and also tried removed).
    pub words: Vec<String>,
    pub like: ContextFiller,
    pub you_know: ContextFiller,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindCue {
    pub kind: Kind,
    pub weight: f64,
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Use this rule's patterns as cues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindCues {
    /// Kind when no cue is heard.
    pub default: Kind,
    pub cues: Vec<KindCue>,
}

/// The rules file as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesFile {
    pub version: u32,
    #[serde(default)]
    pub about: String,
    pub delivery: DeliverySettings,
    pub fillers: FillerSettings,
    pub vocabulary: BTreeMap<String, Vec<String>>,
    pub not_name: Vec<String>,
    pub not_content: Vec<String>,
    pub kind_cues: KindCues,
    /// How the voice is measured; a file without it gets the built-in settings.
    #[serde(default = "default_prosody")]
    pub prosody: ProsodySettings,
    pub rules: Vec<RuleSpec>,
}

/// The built-in rules file's prosody settings.
fn default_prosody() -> ProsodySettings {
    #[derive(Deserialize)]
    struct Only {
        prosody: ProsodySettings,
    }
    serde_json::from_str::<Only>(DEFAULT_RULES)
        .expect("the embedded rules file has prosody settings")
        .prosody
}
