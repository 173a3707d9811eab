//! The built-in rules' example sentences, embedded ahead of time
//! (`examples.bin`, written by `cargo run --release --example
//! meaning_cache -- MODEL_DIR`), so loading the rules does not run the model
//! over every example. An example not found here (a rules file of one's
//! own, an example changed since) is embedded when the rules are loaded;
//! `tests/meaning.rs` fails when the file is out of date.
//!
//! Format: for each sentence, its length in bytes (u16, little-endian), its
//! UTF-8 text, then [`DIM`] half-precision floats (little-endian).

use std::collections::HashMap;
use std::sync::OnceLock;

use half::f16;

use super::embed::DIM;

const BUILT_IN: &[u8] = include_bytes!("examples.bin");

/// The built-in embeddings by sentence.
fn built_in() -> &'static HashMap<&'static str, Vec<f32>> {
    static MAP: OnceLock<HashMap<&'static str, Vec<f32>>> = OnceLock::new();
    MAP.get_or_init(|| parse(BUILT_IN))
}

/// A sentence's built-in embedding, if it has one.
pub fn lookup(text: &str) -> Option<&'static [f32]> {
    built_in().get(text).map(Vec::as_slice)
}

fn parse(mut bytes: &'static [u8]) -> HashMap<&'static str, Vec<f32>> {
    let mut map = HashMap::new();
    while bytes.len() >= 2 {
        let n = u16::from_le_bytes([bytes[0], bytes[1]]) as usize;
        let need = 2 + n + 2 * DIM;
        if bytes.len() < need {
            break;
        }
        let Ok(text) = std::str::from_utf8(&bytes[2..2 + n]) else {
            break;
        };
        let v = bytes[2 + n..need]
            .chunks_exact(2)
            .map(|c| f16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect();
        map.insert(text, v);
        bytes = &bytes[need..];
    }
    map
}

/// The file's bytes for these sentences and their embeddings.
pub fn encode(entries: &[(String, Vec<f32>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (text, v) in entries {
        let n = u16::try_from(text.len()).expect("an example sentence is short");
        out.extend(n.to_le_bytes());
        out.extend(text.as_bytes());
        for x in v {
            out.extend(f16::from_f32(*x).to_le_bytes());
        }
    }
    out
}
