//! The decoder run by hand on audio already encoded: a number heard again
//! ([`hear`], greedy, digits one token each) and readings of it scored
//! ([`score`]). Both start from the same tokens ([`start_tokens`]): the
//! digit prompt, then a timestamp that puts the decoder where the stretch
//! begins in the encoded window, then the words the first pass wrote there
//! before the number, taken as said.
//!
//! Scoring feeds each text token by token and adds up the
//! log-probabilities; texts that begin alike share the decoding of their
//! common beginning (a trie walked depth first, the decoder's cache cut
//! back to the branch point before each sibling).

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

/// What the decoder is given before a number: the previous-text marker and
/// `prompt`, start of transcript (language and task for a multilingual
/// model), the timestamp `at_s` seconds into the encoded window, then
/// `lead`, the words said from there up to the number.
pub fn start_tokens(ctx: &WhisperContext, prompt: &str, at_s: f64, lead: &str) -> Result<Vec<i32>> {
    /// Whisper's timestamps come every 20 ms, 1,500 to a window.
    const STEPS_PER_S: f64 = 50.0;
    const LAST_STEP: f64 = 1500.0;
    let mut start = vec![ctx.token_prev()];
    start.extend(tokenize(ctx, prompt)?);
    start.push(ctx.token_sot());
    if ctx.is_multilingual() {
        start.push(ctx.token_lang(whisper_rs::get_lang_id("en").unwrap_or(0)));
        start.push(ctx.token_transcribe());
    }
    let step = (at_s * STEPS_PER_S).round().clamp(0.0, LAST_STEP) as i32;
    start.push(ctx.token_beg() + step);
    let lead = lead.trim();
    if !lead.is_empty() {
        start.extend(tokenize(ctx, &format!(" {lead}"))?);
    }
    Ok(start)
}

fn tokenize(ctx: &WhisperContext, text: &str) -> Result<Vec<i32>> {
    ctx.tokenize(text, 512).map_err(|e| failed("tokenize", e))
}

/// The log-probability of each of `texts` as what the audio encoded in
/// `state` says after `start` (see [`start_tokens`]). Only the decoder's
/// cache of the first sequence is used (and cut back as it goes), so the
/// state may be one a whole decode of the same audio has just used.
pub fn score(
    ctx: &WhisperContext,
    state: &mut WhisperState,
    start: &[i32],
    texts: &[String],
    threads: usize,
) -> Result<Vec<f64>> {
    let mut root = Node::default();
    for (i, text) in texts.iter().enumerate() {
        root.insert(&tokenize(ctx, &format!(" {}", text.trim()))?, i);
    }
    let mut scorer = Scorer {
        state,
        threads: threads.max(1),
        scores: vec![f64::NEG_INFINITY; texts.len()],
    };
    let next = scorer.feed(start, 0)?;
    scorer.walk(&root, &next, start.len(), 0.0)?;
    Ok(scorer.scores)
}

/// How a greedy hearing of digits goes on.
pub struct Greedy<'a> {
    /// Tokens that may not be chosen (besides timestamps and the special
    /// tokens other than end-of-text).
    pub banned: &'a [i32],
    pub max_tokens: usize,
    /// Told the text so far after each token: true ends the hearing.
    pub done: &'a dyn Fn(&str) -> bool,
}

/// The text the decoder writes after `start` on the audio encoded in
/// `state`, one most likely token at a time, until end-of-text, `done`
/// or `max_tokens`; and whether it ran out of tokens.
pub fn hear(
    ctx: &WhisperContext,
    state: &mut WhisperState,
    start: &[i32],
    how: &Greedy,
    threads: usize,
) -> Result<(String, bool)> {
    let eot = ctx.token_eot();
    let mut scorer = Scorer {
        state,
        threads: threads.max(1),
        scores: Vec::new(),
    };
    let mut next = scorer.feed(start, 0)?;
    let mut bytes = Vec::new();
    for step in 0..how.max_tokens {
        let Some(token) = most_likely(&mut next, eot, how.banned) else {
            break;
        };
        if token == eot {
            return Ok((written(&bytes), false));
        }
        bytes.extend(
            ctx.token_to_bytes(token)
                .map_err(|e| failed("read a token", e))?,
        );
        let text = written(&bytes);
        if (how.done)(&text) {
            return Ok((text, false));
        }
        next = scorer.feed(&[token], start.len() + step)?;
    }
    Ok((written(&bytes), true))
}

/// The text of the token bytes written so far, trimmed.
fn written(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_string()
}

/// The most likely text token or end-of-text, not one of `banned` (whose
/// log-probabilities it sets to minus infinity).
fn most_likely(log_probs: &mut [f32], eot: i32, banned: &[i32]) -> Option<i32> {
    for &id in banned {
        if let Some(p) = log_probs.get_mut(id as usize) {
            *p = f32::NEG_INFINITY;
        }
    }
    log_probs
        .iter()
        .enumerate()
        .take(eot as usize + 1)
        .filter(|(_, p)| p.is_finite())
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(id, _)| id as i32)
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
    fn the_most_likely_token_is_neither_banned_nor_special() {
        // Tokens 0-3 are text, 4 is end-of-text, 5 and up are special.
        let lp = [-3.0, -1.0, -2.0, -5.0, -4.0, -0.1];
        assert_eq!(most_likely(&mut lp.clone(), 4, &[]), Some(1));
        assert_eq!(most_likely(&mut lp.clone(), 4, &[1]), Some(2));
        assert_eq!(most_likely(&mut lp.clone(), 4, &[0, 1, 2, 3]), Some(4));
    }

    #[test]
    fn log_softmax_gives_log_probabilities() {
        let lp = log_softmax(&[0.0, 0.0, f32::NEG_INFINITY]);
        assert!((lp[0] - 0.5f32.ln()).abs() < 1e-6);
        assert_eq!(lp[2], f32::NEG_INFINITY);
    }
}
