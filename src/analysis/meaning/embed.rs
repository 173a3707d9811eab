//! Sentence embeddings: all-MiniLM-L6-v2 (a 6-layer BERT) run on the CPU by
//! candle, its WordPiece tokenizer by `tokenizers`, and the mean of the
//! token vectors (the model's pooling) scaled to unit length, so the dot
//! product of two embeddings is their cosine similarity. The only file that
//! names candle, safetensors or tokenizers.
//!
//! Time: the texts' word pieces are packed one after another with no
//! padding, so every layer that works token by token (the products, the
//! feed-forward part, the normalisations) reads only real pieces; attention,
//! the one step where pieces of a text see each other, gathers the texts
//! into small groups of nearly the same length, padded to the longest of
//! each. The texts are read in two halves side by side: candle's products
//! use every core, but most element-wise steps run on one.
//!
//! Memory and load time: the weights are read from the file one tensor at
//! a time (no mapping of the whole file stays resident beside them), but
//! for the table of word-piece vectors, half the model: a message only ever
//! looks up a few hundred of its 30,522 rows, so each is read from the file
//! when it is looked up, in half precision (the precision the built-in
//! examples' embeddings were made with).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use candle_core::{CpuStorage, DType, Device, InplaceOp2, InplaceOp3, Layout, Shape, Tensor};
use candle_nn::var_builder::SimpleBackend;
use candle_nn::VarBuilder;
use half::f16;
use safetensors::tensor::{Dtype, Metadata};
use serde::Deserialize;
use tokenizers::{Encoding, Tokenizer, TruncationParams};

use super::rows;
use crate::error::{Error, Result};

/// Files of the model folder.
pub const WEIGHTS: &str = "model.safetensors";
pub const TOKENIZER: &str = "tokenizer.json";
pub const CONFIG: &str = "config.json";

/// Length of one embedding.
pub const DIM: usize = 384;

/// Longest input, in word pieces: the model's positions (a sentence of a
/// voicemail is far shorter, but one said without a stop is read whole).
const MAX_PIECES: usize = 512;

/// Texts run through the model together (bounds the memory of one pass).
const PACK: usize = 64;

/// Texts whose attention is computed together, padded to the longest.
const GROUP: usize = 8;

/// A text joins a group whose shortest has `n` pieces when it has at most
/// `n * 5 / 4 + GROUP_SLACK` (scores on padding cost as much as real ones).
const GROUP_SLACK: usize = 4;

/// A loaded sentence model.
pub struct Embedder {
    embeddings: Embeddings,
    layers: Vec<Layer>,
    heads: usize,
    tokenizer: Tokenizer,
}

/// What the model's config.json says of its shape (BERT's names).
#[derive(Debug, Deserialize)]
struct Config {
    vocab_size: usize,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    hidden_act: String,
    max_position_embeddings: usize,
    type_vocab_size: usize,
    layer_norm_eps: f64,
}

/// A dense layer: `x W^T + b`.
struct Dense {
    w: Tensor,
    b: Tensor,
}

impl Dense {
    fn load(vb: VarBuilder, out: usize, input: usize) -> candle_core::Result<Dense> {
        Ok(Dense {
            w: vb.get((out, input), "weight")?,
            b: vb.get(out, "bias")?,
        })
    }

    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let y = x.matmul(&self.w.t()?)?;
        y.inplace_op2(&self.b, &Then::Bias)?;
        Ok(y)
    }

    /// GELU(`x W^T + b`).
    fn forward_gelu(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let y = x.matmul(&self.w.t()?)?;
        y.inplace_op2(&self.b, &Then::BiasGelu)?;
        Ok(y)
    }

    /// `x W^T + b + residual`.
    fn forward_plus(&self, x: &Tensor, residual: &Tensor) -> candle_core::Result<Tensor> {
        let y = x.matmul(&self.w.t()?)?;
        y.inplace_op3(&self.b, residual, &BiasResidual)?;
        Ok(y)
    }
}

/// What follows a dense layer's product, done in place on its rows
/// (rows.rs): one pass, no new tensor.
#[derive(Clone, Copy)]
enum Then {
    Bias,
    BiasGelu,
}

/// The f32 values of a contiguous tensor's storage.
fn values<'a>(s: &'a CpuStorage, l: &Layout) -> candle_core::Result<&'a [f32]> {
    match (s, l.contiguous_offsets()) {
        (CpuStorage::F32(v), Some((from, to))) => Ok(&v[from..to]),
        _ => candle_core::bail!("expected contiguous f32 values"),
    }
}

fn values_mut<'a>(s: &'a mut CpuStorage, l: &Layout) -> candle_core::Result<&'a mut [f32]> {
    match (s, l.contiguous_offsets()) {
        (CpuStorage::F32(v), Some((from, to))) => Ok(&mut v[from..to]),
        _ => candle_core::bail!("expected contiguous f32 values"),
    }
}

impl InplaceOp2 for Then {
    fn name(&self) -> &'static str {
        "dense-then"
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<()> {
        let (out, bias) = (values_mut(s1, l1)?, values(s2, l2)?);
        match self {
            Then::Bias => rows::add_bias(out, bias),
            Then::BiasGelu => rows::add_bias_gelu(out, bias),
        }
        Ok(())
    }
}

struct BiasResidual;

impl InplaceOp3 for BiasResidual {
    fn name(&self) -> &'static str {
        "dense-plus"
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> candle_core::Result<()> {
        let (residual, bias) = (values(s3, l3)?, values(s2, l2)?);
        let out = values_mut(s1, l1)?;
        if out.len() != residual.len() {
            candle_core::bail!("residual of {} values for {}", residual.len(), out.len());
        }
        rows::add_bias_residual(out, bias, residual);
        Ok(())
    }
}

/// Layer normalisation (candle's fused kernel).
struct Norm {
    w: Tensor,
    b: Tensor,
    eps: f32,
}

impl Norm {
    fn load(vb: VarBuilder, config: &Config) -> candle_core::Result<Norm> {
        let h = config.hidden_size;
        Ok(Norm {
            w: vb.get(h, "weight")?,
            b: vb.get(h, "bias")?,
            eps: config.layer_norm_eps as f32,
        })
    }

    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        candle_nn::ops::layer_norm(x, &self.w, &self.b, self.eps)
    }
}

/// One encoder layer: self-attention, then the feed-forward part, each
/// added to its input and normalised (BERT's post-norm layer).
struct Layer {
    /// The query, key and value products stacked, so one product gives
    /// all three; the query's part is scaled by 1/sqrt(head size) ahead.
    qkv: Dense,
    attention_out: Dense,
    attention_norm: Norm,
    up: Dense,
    down: Dense,
    out_norm: Norm,
}

impl Layer {
    fn load(vb: VarBuilder, config: &Config) -> candle_core::Result<Layer> {
        let h = config.hidden_size;
        let att = vb.pp("attention");
        let part = |name: &str| Dense::load(att.pp("self").pp(name), h, h);
        let (q, k, v) = (part("query")?, part("key")?, part("value")?);
        let scale = 1.0 / ((h / config.num_attention_heads) as f64).sqrt();
        let qkv = Dense {
            w: Tensor::cat(&[&q.w.affine(scale, 0.0)?, &k.w, &v.w], 0)?,
            b: Tensor::cat(&[&q.b.affine(scale, 0.0)?, &k.b, &v.b], 0)?,
        };
        Ok(Layer {
            qkv,
            attention_out: Dense::load(att.pp("output").pp("dense"), h, h)?,
            attention_norm: Norm::load(att.pp("output").pp("LayerNorm"), config)?,
            up: Dense::load(
                vb.pp("intermediate").pp("dense"),
                config.intermediate_size,
                h,
            )?,
            down: Dense::load(vb.pp("output").pp("dense"), h, config.intermediate_size)?,
            out_norm: Norm::load(vb.pp("output").pp("LayerNorm"), config)?,
        })
    }

    /// `x`: the packed pieces, one row each.
    fn forward(&self, x: &Tensor, plan: &Plan, heads: usize) -> candle_core::Result<Tensor> {
        let qkv = self.qkv.forward(x)?.index_select(&plan.gather, 0)?;
        let width = x.dim(1)?;
        let mut contexts = Vec::with_capacity(plan.groups.len());
        let mut at = 0;
        for g in &plan.groups {
            let (n, len) = (g.texts, g.len);
            // [n * len, 3 * width] -> [3, n, heads, len, head size]
            let parts = qkv
                .narrow(0, at, n * len)?
                .reshape((n, len, 3, heads, width / heads))?
                .permute((2, 0, 3, 1, 4))?
                .contiguous()?;
            at += n * len;
            let (q, k, v) = (parts.get(0)?, parts.get(1)?, parts.get(2)?);
            let scores = q.matmul(&k.t()?)?.broadcast_add(&g.shut)?;
            let weights = candle_nn::ops::softmax_last_dim(&scores)?;
            let context = weights.matmul(&v)?.transpose(1, 2)?.contiguous()?;
            contexts.push(context.reshape((n * len, width))?);
        }
        let context = Tensor::cat(&contexts, 0)?.index_select(&plan.scatter, 0)?;
        let attended = self.attention_out.forward_plus(&context, x)?;
        let attended = self.attention_norm.forward(&attended)?;
        let inner = self.up.forward_gelu(&attended)?;
        let out = self.down.forward_plus(&inner, &attended)?;
        self.out_norm.forward(&out)
    }
}

/// Where the pieces of a pass go: the texts' pieces packed one after
/// another, and for attention, the groups of texts of like length.
struct Plan {
    /// Each text's first piece and its number of pieces, in the packing.
    spans: Vec<(usize, usize)>,
    groups: Vec<Group>,
    /// For each slot of the groups (text by text, padded), its packed piece.
    gather: Tensor,
    /// For each packed piece, its slot in the groups.
    scatter: Tensor,
}

/// Texts whose attention is computed together.
struct Group {
    texts: usize,
    /// Pieces of the longest.
    len: usize,
    /// Added to the attention scores: a very low score on padding.
    shut: Tensor,
}

/// `order` (texts by their number of pieces) cut into groups of nearly the same length.
fn like_lengths(order: &[usize], lens: &[usize]) -> Vec<Vec<usize>> {
    let mut sets: Vec<Vec<usize>> = Vec::new();
    for &i in order {
        match sets.last_mut() {
            Some(g) if g.len() < GROUP && lens[i] <= lens[g[0]] * 5 / 4 + GROUP_SLACK => g.push(i),
            _ => sets.push(vec![i]),
        }
    }
    sets
}

impl Plan {
    /// `lens`: each text's number of pieces.
    fn new(lens: &[usize]) -> candle_core::Result<Plan> {
        let mut spans = Vec::with_capacity(lens.len());
        let mut at = 0;
        for &n in lens {
            spans.push((at, n));
            at += n;
        }
        let mut order: Vec<usize> = (0..lens.len()).collect();
        order.sort_by_key(|&i| lens[i]);
        let mut gather = Vec::new();
        let mut scatter = vec![0u32; at];
        let mut groups = Vec::new();
        for members in like_lengths(&order, lens) {
            let len = members.iter().map(|&i| lens[i]).max().unwrap_or(0);
            let mut shut = Vec::with_capacity(members.len() * len);
            for &i in &members {
                let (from, n) = spans[i];
                for j in 0..len {
                    if j < n {
                        scatter[from + j] = gather.len() as u32;
                    }
                    gather.push((from + j.min(n - 1)) as u32);
                    shut.push(if j < n { 0.0 } else { f32::MIN });
                }
            }
            let shut = Tensor::from_vec(shut, (members.len(), 1, 1, len), &Device::Cpu)?;
            groups.push(Group {
                texts: members.len(),
                len,
                shut,
            });
        }
        let n = gather.len();
        Ok(Plan {
            spans,
            groups,
            gather: Tensor::from_vec(gather, n, &Device::Cpu)?,
            scatter: Tensor::from_vec(scatter, at, &Device::Cpu)?,
        })
    }
}

/// The model's input layer: word-piece, position and segment vectors,
/// added and normalised.
struct Embeddings {
    /// One row per word piece, read when looked up.
    words: WordRows,
    positions: Tensor,
    /// The vector of the first segment (every text is one segment).
    segment: Tensor,
    norm: Norm,
}

impl Embeddings {
    fn load(vb: VarBuilder, words: WordRows, config: &Config) -> candle_core::Result<Embeddings> {
        let h = config.hidden_size;
        let positions = vb
            .pp("position_embeddings")
            .get((config.max_position_embeddings, h), "weight")?;
        let segment = vb
            .pp("token_type_embeddings")
            .get((config.type_vocab_size, h), "weight")?
            .get(0)?;
        let norm = Norm::load(vb.pp("LayerNorm"), config)?;
        Ok(Embeddings {
            words,
            positions,
            segment,
            norm,
        })
    }

    /// `ids` and `positions`: one per packed piece.
    fn forward(&self, ids: &[u32], positions: &Tensor) -> candle_core::Result<Tensor> {
        let words = self.words.rows(ids)?;
        let added =
            (words + self.positions.index_select(positions, 0)?)?.broadcast_add(&self.segment)?;
        self.norm.forward(&added)
    }
}

/// The table of word-piece vectors (stored as f32), read a row at a time.
#[derive(Debug)]
struct WordRows {
    file: Mutex<File>,
    /// Where the table's bytes begin.
    at: u64,
    count: usize,
    width: usize,
}

impl WordRows {
    /// The rows of `ids`, one after another, each value rounded to half
    /// precision.
    fn rows(&self, ids: &[u32]) -> candle_core::Result<Tensor> {
        let mut file = self
            .file
            .lock()
            .map_err(|_| candle_core::Error::Msg("weights file lock".into()))?;
        let mut bytes = vec![0u8; 4 * self.width];
        let mut out = Vec::with_capacity(ids.len() * self.width);
        for &id in ids {
            let id = id as usize;
            if id >= self.count {
                candle_core::bail!("word piece {id} is not among the model's {}", self.count);
            }
            file.seek(SeekFrom::Start(self.at + (id * bytes.len()) as u64))?;
            file.read_exact(&mut bytes)?;
            out.extend(
                bytes
                    .chunks_exact(4)
                    .map(|b| f16::from_f32(f32::from_le_bytes([b[0], b[1], b[2], b[3]])).to_f32()),
            );
        }
        Tensor::from_vec(out, (ids.len(), self.width), &Device::Cpu)
    }
}

/// A safetensors file read one tensor at a time.
struct Weights {
    path: PathBuf,
    file: Mutex<File>,
    /// Where the tensors' bytes begin.
    data_at: u64,
    metadata: Metadata,
}

impl Weights {
    fn open(path: &Path) -> std::result::Result<Weights, String> {
        let mut file = File::open(path).map_err(|e| e.to_string())?;
        let size = file.metadata().map_err(|e| e.to_string())?.len();
        let mut len = [0u8; 8];
        file.read_exact(&mut len)
            .map_err(|_| "too short for a safetensors file")?;
        let n = u64::from_le_bytes(len);
        if n > size.saturating_sub(8) || n > 100_000_000 {
            return Err("not a safetensors file (its header length is wrong)".into());
        }
        let mut header = vec![0u8; n as usize];
        file.read_exact(&mut header).map_err(|e| e.to_string())?;
        let metadata: Metadata =
            serde_json::from_slice(&header).map_err(|e| format!("not a safetensors file ({e})"))?;
        let data_len = metadata
            .tensors()
            .values()
            .map(|t| t.data_offsets.1 as u64)
            .max()
            .unwrap_or(0);
        if 8 + n + data_len != size {
            return Err(format!(
                "cut short or padded: {size} bytes where its header says {}",
                8 + n + data_len
            ));
        }
        Ok(Weights {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            data_at: 8 + n,
            metadata,
        })
    }

    /// The rows of the f32 table `name`, of `count` rows of `width`, to be
    /// read when looked up (through a handle of their own).
    fn rows(
        &self,
        name: &str,
        count: usize,
        width: usize,
    ) -> std::result::Result<WordRows, String> {
        let info = self
            .metadata
            .info(name)
            .ok_or_else(|| format!("it has no tensor {name}"))?;
        // Its bytes fit its shape: reading the header checked that.
        if info.dtype != Dtype::F32 || info.shape != [count, width] {
            return Err(format!(
                "tensor {name} is {:?} {:?}, not F32 [{count}, {width}]",
                info.dtype, info.shape
            ));
        }
        Ok(WordRows {
            file: Mutex::new(File::open(&self.path).map_err(|e| e.to_string())?),
            at: self.data_at + info.data_offsets.0 as u64,
            count,
            width,
        })
    }

    /// The tensor `name` (stored as f32) as `dtype`, read from the file.
    fn read(&self, name: &str, dtype: DType) -> candle_core::Result<Tensor> {
        let info = self.metadata.info(name).ok_or_else(|| {
            candle_core::Error::Msg(format!("{} has no tensor {name}", self.path.display()))
        })?;
        if info.dtype != Dtype::F32 {
            candle_core::bail!("tensor {name} is {:?}, not F32", info.dtype);
        }
        let (from, to) = info.data_offsets;
        let count: usize = info.shape.iter().product();
        if to - from != count * 4 {
            candle_core::bail!("tensor {name} has {} bytes for {count} values", to - from);
        }
        let mut file = self
            .file
            .lock()
            .map_err(|_| candle_core::Error::Msg("weights file lock".into()))?;
        file.seek(SeekFrom::Start(self.data_at + from as u64))?;
        // Read straight into the tensor's own buffer: one copy of the
        // layers' 44 MB, not two (most of the load's time was the kernel
        // filling fresh pages).
        let mut values = vec![0f32; count];
        file.read_exact(bytemuck::cast_slice_mut(&mut values))?;
        if cfg!(target_endian = "big") {
            values
                .iter_mut()
                .for_each(|v| *v = f32::from_bits(u32::from_le(v.to_bits())));
        }
        Tensor::from_vec(values, info.shape.as_slice(), &Device::Cpu)?.to_dtype(dtype)
    }
}

impl SimpleBackend for Weights {
    fn get(
        &self,
        s: Shape,
        name: &str,
        _: candle_nn::Init,
        dtype: DType,
        dev: &Device,
    ) -> candle_core::Result<Tensor> {
        let t = self.get_unchecked(name, dtype, dev)?;
        if t.shape() != &s {
            candle_core::bail!("tensor {name} is {:?}, not {s:?}", t.shape());
        }
        Ok(t)
    }

    fn get_unchecked(&self, name: &str, dtype: DType, _: &Device) -> candle_core::Result<Tensor> {
        self.read(name, dtype)
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.metadata.info(name).is_some()
    }
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Embedder(all-MiniLM-L6-v2)")
    }
}

fn bad(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::bad_model(path, format!("not a usable sentence model: {what}"))
}

impl Embedder {
    /// Loads the model in `dir` (config.json, tokenizer.json, model.safetensors).
    pub fn load(dir: &Path) -> Result<Embedder> {
        let config_path = dir.join(CONFIG);
        let text = std::fs::read_to_string(&config_path).map_err(|e| Error::io(&config_path, e))?;
        let config: Config = serde_json::from_str(&text).map_err(|e| bad(&config_path, e))?;
        if config.hidden_act != "gelu"
            || config.num_attention_heads == 0
            || !config
                .hidden_size
                .is_multiple_of(config.num_attention_heads)
        {
            return Err(bad(
                &config_path,
                "not the shape of a BERT model this reads",
            ));
        }
        let weights = dir.join(WEIGHTS);
        if !weights.is_file() {
            return Err(bad(&weights, "the file is missing"));
        }
        // The tokenizer's 30,522 word pieces are parsed beside the weights'
        // reading (each about 40 ms alone on one core).
        let tok_path = dir.join(TOKENIZER);
        let (tokenizer, weights_read) = rayon::join(
            || Tokenizer::from_file(&tok_path),
            || Self::load_weights(&weights, &config),
        );
        let (embeddings, layers) = weights_read?;
        let mut tokenizer = tokenizer.map_err(|e| bad(&tok_path, e))?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_PIECES,
                ..Default::default()
            }))
            .map_err(|e| bad(&tok_path, e))?;
        Ok(Embedder {
            embeddings,
            layers,
            heads: config.num_attention_heads,
            tokenizer,
        })
    }

    /// The model's weights: its input layer and its layers.
    fn load_weights(weights: &Path, config: &Config) -> Result<(Embeddings, Vec<Layer>)> {
        let file = Weights::open(weights).map_err(|e| bad(weights, e))?;
        let words = file
            .rows(
                "embeddings.word_embeddings.weight",
                config.vocab_size,
                config.hidden_size,
            )
            .map_err(|e| bad(weights, e))?;
        let vb = VarBuilder::from_backend(Box::new(file), DType::F32, Device::Cpu);
        let embeddings =
            Embeddings::load(vb.pp("embeddings"), words, config).map_err(|e| bad(weights, e))?;
        let layers = (0..config.num_hidden_layers)
            .map(|i| Layer::load(vb.pp(format!("encoder.layer.{i}")), config))
            .collect::<candle_core::Result<Vec<_>>>()
            .map_err(|e| bad(weights, e))?;
        Ok((embeddings, layers))
    }

    /// One unit-length embedding per text, in order.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(texts.len());
        for pack in texts.chunks(PACK) {
            let vectors = self
                .run(pack)
                .map_err(|e| Error::Input(format!("the sentence model failed: {e}")))?;
            out.extend(vectors);
        }
        Ok(out)
    }

    fn run(
        &self,
        texts: &[&str],
    ) -> std::result::Result<Vec<Vec<f32>>, Box<dyn std::error::Error + Send + Sync>> {
        let encodings = self.tokenizer.encode_batch(texts.to_vec(), true)?;
        // Two halves of about as many pieces each.
        let total: usize = encodings.iter().map(|e| e.len()).sum();
        let mut sum = 0;
        let half = encodings
            .iter()
            .position(|e| {
                sum += e.len();
                2 * sum >= total
            })
            .map_or(0, |i| i + 1);
        if half >= encodings.len() {
            return Ok(self.forward(&encodings)?);
        }
        let (first, second) = rayon::join(
            || self.forward(&encodings[..half]),
            || self.forward(&encodings[half..]),
        );
        let mut out = first?;
        out.extend(second?);
        Ok(out)
    }

    /// The embeddings of these texts, read together.
    fn forward(&self, encodings: &[Encoding]) -> candle_core::Result<Vec<Vec<f32>>> {
        let ids: Vec<u32> = encodings
            .iter()
            .flat_map(|e| e.get_ids().iter().copied())
            .collect();
        let positions: Vec<u32> = encodings.iter().flat_map(|e| 0..e.len() as u32).collect();
        let lens: Vec<usize> = encodings.iter().map(|e| e.len()).collect();
        let plan = Plan::new(&lens)?;
        let n = ids.len();
        let dev = &Device::Cpu;
        let mut x = self
            .embeddings
            .forward(&ids, &Tensor::from_vec(positions, n, dev)?)?;
        for layer in &self.layers {
            x = layer.forward(&x, &plan, self.heads)?;
        }
        let rows = x.to_vec2::<f32>()?;
        Ok(plan
            .spans
            .iter()
            .map(|&(from, len)| mean_unit(&rows[from..from + len]))
            .collect())
    }
}

/// The mean of a text's piece vectors, scaled to unit length.
fn mean_unit(rows: &[Vec<f32>]) -> Vec<f32> {
    let mut mean = vec![0.0f32; rows.first().map_or(0, Vec::len)];
    for r in rows {
        for (m, x) in mean.iter_mut().zip(r) {
            *m += x;
        }
    }
    let norm = mean.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        mean.iter_mut().for_each(|m| *m /= norm);
    }
    mean
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A safetensors file holding one f32 tensor "t" of 3 rows of 2: 0..6.
    fn table() -> tempfile::NamedTempFile {
        let values: Vec<u8> = (0..6u8).flat_map(|v| f32::from(v).to_le_bytes()).collect();
        let view = safetensors::tensor::TensorView::new(Dtype::F32, vec![3, 2], &values).unwrap();
        let bytes = safetensors::tensor::serialize([("t", view)], None).unwrap();
        let mut file = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut file, &bytes).unwrap();
        file
    }

    #[test]
    fn word_rows_are_read_as_they_are_looked_up() {
        let file = table();
        let weights = Weights::open(file.path()).unwrap();
        let rows = weights.rows("t", 3, 2).unwrap();
        let got: Vec<f32> = rows
            .rows(&[2, 0, 2])
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        assert_eq!(got, [4.0, 5.0, 0.0, 1.0, 4.0, 5.0]);
        // A piece beyond the table, and a table of another shape, are refused.
        assert!(rows.rows(&[3]).is_err());
        assert!(weights
            .rows("t", 2, 3)
            .unwrap_err()
            .contains("not F32 [2, 3]"));
        assert!(weights.rows("u", 3, 2).unwrap_err().contains("no tensor u"));
    }

    #[test]
    fn a_tensor_is_read_whole_into_its_own_buffer() {
        let file = table();
        let weights = Weights::open(file.path()).unwrap();
        let t = weights.read("t", DType::F32).unwrap();
        assert_eq!(t.dims(), [3, 2]);
        let got: Vec<f32> = t.flatten_all().unwrap().to_vec1().unwrap();
        assert_eq!(got, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert!(weights.read("u", DType::F32).is_err());
    }

    /// The word-piece rows are read where the header says, trusting that
    /// their bytes fit their shape: reading the header refuses a file
    /// where they do not.
    #[test]
    fn a_table_whose_bytes_do_not_fit_its_shape_is_refused() {
        let header = br#"{"t":{"dtype":"F32","shape":[3,2],"data_offsets":[0,20]}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header);
        bytes.extend_from_slice(&[0; 20]);
        let mut file = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut file, &bytes).unwrap();
        let e = Weights::open(file.path()).err().expect("refused");
        assert!(e.contains("offset"), "{e}");
    }

    #[test]
    fn texts_of_nearly_one_length_share_a_group() {
        let lens = [5, 65, 6, 30, 12, 9];
        let mut order: Vec<usize> = (0..lens.len()).collect();
        order.sort_by_key(|&i| lens[i]);
        // 9 is within 5 * 5/4 + 4 of the shortest; 12 is not, nor 30 of 12.
        assert_eq!(
            like_lengths(&order, &lens),
            vec![vec![0, 2, 5], vec![4], vec![3], vec![1]]
        );
    }

    #[test]
    fn every_packed_piece_comes_back_from_its_slot() {
        let plan = Plan::new(&[3, 5, 4]).unwrap();
        assert_eq!(plan.spans, vec![(0, 3), (3, 5), (8, 4)]);
        let gather: Vec<u32> = plan.gather.to_vec1().unwrap();
        let scatter: Vec<u32> = plan.scatter.to_vec1().unwrap();
        // One group of three texts padded to 5 pieces.
        assert_eq!(
            (plan.groups.len(), gather.len(), scatter.len()),
            (1, 15, 12)
        );
        for (piece, &slot) in scatter.iter().enumerate() {
            assert_eq!(gather[slot as usize] as usize, piece);
        }
        // Padding is shut: the first text's last two slots.
        let shut: Vec<f32> = plan.groups[0]
            .shut
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        assert_eq!(&shut[..5], &[0.0, 0.0, 0.0, f32::MIN, f32::MIN]);
    }
}
