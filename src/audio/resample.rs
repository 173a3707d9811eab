//! Resampling to 16 kHz with rubato.
