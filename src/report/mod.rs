//! The report: everything vmcoach found about one message, as plain data
//! (schema 1 of the JSON contract), and the renderers that turn it into text,
//! JSON or a self-contained HTML page. Renderers only format; they compute
//! nothing.

pub mod html;
pub mod summary;
pub mod text;
pub mod voice;

use serde::Serialize;

use crate::analysis::phone::format_digits;
use crate::analysis::quality::Quality;
use crate::analysis::{Analysis, Delivery, Finding, Kind, Moment, PhoneNumber, Prosody, Status};
use crate::transcribe::Word;

/// Version of the JSON contract.
pub const SCHEMA: u32 = 1;

/// One message's report, as `--json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema: u32,
    pub source: String,
    pub kind: Kind,
    pub kind_inferred: bool,
    pub attempt: u32,
    pub duration_s: f64,
    pub speech_start_s: f64,
    pub speech_end_s: f64,
    pub speech_s: f64,
    pub words_per_minute: f64,
    /// False when not one word was heard: then the verdict says so (with
    /// what to check), the score is 0, every rule is skipped and there are
    /// no fixes, since nothing said can be judged.
    pub speech_heard: bool,
    pub transcript: String,
    pub words: Vec<Word>,
    pub phone_numbers: Vec<PhoneNumber>,
    pub rules: Vec<Finding>,
    pub score: u32,
    pub verdict: String,
    pub top_fixes: Vec<String>,
    /// "Say this instead": the message rebuilt from what was said, in the
    /// advice's order, blanks in [brackets] for what is missing.
    pub suggestion: String,
    pub timeline: Vec<Moment>,
    pub delivery: Delivery,
    /// Levels and warnings about the recording itself; absent for a script.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality: Option<Quality>,
    /// How the voice moved: pitch, flat stretches, rising ends, volume,
    /// filled pauses; absent for a script.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prosody: Option<Prosody>,
    /// Word times were estimated from a written script, not heard.
    pub estimated_timing: bool,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Report {
    /// "networking message", with ", inferred" when the kind was guessed
    /// from what was said; nothing said, no kind to guess.
    pub fn kind_phrase(&self) -> String {
        if self.kind_inferred && !self.speech_heard {
            return "kind of message unknown: nothing was said".to_string();
        }
        let kind = format!("{:?}", self.kind).to_lowercase();
        let inferred = if self.kind_inferred { ", inferred" } else { "" };
        format!("{kind} message{inferred}")
    }

    pub fn new(
        source: String,
        duration_s: f64,
        words: Vec<Word>,
        analysis: Analysis,
        attempt: u32,
        quality: Option<Quality>,
        estimated_timing: bool,
    ) -> Report {
        let transcript = words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let d = &analysis.delivery;
        Report {
            schema: SCHEMA,
            source,
            kind: analysis.kind,
            kind_inferred: analysis.kind_inferred,
            attempt: attempt.max(1),
            duration_s: round2(duration_s),
            speech_start_s: round2(d.speech_start_s),
            speech_end_s: round2(d.speech_end_s),
            speech_s: round2(d.speech_s),
            words_per_minute: (d.words_per_minute * 10.0).round() / 10.0,
            speech_heard: !words.is_empty(),
            transcript,
            words: words
                .into_iter()
                .map(|w| Word {
                    start_s: round2(w.start_s),
                    end_s: round2(w.end_s),
                    confidence: (w.confidence * 1000.0).round() / 1000.0,
                    text: w.text,
                })
                .collect(),
            phone_numbers: analysis.phone_numbers,
            rules: analysis.findings,
            score: analysis.score,
            verdict: analysis.verdict,
            top_fixes: analysis.top_fixes,
            suggestion: analysis.suggestion,
            timeline: analysis.timeline,
            delivery: analysis.delivery,
            prosody: analysis.prosody,
            quality,
            estimated_timing,
        }
    }

    /// The note that follows a number's words in the transcript when the
    /// digits reported are not the ones written there: "heard again as
    /// 718-555-0100".
    pub fn heard_again(&self, word: usize) -> Option<String> {
        self.phone_numbers
            .iter()
            .find(|n| n.word_range.end == word + 1)
            .and_then(PhoneNumber::heard_as)
            .map(|digits| format!("heard again as {digits}"))
    }

    /// What to say about a number we could not make out for sure. The doubt
    /// is the recognizer's, so it is worded as ours; only a number the pace
    /// check found too fast is put to the speaker.
    pub fn number_doubt(&self, n: &PhoneNumber) -> Option<String> {
        let doubt = n.doubt.as_deref().filter(|_| n.uncertain)?;
        let said_fast = self
            .rules
            .iter()
            .any(|f| f.id == "number-pace" && matches!(f.status, Status::Fail | Status::Warn));
        let next = if said_fast {
            "it went fast: say the number slower, in groups"
        } else {
            "check that it is your number"
        };
        Some(format!(
            "we could not make out every digit for sure ({doubt}); our best reading is {}: {next}.",
            format_digits(&n.digits)
        ))
    }

    /// One JSON document, pretty-printed.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serialises")
    }

    /// One JSON document on one line (for several reports, one per line).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).expect("a report always serialises")
    }
}
