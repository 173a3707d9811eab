//! "Say this instead": the message rebuilt from what the caller said, in
//! the advice's order, with a marked blank only where a part is missing.
//! A template filled from the findings' evidence: no text is invented.

use super::finding::{Finding, Kind, Status};
use super::phone::{format_digits, PhoneNumber};

/// One part of the message: the rule whose evidence fills it, and the
/// blank shown when that rule did not pass.
struct Part {
    rule: &'static str,
    blank: &'static str,
}

const NETWORKING: &[Part] = &[
    Part {
        rule: "connection",
        blank: "[say how you got their name]",
    },
    Part {
        rule: "reason",
        blank: "[say in one sentence why you are calling]",
    },
    Part {
        rule: "follow-up",
        blank: "[say when you will call again]",
    },
];

const APPLICATION: &[Part] = &[
    Part {
        rule: "reason",
        blank: "[say which role you are calling about]",
    },
    Part {
        rule: "specific-role",
        blank: "[name the role: the specialty and one detail]",
    },
    Part {
        rule: "experience",
        blank: "[one line of experience that fits]",
    },
    Part {
        rule: "follow-up",
        blank: "[say when you will call again]",
    },
    Part {
        rule: "offer-referral",
        blank: "[offer to refer others if you are not the fit]",
    },
];

/// Words before or after a name that introduce it.
const NAME_WORDS: &[&str] = &[
    "hi", "hello", "hey", "my", "name", "is", "this", "it's", "it", "i'm", "i", "am", "here",
    "calling", "speaking", "just",
];

fn found<'a>(findings: &'a [Finding], id: &str) -> Option<&'a Finding> {
    findings
        .iter()
        .find(|f| f.id == id && matches!(f.status, Status::Pass | Status::Warn))
        .filter(|f| !f.evidence.is_empty())
}

/// The evidence as a sentence: no trailing "…" or comma, a capital, a full stop.
fn sentence(text: &str) -> String {
    let t = text.trim().trim_end_matches('…').trim();
    let t = t.trim_end_matches([',', ';', ':', '-']).trim();
    let mut c = t.chars();
    let mut s = match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect::<String>(),
        None => return String::new(),
    };
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

/// The caller's name out of the words that said it ("this is Dev Patel," -> "Dev Patel").
fn name_of(f: &Finding) -> String {
    f.evidence[0]
        .text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
        .filter(|w| !w.is_empty() && !NAME_WORDS.contains(&w.to_lowercase().as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The message in the advice's order, from what was said.
pub fn suggestion(findings: &[Finding], phones: &[PhoneNumber], kind: Kind) -> String {
    let name = match found(findings, "identify-self") {
        Some(f) if f.status == Status::Pass => name_of(f),
        Some(f) => format!("{} [your last name]", name_of(f)),
        None => "[your full name]".to_string(),
    };
    let number = phones
        .iter()
        .find(|p| p.digits.len() >= 10)
        .or(phones.first())
        .map(|p| format_digits(&p.digits))
        .unwrap_or_else(|| "[your phone number, slowly]".to_string());
    let mut out = vec![format!("Hi, this is {name}, {number}.")];
    let parts = match kind {
        Kind::Networking => NETWORKING,
        Kind::Application => APPLICATION,
    };
    let mut said: Vec<String> = Vec::new();
    for part in parts {
        let text = match found(findings, part.rule) {
            Some(f) => sentence(&f.evidence[0].text),
            None => part.blank.to_string(),
        };
        // Two rules met by one sentence say it once.
        if !said.contains(&text) {
            said.push(text.clone());
            out.push(text);
        }
    }
    out.push(match found(findings, "thanks") {
        Some(f) => sentence(&f.evidence[0].text),
        None => "Thank you for your time.".to_string(),
    });
    out.push(format!("Again, that's {number}."));
    out.join(" ")
}
