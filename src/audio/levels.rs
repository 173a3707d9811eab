//! Levels and voice activity from the samples: peak and RMS in dBFS, clipped
//! share, noise floor, and where speech starts and ends. Energy-based over
//! short frames with an adaptive noise floor: the floor is a low percentile
//! of the frame energies, and a frame is voiced when it rises well above it.

use serde::Serialize;

/// Frame length for energy measurements.
pub const FRAME_S: f64 = 0.02;
/// A frame counts as voiced this far above the noise floor.
const VOICED_ABOVE_FLOOR_DB: f64 = 12.0;
/// And never below this absolute level (a digitally silent file has a floor
/// of -inf; its dither must not count as speech).
const VOICED_MIN_DBFS: f64 = -50.0;
/// Voiced runs closer than this are one stretch of speech.
const BRIDGE_S: f64 = 0.3;
/// Voiced stretches shorter than this are clicks, not speech.
const MIN_STRETCH_S: f64 = 0.08;
/// A sample at or above this magnitude counts as clipped.
const CLIP_LEVEL: f32 = 0.999;

/// What the samples say about the recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Levels {
    pub peak_dbfs: f64,
    pub rms_dbfs: f64,
    /// Share of samples at full scale, 0..1.
    pub clipped_share: f64,
    /// Level of the quiet frames (10th percentile), dBFS.
    pub noise_floor_dbfs: f64,
    /// Stretches of voice activity, in seconds.
    pub voiced: Vec<(f64, f64)>,
}

impl Levels {
    /// Seconds of voice activity inside `[start, end]`.
    pub fn voiced_within(&self, start: f64, end: f64) -> f64 {
        voiced_within(&self.voiced, start, end)
    }
}

/// The start of the first and the end of the last of the stretches `voiced`.
pub fn speech_span(voiced: &[(f64, f64)]) -> Option<(f64, f64)> {
    Some((voiced.first()?.0, voiced.last()?.1))
}

/// Seconds of the stretches `voiced` that fall inside `[start, end]`.
pub fn voiced_within(voiced: &[(f64, f64)], start: f64, end: f64) -> f64 {
    voiced
        .iter()
        .map(|&(a, b)| (b.min(end) - a.max(start)).max(0.0))
        .sum()
}

pub fn to_dbfs(amplitude: f64) -> f64 {
    if amplitude <= 0.0 {
        f64::NEG_INFINITY
    } else {
        20.0 * amplitude.log10()
    }
}

/// Frame energies in dBFS over frames of [`FRAME_S`].
pub fn frame_dbfs(samples: &[f32], rate: u32) -> Vec<f64> {
    let frame = ((rate as f64 * FRAME_S) as usize).max(1);
    samples
        .chunks(frame)
        .map(|c| {
            to_dbfs(
                (c.iter().map(|&s| (s as f64) * (s as f64)).sum::<f64>() / c.len() as f64).sqrt(),
            )
        })
        .collect()
}

/// Measures `samples` at `rate` Hz.
pub fn measure(samples: &[f32], rate: u32) -> Levels {
    let peak = samples.iter().fold(0.0f32, |m, &s| m.max(s.abs())) as f64;
    let rms = if samples.is_empty() {
        0.0
    } else {
        (samples
            .iter()
            .map(|&s| (s as f64) * (s as f64))
            .sum::<f64>()
            / samples.len() as f64)
            .sqrt()
    };
    let clipped = samples.iter().filter(|s| s.abs() >= CLIP_LEVEL).count();
    let frames = frame_dbfs(samples, rate);
    let noise_floor = percentile(&frames, 0.10);
    let threshold = (noise_floor + VOICED_ABOVE_FLOOR_DB).max(VOICED_MIN_DBFS);
    Levels {
        peak_dbfs: to_dbfs(peak),
        rms_dbfs: to_dbfs(rms),
        clipped_share: if samples.is_empty() {
            0.0
        } else {
            clipped as f64 / samples.len() as f64
        },
        noise_floor_dbfs: noise_floor,
        voiced: voiced_stretches(&frames, threshold),
    }
}

fn percentile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NEG_INFINITY;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn voiced_stretches(frames: &[f64], threshold: f64) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (i, &db) in frames.iter().enumerate() {
        if db < threshold {
            continue;
        }
        let (start, end) = (i as f64 * FRAME_S, (i + 1) as f64 * FRAME_S);
        match out.last_mut() {
            Some(last) if start - last.1 <= BRIDGE_S => last.1 = end,
            _ => out.push((start, end)),
        }
    }
    out.retain(|&(a, b)| b - a >= MIN_STRETCH_S);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(seconds: f64, amp: f32) -> Vec<f32> {
        (0..(16_000.0 * seconds) as usize)
            .map(|i| amp * (i as f32 * 0.2).sin())
            .collect()
    }

    /// Deterministic white-ish noise.
    fn noise(seconds: f64, amp: f32) -> Vec<f32> {
        let mut x = 12345u32;
        (0..(16_000.0 * seconds) as usize)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                amp * ((x >> 16) as f32 / 32_768.0 - 1.0)
            })
            .collect()
    }

    #[test]
    fn silence_has_no_voice() {
        let l = measure(&vec![0.0; 32_000], 16_000);
        assert!(l.voiced.is_empty());
        assert_eq!(speech_span(&l.voiced), None);
        assert_eq!(l.peak_dbfs, f64::NEG_INFINITY);
    }

    #[test]
    fn steady_noise_has_no_voice() {
        let l = measure(&noise(3.0, 0.1), 16_000);
        assert!(l.voiced.is_empty(), "{:?}", l.voiced);
    }

    #[test]
    fn a_burst_in_noise_is_found_at_its_time() {
        let mut x = noise(1.0, 0.003);
        x.extend(tone(1.5, 0.5));
        x.extend(noise(1.0, 0.003));
        let l = measure(&x, 16_000);
        let (a, b) = speech_span(&l.voiced).unwrap();
        assert!((a - 1.0).abs() <= 0.021, "{a}");
        assert!((b - 2.5).abs() <= 0.021, "{b}");
        assert!(
            (l.noise_floor_dbfs - to_dbfs(0.003 / 3f64.sqrt())).abs() < 2.0,
            "{}",
            l.noise_floor_dbfs
        );
    }

    #[test]
    fn full_scale_samples_count_as_clipped() {
        let mut x = tone(1.0, 0.5);
        for s in x.iter_mut().take(160) {
            *s = 1.0;
        }
        let l = measure(&x, 16_000);
        assert!((l.clipped_share - 0.01).abs() < 1e-9);
        assert!((l.peak_dbfs - 0.0).abs() < 1e-9);
    }

    #[test]
    fn short_gaps_are_bridged() {
        let mut x = tone(0.5, 0.5);
        x.extend(vec![0.0; 3_200]); // 0.2 s
        x.extend(tone(0.5, 0.5));
        assert_eq!(measure(&x, 16_000).voiced.len(), 1);
    }
}
