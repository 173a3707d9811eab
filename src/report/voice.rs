//! The voice in words, for the text report's Delivery section.

use crate::analysis::Prosody;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "voice: pitch 172 Hz, 1.2 semitones of spread (3.9 from low to high), ..."
pub fn voice_line(p: &Prosody) -> String {
    if p.voiced_s <= 0.0 {
        return "voice: no voiced sound to measure".to_string();
    }
    let left_out = p
        .acoustic_fillers
        .iter()
        .filter(|f| !f.in_transcript)
        .count();
    format!(
        "voice: pitch {:.0} Hz, {:.1} semitones of spread ({:.1} from low to high), {}, \
         {} of {} statements rising, {}, {} not in the transcript",
        p.pitch_median_hz,
        p.pitch_sd_semitones,
        p.pitch_range_semitones,
        plural(p.monotone_stretches.len(), "flat stretch", "flat stretches"),
        p.rises.len(),
        p.statements,
        match p.volume_sd_db {
            Some(db) => format!("loudness varies {db:.1} dB"),
            None => "too few words to compare their loudness".to_string(),
        },
        plural(left_out, "filled pause", "filled pauses"),
    )
}
