//! Recording quality from the audio's levels: the numbers and the warnings a
//! caller can act on before the message is ever heard.

use serde::Serialize;

use crate::audio::levels::Levels;

/// Peak below this: the recording is too quiet to be heard on a phone.
const QUIET_PEAK_DBFS: f64 = -20.0;
/// More than this share of samples at full scale: audible clipping.
const CLIPPED_SHARE: f64 = 0.001;
/// Noise floor above this, or speech less than `MIN_SNR_DB` above it: noisy.
const NOISY_FLOOR_DBFS: f64 = -40.0;
const MIN_SNR_DB: f64 = 15.0;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quality {
    pub peak_dbfs: f64,
    pub rms_dbfs: f64,
    pub clipped_share: f64,
    pub noise_floor_dbfs: f64,
    pub warnings: Vec<String>,
}

fn round1(x: f64) -> f64 {
    if x.is_finite() {
        (x * 10.0).round() / 10.0
    } else {
        -120.0
    }
}

/// Judges a recording by its levels.
pub fn assess(levels: &Levels) -> Quality {
    let mut warnings = Vec::new();
    if levels.voiced.is_empty() {
        warnings
            .push("no speech found: is the microphone muted, or is this the right file?".into());
    } else if levels.peak_dbfs < QUIET_PEAK_DBFS {
        warnings.push(format!(
            "too quiet (peak {:.0} dBFS): speak closer to the microphone or raise its gain",
            levels.peak_dbfs
        ));
    }
    if levels.clipped_share > CLIPPED_SHARE {
        warnings.push(format!(
            "clipping ({:.1} % of samples at full scale): lower the microphone gain or move back",
            levels.clipped_share * 100.0
        ));
    }
    let snr = levels.rms_dbfs - levels.noise_floor_dbfs;
    if !levels.voiced.is_empty()
        && (levels.noise_floor_dbfs > NOISY_FLOOR_DBFS || (snr.is_finite() && snr < MIN_SNR_DB))
    {
        warnings.push(format!(
            "noisy background (noise floor {:.0} dBFS): find a quieter room",
            levels.noise_floor_dbfs
        ));
    }
    Quality {
        peak_dbfs: round1(levels.peak_dbfs),
        rms_dbfs: round1(levels.rms_dbfs),
        clipped_share: levels.clipped_share,
        noise_floor_dbfs: round1(levels.noise_floor_dbfs),
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels(peak: f64, rms: f64, clipped: f64, floor: f64) -> Levels {
        Levels {
            peak_dbfs: peak,
            rms_dbfs: rms,
            clipped_share: clipped,
            noise_floor_dbfs: floor,
            voiced: vec![(0.5, 10.0)],
        }
    }

    #[test]
    fn a_clean_recording_has_no_warnings() {
        assert!(assess(&levels(-3.0, -20.0, 0.0, -70.0)).warnings.is_empty());
    }

    #[test]
    fn quiet_clipped_and_noisy_recordings_are_named() {
        assert!(assess(&levels(-30.0, -45.0, 0.0, -80.0)).warnings[0].contains("too quiet"));
        assert!(assess(&levels(0.0, -12.0, 0.01, -70.0)).warnings[0].contains("clipping"));
        assert!(assess(&levels(-3.0, -20.0, 0.0, -30.0)).warnings[0].contains("noisy"));
    }

    #[test]
    fn silence_is_reported_as_no_speech() {
        let mut l = levels(f64::NEG_INFINITY, f64::NEG_INFINITY, 0.0, f64::NEG_INFINITY);
        l.voiced.clear();
        let q = assess(&l);
        assert!(q.warnings[0].contains("no speech"));
        assert_eq!(q.peak_dbfs, -120.0);
    }
}
