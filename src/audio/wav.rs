//! WAV decoding with hound.
