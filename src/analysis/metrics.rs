//! Delivery measures: when speech starts and ends, how fast it is, the
//! pauses and the fillers. Pure functions of the timed words (and the
//! audio's speech span when there is audio).

use serde::Serialize;

use super::phone::PhoneNumber;
use super::rules::text::normalize_word;
use super::rules::{DeliverySettings, FillerSettings};
use crate::transcribe::Word;

/// A silence between two words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pause {
    pub start_s: f64,
    pub end_s: f64,
    pub duration_s: f64,
    /// The word said just before the pause.
    pub after: String,
}

/// One filler ("um", "you know") and when it was said.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FillerUse {
    pub text: String,
    pub start_s: f64,
    pub end_s: f64,
    /// Word indices, `first..last+1`.
    #[serde(skip)]
    pub words: std::ops::Range<usize>,
}

/// How the message was delivered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    pub speech_start_s: f64,
    pub speech_end_s: f64,
    pub speech_s: f64,
    /// Where the span came from: "audio" (the audio's speech span checked
    /// against the words), "words" (first to last word) or "none".
    pub span_source: &'static str,
    /// Words as spoken: each digit of a phone number counts as one word.
    pub spoken_words: usize,
    /// False when there were too few words (`min_pace_words` in the rules
    /// file) to give a pace; `words_per_minute` is then 0.
    pub pace_measured: bool,
    pub words_per_minute: f64,
    pub pause_count: usize,
    pub longest_pause_s: f64,
    pub pauses: Vec<Pause>,
    /// Fillers in the transcript.
    pub filler_count: usize,
    /// Filled pauses heard in the voice that the transcript left out (0
    /// for a written script); see the report's `prosody.acoustic_fillers`.
    pub acoustic_filler_count: usize,
    /// Both kinds of filler per 100 spoken words.
    pub fillers_per_100_words: f64,
    pub fillers: Vec<FillerUse>,
}

impl Delivery {
    /// Counts `n` filled pauses the transcript left out among the fillers.
    pub fn add_acoustic_fillers(&mut self, n: usize) {
        self.acoustic_filler_count += n;
        if self.spoken_words > 0 {
            let all = self.filler_count + self.acoustic_filler_count;
            self.fillers_per_100_words = round1(all as f64 * 100.0 / self.spoken_words as f64);
        }
    }
}

/// Measure delivery.
///
/// The speech span: with an audio span (`speech_span`, from the level
/// detector), each end is clamped to within `span_margin_s` of the words'
/// first start / last end. The audio is better at the exact onset (whisper
/// often stretches the first word back towards 0 s), the words are better at
/// telling speech from a cough or a click, so neither wins outright. Without
/// an audio span, the words' span is used. Everything is clamped to
/// `0..duration_s` when a duration is known.
pub fn measure(
    words: &[Word],
    duration_s: f64,
    speech_span: Option<(f64, f64)>,
    phones: &[PhoneNumber],
    delivery: &DeliverySettings,
    fillers: &FillerSettings,
) -> Delivery {
    let words_span = match (words.first(), words.last()) {
        (Some(f), Some(l)) => Some((f.start_s, l.end_s.max(f.start_s))),
        _ => None,
    };
    let m = delivery.span_margin_s.max(0.0);
    let (mut start, mut end, source) = match (speech_span, words_span) {
        (Some((a, b)), Some((ws, we))) => {
            (a.clamp(ws - m, ws + m), b.clamp(we - m, we + m), "audio")
        }
        (Some((a, b)), None) => (a, b, "audio"),
        (None, Some((ws, we))) => (ws, we, "words"),
        (None, None) => (0.0, 0.0, "none"),
    };
    if duration_s > 0.0 {
        start = start.clamp(0.0, duration_s);
        end = end.clamp(0.0, duration_s);
    }
    start = start.max(0.0);
    if end < start {
        end = start;
    }
    let speech_s = end - start;

    let spoken = spoken_word_count(words, phones);
    let pace_measured = spoken >= delivery.min_pace_words && speech_s > 0.0;
    let wpm = if pace_measured {
        spoken as f64 * 60.0 / speech_s
    } else {
        0.0
    };

    let mut pauses = Vec::new();
    for pair in words.windows(2) {
        let gap = pair[1].start_s - pair[0].end_s;
        if gap > delivery.pause_s {
            pauses.push(Pause {
                start_s: pair[0].end_s,
                end_s: pair[1].start_s,
                duration_s: round2(gap),
                after: pair[0].text.trim().to_string(),
            });
        }
    }
    let longest = pauses.iter().map(|p| p.duration_s).fold(0.0, f64::max);

    let fills: Vec<FillerUse> = find_fillers(words, fillers)
        .into_iter()
        .map(|r| FillerUse {
            text: words[r.clone()]
                .iter()
                .map(|w| w.text.trim())
                .collect::<Vec<_>>()
                .join(" "),
            start_s: words[r.start].start_s,
            end_s: words[r.end - 1].end_s,
            words: r,
        })
        .collect();
    let per100 = if spoken > 0 {
        fills.len() as f64 * 100.0 / spoken as f64
    } else {
        0.0
    };

    Delivery {
        speech_start_s: round2(start),
        speech_end_s: round2(end),
        speech_s: round2(speech_s),
        span_source: source,
        spoken_words: spoken,
        pace_measured,
        words_per_minute: round1(wpm),
        pause_count: pauses.len(),
        longest_pause_s: round2(longest),
        pauses,
        filler_count: fills.len(),
        acoustic_filler_count: 0,
        fillers_per_100_words: round1(per100),
        fillers: fills,
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}
fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Words as a listener hears them: a phone number counts one word per digit
/// ("612-555-1234" is ten), every other word with a letter or digit counts one.
pub fn spoken_word_count(words: &[Word], phones: &[PhoneNumber]) -> usize {
    let mut in_phone = vec![false; words.len()];
    let mut n = 0;
    for p in phones {
        for i in p.word_range.clone() {
            if let Some(f) = in_phone.get_mut(i) {
                *f = true;
            }
        }
        n += p.digits.len() + p.extension.as_ref().map_or(0, |e| e.len());
    }
    n + words
        .iter()
        .zip(&in_phone)
        .filter(|(w, inp)| !**inp && w.text.chars().any(|c| c.is_alphanumeric()))
        .count()
}

/// The bare form of a word for filler matching: lowercase letters and hyphens.
fn bare(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_alphabetic() || *c == '-')
        .flat_map(|c| c.to_lowercase())
        .collect::<String>()
        .trim_matches('-')
        .to_string()
}

fn ends_with_any(raw: &str, set: &[char]) -> bool {
    raw.trim_end_matches(['"', '\'', ')']).ends_with(set)
}

/// Word ranges of the fillers in `words`, in order.
///
/// Hesitation sounds ("um", "Uh,", "Uh-huh") always count. "like" and "you
/// know" count only in filler position: never after words that make them
/// grammar ("I'd like", "looks like", "let you know"), always when set off by
/// commas, never before words that make them grammar ("like a", "you know
/// him"), and otherwise only after the words listed in `after` ("was like so").
pub fn find_fillers(words: &[Word], settings: &FillerSettings) -> Vec<std::ops::Range<usize>> {
    let list: Vec<String> = settings.words.iter().map(|w| bare(w)).collect();
    let is_sound = |raw: &str| {
        let b = bare(raw);
        !b.is_empty()
            && (list.contains(&b)
                || list
                    .iter()
                    .any(|l| l.replace('-', "") == b.replace('-', "")))
    };
    let last_tok =
        |i: usize| -> Option<String> { words.get(i).and_then(|w| normalize_word(&w.text).pop()) };
    let first_tok = |i: usize| -> Option<String> {
        words
            .get(i)
            .and_then(|w| normalize_word(&w.text).into_iter().next())
    };
    let inlist =
        |t: &Option<String>, l: &[String]| t.as_ref().is_some_and(|t| l.iter().any(|x| x == t));

    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let raw = &words[i].text;
        if is_sound(raw) {
            out.push(i..i + 1);
            i += 1;
            continue;
        }
        let norm = normalize_word(raw);
        let prev = if i > 0 { last_tok(i - 1) } else { None };
        let prev_comma = i > 0 && ends_with_any(&words[i - 1].text, &[',', ';', '-', '—', '–']);
        if norm == ["like"] {
            let next = first_tok(i + 1);
            let set_off = prev_comma || ends_with_any(raw, &[',', '-', '—', '–', '.']);
            let near_sound = (i > 0 && is_sound(&words[i - 1].text))
                || words.get(i + 1).is_some_and(|w| is_sound(&w.text));
            let c = &settings.like;
            let filler = if inlist(&prev, &c.not_after) {
                false
            } else if set_off || near_sound {
                true
            } else if inlist(&next, &c.not_before) {
                false
            } else {
                inlist(&prev, &c.after)
            };
            if filler {
                out.push(i..i + 1);
            }
            i += 1;
            continue;
        }
        if norm == ["you"]
            && words
                .get(i + 1)
                .is_some_and(|w| normalize_word(&w.text) == ["know"])
        {
            let know_raw = &words[i + 1].text;
            let next = first_tok(i + 2);
            let c = &settings.you_know;
            let after_set_off = ends_with_any(know_raw, &[',', '.', '?', '!', '…', '-', '—']);
            let filler = if inlist(&prev, &c.not_after) {
                false
            } else if after_set_off {
                true
            } else if inlist(&next, &c.not_before) {
                false
            } else {
                prev_comma || inlist(&prev, &c.after)
            };
            if filler {
                out.push(i..i + 2);
                i += 2;
                continue;
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::RuleSet;

    fn words(s: &str) -> Vec<Word> {
        s.split_whitespace()
            .enumerate()
            .map(|(i, t)| Word {
                text: t.into(),
                start_s: i as f64 * 0.4,
                end_s: i as f64 * 0.4 + 0.3,
                confidence: 1.0,
            })
            .collect()
    }

    fn filler_texts(s: &str) -> Vec<String> {
        let rs = RuleSet::default_rules();
        let w = words(s);
        find_fillers(&w, &rs.file.fillers)
            .into_iter()
            .map(|r| {
                w[r].iter()
                    .map(|w| w.text.clone())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn hesitation_sounds_count_in_whispers_spellings() {
        assert_eq!(
            filler_texts("Um, hi, uh, this is Uh-huh hmm Er."),
            vec!["Um,", "uh,", "Uh-huh", "hmm", "Er."]
        );
    }

    #[test]
    fn like_counts_only_in_filler_position() {
        assert!(filler_texts("I'd like to talk").is_empty());
        assert!(filler_texts("it looks like a good fit").is_empty());
        assert!(filler_texts("a role like a controls engineer").is_empty());
        assert!(filler_texts("I would like to").is_empty());
        assert!(filler_texts("people like you").is_empty());
        assert_eq!(filler_texts("I was, like, really hoping"), vec!["like,"]);
        assert_eq!(filler_texts("and it was like so busy"), vec!["like"]);
        assert_eq!(filler_texts("it's um like twelve"), vec!["um", "like"]);
    }

    #[test]
    fn you_know_counts_only_when_set_off() {
        assert_eq!(
            filler_texts("I have, you know, years of"),
            vec!["you know,"]
        );
        assert!(filler_texts("I wanted to let you know, I am").is_empty());
        assert!(filler_texts("you know Priya from the plant").is_empty());
        assert!(filler_texts("do you know anyone").is_empty());
    }

    fn settings() -> RuleSet {
        RuleSet::default_rules()
    }

    fn phone(digits: &str, range: std::ops::Range<usize>, w: &[Word]) -> PhoneNumber {
        PhoneNumber {
            digits: digits.into(),
            text: String::new(),
            start_s: w[range.start].start_s,
            end_s: w[range.end - 1].end_s,
            extension: None,
            word_range: range,
            confidence: 1.0,
            uncertain: false,
            doubt: None,
            alternatives: Vec::new(),
        }
    }

    #[test]
    fn phone_digits_count_as_spoken_words() {
        let w = words("call 612-555-1234 today");
        let p = phone("6125551234", 1..2, &w);
        assert_eq!(spoken_word_count(&w, &[p]), 12);
        assert_eq!(spoken_word_count(&w, &[]), 3);
    }

    #[test]
    fn pace_is_measured_over_the_speech_span() {
        // 60 words, one every 0.4 s: the span is 23.9 s.
        let text = vec!["word"; 60].join(" ");
        let w = words(&text);
        let rs = settings();
        let d = measure(&w, 30.0, None, &[], &rs.file.delivery, &rs.file.fillers);
        assert_eq!(d.span_source, "words");
        assert_eq!(d.speech_start_s, 0.0);
        assert!((d.speech_s - 23.9).abs() < 1e-9);
        assert!(
            (d.words_per_minute - 150.6).abs() < 0.1,
            "{}",
            d.words_per_minute
        );
    }

    #[test]
    fn audio_span_is_kept_near_the_words() {
        let w = words("one two three four five"); // 0.0 .. 1.9
        let rs = settings();
        // The detector heard a click at 0 and trailing noise to 9 s: clamped to words ± 1 s.
        let d = measure(
            &w,
            10.0,
            Some((0.0, 9.0)),
            &[],
            &rs.file.delivery,
            &rs.file.fillers,
        );
        assert_eq!(d.span_source, "audio");
        assert_eq!(d.speech_start_s, 0.0);
        assert!((d.speech_end_s - 2.9).abs() < 1e-9);
        // A plausible audio onset inside the margin is believed.
        let d = measure(
            &w,
            10.0,
            Some((0.3, 2.2)),
            &[],
            &rs.file.delivery,
            &rs.file.fillers,
        );
        assert_eq!((d.speech_start_s, d.speech_end_s), (0.3, 2.2));
    }

    #[test]
    fn gaps_over_a_second_are_pauses() {
        let mut w = words("hello there friend");
        w[2].start_s = 3.0;
        w[2].end_s = 3.3;
        let rs = settings();
        let d = measure(&w, 4.0, None, &[], &rs.file.delivery, &rs.file.fillers);
        assert_eq!(d.pause_count, 1);
        assert_eq!(d.pauses[0].after, "there");
        assert!((d.longest_pause_s - 2.3).abs() < 1e-9);
    }

    #[test]
    fn a_word_or_two_give_no_pace() {
        let rs = settings();
        let few = measure(
            &words("hello"),
            1.0,
            None,
            &[],
            &rs.file.delivery,
            &rs.file.fillers,
        );
        assert!(!few.pace_measured);
        assert_eq!(few.words_per_minute, 0.0);
        let w = words("one two three four five six seven eight");
        let enough = measure(&w, 4.0, None, &[], &rs.file.delivery, &rs.file.fillers);
        assert!(enough.pace_measured);
        assert!(enough.words_per_minute > 100.0);
    }

    #[test]
    fn no_words_means_no_speech() {
        let rs = settings();
        let d = measure(&[], 5.0, None, &[], &rs.file.delivery, &rs.file.fillers);
        assert_eq!(d.speech_s, 0.0);
        assert_eq!(d.words_per_minute, 0.0);
        assert_eq!(d.span_source, "none");
    }
}
