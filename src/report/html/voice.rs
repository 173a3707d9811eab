//! The voice on the timeline: the pitch contour drawn over the level band
//! (above the words), flat stretches shaded, rising ends and the filled
//! pauses the transcript left out marked. Draws only what the report's
//! `prosody` holds.

use std::fmt::Write;

use super::markup::escape;
use super::timeline::{Timeline, ENV_H, ENV_Y};
use crate::analysis::Prosody;
use crate::report::text::clock;
use crate::report::Report;

/// Semitones from the median to the edge of the band.
const SPAN_ST: f64 = 7.0;
/// Voiced frames further apart than this are not joined by the line, seconds.
const GAP_S: f64 = 0.05;
const PITCH: &str = "#7c3aed";
const RISE: &str = "#dc2626";
const FILLER: &str = "#be123c";

/// Draws the voice of `report` (nothing for a script).
pub(super) fn draw(t: &Timeline, report: &Report, out: &mut String) {
    let Some(p) = &report.prosody else {
        return;
    };
    monotone(t, p, out);
    contour(t, p, out);
    rises(t, p, out);
    fillers(t, p, out);
}

/// The legend of what [`draw`] draws (nothing for a script).
pub(super) fn legend(report: &Report, out: &mut String) {
    if report.prosody.is_none() {
        return;
    }
    let _ = write!(
        out,
        "<ul class=\"legend voice-legend\"><li><i style=\"background:{PITCH}\"></i>pitch (middle line: your median)</li>\
         <li><i style=\"background:#ede9fe\"></i>flat pitch</li>\
         <li><i style=\"background:{RISE}\"></i>rising end</li>\
         <li><i style=\"background:{FILLER};border-radius:50%\"></i>filled pause not in the transcript</li></ul>"
    );
}

fn y_of(row: usize, semitones: f64) -> f64 {
    let mid = Timeline::top(row) + ENV_Y + ENV_H / 2.0;
    mid - semitones.clamp(-SPAN_ST, SPAN_ST) / SPAN_ST * (ENV_H / 2.0 - 3.0)
}

fn monotone(t: &Timeline, p: &Prosody, out: &mut String) {
    for m in &p.monotone_stretches {
        for (row, a, b) in t.pieces(m.start_s, m.end_s) {
            let _ = write!(
                out,
                "<rect class=\"monotone\" x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{ENV_H}\" fill=\"#ede9fe\" \
                 fill-opacity=\".7\"><title>flat pitch {}-{}: {:.1} semitones of spread</title></rect>",
                Timeline::top(row) + ENV_Y,
                b - a,
                clock(m.start_s),
                clock(m.end_s),
                m.sd_semitones
            );
        }
    }
    out.push('\n');
}

fn contour(t: &Timeline, p: &Prosody, out: &mut String) {
    let mut d = String::new();
    let mut prev: Option<(usize, f64)> = None;
    for &(time, st) in &p.contour {
        let (row, x) = t.at(time);
        let joined = prev.is_some_and(|(r, pt)| r == row && time - pt <= GAP_S);
        let _ = write!(
            d,
            "{}{x:.1},{:.1}",
            if joined { "L" } else { "M" },
            y_of(row, st)
        );
        prev = Some((row, time));
    }
    if !d.is_empty() {
        let _ = writeln!(
            out,
            "<path class=\"pitch\" d=\"{d}\" fill=\"none\" stroke=\"{PITCH}\" stroke-width=\"1.6\" \
             stroke-linejoin=\"round\"><title>pitch: median {:.0} Hz, {:.1} semitones of spread</title></path>",
            p.pitch_median_hz, p.pitch_sd_semitones
        );
    }
}

fn rises(t: &Timeline, p: &Prosody, out: &mut String) {
    for r in &p.rises {
        let (row, x) = t.at(r.end_s);
        let (_, x0) = t.at(r.start_s);
        let top = Timeline::top(row) + ENV_Y;
        let _ = writeln!(
            out,
            "<g class=\"rise\" data-start=\"{:.2}\"><title>rising end at {}: \"{}\", up {:.1} semitones</title>\
             <line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{RISE}\" stroke-width=\"2.5\"/>\
             <path d=\"M{:.1},{:.1}L{x:.1},{:.1}L{:.1},{:.1}Z\" fill=\"{RISE}\"/></g>",
            r.start_s,
            clock(r.end_s),
            escape(&r.text),
            r.semitones,
            x0.min(x - 4.0),
            top + 16.0,
            top + 6.0,
            x - 5.0,
            top + 9.0,
            top + 2.0,
            x + 3.0,
            top + 9.0,
        );
    }
}

fn fillers(t: &Timeline, p: &Prosody, out: &mut String) {
    for f in p.acoustic_fillers.iter().filter(|f| !f.in_transcript) {
        let (row, x) = t.at((f.start_s + f.end_s) / 2.0);
        let y = Timeline::top(row) + ENV_Y + ENV_H - 6.0;
        let _ = writeln!(
            out,
            "<g class=\"acoustic-filler\" data-start=\"{:.2}\"><title>a filled pause at {} the transcript left out</title>\
             <circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"{FILLER}\"/></g>",
            f.start_s,
            clock(f.start_s)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_the_middle_of_the_band_and_extremes_stay_inside() {
        let mid = ENV_Y + ENV_H / 2.0;
        assert_eq!(y_of(0, 0.0), mid);
        assert!(y_of(0, 30.0) >= ENV_Y && y_of(0, -30.0) <= ENV_Y + ENV_H);
        assert!(y_of(0, 3.0) < mid);
        assert!(y_of(1, 0.0) > y_of(0, 0.0));
    }
}
