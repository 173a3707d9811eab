//! The decoder run by hand on audio already encoded: a number heard again
//! ([`hear`], greedy, digits one token each) and readings of it scored
//! ([`score`]). Both start from the same tokens ([`start_tokens`]): the
//! digit prompt, then a timestamp that puts the decoder where the stretch
//! begins in the encoded window, then the words the first pass wrote there
//! before the number, taken as said.
//!
//! Scoring adds up the log-probabilities of each text's tokens. Texts that
//! begin alike share the decoding of their common beginning (a trie walked
//! depth first, the decoder's cache cut back to the branch point before
//! each sibling), and each decode feeds a whole way down the trie with
//! every row's logits kept (a whisper.cpp patch), so that the vocabulary's
//! 51,864-row product is read once per way rather than once per token.

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

extern "C" {
    /// Added to whisper.cpp by patches/whisper-cpp.cmake (6): while on, a
    /// decode on the calling thread keeps every row's logits.
    fn vmcoach_whisper_all_logits(on: bool);
}

/// Every row's logits kept while it lives (see [`vmcoach_whisper_all_logits`]).
struct AllRows;

impl AllRows {
    fn on() -> AllRows {
        // SAFETY: sets a thread-local flag in whisper.cpp; no pointers.
        unsafe { vmcoach_whisper_all_logits(true) };
        AllRows
    }
}

impl Drop for AllRows {
    fn drop(&mut self) {
        // SAFETY: as in `on`.
        unsafe { vmcoach_whisper_all_logits(false) };
    }
}

/// The decoder and what it has been given so far.
struct Scorer<'a> {
    state: &'a mut WhisperState,
    threads: usize,
    scores: Vec<f64>,
}

impl Scorer<'_> {
    /// Feeds `tokens` at positions `n_past..` (the decoder's cache from
    /// there on is dropped first) and returns the logits of the rows kept:
    /// `rows` of them, the last ones, one vocabulary's length each. One row
    /// is the last token's; more than one needs every row kept
    /// ([`AllRows`]).
    fn decode(&mut self, tokens: &[i32], n_past: usize, rows: usize) -> Result<&[f32]> {
        let failed = |e| failed("decode", e);
        if tokens.is_empty() || rows == 0 || rows > tokens.len() {
            return Err(Error::Transcribe("nothing to score".into()));
        }
        {
            let _all = (rows > 1).then(AllRows::on);
            self.state
                .decode(tokens, n_past, self.threads)
                .map_err(failed)?;
        }
        let first = self.state.get_logits().map_err(failed)?;
        let n_vocab = first.len();
        // SAFETY: whisper.cpp sizes its logits to one vocabulary per token
        // decoded and puts row i at i x n_vocab; the rows asked for are
        // those it wrote (the last, or all under `AllRows`). The slice
        // borrows the state, so no decode can change it while it is read.
        let all = unsafe { std::slice::from_raw_parts(first.as_ptr(), n_vocab * tokens.len()) };
        Ok(&all[n_vocab * (tokens.len() - rows)..])
    }

    /// Feeds `tokens` at positions `n_past..` and returns the
    /// log-probabilities of the token after the last of them.
    fn feed(&mut self, tokens: &[i32], n_past: usize) -> Result<Vec<f32>> {
        Ok(log_softmax(self.decode(tokens, n_past, 1)?))
    }

    /// Scores the texts that end at or below `node`, reached by `token`
    /// after `n_past` tokens, with `sum` the log-probability of the way
    /// there (`token`'s included). One decode feeds `token` and then, as
    /// far down as it goes, the first child that has children of its own,
    /// keeping every row: that gives the next-token log-probabilities of
    /// each node on the way. The other children are scored from there,
    /// the deepest first, so that the cache each of them starts from (the
    /// way down to it) is still in place.
    fn below(&mut self, node: &Node, token: i32, n_past: usize, sum: f64) -> Result<()> {
        let mut tokens = vec![token];
        let mut nodes = vec![node];
        while let Some((&t, child)) = nodes[nodes.len() - 1]
            .children
            .iter()
            .find(|(_, c)| !c.children.is_empty())
        {
            tokens.push(t);
            nodes.push(child);
        }
        let logits = self.decode(&tokens, n_past, tokens.len())?;
        let n_vocab = logits.len() / tokens.len();
        // Each node's children with their log-probabilities.
        let next: Vec<Vec<(i32, f64)>> = nodes
            .iter()
            .zip(logits.chunks(n_vocab))
            .map(|(n, row)| children_log_probs(n, row))
            .collect();
        let mut sums = vec![sum];
        for (i, &t) in tokens.iter().enumerate().skip(1) {
            sums.push(sums[i - 1] + log_prob(&next[i - 1], t));
        }
        for i in (0..nodes.len()).rev() {
            let on_the_way = tokens.get(i + 1).copied();
            self.children(nodes[i], &next[i], n_past + i + 1, sums[i], on_the_way)?;
        }
        Ok(())
    }

    /// Scores `node`'s children, whose log-probabilities are `next`, after
    /// `n_past` tokens and a way there of log-probability `sum`; all but
    /// `skip`, which the caller has scored below already.
    fn children(
        &mut self,
        node: &Node,
        next: &[(i32, f64)],
        n_past: usize,
        sum: f64,
        skip: Option<i32>,
    ) -> Result<()> {
        for (&token, child) in &node.children {
            let sum = sum + log_prob(next, token);
            for &text in &child.ends {
                self.scores[text] = sum;
            }
            if !child.children.is_empty() && Some(token) != skip {
                self.below(child, token, n_past, sum)?;
            }
        }
        Ok(())
    }
}

/// `token`'s log-probability among `next`, a node's children's.
fn log_prob(next: &[(i32, f64)], token: i32) -> f64 {
    next.iter()
        .find(|(t, _)| *t == token)
        .map_or(f64::NEG_INFINITY, |p| p.1)
}

/// The log-probabilities, in the row of `logits`, of `node`'s children.
fn children_log_probs(node: &Node, logits: &[f32]) -> Vec<(i32, f64)> {
    let log_sum = log_sum_exp(logits);
    node.children
        .keys()
        .map(|&t| {
            let l = logits
                .get(t as usize)
                .map_or(f64::NEG_INFINITY, |&l| l as f64);
            (t, l - log_sum)
        })
        .collect()
}

fn log_sum_exp(logits: &[f32]) -> f64 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f64 = logits.iter().map(|&l| ((l - max) as f64).exp()).sum();
    max as f64 + sum.ln()
}

fn log_softmax(logits: &[f32]) -> Vec<f32> {
    let log_sum = log_sum_exp(logits);
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
    let row = scorer.decode(start, 0, 1)?;
    let next = children_log_probs(&root, row);
    scorer.children(&root, &next, start.len(), 0.0, None)?;
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
