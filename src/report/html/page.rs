//! One message's page: headline, fixes, the player and timeline, the chart
//! of a rehearsal's takes, every check, the transcript and the numbers.

use std::fmt::Write;

use base64::Engine as _;

use super::assets::PLAYER_SCRIPT;
use super::extras::{Extras, TakePoint};
use super::markup::{
    escape, file_name, foot, head, plural, score_class, status_name, time_link, word_classes,
};
use super::timeline::Timeline;
use crate::analysis::{Finding, Status};
use crate::report::Report;

/// Renders one message's page.
pub fn render(report: &Report, extras: &Extras) -> String {
    let audio_len = extras.recording.as_ref().map_or(0, |r| r.wav.len());
    let mut out = String::with_capacity(24_000 + report.words.len() * 400 + audio_len * 4 / 3);
    head(
        &mut out,
        &format!("{} · vmcoach", file_name(&report.source)),
    );
    headline(&mut out, report);
    fixes(&mut out, report);
    if let Some(rec) = extras.recording.as_ref().filter(|r| !r.wav.is_empty()) {
        let _ = writeln!(
            out,
            "<div class=\"player\"><audio id=\"player\" controls preload=\"auto\" src=\"data:audio/wav;base64,{}\"></audio>\
             <span class=\"sub\">Click a word (or a time) to hear it from there.</span></div>",
            base64::engine::general_purpose::STANDARD.encode(&rec.wav)
        );
    }
    Timeline::new(report, extras).render(&mut out);
    if extras.takes.len() > 1 {
        takes_chart(&mut out, &extras.takes);
    }
    checks(&mut out, report);
    transcript(&mut out, report);
    numbers(&mut out, report);
    foot(&mut out, PLAYER_SCRIPT);
    out
}

fn headline(out: &mut String, report: &Report) {
    let kind = report.kind_phrase();
    let timing = if report.estimated_timing {
        " · times estimated from the script"
    } else {
        ""
    };
    let attempt = if report.attempt > 1 {
        format!(" · attempt {}", report.attempt)
    } else {
        String::new()
    };
    let d = &report.delivery;
    let _ = writeln!(
        out,
        "<section class=\"headline\"><div class=\"score {}\" id=\"score\">{}<small>/ 100</small></div>\
         <div><h1 title=\"{}\">{}</h1><div class=\"sub\">{kind}{attempt}{timing}</div>\
         <p class=\"verdict\">{}</p><ul class=\"stats\">\
         <li>length <b>{:.1} s</b></li><li>{}</li>\
         <li><b>{}</b> over 1 s</li><li><b>{}</b></li></ul></div></section>",
        score_class(report.score),
        report.score,
        escape(&report.source),
        escape(file_name(&report.source)),
        escape(&report.verdict),
        report.speech_s,
        if d.pace_measured {
            format!("pace <b>{:.0}</b> words/min", d.words_per_minute)
        } else {
            "too few words for a pace".to_string()
        },
        plural(d.pause_count, "pause", "pauses"),
        plural(d.filler_count, "filler", "fillers"),
    );
}

fn fixes(out: &mut String, report: &Report) {
    let fixes: Vec<&Finding> = report
        .top_fixes
        .iter()
        .filter_map(|id| report.rules.iter().find(|f| &f.id == id))
        .collect();
    if fixes.is_empty() {
        return;
    }
    out.push_str("<section><h2>Fix first</h2><ol class=\"fixes\">");
    for f in fixes {
        let _ = write!(
            out,
            "<li><span class=\"id\" title=\"{}\">{}</span> {}</li>",
            escape(&f.id),
            escape(name_of(f)),
            escape(f.advice.as_deref().unwrap_or(&f.message))
        );
    }
    out.push_str("</ol></section>\n");
    if !report.suggestion.is_empty() {
        let _ = writeln!(
            out,
            "<section><h2>Say this instead</h2><p class=\"suggestion\">{}</p>\
             <p class=\"sub\">Your own words, in the order that works; fill in the [brackets].</p></section>",
            escape(&report.suggestion)
        );
    }
}

/// A check's name in plain words (its rule id when it has none).
fn name_of(f: &Finding) -> &str {
    if f.title.is_empty() {
        &f.id
    } else {
        &f.title
    }
}

fn checks(out: &mut String, report: &Report) {
    if !report.speech_heard {
        out.push_str(
            "<section><h2>Checks</h2><p class=\"sub\">No speech heard, so nothing to check.</p></section>\n",
        );
        return;
    }
    out.push_str("<section><h2>Checks</h2>");
    let _ = write!(
        out,
        "<p class=\"sub legend\">{}</p><ul class=\"checks\">",
        escape(crate::report::text::LEGEND)
    );
    for f in &report.rules {
        let (class, mark) = status_name(f.status);
        let _ = write!(
            out,
            "<li class=\"{class}\"><span class=\"mark\" title=\"{class}\">{mark}</span><div>\
             <span class=\"id\" title=\"{}\">{}</span> {}",
            escape(&f.id),
            escape(name_of(f)),
            escape(&f.message)
        );
        if f.status != Status::Skip && !f.evidence.is_empty() {
            out.push_str("<div class=\"evidence\">");
            for (i, e) in f.evidence.iter().enumerate() {
                let sep = if i > 0 { " · " } else { "" };
                let heard = match &e.heard_as {
                    Some(digits) => format!(" heard as {}", escape(digits)),
                    None => String::new(),
                };
                let _ = write!(
                    out,
                    "{sep}“{}”{heard} at {}",
                    escape(&e.text),
                    time_link(e.start_s)
                );
            }
            out.push_str("</div>");
        }
        if let (Status::Fail | Status::Warn, Some(advice)) = (f.status, &f.advice) {
            let _ = write!(out, "<div class=\"advice\">{}</div>", escape(advice));
        }
        out.push_str("</div></li>");
    }
    out.push_str("</ul></section>\n");
}

fn transcript(out: &mut String, report: &Report) {
    out.push_str("<section><h2>Transcript</h2><p class=\"transcript\" id=\"transcript\">");
    if report.words.is_empty() {
        out.push_str("<span class=\"sub\">(no speech heard)</span>");
    }
    let classes = word_classes(report);
    let mut open = "";
    for (i, (w, &class)) in report.words.iter().zip(&classes).enumerate() {
        if class != open && !open.is_empty() {
            out.push_str("</mark>");
        }
        if i > 0 {
            out.push(' ');
        }
        if class != open && !class.is_empty() {
            let _ = write!(out, "<mark class=\"{class}\">");
        }
        open = class;
        let _ = write!(
            out,
            "<span class=\"w\" data-start=\"{:.2}\" data-end=\"{:.2}\">{}</span>",
            w.start_s,
            w.end_s,
            escape(&w.text)
        );
        if let Some(note) = report.heard_again(i) {
            if !open.is_empty() {
                out.push_str("</mark>");
                open = "";
            }
            let _ = write!(out, " <span class=\"sub\">[{}]</span>", escape(&note));
        }
    }
    if !open.is_empty() {
        out.push_str("</mark>");
    }
    out.push_str("</p></section>\n");
}

fn numbers(out: &mut String, report: &Report) {
    let d = &report.delivery;
    out.push_str("<section><h2>Delivery and recording</h2><dl class=\"numbers\">");
    let _ = write!(
        out,
        "<dt>speech</dt><dd>{:.1} s, from {} to {}</dd><dt>pace</dt><dd>{} ({} words as spoken, \
         each digit of a number counted)</dd>",
        d.speech_s,
        time_link(d.speech_start_s),
        time_link(d.speech_end_s),
        if d.pace_measured {
            format!("{:.0} words/min", d.words_per_minute)
        } else {
            "too few words to give a pace".to_string()
        },
        d.spoken_words
    );
    let pauses: Vec<String> = d
        .pauses
        .iter()
        .map(|p| {
            format!(
                "{:.1} s after “{}” at {}",
                p.duration_s,
                escape(&p.after),
                time_link(p.start_s)
            )
        })
        .collect();
    let _ = write!(
        out,
        "<dt>pauses over 1 s</dt><dd>{}</dd>",
        if pauses.is_empty() {
            "none".into()
        } else {
            pauses.join("; ")
        }
    );
    let fillers: Vec<String> = d
        .fillers
        .iter()
        .map(|f| format!("“{}” at {}", escape(&f.text), time_link(f.start_s)))
        .collect();
    let _ = write!(
        out,
        "<dt>fillers</dt><dd>{}</dd>",
        if fillers.is_empty() {
            "none".into()
        } else {
            fillers.join(", ")
        }
    );
    for n in &report.phone_numbers {
        let _ = write!(
            out,
            "<dt>phone number</dt><dd><mark class=\"num\">{}</mark> from {} to {}{}{}</dd>",
            escape(&crate::analysis::phone::format_digits(&n.digits)),
            time_link(n.start_s),
            time_link(n.end_s),
            n.extension
                .as_ref()
                .map(|x| format!(", extension {}", escape(x)))
                .unwrap_or_default(),
            report
                .number_doubt(n)
                .map(|d| format!("<br>{}", escape(&d)))
                .unwrap_or_default()
        );
    }
    if let Some(q) = &report.quality {
        let level = if q.warnings.is_empty() {
            "; the level is fine"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<dt>recording</dt><dd title=\"peak {:.1} dBFS, RMS {:.1} dBFS, noise floor {:.1} dBFS\">{:.1} s{level}</dd>",
            q.peak_dbfs, q.rms_dbfs, q.noise_floor_dbfs, report.duration_s
        );
        for w in &q.warnings {
            let _ = write!(out, "<dt>warning</dt><dd>{}</dd>", escape(w));
        }
    }
    out.push_str("</dl></section>\n");
}

fn takes_chart(out: &mut String, takes: &[TakePoint]) {
    const W: f64 = 1000.0;
    const H: f64 = 200.0;
    const LEFT: f64 = 44.0;
    const RIGHT: f64 = 20.0;
    const TOP: f64 = 22.0;
    const BOTTOM: f64 = 30.0;
    let n = takes.len();
    let x = |i: usize| LEFT + (W - LEFT - RIGHT) * (i as f64 + 0.5) / n as f64;
    let y = |score: u32| TOP + (H - TOP - BOTTOM) * (1.0 - score.min(100) as f64 / 100.0);
    out.push_str("<section><h2>Score across takes</h2>");
    let _ = write!(
        out,
        "<svg id=\"takes\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"score of each take\">"
    );
    for level in [0, 50, 80, 100] {
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{:.0}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e5e7eb\"/>\
             <text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#6b7280\">{level}</text>",
            W - RIGHT,
            LEFT - 6.0,
            y(level) + 4.0,
            y = y(level)
        );
    }
    if let Some(first) = takes.iter().position(|t| t.this_session).filter(|&i| i > 0) {
        let xs = (x(first - 1) + x(first)) / 2.0;
        let _ = write!(
            out,
            "<line x1=\"{xs:.1}\" x2=\"{xs:.1}\" y1=\"{TOP}\" y2=\"{:.0}\" stroke=\"#94a3b8\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{:.1}\" y=\"{:.0}\" font-size=\"11\" fill=\"#6b7280\">this session</text>",
            H - BOTTOM,
            xs + 6.0,
            TOP - 8.0
        );
    }
    let line: Vec<String> = takes
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{:.1},{:.1}", x(i), y(t.score)))
        .collect();
    let _ = write!(
        out,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#64748b\" stroke-width=\"2\"/>",
        line.join(" ")
    );
    for (i, t) in takes.iter().enumerate() {
        let current = i + 1 == n;
        let color = match score_class(t.score) {
            "good" => "#15803d",
            "fair" => "#b45309",
            _ => "#b91c1c",
        };
        let _ = write!(
            out,
            "<circle class=\"take\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"{}\" fill=\"{}\" stroke=\"{color}\" stroke-width=\"2.5\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"{}\" fill=\"{color}\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.0}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#6b7280\">{}</text>",
            x(i),
            y(t.score),
            if current { 7 } else { 5 },
            if current { color } else { "#fff" },
            x(i),
            y(t.score) - 11.0,
            if current { 700 } else { 400 },
            t.score,
            x(i),
            H - 10.0,
            if current { "this take".to_string() } else { (i + 1).to_string() },
        );
    }
    out.push_str("</svg></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{coach_script, CoachOptions};
    use crate::report::html::{is_own_page, render_index, IndexEntry, Recording};
    use crate::report::summary::{Row, Summary};

    const NASTY: &str = "<script>alert(1)</script>";

    fn script_report(source: &str, script: &str) -> Report {
        coach_script(source.into(), script, &CoachOptions::default())
    }

    #[test]
    fn transcript_and_file_names_appear_only_escaped() {
        let source = format!("mess{NASTY}\"quote'&.wav");
        let mut report = script_report(
            &source,
            &format!("Hi {NASTY} this is \"Dana\" & 'Lee', my number is 612 555 0147. Thanks."),
        );
        report.verdict = format!("{NASTY} & more");
        report.rules[0].advice = Some(NASTY.into());
        report.rules[0].status = Status::Fail;
        let extras = Extras {
            recording: Some(Recording::new(&[0.0; 1600], 16_000).unwrap()),
            number_window_s: Some(10.0),
            takes: vec![
                TakePoint {
                    score: 40,
                    this_session: false,
                },
                TakePoint {
                    score: 70,
                    this_session: true,
                },
            ],
        };
        let page = render(&report, &extras);
        // the only script element is the page's own
        assert_eq!(page.matches("<script").count(), 1, "{page}");
        assert!(!page.contains("alert(1)</script>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        for raw in ["\"Dana\"", "'Lee'", "quote'&.wav", " & "] {
            assert!(!page.contains(raw), "{raw} unescaped");
        }
        assert!(page.contains("&quot;Dana&quot;") && page.contains("&#39;Lee&#39;"));
        assert!(page.contains("quote&#39;&amp;.wav"));

        let entries = vec![IndexEntry {
            row: Row::from_report(&report),
            page: Some(format!("{NASTY}\".html")),
        }];
        let index = render_index(&entries, &Summary::of(&[Row::from_report(&report)]));
        assert_eq!(index.matches("<script").count(), 1);
        assert!(index.contains("href=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;.html\""));
    }

    #[test]
    fn a_page_loads_nothing_from_anywhere() {
        let report = script_report("a.wav", "Hi, this is Dana, 612 555 0147. Thanks.");
        let extras = Extras {
            recording: Some(Recording::new(&vec![0.1; 16_000], 16_000).unwrap()),
            number_window_s: Some(10.0),
            takes: Vec::new(),
        };
        let page = render(&report, &extras);
        assert!(is_own_page(page.as_bytes()));
        for remote in ["http:", "https:", "//", "@import", "url(h"] {
            let outside_script = page.replace("data:audio/wav;base64,", "");
            assert!(
                !outside_script.contains(&format!("src=\"{remote}")),
                "{remote}"
            );
            assert!(
                !outside_script.contains(&format!("href=\"{remote}")),
                "{remote}"
            );
        }
        assert!(!page.contains("http://") && !page.contains("https://"));
        assert!(
            page.contains("src=\"data:audio/wav;base64,UklGR"),
            "a WAV data URI"
        );
    }

    #[test]
    fn every_word_gets_one_mark_and_the_number_its_highlight() {
        let report = script_report(
            "a.wav",
            "Hi, um, this is Dana Whitfield, 612 555 0147. I'll call Thursday. Thanks.",
        );
        let page = render(
            &report,
            &Extras {
                number_window_s: Some(10.0),
                ..Default::default()
            },
        );
        // Two pictures, for a wide screen and a phone: each has every mark once.
        assert_eq!(page.matches("<svg id=\"timeline").count(), 2);
        assert_eq!(
            page.matches("<g class=\"word").count(),
            2 * report.words.len()
        );
        let (wide, narrow) = page.split_once("<svg id=\"timeline-narrow\"").unwrap();
        assert_eq!(wide.matches("class=\"number-highlight\"").count(), 1);
        assert_eq!(wide.matches("class=\"number-window\"").count(), 1);
        // shorter rows: the number may run on into the next one
        assert!((1..=2).contains(&narrow.matches("class=\"number-highlight\"").count()));
        assert!(page.contains("<g class=\"word num\""));
        assert!(page.contains("<mark class=\"filler\"><span class=\"w\""));
        assert_eq!(
            page.matches("class=\"marker\"").count(),
            2 * report.timeline.len()
        );
        // no recording, no player
        assert!(!page.contains("<audio"));
    }
}
