//! The terminal report: headline, the fixes that matter most, a timeline of
//! what was said when, every rule with its mark and evidence, delivery and
//! recording numbers, and the transcript. Colour only when asked for; the
//! caller decides (a terminal, and no NO_COLOR).

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::Report;
use crate::analysis::phone::format_digits;
use crate::analysis::{Finding, Status};

/// 83.4 -> "1:23.4"
pub fn clock(seconds: f64) -> String {
    let tenths = (seconds.max(0.0) * 10.0).round() as u64;
    format!("{}:{:02}.{}", tenths / 600, (tenths / 10) % 60, tenths % 10)
}

struct Paint {
    color: bool,
}

impl Paint {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }
    fn bold(&self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }
    fn dim(&self, text: &str) -> String {
        self.paint(Style::new().dimmed(), text)
    }
    fn status(&self, status: Status) -> String {
        let (mark, color) = match status {
            Status::Pass => ("✓", AnsiColor::Green),
            Status::Fail => ("✗", AnsiColor::Red),
            Status::Warn => ("!", AnsiColor::Yellow),
            Status::Skip => ("-", AnsiColor::BrightBlack),
        };
        self.paint(Style::new().fg_color(Some(color.into())).bold(), mark)
    }
    fn score(&self, score: u32) -> String {
        let color = match score {
            80.. => AnsiColor::Green,
            50..=79 => AnsiColor::Yellow,
            _ => AnsiColor::Red,
        };
        self.paint(
            Style::new().fg_color(Some(color.into())).bold(),
            &format!("{score}/100"),
        )
    }
}

fn evidence_line(f: &Finding) -> Option<String> {
    let parts: Vec<String> = f
        .evidence
        .iter()
        .take(2)
        .map(|e| {
            let heard = e
                .heard_as
                .as_ref()
                .map(|digits| format!(" heard as {digits}"))
                .unwrap_or_default();
            format!("\"{}\"{heard} ({})", e.text, clock(e.start_s))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// A file name as one line of a terminal: control characters (a newline,
/// an escape sequence) written as escapes (`\n`, `\u{1b}`), so a name can
/// neither break a line-per-file listing nor drive the terminal.
pub fn printable(name: &str) -> std::borrow::Cow<'_, str> {
    if name.chars().any(char::is_control) {
        name.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect::<String>()
            .into()
    } else {
        name.into()
    }
}

/// Renders the report for a terminal (or a pipe, with `color` false).
pub fn render(report: &Report, color: bool) -> String {
    let p = Paint { color };
    let mut out = String::new();
    headline(&mut out, &p, report);
    fixes(&mut out, &p, report);
    timeline(&mut out, &p, report);
    checks(&mut out, &p, report);
    delivery(&mut out, &p, report);
    let _ = writeln!(out, "\n{}", p.bold("Transcript"));
    if report.transcript.is_empty() {
        let _ = writeln!(out, "  (no speech found)");
    } else {
        let _ = writeln!(out, "  {}", report.transcript);
    }
    out
}

/// The file, the kind of message, the score and the verdict.
fn headline(out: &mut String, p: &Paint, report: &Report) {
    let timing = if report.estimated_timing {
        " (times estimated from the script)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{}  {}{}",
        p.bold(&printable(&report.source)),
        p.dim(&report.kind_phrase()),
        timing
    );
    let _ = writeln!(
        out,
        "Score {}  {}  ·  {:.0} s of speech  ·  {:.0} words/min",
        p.score(report.score),
        report.verdict,
        report.speech_s,
        report.words_per_minute
    );
}

/// The advice of the fixes that matter most, in order.
fn fixes(out: &mut String, p: &Paint, report: &Report) {
    let fixes: Vec<&Finding> = report
        .top_fixes
        .iter()
        .filter_map(|id| report.rules.iter().find(|f| &f.id == id))
        .collect();
    if !fixes.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("Fix first"));
        for (i, f) in fixes.iter().enumerate() {
            let advice = f.advice.as_deref().unwrap_or(&f.message);
            let _ = writeln!(out, "  {}. {} {}", i + 1, p.bold(&f.id), advice);
        }
    }
}

/// Each part of the message and when it was said.
fn timeline(out: &mut String, p: &Paint, report: &Report) {
    if !report.timeline.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("What you said when"));
        for m in &report.timeline {
            let _ = writeln!(
                out,
                "  {}  {:<12} {}",
                clock(m.start_s),
                m.part,
                p.dim(&m.text)
            );
        }
    }
}

/// Every check with its mark, message and evidence.
fn checks(out: &mut String, p: &Paint, report: &Report) {
    let _ = writeln!(out, "\n{}", p.bold("Checks"));
    let width = report.rules.iter().map(|f| f.id.len()).max().unwrap_or(0);
    for f in &report.rules {
        let _ = writeln!(
            out,
            "  {} {:<width$}  {}",
            p.status(f.status),
            f.id,
            f.message
        );
        if f.status != Status::Skip {
            if let Some(ev) = evidence_line(f) {
                let _ = writeln!(out, "    {:<width$}  {}", "", p.dim(&ev));
            }
        }
    }
}

/// Speech, pace, pauses and fillers; each number and any doubt about it;
/// the recording's levels and warnings.
fn delivery(out: &mut String, p: &Paint, report: &Report) {
    let d = &report.delivery;
    let _ = writeln!(out, "\n{}", p.bold("Delivery"));
    let _ = writeln!(
        out,
        "  {:.1} s of speech ({} to {}), {:.0} words/min, {} pause{} over 1 s{}, {} filler{}",
        d.speech_s,
        clock(d.speech_start_s),
        clock(d.speech_end_s),
        d.words_per_minute,
        d.pause_count,
        if d.pause_count == 1 { "" } else { "s" },
        if d.pause_count > 0 {
            format!(" (longest {:.1} s)", d.longest_pause_s)
        } else {
            String::new()
        },
        d.filler_count,
        if d.filler_count == 1 { "" } else { "s" },
    );
    if let Some(v) = &report.prosody {
        let _ = writeln!(out, "  {}", super::voice::voice_line(v));
    }
    for n in &report.phone_numbers {
        let _ = writeln!(
            out,
            "  number {} at {}-{}{}",
            format_digits(&n.digits),
            clock(n.start_s),
            clock(n.end_s),
            n.extension
                .as_ref()
                .map(|x| format!(", extension {x}"))
                .unwrap_or_default()
        );
        if let Some(doubt) = n.doubt.as_deref().filter(|_| n.uncertain) {
            let _ = writeln!(
                out,
                "  {} we heard {}, but not for sure: {doubt}. Say the number slower, in groups.",
                p.status(Status::Warn),
                format_digits(&n.digits),
            );
        }
    }
    if let Some(q) = &report.quality {
        let _ = writeln!(
            out,
            "  recording: peak {:.1} dBFS, RMS {:.1} dBFS, noise floor {:.1} dBFS",
            q.peak_dbfs, q.rms_dbfs, q.noise_floor_dbfs
        );
        for w in &q.warnings {
            let _ = writeln!(out, "  {} {w}", p.status(Status::Warn));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Evidence;

    #[test]
    fn a_name_with_control_characters_prints_on_one_line() {
        assert_eq!(printable("take 1.wav"), "take 1.wav");
        assert_eq!(printable("a\nb\u{1b}[31m.wav"), "a\\nb\\u{1b}[31m.wav");
        assert!(!printable("x\ry.wav").contains('\r'));
    }

    #[test]
    fn a_quoted_number_says_what_it_was_heard_as() {
        let quote = |heard_as: Option<&str>| Evidence {
            text: "7 1 8 5 5 5 1 0.".into(),
            start_s: 15.3,
            end_s: 19.0,
            heard_as: heard_as.map(String::from),
        };
        let finding = Finding {
            id: "number-pace".into(),
            status: Status::Pass,
            message: String::new(),
            evidence: vec![quote(Some("718-555-0100")), quote(None)],
            advice: None,
        };
        assert_eq!(
            evidence_line(&finding).unwrap(),
            "\"7 1 8 5 5 5 1 0.\" heard as 718-555-0100 (0:15.3), \"7 1 8 5 5 5 1 0.\" (0:15.3)"
        );
    }
}
