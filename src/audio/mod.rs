//! Audio in: decoding files to mono f32, resampling to the model's 16 kHz,
//! and level measurements. Each third-party audio crate is imported in one file.

pub mod levels;
pub mod resample;
pub mod wav;

/// Decoded audio: mono samples in -1..1 at `rate` Hz.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    pub samples: Vec<f32>,
    pub rate: u32,
}

impl Audio {
    pub fn duration_s(&self) -> f64 {
        if self.rate == 0 {
            0.0
        } else {
            self.samples.len() as f64 / self.rate as f64
        }
    }
}

/// The model's input rate.
pub const MODEL_RATE: u32 = 16_000;

/// Mono audio at 16 kHz. Only [`resample::to_16k`] builds one, so whatever
/// reaches the model has been through the resampler.
#[derive(Debug, Clone, PartialEq)]
pub struct Mono16k(Vec<f32>);

impl Mono16k {
    pub(crate) fn from_resampled(samples: Vec<f32>) -> Self {
        Mono16k(samples)
    }
    pub fn samples(&self) -> &[f32] {
        &self.0
    }
    pub fn duration_s(&self) -> f64 {
        self.0.len() as f64 / MODEL_RATE as f64
    }
}

/// Averages interleaved frames of `channels` samples down to one channel.
pub fn downmix(interleaved: &[f32], channels: usize) -> Vec<f32> {
    if channels <= 1 {
        return interleaved.to_vec();
    }
    let scale = 1.0 / channels as f32;
    interleaved
        .chunks_exact(channels)
        .map(|frame| frame.iter().sum::<f32>() * scale)
        .collect()
}

/// Default longest input: a voicemail is a minute or two; ten minutes is
/// already far past anything worth coaching.
pub const DEFAULT_MAX_SECONDS: f64 = 600.0;

/// Reads an audio file to mono samples at its own rate.
pub fn load(path: &std::path::Path, max_seconds: f64) -> crate::Result<Audio> {
    let meta = std::fs::metadata(path).map_err(|e| crate::Error::io(path, e))?;
    if meta.is_dir() {
        return Err(crate::Error::bad_audio(path, "is a folder, not an audio file"));
    }
    if meta.len() == 0 {
        return Err(crate::Error::bad_audio(path, "is empty (0 bytes)"));
    }
    wav::read_file(path, max_seconds)
}
