//! The timeline picture: rows of ten seconds with the level envelope, the
//! speech and pauses, the words at their times, the phone number, a marker
//! for each part of the message and the window the number belongs in.

use std::fmt::Write;

use super::extras::Extras;
use super::markup::{escape, word_classes};
use crate::report::text::clock;
use crate::report::Report;

/// A row's left edge in the SVG's units (its time label is left of it).
const X0: f64 = 58.0;
/// Space right of a row.
const RIGHT: f64 = 12.0;

/// How a picture is laid out: its width in SVG units and the seconds a row
/// holds. A phone gets a narrower picture with shorter rows, so words keep
/// their size and the message wraps into more rows.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Shape {
    id: &'static str,
    width: f64,
    row_s: f64,
}

const WIDE: Shape = Shape {
    id: "timeline",
    width: 1000.0,
    row_s: 10.0,
};

const NARROW: Shape = Shape {
    id: "timeline-narrow",
    width: 400.0,
    row_s: 3.5,
};
/// Within a row, from the top: the number's window, the part markers (two
/// lanes), the level envelope, the words (three lanes).
const WINDOW_Y: f64 = 2.0;
const WINDOW_H: f64 = 15.0;
const FLAG_Y: f64 = 22.0;
const FLAG_LANE_H: f64 = 15.0;
pub(super) const ENV_Y: f64 = 54.0;
pub(super) const ENV_H: f64 = 60.0;
const WORD_Y: f64 = 118.0;
const WORD_LANE_H: f64 = 16.0;
const ROW_H: f64 = 182.0;
/// The envelope's floor: quieter frames are drawn as silence.
const FLOOR_DB: f64 = -60.0;

/// A rough width of `text` at `size` px, for keeping labels apart.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.62 + 5.0
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

#[derive(Clone, Copy)]
pub(super) struct Timeline<'a> {
    report: &'a Report,
    extras: &'a Extras,
    shape: Shape,
    duration: f64,
    rows: usize,
}

impl<'a> Timeline<'a> {
    pub(super) fn new(report: &'a Report, extras: &'a Extras) -> Self {
        Self::shaped(report, extras, WIDE)
    }

    fn shaped(report: &'a Report, extras: &'a Extras, shape: Shape) -> Self {
        let last_word = report.words.last().map_or(0.0, |w| w.end_s);
        let duration = report.duration_s.max(last_word).max(0.1);
        let rows = (duration / shape.row_s).ceil().max(1.0) as usize;
        Timeline {
            report,
            extras,
            shape,
            duration,
            rows,
        }
    }

    /// A row's right edge.
    fn x1(&self) -> f64 {
        self.shape.width - RIGHT
    }

    /// SVG units a second.
    fn pps(&self) -> f64 {
        (self.x1() - X0) / self.shape.row_s
    }

    /// The left edge of a label at `x`, moved left when it would run off
    /// the picture's right edge.
    fn inside(&self, x: f64, width: f64) -> f64 {
        x.min(self.shape.width - width)
    }

    /// Row and x of a moment.
    pub(super) fn at(&self, t: f64) -> (usize, f64) {
        let t = t.clamp(0.0, self.duration);
        let row = ((t / self.shape.row_s) as usize).min(self.rows - 1);
        (row, X0 + (t - row as f64 * self.shape.row_s) * self.pps())
    }

    /// `[a, b]` cut at the row ends: (row, x from, x to).
    pub(super) fn pieces(&self, a: f64, b: f64) -> Vec<(usize, f64, f64)> {
        let (a, b) = (a.clamp(0.0, self.duration), b.clamp(0.0, self.duration));
        let mut out = Vec::new();
        let mut t = a;
        while t < b {
            let (row, x) = self.at(t);
            let row_end = ((row + 1) as f64 * self.shape.row_s).min(b);
            out.push((
                row,
                x,
                X0 + (row_end - row as f64 * self.shape.row_s) * self.pps(),
            ));
            if row_end <= t {
                break;
            }
            t = row_end;
        }
        out
    }

    pub(super) fn top(row: usize) -> f64 {
        row as f64 * ROW_H
    }

    /// The section: the picture for a wide screen, the one for a phone
    /// (the page's style shows one of them), and the legend.
    pub(super) fn render(&self, out: &mut String) {
        out.push_str("<section><h2>What you said when</h2>");
        self.picture(out, "wide");
        Self::shaped(self.report, self.extras, NARROW).picture(out, "narrow");
        out.push_str(
            "<ul class=\"legend\"><li><i style=\"background:#dbeafe\"></i>speech</li>\
             <li><i style=\"background:#94a3b8\"></i>level</li>\
             <li><i style=\"background:repeating-linear-gradient(45deg,#cbd5e1 0 2px,#f1f5f9 2px 4px)\"></i>pause over 1 s</li>\
             <li><i style=\"background:#fde68a\"></i>phone number</li>\
             <li><i style=\"border:1.5px dashed #d97706;background:#fffbeb\"></i>where the number belongs</li>\
             <li><i style=\"background:#be123c\"></i>filler</li></ul>",
        );
        super::voice::legend(self.report, out);
        out.push_str("</section>\n");
    }

    fn picture(&self, out: &mut String, class: &str) {
        let Shape { id, width, row_s } = self.shape;
        let height = self.rows as f64 * ROW_H;
        let _ = writeln!(
            out,
            "<svg id=\"{id}\" class=\"tl {class}\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"timeline of the message\" \
             data-row-s=\"{row_s}\" data-x0=\"{X0}\" data-pps=\"{:.4}\" data-row-h=\"{ROW_H}\" data-top=\"{FLAG_Y}\" \
             data-bottom=\"{:.0}\"><defs><pattern id=\"{id}-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
             patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f1f5f9\"/>\
             <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#cbd5e1\" stroke-width=\"3\"/></pattern></defs>",
            self.pps(),
            WORD_Y + 3.0 * WORD_LANE_H
        );
        self.grid(out);
        self.speech_and_pauses(out);
        self.number_window(out);
        self.number_highlight(out);
        self.envelope(out);
        super::voice::draw(self, self.report, out);
        self.markers(out);
        self.words(out);
        out.push_str("<line class=\"playhead\" stroke=\"#111827\" stroke-width=\"1.5\" visibility=\"hidden\"/></svg>\n");
    }

    fn grid(&self, out: &mut String) {
        for row in 0..self.rows {
            let top = Self::top(row);
            let end = ((row + 1) as f64 * self.shape.row_s).min(self.duration);
            let (_, x_end) = self.at(end);
            let x_end = if end >= (row + 1) as f64 * self.shape.row_s {
                self.x1()
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
                clock(row as f64 * self.shape.row_s).trim_end_matches(".0")
            );
            let mut s = 1.0;
            while row as f64 * self.shape.row_s + s < end {
                let x = X0 + s * self.pps();
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
                    "<rect class=\"pause\" x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{ENV_H}\" fill=\"url(#{}-hatch)\"><title>pause {:.1} s</title></rect>",
                    Self::top(row) + ENV_Y,
                    b - a,
                    self.shape.id,
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
        // Where the number belongs means nothing in a take with no speech.
        let Some(window) = self
            .extras
            .number_window_s
            .filter(|_| self.report.speech_heard)
        else {
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
            let (from, to) = (
                row as f64 * self.shape.row_s,
                (row + 1) as f64 * self.shape.row_s,
            );
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
                    X0 + (t - from) * self.pps(),
                    mid - level * half
                );
            }
            for &(t, level) in in_row.iter().rev() {
                let _ = write!(
                    d,
                    "L{:.1},{:.1}",
                    X0 + (t - from) * self.pps(),
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
                (row, self.inside(x + 7.0, width) - 10.0, width + 14.0)
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
                self.inside(x + 7.0, text_width(&m.part, 11.0)),
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
                (row, self.inside(x, width), width)
            }),
            3,
        );
        for (i, ((w, &(row, x)), lane)) in words.iter().zip(&placed).zip(lane).enumerate() {
            let top = Self::top(row);
            let (_, x_end) = self.at(w.end_s.min((row + 1) as f64 * self.shape.row_s));
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
                self.inside(x, text_width(&w.text, 12.0)),
                y + 13.0,
                escape(&w.text)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{coach_script, CoachOptions};

    fn script_report(source: &str, script: &str) -> Report {
        coach_script(source.into(), script, &CoachOptions::default())
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
        assert!((pieces[0].2 - t.x1()).abs() < 1e-9 && (pieces[1].1 - X0).abs() < 1e-9);
        assert_eq!(t.at(15.0), (1, X0 + 5.0 * t.pps()));
    }
}
