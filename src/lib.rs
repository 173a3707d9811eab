//! vmcoach: a local voicemail coach.
//!
//! ```text
//!  WAV file ─> decode ─> mono f32 ─> resample 16 kHz ─> transcribe ─> timed words ─> analysis ─> report
//!             (audio::wav)          (audio::resample)   (transcribe)
//! ```
//!
//! Each stage is a module over plain data: [`audio::Audio`] after decoding,
//! [`audio::Mono16k`] into the model, [`transcribe::Transcript`] out of it.

pub mod analysis;
pub mod audio;
pub mod batch;
pub mod error;
pub mod pipeline;
pub mod rehearse;
pub mod report;
pub mod transcribe;

pub use error::{Error, Result};
