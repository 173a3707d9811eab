//! How well given texts fit a stretch of audio: the audio is encoded once,
//! then each text is fed to the decoder token by token after a prompt (the
//! one a number's second hearing uses, [`super::DEFAULT_PROMPT`]), and the
//! log-probabilities of its tokens are added up. Texts that begin alike
//! share the decoding of their common beginning (a trie walked depth first,
//! the decoder's cache cut back to the branch point before each sibling).

use std::collections::BTreeMap;

use whisper_rs::{WhisperContext, WhisperState};

use crate::error::{Error, Result};

/// The tokens of the texts, merged where they begin alike.
#[derive(Debug, Default)]
struct Node {
    children: BTreeMap<i32, Node>,
    /// The texts (by index) whose last token is this node's.
    ends: Vec<usize>,
}

impl Node {
    fn insert(&mut self, tokens: &[i32], text: usize) {
        match tokens.split_first() {
            None => self.ends.push(text),
            Some((first, rest)) => self.children.entry(*first).or_default().insert(rest, text),
        }
    }
}

/// The decoder and what it has been given so far.
struct Scorer<'a> {
    state: &'a mut WhisperState,
    threads: usize,
    scores: Vec<f64>,
}

impl Scorer<'_> {
    /// Feeds `tokens` at positions `n_past..` and returns the
    /// log-probabilities of the token after the last of them.
    fn feed(&mut self, tokens: &[i32], n_past: usize) -> Result<Vec<f32>> {
        let (last, before) = tokens
            .split_last()
            .ok_or_else(|| Error::Transcribe("nothing to score".into()))?;
        let failed = |e| failed("decode", e);
        if !before.is_empty() {
            self.state
                .decode(before, n_past, self.threads)
                .map_err(failed)?;
        }
        // One token alone, so that its logits are the first row.
        self.state
            .decode(&[*last], n_past + before.len(), self.threads)
            .map_err(failed)?;
        let logits = self.state.get_logits().map_err(failed)?;
        Ok(log_softmax(logits))
    }

    /// Adds up the children's scores below `node`, whose next-token
    /// log-probabilities are `next`; `n_past` tokens have been fed.
    fn walk(&mut self, node: &Node, next: &[f32], n_past: usize, sum: f64) -> Result<()> {
        for (&token, child) in &node.children {
            let sum = sum
                + next
                    .get(token as usize)
                    .copied()
                    .unwrap_or(f32::NEG_INFINITY) as f64;
            for &text in &child.ends {
                self.scores[text] = sum;
            }
            if !child.children.is_empty() {
                let after = self.feed(&[token], n_past)?;
                self.walk(child, &after, n_past + 1, sum)?;
            }
        }
        Ok(())
    }
}

fn log_softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f64 = logits.iter().map(|&l| ((l - max) as f64).exp()).sum();
    let log_sum = max as f64 + sum.ln();
    logits
        .iter()
        .map(|&l| (l as f64 - log_sum) as f32)
        .collect()
}

fn failed(what: &str, e: whisper_rs::WhisperError) -> Error {
    Error::Transcribe(format!("whisper.cpp could not {what} ({e})"))
}

/// Encodes `samples` (16 kHz, at least one second) into `state`, for
/// [`score`].
pub fn encode(state: &mut WhisperState, samples: &[f32], threads: usize) -> Result<()> {
    let threads = threads.max(1);
    state
        .pcm_to_mel(samples, threads)
        .map_err(|e| failed("compute the spectrum", e))?;
    state.encode(0, threads).map_err(|e| failed("encode", e))
}

/// The log-probability of each of `texts` as what the audio encoded in
/// `state` says, after `prompt`. Only the decoder's cache of the first
/// sequence is used (and cut back as it goes), so the state may be one a
/// whole decode of the same audio has just used.
pub fn score(
    ctx: &WhisperContext,
    state: &mut WhisperState,
    prompt: &str,
    texts: &[String],
    threads: usize,
) -> Result<Vec<f64>> {
    let threads = threads.max(1);
    let tokenize = |text: &str| ctx.tokenize(text, 512).map_err(|e| failed("tokenize", e));
    // What whisper.cpp's own decoding starts from: the previous-text
    // marker, the prompt, start of transcript (language and task for a
    // multilingual model), then the opening timestamp.
    let mut start = vec![ctx.token_prev()];
    start.extend(tokenize(prompt)?);
    start.push(ctx.token_sot());
    if ctx.is_multilingual() {
        start.push(ctx.token_lang(whisper_rs::get_lang_id("en").unwrap_or(0)));
        start.push(ctx.token_transcribe());
    }
    start.push(ctx.token_beg());
    let mut root = Node::default();
    for (i, text) in texts.iter().enumerate() {
        let tokens = tokenize(&format!(" {}", text.trim()))?;
        root.insert(&tokens, i);
    }
    let mut scorer = Scorer {
        state,
        threads,
        scores: vec![f64::NEG_INFINITY; texts.len()],
    };
    let next = scorer.feed(&start, 0)?;
    scorer.walk(&root, &next, start.len(), 0.0)?;
    Ok(scorer.scores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_that_begin_alike_share_their_beginning() {
        let mut root = Node::default();
        root.insert(&[1, 2, 3], 0);
        root.insert(&[1, 2, 4], 1);
        root.insert(&[1, 2], 2);
        root.insert(&[5], 3);
        assert_eq!(root.children.len(), 2);
        let two = &root.children[&1].children[&2];
        assert_eq!(two.ends, vec![2]);
        assert_eq!(two.children.len(), 2);
        assert_eq!(root.children[&5].ends, vec![3]);
    }

    #[test]
    fn log_softmax_gives_log_probabilities() {
        let lp = log_softmax(&[0.0, 0.0, f32::NEG_INFINITY]);
        assert!((lp[0] - 0.5f32.ln()).abs() < 1e-6);
        assert_eq!(lp[2], f32::NEG_INFINITY);
    }
}
