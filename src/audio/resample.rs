//! Resampling to the model's 16 kHz with rubato. The only file that imports rubato.
//!
//! The FFT resampler is used because the ratio of a file is fixed; rubato's
//! `process_all_into_buffer` trims the resampler's start-up delay and flushes
//! its tail, so the output is time-aligned with the input and its length is
//! `ceil(len * 16000 / rate)`.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

use super::{Audio, Mono16k, MODEL_RATE};
use crate::error::{Error, Result};

/// Chunk size in input frames; large enough for efficient FFTs, small enough
/// that short clips don't pay for a huge first chunk.
const CHUNK: usize = 1024;

/// Resamples mono audio at any rate to 16 kHz.
pub fn to_16k(audio: &Audio) -> Result<Mono16k> {
    Ok(Mono16k::from_resampled(resample(
        &audio.samples,
        audio.rate,
        MODEL_RATE,
    )?))
}

/// Resamples mono samples from `from` Hz to `to` Hz.
pub fn resample(samples: &[f32], from: u32, to: u32) -> Result<Vec<f32>> {
    if from == to || samples.is_empty() {
        return Ok(samples.to_vec());
    }
    let fail = |what: String| Error::Input(format!("cannot resample {from} Hz to {to} Hz: {what}"));
    let mut resampler = Fft::<f32>::new(from as usize, to as usize, CHUNK, 1, FixedSync::Input)
        .map_err(|e| fail(e.to_string()))?;
    let input =
        InterleavedSlice::new(samples, 1, samples.len()).map_err(|e| fail(e.to_string()))?;
    let mut out = vec![0.0f32; resampler.process_all_needed_output_len(samples.len())];
    let out_len = out.len();
    let mut output =
        InterleavedSlice::new_mut(&mut out, 1, out_len).map_err(|e| fail(e.to_string()))?;
    let (_, produced) = resampler
        .process_all_into_buffer(&input, &mut output, samples.len(), None)
        .map_err(|e| fail(e.to_string()))?;
    out.truncate(produced);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32, rate: u32, seconds: f32) -> Vec<f32> {
        let n = (rate as f32 * seconds) as usize;
        (0..n)
            .map(|i| 0.5 * (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin())
            .collect()
    }

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt()
    }

    #[test]
    fn duration_is_kept_within_ten_ms_for_every_rate() {
        for rate in [
            8_000, 11_025, 16_000, 22_050, 32_000, 44_100, 48_000, 96_000, 192_000,
        ] {
            for seconds in [0.3f32, 1.0, 7.77] {
                let input = sine(440.0, rate, seconds);
                let out = resample(&input, rate, 16_000).unwrap();
                let d_in = input.len() as f64 / rate as f64;
                let d_out = out.len() as f64 / 16_000.0;
                assert!(
                    (d_in - d_out).abs() < 0.010,
                    "{rate} Hz {seconds} s: {d_in} vs {d_out}"
                );
            }
        }
    }

    #[test]
    fn level_of_an_in_band_tone_is_kept() {
        for rate in [8_000, 22_050, 44_100, 48_000] {
            let out = resample(&sine(1000.0, rate, 2.0), rate, 16_000).unwrap();
            // Skip the edges, where the filter rings in and out.
            let mid = &out[1600..out.len() - 1600];
            let level = rms(mid);
            assert!((level - 0.3536).abs() < 0.01, "{rate} Hz: rms {level}");
        }
    }

    #[test]
    fn output_is_time_aligned_with_the_input() {
        // A click at 0.5 s must stay at 0.5 s: the resampler's delay is trimmed.
        for rate in [8_000, 44_100, 48_000] {
            let mut x = vec![0.0f32; rate as usize];
            x[rate as usize / 2] = 1.0;
            let out = resample(&x, rate, 16_000).unwrap();
            let peak = out
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
                .unwrap()
                .0;
            assert!(
                (peak as i64 - 8_000).abs() <= 2,
                "{rate} Hz: click at sample {peak}"
            );
        }
    }

    #[test]
    fn no_clicks_at_chunk_boundaries() {
        // A slow tone resampled in chunks must stay smooth: the largest jump
        // between neighbouring output samples stays near the tone's own slope.
        let out = resample(&sine(200.0, 48_000, 3.0), 48_000, 16_000).unwrap();
        let max_step = 2.0 * std::f32::consts::PI * 200.0 / 16_000.0 * 0.5;
        let worst = out[100..out.len() - 100]
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0f32, f32::max);
        assert!(
            worst < max_step * 1.05,
            "largest step {worst} vs slope {max_step}"
        );
    }

    #[test]
    fn sixteen_khz_input_is_passed_through() {
        let x = sine(300.0, 16_000, 0.5);
        assert_eq!(resample(&x, 16_000, 16_000).unwrap(), x);
    }
}
