//! Pass 3: runs of number tokens, split where one run reads as two
//! numbers, and the extension after a number.

use std::ops::Range;

use super::lex::Sep;
use super::number::*;
use super::tokens::{Tok, TokKind};
use crate::analysis::numwords::Shape;
use crate::transcribe::Word;

/// Maximal runs of number tokens (a leading "plus" included). Fillers may sit
/// inside a run; any other word or a marked quantity ends it. (Long pauses
/// are cut afterwards, in `split_run`.)
pub(super) fn runs(toks: &[Tok]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let starts_with_plus =
            toks[i].kind == TokKind::Plus && toks.get(i + 1).is_some_and(Tok::is_num);
        if !toks[i].is_num() && !starts_with_plus {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = if starts_with_plus { i + 2 } else { i + 1 };
        while let Some(next) = next_num(toks, end) {
            end = next + 1;
        }
        out.push(start..end);
        i = end;
    }
    out
}

/// The longest a word may be that stands between two runs after a number
/// cue and is taken for digits the transcript wrote as a word.
const BRIDGE_MAX_LETTERS: usize = 3;

/// The longest time from the digits before such a word to the digits after.
const BRIDGE_GAP_S: f64 = 1.2;

/// The most digits runs are joined up to: a number with its leading 1.
const BRIDGED_MAX_DIGITS: usize = 11;

/// Joins a short run that comes after a number cue (`cued`) with the runs
/// that follow it one short word apart, when together they hold enough
/// digits to be the number: "reach me at 2 moe, 5 moe, 9 3 9 3" is a number
/// whose "oh oh" the transcript wrote as a word. Its digits are then wrong,
/// and the number pass hears it again. Not across a sentence end, a long
/// gap, or past the digits a phone number can have.
pub(super) fn bridge_cued(
    toks: &[Tok],
    words: &[Word],
    runs: Vec<Range<usize>>,
    cued: impl Fn(Range<usize>) -> bool,
) -> Vec<Range<usize>> {
    let count = |r: &Range<usize>| digits_in(&toks[r.clone()]).len();
    let mut out: Vec<Range<usize>> = Vec::with_capacity(runs.len());
    let mut i = 0;
    while i < runs.len() {
        let mut joined = runs[i].clone();
        let mut next = i + 1;
        if count(&joined) < MIN_CUED_DIGITS {
            while let Some(run) = runs.get(next) {
                let between = &toks[joined.end];
                let bridges = run.start == joined.end + 1
                    && between.word().is_some_and(|w| {
                        w.len() <= BRIDGE_MAX_LETTERS && w.chars().all(char::is_alphabetic)
                    })
                    && between.sep != Sep::Sentence
                    && toks[run.start].sep != Sep::Sentence
                    && words[toks[run.start].first].start_s
                        - words[toks[joined.end - 1].last].end_s
                        <= BRIDGE_GAP_S
                    && count(&joined) + count(run) <= BRIDGED_MAX_DIGITS;
                if !bridges {
                    break;
                }
                joined.end = run.end;
                next += 1;
            }
            if next == i + 1 || count(&joined) < MIN_CUED_DIGITS || !cued(joined.clone()) {
                joined = runs[i].clone();
                next = i + 1;
            }
        }
        out.push(joined);
        i = next;
    }
    out
}

/// The fewest digits a group after a number may hold to be left out of it
/// when only a comma sets it apart.
const TRAILING_STRAY_MIN_DIGITS: usize = 3;

/// The number token that continues a run ending before `end`, skipping up to
/// two fillers.
fn next_num(toks: &[Tok], end: usize) -> Option<usize> {
    let mut k = end;
    while k < toks.len() && k < end + 2 && toks[k].kind == TokKind::Filler {
        k += 1;
    }
    toks.get(k).filter(|t| t.is_num()).map(|_| k)
}

/// The pause between two tokens, in seconds.
fn pause_between(words: &[Word], a: &Tok, b: &Tok) -> f64 {
    if a.last == b.first {
        0.0
    } else {
        words[b.first].start_s - words[a.last].end_s
    }
}

/// Splits runs at pauses longer than [`HARD_PAUSE_S`], then splits a run
/// that is not one complete number where it reads best as several.
///
/// A complete number has 10 digits, 11 with a leading 1, 7, or 8 to 15
/// after "plus". Any other run is cut between words into complete numbers,
/// preferring cuts at a sentence end or a pause, then at a comma:
/// "612-555-1234. 612-555-1234" is two numbers, and so is "555-1234,
/// 612-555-1234". If no such cut works, a stray group at either end may be
/// left out when a comma, full stop or pause sets it apart ("Minneapolis
/// 55401, 612-555-1234"). Otherwise the run is kept whole: a broken or
/// wrong number that the analysis should flag ("612-555-12", "612-555-12345").
pub(super) fn split_run(toks: &[Tok], words: &[Word], run: Range<usize>) -> Vec<Range<usize>> {
    // First at long pauses.
    let mut parts = Vec::new();
    let mut start = run.start;
    let mut prev: Option<usize> = None;
    for k in run.clone() {
        if !toks[k].is_num() {
            continue;
        }
        if let Some(p) = prev {
            if pause_between(words, &toks[p], &toks[k]) > HARD_PAUSE_S {
                parts.push(start..p + 1);
                start = k;
            }
        }
        prev = Some(k);
    }
    parts.push(start..run.end);
    parts
        .into_iter()
        .flat_map(|p| split_long(toks, words, p))
        .collect()
}

fn split_long(toks: &[Tok], words: &[Word], run: Range<usize>) -> Vec<Range<usize>> {
    let nums: Vec<usize> = run.clone().filter(|&k| toks[k].is_num()).collect();
    let splitter = Splitter {
        toks,
        words,
        nums: &nums,
        plus: toks[run.start].kind == TokKind::Plus,
    };
    if splitter.piece_cost(0..nums.len()).is_some() {
        return vec![run];
    }
    let parts = splitter.best(false).or_else(|| splitter.best(true));
    match parts {
        Some(parts) => parts
            .into_iter()
            .filter(|p| p.kept)
            .map(|p| {
                let first = if p.nums.start == 0 {
                    run.start
                } else {
                    nums[p.nums.start]
                };
                first..nums[p.nums.end - 1] + 1
            })
            .collect(),
        None => vec![run],
    }
}

/// One piece of a split run: a range of the run's number tokens, and
/// whether it is kept as a number or left out as a stray group.
#[derive(Debug, Clone)]
struct Part {
    nums: Range<usize>,
    kept: bool,
}

/// Finds the best way to cut a run (its number tokens `nums`) into numbers.
struct Splitter<'a> {
    toks: &'a [Tok],
    words: &'a [Word],
    nums: &'a [usize],
    /// The run starts with "plus".
    plus: bool,
}

impl Splitter<'_> {
    fn digits(&self, r: Range<usize>) -> String {
        self.nums[r]
            .iter()
            .filter_map(|&k| self.toks[k].num().map(|d| d.0))
            .collect()
    }

    /// The cost of these tokens as one complete number, or `None` if they
    /// are not one: 10 digits, 11 with a leading 1 (not cut off by a full
    /// stop: "No one. 612-…"), 8 to 15 after "plus" cost 0; 7 digits cost 1.
    fn piece_cost(&self, r: Range<usize>) -> Option<u32> {
        let digits = self.digits(r.clone());
        if self.plus && r.start == 0 {
            let fits = if digits.starts_with('1') {
                digits.len() == 11
            } else {
                (8..=MAX_DIGITS).contains(&digits.len())
            };
            return fits.then_some(0);
        }
        let lone_one_cut_off = self.digits(r.start..r.start + 1) == "1"
            && r.len() > 1
            && self.sep_before(r.start + 1) == Sep::Sentence;
        match digits.len() {
            10 => Some(0),
            11 if digits.starts_with('1') && !lone_one_cut_off => Some(0),
            7 => Some(1),
            _ => None,
        }
    }

    /// The strongest separation between number token `j - 1` and `j`.
    fn sep_before(&self, j: usize) -> Sep {
        self.toks[self.nums[j - 1] + 1..=self.nums[j]]
            .iter()
            .map(|t| t.sep)
            .max()
            .unwrap_or(Sep::Plain)
    }

    /// The cost of cutting before number token `j`: 0 at a sentence end or a
    /// pause, 1 at a comma, 2 at a space; `None` inside a word.
    fn cut_cost(&self, j: usize) -> Option<u32> {
        let (a, b) = (&self.toks[self.nums[j - 1]], &self.toks[self.nums[j]]);
        if a.last == b.first {
            return None;
        }
        let sep = self.sep_before(j);
        Some(
            if sep == Sep::Sentence || pause_between(self.words, a, b) >= SOFT_PAUSE_S {
                0
            } else if sep == Sep::Comma {
                1
            } else {
                2
            },
        )
    }

    /// Whether a stray group can be cut off before number token `j`: a
    /// comma, full stop or pause sets it apart, or a change between digits
    /// and words ("612-555-1234 one more time").
    fn sets_apart(&self, j: usize) -> bool {
        self.cut_cost(j)
            .is_some_and(|c| c <= 1 || self.writing_changes(j))
    }

    /// Whether number token `j` is written otherwise (digits or words) than
    /// the one before it.
    fn writing_changes(&self, j: usize) -> bool {
        let written = |k: usize| {
            self.toks[self.nums[k]]
                .num()
                .is_some_and(|(_, s)| s == Shape::Written)
        };
        written(j - 1) != written(j)
    }

    /// Whether the group from number token `j` to the end of the run can
    /// be left out after the number. A group of one or two digits only
    /// after a full stop, a pause or a change of writing: after a comma it
    /// is more likely the number's own last digits, some of them lost
    /// ("3 3 3 6 3 3 5, 0, 8" for "three three three, six three three,
    /// five oh oh eight").
    fn trails_apart(&self, j: usize) -> bool {
        let short = self.digits(j..self.nums.len()).len() < TRAILING_STRAY_MIN_DIGITS;
        if short {
            self.cut_cost(j)
                .is_some_and(|c| c == 0 || self.writing_changes(j))
        } else {
            self.sets_apart(j)
        }
    }

    /// The cheapest cutting into complete numbers. With `strays`, a group at
    /// either end may be left out if it is set apart (see [`Self::sets_apart`]).
    fn best(&self, strays: bool) -> Option<Vec<Part>> {
        let n = self.nums.len();
        // digits_before[k]: how many digits nums[..k] hold.
        let mut digits_before = vec![0; n + 1];
        for k in 0..n {
            digits_before[k + 1] = digits_before[k] + self.digits(k..k + 1).len();
        }
        // best[i]: the cheapest cutting of nums[..i].
        let mut best: Vec<Option<(u32, Vec<Part>)>> = vec![None; n + 1];
        best[0] = Some((0, Vec::new()));
        for i in 1..=n {
            for j in 0..i {
                // A piece of more digits than any number has can only be a
                // stray group at either end: passing over the others keeps
                // a long run of digits from taking cubic time.
                let too_long = digits_before[i] - digits_before[j] > MAX_DIGITS;
                if too_long && j != 0 && i != n {
                    continue;
                }
                let Some((base, parts)) = &best[j] else {
                    continue;
                };
                let cut = match j {
                    0 => 0,
                    _ => match self.cut_cost(j) {
                        Some(c) => c,
                        None => continue,
                    },
                };
                let (cost, kept) = match self.piece_cost(j..i) {
                    Some(c) => (c, true),
                    None if strays && j == 0 && i < n && self.sets_apart(i) => (5, false),
                    None if strays && i == n && j > 0 && self.trails_apart(j) => (5, false),
                    None => continue,
                };
                let total = base + cut + cost;
                if best[i].as_ref().is_none_or(|(b, _)| total < *b) {
                    let mut parts = parts.clone();
                    parts.push(Part { nums: j..i, kept });
                    best[i] = Some((total, parts));
                }
            }
        }
        best[n]
            .take()
            .map(|(_, parts)| parts)
            .filter(|parts| parts.iter().any(|p| p.kept))
    }
}

pub(super) fn digits_in(toks: &[Tok]) -> String {
    toks.iter().filter_map(|t| t.num().map(|d| d.0)).collect()
}

/// The extension said right after a run ending before `end`: "extension 22",
/// "ext. 22", "x22", "and extension two two", "extension is 22". Returns its
/// digits and the token range it covers.
pub(super) fn extension_after(toks: &[Tok], end: usize) -> Option<(String, Range<usize>)> {
    let mut k = end;
    if toks.get(k).and_then(Tok::word) == Some("and") {
        k += 1;
    }
    if toks.get(k)?.kind != TokKind::Ext {
        return None;
    }
    k += 1;
    if matches!(toks.get(k).and_then(Tok::word), Some("is" | "number")) {
        k += 1;
    }
    let start = k;
    let mut digits = String::new();
    while let Some(t) = toks.get(k) {
        let Some((d, _)) = t.num() else { break };
        if (k > start && t.sep >= Sep::Comma) || digits.len() + d.len() > MAX_EXTENSION_DIGITS {
            break;
        }
        digits.push_str(d);
        k += 1;
    }
    (!digits.is_empty()).then_some((digits, end..k))
}

#[cfg(test)]
mod tests {
    use super::MAX_DIGITS;
    use crate::analysis::phone::testing::*;

    #[test]
    fn leading_one_is_kept_as_country_code() {
        assert_eq!(digits("call 1-612-555-1234"), ["16125551234"]);
        assert_eq!(
            digits("call one six one two five five five one two three four"),
            ["16125551234"]
        );
    }

    #[test]
    fn plus_one_is_kept_and_starts_the_span() {
        let p = one("it's plus one 612 555 1234");
        assert_eq!(p.digits, "16125551234");
        assert_eq!(p.word_range, 1..6);
        assert_eq!(digits("it's +1 612-555-1234"), ["16125551234"]);
        assert_eq!(digits("it's +1-612-555-1234"), ["16125551234"]);
    }

    #[test]
    fn international_number_with_country_code_is_one_number() {
        assert_eq!(
            digits("reach me on +44 20 7946 0958 please"),
            ["442079460958"]
        );
        assert_eq!(digits("reach me on plus 44 20 7946 0958"), ["442079460958"]);
    }

    #[test]
    fn extension_is_kept_apart() {
        let p = one("call 612-555-1234 extension 22 thanks");
        assert_eq!(p.digits, "6125551234");
        assert_eq!(p.extension.as_deref(), Some("22"));
        assert_eq!(p.word_range, 1..2);
    }

    #[test]
    fn extension_written_short_or_fused_is_kept_apart() {
        for text in [
            "call 612-555-1234, ext. 22",
            "call 612-555-1234 x22",
            "call 612-555-1234x22",
            "call 612-555-1234 x 22",
            "call 612-555-1234 and extension twenty two",
        ] {
            let p = one(text);
            assert_eq!(p.digits, "6125551234", "{text}");
            assert_eq!(p.extension.as_deref(), Some("22"), "{text}");
        }
    }

    #[test]
    fn number_without_extension_has_none() {
        assert_eq!(one("call 612-555-1234").extension, None);
    }

    #[test]
    fn long_pause_between_groups_ends_a_number() {
        let all = found("it's 612 555 1234 <pause:3> 555 9876 thanks");
        assert_eq!(
            all.iter().map(|p| p.digits.as_str()).collect::<Vec<_>>(),
            ["6125551234", "5559876"]
        );
    }

    #[test]
    fn short_pause_inside_a_number_does_not_split_it() {
        assert_eq!(
            digits("it's 612 <pause:1.5> 555 <pause:2> 1234"),
            ["6125551234"]
        );
    }

    // --- two numbers --------------------------------------------------------

    #[test]
    fn number_at_start_and_end_are_two_entries() {
        let all =
            found("Hi, 612-555-1234, this is Ana about the role, again 612-555-1234. Thanks.");
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].word_range, 1..2);
        assert_eq!(all[1].word_range, 9..10);
    }

    #[test]
    fn number_repeated_back_to_back_is_split_in_two() {
        assert_eq!(
            digits("it's 612-555-1234. 612-555-1234."),
            ["6125551234", "6125551234"]
        );
        assert_eq!(
            digits("six one two five five five one two three four six one two five five five one two three four"),
            ["6125551234", "6125551234"]
        );
        assert_eq!(
            digits("it's 555-1234, 612-555-1234"),
            ["5551234", "6125551234"]
        );
    }

    #[test]
    fn plus_one_number_repeated_is_split_in_two() {
        assert_eq!(
            digits("+1 612 555 1234, 612 555 1234"),
            ["16125551234", "6125551234"]
        );
    }

    #[test]
    fn stray_group_before_a_full_number_is_left_out() {
        assert_eq!(digits("Suite 200, 612-555-1234"), ["6125551234"]);
        assert_eq!(digits("Minneapolis 55401, 612-555-1234"), ["6125551234"]);
    }

    #[test]
    fn overlong_run_that_does_not_split_cleanly_is_kept_whole() {
        assert_eq!(digits("it's 6112-555-12345"), ["611255512345"]);
    }

    /// A run of thousands of digits (a pasted list, a stuck recogniser) is
    /// cut into numbers where it can be, and soon: only pieces a number
    /// can be long are tried inside it. Before, 4,000 spaced digits took
    /// over a minute; the bound leaves a wide margin for a slow machine.
    #[test]
    fn a_run_of_thousands_of_digits_is_split_soon() {
        let mut said = String::new();
        let mut x: u32 = 7;
        for _ in 0..4000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            said.push_str(&format!("{} ", (x >> 16) % 10));
        }
        let started = std::time::Instant::now();
        let numbers = found(&said);
        let took = started.elapsed();
        assert!(took.as_secs_f64() < 10.0, "{took:?}");
        assert!(numbers.iter().all(|n| n.digits.len() <= MAX_DIGITS));
        // Ten digits said evenly are one number, as before.
        assert_eq!(digits("6 1 2 5 5 5 0 1 4 7"), ["6125550147"]);
    }

    #[test]
    fn stray_digit_set_apart_by_a_full_stop_is_left_out() {
        assert_eq!(digits("I have 2. 612-555-1234"), ["6125551234"]);
        assert_eq!(digits("No one. 612-555-1234"), ["6125551234"]);
        assert_eq!(digits("I'm number 5. 555-1234"), ["5551234"]);
    }

    /// "five oh oh eight" written "5, 0, 8": the one or two digits after
    /// the comma are the number's own, so the run is kept whole (and heard
    /// again as a broken number), not cut into 555-1234 and a stray "0, 8".
    #[test]
    fn one_or_two_digits_after_a_comma_stay_with_the_number() {
        assert_eq!(digits("my cell is 3 3 3 6 3 3 5, 0, 8."), ["333633508"]);
        assert_eq!(digits("it's 555-1234, 9."), ["55512349"]);
        // After a full stop they are left out, and a longer group after a
        // comma.
        assert_eq!(digits("it's 555-1234. 8 9."), ["5551234"]);
        assert_eq!(digits("it's 555-1234, 8 9 1 2."), ["5551234"]);
    }

    #[test]
    fn international_number_without_plus_is_kept_whole() {
        assert_eq!(digits("it's 44 20 7946 0958"), ["442079460958"]);
    }
}
