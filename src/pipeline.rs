//! The steps every use shares: file -> mono audio -> 16 kHz -> transcript.

use std::path::Path;

use crate::audio::{self, levels, Audio, Mono16k};
use crate::error::Result;
use crate::transcribe::{Transcriber, Transcript};

/// A recording ready for analysis.
pub struct Heard {
    pub audio: Audio,
    pub mono16k: Mono16k,
    pub levels: levels::Levels,
    pub transcript: Transcript,
}

/// Decodes, resamples and transcribes one file.
pub fn hear_file(
    path: &Path,
    max_seconds: f64,
    transcriber: &mut dyn Transcriber,
) -> Result<Heard> {
    let audio = audio::load(path, max_seconds)?;
    hear(audio, transcriber)
}

/// Resamples and transcribes decoded audio.
pub fn hear(audio: Audio, transcriber: &mut dyn Transcriber) -> Result<Heard> {
    let mono16k = audio::resample::to_16k(&audio)?;
    let levels = levels::measure(mono16k.samples(), audio::MODEL_RATE);
    let transcript = transcriber.transcribe(&mono16k)?;
    Ok(Heard {
        audio,
        mono16k,
        levels,
        transcript,
    })
}
