//! The checker: walks a whole ggml file, header to last tensor record, and
//! says in words what is wrong with it before whisper.cpp reads it.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufReader, Read, Seek};

use super::{pad4, tensor_specs, GgmlType, Hparams, TensorSpec, MAGIC, N_FFT_BINS};

/// What a successful check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checked {
    pub hparams: Hparams,
    pub weight_type: GgmlType,
    pub n_tokens: usize,
    pub n_tensors: usize,
    pub file_len: u64,
}

/// Longest token we accept; GPT-2's longest is well under this, and it stops
/// a corrupt length from making whisper.cpp allocate gigabytes.
const MAX_TOKEN_LEN: u32 = 1024;
const MAX_NAME_LEN: i32 = 256;

/// Why a file is not a whisper.cpp model this program will hand to whisper.cpp.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FormatError {
    #[error("truncated: ends at byte {len} inside {what}")]
    Truncated { len: u64, what: String },
    #[error("read error at byte {at}: {error}")]
    Read { at: u64, error: io::Error },
    #[error("seek error at byte {at}: {error}")]
    Seek { at: u64, error: io::Error },
    #[error("empty file (0 bytes), not a whisper.cpp model")]
    Empty,
    #[error("not a whisper.cpp model (only {0} bytes)")]
    TooShort(u64),
    #[error("not a whisper.cpp model (wrong magic){}", magic_hint(.0))]
    WrongMagic([u8; 4]),
    #[error("bad header: {0}")]
    Header(HeaderError),
    #[error("mel filter block has {n_mel} mel bands but the header says n_mels = {n_mels}")]
    MelBands { n_mel: i32, n_mels: i32 },
    #[error("mel filter block has {0} FFT bins, expected {N_FFT_BINS}")]
    FftBins(i32),
    #[error("mel filters contain negative, infinite or NaN values")]
    MelValues,
    #[error("vocabulary block has {n_tokens} tokens, expected 1 to {n_vocab}")]
    VocabSize { n_tokens: i32, n_vocab: i32 },
    #[error("vocabulary token {index} claims to be {len} bytes long")]
    TokenLength { index: i32, len: u32 },
    #[error("tensor record {record} has {n_dims} dimensions (whisper tensors have 1 to 3)")]
    Dims { record: usize, n_dims: i32 },
    #[error("tensor record {record} has a name length of {len}")]
    NameLength { record: usize, len: i32 },
    #[error("tensor record {record} has a dimension of {n}")]
    Dimension { record: usize, n: i32 },
    #[error("unknown tensor '{0}' (not a tensor of a whisper.cpp model with these hparams)")]
    UnknownTensor(String),
    #[error("tensor '{0}' appears twice")]
    Twice(String),
    #[error("tensor '{name}' has shape {ne:?}, expected {want:?} for these hparams")]
    Shape {
        name: String,
        ne: Vec<usize>,
        want: Vec<usize>,
    },
    #[error("tensor '{name}' has unknown ggml type {id}")]
    UnknownType { name: String, id: i32 },
    #[error(
        "tensor '{name}' is stored as {} but a {} model needs {} here",
        .got.name(),
        .wtype.name(),
        .want.name()
    )]
    WrongType {
        name: String,
        got: GgmlType,
        wtype: GgmlType,
        want: GgmlType,
    },
    #[error("tensor '{name}' rows do not split into whole {} blocks", .ty.name())]
    Blocks { name: String, ty: GgmlType },
    #[error(
        "incomplete: {} of {total} tensors missing ({}); the file may be truncated",
        .missing.len(),
        first_three(.missing)
    )]
    Incomplete { missing: Vec<String>, total: usize },
}

/// A header whisper.cpp would `assert` on, mis-index with, or that no Whisper
/// model has.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HeaderError {
    // whisper.cpp hard-codes the special token ids of these vocabularies.
    #[error("n_vocab = {0} is not a Whisper vocabulary size (51864 to 51866)")]
    NVocab(i32),
    // 30 s of audio after the stride-2 conv; whisper.cpp assumes it.
    #[error("n_audio_ctx = {0}, expected 1500")]
    NAudioCtx(i32),
    #[error("n_text_ctx = {0}, expected 1 to 448")]
    NTextCtx(i32),
    #[error("n_{side}_state = {state}")]
    State { side: &'static str, state: i32 },
    #[error("n_{side}_head = {head} does not divide n_{side}_state = {state}")]
    Head {
        side: &'static str,
        head: i32,
        state: i32,
    },
    #[error("n_{side}_layer = {layer}")]
    Layer { side: &'static str, layer: i32 },
    #[error("n_audio_state = {audio} differs from n_text_state = {text}")]
    Widths { audio: i32, text: i32 },
    #[error("n_mels = {0}, expected 80 or 128")]
    NMels(i32),
    #[error("ftype = {0} is not a weight type this program knows")]
    Ftype(i32),
}

/// What the first bytes of a file that is not a ggml model look like, as a
/// hint after "wrong magic" (empty when they look like nothing known).
fn magic_hint(head: &[u8; 4]) -> &'static str {
    if head == b"GGUF" {
        ": this is a GGUF file (llama.cpp), not a whisper.cpp model"
    } else if head == &[6, 0, 0, 0] {
        ": this looks like a CTranslate2 model.bin, which has to be converted first"
    } else if head.starts_with(b"PK") {
        ": this is a zip archive"
    } else if head
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        ": this looks like a text file"
    } else {
        ""
    }
}

/// Up to three names, then ", ..." when there are more.
fn first_three(names: &[String]) -> String {
    let shown = names
        .iter()
        .take(3)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let more = if names.len() > 3 { ", ..." } else { "" };
    format!("{shown}{more}")
}

/// Reads little-endian values while tracking the position, so every
/// "ends early" error can say where.
struct Walker<R> {
    r: BufReader<R>,
    pos: u64,
    len: u64,
}

impl<R: Read + Seek> Walker<R> {
    fn truncated(&self, what: &str) -> FormatError {
        FormatError::Truncated {
            len: self.len,
            what: what.to_string(),
        }
    }

    fn bytes(&mut self, n: u64, what: &str) -> Result<Vec<u8>, FormatError> {
        if self.len - self.pos < n {
            return Err(self.truncated(what));
        }
        let mut buf = vec![0; n as usize];
        self.r
            .read_exact(&mut buf)
            .map_err(|error| FormatError::Read {
                at: self.pos,
                error,
            })?;
        self.pos += n;
        Ok(buf)
    }

    fn i32(&mut self, what: &str) -> Result<i32, FormatError> {
        let b = self.bytes(4, what)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn skip(&mut self, n: u64, what: &str) -> Result<(), FormatError> {
        if self.len - self.pos < n {
            return Err(self.truncated(what));
        }
        let delta = i64::try_from(n).map_err(|_| self.truncated(what))?;
        // seek_relative keeps the buffer for short hops (the vocabulary's
        // 50k tokens); a plain seek would drop it and cost a syscall each.
        self.r
            .seek_relative(delta)
            .map_err(|error| FormatError::Seek {
                at: self.pos,
                error,
            })?;
        self.pos += n;
        Ok(())
    }
}

/// Walk a whole model file. `len` is the file's length; tensor data is
/// seeked over, not read, so this takes milliseconds.
pub(crate) fn check<R: Read + Seek>(r: R, len: u64) -> Result<Checked, FormatError> {
    let mut w = Walker {
        r: BufReader::with_capacity(64 * 1024, r),
        pos: 0,
        len,
    };
    check_magic(&mut w)?;
    let hp = read_hparams(&mut w)?;
    let wtype = check_hparams(&hp).map_err(FormatError::Header)?;
    check_mel_filters(&mut w, &hp)?;
    let n_tokens = check_vocab(&mut w, &hp)?;
    let n_tensors = check_tensors(&mut w, &hp, wtype)?;
    Ok(Checked {
        hparams: hp,
        weight_type: wtype,
        n_tokens,
        n_tensors,
        file_len: len,
    })
}

/// The file is long enough to hold a magic number, and starts with ggml's.
fn check_magic<R: Read + Seek>(w: &mut Walker<R>) -> Result<(), FormatError> {
    if w.len == 0 {
        return Err(FormatError::Empty);
    }
    if w.len < 4 {
        return Err(FormatError::TooShort(w.len));
    }
    let head = w.bytes(4, "the magic number")?;
    let head = [head[0], head[1], head[2], head[3]];
    if u32::from_le_bytes(head) != MAGIC {
        return Err(FormatError::WrongMagic(head));
    }
    Ok(())
}

/// The 11 header integers, as stored.
fn read_hparams<R: Read + Seek>(w: &mut Walker<R>) -> Result<Hparams, FormatError> {
    let mut raw = [0i32; 11];
    for v in raw.iter_mut() {
        *v = w.i32("the header")?;
    }
    Ok(Hparams::from_array(raw))
}

/// Reject headers whisper.cpp would `assert` on, mis-index with, or that no
/// Whisper model has; returns the weight type.
fn check_hparams(hp: &Hparams) -> Result<GgmlType, HeaderError> {
    if !(51864..=51866).contains(&hp.n_vocab) {
        return Err(HeaderError::NVocab(hp.n_vocab));
    }
    if hp.n_audio_ctx != 1500 {
        return Err(HeaderError::NAudioCtx(hp.n_audio_ctx));
    }
    if !(1..=448).contains(&hp.n_text_ctx) {
        return Err(HeaderError::NTextCtx(hp.n_text_ctx));
    }
    for (side, state, head, layer) in [
        ("audio", hp.n_audio_state, hp.n_audio_head, hp.n_audio_layer),
        ("text", hp.n_text_state, hp.n_text_head, hp.n_text_layer),
    ] {
        if !(1..=8192).contains(&state) {
            return Err(HeaderError::State { side, state });
        }
        if !(1..=state).contains(&head) || state % head != 0 {
            return Err(HeaderError::Head { side, head, state });
        }
        if !(1..=64).contains(&layer) {
            return Err(HeaderError::Layer { side, layer });
        }
    }
    if hp.n_audio_state != hp.n_text_state {
        return Err(HeaderError::Widths {
            audio: hp.n_audio_state,
            text: hp.n_text_state,
        });
    }
    if hp.n_mels != 80 && hp.n_mels != 128 {
        return Err(HeaderError::NMels(hp.n_mels));
    }
    match hp.weight_type() {
        Some(t) if hp.ftype / 1000 <= 2 => Ok(t),
        _ => Err(HeaderError::Ftype(hp.ftype)),
    }
}

/// The mel filter block: as many bands as the header says, whisper.cpp's
/// FFT bins, and only finite values that are not negative.
fn check_mel_filters<R: Read + Seek>(w: &mut Walker<R>, hp: &Hparams) -> Result<(), FormatError> {
    let n_mel = w.i32("the mel filter block")?;
    let n_fft = w.i32("the mel filter block")?;
    if n_mel != hp.n_mels {
        return Err(FormatError::MelBands {
            n_mel,
            n_mels: hp.n_mels,
        });
    }
    if n_fft != N_FFT_BINS as i32 {
        return Err(FormatError::FftBins(n_fft));
    }
    let filters = w.bytes(n_mel as u64 * N_FFT_BINS as u64 * 4, "the mel filters")?;
    if filters
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .any(|v| !v.is_finite() || v < 0.0)
    {
        return Err(FormatError::MelValues);
    }
    Ok(())
}

/// The vocabulary block: a token count the header allows and tokens of sane
/// lengths, skipped over. Returns the token count.
fn check_vocab<R: Read + Seek>(w: &mut Walker<R>, hp: &Hparams) -> Result<usize, FormatError> {
    let n_tokens = w.i32("the vocabulary size")?;
    if n_tokens < 1 || n_tokens > hp.n_vocab {
        return Err(FormatError::VocabSize {
            n_tokens,
            n_vocab: hp.n_vocab,
        });
    }
    for index in 0..n_tokens {
        let len = w.i32("the vocabulary")? as u32;
        if len > MAX_TOKEN_LEN {
            return Err(FormatError::TokenLength { index, len });
        }
        w.skip(u64::from(len), "the vocabulary")?;
    }
    Ok(n_tokens as usize)
}

/// The tensor records, up to the very end of the file: each one a tensor
/// these hparams call for, once, with its shape and type, and together all
/// of them. Returns the number of records.
fn check_tensors<R: Read + Seek>(
    w: &mut Walker<R>,
    hp: &Hparams,
    wtype: GgmlType,
) -> Result<usize, FormatError> {
    let specs = tensor_specs(hp);
    let expected: HashMap<&str, &TensorSpec> = specs.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut count = 0usize;
    while w.pos < w.len {
        count += 1;
        let record = read_record_header(w, count)?;
        let Some((&key, spec)) = expected.get_key_value(record.name.as_str()) else {
            return Err(FormatError::UnknownTensor(record.name));
        };
        if !seen.insert(key) {
            return Err(FormatError::Twice(record.name));
        }
        let nbytes = record.check_against(spec, wtype)?;
        w.skip(nbytes as u64, &format!("tensor {}", record.name))?;
    }

    if seen.len() != specs.len() {
        return Err(FormatError::Incomplete {
            missing: specs
                .iter()
                .map(|s| &s.name)
                .filter(|n| !seen.contains(n.as_str()))
                .cloned()
                .collect(),
            total: specs.len(),
        });
    }
    Ok(count)
}

/// A tensor record's header: everything before its data.
struct RecordHeader {
    name: String,
    ne: Vec<usize>,
    ttype: i32,
}

/// Reads the header of tensor record number `count` (from 1), refusing
/// dimension counts, name lengths and dimensions no whisper tensor has.
fn read_record_header<R: Read + Seek>(
    w: &mut Walker<R>,
    count: usize,
) -> Result<RecordHeader, FormatError> {
    let what = format!("the header of tensor record {count}");
    let n_dims = w.i32(&what)?;
    let name_len = w.i32(&what)?;
    let ttype = w.i32(&what)?;
    if !(1..=4).contains(&n_dims) {
        return Err(FormatError::Dims {
            record: count,
            n_dims,
        });
    }
    if !(1..=MAX_NAME_LEN).contains(&name_len) {
        return Err(FormatError::NameLength {
            record: count,
            len: name_len,
        });
    }
    let mut ne = Vec::with_capacity(n_dims as usize);
    for _ in 0..n_dims {
        let n = w.i32(&what)?;
        if n < 1 {
            return Err(FormatError::Dimension { record: count, n });
        }
        ne.push(n as usize);
    }
    let name_bytes = w.bytes(name_len as u64, &what)?;
    Ok(RecordHeader {
        name: String::from_utf8_lossy(&name_bytes).into_owned(),
        ne,
        ttype,
    })
}

impl RecordHeader {
    /// Shape and type as `spec` needs them in a `wtype` model; returns the
    /// size of the data that follows.
    fn check_against(&self, spec: &TensorSpec, wtype: GgmlType) -> Result<usize, FormatError> {
        let name = &self.name;
        if pad4(&self.ne) != spec.ne4() {
            return Err(FormatError::Shape {
                name: name.clone(),
                ne: self.ne.clone(),
                want: spec.ne.clone(),
            });
        }
        let want = spec.storage.ggml_type(wtype);
        let Some(got) = GgmlType::from_id(i64::from(self.ttype)) else {
            return Err(FormatError::UnknownType {
                name: name.clone(),
                id: self.ttype,
            });
        };
        if got != want {
            return Err(FormatError::WrongType {
                name: name.clone(),
                got,
                wtype,
                want,
            });
        }
        want.nbytes(&self.ne).ok_or_else(|| FormatError::Blocks {
            name: name.clone(),
            ty: want,
        })
    }
}
