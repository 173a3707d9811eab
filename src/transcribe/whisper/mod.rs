//! The whisper.cpp implementation of [`Transcriber`](super::Transcriber).
//! This folder is the only place that imports whisper-rs.
