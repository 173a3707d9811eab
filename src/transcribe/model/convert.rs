//! CTranslate2 Whisper variables -> whisper.cpp tensors.
//!
//! The two formats hold the same weights under different names and with a
//! few layout differences: CTranslate2 fuses the attention projections (QKV
//! for self-attention, KV for cross-attention) and keeps explicit all-zero key
//! biases, which whisper.cpp does not have. Anything this mapping does not
//! account for is refused rather than dropped, so a model that is not plain
//! Whisper can't be silently converted into a broken one.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};

use super::ct2::{DType, Model, Variable};
use super::ggml::{self, GgmlType, Hparams, TensorSpec};
use super::quantize::{self, QuantizeError};
use super::Quantization;

/// Why a CTranslate2 model cannot be converted, or a tensor not written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConvertError {
    #[error("this is a CTranslate2 {0} model, not a Whisper model (WhisperSpec)")]
    NotWhisper(String),
    #[error("WhisperSpec revision {0} is not supported (this converter knows revision 3)")]
    Revision(u32),
    #[error(
        "{count} weight tensors are stored as {} (e.g. {example}); only float16 or float32 \
         CTranslate2 models can be converted{}",
        .dtype.name(),
        int8_note(.dtype)
    )]
    NotFloat {
        count: usize,
        dtype: DType,
        example: String,
    },
    #[error("unknown alias {alias} -> {target}")]
    UnknownAlias { alias: String, target: String },
    #[error("{name} = {value}, but whisper.cpp implements {meaning} ({name} = {want})")]
    Config {
        name: &'static str,
        value: f64,
        want: f64,
        meaning: &'static str,
    },
    #[error("missing variable {0}")]
    Missing(String),
    #[error("variable {name} has shape {got:?}, expected {want:?}")]
    Shape {
        name: String,
        got: Vec<usize>,
        want: Vec<usize>,
    },
    #[error("config variable {0} is not a scalar")]
    NotScalar(String),
    #[error("{name} = {value} does not divide the model width {width}")]
    Heads {
        name: &'static str,
        value: f64,
        width: usize,
    },
    #[error("encoder/conv1/weight has shape {0:?}, expected [width, n_mels, 3]")]
    Conv1Shape(Vec<usize>),
    #[error("decoder/embeddings/weight has shape {0:?}, expected [vocabulary, width]")]
    EmbeddingShape(Vec<usize>),
    #[error("the decoder width {decoder} differs from the encoder width {encoder}")]
    Widths { decoder: usize, encoder: usize },
    #[error("no encoder or no decoder layers")]
    NoLayers,
    #[error("{0} has a non-zero key bias, which whisper.cpp cannot represent")]
    KeyBias(String),
    #[error("unknown variables {}: this is not a plain Whisper model", first_five(.0))]
    UnknownVariables(Vec<String>),
    #[error("{what} {value} is too large")]
    TooLarge { what: &'static str, value: usize },
    #[error("internal: no source for {0}")]
    NoSource(String),
    #[error("internal: {name} has {len} values for shape {ne:?}")]
    SourceSize {
        name: String,
        len: usize,
        ne: Vec<usize>,
    },
    #[error("{name} has rows of {row} values, which {} cannot store", .ty.name())]
    Unstorable {
        name: String,
        row: usize,
        ty: GgmlType,
    },
    #[error("cannot write {} tensors", .0.name())]
    CannotWrite(GgmlType),
    #[error(transparent)]
    Quantize(QuantizeError),
}

/// What [`ConvertError::NotFloat`] adds about int8 weights.
fn int8_note(dtype: &DType) -> &'static str {
    if *dtype == DType::I8 {
        " (this one was quantized to int8 when it was exported)"
    } else {
        ""
    }
}

/// Up to five names, then how many more there are.
fn first_five(names: &[String]) -> String {
    let shown = names
        .iter()
        .take(5)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 5 {
        format!("{shown} and {} more", names.len() - 5)
    } else {
        shown
    }
}

/// Where a tensor's values come from.
#[derive(Debug)]
pub(crate) enum Src<'a> {
    /// Little-endian f16 or f32 bytes straight from model.bin.
    F16(&'a [u8]),
    F32(&'a [u8]),
    /// Values computed here (the encoder position table when model.bin lacks it).
    Computed(Vec<f32>),
}

impl Src<'_> {
    fn len(&self) -> usize {
        match self {
            Src::F16(b) => b.len() / 2,
            Src::F32(b) => b.len() / 4,
            Src::Computed(v) => v.len(),
        }
    }

    fn to_f32(&self) -> Vec<f32> {
        match self {
            Src::F16(b) => b
                .chunks_exact(2)
                .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            Src::F32(b) => b
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            Src::Computed(v) => v.clone(),
        }
    }

    fn is_all_zero(&self) -> bool {
        match self {
            // +0.0 and -0.0 alike: ignore the sign bit.
            Src::F16(b) => b.chunks_exact(2).all(|c| c[0] == 0 && c[1] & 0x7f == 0),
            Src::F32(b) => b
                .chunks_exact(4)
                .all(|c| c[0] == 0 && c[1] == 0 && c[2] == 0 && c[3] & 0x7f == 0),
            Src::Computed(v) => v.iter().all(|&x| x == 0.0),
        }
    }

    /// The bytes whisper.cpp reads for a tensor of type `ty` with rows of `ne0` values.
    fn encode(&self, ty: GgmlType, ne0: usize) -> Result<Cow<'_, [u8]>, ConvertError> {
        Ok(match (ty, self) {
            (GgmlType::F16, Src::F16(b)) | (GgmlType::F32, Src::F32(b)) => Cow::Borrowed(*b),
            (GgmlType::F32, _) => {
                Cow::Owned(self.to_f32().iter().flat_map(|v| v.to_le_bytes()).collect())
            }
            (GgmlType::F16, _) => Cow::Owned(
                self.to_f32()
                    .iter()
                    .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
                    .collect(),
            ),
            (quantized, _) => {
                let q = Quantization::ALL
                    .into_iter()
                    .find(|q| q.ggml_type() == quantized)
                    .ok_or(ConvertError::CannotWrite(quantized))?;
                Cow::Owned(
                    quantize::quantize(q, &self.to_f32(), ne0).map_err(ConvertError::Quantize)?,
                )
            }
        })
    }
}

/// The converted model: header values and every tensor with its source.
#[derive(Debug)]
pub(crate) struct Plan<'a> {
    /// With ftype = 1 (f16); [`write`] sets the real one.
    pub hparams: Hparams,
    pub tensors: Vec<(TensorSpec, Src<'a>)>,
}

/// Config scalars that a Whisper CTranslate2 model carries. Those that change
/// the computation are checked against what whisper.cpp does; the alignment
/// settings have whisper.cpp presets and are not needed.
const KNOWN_SCALARS: &[&str] = &[
    "decoder/activation",
    "decoder/alibi",
    "decoder/alibi_use_positive_positions",
    "decoder/scale_alibi",
    "decoder/alignment_heads",
    "decoder/alignment_layer",
    "decoder/num_heads",
    "decoder/pre_norm",
    "decoder/scale_embeddings",
    "decoder/start_from_zero_embedding",
    "encoder/num_heads",
];

/// (variable, value whisper.cpp's architecture implies, what it means)
const REQUIRED_CONFIG: &[(&str, f64, &str)] = &[
    ("decoder/activation", 3.0, "GELU activation"),
    ("decoder/alibi", 0.0, "no ALiBi"),
    ("decoder/pre_norm", 1.0, "pre-norm layers"),
    ("decoder/scale_embeddings", 0.0, "unscaled embeddings"),
    (
        "decoder/start_from_zero_embedding",
        0.0,
        "no zero start embedding",
    ),
];

const PROJECTION_ALIAS: (&str, &str) = ("decoder/projection/weight", "decoder/embeddings/weight");

/// Tracks which CTranslate2 variables the mapping used, to find leftovers.
struct Vars<'m, 'a> {
    model: &'m Model<'a>,
    used: BTreeSet<&'m str>,
}

impl<'m, 'a> Vars<'m, 'a> {
    fn get(&mut self, name: &str, dims: &[usize]) -> Result<&'m Variable<'a>, ConvertError> {
        let (key, v) = self
            .model
            .variables
            .get_key_value(name)
            .ok_or_else(|| ConvertError::Missing(name.to_string()))?;
        if v.dims != dims {
            return Err(ConvertError::Shape {
                name: name.to_string(),
                got: v.dims.clone(),
                want: dims.to_vec(),
            });
        }
        self.used.insert(key.as_str());
        Ok(v)
    }

    fn whole(&mut self, name: &str, dims: &[usize]) -> Result<Src<'a>, ConvertError> {
        Ok(rows(self.get(name, dims)?, 0, dims[0]))
    }

    fn scalar(&mut self, name: &str) -> Result<Option<f64>, ConvertError> {
        match self.model.variables.get_key_value(name) {
            None => Ok(None),
            Some((key, v)) => {
                let value = v
                    .scalar()
                    .ok_or_else(|| ConvertError::NotScalar(name.to_string()))?;
                self.used.insert(key.as_str());
                Ok(Some(value))
            }
        }
    }
}

/// Rows `start..end` (along the outermost dim) of a float variable.
fn rows<'a>(v: &Variable<'a>, start: usize, end: usize) -> Src<'a> {
    let row: usize = v.dims[1..].iter().product();
    let es = v.dtype.size();
    let bytes = &v.data[start * row * es..end * row * es];
    match v.dtype {
        DType::F32 => Src::F32(bytes),
        _ => Src::F16(bytes),
    }
}

/// Whisper's sinusoidal encoder position table, [length, channels] row-major.
fn sinusoids(length: usize, channels: usize) -> Vec<f32> {
    let half = channels / 2;
    let increment = 10_000f64.ln() / (half as f64 - 1.0);
    let mut out = Vec::with_capacity(length * channels);
    for t in 0..length {
        let scaled = |i: usize| t as f64 * (-increment * i as f64).exp();
        out.extend((0..half).map(|i| scaled(i).sin() as f32));
        out.extend((0..half).map(|i| scaled(i).cos() as f32));
    }
    out
}

fn layer_count(model: &Model<'_>, prefix: &str) -> usize {
    model
        .variables
        .keys()
        .filter_map(|k| {
            k.strip_prefix(prefix)?
                .split('/')
                .next()?
                .parse::<usize>()
                .ok()
        })
        .map(|n| n + 1)
        .max()
        .unwrap_or(0)
}

/// A head count from the config, which must divide the model width.
fn heads(vars: &mut Vars<'_, '_>, name: &'static str, width: usize) -> Result<usize, ConvertError> {
    let h = vars
        .scalar(name)?
        .ok_or_else(|| ConvertError::Missing(name.to_string()))?;
    if h < 1.0 || h.fract() != 0.0 || !width.is_multiple_of(h as usize) {
        return Err(ConvertError::Heads {
            name,
            value: h,
            width,
        });
    }
    Ok(h as usize)
}

/// Check a CTranslate2 model is a Whisper model whisper.cpp can run, and map it.
pub(crate) fn plan<'a>(model: &Model<'a>) -> Result<Plan<'a>, ConvertError> {
    check_kind(model)?;
    let mut vars = Vars {
        model,
        used: BTreeSet::new(),
    };
    check_config(&mut vars)?;
    let sizes = sizes(&mut vars)?;
    let mut out = HashMap::new();
    let n_audio_ctx = map_encoder(&mut vars, &mut out, &sizes)?;
    map_decoder(&mut vars, &mut out, &sizes)?;
    check_all_used(&vars)?;
    let hparams = hparams(&sizes, n_audio_ctx)?;
    let tensors = pair_with_specs(&hparams, out)?;
    Ok(Plan { hparams, tensors })
}

/// The model is a WhisperSpec of the revision this converter knows, with
/// float weights and no alias but the tied output projection.
fn check_kind(model: &Model<'_>) -> Result<(), ConvertError> {
    if model.spec != "WhisperSpec" {
        return Err(ConvertError::NotWhisper(model.spec.clone()));
    }
    if model.revision != 3 {
        return Err(ConvertError::Revision(model.revision));
    }
    let not_float: Vec<(&String, &Variable)> = model
        .variables
        .iter()
        .filter(|(_, v)| !v.dims.is_empty() && !matches!(v.dtype, DType::F16 | DType::F32))
        .collect();
    if let Some((name, v)) = not_float.first() {
        return Err(ConvertError::NotFloat {
            count: not_float.len(),
            dtype: v.dtype,
            example: name.to_string(),
        });
    }
    for (alias, target) in &model.aliases {
        if (alias.as_str(), target.as_str()) != PROJECTION_ALIAS {
            return Err(ConvertError::UnknownAlias {
                alias: alias.clone(),
                target: target.clone(),
            });
        }
    }
    Ok(())
}

/// The config scalars that are present say what whisper.cpp computes.
fn check_config(vars: &mut Vars<'_, '_>) -> Result<(), ConvertError> {
    for &(name, want, meaning) in REQUIRED_CONFIG {
        if let Some(value) = vars.scalar(name)? {
            if value != want {
                return Err(ConvertError::Config {
                    name,
                    value,
                    want,
                    meaning,
                });
            }
        }
    }
    Ok(())
}

/// A Whisper model's dimensions.
struct Sizes {
    /// The width, the same in the encoder and the decoder.
    n: usize,
    n_mels: usize,
    n_vocab: usize,
    n_text_ctx: usize,
    n_audio_layer: usize,
    n_text_layer: usize,
    n_audio_head: usize,
    n_text_head: usize,
}

/// The model's dimensions, from the tensors themselves and the head counts.
fn sizes(vars: &mut Vars<'_, '_>) -> Result<Sizes, ConvertError> {
    let model = vars.model;
    let variable = |name: &str| {
        model
            .variables
            .get(name)
            .ok_or_else(|| ConvertError::Missing(name.to_string()))
    };
    let conv1 = variable("encoder/conv1/weight")?;
    let [n, n_mels, 3] = conv1.dims[..] else {
        return Err(ConvertError::Conv1Shape(conv1.dims.clone()));
    };
    let emb = variable("decoder/embeddings/weight")?;
    let [n_vocab, n_text] = emb.dims[..] else {
        return Err(ConvertError::EmbeddingShape(emb.dims.clone()));
    };
    if n_text != n {
        return Err(ConvertError::Widths {
            decoder: n_text,
            encoder: n,
        });
    }
    let dec_pos = variable("decoder/position_encodings/encodings")?;
    let n_text_ctx = *dec_pos.dims.first().unwrap_or(&0);
    let n_audio_layer = layer_count(model, "encoder/layer_");
    let n_text_layer = layer_count(model, "decoder/layer_");
    if n_audio_layer == 0 || n_text_layer == 0 {
        return Err(ConvertError::NoLayers);
    }
    Ok(Sizes {
        n,
        n_mels,
        n_vocab,
        n_text_ctx,
        n_audio_layer,
        n_text_layer,
        n_audio_head: heads(vars, "encoder/num_heads", n)?,
        n_text_head: heads(vars, "decoder/num_heads", n)?,
    })
}

/// The encoder's tensors, by whisper.cpp name; returns the audio context
/// length. The CTranslate2 position table is float16(sinusoids()); it is
/// computed when a model leaves it out (it is not learned).
fn map_encoder<'a>(
    vars: &mut Vars<'_, 'a>,
    out: &mut HashMap<String, Src<'a>>,
    s: &Sizes,
) -> Result<usize, ConvertError> {
    let n = s.n;
    let n_audio_ctx = match vars
        .model
        .variables
        .get("encoder/position_encodings/encodings")
    {
        Some(v) => {
            let ctx = *v.dims.first().unwrap_or(&0);
            out.insert(
                "encoder.positional_embedding".into(),
                vars.whole("encoder/position_encodings/encodings", &[ctx, n])?,
            );
            ctx
        }
        None => {
            out.insert(
                "encoder.positional_embedding".into(),
                Src::Computed(sinusoids(1500, n)),
            );
            1500
        }
    };
    out.insert(
        "encoder.conv1.weight".into(),
        vars.whole("encoder/conv1/weight", &[n, s.n_mels, 3])?,
    );
    out.insert(
        "encoder.conv1.bias".into(),
        vars.whole("encoder/conv1/bias", &[n])?,
    );
    out.insert(
        "encoder.conv2.weight".into(),
        vars.whole("encoder/conv2/weight", &[n, n, 3])?,
    );
    out.insert(
        "encoder.conv2.bias".into(),
        vars.whole("encoder/conv2/bias", &[n])?,
    );
    for i in 0..s.n_audio_layer {
        let (src, dst) = (format!("encoder/layer_{i}"), format!("encoder.blocks.{i}"));
        self_attention(vars, out, &src, &dst, n)?;
        ffn(vars, out, &src, &dst, n)?;
    }
    norm(vars, out, "encoder/layer_norm", "encoder.ln_post", n)?;
    Ok(n_audio_ctx)
}

/// The decoder's tensors, by whisper.cpp name. The output projection is tied
/// to the token embedding, which is what whisper.cpp does too, so the alias
/// needs nothing.
fn map_decoder<'a>(
    vars: &mut Vars<'_, 'a>,
    out: &mut HashMap<String, Src<'a>>,
    s: &Sizes,
) -> Result<(), ConvertError> {
    let n = s.n;
    out.insert(
        "decoder.positional_embedding".into(),
        vars.whole("decoder/position_encodings/encodings", &[s.n_text_ctx, n])?,
    );
    out.insert(
        "decoder.token_embedding.weight".into(),
        vars.whole("decoder/embeddings/weight", &[s.n_vocab, n])?,
    );
    for i in 0..s.n_text_layer {
        let (src, dst) = (format!("decoder/layer_{i}"), format!("decoder.blocks.{i}"));
        self_attention(vars, out, &src, &dst, n)?;
        cross_attention(vars, out, &src, &dst, n)?;
        ffn(vars, out, &src, &dst, n)?;
    }
    norm(vars, out, "decoder/layer_norm", "decoder.ln", n)
}

/// Every variable went into a tensor or is a config scalar this converter
/// knows: anything else would be silently dropped.
fn check_all_used(vars: &Vars<'_, '_>) -> Result<(), ConvertError> {
    let unknown: Vec<String> = vars
        .model
        .variables
        .keys()
        .filter(|k| !vars.used.contains(k.as_str()) && !KNOWN_SCALARS.contains(&k.as_str()))
        .cloned()
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ConvertError::UnknownVariables(unknown))
    }
}

/// The ggml header for these sizes, with ftype f16.
fn hparams(s: &Sizes, n_audio_ctx: usize) -> Result<Hparams, ConvertError> {
    let to_i32 = |value: usize, what: &'static str| {
        i32::try_from(value).map_err(|_| ConvertError::TooLarge { what, value })
    };
    Ok(Hparams {
        n_vocab: to_i32(s.n_vocab, "vocabulary size")?,
        n_audio_ctx: to_i32(n_audio_ctx, "audio context")?,
        n_audio_state: to_i32(s.n, "width")?,
        n_audio_head: s.n_audio_head as i32,
        n_audio_layer: to_i32(s.n_audio_layer, "layer count")?,
        n_text_ctx: to_i32(s.n_text_ctx, "text context")?,
        n_text_state: to_i32(s.n, "width")?,
        n_text_head: s.n_text_head as i32,
        n_text_layer: to_i32(s.n_text_layer, "layer count")?,
        n_mels: to_i32(s.n_mels, "mel count")?,
        ftype: GgmlType::F16.ftype(),
    })
}

/// Every tensor whisper.cpp expects for `hparams`, in its order, with the
/// source mapped to it, which must hold as many values as the shape.
fn pair_with_specs<'a>(
    hparams: &Hparams,
    mut out: HashMap<String, Src<'a>>,
) -> Result<Vec<(TensorSpec, Src<'a>)>, ConvertError> {
    ggml::tensor_specs(hparams)
        .into_iter()
        .map(|spec| {
            let src = out
                .remove(&spec.name)
                .ok_or_else(|| ConvertError::NoSource(spec.name.clone()))?;
            if src.len() != spec.ne.iter().product::<usize>() {
                return Err(ConvertError::SourceSize {
                    name: spec.name.clone(),
                    len: src.len(),
                    ne: spec.ne.clone(),
                });
            }
            Ok((spec, src))
        })
        .collect()
}

fn linear<'a>(
    vars: &mut Vars<'_, 'a>,
    out: &mut HashMap<String, Src<'a>>,
    src: &str,
    dst: &str,
    n: usize,
) -> Result<(), ConvertError> {
    out.insert(
        format!("{dst}.weight"),
        vars.whole(&format!("{src}/weight"), &[n, n])?,
    );
    out.insert(
        format!("{dst}.bias"),
        vars.whole(&format!("{src}/bias"), &[n])?,
    );
    Ok(())
}

fn norm<'a>(
    vars: &mut Vars<'_, 'a>,
    out: &mut HashMap<String, Src<'a>>,
    src: &str,
    dst: &str,
    n: usize,
) -> Result<(), ConvertError> {
    out.insert(
        format!("{dst}.weight"),
        vars.whole(&format!("{src}/gamma"), &[n])?,
    );
    out.insert(
        format!("{dst}.bias"),
        vars.whole(&format!("{src}/beta"), &[n])?,
    );
    Ok(())
}

/// A key bias must be zero: whisper.cpp's attention has none, so dropping a
/// non-zero one would change the model.
fn zero_key_bias(bias: &Src<'_>, name: &str) -> Result<(), ConvertError> {
    if bias.is_all_zero() {
        Ok(())
    } else {
        Err(ConvertError::KeyBias(name.to_string()))
    }
}

/// Fused [3n, n] QKV projection -> query, key, value.
fn self_attention<'a>(
    vars: &mut Vars<'_, 'a>,
    out: &mut HashMap<String, Src<'a>>,
    src: &str,
    dst: &str,
    n: usize,
) -> Result<(), ConvertError> {
    let w = vars.get(
        &format!("{src}/self_attention/linear_0/weight"),
        &[3 * n, n],
    )?;
    let bias_name = format!("{src}/self_attention/linear_0/bias");
    let b = vars.get(&bias_name, &[3 * n])?;
    zero_key_bias(&rows(b, n, 2 * n), &bias_name)?;
    out.insert(format!("{dst}.attn.query.weight"), rows(w, 0, n));
    out.insert(format!("{dst}.attn.key.weight"), rows(w, n, 2 * n));
    out.insert(format!("{dst}.attn.value.weight"), rows(w, 2 * n, 3 * n));
    out.insert(format!("{dst}.attn.query.bias"), rows(b, 0, n));
    out.insert(format!("{dst}.attn.value.bias"), rows(b, 2 * n, 3 * n));
    linear(
        vars,
        out,
        &format!("{src}/self_attention/linear_1"),
        &format!("{dst}.attn.out"),
        n,
    )?;
    norm(
        vars,
        out,
        &format!("{src}/self_attention/layer_norm"),
        &format!("{dst}.attn_ln"),
        n,
    )
}

/// Query [n, n], fused [2n, n] KV projection, output.
fn cross_attention<'a>(
    vars: &mut Vars<'_, 'a>,
    out: &mut HashMap<String, Src<'a>>,
    src: &str,
    dst: &str,
    n: usize,
) -> Result<(), ConvertError> {
    linear(
        vars,
        out,
        &format!("{src}/attention/linear_0"),
        &format!("{dst}.cross_attn.query"),
        n,
    )?;
    let w = vars.get(&format!("{src}/attention/linear_1/weight"), &[2 * n, n])?;
    let bias_name = format!("{src}/attention/linear_1/bias");
    let b = vars.get(&bias_name, &[2 * n])?;
    zero_key_bias(&rows(b, 0, n), &bias_name)?;
    out.insert(format!("{dst}.cross_attn.key.weight"), rows(w, 0, n));
    out.insert(format!("{dst}.cross_attn.value.weight"), rows(w, n, 2 * n));
    out.insert(format!("{dst}.cross_attn.value.bias"), rows(b, n, 2 * n));
    linear(
        vars,
        out,
        &format!("{src}/attention/linear_2"),
        &format!("{dst}.cross_attn.out"),
        n,
    )?;
    norm(
        vars,
        out,
        &format!("{src}/attention/layer_norm"),
        &format!("{dst}.cross_attn_ln"),
        n,
    )
}

fn ffn<'a>(
    vars: &mut Vars<'_, 'a>,
    out: &mut HashMap<String, Src<'a>>,
    src: &str,
    dst: &str,
    n: usize,
) -> Result<(), ConvertError> {
    out.insert(
        format!("{dst}.mlp.0.weight"),
        vars.whole(&format!("{src}/ffn/linear_0/weight"), &[4 * n, n])?,
    );
    out.insert(
        format!("{dst}.mlp.0.bias"),
        vars.whole(&format!("{src}/ffn/linear_0/bias"), &[4 * n])?,
    );
    out.insert(
        format!("{dst}.mlp.2.weight"),
        vars.whole(&format!("{src}/ffn/linear_1/weight"), &[n, 4 * n])?,
    );
    out.insert(
        format!("{dst}.mlp.2.bias"),
        vars.whole(&format!("{src}/ffn/linear_1/bias"), &[n])?,
    );
    norm(
        vars,
        out,
        &format!("{src}/ffn/layer_norm"),
        &format!("{dst}.mlp_ln"),
        n,
    )
}

/// The header ftype and weight type for an output choice.
pub(crate) fn output_type(quant: Option<Quantization>) -> (i32, GgmlType) {
    match quant {
        None => (GgmlType::F16.ftype(), GgmlType::F16),
        Some(q) => (
            ggml::QNT_VERSION_OFFSET + q.ggml_type().ftype(),
            q.ggml_type(),
        ),
    }
}

/// Refuse shapes the chosen type cannot store (quantized rows come in blocks of 32).
pub(crate) fn check_storable(plan: &Plan<'_>, wtype: GgmlType) -> Result<(), ConvertError> {
    for (spec, _) in &plan.tensors {
        let ty = spec.storage.ggml_type(wtype);
        if ty.nbytes(&spec.ne).is_none() {
            return Err(ConvertError::Unstorable {
                name: spec.name.clone(),
                row: spec.ne[0],
                ty,
            });
        }
    }
    Ok(())
}

/// Write the whole ggml file.
pub(crate) fn write(
    w: &mut impl Write,
    plan: &Plan<'_>,
    filters: &[f32],
    tokens: &[Vec<u8>],
    quant: Option<Quantization>,
) -> io::Result<()> {
    let (ftype, wtype) = output_type(quant);
    let hparams = Hparams {
        ftype,
        ..plan.hparams
    };
    ggml::write_header(w, &hparams)?;
    ggml::write_mel_filters(w, hparams.n_mels as usize, filters)?;
    ggml::write_vocab(w, tokens)?;
    for (spec, src) in &plan.tensors {
        let ty = spec.storage.ggml_type(wtype);
        let data = src.encode(ty, spec.ne[0]).map_err(io::Error::other)?;
        ggml::write_tensor(w, &spec.name, &spec.ne, ty, &data)?;
    }
    Ok(())
}

/// For tests: `Storage` of each tensor by name.
#[cfg(test)]
pub(crate) fn storages(plan: &Plan<'_>) -> HashMap<String, ggml::Storage> {
    plan.tensors
        .iter()
        .map(|(s, _)| (s.name.clone(), s.storage))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcribe::model::ct2::{self, build::Var};
    use crate::transcribe::model::ggml::Storage;

    /// A complete synthetic Whisper in CTranslate2 layout: width `n`, one
    /// layer each side, vocabulary `v`, with tensor values that say where they
    /// came from (value = tensor index + element index / 1000) so the mapping
    /// can be checked.
    pub(crate) fn synthetic(n: usize, v: usize) -> Vec<Var> {
        let mut vars = Vec::new();
        let mut tensor = |name: &str, dims: &[usize]| {
            let count: usize = dims.iter().product();
            let k = vars.len();
            let data = (0..count)
                .flat_map(|i| {
                    half::f16::from_f32(k as f32 + (i % 1000) as f32 / 1000.0).to_le_bytes()
                })
                .collect();
            vars.push(Var {
                name: name.into(),
                dims: dims.to_vec(),
                code: 4,
                data,
            });
        };
        tensor("encoder/conv1/weight", &[n, 80, 3]);
        tensor("encoder/conv1/bias", &[n]);
        tensor("encoder/conv2/weight", &[n, n, 3]);
        tensor("encoder/conv2/bias", &[n]);
        tensor("encoder/position_encodings/encodings", &[1500, n]);
        for side in ["encoder", "decoder"] {
            let l = format!("{side}/layer_0");
            tensor(&format!("{l}/self_attention/linear_0/weight"), &[3 * n, n]);
            tensor(&format!("{l}/self_attention/linear_0/bias"), &[3 * n]);
            tensor(&format!("{l}/self_attention/linear_1/weight"), &[n, n]);
            tensor(&format!("{l}/self_attention/linear_1/bias"), &[n]);
            tensor(&format!("{l}/self_attention/layer_norm/gamma"), &[n]);
            tensor(&format!("{l}/self_attention/layer_norm/beta"), &[n]);
            if side == "decoder" {
                tensor(&format!("{l}/attention/linear_0/weight"), &[n, n]);
                tensor(&format!("{l}/attention/linear_0/bias"), &[n]);
                tensor(&format!("{l}/attention/linear_1/weight"), &[2 * n, n]);
                tensor(&format!("{l}/attention/linear_1/bias"), &[2 * n]);
                tensor(&format!("{l}/attention/linear_2/weight"), &[n, n]);
                tensor(&format!("{l}/attention/linear_2/bias"), &[n]);
                tensor(&format!("{l}/attention/layer_norm/gamma"), &[n]);
                tensor(&format!("{l}/attention/layer_norm/beta"), &[n]);
            }
            tensor(&format!("{l}/ffn/linear_0/weight"), &[4 * n, n]);
            tensor(&format!("{l}/ffn/linear_0/bias"), &[4 * n]);
            tensor(&format!("{l}/ffn/linear_1/weight"), &[n, 4 * n]);
            tensor(&format!("{l}/ffn/linear_1/bias"), &[n]);
            tensor(&format!("{l}/ffn/layer_norm/gamma"), &[n]);
            tensor(&format!("{l}/ffn/layer_norm/beta"), &[n]);
            tensor(&format!("{side}/layer_norm/gamma"), &[n]);
            tensor(&format!("{side}/layer_norm/beta"), &[n]);
        }
        tensor("decoder/embeddings/weight", &[v, n]);
        tensor("decoder/position_encodings/encodings", &[448, n]);
        // Key biases are zero in Whisper.
        for (name, range) in [
            ("encoder/layer_0/self_attention/linear_0/bias", n..2 * n),
            ("decoder/layer_0/self_attention/linear_0/bias", n..2 * n),
            ("decoder/layer_0/attention/linear_1/bias", 0..n),
        ] {
            let var = vars.iter_mut().find(|x| x.name == name).unwrap();
            var.data[range.start * 2..range.end * 2].fill(0);
        }
        let scalar = |name: &str, code: u8, data: Vec<u8>| Var {
            name: name.into(),
            dims: vec![],
            code,
            data,
        };
        vars.push(scalar("decoder/activation", 1, vec![3]));
        vars.push(scalar("decoder/alibi", 1, vec![0]));
        vars.push(scalar(
            "decoder/alignment_heads",
            2,
            1i16.to_le_bytes().to_vec(),
        ));
        vars.push(scalar(
            "decoder/alignment_layer",
            2,
            (-1i16).to_le_bytes().to_vec(),
        ));
        vars.push(scalar("decoder/num_heads", 2, 2i16.to_le_bytes().to_vec()));
        vars.push(scalar("decoder/pre_norm", 1, vec![1]));
        vars.push(scalar("decoder/scale_embeddings", 1, vec![0]));
        vars.push(scalar("decoder/start_from_zero_embedding", 1, vec![0]));
        vars.push(scalar("encoder/num_heads", 2, 2i16.to_le_bytes().to_vec()));
        vars
    }

    fn plan_of(vars: &[Var]) -> Result<(Vec<u8>, usize), Box<dyn std::error::Error>> {
        let bytes = ct2::build::write(6, "WhisperSpec", 3, vars, &[PROJECTION_ALIAS]);
        let model = ct2::parse(&bytes)?;
        let count = plan(&model)?.tensors.len();
        Ok((bytes, count))
    }

    #[test]
    fn maps_every_tensor() {
        let vars = synthetic(64, 100);
        let bytes = ct2::build::write(6, "WhisperSpec", 3, &vars, &[PROJECTION_ALIAS]);
        let model = ct2::parse(&bytes).unwrap();
        let p = plan(&model).unwrap();
        // 7 + 4 outside the blocks, 15 per encoder block, 24 per decoder block.
        assert_eq!(p.tensors.len(), 11 + 15 + 24);
        let h = p.hparams;
        assert_eq!(
            (
                h.n_vocab,
                h.n_audio_ctx,
                h.n_audio_state,
                h.n_audio_head,
                h.n_audio_layer
            ),
            (100, 1500, 64, 2, 1)
        );
        assert_eq!(
            (
                h.n_text_ctx,
                h.n_text_state,
                h.n_text_head,
                h.n_text_layer,
                h.n_mels
            ),
            (448, 64, 2, 1, 80)
        );

        let get = |name: &str| &p.tensors.iter().find(|(s, _)| s.name == name).unwrap().1;
        let index = |name: &str| vars.iter().position(|v| v.name == name).unwrap() as f32;
        // Rows n..2n of the fused QKV weight are the key; its first value is
        // element n*n of that variable.
        let qkv = index("encoder/layer_0/self_attention/linear_0/weight");
        let key = get("encoder.blocks.0.attn.key.weight").to_f32();
        assert_eq!(key.len(), 64 * 64);
        assert!((key[0] - (qkv + ((64 * 64) % 1000) as f32 / 1000.0)).abs() < 0.02);
        let kv_bias = index("decoder/layer_0/attention/linear_1/bias");
        let vb = get("decoder.blocks.0.cross_attn.value.bias").to_f32();
        assert!((vb[0] - (kv_bias + 64.0 / 1000.0)).abs() < 0.02);

        let st = storages(&p);
        assert_eq!(st["encoder.conv1.bias"], Storage::F32);
        assert_eq!(st["encoder.conv1.weight"], Storage::Conv);
        assert_eq!(st["decoder.token_embedding.weight"], Storage::Weight);
        let shape = |name: &str| {
            p.tensors
                .iter()
                .find(|(s, _)| s.name == name)
                .unwrap()
                .0
                .ne
                .clone()
        };
        assert_eq!(shape("encoder.conv1.bias"), [1, 64]);
        assert_eq!(shape("encoder.conv1.weight"), [3, 80, 64]);
        assert_eq!(shape("encoder.blocks.0.mlp.0.weight"), [64, 256]);
        assert_eq!(shape("decoder.token_embedding.weight"), [64, 100]);
    }

    #[test]
    fn computes_missing_encoder_positions() {
        let mut vars = synthetic(64, 100);
        vars.retain(|v| v.name != "encoder/position_encodings/encodings");
        let bytes = ct2::build::write(6, "WhisperSpec", 3, &vars, &[]);
        let model = ct2::parse(&bytes).unwrap();
        let p = plan(&model).unwrap();
        let pe = p
            .tensors
            .iter()
            .find(|(s, _)| s.name == "encoder.positional_embedding")
            .unwrap();
        let v = pe.1.to_f32();
        // Position 0: sin(0) = 0 then cos(0) = 1; position 1, channel 0: sin(1).
        assert_eq!(v[0], 0.0);
        assert_eq!(v[32], 1.0);
        assert!((v[64] - 1f32.sin()).abs() < 1e-6);
    }

    fn refusal(edit: impl FnOnce(&mut Vec<Var>)) -> String {
        let mut vars = synthetic(64, 100);
        edit(&mut vars);
        plan_of(&vars).unwrap_err().to_string()
    }

    fn var<'v>(vars: &'v mut [Var], name: &str) -> &'v mut Var {
        vars.iter_mut().find(|v| v.name == name).unwrap()
    }

    #[test]
    fn refuses_int8_weights() {
        let e = refusal(|vars| {
            let v = var(vars, "encoder/layer_0/ffn/linear_0/weight");
            v.code = 1;
            v.data.truncate(v.data.len() / 2);
        });
        assert!(e.contains("int8") && e.contains("float16"), "{e}");
    }

    #[test]
    fn refuses_bf16_weights() {
        let e = refusal(|vars| var(vars, "decoder/embeddings/weight").code = 5);
        assert!(e.contains("bfloat16"), "{e}");
    }

    #[test]
    fn refuses_non_zero_key_bias() {
        let e = refusal(|vars| {
            // Element n of the fused bias is the first key bias.
            var(vars, "decoder/layer_0/self_attention/linear_0/bias").data[64 * 2 + 1] = 0x3c;
        });
        assert!(
            e.contains("non-zero key bias") && e.contains("decoder/layer_0/self_attention"),
            "{e}"
        );
        let e = refusal(|vars| var(vars, "decoder/layer_0/attention/linear_1/bias").data[1] = 0x3c);
        assert!(e.contains("non-zero key bias"), "{e}");
    }

    #[test]
    fn negative_zero_key_bias_is_zero() {
        let mut vars = synthetic(64, 100);
        var(&mut vars, "decoder/layer_0/attention/linear_1/bias").data[1] = 0x80;
        plan_of(&vars).unwrap();
    }

    #[test]
    fn refuses_unknown_variables() {
        let e = refusal(|vars| {
            vars.push(Var {
                name: "decoder/extra/weight".into(),
                dims: vec![2],
                code: 4,
                data: vec![0; 4],
            })
        });
        assert!(e.contains("unknown variables decoder/extra/weight"), "{e}");
        let e = refusal(|vars| {
            vars.push(Var {
                name: "encoder/scale".into(),
                dims: vec![],
                code: 1,
                data: vec![1],
            })
        });
        assert!(e.contains("encoder/scale"), "{e}");
    }

    #[test]
    fn refuses_other_specs_and_revisions() {
        let vars = synthetic(64, 100);
        let bytes = ct2::build::write(6, "TransformerSpec", 3, &vars, &[]);
        let e = plan(&ct2::parse(&bytes).unwrap()).unwrap_err().to_string();
        assert!(
            e.contains("TransformerSpec") && e.contains("WhisperSpec"),
            "{e}"
        );
        let bytes = ct2::build::write(6, "WhisperSpec", 2, &vars, &[]);
        assert!(plan(&ct2::parse(&bytes).unwrap())
            .unwrap_err()
            .to_string()
            .contains("revision 2"));
    }

    #[test]
    fn refuses_other_architectures() {
        let e = refusal(|vars| var(vars, "decoder/activation").data = vec![0]);
        assert!(e.contains("GELU"), "{e}");
        let e = refusal(|vars| vars.retain(|v| v.name != "decoder/layer_0/ffn/linear_1/bias"));
        assert!(
            e.contains("missing variable decoder/layer_0/ffn/linear_1/bias"),
            "{e}"
        );
        let e = refusal(|vars| {
            let v = var(vars, "encoder/layer_0/ffn/linear_0/weight");
            v.dims = vec![3 * 64, 64];
            v.data.truncate(3 * 64 * 64 * 2);
        });
        assert!(e.contains("shape [192, 64], expected [256, 64]"), "{e}");
    }

    #[test]
    fn refuses_unknown_alias() {
        let vars = synthetic(64, 100);
        let bytes = ct2::build::write(
            6,
            "WhisperSpec",
            3,
            &vars,
            &[("decoder/other", "decoder/embeddings/weight")],
        );
        assert!(plan(&ct2::parse(&bytes).unwrap())
            .unwrap_err()
            .to_string()
            .contains("unknown alias"));
    }

    #[test]
    fn f32_sources_convert_too() {
        let mut vars = synthetic(64, 100);
        for v in vars.iter_mut().filter(|v| v.code == 4) {
            v.data = v
                .data
                .chunks_exact(2)
                .flat_map(|c| {
                    half::f16::from_le_bytes([c[0], c[1]])
                        .to_f32()
                        .to_le_bytes()
                })
                .collect();
            v.code = 0;
        }
        let bytes = ct2::build::write(6, "WhisperSpec", 3, &vars, &[]);
        let model = ct2::parse(&bytes).unwrap();
        let p = plan(&model).unwrap();
        let (_, src) = p
            .tensors
            .iter()
            .find(|(s, _)| s.name == "encoder.conv1.weight")
            .unwrap();
        let f16 = src.encode(GgmlType::F16, 3).unwrap();
        assert_eq!(f16.len(), 64 * 80 * 3 * 2);
    }
}
