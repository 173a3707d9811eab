//! whisper.cpp's ggml model format: the tensor table a model must contain,
//! a writer, and (in [`checker`]) a checker that walks a file the way
//! `whisper_model_load` (whisper.cpp 1.8.3) reads it, so that a bad file is
//! reported in words instead of reaching an `assert` or an oversized
//! allocation in C++.
//!
//! Layout: magic, 11 × i32 hparams, mel filter block (i32 n_mel, i32 n_fft,
//! n_mel × n_fft f32), vocabulary (i32 count, then i32 length + bytes per
//! token), then tensor records (i32 n_dims, i32 name length, i32 ggml type,
//! n_dims × i32 ne innermost first, name, data) up to the end of the file.

mod checker;

use std::io::{self, Write};

pub(crate) use checker::check;

/// "ggml" as whisper.cpp's `GGML_FILE_MAGIC`.
pub(crate) const MAGIC: u32 = 0x6767_6d6c;
/// whisper.cpp's mel filters cover the 201 bins of a 400-point FFT.
pub(crate) const N_FFT_BINS: usize = 201;
/// `GGML_QNT_VERSION * GGML_QNT_VERSION_FACTOR`: added to the ftype of quantized files.
pub(crate) const QNT_VERSION_OFFSET: i32 = 2000;

/// The 11 header integers in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hparams {
    pub n_vocab: i32,
    pub n_audio_ctx: i32,
    pub n_audio_state: i32,
    pub n_audio_head: i32,
    pub n_audio_layer: i32,
    pub n_text_ctx: i32,
    pub n_text_state: i32,
    pub n_text_head: i32,
    pub n_text_layer: i32,
    pub n_mels: i32,
    /// As stored: quantized files carry `2000 +` the ggml ftype.
    pub ftype: i32,
}

impl Hparams {
    fn as_array(&self) -> [i32; 11] {
        [
            self.n_vocab,
            self.n_audio_ctx,
            self.n_audio_state,
            self.n_audio_head,
            self.n_audio_layer,
            self.n_text_ctx,
            self.n_text_state,
            self.n_text_head,
            self.n_text_layer,
            self.n_mels,
            self.ftype,
        ]
    }

    fn from_array(a: [i32; 11]) -> Self {
        Hparams {
            n_vocab: a[0],
            n_audio_ctx: a[1],
            n_audio_state: a[2],
            n_audio_head: a[3],
            n_audio_layer: a[4],
            n_text_ctx: a[5],
            n_text_state: a[6],
            n_text_head: a[7],
            n_text_layer: a[8],
            n_mels: a[9],
            ftype: a[10],
        }
    }

    /// The type of the big 2-D weights, from the ftype without its quantization version.
    pub fn weight_type(&self) -> Option<GgmlType> {
        if self.ftype < 0 {
            return None;
        }
        GgmlType::from_ftype(self.ftype % 1000)
    }

    /// whisper.cpp's rule (`is_multilingual`): the multilingual vocabularies are the larger ones.
    pub fn multilingual(&self) -> bool {
        self.n_vocab >= 51865
    }

    /// The name people know the model by, from the layer counts and vocabulary,
    /// as whisper.cpp names it in its log ("tiny", "base", ...), plus ".en" for
    /// English-only models.
    pub fn type_name(&self) -> String {
        let base = match (self.n_audio_layer, self.n_text_layer, self.n_vocab) {
            (4, _, _) => "tiny".to_string(),
            (6, _, _) => "base".to_string(),
            (12, _, _) => "small".to_string(),
            (24, _, _) => "medium".to_string(),
            (32, 4, 51866) => "large-v3-turbo".to_string(),
            (32, _, 51866) => "large-v3".to_string(),
            (32, _, _) => "large".to_string(),
            (n, _, _) => format!("{n}-layer"),
        };
        if self.multilingual() {
            base
        } else {
            format!("{base}.en")
        }
    }
}

/// The ggml element types a whisper.cpp model file may use here, with their
/// block layout (bytes per block, values per block) as ggml defines them.
/// `quantize.rs` beside this file has a test that these agree with the linked ggml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum GgmlType {
    F32,
    F16,
    Q4_0,
    Q4_1,
    Q5_0,
    Q5_1,
    Q8_0,
}

impl GgmlType {
    pub const ALL: [GgmlType; 7] = [
        GgmlType::F32,
        GgmlType::F16,
        GgmlType::Q4_0,
        GgmlType::Q4_1,
        GgmlType::Q5_0,
        GgmlType::Q5_1,
        GgmlType::Q8_0,
    ];

    /// `enum ggml_type` value.
    pub fn id(self) -> u32 {
        match self {
            GgmlType::F32 => 0,
            GgmlType::F16 => 1,
            GgmlType::Q4_0 => 2,
            GgmlType::Q4_1 => 3,
            GgmlType::Q5_0 => 6,
            GgmlType::Q5_1 => 7,
            GgmlType::Q8_0 => 8,
        }
    }

    pub fn from_id(id: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|t| i64::from(t.id()) == id)
    }

    /// `enum ggml_ftype` value ("mostly this type") used in the header.
    pub fn ftype(self) -> i32 {
        match self {
            GgmlType::F32 => 0,
            GgmlType::F16 => 1,
            GgmlType::Q4_0 => 2,
            GgmlType::Q4_1 => 3,
            GgmlType::Q8_0 => 7,
            GgmlType::Q5_0 => 8,
            GgmlType::Q5_1 => 9,
        }
    }

    pub fn from_ftype(ftype: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.ftype() == ftype)
    }

    pub fn name(self) -> &'static str {
        match self {
            GgmlType::F32 => "f32",
            GgmlType::F16 => "f16",
            GgmlType::Q4_0 => "q4_0",
            GgmlType::Q4_1 => "q4_1",
            GgmlType::Q5_0 => "q5_0",
            GgmlType::Q5_1 => "q5_1",
            GgmlType::Q8_0 => "q8_0",
        }
    }

    /// Bytes per block.
    pub fn type_size(self) -> usize {
        match self {
            GgmlType::F32 => 4,
            GgmlType::F16 => 2,
            GgmlType::Q4_0 => 18,
            GgmlType::Q4_1 => 20,
            GgmlType::Q5_0 => 22,
            GgmlType::Q5_1 => 24,
            GgmlType::Q8_0 => 34,
        }
    }

    /// Values per block.
    pub fn block_size(self) -> usize {
        match self {
            GgmlType::F32 | GgmlType::F16 => 1,
            _ => 32,
        }
    }

    /// Bytes of a tensor with this shape, or None when rows don't split into
    /// whole blocks (ggml cannot store that) or the size overflows.
    pub fn nbytes(self, ne: &[usize]) -> Option<usize> {
        let (&row, rest) = ne.split_first()?;
        if row % self.block_size() != 0 {
            return None;
        }
        let row_bytes = (row / self.block_size()).checked_mul(self.type_size())?;
        rest.iter()
            .try_fold(row_bytes, |acc, &n| acc.checked_mul(n))
    }
}

/// How whisper.cpp allocates a tensor, which decides the type it must have in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Storage {
    /// Always f32: 1-D tensors, positional embeddings, conv biases.
    F32,
    /// The 3-D conv weights: f16, or f32 in an all-f32 model (`vtype`).
    Conv,
    /// The 2-D matrices: the header's weight type (`wtype`), so these are the quantized ones.
    Weight,
}

impl Storage {
    pub fn ggml_type(self, wtype: GgmlType) -> GgmlType {
        match self {
            Storage::F32 => GgmlType::F32,
            Storage::Conv if wtype == GgmlType::F32 => GgmlType::F32,
            Storage::Conv => GgmlType::F16,
            Storage::Weight => wtype,
        }
    }
}

/// One tensor whisper.cpp expects, with its ggml shape (innermost first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TensorSpec {
    pub name: String,
    pub ne: Vec<usize>,
    pub storage: Storage,
}

impl TensorSpec {
    /// Shape padded with 1s to ggml's 4 dims, for comparing shapes written with
    /// different numbers of trailing unit dims.
    fn ne4(&self) -> [usize; 4] {
        pad4(&self.ne)
    }
}

fn pad4(ne: &[usize]) -> [usize; 4] {
    let mut out = [1; 4];
    for (o, &n) in out.iter_mut().zip(ne) {
        *o = n;
    }
    out
}

/// Every tensor `whisper_model_load` creates for these hparams, in the order
/// OpenAI's state dict lists them (the loader itself finds them by name).
pub(crate) fn tensor_specs(hp: &Hparams) -> Vec<TensorSpec> {
    use Storage::{Conv, Weight, F32};
    let a = hp.n_audio_state.max(0) as usize;
    let t = hp.n_text_state.max(0) as usize;
    let mut specs = Vec::new();
    let mut push = |name: String, ne: &[usize], storage: Storage| {
        specs.push(TensorSpec {
            name,
            ne: ne.to_vec(),
            storage,
        })
    };

    push(
        "encoder.positional_embedding".into(),
        &[a, hp.n_audio_ctx.max(0) as usize],
        F32,
    );
    push(
        "encoder.conv1.weight".into(),
        &[3, hp.n_mels.max(0) as usize, a],
        Conv,
    );
    push("encoder.conv1.bias".into(), &[1, a], F32);
    push("encoder.conv2.weight".into(), &[3, a, a], Conv);
    push("encoder.conv2.bias".into(), &[1, a], F32);
    for i in 0..hp.n_audio_layer.max(0) {
        let p = format!("encoder.blocks.{i}");
        attention(&mut push, &format!("{p}.attn"), a);
        norm(&mut push, &format!("{p}.attn_ln"), a);
        mlp(&mut push, &p, a);
    }
    push("encoder.ln_post.weight".into(), &[a], F32);
    push("encoder.ln_post.bias".into(), &[a], F32);

    push(
        "decoder.positional_embedding".into(),
        &[t, hp.n_text_ctx.max(0) as usize],
        F32,
    );
    push(
        "decoder.token_embedding.weight".into(),
        &[t, hp.n_vocab.max(0) as usize],
        Weight,
    );
    for i in 0..hp.n_text_layer.max(0) {
        let p = format!("decoder.blocks.{i}");
        attention(&mut push, &format!("{p}.attn"), t);
        norm(&mut push, &format!("{p}.attn_ln"), t);
        attention(&mut push, &format!("{p}.cross_attn"), t);
        norm(&mut push, &format!("{p}.cross_attn_ln"), t);
        mlp(&mut push, &p, t);
    }
    push("decoder.ln.weight".into(), &[t], F32);
    push("decoder.ln.bias".into(), &[t], F32);
    specs
}

// Whisper's attention has no key bias, so there is no `key.bias` tensor.
fn attention(push: &mut impl FnMut(String, &[usize], Storage), p: &str, n: usize) {
    push(format!("{p}.query.weight"), &[n, n], Storage::Weight);
    push(format!("{p}.query.bias"), &[n], Storage::F32);
    push(format!("{p}.key.weight"), &[n, n], Storage::Weight);
    push(format!("{p}.value.weight"), &[n, n], Storage::Weight);
    push(format!("{p}.value.bias"), &[n], Storage::F32);
    push(format!("{p}.out.weight"), &[n, n], Storage::Weight);
    push(format!("{p}.out.bias"), &[n], Storage::F32);
}

fn norm(push: &mut impl FnMut(String, &[usize], Storage), p: &str, n: usize) {
    push(format!("{p}.weight"), &[n], Storage::F32);
    push(format!("{p}.bias"), &[n], Storage::F32);
}

fn mlp(push: &mut impl FnMut(String, &[usize], Storage), p: &str, n: usize) {
    push(format!("{p}.mlp.0.weight"), &[n, 4 * n], Storage::Weight);
    push(format!("{p}.mlp.0.bias"), &[4 * n], Storage::F32);
    push(format!("{p}.mlp.2.weight"), &[4 * n, n], Storage::Weight);
    push(format!("{p}.mlp.2.bias"), &[n], Storage::F32);
    norm(push, &format!("{p}.mlp_ln"), n);
}

// ---------------------------------------------------------------------------
// Writer

pub(crate) fn write_header(w: &mut impl Write, hp: &Hparams) -> io::Result<()> {
    w.write_all(&MAGIC.to_le_bytes())?;
    for v in hp.as_array() {
        w.write_all(&v.to_le_bytes())?;
    }
    Ok(())
}

/// `filters` is n_mel rows of [`N_FFT_BINS`] values.
pub(crate) fn write_mel_filters(
    w: &mut impl Write,
    n_mel: usize,
    filters: &[f32],
) -> io::Result<()> {
    debug_assert_eq!(filters.len(), n_mel * N_FFT_BINS);
    w.write_all(&(n_mel as i32).to_le_bytes())?;
    w.write_all(&(N_FFT_BINS as i32).to_le_bytes())?;
    for v in filters {
        w.write_all(&v.to_le_bytes())?;
    }
    Ok(())
}

pub(crate) fn write_vocab(w: &mut impl Write, tokens: &[Vec<u8>]) -> io::Result<()> {
    w.write_all(&(tokens.len() as i32).to_le_bytes())?;
    for t in tokens {
        w.write_all(&(t.len() as i32).to_le_bytes())?;
        w.write_all(t)?;
    }
    Ok(())
}

/// A tensor record; `data` must already be in `ty`'s encoding.
pub(crate) fn write_tensor(
    w: &mut impl Write,
    name: &str,
    ne: &[usize],
    ty: GgmlType,
    data: &[u8],
) -> io::Result<()> {
    debug_assert_eq!(ty.nbytes(ne), Some(data.len()), "{name}");
    w.write_all(&(ne.len() as i32).to_le_bytes())?;
    w.write_all(&(name.len() as i32).to_le_bytes())?;
    w.write_all(&ty.id().to_le_bytes())?;
    for &n in ne {
        w.write_all(&(n as i32).to_le_bytes())?;
    }
    w.write_all(name.as_bytes())?;
    w.write_all(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn tiny_en() -> Hparams {
        Hparams {
            n_vocab: 51864,
            n_audio_ctx: 1500,
            n_audio_state: 384,
            n_audio_head: 6,
            n_audio_layer: 4,
            n_text_ctx: 448,
            n_text_state: 384,
            n_text_head: 6,
            n_text_layer: 4,
            n_mels: 80,
            ftype: 1,
        }
    }

    #[test]
    fn tiny_has_167_tensors_with_unique_names() {
        let specs = tensor_specs(&tiny_en());
        assert_eq!(specs.len(), 167);
        let names: std::collections::HashSet<_> = specs.iter().map(|s| &s.name).collect();
        assert_eq!(names.len(), 167);
        // 7 encoder and 4 decoder tensors outside the blocks, 15 per encoder
        // block, 24 per decoder block.
        let base = Hparams {
            n_audio_layer: 6,
            n_text_layer: 6,
            n_audio_state: 512,
            n_text_state: 512,
            ..tiny_en()
        };
        assert_eq!(tensor_specs(&base).len(), 11 + 15 * 6 + 24 * 6);
    }

    #[test]
    fn quantized_tensors_are_the_2d_weights() {
        let specs = tensor_specs(&tiny_en());
        let weights: Vec<_> = specs
            .iter()
            .filter(|s| s.storage == Storage::Weight)
            .collect();
        // 6 per encoder layer, 10 per decoder layer, and the token embedding.
        assert_eq!(weights.len(), 6 * 4 + 10 * 4 + 1);
        assert!(weights
            .iter()
            .all(|s| s.ne.len() == 2 && s.name.ends_with(".weight")));
        let conv: Vec<_> = specs
            .iter()
            .filter(|s| s.storage == Storage::Conv)
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(conv, ["encoder.conv1.weight", "encoder.conv2.weight"]);
    }

    #[test]
    fn type_names() {
        assert_eq!(tiny_en().type_name(), "tiny.en");
        let base = Hparams {
            n_vocab: 51865,
            n_audio_layer: 6,
            ..tiny_en()
        };
        assert_eq!(base.type_name(), "base");
        let turbo = Hparams {
            n_vocab: 51866,
            n_audio_layer: 32,
            n_text_layer: 4,
            ..tiny_en()
        };
        assert_eq!(turbo.type_name(), "large-v3-turbo");
        assert_eq!(
            Hparams {
                ftype: 2007,
                ..tiny_en()
            }
            .weight_type(),
            Some(GgmlType::Q8_0)
        );
    }

    #[test]
    fn type_table_matches_ggml() {
        use super::super::quantize::type_layout;
        for t in GgmlType::ALL {
            assert_eq!(
                type_layout(t.id()),
                (t.type_size(), t.block_size()),
                "{}",
                t.name()
            );
        }
    }

    #[test]
    fn nbytes_follow_blocks() {
        assert_eq!(GgmlType::F16.nbytes(&[384, 384]), Some(384 * 384 * 2));
        assert_eq!(GgmlType::Q8_0.nbytes(&[384, 2]), Some(12 * 34 * 2));
        assert_eq!(GgmlType::Q8_0.nbytes(&[1, 384]), None);
    }
}
