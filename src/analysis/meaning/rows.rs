//! The element-wise ends of the sentence model's dense layers, done in
//! place on a product's rows: adding the bias, then the GELU or the
//! layer's input (the residual). Written as plain loops with no branches
//! and no library calls, so the compiler turns them into SIMD: candle's
//! own versions allocate a new tensor per step and compute GELU with a
//! scalar `erf`, which together cost a fifth of the checks' time.

/// `rows` (one row of `bias.len()` values after another) += bias.
pub fn add_bias(rows: &mut [f32], bias: &[f32]) {
    for row in rows.chunks_exact_mut(bias.len()) {
        for (x, b) in row.iter_mut().zip(bias) {
            *x += b;
        }
    }
}

/// `rows` = GELU(rows + bias), GELU as BERT defines it: x·Φ(x), with the
/// normal distribution's Φ from `erf`.
pub fn add_bias_gelu(rows: &mut [f32], bias: &[f32]) {
    for row in rows.chunks_exact_mut(bias.len()) {
        for (x, b) in row.iter_mut().zip(bias) {
            let v = *x + b;
            *x = 0.5 * v * (1.0 + erf(v * std::f32::consts::FRAC_1_SQRT_2));
        }
    }
}

/// `rows` += bias + `residual` (of the same shape as `rows`).
pub fn add_bias_residual(rows: &mut [f32], bias: &[f32], residual: &[f32]) {
    let width = bias.len();
    for (row, res) in rows
        .chunks_exact_mut(width)
        .zip(residual.chunks_exact(width))
    {
        for ((x, b), r) in row.iter_mut().zip(bias).zip(res) {
            *x += b + r;
        }
    }
}

/// The error function, within 5e-7 of the true value (Abramowitz and
/// Stegun 7.1.26, whose own bound is 1.5e-7, plus f32 rounding): GELU's
/// values then differ from candle's by under 1e-6, and the checks' scores
/// by under 1e-6.
#[allow(clippy::excessive_precision)] // the constants as published
pub fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let y = 1.0 - poly * exp(-a * a);
    y.copysign(x)
}

/// e^x for x <= 0 (what `erf` needs), within 2 ulp for x > -87 and below
/// 1e-37 under it: x = k·ln 2 + r with |r| <= ln 2 / 2, e^r by its Taylor
/// series to r^7, times 2^k put straight into the exponent bits.
fn exp(x: f32) -> f32 {
    let x = x.max(-87.0);
    // Rounded to the nearest whole number by adding and taking away
    // 1.5 * 2^23 (f32::round is a library call the compiler cannot turn
    // into SIMD).
    const SHIFT: f32 = 12_582_912.0;
    let k = (x * std::f32::consts::LOG2_E + SHIFT) - SHIFT;
    // ln 2 in two parts, so that k·ln 2 is exact to f32.
    let r = x - k * 0.693_145_75 - k * 1.428_606_8e-6;
    let mut p = 1.0 / 5040.0;
    for c in [
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        p = p * r + c;
    }
    p * f32::from_bits(((k as i32 + 127) as u32) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// erf by its Taylor series in f64, exact enough for |x| <= 4.
    fn erf_reference(x: f64) -> f64 {
        let (mut term, mut sum, mut n) = (x, x, 0.0);
        while term.abs() > 1e-17 * sum.abs().max(1e-300) {
            n += 1.0;
            term *= -x * x / n;
            sum += term / (2.0 * n + 1.0);
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn erf_is_within_its_bound_everywhere_it_is_used() {
        let mut worst = 0.0f64;
        for i in -4000..=4000 {
            let x = i as f64 / 1000.0;
            worst = worst.max((erf(x as f32) as f64 - erf_reference(x)).abs());
        }
        assert!(worst < 5e-7, "worst error {worst}");
        // Far out it is ±1, and it never gives NaN.
        assert_eq!(erf(30.0), 1.0);
        assert_eq!(erf(-30.0), -1.0);
        assert_eq!(erf(f32::MAX), 1.0);
        assert_eq!(erf(0.0), 0.0);
    }

    #[test]
    fn exp_is_within_two_ulp() {
        for i in 0..=8700 {
            let x = -(i as f32) / 100.0;
            let want = (x as f64).exp();
            let got = exp(x) as f64;
            assert!(
                (got - want).abs() <= 2.0 * f32::EPSILON as f64 * want,
                "{x}: {got} vs {want}"
            );
        }
        assert!(exp(-200.0) < 1e-37);
    }

    #[test]
    fn rows_get_the_bias_and_the_residual_by_column() {
        let mut rows = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        add_bias(&mut rows, &[10.0, 20.0, 30.0]);
        assert_eq!(rows, vec![11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
        add_bias_residual(&mut rows, &[1.0, 0.0, 0.0], &[0.5; 6]);
        assert_eq!(rows, vec![12.5, 22.5, 33.5, 15.5, 25.5, 36.5]);
        let mut g = vec![-1.0, 0.0, 1.0];
        add_bias_gelu(&mut g, &[0.0, 0.0, 0.0]);
        // GELU(±1) = ±1·Φ(±1); Φ(1) = 0.841344746.
        assert!(
            (g[0] + 0.158_655_25).abs() < 1e-6 && g[1] == 0.0 && (g[2] - 0.841_344_7).abs() < 1e-6
        );
    }
}
