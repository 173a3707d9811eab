//! Sentence embeddings: all-MiniLM-L6-v2 (a 6-layer BERT) run on the CPU by
//! candle, its WordPiece tokenizer by `tokenizers`, and the mean of the
//! token vectors (the model's pooling) scaled to unit length, so the dot
//! product of two embeddings is their cosine similarity. The only file that
//! names candle or tokenizers.

use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
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
    model: BertModel,
    tokenizer: Tokenizer,
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
        // SAFETY: the file is only read, and vmcoach never writes a model
        // in place (a new one is written beside it and renamed).
        let vb = unsafe {
            VarBuilder::from_mmaped_safetensors(&[&weights], DType::F32, &Device::Cpu)
        }
        .map_err(|e| bad(&weights, e))?;
        let model = BertModel::load(vb, &config).map_err(|e| bad(&weights, e))?;
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
        Ok(Embedder { model, tokenizer })
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
        let mask = rows(&|e| e.get_attention_mask())?;
        let types = ids.zeros_like()?;
        let hidden = self.model.forward(&ids, &types, Some(&mask))?;
        // Mean over the real tokens (padding masked out), then unit length.
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
        let mean = summed.broadcast_div(&mask.sum(1)?)?;
        let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?;
        Ok(mean.broadcast_div(&norm)?.to_vec2::<f32>()?)
    }
}
