//! Quantizing model weights with ggml's own routines (linked through
//! whisper-rs-sys), so the blocks are exactly what whisper.cpp expects.
//! This is the one place in the model code that touches ggml directly.

use whisper_rs::whisper_rs_sys as sys;

use super::Quantization;

fn ggml_type(q: Quantization) -> sys::ggml_type {
    match q {
        Quantization::Q8_0 => sys::ggml_type_GGML_TYPE_Q8_0,
        Quantization::Q5_1 => sys::ggml_type_GGML_TYPE_Q5_1,
        Quantization::Q4_0 => sys::ggml_type_GGML_TYPE_Q4_0,
    }
}

/// Why ggml's quantizer was not called, or did not do what it should.
#[derive(Debug, thiserror::Error)]
pub(crate) enum QuantizeError {
    #[error("cannot quantize {values} values in rows of {n_per_row} to {q}")]
    Shape {
        values: usize,
        n_per_row: usize,
        q: Quantization,
    },
    #[error("ggml wrote {written} bytes for {q}, expected {expected}")]
    Written {
        written: usize,
        q: Quantization,
        expected: usize,
    },
}

/// Quantize rows of `n_per_row` values. ggml aborts the process on a bad
/// call, so the shape is checked here first.
pub(crate) fn quantize(
    q: Quantization,
    src: &[f32],
    n_per_row: usize,
) -> Result<Vec<u8>, QuantizeError> {
    let ty = ggml_type(q);
    // SAFETY: plain lookups in ggml's static type table, for a valid type.
    let (block, row_bytes) = unsafe {
        (
            sys::ggml_blck_size(ty) as usize,
            sys::ggml_row_size(ty, n_per_row as i64),
        )
    };
    if n_per_row == 0 || !n_per_row.is_multiple_of(block) || !src.len().is_multiple_of(n_per_row) {
        return Err(QuantizeError::Shape {
            values: src.len(),
            n_per_row,
            q,
        });
    }
    let n_rows = src.len() / n_per_row;
    let mut dst = vec![0u8; n_rows * row_bytes];
    // SAFETY: `src` holds n_rows * n_per_row floats and `dst` n_rows rows of
    // ggml_row_size bytes, which is what ggml_quantize_chunk reads and writes
    // for start = 0. These types need no importance matrix (checked below by
    // the test that exercises them), so a null one is allowed.
    let written = unsafe {
        sys::ggml_quantize_chunk(
            ty,
            src.as_ptr(),
            dst.as_mut_ptr().cast(),
            0,
            n_rows as i64,
            n_per_row as i64,
            std::ptr::null(),
        )
    };
    if written != dst.len() {
        return Err(QuantizeError::Written {
            written,
            q,
            expected: dst.len(),
        });
    }
    Ok(dst)
}

/// ggml's (bytes per block, values per block) for a ggml type id, for tests
/// of the table the model checker keeps (it does not call into ggml).
#[cfg(test)]
pub(crate) fn type_layout(type_id: u32) -> (usize, usize) {
    // SAFETY: as above; callers pass ids of existing ggml types.
    unsafe {
        (
            sys::ggml_type_size(type_id),
            sys::ggml_blck_size(type_id) as usize,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_importance_matrix_needed() {
        for q in Quantization::ALL {
            // SAFETY: lookup for a valid type.
            assert!(!unsafe { sys::ggml_quantize_requires_imatrix(ggml_type(q)) });
        }
    }

    #[test]
    fn q8_0_blocks_decode_back() {
        let src: Vec<f32> = (0..64).map(|i| (i as f32 - 20.0) / 7.0).collect();
        let out = quantize(Quantization::Q8_0, &src, 64).unwrap();
        assert_eq!(out.len(), 2 * 34);
        // A q8_0 block is an f16 scale and 32 signed bytes.
        for (block, values) in out.chunks_exact(34).zip(src.chunks_exact(32)) {
            let d = half::f16::from_le_bytes([block[0], block[1]]).to_f32();
            for (&q, &x) in block[2..].iter().zip(values) {
                assert!((f32::from(q as i8) * d - x).abs() <= d, "{x}");
            }
        }
    }

    #[test]
    fn every_type_quantizes() {
        let src: Vec<f32> = (0..384 * 3).map(|i| (i as f32).sin()).collect();
        for q in Quantization::ALL {
            let (size, block) = type_layout(ggml_type(q));
            assert_eq!(
                quantize(q, &src, 384).unwrap().len(),
                3 * 384 / block * size
            );
        }
        assert!(quantize(Quantization::Q4_0, &src, 100).is_err());
    }
}
