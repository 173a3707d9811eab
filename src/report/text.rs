//! The terminal report: headline, the fixes that matter most, a timeline of
//! what was said when, every rule with its mark and evidence, delivery and
//! recording numbers, and the transcript. Colour only when asked for, and
//! lines wrapped to the width the caller gives (the terminal's, or a
//! default for a pipe); the caller decides both.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::Report;
use crate::analysis::phone::format_digits;
use crate::analysis::{Delivery, Finding, Status};

/// 83.4 -> "1:23.4"
pub fn clock(seconds: f64) -> String {
    let tenths = (seconds.max(0.0) * 10.0).round() as u64;
    format!("{}:{:02}.{}", tenths / 600, (tenths / 10) % 60, tenths % 10)
}

/// The width to wrap to when there is no terminal to ask.
pub const DEFAULT_WIDTH: usize = 80;

/// Narrower than this, lines are wrapped as if it were this wide.
const MIN_WIDTH: usize = 40;

/// What the marks before each check mean.
pub const LEGEND: &str = "✓ passed  ✗ failed  ! warning  - not checked";

struct Paint {
    color: bool,
    width: usize,
    /// Rule ids beside the checks' names, and the recording's levels in dBFS.
    verbose: bool,
}

impl Paint {
    /// `lead`, then `text` wrapped at word boundaries to the width, every
    /// further line indented by `hang` columns.
    fn wrap(&self, out: &mut String, lead: &str, hang: usize, text: &str) {
        let indent = " ".repeat(hang);
        let options = textwrap::Options::new(self.width.max(MIN_WIDTH))
            .initial_indent(lead)
            .subsequent_indent(&indent)
            .break_words(false)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        for line in textwrap::wrap(text, options) {
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
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

/// Renders the report for a terminal (or a pipe, with `color` false),
/// lines wrapped to `width` columns.
pub fn render(report: &Report, color: bool, width: usize) -> String {
    render_with(report, color, width, false)
}

/// [`render`], with `verbose` adding each check's rule id and the
/// recording's levels in dBFS.
pub fn render_with(report: &Report, color: bool, width: usize, verbose: bool) -> String {
    let p = Paint {
        color,
        width,
        verbose,
    };
    let mut out = String::new();
    headline(&mut out, &p, report);
    fixes(&mut out, &p, report);
    suggestion(&mut out, &p, report);
    timeline(&mut out, &p, report);
    checks(&mut out, &p, report);
    delivery(&mut out, &p, report);
    let _ = writeln!(out, "\n{}", p.bold("Transcript"));
    if report.transcript.is_empty() {
        let _ = writeln!(out, "  (no speech heard)");
    } else {
        p.wrap(&mut out, "  ", 2, &transcript_line(report));
    }
    out
}

/// The words as heard, each number whose digits were heard again followed
/// by what they were heard as.
fn transcript_line(report: &Report) -> String {
    let mut line = String::new();
    for (i, w) in report.words.iter().enumerate() {
        if i > 0 {
            line.push(' ');
        }
        line.push_str(&w.text);
        if let Some(note) = report.heard_again(i) {
            let _ = write!(line, " [{note}]");
        }
    }
    line
}

/// The file, the kind of message, the score and the verdict.
fn headline(out: &mut String, p: &Paint, report: &Report) {
    let timing = if report.estimated_timing {
        " (times estimated from the script)"
    } else {
        ""
    };
    let line = format!(
        "{}  {}{}",
        p.bold(&printable(&report.source)),
        p.dim(&report.kind_phrase()),
        timing
    );
    p.wrap(out, "", 2, &line);
    let line = format!(
        "Score {}  {}  ·  {} of speech  ·  {}",
        p.score(report.score),
        report.verdict,
        seconds(report.speech_s),
        pace(&report.delivery)
    );
    p.wrap(out, "", 2, &line);
}

/// "0.4 s" under ten seconds, "23 s" from there.
fn seconds(s: f64) -> String {
    if s < 10.0 {
        format!("{s:.1} s")
    } else {
        format!("{s:.0} s")
    }
}

/// "142 words/min", or why there is no pace.
fn pace(d: &Delivery) -> String {
    if d.pace_measured {
        format!("{:.0} words/min", d.words_per_minute)
    } else {
        "too few words for a pace".to_string()
    }
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
            let lead = format!("  {}. ", i + 1);
            let name = format!("{}:", check_name(p, f));
            p.wrap(
                out,
                &lead,
                lead.len(),
                &format!("{} {advice}", p.bold(&name)),
            );
        }
    }
}

/// A check's name in plain words; with `verbose`, its rule id too.
fn check_name(p: &Paint, f: &Finding) -> String {
    match (f.title.is_empty(), p.verbose) {
        (true, _) => f.id.clone(),
        (false, false) => f.title.clone(),
        (false, true) => format!("{} ({})", f.title, f.id),
    }
}

/// "Say this instead": the message rebuilt from what was said.
fn suggestion(out: &mut String, p: &Paint, report: &Report) {
    if !report.suggestion.is_empty() && !report.top_fixes.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("Say this instead"));
        p.wrap(out, "  ", 2, &report.suggestion);
        p.wrap(
            out,
            "  ",
            2,
            &p.dim("(your own words, in the order that works; fill in the [brackets])"),
        );
    }
}

/// Each part of the message and when it was said.
fn timeline(out: &mut String, p: &Paint, report: &Report) {
    if !report.timeline.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("What you said when"));
        for m in &report.timeline {
            let lead = format!("  {}  {:<12} ", clock(m.start_s), m.part);
            p.wrap(out, &lead, lead.chars().count(), &p.dim(&m.text));
        }
    }
}

/// Every check with its mark, message and evidence.
fn checks(out: &mut String, p: &Paint, report: &Report) {
    let _ = writeln!(out, "\n{}", p.bold("Checks"));
    if !report.speech_heard {
        let _ = writeln!(out, "  (no speech heard, so nothing to check)");
        return;
    }
    let _ = writeln!(out, "  {}", p.dim(LEGEND));
    let names: Vec<String> = report.rules.iter().map(|f| check_name(p, f)).collect();
    // The names make a column unless that leaves too little room for the
    // messages; a longer name then has its message on the next line.
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let hang = (longest + 6).min((p.width * 2 / 5).max(12));
    let width = hang - 6;
    for (f, name) in report.rules.iter().zip(&names) {
        let lead = format!("  {} {:<width$}  ", p.status(f.status), name);
        if name.chars().count() > width {
            let _ = writeln!(out, "{}", lead.trim_end());
            p.wrap(out, &" ".repeat(hang), hang, &f.message);
        } else {
            p.wrap(out, &lead, hang, &f.message);
        }
        if f.status != Status::Skip {
            if let Some(ev) = evidence_line(f) {
                p.wrap(out, &" ".repeat(hang), hang, &p.dim(&ev));
            }
        }
    }
}

/// Speech, pace, pauses and fillers; each number and any doubt about it;
/// the recording's levels and warnings.
fn delivery(out: &mut String, p: &Paint, report: &Report) {
    let d = &report.delivery;
    let _ = writeln!(out, "\n{}", p.bold("Delivery"));
    let line = if !report.speech_heard {
        "no speech heard".to_string()
    } else {
        speech_line(d)
    };
    p.wrap(out, "  ", 4, &line);
    if let Some(v) = &report.prosody {
        p.wrap(out, "  ", 4, &super::voice::voice_line(v));
    }
    numbers_and_levels(out, p, report);
}

/// "21.0 s of speech (0:00.4 to 0:21.4), 150 words a minute, ..."
fn speech_line(d: &Delivery) -> String {
    format!(
        "{:.1} s of speech ({} to {}), {}, {} pause{} over 1 s{}, {} filler{}",
        d.speech_s,
        clock(d.speech_start_s),
        clock(d.speech_end_s),
        pace(d),
        d.pause_count,
        if d.pause_count == 1 { "" } else { "s" },
        if d.pause_count > 0 {
            format!(" (longest {:.1} s)", d.longest_pause_s)
        } else {
            String::new()
        },
        d.filler_count,
        if d.filler_count == 1 { "" } else { "s" },
    )
}

/// Each number and any doubt about it; the recording's levels and warnings.
fn numbers_and_levels(out: &mut String, p: &Paint, report: &Report) {
    let warn = format!("  {} ", p.status(Status::Warn));
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
        if let Some(doubt) = report.number_doubt(n) {
            p.wrap(out, &warn, 4, &doubt);
        }
    }
    if let Some(q) = &report.quality {
        if p.verbose {
            let _ = writeln!(
                out,
                "  recording: peak {:.1} dBFS, RMS {:.1} dBFS, noise floor {:.1} dBFS",
                q.peak_dbfs, q.rms_dbfs, q.noise_floor_dbfs
            );
        } else if q.warnings.is_empty() {
            let _ = writeln!(out, "  recording: the level is fine");
        }
        for w in &q.warnings {
            p.wrap(out, &warn, 4, w);
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

    /// A number heard again as other digits than the transcript wrote:
    /// the transcript line says so, and the doubt is ours unless the
    /// number really went fast.
    #[test]
    fn a_number_heard_again_is_marked_and_its_doubt_is_ours() {
        use crate::pipeline::{coach_script, CoachOptions};
        let mut r = coach_script(
            "take.wav".into(),
            "Hi, this is Kevin Marsh. Please call me back at 7 1 8 5 5 5 1 0.",
            &CoachOptions::default(),
        );
        let n = &mut r.phone_numbers[0];
        n.digits = "7185550100".into();
        n.uncertain = true;
        n.doubt = Some("the first listen heard 718-555-10".into());
        let text = render(&r, false, 1000);
        assert!(
            text.contains("back at 7 1 8 5 5 5 1 0. [heard again as 718-555-0100]"),
            "{text}"
        );
        assert!(text.contains("! we could not make out every digit for sure (the first listen heard 718-555-10); our best reading is 718-555-0100: check that it is your number."), "{text}");
        assert!(!text.contains("slower"), "{text}");
        let pace = r.rules.iter_mut().find(|f| f.id == "number-pace").unwrap();
        pace.status = Status::Fail;
        assert!(render(&r, false, 1000).contains("it went fast: say the number slower, in groups."));
    }

    /// Lines are wrapped at word boundaries to the width, continuations
    /// indented under their text, and a legend explains the marks.
    #[test]
    fn lines_wrap_between_words_with_a_hanging_indent() {
        use crate::pipeline::{coach_script, CoachOptions};
        let script = "Hi, this is Dana Whitfield. I came across your ad for a retail \
                      sales job and I think you can fill it with me, since I have seven years \
                      in retail. Please call me at 612-555-0147. Thanks.";
        let r = coach_script("take.wav".into(), script, &CoachOptions::default());
        let text = render(&r, false, 60);
        for line in text.lines() {
            assert!(line.chars().count() <= 60, "{line:?}");
        }
        let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        let shown = words(&text);
        for w in words(script) {
            assert!(shown.contains(&w), "{w:?} is cut in\n{text}");
        }
        let legend = text.lines().skip_while(|l| *l != "Checks").nth(1).unwrap();
        assert_eq!(legend, format!("  {LEGEND}"));
        // A check's message goes on under its own first word (at this
        // width, on the line after a long check name).
        let lines: Vec<&str> = text.lines().collect();
        let at = lines.iter().position(|l| l.contains("The role")).unwrap();
        assert!(lines[..at]
            .iter()
            .any(|l| l.contains("✗ Names a specific role")));
        let byte = lines[at].find("The role").unwrap();
        let column = lines[at][..byte].chars().count();
        assert!(
            lines[at + 1].starts_with(&" ".repeat(column)),
            "{}\n{}",
            lines[at],
            lines[at + 1]
        );
        assert!(!lines[at + 1][column..].starts_with(' '));
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
            title: String::new(),
        };
        assert_eq!(
            evidence_line(&finding).unwrap(),
            "\"7 1 8 5 5 5 1 0.\" heard as 718-555-0100 (0:15.3), \"7 1 8 5 5 5 1 0.\" (0:15.3)"
        );
    }
}
