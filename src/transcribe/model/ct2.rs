//! Reader for CTranslate2's `model.bin` (binary version 6):
//!
//! ```text
//! u32 binary_version, string spec_name, u32 revision, u32 n_vars,
//! n_vars × (string name, u8 rank, rank × u32 dims, u8 dtype, u32 nbytes, data),
//! u32 n_aliases, n_aliases × (string alias, string target)
//! ```
//! where a string is a u16 length (counting a trailing NUL) and the bytes.
//! The variables borrow their data from the input; nothing is copied.

use std::collections::BTreeMap;

pub(crate) const BINARY_VERSION: u32 = 6;

/// CTranslate2's element types, by their code in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DType {
    F32,
    I8,
    I16,
    I32,
    F16,
    BF16,
}

impl DType {
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => DType::F32,
            1 => DType::I8,
            2 => DType::I16,
            3 => DType::I32,
            4 => DType::F16,
            5 => DType::BF16,
            _ => return None,
        })
    }

    pub fn size(self) -> usize {
        match self {
            DType::I8 => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
            DType::F32 | DType::I32 => 4,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Variable<'a> {
    /// Outermost first (numpy order).
    pub dims: Vec<usize>,
    pub dtype: DType,
    pub data: &'a [u8],
}

impl Variable<'_> {
    /// The value of a rank-0 config variable, whatever integer or float type it has.
    pub fn scalar(&self) -> Option<f64> {
        if !self.dims.is_empty() {
            return None;
        }
        let d = self.data;
        Some(match self.dtype {
            DType::I8 => f64::from(*d.first()? as i8),
            DType::I16 => f64::from(i16::from_le_bytes(d.get(..2)?.try_into().ok()?)),
            DType::I32 => f64::from(i32::from_le_bytes(d.get(..4)?.try_into().ok()?)),
            DType::F32 => f64::from(f32::from_le_bytes(d.get(..4)?.try_into().ok()?)),
            DType::F16 => half::f16::from_le_bytes(d.get(..2)?.try_into().ok()?).to_f64(),
            DType::BF16 => half::bf16::from_le_bytes(d.get(..2)?.try_into().ok()?).to_f64(),
        })
    }
}

#[derive(Debug)]
pub(crate) struct Model<'a> {
    pub spec: String,
    pub revision: u32,
    pub variables: BTreeMap<String, Variable<'a>>,
    /// alias name -> variable name
    pub aliases: BTreeMap<String, String>,
}

/// Why a model.bin could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ReadError {
    #[error("model.bin ends early (at byte {len}, reading {what}); is a part missing?")]
    EndsEarly { len: usize, what: String },
    #[error("{what} is not UTF-8")]
    NotUtf8 { what: String },
    #[error(
        "CTranslate2 binary version {0} is not supported (this converter reads version {BINARY_VERSION})"
    )]
    Version(u32),
    #[error("variable {name} has unknown dtype code {code}")]
    UnknownDtype { name: String, code: u8 },
    #[error("variable {name}: {nbytes} bytes of data do not fit shape {dims:?} of {}", .dtype.name())]
    DataSize {
        name: String,
        nbytes: usize,
        dims: Vec<usize>,
        dtype: DType,
    },
    #[error("variable {0} appears twice")]
    Duplicate(String),
    #[error("{0} unexpected bytes after the end of the model")]
    Trailing(usize),
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], ReadError> {
        if self.data.len() - self.pos < n {
            return Err(ReadError::EndsEarly {
                len: self.data.len(),
                what: what.to_string(),
            });
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self, what: &str) -> Result<u8, ReadError> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &str) -> Result<u16, ReadError> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &str) -> Result<u32, ReadError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn string(&mut self, what: &str) -> Result<String, ReadError> {
        let n = self.u16(what)? as usize;
        let b = self.take(n, what)?;
        let b = b.strip_suffix(&[0]).unwrap_or(b);
        String::from_utf8(b.to_vec()).map_err(|_| ReadError::NotUtf8 {
            what: what.to_string(),
        })
    }
}

pub(crate) fn parse(data: &[u8]) -> Result<Model<'_>, ReadError> {
    let mut c = Cursor { data, pos: 0 };
    let version = c.u32("the binary version")?;
    if version != BINARY_VERSION {
        return Err(ReadError::Version(version));
    }
    let spec = c.string("the spec name")?;
    let revision = c.u32("the spec revision")?;
    let n_vars = c.u32("the variable count")?;

    let mut variables = BTreeMap::new();
    for i in 0..n_vars {
        let name = c.string(&format!("the name of variable {i}"))?;
        let rank = c.u8(&format!("variable {name}"))?;
        let dims = (0..rank)
            .map(|_| c.u32(&format!("variable {name}")).map(|d| d as usize))
            .collect::<Result<Vec<_>, _>>()?;
        let code = c.u8(&format!("variable {name}"))?;
        let Some(dtype) = DType::from_code(code) else {
            return Err(ReadError::UnknownDtype { name, code });
        };
        let nbytes = c.u32(&format!("variable {name}"))? as usize;
        let expected = dims
            .iter()
            .try_fold(dtype.size(), |acc, &d| acc.checked_mul(d));
        if expected != Some(nbytes) {
            return Err(ReadError::DataSize {
                name,
                nbytes,
                dims,
                dtype,
            });
        }
        let data = c.take(nbytes, &format!("the data of variable {name}"))?;
        if variables
            .insert(name.clone(), Variable { dims, dtype, data })
            .is_some()
        {
            return Err(ReadError::Duplicate(name));
        }
    }

    let n_aliases = c.u32("the alias count")?;
    let mut aliases = BTreeMap::new();
    for _ in 0..n_aliases {
        let alias = c.string("an alias")?;
        let target = c.string("an alias target")?;
        aliases.insert(alias, target);
    }
    if c.pos != data.len() {
        return Err(ReadError::Trailing(data.len() - c.pos));
    }
    Ok(Model {
        spec,
        revision,
        variables,
        aliases,
    })
}

/// Builds model.bin files for tests.
#[cfg(test)]
pub(crate) mod build {
    fn string(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&((s.len() + 1) as u16).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }

    pub(crate) struct Var {
        pub name: String,
        pub dims: Vec<usize>,
        pub code: u8,
        pub data: Vec<u8>,
    }

    pub(crate) fn write(
        version: u32,
        spec: &str,
        revision: u32,
        vars: &[Var],
        aliases: &[(&str, &str)],
    ) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&version.to_le_bytes());
        string(&mut out, spec);
        out.extend_from_slice(&revision.to_le_bytes());
        out.extend_from_slice(&(vars.len() as u32).to_le_bytes());
        for v in vars {
            string(&mut out, &v.name);
            out.push(v.dims.len() as u8);
            for &d in &v.dims {
                out.extend_from_slice(&(d as u32).to_le_bytes());
            }
            out.push(v.code);
            out.extend_from_slice(&(v.data.len() as u32).to_le_bytes());
            out.extend_from_slice(&v.data);
        }
        out.extend_from_slice(&(aliases.len() as u32).to_le_bytes());
        for (a, t) in aliases {
            string(&mut out, a);
            string(&mut out, t);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::build::{write, Var};
    use super::*;

    fn sample() -> Vec<u8> {
        let vars = [
            Var {
                name: "decoder/num_heads".into(),
                dims: vec![],
                code: 2,
                data: 6i16.to_le_bytes().to_vec(),
            },
            Var {
                name: "w".into(),
                dims: vec![2, 3],
                code: 4,
                data: vec![0; 12],
            },
        ];
        write(6, "WhisperSpec", 3, &vars, &[("p", "w")])
    }

    #[test]
    fn parses() {
        let data = sample();
        let m = parse(&data).unwrap();
        assert_eq!(m.spec, "WhisperSpec");
        assert_eq!(m.revision, 3);
        assert_eq!(m.variables["decoder/num_heads"].scalar(), Some(6.0));
        assert_eq!(m.variables["w"].dims, [2, 3]);
        assert_eq!(m.variables["w"].dtype, DType::F16);
        assert_eq!(m.aliases["p"], "w");
    }

    #[test]
    fn truncation_and_garbage_are_errors() {
        let data = sample();
        for n in 0..data.len() {
            assert!(parse(&data[..n]).is_err(), "prefix of {n} bytes parsed");
        }
        let mut longer = data.clone();
        longer.push(0);
        assert!(parse(&longer)
            .unwrap_err()
            .to_string()
            .contains("unexpected bytes"));
        let mut state = 0x1234_5678u32;
        for _ in 0..2000 {
            let mut d = data.clone();
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let i = (state >> 8) as usize % d.len();
            d[i] = (state >> 24) as u8;
            let _ = parse(&d); // must not panic
        }
    }

    #[test]
    fn wrong_version() {
        let data = write(5, "WhisperSpec", 3, &[], &[]);
        assert!(parse(&data)
            .unwrap_err()
            .to_string()
            .contains("binary version 5"));
    }
}
