//! McLeod's normalised square difference of a window, by FFT, and the
//! period it points to. The only file that imports `rustfft`.
//!
//! The FFT is planned once for all the windows of a recording (planning it
//! for each window, with its twiddle factors, took most of a pitch track's
//! time), and the window's zero padding is zero for every window.

use std::sync::Arc;

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

/// The function of one window at a time, for windows of one size.
pub struct Nsdf {
    size: usize,
    forward: Arc<dyn Fft<f32>>,
    inverse: Arc<dyn Fft<f32>>,
    buffer: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    values: Vec<f32>,
}

impl Nsdf {
    /// For windows of `size` samples, zero-padded by `padding`.
    pub fn new(size: usize, padding: usize) -> Nsdf {
        let len = size + padding;
        let mut planner = FftPlanner::new();
        let forward = planner.plan_fft_forward(len);
        let inverse = planner.plan_fft_inverse(len);
        let scratch_len = forward
            .get_inplace_scratch_len()
            .max(inverse.get_inplace_scratch_len());
        Nsdf {
            size,
            forward,
            inverse,
            buffer: vec![Complex::default(); len],
            scratch: vec![Complex::default(); scratch_len],
            values: vec![0.0; len],
        }
    }

    /// The function of `window` (`size` samples) at every lag: twice the
    /// autocorrelation over the sum of squares it is made of, the latter
    /// taken from the lag-0 autocorrelation less the squares the lag
    /// leaves out at the start. 1 at lag 0; near 1 at a lag the signal
    /// repeats at.
    pub fn of(&mut self, window: &[f32]) -> &[f32] {
        assert_eq!(window.len(), self.size);
        for (b, &x) in self.buffer.iter_mut().zip(window) {
            *b = Complex::new(x, 0.0);
        }
        for b in &mut self.buffer[self.size..] {
            *b = Complex::default();
        }
        self.forward
            .process_with_scratch(&mut self.buffer, &mut self.scratch);
        for b in &mut self.buffer {
            *b = Complex::new(b.re * b.re + b.im * b.im, 0.0);
        }
        self.inverse
            .process_with_scratch(&mut self.buffer, &mut self.scratch);
        let at_zero = self.buffer[0].re;
        let mut squares = 2.0 * at_zero;
        for (lag, v) in self.values.iter_mut().enumerate() {
            if lag > 0 && lag <= window.len() {
                squares -= window[lag - 1] * window[lag - 1];
            }
            *v = 2.0 * self.buffer[lag].re / squares;
        }
        &self.values
    }
}

/// The period (in samples, between lags) and clarity of the first peak of
/// `values` (an [`Nsdf::of`]) above `clarity`: the highest point of each
/// run of positive values after the first negative one, refined by a
/// parabola through it and its neighbours. None when no peak is above it,
/// or the run reaches the end.
pub fn first_peak(values: &[f32], clarity: f32) -> Option<(f32, f32)> {
    let mut lag = values.iter().take_while(|v| !v.is_sign_negative()).count();
    loop {
        lag += values[lag.min(values.len())..]
            .iter()
            .take_while(|v| v.is_sign_negative())
            .count();
        let start = lag;
        let run = values[start.min(values.len())..]
            .iter()
            .take_while(|v| !v.is_sign_negative())
            .count();
        lag = start + run;
        if run == 0 || lag >= values.len() {
            return None;
        }
        let (top, &height) =
            values[start..lag]
                .iter()
                .enumerate()
                .fold((0, &f32::NEG_INFINITY), |best, (i, v)| {
                    if *v > *best.1 {
                        (i, v)
                    } else {
                        best
                    }
                });
        if height > clarity {
            let at = start + top;
            let (shift, height) = parabola_top(values[at - 1], values[at], values[at + 1]);
            return Some((at as f32 + shift, height / values[0]));
        }
    }
}

/// Where the parabola through (-1, y0), (0, y1), (1, y2) peaks, and how
/// high; the higher neighbour when it opens upwards.
fn parabola_top(y0: f32, y1: f32, y2: f32) -> (f32, f32) {
    let a = (y0 + y2) / 2.0 - y1;
    let b = (y2 - y0) / 2.0;
    if a > 0.0 {
        return if y0 > y2 { (-1.0, y0) } else { (1.0, y2) };
    }
    (-b / (2.0 * a), -b * b / (4.0 * a) + y1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sine_repeats_at_its_period() {
        let rate = 16_000.0;
        let window: Vec<f32> = (0..640)
            .map(|i| (2.0 * std::f32::consts::PI * 200.0 * i as f32 / rate).sin())
            .collect();
        let mut nsdf = Nsdf::new(640, 320);
        let values = nsdf.of(&window).to_vec();
        assert!((values[0] - 1.0).abs() < 1e-6);
        let (period, clarity) = first_peak(&values, 0.5).unwrap();
        assert!((rate / period - 200.0).abs() < 1.0, "{}", rate / period);
        assert!(clarity > 0.8, "{clarity}");
        // No peak that high.
        assert_eq!(first_peak(&values, 1.5), None);
        // The same window again gives the same values: nothing is left
        // over from the last one.
        let other: Vec<f32> = window.iter().map(|x| x * 0.5 + 0.1).collect();
        nsdf.of(&other);
        assert_eq!(nsdf.of(&window), &values[..]);
    }

    #[test]
    fn noise_has_no_clear_period() {
        let mut x = 1u32;
        let window: Vec<f32> = (0..640)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (x >> 16) as f32 / 32_768.0 - 1.0
            })
            .collect();
        let mut nsdf = Nsdf::new(640, 320);
        let values = nsdf.of(&window).to_vec();
        assert_eq!(first_peak(&values, 0.6), None);
    }
}
