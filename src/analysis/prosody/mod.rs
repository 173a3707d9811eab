//! The voice beyond the words: pitch every 10 ms (`pitch`, the only file
//! that imports the pitch crate), numbers over the contour (`stats`), what
//! it shows (`find`: monotone stretches, rising ends, acoustic fillers), where
//! statements end (`ends`) and
//! the whole description of a message (`describe`).

pub mod describe;
pub mod ends;
pub mod find;
mod nsdf;
pub mod pitch;
pub mod stats;

pub use describe::{describe, Prosody, ProsodySettings, Spoken};
pub use ends::statement_ends;
pub use find::{AcousticFiller, MonotoneStretch, Rise, StatementEnd};
pub use pitch::{track, Track, TrackSettings};
