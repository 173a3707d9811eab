//! The pitch track: f0 every 10 ms with a voicing decision, and the level
//! of each frame, by McLeod's normalised square difference function
//! ([`super::nsdf`]).

use super::nsdf::{first_peak, Nsdf};

/// Frames every 10 ms.
pub const HOP_S: f64 = 0.01;
/// The analysis window: three periods of the lowest pitch looked for (as
/// Praat's autocorrelation method does).
const WINDOW_S: f64 = 0.04;
/// The pitch range of speaking voices looked for, Hz.
pub const FLOOR_HZ: f32 = 70.0;
pub const CEILING_HZ: f32 = 500.0;
/// A frame whose loudest sample is below this share of the recording's
/// loudest is silence (Praat's silence threshold).
const SILENCE: f32 = 0.03;
/// How much better (in clarity) a longer lag must repeat to be taken for
/// the period instead of the first one found.
const BETTER: f32 = 0.05;
/// Level given to a frame of digital silence, dB.
const FLOOR_DB: f32 = -100.0;

/// What the tracker decides for each frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackSettings {
    /// The McLeod clarity (0-1) a frame needs to be voiced.
    pub clarity: f32,
    /// Voiced runs shorter than this many frames are taken for noise.
    pub min_run: usize,
}

impl Default for TrackSettings {
    fn default() -> Self {
        TrackSettings {
            clarity: 0.4,
            min_run: 3,
        }
    }
}

/// The pitch track of a recording: frame `i` is centred on `i * hop_s`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Track {
    pub hop_s: f64,
    /// f0 in Hz, 0 for an unvoiced frame.
    pub f0_hz: Vec<f32>,
    /// RMS level over the frame's window, dB relative to full scale.
    pub level_db: Vec<f32>,
}

impl Track {
    pub fn time_of(&self, frame: usize) -> f64 {
        frame as f64 * self.hop_s
    }

    /// The frames from `start_s` to `end_s`, clamped to the track.
    pub fn frames(&self, start_s: f64, end_s: f64) -> std::ops::Range<usize> {
        let n = self.f0_hz.len();
        let a = ((start_s / self.hop_s).ceil().max(0.0) as usize).min(n);
        let b = ((end_s / self.hop_s).floor().max(-1.0) + 1.0) as usize;
        a..b.clamp(a, n)
    }
}

/// Tracks the pitch of `samples` (mono, `rate` Hz).
pub fn track(samples: &[f32], rate: u32, settings: &TrackSettings) -> Track {
    let hop = ((rate as f64 * HOP_S).round() as usize).max(1);
    let size = ((rate as f64 * WINDOW_S).round() as usize).max(4);
    let frames = samples.len().div_ceil(hop);
    let peak = samples.iter().fold(0f32, |m, s| m.max(s.abs()));
    let mut nsdf = Nsdf::new(size, size / 2);
    let mut window = vec![0f32; size];
    let mut f0_hz = Vec::with_capacity(frames);
    let mut level_db = Vec::with_capacity(frames);
    for i in 0..frames {
        fill_window(samples, i * hop, &mut window);
        let (local_peak, energy) = window
            .iter()
            .fold((0f32, 0f32), |(p, e), s| (p.max(s.abs()), e + s * s));
        let rms = (energy / size as f32).sqrt();
        level_db.push(
            if rms > 0.0 {
                20.0 * rms.log10()
            } else {
                FLOOR_DB
            }
            .max(FLOOR_DB),
        );
        let f0 = if peak > 0.0 && local_peak >= SILENCE * peak {
            pitch_of(nsdf.of(&window), rate as f32, settings.clarity)
                .filter(|f| (FLOOR_HZ..=CEILING_HZ).contains(f))
                .unwrap_or(0.0)
        } else {
            0.0
        };
        f0_hz.push(f0);
    }
    fix_octave_jumps(&mut f0_hz);
    drop_short_runs(&mut f0_hz, settings.min_run);
    Track {
        hop_s: hop as f64 / rate as f64,
        f0_hz,
        level_db,
    }
}

/// The pitch of a window from its function `values`: McLeod's method
/// takes the first lag that repeats well enough (`clarity`), which is a
/// formant's or a harmonic's when the fundamental is weak (telephone audio
/// cuts it off). So the search is run again above the clarity found, plus
/// a margin, as long as a clearly better repeat turns up; the last one
/// found is the period.
fn pitch_of(values: &[f32], rate: f32, clarity: f32) -> Option<f32> {
    let (mut period, mut found) = first_peak(values, clarity)?;
    while found + BETTER < 1.0 {
        match first_peak(values, found + BETTER) {
            Some((p, c)) => (period, found) = (p, c),
            None => break,
        }
    }
    Some(rate / period)
}

/// The window centred on sample `centre`, zero beyond the recording.
fn fill_window(samples: &[f32], centre: usize, window: &mut [f32]) {
    let half = window.len() / 2;
    for (k, w) in window.iter_mut().enumerate() {
        *w = (centre + k)
            .checked_sub(half)
            .and_then(|j| samples.get(j))
            .copied()
            .unwrap_or(0.0);
    }
}

/// Frames that took a harmonic (or a formant) for the fundamental are
/// brought back: first against the median of the whole recording (on
/// telephone audio whole words can be heard at a formant), then against
/// the median of their voiced neighbours within half a second.
fn fix_octave_jumps(f0: &mut [f32]) {
    let mut voiced: Vec<f32> = f0.iter().copied().filter(|&f| f > 0.0).collect();
    if voiced.is_empty() {
        return;
    }
    let mid = voiced.len() / 2;
    let median = *voiced.select_nth_unstable_by(mid, f32::total_cmp).1;
    for f in f0.iter_mut().filter(|f| **f > 0.0) {
        *f = corrected(*f, median);
    }
    const REACH: usize = 25;
    let orig = f0.to_vec();
    let mut near = Vec::with_capacity(2 * REACH + 1);
    for i in (0..orig.len()).filter(|&i| orig[i] > 0.0) {
        near.clear();
        let lo = i.saturating_sub(REACH);
        let hi = (i + REACH + 1).min(orig.len());
        near.extend(orig[lo..hi].iter().copied().filter(|&f| f > 0.0));
        let mid = near.len() / 2;
        f0[i] = corrected(orig[i], *near.select_nth_unstable_by(mid, f32::total_cmp).1);
    }
}

/// `f` against a `median`: at about 2, 3 or 4 times it, divided back; at
/// about half, doubled; further off than that, unvoiced (0). "About":
/// within 12 % of the multiple; a speaking voice seldom strays an octave
/// from its median.
fn corrected(f: f32, median: f32) -> f32 {
    let ratio = f / median;
    let multiple = [2.0f32, 3.0, 4.0]
        .into_iter()
        .find(|&n| (ratio / n - 1.0).abs() < 0.12);
    if let Some(n) = multiple {
        f / n
    } else if (ratio * 2.0 - 1.0).abs() < 0.12 {
        f * 2.0
    } else if !(0.4..=1.8).contains(&ratio) {
        0.0
    } else {
        f
    }
}

/// Voiced runs shorter than `min_run` frames become unvoiced.
fn drop_short_runs(f0: &mut [f32], min_run: usize) {
    let mut i = 0;
    while i < f0.len() {
        if f0[i] <= 0.0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < f0.len() && f0[i] > 0.0 {
            i += 1;
        }
        if i - start < min_run {
            f0[start..i].fill(0.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A voice-like buzz: a fundamental and decaying harmonics.
    fn buzz(f0: impl Fn(f64) -> f64, seconds: f64) -> Vec<f32> {
        let n = (16_000.0 * seconds) as usize;
        let mut phase = 0.0f64;
        (0..n)
            .map(|i| {
                let t = i as f64 / 16_000.0;
                phase += 2.0 * std::f64::consts::PI * f0(t) / 16_000.0;
                (1..=8)
                    .map(|h| (phase * h as f64).sin() / h as f64)
                    .sum::<f64>() as f32
                    * 0.2
            })
            .collect()
    }

    #[test]
    fn a_steady_buzz_is_voiced_at_its_pitch() {
        let t = track(&buzz(|_| 140.0, 1.0), 16_000, &TrackSettings::default());
        assert_eq!(t.f0_hz.len(), 100);
        let inner = &t.f0_hz[5..95];
        assert!(inner.iter().all(|f| (f - 140.0).abs() < 2.0), "{inner:?}");
    }

    #[test]
    fn a_glide_is_followed_and_silence_is_unvoiced() {
        let mut s = buzz(|t| 120.0 + 100.0 * t, 1.0);
        s.extend(std::iter::repeat_n(0.0, 8_000));
        let t = track(&s, 16_000, &TrackSettings::default());
        for (i, want) in [(20, 140.0), (50, 170.0), (80, 200.0)] {
            assert!((t.f0_hz[i] - want).abs() < 4.0, "{i}: {}", t.f0_hz[i]);
        }
        assert!(t.f0_hz[110..].iter().all(|&f| f == 0.0));
        assert!(t.level_db[120] <= -99.0);
        assert!(t.level_db[50] > -30.0);
    }

    #[test]
    fn a_voice_without_its_fundamental_is_heard_at_its_fundamental() {
        // Telephone audio: no energy at 110 Hz, the most near 440 Hz.
        let weights = [0.0, 0.3, 0.6, 1.0, 0.5, 0.2];
        let s: Vec<f32> = (0..16_000)
            .map(|i| {
                let ph = 2.0 * std::f64::consts::PI * 110.0 * i as f64 / 16_000.0;
                let v: f64 = weights
                    .iter()
                    .enumerate()
                    .map(|(h, w)| w * (ph * (h + 1) as f64).sin())
                    .sum();
                (v * 0.1) as f32
            })
            .collect();
        let t = track(&s, 16_000, &TrackSettings::default());
        let inner = &t.f0_hz[5..95];
        assert!(inner.iter().all(|f| (f - 110.0).abs() < 3.0), "{inner:?}");
    }

    #[test]
    fn noise_is_mostly_unvoiced() {
        let mut x = 12345u32;
        let mut next = || {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        };
        let noise: Vec<f32> = (0..16_000).map(|_| next() * 0.4).collect();
        let t = track(&noise, 16_000, &TrackSettings::default());
        let voiced = t.f0_hz.iter().filter(|&&f| f > 0.0).count();
        assert!(voiced < 10, "{voiced} of 100 frames voiced");
    }

    #[test]
    fn frames_between_times() {
        let t = Track {
            hop_s: 0.01,
            f0_hz: vec![0.0; 50],
            level_db: vec![0.0; 50],
        };
        assert_eq!(t.frames(0.1, 0.2), 10..21);
        assert_eq!(t.frames(0.45, 9.0), 45..50);
        assert_eq!(t.frames(-1.0, -0.5), 0..0);
    }
}
