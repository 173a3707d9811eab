//! The HTML report: one self-contained page per message, and an index page
//! for a batch. Everything is inline (CSS, SVG, the recording as a data URI,
//! a few lines of script for the player and the table), so a page opens
//! offline in any browser and never loads anything from anywhere.
//!
//! A page shows the headline, the fixes that matter most, a timeline picture
//! (the level envelope, the speech, pauses, the words at their times, the
//! phone number, a marker for each part of the message and the window the
//! number belongs in), every check with its evidence and advice, the
//! transcript with fillers and numbers marked, and the delivery numbers.
//! Clicking a word, or the time of a piece of evidence, plays the recording
//! from there. Like the other renderers this only draws what it is given;
//! every piece of text from the transcript or a file name is escaped.

use std::fmt::Write;

use base64::Engine as _;

use super::text::clock;
use super::Report;
use crate::analysis::{Finding, Status};
use crate::audio::levels;
use crate::batch::{Row, Summary};

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

/// The recording as the page draws and plays it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recording {
    /// Level of each frame of `frame_s` seconds, dBFS.
    pub envelope_dbfs: Vec<f32>,
    pub frame_s: f64,
    /// A 16-bit mono WAV file for the page's player; empty when the
    /// recording does not fit in one (over 4 GB), and the page has no player.
    pub wav: Vec<u8>,
}

impl Recording {
    /// From mono samples at `rate` Hz (the 16 kHz audio the model heard: a
    /// minute is about 2.5 MB of page).
    pub fn new(samples: &[f32], rate: u32) -> Recording {
        Recording {
            envelope_dbfs: levels::frame_dbfs(samples, rate)
                .into_iter()
                .map(|db| db as f32)
                .collect(),
            frame_s: levels::FRAME_S,
            wav: wav16(samples, rate).unwrap_or_default(),
        }
    }
}

fn wav16(samples: &[f32], rate: u32) -> Result<Vec<u8>, hound::Error> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut bytes = std::io::Cursor::new(Vec::with_capacity(44 + samples.len() * 2));
    let mut writer = hound::WavWriter::new(&mut bytes, spec)?;
    for &s in samples {
        writer.write_sample((s.clamp(-1.0, 1.0) * 32767.0).round() as i16)?;
    }
    writer.finalize()?;
    Ok(bytes.into_inner())
}

/// One take in the chart of a rehearsal's scores.
#[derive(Debug, Clone, PartialEq)]
pub struct TakePoint {
    pub score: u32,
    /// Recorded in the session this page belongs to (else an earlier one).
    pub this_session: bool,
}

/// What a page shows besides the report.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// The recording; none for a written script.
    pub recording: Option<Recording>,
    /// The phone number belongs within this many seconds of the start of
    /// speech (the `number-early` rule's window).
    pub number_window_s: Option<f64>,
    /// For a rehearsal: the scores of the takes so far, this page's take last.
    pub takes: Vec<TakePoint>,
}

const STYLE: &str = r#"
:root{--ink:#1f2937;--dim:#6b7280;--line:#e5e7eb;--bg:#f8fafc;--pass:#15803d;--fail:#b91c1c;--warn:#b45309;--num:#d97706;--num-bg:#fef3c7;--filler:#be123c;--filler-bg:#ffe4e6}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1080px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:19px;margin:0;word-break:break-all}
h2{font-size:16px;margin:0 0 10px}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin:14px 0}
.sub{color:var(--dim);font-size:13px}
.headline{display:flex;gap:20px;align-items:center;flex-wrap:wrap}
.score{flex:none;width:92px;height:92px;border-radius:50%;display:flex;flex-direction:column;align-items:center;justify-content:center;color:#fff;font-weight:700;font-size:30px;line-height:1}
.score small{font-size:12px;font-weight:500;opacity:.9;margin-top:3px}
.good{background:var(--pass)}.fair{background:var(--warn)}.poor{background:var(--fail)}
.verdict{font-size:17px;font-weight:600;margin:2px 0 8px}
.stats{display:flex;gap:8px;flex-wrap:wrap;margin:0;padding:0;list-style:none}
.stats li{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:3px 10px;font-size:13px}
.stats b{font-size:15px}
ol.fixes{margin:0;padding-left:22px}ol.fixes li{margin:4px 0}
.id{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px;background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:0 5px}
.player{position:sticky;top:0;z-index:2;display:flex;gap:14px;align-items:center;background:#fff;border:1px solid var(--line);border-radius:10px;padding:8px 14px;margin:14px 0;box-shadow:0 2px 6px rgba(0,0,0,.05)}
.player audio{flex:1;min-width:220px;height:36px}
svg{display:block;width:100%;height:auto}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
.word{cursor:pointer}.word text{font-size:12px;fill:#374151}.word:hover text{fill:#000;text-decoration:underline}
.word rect{fill:#94a3b8}.word.num text{fill:var(--num);font-weight:700}.word.num rect{fill:var(--num)}
.word.filler text{fill:var(--filler);font-style:italic}.word.filler rect{fill:var(--filler)}
.word.now text{fill:#000;font-weight:700}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;margin:8px 0 0;padding:0;list-style:none;font-size:12px;color:var(--dim)}
.legend i{display:inline-block;width:14px;height:10px;margin-right:5px;vertical-align:-1px;border-radius:2px}
ul.checks{list-style:none;margin:0;padding:0}
ul.checks li{display:flex;gap:10px;padding:8px 0;border-top:1px solid var(--line)}
ul.checks li:first-child{border-top:0}
.mark{flex:none;width:24px;height:24px;border-radius:50%;color:#fff;font-weight:700;text-align:center;line-height:24px;font-size:14px}
.pass .mark{background:var(--pass)}.fail .mark{background:var(--fail)}.warn .mark{background:var(--warn)}.skip .mark{background:#cbd5e1}
.skip{color:var(--dim)}
.evidence{font-size:13px;color:var(--dim);margin-top:2px}
.advice{font-size:14px;margin-top:3px;padding-left:8px;border-left:3px solid var(--warn)}
.fail .advice{border-color:var(--fail)}
.t{cursor:pointer;color:#1d4ed8;font-variant-numeric:tabular-nums;text-decoration:underline dotted}
.transcript{font-size:16px;line-height:1.9;margin:0}
.w{cursor:pointer;border-radius:3px;padding:1px 1px}.w:hover{background:#e0e7ff}
.w.now{background:#c7d2fe}
mark.num{background:var(--num-bg);color:#92400e;font-weight:600;border-radius:3px;padding:1px 2px}
mark.filler{background:var(--filler-bg);color:var(--filler);font-style:italic;border-radius:3px;padding:1px 2px}
dl.numbers{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0;font-size:14px}
dl.numbers dt{color:var(--dim)}dl.numbers dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
th button{all:unset;cursor:pointer;font-weight:600}
th[aria-sort=ascending] button::after{content:" \25B2";font-size:10px}
th[aria-sort=descending] button::after{content:" \25BC";font-size:10px}
footer{color:var(--dim);font-size:12px;text-align:center;margin-top:18px}
"#;

/// Clicking anything with `data-start` plays the recording from there; while
/// it plays, a line on the timeline and the word being said follow along.
const PLAYER_SCRIPT: &str = r#"(function(){
var p=document.getElementById('player');if(!p)return;
var svg=document.getElementById('timeline'),ph=document.getElementById('playhead');
var spans=[].slice.call(document.querySelectorAll('[data-start][data-end]'));
document.addEventListener('click',function(e){
 var el=e.target.closest('[data-start]');if(!el)return;
 p.currentTime=parseFloat(el.getAttribute('data-start'));
 var r=p.play();if(r&&r.catch)r.catch(function(){});
});
p.addEventListener('timeupdate',function(){
 var t=p.currentTime,d=svg.dataset,rs=+d.rowS,row=Math.floor(t/rs),x=+d.x0+(t-row*rs)*+d.pps,y=row*+d.rowH;
 ph.setAttribute('x1',x);ph.setAttribute('x2',x);ph.setAttribute('y1',y+ +d.top);ph.setAttribute('y2',y+ +d.bottom);
 ph.setAttribute('visibility','visible');
 spans.forEach(function(s){s.classList.toggle('now',t>=+s.dataset.start&&t<+s.dataset.end);});
});
})();"#;

/// Clicking a column's header sorts the table by it (again: the other way).
const SORT_SCRIPT: &str = r#"(function(){
document.querySelectorAll('th[data-sort]').forEach(function(th){
 th.addEventListener('click',function(){
  var body=th.closest('table').tBodies[0],rows=[].slice.call(body.rows),i=th.cellIndex,num=th.dataset.sort==='num';
  var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
  th.parentNode.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});
  th.setAttribute('aria-sort',dir>0?'ascending':'descending');
  rows.sort(function(a,b){var x=a.cells[i].dataset.v,y=b.cells[i].dataset.v;return dir*(num?x-y:x.localeCompare(y));});
  rows.forEach(function(r){body.appendChild(r);});
 });
});
})();"#;

fn head(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">{GENERATOR}\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>\n",
        escape(title)
    );
}

fn foot(out: &mut String, script: &str) {
    let _ = write!(
        out,
        "<footer>Made by vmcoach on this machine. Nothing in this page was sent anywhere, \
         and it loads nothing from anywhere.</footer>\n</main><script>{script}</script></body></html>\n"
    );
}

/// The last part of a path, for titles.
fn file_name(source: &str) -> &str {
    source
        .rsplit(['/', '\\'])
        .find(|s| !s.is_empty())
        .unwrap_or(source)
}

fn score_class(score: u32) -> &'static str {
    match score {
        80.. => "good",
        50..=79 => "fair",
        _ => "poor",
    }
}

fn status_name(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Pass => ("pass", "✓"),
        Status::Fail => ("fail", "✗"),
        Status::Warn => ("warn", "!"),
        Status::Skip => ("skip", "–"),
    }
}

/// A time that plays the recording from there when clicked.
fn time_link(start_s: f64) -> String {
    format!(
        "<span class=\"t\" data-start=\"{start_s:.2}\">{}</span>",
        clock(start_s)
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

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
         <div><h1>{}</h1><div class=\"sub\">{kind}{attempt}{timing}</div>\
         <p class=\"verdict\">{}</p><ul class=\"stats\">\
         <li>length <b>{:.1} s</b></li><li>pace <b>{:.0}</b> words/min</li>\
         <li><b>{}</b> over 1 s</li><li><b>{}</b></li></ul></div></section>",
        score_class(report.score),
        report.score,
        escape(&report.source),
        escape(&report.verdict),
        report.speech_s,
        report.words_per_minute,
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
            "<li><span class=\"id\">{}</span> {}</li>",
            escape(&f.id),
            escape(f.advice.as_deref().unwrap_or(&f.message))
        );
    }
    out.push_str("</ol></section>\n");
}

fn checks(out: &mut String, report: &Report) {
    out.push_str("<section><h2>Checks</h2><ul class=\"checks\">");
    for f in &report.rules {
        let (class, mark) = status_name(f.status);
        let _ = write!(
            out,
            "<li class=\"{class}\"><span class=\"mark\" title=\"{class}\">{mark}</span><div>\
             <span class=\"id\">{}</span> {}",
            escape(&f.id),
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

/// What each word is marked as: part of a phone number, a filler, or plain.
fn word_classes(report: &Report) -> Vec<&'static str> {
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

fn transcript(out: &mut String, report: &Report) {
    out.push_str("<section><h2>Transcript</h2><p class=\"transcript\" id=\"transcript\">");
    if report.words.is_empty() {
        out.push_str("<span class=\"sub\">(no speech found)</span>");
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
        "<dt>speech</dt><dd>{:.1} s, from {} to {}</dd><dt>pace</dt><dd>{:.0} words/min ({} words as spoken, \
         each digit of a number counted)</dd>",
        d.speech_s,
        time_link(d.speech_start_s),
        time_link(d.speech_end_s),
        d.words_per_minute,
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
            "<dt>phone number</dt><dd><mark class=\"num\">{}</mark> from {} to {}{}</dd>",
            escape(&crate::analysis::phone::format_digits(&n.digits)),
            time_link(n.start_s),
            time_link(n.end_s),
            n.extension
                .as_ref()
                .map(|x| format!(", extension {}", escape(x)))
                .unwrap_or_default()
        );
    }
    if let Some(q) = &report.quality {
        let _ = write!(
            out,
            "<dt>recording</dt><dd>{:.1} s; peak {:.1} dBFS, RMS {:.1} dBFS, noise floor {:.1} dBFS</dd>",
            report.duration_s, q.peak_dbfs, q.rms_dbfs, q.noise_floor_dbfs
        );
        for w in &q.warnings {
            let _ = write!(out, "<dt>warning</dt><dd>{}</dd>", escape(w));
        }
    }
    out.push_str("</dl></section>\n");
}

// ------------------------------------------------------------ the timeline

/// Seconds per row of the timeline picture.
const ROW_S: f64 = 10.0;
/// Horizontal extent of a row in the SVG's units (the picture is 1000 wide).
const X0: f64 = 58.0;
const X1: f64 = 988.0;
/// Within a row, from the top: the number's window, the part markers (two
/// lanes), the level envelope, the words (three lanes).
const WINDOW_Y: f64 = 2.0;
const WINDOW_H: f64 = 15.0;
const FLAG_Y: f64 = 22.0;
const FLAG_LANE_H: f64 = 15.0;
const ENV_Y: f64 = 54.0;
const ENV_H: f64 = 60.0;
const WORD_Y: f64 = 118.0;
const WORD_LANE_H: f64 = 16.0;
const ROW_H: f64 = 182.0;
/// The envelope's floor: quieter frames are drawn as silence.
const FLOOR_DB: f64 = -60.0;

fn pps() -> f64 {
    (X1 - X0) / ROW_S
}

/// A rough width of `text` at `size` px, for keeping labels apart.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.62 + 5.0
}

/// The left edge of a label at `x`, moved left when it would run off the
/// picture's right edge.
fn inside(x: f64, width: f64) -> f64 {
    x.min(1000.0 - width)
}

/// Puts each label (by its left edge and width) in the first lane where it
/// does not overlap the one before; when none is free, the lane that frees
/// up first.
fn lanes(items: impl Iterator<Item = (usize, f64, f64)>, count: usize) -> Vec<usize> {
    let mut ends: Vec<Vec<f64>> = Vec::new();
    let mut out = Vec::new();
    for (row, x, width) in items {
        if ends.len() <= row {
            ends.resize(row + 1, vec![f64::NEG_INFINITY; count]);
        }
        let lane_ends = &mut ends[row];
        let lane = (0..count).find(|&l| lane_ends[l] <= x).unwrap_or_else(|| {
            (0..count)
                .min_by(|&a, &b| lane_ends[a].total_cmp(&lane_ends[b]))
                .unwrap_or(0)
        });
        lane_ends[lane] = x + width;
        out.push(lane);
    }
    out
}

/// A part of the message's colour on the timeline.
fn part_color(part: &str) -> &'static str {
    match part {
        "name" => "#2563eb",
        "number" => "#d97706",
        "connection" => "#7c3aed",
        "reason" => "#059669",
        "role" => "#0891b2",
        "experience" => "#0d9488",
        "follow-up" => "#db2777",
        "thanks" => "#16a34a",
        "referral-offer" => "#9333ea",
        _ => "#475569",
    }
}

struct Timeline<'a> {
    report: &'a Report,
    extras: &'a Extras,
    duration: f64,
    rows: usize,
}

impl<'a> Timeline<'a> {
    fn new(report: &'a Report, extras: &'a Extras) -> Self {
        let last_word = report.words.last().map_or(0.0, |w| w.end_s);
        let duration = report.duration_s.max(last_word).max(0.1);
        let rows = (duration / ROW_S).ceil().max(1.0) as usize;
        Timeline {
            report,
            extras,
            duration,
            rows,
        }
    }

    /// Row and x of a moment.
    fn at(&self, t: f64) -> (usize, f64) {
        let t = t.clamp(0.0, self.duration);
        let row = ((t / ROW_S) as usize).min(self.rows - 1);
        (row, X0 + (t - row as f64 * ROW_S) * pps())
    }

    /// `[a, b]` cut at the row ends: (row, x from, x to).
    fn pieces(&self, a: f64, b: f64) -> Vec<(usize, f64, f64)> {
        let (a, b) = (a.clamp(0.0, self.duration), b.clamp(0.0, self.duration));
        let mut out = Vec::new();
        let mut t = a;
        while t < b {
            let (row, x) = self.at(t);
            let row_end = ((row + 1) as f64 * ROW_S).min(b);
            out.push((row, x, X0 + (row_end - row as f64 * ROW_S) * pps()));
            if row_end <= t {
                break;
            }
            t = row_end;
        }
        out
    }

    fn top(row: usize) -> f64 {
        row as f64 * ROW_H
    }

    fn render(&self, out: &mut String) {
        let height = self.rows as f64 * ROW_H;
        out.push_str("<section><h2>What you said when</h2>");
        let _ = writeln!(
            out,
            "<svg id=\"timeline\" viewBox=\"0 0 1000 {height:.0}\" role=\"img\" aria-label=\"timeline of the message\" \
             data-row-s=\"{ROW_S}\" data-x0=\"{X0}\" data-pps=\"{:.4}\" data-row-h=\"{ROW_H}\" data-top=\"{FLAG_Y}\" \
             data-bottom=\"{:.0}\"><defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
             patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f1f5f9\"/>\
             <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#cbd5e1\" stroke-width=\"3\"/></pattern></defs>",
            pps(),
            WORD_Y + 3.0 * WORD_LANE_H
        );
        self.grid(out);
        self.speech_and_pauses(out);
        self.number_window(out);
        self.number_highlight(out);
        self.envelope(out);
        self.markers(out);
        self.words(out);
        out.push_str("<line id=\"playhead\" stroke=\"#111827\" stroke-width=\"1.5\" visibility=\"hidden\"/></svg>\n");
        out.push_str(
            "<ul class=\"legend\"><li><i style=\"background:#dbeafe\"></i>speech</li>\
             <li><i style=\"background:#94a3b8\"></i>level</li>\
             <li><i style=\"background:repeating-linear-gradient(45deg,#cbd5e1 0 2px,#f1f5f9 2px 4px)\"></i>pause over 1 s</li>\
             <li><i style=\"background:#fde68a\"></i>phone number</li>\
             <li><i style=\"border:1.5px dashed #d97706;background:#fffbeb\"></i>where the number belongs</li>\
             <li><i style=\"background:#be123c\"></i>filler</li></ul></section>\n",
        );
    }

    fn grid(&self, out: &mut String) {
        for row in 0..self.rows {
            let top = Self::top(row);
            let end = ((row + 1) as f64 * ROW_S).min(self.duration);
            let (_, x_end) = self.at(end);
            let x_end = if end >= (row + 1) as f64 * ROW_S {
                X1
            } else {
                x_end
            };
            let _ = write!(
                out,
                "<rect x=\"{X0}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{ENV_H}\" fill=\"#f8fafc\"/>\
                 <text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"12\" fill=\"#6b7280\">{}</text>",
                top + ENV_Y,
                x_end - X0,
                X0 - 8.0,
                top + ENV_Y + ENV_H / 2.0 + 4.0,
                clock(row as f64 * ROW_S).trim_end_matches(".0")
            );
            let mut s = 1.0;
            while row as f64 * ROW_S + s < end {
                let x = X0 + s * pps();
                let _ = write!(
                    out,
                    "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#e5e7eb\"/>",
                    top + ENV_Y,
                    top + ENV_Y + ENV_H
                );
                s += 1.0;
            }
            out.push('\n');
        }
    }

    fn speech_and_pauses(&self, out: &mut String) {
        let r = self.report;
        for (row, a, b) in self.pieces(r.speech_start_s, r.speech_end_s) {
            let _ = write!(
                out,
                "<rect class=\"speech\" x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{ENV_H}\" fill=\"#dbeafe\" fill-opacity=\".6\"/>",
                Self::top(row) + ENV_Y,
                b - a
            );
        }
        for p in &r.delivery.pauses {
            let pieces = self.pieces(p.start_s, p.end_s);
            for &(row, a, b) in &pieces {
                let _ = write!(
                    out,
                    "<rect class=\"pause\" x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{ENV_H}\" fill=\"url(#hatch)\"><title>pause {:.1} s</title></rect>",
                    Self::top(row) + ENV_Y,
                    b - a,
                    p.duration_s
                );
            }
            if let Some(&(row, a, b)) = pieces
                .iter()
                .max_by(|x, y| (x.2 - x.1).total_cmp(&(y.2 - y.1)))
            {
                let _ = write!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#475569\">{:.1} s</text>",
                    (a + b) / 2.0,
                    Self::top(row) + ENV_Y + 12.0,
                    p.duration_s
                );
            }
        }
        out.push('\n');
    }

    fn number_window(&self, out: &mut String) {
        let Some(window) = self.extras.number_window_s else {
            return;
        };
        let start = self.report.speech_start_s;
        for (i, (row, a, b)) in self.pieces(start, start + window).into_iter().enumerate() {
            let top = Self::top(row);
            let _ = write!(
                out,
                "<rect class=\"number-window\" x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{WINDOW_H}\" rx=\"3\" \
                 fill=\"#fffbeb\" stroke=\"#d97706\" stroke-dasharray=\"4 3\"/>",
                top + WINDOW_Y,
                b - a
            );
            if i == 0 {
                let _ = write!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#92400e\">the number belongs here: the first {window:.0} s of speech</text>",
                    a + 6.0,
                    top + WINDOW_Y + 11.0
                );
            }
        }
        out.push('\n');
    }

    fn number_highlight(&self, out: &mut String) {
        for n in &self.report.phone_numbers {
            for (row, a, b) in self.pieces(n.start_s, n.end_s) {
                let _ = write!(
                    out,
                    "<rect class=\"number-highlight\" x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"3\" \
                     fill=\"#fde68a\" fill-opacity=\".55\"><title>phone number {}</title></rect>",
                    Self::top(row) + ENV_Y,
                    b - a,
                    ENV_H + 3.0 * WORD_LANE_H + 6.0,
                    escape(&crate::analysis::phone::format_digits(&n.digits))
                );
            }
        }
        out.push('\n');
    }

    /// The level of each moment, mirrored around the middle like a waveform.
    fn envelope(&self, out: &mut String) {
        let Some(rec) = &self.extras.recording else {
            return;
        };
        if rec.envelope_dbfs.is_empty() || rec.frame_s <= 0.0 {
            return;
        }
        // Two frames a point is finer than the eye can tell at this width.
        let step = ((0.04 / rec.frame_s).round() as usize).max(1);
        let points: Vec<(f64, f64)> = rec
            .envelope_dbfs
            .chunks(step)
            .enumerate()
            .map(|(i, c)| {
                let db = c.iter().fold(f32::NEG_INFINITY, |m, &d| m.max(d)) as f64;
                let level = ((db - FLOOR_DB) / -FLOOR_DB).clamp(0.0, 1.0);
                ((i * step) as f64 * rec.frame_s, level)
            })
            .collect();
        for row in 0..self.rows {
            let (from, to) = (row as f64 * ROW_S, (row + 1) as f64 * ROW_S);
            let in_row: Vec<(f64, f64)> = points
                .iter()
                .copied()
                .filter(|&(t, _)| t >= from && t < to)
                .collect();
            if in_row.is_empty() {
                continue;
            }
            let mid = Self::top(row) + ENV_Y + ENV_H / 2.0;
            let half = ENV_H / 2.0 - 2.0;
            let mut d = String::new();
            for (i, &(t, level)) in in_row.iter().enumerate() {
                let _ = write!(
                    d,
                    "{}{:.1},{:.1}",
                    if i == 0 { "M" } else { "L" },
                    X0 + (t - from) * pps(),
                    mid - level * half
                );
            }
            for &(t, level) in in_row.iter().rev() {
                let _ = write!(
                    d,
                    "L{:.1},{:.1}",
                    X0 + (t - from) * pps(),
                    mid + level * half
                );
            }
            let _ = writeln!(
                out,
                "<path class=\"envelope\" d=\"{d}Z\" fill=\"#94a3b8\" fill-opacity=\".85\"/>"
            );
        }
    }

    fn markers(&self, out: &mut String) {
        let moments = &self.report.timeline;
        let placed: Vec<(usize, f64)> = moments.iter().map(|m| self.at(m.start_s)).collect();
        let lane = lanes(
            moments.iter().zip(&placed).map(|(m, &(row, x))| {
                let width = text_width(&m.part, 11.0);
                (row, inside(x + 7.0, width) - 10.0, width + 14.0)
            }),
            2,
        );
        for ((m, &(row, x)), lane) in moments.iter().zip(&placed).zip(lane) {
            let top = Self::top(row);
            let color = part_color(&m.part);
            let y = top + FLAG_Y + lane as f64 * FLAG_LANE_H;
            let _ = writeln!(
                out,
                "<g class=\"marker\" data-part=\"{part}\" data-start=\"{:.2}\"><title>{part} at {}: {}</title>\
                 <line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{color}\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\"/>\
                 <circle cx=\"{x:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{color}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" font-weight=\"600\" fill=\"{color}\" style=\"cursor:pointer\">{part}</text></g>",
                m.start_s,
                clock(m.start_s),
                escape(&m.text),
                y + 6.0,
                top + ENV_Y + ENV_H,
                y + 6.0,
                inside(x + 7.0, text_width(&m.part, 11.0)),
                y + 10.0,
                part = escape(&m.part),
            );
        }
    }

    fn words(&self, out: &mut String) {
        let words = &self.report.words;
        let classes = word_classes(self.report);
        let placed: Vec<(usize, f64)> = words.iter().map(|w| self.at(w.start_s)).collect();
        let lane = lanes(
            words.iter().zip(&placed).map(|(w, &(row, x))| {
                let width = text_width(&w.text, 12.0);
                (row, inside(x, width), width)
            }),
            3,
        );
        for (i, ((w, &(row, x)), lane)) in words.iter().zip(&placed).zip(lane).enumerate() {
            let top = Self::top(row);
            let (_, x_end) = self.at(w.end_s.min((row + 1) as f64 * ROW_S));
            let class = match classes[i] {
                "" => String::new(),
                c => format!(" {c}"),
            };
            let y = top + WORD_Y + lane as f64 * WORD_LANE_H;
            let _ = writeln!(
                out,
                "<g class=\"word{class}\" data-i=\"{i}\" data-start=\"{:.2}\" data-end=\"{:.2}\"><title>{} at {}</title>\
                 <rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"2\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
                w.start_s,
                w.end_s,
                escape(&w.text),
                clock(w.start_s),
                y,
                (x_end - x).max(1.5),
                inside(x, text_width(&w.text, 12.0)),
                y + 13.0,
                escape(&w.text)
            );
        }
    }
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

// ---------------------------------------------------------- the index page

/// One file's line in the index: its row of the batch table and its page
/// (a link relative to the index), if there is one.
#[derive(Debug, Clone)]
pub struct IndexEntry {
    pub row: Row,
    pub page: Option<String>,
}

/// Renders a batch's index: the summary and a table of every file, sorted
/// by any column with a click on its header.
pub fn render_index(entries: &[IndexEntry], summary: &Summary) -> String {
    let mut out = String::with_capacity(8_000 + entries.len() * 600);
    head(&mut out, "vmcoach: practice messages");
    let mean = summary
        .mean_score
        .map_or("-".to_string(), |m| format!("{m:.1}"));
    let _ = write!(
        out,
        "<section><h1>Practice messages</h1><ul class=\"stats\" style=\"margin-top:10px\">\
         <li><b>{}</b> analysed</li><li><b>{:.1} s</b> of audio</li><li>mean score <b>{mean}</b></li></ul>",
        plural(summary.files_analysed, "file", "files"),
        summary.audio_s
    );
    if !summary.failed_rules.is_empty() {
        out.push_str("<p class=\"sub\" style=\"margin:12px 0 4px\">Most common failed checks (files)</p><ul class=\"stats\">");
        for r in &summary.failed_rules {
            let _ = write!(
                out,
                "<li><span class=\"id\">{}</span> <b>{}</b></li>",
                escape(&r.id),
                r.count
            );
        }
        out.push_str("</ul>");
    }
    out.push_str(
        "</section>\n<section><table id=\"files\"><thead><tr>\
         <th data-sort=\"text\"><button>File</button></th>\
         <th class=\"n\" data-sort=\"num\"><button>Length</button></th>\
         <th class=\"n\" data-sort=\"num\"><button>Pace</button></th>\
         <th data-sort=\"text\"><button>Number</button></th>\
         <th class=\"n\" data-sort=\"num\"><button>Number at</button></th>\
         <th class=\"n\" data-sort=\"num\"><button>Score</button></th>\
         <th data-sort=\"text\"><button>Failed checks</button></th></tr></thead><tbody>\n",
    );
    for e in entries {
        let r = &e.row;
        let file = match &e.page {
            Some(page) => format!("<a href=\"{}\">{}</a>", escape(page), escape(&r.file)),
            None => escape(&r.file),
        };
        let number = r
            .number
            .as_deref()
            .map(crate::analysis::phone::format_digits)
            .unwrap_or_default();
        let failed = r.failed_rules.join(", ");
        let _ = writeln!(
            out,
            "<tr><td data-v=\"{}\">{file}</td><td class=\"n\" data-v=\"{:.2}\">{:.1} s</td>\
             <td class=\"n\" data-v=\"{:.1}\">{:.0}</td><td data-v=\"{}\">{}</td>\
             <td class=\"n\" data-v=\"{}\">{}</td><td class=\"n\" data-v=\"{}\"><b>{}</b></td><td data-v=\"{}\">{}</td></tr>",
            escape(&r.file),
            r.duration_s,
            r.duration_s,
            r.words_per_minute,
            r.words_per_minute,
            escape(&number),
            escape(&number),
            r.number_start_s.map_or("-1".into(), |s| format!("{s:.2}")),
            r.number_start_s.map_or("-".into(), clock),
            r.score,
            r.score,
            escape(&failed),
            if failed.is_empty() { "-".to_string() } else { escape(&failed) },
        );
    }
    out.push_str("</tbody></table></section>\n");
    foot(&mut out, SORT_SCRIPT);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{coach_script, CoachOptions};

    const NASTY: &str = "<script>alert(1)</script>";

    fn script_report(source: &str, script: &str) -> Report {
        coach_script(source.into(), script, &CoachOptions::default())
    }

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
            recording: Some(Recording::new(&[0.0; 1600], 16_000)),
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
            recording: Some(Recording::new(&vec![0.1; 16_000], 16_000)),
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
        assert_eq!(page.matches("<g class=\"word").count(), report.words.len());
        assert_eq!(page.matches("class=\"number-highlight\"").count(), 1);
        assert_eq!(page.matches("class=\"number-window\"").count(), 1);
        assert!(page.contains("<g class=\"word num\""));
        assert!(page.contains("<mark class=\"filler\"><span class=\"w\""));
        assert_eq!(
            page.matches("class=\"marker\"").count(),
            report.timeline.len()
        );
        // no recording, no player
        assert!(!page.contains("<audio"));
    }

    #[test]
    fn a_wav_of_the_samples_round_trips() {
        let samples: Vec<f32> = (0..800).map(|i| (i as f32 / 800.0) - 0.5).collect();
        let rec = Recording::new(&samples, 16_000);
        let mut reader = hound::WavReader::new(std::io::Cursor::new(rec.wav)).unwrap();
        assert_eq!(
            (
                reader.spec().channels,
                reader.spec().sample_rate,
                reader.spec().bits_per_sample
            ),
            (1, 16_000, 16)
        );
        let back: Vec<i16> = reader.samples::<i16>().map(|s| s.unwrap()).collect();
        assert_eq!(back.len(), 800);
        assert_eq!(back[0], (-0.5f32 * 32767.0).round() as i16);
        assert_eq!(rec.envelope_dbfs.len(), 3); // 20 ms frames of 320 samples
    }

    #[test]
    fn labels_take_the_first_free_lane() {
        let got = lanes(
            [
                (0, 0.0, 50.0),
                (0, 10.0, 50.0),
                (0, 20.0, 50.0),
                (0, 55.0, 10.0),
                (1, 0.0, 10.0),
            ]
            .into_iter(),
            2,
        );
        assert_eq!(got, [0, 1, 0, 1, 0]);
    }

    #[test]
    fn times_split_at_the_row_ends() {
        let report = script_report("a.wav", &"word ".repeat(60));
        let extras = Extras::default();
        let t = Timeline::new(&report, &extras);
        assert!(t.rows >= 2, "{}", t.duration);
        let pieces = t.pieces(8.0, 12.0);
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0].0, 0);
        assert!((pieces[0].2 - X1).abs() < 1e-9 && (pieces[1].1 - X0).abs() < 1e-9);
        assert_eq!(t.at(15.0), (1, X0 + 5.0 * pps()));
    }
}
