//! The decoder run by hand on audio already encoded: a number heard again
//! ([`hear`], greedy, digits one token each) and readings of it scored
//! ([`score`]). Both start from the same tokens ([`start_tokens`]): the
//! digit prompt, then a timestamp that puts the decoder where the stretch
//! begins in the encoded window, then the words the first pass wrote there
//! before the number, taken as said.
//!
//! Scoring adds up the log-probabilities of each text's tokens. The texts
//! are merged into a tree where they begin alike, and the tree is decoded
//! as one (a whisper.cpp patch, `vmcoach_whisper_tree`): every node with
//! children once, many to a batch, each seeing only the nodes above it.
//! One token at a time, each decode would read the vocabulary's
//! 51,864-row product again; a batch reads it once. When only the best
//! texts are wanted, the tree is decoded best first, and a branch already
//! less likely than that many texts is left undecoded.

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
    /// Added to whisper.cpp by patches/whisper-cpp.cmake (6, 16): the next
    /// decode on the calling thread takes its tokens as a tree, node i
    /// under node `parents[i]` (-1 for node 0, the first), and writes each
    /// node's log-probability given the nodes above it into `log_probs`.
    /// With `best` above 0, only the nodes on the way to the `best` most
    /// likely of the texts (a text ends where `ends[i]` is 1) are sure to
    /// be decoded; the others may be left at minus infinity.
    fn vmcoach_whisper_tree(parents: *const i32, ends: *const u8, best: i32, log_probs: *mut f64);
}

/// The texts' tree laid out for [`vmcoach_whisper_tree`]: node 0 is the
/// token before the texts; the rest in depth-first order.
#[derive(Debug, Default, PartialEq)]
struct Flat {
    tokens: Vec<i32>,
    parents: Vec<i32>,
    /// (node, text): the texts whose last token each node is.
    ends: Vec<(usize, usize)>,
}

impl Flat {
    fn new(before: i32, root: &Node) -> Flat {
        let mut flat = Flat {
            tokens: vec![before],
            parents: vec![-1],
            ends: Vec::new(),
        };
        flat.add(root, 0);
        flat
    }

    fn add(&mut self, node: &Node, at: usize) {
        for (&token, child) in &node.children {
            let i = self.tokens.len();
            self.tokens.push(token);
            self.parents.push(at as i32);
            self.ends.extend(child.ends.iter().map(|&text| (i, text)));
            self.add(child, i);
        }
    }

    /// 1 for each node that is a text's last token.
    fn end_marks(&self) -> Vec<u8> {
        let mut marks = vec![0; self.tokens.len()];
        for &(node, _) in &self.ends {
            marks[node] = 1;
        }
        marks
    }

    /// Each text's log-probability from its nodes' (`log_probs`).
    fn sums(&self, log_probs: &[f64], texts: usize) -> Vec<f64> {
        let mut sums = vec![0.0; self.tokens.len()];
        for i in 1..sums.len() {
            sums[i] = sums[self.parents[i] as usize] + log_probs[i];
        }
        let mut scores = vec![f64::NEG_INFINITY; texts];
        for &(node, text) in &self.ends {
            scores[text] = sums[node];
        }
        scores
    }
}

/// The decoder and what it has been given so far.
struct Scorer<'a> {
    state: &'a mut WhisperState,
    threads: usize,
}

impl Scorer<'_> {
    /// Feeds `tokens` at positions `n_past..` (the decoder's cache from
    /// there on is dropped first) and returns the log-probabilities of the
    /// token after the last of them.
    fn feed(&mut self, tokens: &[i32], n_past: usize) -> Result<Vec<f32>> {
        let failed = |e| failed("decode", e);
        if tokens.is_empty() {
            return Err(Error::Transcribe("nothing to decode".into()));
        }
        self.state
            .decode(tokens, n_past, self.threads)
            .map_err(failed)?;
        let first = self.state.get_logits().map_err(failed)?;
        let n_vocab = first.len();
        // SAFETY: whisper.cpp sizes its logits to one vocabulary per token
        // decoded and puts the last token's row last; the slice borrows the
        // state, so no decode can change it while it is read.
        let all = unsafe { std::slice::from_raw_parts(first.as_ptr(), n_vocab * tokens.len()) };
        Ok(log_softmax(&all[n_vocab * (tokens.len() - 1)..]))
    }
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
/// `state` says after `start` (see [`start_tokens`]). With `best` above 0,
/// only the `best` most likely texts are sure to get theirs; any other may
/// get minus infinity. Only the decoder's cache of the first sequence is
/// used, so the state may be one a whole decode of the same audio has just
/// used.
pub fn score(
    ctx: &WhisperContext,
    state: &mut WhisperState,
    start: &[i32],
    texts: &[String],
    best: usize,
    threads: usize,
) -> Result<Vec<f64>> {
    let failed = |e| failed("decode", e);
    let Some((&before, prefix)) = start.split_last() else {
        return Err(Error::Transcribe("nothing to score after".into()));
    };
    let mut root = Node::default();
    for (i, text) in texts.iter().enumerate() {
        root.insert(&tokenize(ctx, &format!(" {}", text.trim()))?, i);
    }
    let threads = threads.max(1);
    if !prefix.is_empty() {
        state.decode(prefix, 0, threads).map_err(failed)?;
    }
    let flat = Flat::new(before, &root);
    let ends = flat.end_marks();
    let best = i32::try_from(best).unwrap_or(i32::MAX);
    let mut log_probs = vec![0.0; flat.tokens.len()];
    // SAFETY: the pointers outlive the decode below, which is the one call
    // that reads them (whisper.cpp forgets them as it starts), and `ends`
    // and `log_probs` have a place for every node.
    unsafe {
        vmcoach_whisper_tree(
            flat.parents.as_ptr(),
            ends.as_ptr(),
            best,
            log_probs.as_mut_ptr(),
        )
    };
    let decoded = state.decode(&flat.tokens, prefix.len(), threads);
    // SAFETY: as above; forgets a tree the decode did not get to.
    unsafe { vmcoach_whisper_tree(std::ptr::null(), std::ptr::null(), 0, std::ptr::null_mut()) };
    decoded.map_err(failed)?;
    Ok(flat.sums(&log_probs, texts.len()))
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
    fn a_tree_comes_parents_first_and_each_text_sums_its_way_down() {
        let mut root = Node::default();
        root.insert(&[1, 2, 3], 0);
        root.insert(&[1, 2, 4], 1);
        root.insert(&[1], 2);
        root.insert(&[5], 3);
        let flat = Flat::new(9, &root);
        assert_eq!(flat.tokens, vec![9, 1, 2, 3, 4, 5]);
        assert_eq!(flat.parents, vec![-1, 0, 1, 2, 2, 0]);
        let log_probs = [0.0, -1.0, -0.5, -0.25, -2.0, -3.0];
        // Text 4 has no tokens: nothing said, nothing scored.
        assert_eq!(
            flat.sums(&log_probs, 5),
            vec![-1.75, -3.5, -1.0, -3.0, f64::NEG_INFINITY]
        );
    }

    /// tiny.en with "My number is six one two, five five five, oh one four
    /// seven." encoded, and the tokens up to that number.
    fn the_number_encoded() -> (WhisperContext, WhisperState, Vec<i32>) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let path = root.join("models/ggml-tiny.en.bin");
        whisper_rs::install_logging_hooks();
        let ctx = WhisperContext::new_with_params(&path, Default::default())
            .unwrap_or_else(|e| panic!("{}: {e} (scripts/prepare fetches it)", path.display()));
        let mut state = ctx.create_state().unwrap();
        let wav = root.join("fixtures/networking-good-slt-16k.wav");
        let audio = crate::audio::load(&wav, 600.0).unwrap();
        let audio = crate::audio::resample::to_16k(&audio)
            .unwrap()
            .between(3.5, 9.0);
        encode(&mut state, audio.samples(), 2).unwrap();
        let start = start_tokens(&ctx, "", 0.0, "My number is").unwrap();
        (ctx, state, start)
    }

    /// The tree decode (patches/whisper-cpp.cmake, 6) gives each text the
    /// log-probability that feeding its tokens one at a time gives: each
    /// node sees its own ancestors and nothing of its siblings' branches.
    #[test]
    fn texts_scored_as_a_tree_score_as_fed_one_token_at_a_time() {
        let (ctx, mut state, start) = the_number_encoded();
        let texts: Vec<String> = [
            "6 1 2, 5 5 5, 0 1 4 7",
            "6 1 2, 5 5 5, 0 1 4 4",
            "6 1 2, 5 5, 0 1 4 7",
            "6 1 2, 5 5 5 5, 0 1 4 7",
            "6 1 2",
            "six one two",
        ]
        .map(String::from)
        .to_vec();
        let scores = score(&ctx, &mut state, &start, &texts, 0, 2).unwrap();
        for (text, tree) in texts.iter().zip(&scores) {
            let tokens = tokenize(&ctx, &format!(" {text}")).unwrap();
            let mut scorer = Scorer {
                state: &mut state,
                threads: 2,
            };
            let mut next = scorer.feed(&start, 0).unwrap();
            let mut fed = 0.0;
            for (k, &token) in tokens.iter().enumerate() {
                fed += next[token as usize] as f64;
                if k + 1 < tokens.len() {
                    next = scorer.feed(&[token], start.len() + k).unwrap();
                }
            }
            // To rounding: rows decoded one at a time are rounded to f16 on
            // their way into the products, rows in a batch are not; and the
            // attention adds its terms in another order. Two ways without a
            // tree (this one, and a text scored alone) differ by up to 0.5 %.
            assert!(fed < -0.01, "{text:?}: {fed}");
            assert!(
                (fed - tree).abs() < 0.01 * fed.abs(),
                "{text:?}: {tree} in the tree, {fed} one token at a time"
            );
        }
        assert!(scores[0] > scores[1] && scores[0] > scores[2], "{scores:?}");
    }

    /// Asked for the best texts only (patches/whisper-cpp.cmake, 16), the
    /// tree gives those the scores it gives when every text is scored, and
    /// leaves branches less likely than them undecoded.
    #[test]
    fn the_best_texts_score_alike_when_only_they_are_wanted() {
        let (ctx, mut state, start) = the_number_encoded();
        // The number said, and every reading one digit off it: a tree too
        // large for one batch, most of it unlikely.
        let said = "6125550147";
        let mut texts = vec![said.to_string()];
        for (at, digit) in said.char_indices() {
            for other in ('0'..='9').filter(|&d| d != digit) {
                let mut reading = said.to_string();
                reading.replace_range(at..at + 1, &other.to_string());
                texts.push(reading);
            }
        }
        // Written as whisper writes a number: "6 1 2, 5 5 5, 0 1 4 7".
        let written = |t: &String| {
            let d: Vec<String> = t.chars().map(String::from).collect();
            format!(
                "{}, {}, {}",
                d[..3].join(" "),
                d[3..6].join(" "),
                d[6..].join(" ")
            )
        };
        let texts: Vec<String> = texts.iter().map(written).collect();
        let all = score(&ctx, &mut state, &start, &texts, 0, 2).unwrap();
        let best = 3;
        let some = score(&ctx, &mut state, &start, &texts, best, 2).unwrap();
        let mut ranked: Vec<usize> = (0..texts.len()).collect();
        ranked.sort_by(|a, b| all[*b].total_cmp(&all[*a]));
        assert_eq!(ranked[0], 0, "the number said is the most likely: {all:?}");
        // To rounding: the rows are batched otherwise.
        let alike = |i: usize| (some[i] - all[i]).abs() < 0.01 * all[i].abs();
        let says = |i: usize| format!("{}: {} of the best, {} of all", texts[i], some[i], all[i]);
        for &i in &ranked[..best] {
            assert!(alike(i), "{}", says(i));
        }
        let floor = all[ranked[best - 1]];
        let left = ranked[best..]
            .iter()
            .filter(|&&i| some[i] == f64::NEG_INFINITY)
            .count();
        for &i in &ranked[best..] {
            assert!(some[i] == f64::NEG_INFINITY || alike(i), "{}", says(i));
            assert!(
                some[i] <= floor + 0.01 * floor.abs(),
                "{}: {}",
                texts[i],
                some[i]
            );
        }
        assert!(
            left > texts.len() / 2,
            "only {left} of {} left out",
            texts.len()
        );
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
