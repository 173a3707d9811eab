//! Sentence embeddings: all-MiniLM-L6-v2 (a 6-layer BERT) run on the CPU by
//! candle, its WordPiece tokenizer by `tokenizers`, and the mean of the
//! token vectors (the model's pooling) scaled to unit length, so the dot
//! product of two embeddings is their cosine similarity. The only file that
//! names candle, safetensors or tokenizers.
//!
//! Memory: the weights are read from the file one tensor at a time (no
//! mapping of the whole file stays resident beside them), and the table
//! of word-piece vectors, half the model, is kept in half precision: a
//! message only ever looks up a few dozen of its 30,522 rows, each turned
//! back to single precision as it is looked up.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use candle_core::{DType, Device, Module, Shape, Tensor};
use candle_nn::var_builder::SimpleBackend;
use candle_nn::{LayerNorm, VarBuilder};
use candle_transformers::models::bert::{BertEncoder, Config};
use half::f16;
use safetensors::tensor::{Dtype, Metadata};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use crate::error::{Error, Result};

/// Files of the model folder.
pub const WEIGHTS: &str = "model.safetensors";
pub const TOKENIZER: &str = "tokenizer.json";
pub const CONFIG: &str = "config.json";

/// Length of one embedding.
pub const DIM: usize = 384;

/// Longest input, in word pieces: a clause of a voicemail is far shorter.
const MAX_PIECES: usize = 128;

/// Texts embedded together.
const BATCH: usize = 8;

/// A loaded sentence model.
pub struct Embedder {
    embeddings: Embeddings,
    encoder: BertEncoder,
    tokenizer: Tokenizer,
}

/// The model's input layer: word-piece, position and segment vectors,
/// added and normalised.
struct Embeddings {
    /// One row per word piece, half precision.
    words: Tensor,
    positions: Tensor,
    /// The vector of the first segment (every text is one segment).
    segment: Tensor,
    norm: LayerNorm,
}

impl Embeddings {
    fn load(vb: VarBuilder, config: &Config) -> candle_core::Result<Embeddings> {
        let h = config.hidden_size;
        let words = vb
            .pp("word_embeddings")
            .get_with_hints_dtype((config.vocab_size, h), "weight", Default::default(), DType::F16)?;
        let positions = vb
            .pp("position_embeddings")
            .get((config.max_position_embeddings, h), "weight")?;
        let segment = vb
            .pp("token_type_embeddings")
            .get((config.type_vocab_size, h), "weight")?
            .get(0)?;
        let norm = candle_nn::layer_norm(h, config.layer_norm_eps, vb.pp("LayerNorm"))?;
        Ok(Embeddings {
            words,
            positions,
            segment,
            norm,
        })
    }

    fn forward(&self, ids: &Tensor) -> candle_core::Result<Tensor> {
        let (batch, len) = ids.dims2()?;
        let words = self
            .words
            .index_select(&ids.flatten_all()?, 0)?
            .to_dtype(DType::F32)?
            .reshape((batch, len, ()))?;
        let added = words
            .broadcast_add(&self.positions.narrow(0, 0, len)?)?
            .broadcast_add(&self.segment)?;
        self.norm.forward(&added)
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

/// Bytes converted to half precision at a time.
const CHUNK_BYTES: usize = 1 << 20;

impl Weights {
    fn open(path: &Path) -> std::result::Result<Weights, String> {
        let mut file = File::open(path).map_err(|e| e.to_string())?;
        let size = file.metadata().map_err(|e| e.to_string())?.len();
        let mut len = [0u8; 8];
        file.read_exact(&mut len).map_err(|_| "too short for a safetensors file")?;
        let n = u64::from_le_bytes(len);
        if n > size.saturating_sub(8) || n > 100_000_000 {
            return Err("not a safetensors file (its header length is wrong)".into());
        }
        let mut header = vec![0u8; n as usize];
        file.read_exact(&mut header).map_err(|e| e.to_string())?;
        let metadata: Metadata = serde_json::from_slice(&header)
            .map_err(|e| format!("not a safetensors file ({e})"))?;
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

    /// The tensor `name` (stored as f32) as `dtype`, read from the file.
    fn read(&self, name: &str, dtype: DType) -> candle_core::Result<Tensor> {
        let info = self
            .metadata
            .info(name)
            .ok_or_else(|| candle_core::Error::Msg(format!("{} has no tensor {name}", self.path.display())))?;
        if info.dtype != Dtype::F32 {
            candle_core::bail!("tensor {name} is {:?}, not F32", info.dtype);
        }
        let (from, to) = info.data_offsets;
        let mut file = self.file.lock().map_err(|_| candle_core::Error::Msg("weights file lock".into()))?;
        file.seek(SeekFrom::Start(self.data_at + from as u64))?;
        let shape = Shape::from(info.shape.clone());
        let mut left = to - from;
        if dtype == DType::F16 {
            let mut out: Vec<f16> = Vec::with_capacity(left / 4);
            let mut chunk = vec![0u8; CHUNK_BYTES.min(left)];
            while left > 0 {
                let n = chunk.len().min(left);
                file.read_exact(&mut chunk[..n])?;
                out.extend(
                    chunk[..n]
                        .chunks_exact(4)
                        .map(|b| f16::from_f32(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
                );
                left -= n;
            }
            return Tensor::from_vec(out, shape, &Device::Cpu);
        }
        let mut bytes = vec![0u8; left];
        file.read_exact(&mut bytes)?;
        Tensor::from_raw_buffer(&bytes, DType::F32, shape.dims(), &Device::Cpu)?.to_dtype(dtype)
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
        let weights = dir.join(WEIGHTS);
        if !weights.is_file() {
            return Err(bad(&weights, "the file is missing"));
        }
        let file = Weights::open(&weights).map_err(|e| bad(&weights, e))?;
        let vb = VarBuilder::from_backend(Box::new(file), DType::F32, Device::Cpu);
        let embeddings = Embeddings::load(vb.pp("embeddings"), &config).map_err(|e| bad(&weights, e))?;
        let encoder = BertEncoder::load(vb.pp("encoder"), &config).map_err(|e| bad(&weights, e))?;
        let tok_path = dir.join(TOKENIZER);
        let mut tokenizer = Tokenizer::from_file(&tok_path).map_err(|e| bad(&tok_path, e))?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..Default::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_PIECES,
                ..Default::default()
            }))
            .map_err(|e| bad(&tok_path, e))?;
        Ok(Embedder {
            embeddings,
            encoder,
            tokenizer,
        })
    }

    /// One unit-length embedding per text, in order.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        // Texts of like length go together, so little time goes on padding.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let mut out = vec![Vec::new(); texts.len()];
        for group in order.chunks(BATCH) {
            let batch: Vec<&str> = group.iter().map(|&i| texts[i]).collect();
            let vectors = self
                .run(&batch)
                .map_err(|e| Error::Input(format!("the sentence model failed: {e}")))?;
            for (&i, v) in group.iter().zip(vectors) {
                out[i] = v;
            }
        }
        Ok(out)
    }

    fn run(&self, texts: &[&str]) -> std::result::Result<Vec<Vec<f32>>, Box<dyn std::error::Error + Send + Sync>> {
        let encodings = self.tokenizer.encode_batch(texts.to_vec(), true)?;
        let dev = &Device::Cpu;
        let rows = |f: &dyn Fn(&tokenizers::Encoding) -> &[u32]| -> candle_core::Result<Tensor> {
            let rows = encodings
                .iter()
                .map(|e| Tensor::new(f(e), dev))
                .collect::<candle_core::Result<Vec<_>>>()?;
            Tensor::stack(&rows, 0)
        };
        let ids = rows(&|e| e.get_ids())?;
        let mask = rows(&|e| e.get_attention_mask())?.to_dtype(DType::F32)?;
        // Attention never goes to padding: a very low score added there.
        let shut = ((1.0 - &mask)? * f32::MIN as f64)?.unsqueeze(1)?.unsqueeze(1)?;
        let hidden = self.encoder.forward(&self.embeddings.forward(&ids)?, &shut)?;
        // Mean over the real tokens (padding masked out), then unit length.
        let mask = mask.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
        let mean = summed.broadcast_div(&mask.sum(1)?)?;
        let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?;
        Ok(mean.broadcast_div(&norm)?.to_vec2::<f32>()?)
    }
}
