//! vmcoach: a local voicemail coach.
//!
//! ```text
//!  file ─> audio::load ─> Audio ─> resample ─> Mono16k ─> Transcriber ─> Transcript
//!  microphone ─> audio::recorder ─┘                                          │
//!                  pipeline: find the numbers, hear them again (numbers) <───┘
//!                  ─> analysis (metrics, phone numbers, rules, score) ─> report::Report
//!                  ─> report::{text, html, summary} or JSON
//! ```
//!
//! Each stage is a module over plain data, and imports run one way:
//! [`audio`] -> [`transcribe`] -> [`analysis`] -> [`report`] -> [`pipeline`]
//! -> [`batch`] / [`rehearse`]; the binary's commands sit on top. The model
//! sits behind one seam, [`transcribe::Transcriber`]. See docs/architecture.md.

pub mod analysis;
pub mod audio;
pub mod batch;
pub mod error;
pub mod files;
pub mod jsonl;
pub mod pipeline;
pub mod rehearse;
pub mod report;
pub mod transcribe;

pub use error::{Error, Result};
