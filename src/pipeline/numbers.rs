//! The number pass: each phone number of the first pass heard again, and
//! recounted when the hearings cannot both be right. What it hears is
//! carried on the number it belongs to ([`Hearings::number`]); the
//! analysis judges it (see `analysis::phone::judge`).

use crate::analysis::phone::{self, Hearing, Hearings, PhoneNumber, MIN_DIGITS};
use crate::audio::Mono16k;
use crate::error::Result;
use crate::transcribe::{Transcriber, Word};

/// Audio kept on each side of a number when it is heard again: enough for
/// the words around it to give the decoder context.
const REHEAR_MARGIN_S: f64 = 0.6;

/// How much more audio a number shorter than a phone number is heard
/// again with: the rest of a number said in groups.
const SHORT_NUMBER_MORE_S: f64 = 3.0;

/// How much more audio before it a number without an area code is heard
/// again with: time for three digits said slowly.
const AREA_CODE_BEFORE_S: f64 = 2.0;

/// Cuts each phone number of the first pass (`numbers`, found in `words`;
/// with a margin) out of the audio and has the transcriber decode it again
/// for digits. When neither hearing has a count a phone number can have,
/// or two full numbers disagree, the readings of a full number's count
/// near them are put to the model, and the one that fits the audio best is
/// kept (see [`phone::recount`]). A 7-digit number is also heard from
/// [`AREA_CODE_BEFORE_S`] before it, for an area code written as words;
/// when that hearing writes one of the readings, it is kept unscored.
/// Returns one [`Hearings`] a number, in order, for as many numbers as the
/// transcriber could hear again (none when it has no second hearing).
pub fn hear_numbers_again(
    audio: &Mono16k,
    words: &[Word],
    numbers: &[PhoneNumber],
    transcriber: &mut dyn Transcriber,
) -> Result<Vec<Hearings>> {
    let cut =
        |from_s: f64, to_s: f64| audio.between(from_s - REHEAR_MARGIN_S, to_s + REHEAR_MARGIN_S);
    let mut out = Vec::new();
    for (i, number) in numbers.iter().enumerate() {
        let (after_previous, before_next) = room(numbers, i);
        // A number cut short after its cue ("my number is 4 4 4 8 2 0. I'm
        // I'm"): the rest may have been said but written otherwise. Not
        // into the next number, though.
        let end_s = if number.digits.len() < MIN_DIGITS {
            (number.end_s + SHORT_NUMBER_MORE_S)
                .min(before_next)
                .max(number.end_s)
        } else {
            number.end_s
        };
        let Some(text) = transcriber.hear_digits(&cut(number.start_s, end_s))? else {
            break; // this transcriber has no second hearing
        };
        let recount = phone::recount(number, &text, words);
        let mut heard = Hearings {
            number: i,
            again: Some(Hearing {
                from_s: number.start_s,
                text,
            }),
            ..Hearings::default()
        };
        // A number without its area code may have lost it to words the
        // first pass wrote for it ("Oh, here you go 9 0 1 1 0 0 5"): it is
        // heard once more with the seconds before it, not from the number
        // before.
        if number.digits.len() == MIN_DIGITS {
            let from_s = (number.start_s - AREA_CODE_BEFORE_S).max(after_previous);
            if from_s < number.start_s {
                if let Some(text) = transcriber.hear_digits(&cut(from_s, number.end_s))? {
                    heard.wider = Some(Hearing { from_s, text });
                }
            }
        }
        if let Some(recount) = recount {
            let written = heard
                .wider
                .as_ref()
                .and_then(|w| recount.written_in(&w.text));
            let chosen = match written {
                // The wider hearing wrote one of the readings itself: two
                // hearings agree on it, and it is taken without scoring.
                Some(text) => Some(text.clone()),
                None => {
                    let scores = transcriber
                        .score_texts(&cut(recount.from_s, number.end_s), &recount.readings)?;
                    scores
                        .and_then(|s| best(&s))
                        .map(|b| recount.readings[b].clone())
                }
            };
            heard.recount = chosen.map(|text| Hearing {
                from_s: recount.from_s,
                text,
            });
        }
        out.push(heard);
    }
    Ok(out)
}

/// How far a widened cut around number `i` may reach: not into the
/// numbers on either side, margins included.
fn room(numbers: &[PhoneNumber], i: usize) -> (f64, f64) {
    let after_previous = i
        .checked_sub(1)
        .map_or(0.0, |p| numbers[p].end_s + 2.0 * REHEAR_MARGIN_S);
    let before_next = numbers
        .get(i + 1)
        .map_or(f64::INFINITY, |n| n.start_s - 2.0 * REHEAR_MARGIN_S);
    (after_previous, before_next)
}

/// The index of the highest finite score.
fn best(scores: &[f64]) -> Option<usize> {
    scores
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_finite())
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio;
    use crate::transcribe::Transcript;

    /// Writes down the length of every stretch it is asked to hear again.
    #[derive(Default)]
    struct Cuts(Vec<f64>);

    impl Transcriber for Cuts {
        fn transcribe(&mut self, _audio: &Mono16k) -> Result<Transcript> {
            Ok(Transcript::default())
        }
        fn hear_digits(&mut self, audio: &Mono16k) -> Result<Option<String>> {
            self.0.push(audio.duration_s());
            Ok(Some(String::new()))
        }
    }

    fn digits_at(text: &str, start_s: f64) -> Vec<Word> {
        text.split_whitespace()
            .enumerate()
            .map(|(i, t)| Word {
                text: t.to_string(),
                start_s: start_s + 0.3 * i as f64,
                end_s: start_s + 0.3 * i as f64 + 0.25,
                confidence: 0.9,
            })
            .collect()
    }

    #[test]
    fn a_number_without_an_area_code_is_heard_again_with_the_seconds_before_it() {
        let audio = Mono16k::from_resampled(vec![0.0; 30 * audio::MODEL_RATE as usize]);
        let seven = |start_s| digits_at("5 5 5 0 1 4 7", start_s);
        let ten = |start_s| digits_at("6 1 2 5 5 5 0 1 4 7", start_s);
        let heard = |words: &[Word]| {
            let mut cuts = Cuts::default();
            let numbers = phone::find_phone_numbers(words);
            let hearings = hear_numbers_again(&audio, words, &numbers, &mut cuts).unwrap();
            (cuts.0, hearings)
        };
        let span = 0.3 * 6.0 + 0.25 + 2.0 * REHEAR_MARGIN_S;
        // Seven digits at 5 s: heard as they are, then from 2 s before.
        let (cuts, hearings) = heard(&seven(5.0));
        assert_eq!(cuts.len(), 2);
        assert!((cuts[0] - span).abs() < 1e-3, "{cuts:?}");
        assert!(
            (cuts[1] - span - AREA_CODE_BEFORE_S).abs() < 1e-3,
            "{cuts:?}"
        );
        assert!((hearings[0].wider.as_ref().unwrap().from_s - 3.0).abs() < 1e-9);
        // Not from before the recording's start, nor from the number before.
        let (cuts, _) = heard(&seven(1.0));
        assert!(
            (cuts[1] - span - 1.0 + REHEAR_MARGIN_S).abs() < 1e-3,
            "{cuts:?}"
        );
        let mut words = ten(0.0);
        words.extend(digits_at("or", 4.0));
        words.extend(seven(5.0));
        let (cuts, hearings) = heard(&words);
        assert_eq!(cuts.len(), 3, "{cuts:?}");
        let after_ten = phone::find_phone_numbers(&words)[0].end_s + 2.0 * REHEAR_MARGIN_S;
        assert_eq!(hearings[1].number, 1);
        assert!((hearings[1].wider.as_ref().unwrap().from_s - after_ten).abs() < 1e-9);
        // A full number is heard once.
        assert_eq!(heard(&ten(5.0)).0.len(), 1);
    }

    /// Hears a number's cut as `narrow`, the wider cut as `wider`, and
    /// scores the first reading best; writes down whether it scored.
    struct Hears {
        narrow: &'static str,
        wider: &'static str,
        heard: usize,
        scored: bool,
    }

    impl Transcriber for Hears {
        fn transcribe(&mut self, _audio: &Mono16k) -> Result<Transcript> {
            Ok(Transcript::default())
        }
        fn hear_digits(&mut self, _audio: &Mono16k) -> Result<Option<String>> {
            self.heard += 1;
            let text = if self.heard == 1 {
                self.narrow
            } else {
                self.wider
            };
            Ok(Some(text.to_string()))
        }
        fn score_texts(&mut self, _audio: &Mono16k, texts: &[String]) -> Result<Option<Vec<f64>>> {
            self.scored = true;
            Ok(Some((0..texts.len()).map(|i| -(i as f64)).collect()))
        }
    }

    #[test]
    fn a_reading_the_wider_hearing_wrote_is_taken_without_scoring() {
        let audio = Mono16k::from_resampled(vec![0.0; 30 * audio::MODEL_RATE as usize]);
        let words = digits_at("3 5 0 3 4 6 6", 5.0);
        let recounted = |wider| {
            let mut t = Hears {
                narrow: "3 0 3 5 0 3 4 6 6",
                wider,
                heard: 0,
                scored: false,
            };
            let numbers = phone::find_phone_numbers(&words);
            let hearings = hear_numbers_again(&audio, &words, &numbers, &mut t).unwrap();
            let recount = hearings[0].recount.clone().unwrap();
            (t.scored, recount.text)
        };
        // "4 4" written by the wider hearing: a reading of the 9 digits
        // heard, with the run of 4 one longer.
        let (scored, text) = recounted("Hi, 3, 0, 3, 5, 0, 3, 4, 4, 6, 6.");
        assert!(!scored);
        assert_eq!(
            text.replace(|c: char| !c.is_ascii_digit(), ""),
            "3035034466"
        );
        // Nothing that is a reading: the model chooses.
        let (scored, text) = recounted("Hi, 3, 5, 0, 3, 4, 6, 6.");
        assert!(scored);
        assert_ne!(
            text.replace(|c: char| !c.is_ascii_digit(), ""),
            "3035034466"
        );
    }
}
