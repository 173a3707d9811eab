//! The tokenizer vocabulary. CTranslate2 stores GPT-2 byte-level BPE tokens
//! as printable strings (GPT-2's `bytes_to_unicode` maps every byte to a
//! visible character, so a space is 'Ġ' and a newline 'Ċ'); whisper.cpp wants
//! the raw bytes. Only the regular tokens go into the file: whisper.cpp makes
//! up the special ones (`<|endoftext|>` onwards) itself at fixed ids.

const EOT: &str = "<|endoftext|>";

/// The byte GPT-2's table maps to `c`, if any.
fn char_to_byte(c: char) -> Option<u8> {
    let c = c as u32;
    // These bytes stand for themselves...
    let printable =
        |b: u32| (33..=126).contains(&b) || (161..=172).contains(&b) || (174..=255).contains(&b);
    if c < 256 {
        return printable(c).then_some(c as u8);
    }
    // ...and the other 68 (0-32, 127-160, 173: controls, space, DEL, NBSP,
    // soft hyphen), in byte order, are moved to U+0100 onwards.
    match c - 256 {
        n @ 0..=32 => Some(n as u8),
        n @ 33..=66 => Some((127 + n - 33) as u8),
        67 => Some(173),
        _ => None,
    }
}

/// A token string back to its bytes.
pub(crate) fn token_bytes(token: &str) -> Option<Vec<u8>> {
    token.chars().map(char_to_byte).collect()
}

/// Why a vocabulary cannot be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum VocabError {
    #[error("vocabulary.txt is not UTF-8: {0}")]
    TxtNotUtf8(std::str::Utf8Error),
    #[error("vocabulary.json is not a JSON list of strings: {0}")]
    NotJsonList(serde_json::Error),
    #[error("the vocabulary has no {EOT} token")]
    NoEot,
    #[error("{EOT} is token {at} but whisper.cpp expects it at {want}")]
    EotMisplaced { at: usize, want: usize },
    #[error("token {index} {token:?} is not in GPT-2's byte encoding")]
    NotByteLevel { index: usize, token: String },
}

/// `vocabulary.txt`: one token per line.
pub(crate) fn parse_txt(text: &[u8]) -> Result<Vec<String>, VocabError> {
    let text = std::str::from_utf8(text).map_err(VocabError::TxtNotUtf8)?;
    let text = text.strip_suffix('\n').unwrap_or(text);
    Ok(text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect())
}

/// `vocabulary.json`: a JSON array of token strings.
pub(crate) fn parse_json(text: &[u8]) -> Result<Vec<String>, VocabError> {
    serde_json::from_slice(text).map_err(VocabError::NotJsonList)
}

/// The regular tokens as bytes: every id below `<|endoftext|>`, which must sit
/// where whisper.cpp expects it (50256, or 50257 in multilingual vocabularies,
/// whose id 50256 is an empty token).
pub(crate) fn regular_tokens(
    tokens: &[String],
    multilingual: bool,
) -> Result<Vec<Vec<u8>>, VocabError> {
    let eot = tokens
        .iter()
        .position(|t| t == EOT)
        .ok_or(VocabError::NoEot)?;
    let want = if multilingual { 50257 } else { 50256 };
    if eot != want {
        return Err(VocabError::EotMisplaced { at: eot, want });
    }
    tokens[..eot]
        .iter()
        .enumerate()
        .map(|(index, t)| {
            token_bytes(t).ok_or_else(|| VocabError::NotByteLevel {
                index,
                token: t.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_table_round_trip() {
        // Every byte has exactly one character.
        let mut seen = [false; 256];
        for c in (0u32..512).filter_map(char::from_u32) {
            if let Some(b) = char_to_byte(c) {
                assert!(!seen[b as usize], "byte {b} twice");
                seen[b as usize] = true;
            }
        }
        assert!(seen.iter().all(|&s| s));
    }

    #[test]
    fn known_tokens() {
        assert_eq!(token_bytes("Ġ").unwrap(), b" "); // token 220
        assert_eq!(token_bytes("Ċ").unwrap(), b"\n"); // token 198
        assert_eq!(token_bytes("Ġthe").unwrap(), b" the");
        assert_eq!(token_bytes("!").unwrap(), b"!"); // token 0
        assert_eq!(token_bytes("Ā").unwrap(), [0u8]);
        assert_eq!(token_bytes("Ń").unwrap(), [173u8]);
        // "é" as two UTF-8 bytes 0xC3 0xA9, each shown as itself.
        assert_eq!(token_bytes("Ã©").unwrap(), "é".as_bytes());
        assert_eq!(token_bytes("").unwrap(), b"");
        assert!(token_bytes("中").is_none());
    }

    #[test]
    fn txt_and_json_agree() {
        let txt = parse_txt("!\nĠ\nĊ\n".as_bytes()).unwrap();
        let json = parse_json(r#"["!", "Ġ", "Ċ"]"#.as_bytes()).unwrap();
        assert_eq!(txt, json);
        assert!(parse_json(b"{\"a\": 1}").is_err());
    }

    #[test]
    fn regular_tokens_stop_at_eot() {
        let mut tokens: Vec<String> = (0..50256).map(|_| "a".to_string()).collect();
        tokens[198] = "Ċ".into();
        tokens[220] = "Ġ".into();
        tokens.push(EOT.into());
        tokens.push("<|startoftranscript|>".into());
        let out = regular_tokens(&tokens, false).unwrap();
        assert_eq!(out.len(), 50256);
        assert_eq!(out[198], b"\n");
        assert_eq!(out[220], b" ");
        assert!(regular_tokens(&tokens, true)
            .unwrap_err()
            .to_string()
            .contains("expects it at 50257"));
    }
}
