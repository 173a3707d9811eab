//! What a page shows besides the report: the recording, the number's
//! window, a rehearsal's takes.

use std::path::Path;

use crate::analysis::rules::checks::NUMBER_WINDOW_S;
use crate::analysis::RuleSet;
use crate::audio::{levels, wav};
use crate::error::Result;

/// The recording as the page draws and plays it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recording {
    /// Level of each frame of `frame_s` seconds, dBFS.
    pub envelope_dbfs: Vec<f32>,
    pub frame_s: f64,
    /// A 16-bit mono WAV file for the page's player.
    pub wav: Vec<u8>,
}

impl Recording {
    /// From mono samples at `rate` Hz (the 16 kHz audio the model heard: a
    /// minute is about 2.5 MB of page).
    pub fn new(samples: &[f32], rate: u32) -> Result<Recording> {
        Ok(Recording {
            envelope_dbfs: levels::frame_dbfs(samples, rate)
                .into_iter()
                .map(|db| db as f32)
                .collect(),
            frame_s: levels::FRAME_S,
            wav: wav::encode(samples, rate, Path::new("the page's recording"))?,
        })
    }
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

impl Extras {
    /// For a recording: the audio the model heard (`samples` at `rate` Hz,
    /// drawn and played) and the window the phone number belongs in, as
    /// `rules` set it.
    pub fn for_recording(samples: &[f32], rate: u32, rules: &RuleSet) -> Result<Extras> {
        Ok(Extras {
            recording: Some(Recording::new(samples, rate)?),
            number_window_s: rules
                .rule("number-early")
                .map(|r| r.param("within_s", NUMBER_WINDOW_S)),
            takes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wav_of_the_samples_round_trips() {
        let samples: Vec<f32> = (0..800).map(|i| (i as f32 / 800.0) - 0.5).collect();
        let rec = Recording::new(&samples, 16_000).unwrap();
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
}
