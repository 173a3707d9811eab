//! The mel filterbank whisper.cpp reads from the model file and applies in
//! `log_mel_spectrogram`. Whisper was trained on `librosa.filters.mel(sr=16000,
//! n_fft=400, n_mels=N)`: Slaney's mel scale, Slaney's area normalisation.
//! This follows librosa's arithmetic step by step (f64 ramps stored into an
//! f32 matrix, then scaled in f64 and stored to f32 again) so the values come
//! out the same as librosa's, not merely close.

use super::ggml::N_FFT_BINS;

const SAMPLE_RATE: f64 = 16_000.0;
const N_FFT: usize = 400;

// Slaney's scale: linear below 1 kHz (200/3 Hz per mel), logarithmic above.
const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;
const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;

fn logstep() -> f64 {
    6.4f64.ln() / 27.0
}

fn hz_to_mel(hz: f64) -> f64 {
    if hz >= MIN_LOG_HZ {
        MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / logstep()
    } else {
        hz / F_SP
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    if mel >= MIN_LOG_MEL {
        MIN_LOG_HZ * (logstep() * (mel - MIN_LOG_MEL)).exp()
    } else {
        F_SP * mel
    }
}

/// `n_mels` rows of [`N_FFT_BINS`] weights, row-major.
pub(crate) fn mel_filters(n_mels: usize) -> Vec<f32> {
    // numpy's rfftfreq: i * (1 / (n * d)) with d = 1 / sr.
    let bin_hz = 1.0 / (N_FFT as f64 * (1.0 / SAMPLE_RATE));
    let fft_freqs: Vec<f64> = (0..N_FFT_BINS).map(|i| i as f64 * bin_hz).collect();

    // n_mels + 2 band edges evenly spaced in mel (numpy's linspace: start + i * step,
    // the last one set to stop exactly), back in Hz.
    let min_mel = hz_to_mel(0.0);
    let max_mel = hz_to_mel(SAMPLE_RATE / 2.0);
    let n_edges = n_mels + 2;
    let step = (max_mel - min_mel) / (n_edges - 1) as f64;
    let mel_f: Vec<f64> = (0..n_edges)
        .map(|i| {
            if i == n_edges - 1 {
                max_mel
            } else {
                i as f64 * step + min_mel
            }
        })
        .map(mel_to_hz)
        .collect();

    let mut weights = vec![0f32; n_mels * N_FFT_BINS];
    for (m, row) in weights.chunks_exact_mut(N_FFT_BINS).enumerate() {
        let lower_width = mel_f[m + 1] - mel_f[m];
        let upper_width = mel_f[m + 2] - mel_f[m + 1];
        // Slaney normalisation: each triangle gets unit area in Hz.
        let enorm = 2.0 / (mel_f[m + 2] - mel_f[m]);
        for (w, &f) in row.iter_mut().zip(&fft_freqs) {
            let lower = -(mel_f[m] - f) / lower_width;
            let upper = (mel_f[m + 2] - f) / upper_width;
            // numpy's maximum(0, x) keeps x when the two compare equal, so a
            // -0.0 survives (bin 0 of row 0); kept for bit-identical output.
            let m = lower.min(upper);
            let tri = if 0.0 > m { 0.0 } else { m } as f32;
            *w = (f64::from(tri) * enorm) as f32;
        }
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (row, bin, value as f64) from librosa 0.11.0 / numpy 2.4:
    /// `librosa.filters.mel(sr=16000, n_fft=400, n_mels=80)`.
    const LIBROSA_80: &[(usize, usize, f64)] = &[
        (0, 1, 0.02486259490251541),
        (1, 1, 0.001990821911022067),
        (1, 2, 0.022871771827340126),
        (10, 10, 0.01990821771323681),
        (10, 11, 0.004954374860972166),
        (39, 40, 0.001418047584593296),
        (39, 41, 0.011486922390758991),
        (39, 42, 0.010089744813740253),
        (39, 43, 0.00040022286702878773),
        (40, 43, 0.014735566452145576),
        (78, 179, 0.0003849811910185963),
        (79, 186, 0.000366741674952209),
        (79, 189, 0.0017657268326729536),
    ];

    /// Row sums (in f64 over the f32 values) from the same librosa call.
    const LIBROSA_80_ROW_SUMS: &[(usize, f64)] = &[
        (0, 0.02486259490251541),
        (1, 0.024862593738362193),
        (10, 0.024862592574208975),
        (39, 0.02339493765612133),
        (40, 0.026664861012250185),
        (78, 0.025022621965035796),
        (79, 0.024925339792389423),
    ];

    /// From `librosa.filters.mel(sr=16000, n_fft=400, n_mels=128)` (large-v3's filters).
    const LIBROSA_128: &[(usize, usize, f64)] = &[
        (0, 1, 0.012373986653983593),
        (1, 1, 0.030392564833164215),
        (10, 6, 0.011289183981716633),
        (10, 7, 0.0010848019737750292),
        (40, 24, 0.040376365184783936),
        (127, 191, 0.0004756950947921723),
        (127, 194, 0.0039001251570880413),
    ];

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * b.abs().max(1e-3)
    }

    #[test]
    fn matches_librosa_80() {
        let m = mel_filters(80);
        assert_eq!(m.len(), 80 * 201);
        for &(r, c, v) in LIBROSA_80 {
            assert!(
                close(f64::from(m[r * 201 + c]), v),
                "[{r}][{c}] = {} vs librosa {v}",
                m[r * 201 + c]
            );
        }
        for &(r, sum) in LIBROSA_80_ROW_SUMS {
            let got: f64 = m[r * 201..(r + 1) * 201]
                .iter()
                .map(|&v| f64::from(v))
                .sum();
            assert!(close(got, sum), "row {r} sum {got} vs librosa {sum}");
        }
        // Bin 0 (DC) and the Nyquist bin are outside every triangle; librosa's
        // first one is -0.0, and so is ours (the output is bit-identical).
        assert!((0..80).all(|r| m[r * 201] == 0.0 && m[r * 201 + 200] == 0.0));
        assert!(m[0].is_sign_negative());
    }

    #[test]
    fn matches_librosa_128() {
        let m = mel_filters(128);
        for &(r, c, v) in LIBROSA_128 {
            assert!(
                close(f64::from(m[r * 201 + c]), v),
                "[{r}][{c}] = {} vs librosa {v}",
                m[r * 201 + c]
            );
        }
    }
}
