//! What every page shares: the head and foot, escaping, and the small
//! pieces of markup the sections use.

use std::fmt::Write;

use super::assets::STYLE;
use crate::analysis::Status;
use crate::report::text::clock;
use crate::report::Report;

/// Marks a page as vmcoach's own, so a later run may replace it.
pub const GENERATOR: &str = r#"<meta name="generator" content="vmcoach">"#;

/// Whether a file's start says it is a page vmcoach wrote.
pub fn is_own_page(start: &[u8]) -> bool {
    let head = &start[..start.len().min(1024)];
    head.windows(GENERATOR.len())
        .any(|w| w == GENERATOR.as_bytes())
}

/// Text made safe for HTML, both between tags and inside quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn head(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">{GENERATOR}\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>\n",
        escape(title)
    );
}

pub(super) fn foot(out: &mut String, script: &str) {
    let _ = write!(
        out,
        "<footer>Made by vmcoach on this machine. Nothing in this page was sent anywhere, \
         and it loads nothing from anywhere.</footer>\n</main><script>{script}</script></body></html>\n"
    );
}

/// The last part of a path, for titles.
pub(super) fn file_name(source: &str) -> &str {
    source
        .rsplit(['/', '\\'])
        .find(|s| !s.is_empty())
        .unwrap_or(source)
}

pub(super) fn score_class(score: u32) -> &'static str {
    match score {
        80.. => "good",
        50..=79 => "fair",
        _ => "poor",
    }
}

pub(super) fn status_name(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Pass => ("pass", "✓"),
        Status::Fail => ("fail", "✗"),
        Status::Warn => ("warn", "!"),
        Status::Skip => ("skip", "–"),
    }
}

/// A time that plays the recording from there when clicked.
pub(super) fn time_link(start_s: f64) -> String {
    format!(
        "<span class=\"t\" data-start=\"{start_s:.2}\">{}</span>",
        clock(start_s)
    )
}

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What each word is marked as: part of a phone number, a filler, or plain.
pub(super) fn word_classes(report: &Report) -> Vec<&'static str> {
    let mut classes = vec![""; report.words.len()];
    let mut mark = |range: &std::ops::Range<usize>, class| {
        for c in classes.iter_mut().take(range.end).skip(range.start) {
            *c = class;
        }
    };
    for f in &report.delivery.fillers {
        mark(&f.words, "filler");
    }
    for n in &report.phone_numbers {
        mark(&n.word_range, "num");
    }
    classes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_the_five_characters() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jo'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jo&#39;&lt;/a&gt;"
        );
        assert_eq!(
            escape("plain text, digits 612 555"),
            "plain text, digits 612 555"
        );
    }
}
