//! The checks on the voice itself (`monotone`, `uptalk`): what the
//! prosody stage found, judged against the rule's data. They return the
//! message key and its values; `checks` turns them into an outcome.

use super::Rule;
use crate::analysis::finding::{Evidence, Status};
use crate::analysis::prosody::Prosody;

/// A voice check's verdict before its message is written.
pub struct Verdict {
    pub status: Status,
    pub key: &'static str,
    pub vars: Vec<(&'static str, String)>,
    pub evidence: Vec<Evidence>,
}

impl Verdict {
    fn new(status: Status, key: &'static str) -> Verdict {
        Verdict {
            status,
            key,
            vars: Vec::new(),
            evidence: Vec::new(),
        }
    }
}

/// Less voiced speech than this and the voice is not judged, seconds.
const MIN_VOICED_S: f64 = 1.0;

/// None: a written script (skipped); too little voice: skipped too.
fn voiced(p: Option<&Prosody>) -> Result<&Prosody, Verdict> {
    match p {
        None => Err(Verdict::new(Status::Skip, "skip")),
        Some(p) if p.voiced_s < MIN_VOICED_S => Err(Verdict::new(Status::Skip, "no-voice")),
        Some(p) => Ok(p),
    }
}

fn span(text: String, start_s: f64, end_s: f64) -> Evidence {
    Evidence {
        text,
        start_s,
        end_s,
        heard_as: None,
    }
}

/// Flat when the whole message is under `sd_limit` semitones or flat
/// stretches hold `fail_share` of the voiced frames; some flat stretches warn.
pub fn monotone(rule: &Rule, p: Option<&Prosody>, sd_limit: f64) -> Verdict {
    let p = match voiced(p) {
        Ok(p) => p,
        Err(v) => return v,
    };
    let within = |t: f64| {
        p.monotone_stretches
            .iter()
            .any(|m| t >= m.start_s && t <= m.end_s)
    };
    let flat_frames = p.contour.iter().filter(|pt| within(pt.0)).count();
    let share = flat_frames as f64 / p.contour.len().max(1) as f64;
    let seconds: f64 = p
        .monotone_stretches
        .iter()
        .map(|m| m.end_s - m.start_s)
        .sum();
    let worst_sd = p
        .monotone_stretches
        .iter()
        .map(|m| m.sd_semitones)
        .fold(0.0, f64::max);
    let evidence = p
        .monotone_stretches
        .iter()
        .map(|m| {
            let text = format!("flat: {:.1} semitones", m.sd_semitones);
            span(text, m.start_s, m.end_s)
        })
        .collect();
    let (status, key) = if p.pitch_sd_semitones < sd_limit || share >= rule.param("fail_share", 0.5)
    {
        (Status::Fail, "flat")
    } else if !p.monotone_stretches.is_empty() {
        (Status::Warn, "stretches")
    } else {
        (Status::Pass, "pass")
    };
    let sd = if key == "stretches" {
        worst_sd
    } else {
        p.pitch_sd_semitones
    };
    Verdict {
        status,
        key,
        vars: vec![
            ("sd", format!("{sd:.1}")),
            ("range", format!("{:.1}", p.pitch_range_semitones)),
            ("count", p.monotone_stretches.len().to_string()),
            ("seconds", format!("{seconds:.0}")),
            ("share", format!("{:.0}%", share * 100.0)),
        ],
        evidence,
    }
}

/// A phone number that ends rising fails; rising ends on `warn_share` of
/// the statements or more warn.
pub fn uptalk(rule: &Rule, p: Option<&Prosody>) -> Verdict {
    let p = match voiced(p) {
        Ok(p) => p,
        Err(v) => return v,
    };
    let statements = p.statements.max(1);
    let share = p.rises.len() as f64 / statements as f64;
    let (status, key) = if p.rises.iter().any(|r| r.at == "number") {
        (Status::Fail, "number")
    } else if !p.rises.is_empty() && share >= rule.param("warn_share", 0.34) {
        (Status::Warn, "rises")
    } else {
        (Status::Pass, "pass")
    };
    let evidence = p
        .rises
        .iter()
        .map(|r| {
            let text = format!("{} (up {:.1} semitones)", r.text, r.semitones);
            span(text, r.start_s, r.end_s)
        })
        .collect();
    Verdict {
        status,
        key,
        vars: vec![
            ("rises", p.rises.len().to_string()),
            ("statements", p.statements.to_string()),
        ],
        evidence,
    }
}
