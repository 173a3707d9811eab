//! The number pass: each phone number of the first pass heard again, and
//! recounted when the hearings cannot both be right. What it hears is
//! carried on the number it belongs to ([`Hearings::number`]); the
//! analysis judges it (see `analysis::phone::judge`).

use crate::analysis::phone::{self, Hearing, Hearings, PhoneNumber, MIN_DIGITS};
use crate::audio::Mono16k;
use crate::error::Result;
use crate::transcribe::{Cut, Transcriber, Word, SCORED_BEST};

/// Audio kept after a number's last word when it is heard again (the
/// hearing itself goes on as long as digits come).
const REHEAR_MARGIN_S: f64 = 0.6;

/// How much more audio a number shorter than a phone number is heard
/// again with: the rest of a number said in groups.
const SHORT_NUMBER_MORE_S: f64 = 3.0;

/// How much more audio before it a number without an area code is heard
/// again with: time for three digits said slowly.
const AREA_CODE_BEFORE_S: f64 = 2.0;

/// The words right before a number that a hearing starts from: at most
/// this many, this close to the number and to each other.
const LEAD_WORDS: usize = 3;
const LEAD_WITHIN_S: f64 = 2.0;
const LEAD_GAP_S: f64 = 0.8;

/// Where a hearing without a lead starts before a number's first word.
const START_BEFORE_S: f64 = 0.3;

/// Has the transcriber hear each phone number of the first pass
/// (`numbers`, found in `words`) again for digits, from the words said
/// right before it (see [`Cut::lead`]). When neither hearing has a count a
/// phone number can have, or two full numbers disagree, the readings of a
/// full number's count near them are put to the model, and the one that
/// fits the audio best is kept (see [`phone::recount`]). A 7-digit number
/// is also heard from [`AREA_CODE_BEFORE_S`] before it, for an area code
/// written as words; when that hearing writes one of the readings, it is
/// kept unscored. A recount that did not win by far on the number's audio
/// alone is weighed again within the recording (see [`weigh_within`]).
/// A full number said again as an earlier saying was written and
/// confirmed is not heard alone.
/// Returns one [`Hearings`] a number, in order, for as many numbers as the
/// transcriber could hear again (none when it has no second hearing).
pub fn hear_numbers_again(
    audio: &Mono16k,
    words: &[Word],
    numbers: &[PhoneNumber],
    transcriber: &mut dyn Transcriber,
) -> Result<Vec<Hearings>> {
    let mut out = Vec::new();
    // Full numbers whose hearing within the recording confirmed them.
    let mut confirmed: Vec<&str> = Vec::new();
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
        } + REHEAR_MARGIN_S;
        // First within the recording, on the encoding the first pass made
        // (cheap); when that hearing does not confirm the first pass, alone,
        // apart from it (see `Cut::alone`).
        let (lead_s, lead) = lead(words, number, after_previous);
        let within = Cut {
            recording: audio,
            from_s: lead_s,
            to_s: end_s,
            lead: &lead,
            alone: false,
        };
        let Some(text) = transcriber.hear_digits(&within)? else {
            break; // this transcriber has no second hearing
        };
        let alone = |from_s: f64, to_s: f64| Cut {
            recording: audio,
            from_s: from_s - REHEAR_MARGIN_S,
            to_s,
            lead: "",
            alone: true,
        };
        let heard_within = Hearing {
            from_s: number.start_s,
            text,
        };
        let (text, in_context) = if phone::confirms(number, &heard_within.text) {
            if number.digits.len() >= phone::RECOUNT_DIGITS {
                confirmed.push(&number.digits);
            }
            (heard_within.text, None)
        } else if confirmed.contains(&number.digits.as_str()) {
            // The same full number said before was written alike and
            // confirmed: that saying's hearings stand for this one, which
            // is not heard alone (about a second). The report takes a
            // number said twice alike as sure (see `phone::judge`).
            out.push(Hearings {
                number: i,
                in_context: Some(heard_within),
                ..Hearings::default()
            });
            continue;
        } else if let Some((recount, margin)) = recount_within(
            transcriber,
            unlooped(number, &heard_within.text)
                .as_ref()
                .unwrap_or(number),
            &within,
            &heard_within.text,
            words,
        )? {
            // Both hearings wrote the same impossible count (the first pass
            // once its loop is undone), and a reading won by far on the
            // encoding the number was heard in: hearing it alone (about a
            // second) would only weigh that again.
            out.push(Hearings {
                number: i,
                in_context: Some(heard_within),
                recount: Some(recount),
                recount_within_margin: Some(margin),
                ..Hearings::default()
            });
            continue;
        } else {
            let alone = transcriber.hear_digits(&alone(number.start_s, end_s))?;
            (alone.unwrap_or_default(), Some(heard_within))
        };
        let mut heard = Hearings {
            number: i,
            in_context,
            ..Hearings::default()
        };
        // A number without its area code may have lost it to words the
        // first pass wrote for it ("Oh, here you go 9 0 1 1 0 0 5"): it is
        // heard once more from the seconds before it, not from the number
        // before, with none of those words taken as said.
        let wider_from = (number.start_s - AREA_CODE_BEFORE_S).max(after_previous);
        if number.digits.len() == MIN_DIGITS && wider_from < number.start_s {
            if let Some(text) = transcriber.hear_digits(&alone(wider_from, end_s))? {
                heard.wider = Some(Hearing {
                    from_s: wider_from,
                    text,
                });
            }
        }
        let in_context: Vec<&str> = heard.in_context.iter().map(|h| h.text.as_str()).collect();
        let wider = heard.wider.iter().map(|h| h.text.as_str());
        let others: Vec<&str> = in_context.iter().copied().chain(wider).collect();
        let recount = phone::recount(number, &text, &others, words);
        // A wider hearing that wrote one of the readings confirms it only
        // when the readings did not come from that hearing alone (without
        // one, there is nothing to confirm and no second recount to make).
        let confirms_reading =
            heard.wider.is_none() || phone::recount(number, &text, &in_context, words).is_some();
        heard.again = Some(Hearing {
            from_s: number.start_s,
            text,
        });
        if let Some(recount) = recount {
            let written = heard
                .wider
                .as_ref()
                .filter(|_| confirms_reading)
                .and_then(|w| recount.written_in(&w.text));
            let chosen = match written {
                // The wider hearing wrote one of the readings itself: two
                // hearings agree on it, and it is taken without scoring.
                Some(text) => Some((text.clone(), None)),
                // One reading: nothing to choose, and no margin to win by.
                None if recount.readings.len() == 1 => Some((recount.readings[0].clone(), None)),
                None => {
                    let scored_on = alone(recount.from_s, end_s);
                    let scores = transcriber.score_texts(&scored_on, &recount.readings)?;
                    let chosen = scores.as_deref().and_then(best);
                    if let (Some(scores), Some((b, Some(margin)))) = (&scores, chosen) {
                        if margin < phone::SURE_RECOUNT_MARGIN {
                            heard.recount_within_margin =
                                weigh_within(transcriber, &within, &recount.readings, scores, b)?;
                        }
                    }
                    chosen.map(|(b, margin)| (recount.readings[b].clone(), margin))
                }
            };
            if let Some((text, margin)) = chosen {
                // Its digits only: the hearing's words around them are no
                // part of it ("8 0 0 0 o'clock" is not a time).
                heard.recount = Some(Hearing {
                    from_s: recount.from_s,
                    text: digits_part(&text).to_string(),
                });
                heard.recount_margin = margin;
            }
        }
        out.push(heard);
    }
    Ok(out)
}

/// A number longer than a local one that the hearing within the
/// recording (`heard`, made on `within`) wrote with exactly the first
/// pass's digits, of a count no phone number has: its readings (see
/// [`phone::recount`]) weighed on that same encoding, their digits only.
/// Returns the best reading and its margin over the next when the margin
/// is [`phone::SURE_WITHIN_MARGIN`] or more; otherwise (or when there is
/// nothing to choose between) None, and the number is heard alone.
fn recount_within(
    transcriber: &mut dyn Transcriber,
    number: &PhoneNumber,
    within: &Cut,
    heard: &str,
    words: &[Word],
) -> Result<Option<(Hearing, f64)>> {
    if number.digits.len() <= MIN_DIGITS || !phone::agrees(number, heard) {
        return Ok(None);
    }
    let Some(recount) = phone::recount(number, heard, &[], words) else {
        return Ok(None);
    };
    if recount.readings.len() < 2 {
        return Ok(None);
    }
    let texts: Vec<String> = recount
        .readings
        .iter()
        .map(|r| digits_part(r).to_string())
        .collect();
    let Some(scores) = transcriber.score_texts(within, &texts)? else {
        return Ok(None);
    };
    Ok(match best(&scores) {
        Some((b, Some(margin))) if margin >= phone::SURE_WITHIN_MARGIN => {
            let reading = Hearing {
                from_s: recount.from_s,
                text: texts[b].clone(),
            };
            Some((reading, margin))
        }
        _ => None,
    })
}

/// The shortest group a first pass caught in a loop is taken to have
/// written twice: a digit or two written again is a run's length, which
/// is the recount's to weigh.
const LOOPED_GROUP: usize = 3;

/// The number as the first pass meant it when it wrote its last digits
/// twice over ("7 1 8 5 5 5 1 0 5 5 5 1 0": 5 5 5 1 0 again, a decoding
/// caught in a loop or a group said again) and the hearing within the
/// recording (`heard`) wrote them once: the same digits without the
/// repeat, which that hearing agrees with.
fn unlooped(number: &PhoneNumber, heard: &str) -> Option<PhoneNumber> {
    let digits = number.digits.as_str();
    (LOOPED_GROUP..=digits.len() / 2)
        .filter(|&k| digits[digits.len() - 2 * k..digits.len() - k] == digits[digits.len() - k..])
        .map(|k| PhoneNumber {
            digits: digits[..digits.len() - k].to_string(),
            ..number.clone()
        })
        .find(|n| phone::agrees(n, heard))
}

/// How many of a recount's best readings are weighed again within the
/// recording: the transcriber scores that many exactly.
const WEIGHED_WITHIN: usize = SCORED_BEST;

/// Weighs the best readings of a recount (by their `scores` on the
/// number's audio alone, `chosen` the best) again on the encoding of the
/// window the number is in, after the words said before it (`within`):
/// their digits only, as the alone hearing's words around them are not
/// these. Returns how much more likely the chosen reading is there than
/// the best of the others (negative: another was more likely).
fn weigh_within(
    transcriber: &mut dyn Transcriber,
    within: &Cut,
    readings: &[String],
    scores: &[f64],
    chosen: usize,
) -> Result<Option<f64>> {
    let mut order: Vec<usize> = (0..readings.len()).filter(|&i| i != chosen).collect();
    order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]));
    order.truncate(WEIGHED_WITHIN - 1);
    order.insert(0, chosen);
    let texts: Vec<String> = order
        .iter()
        .map(|&i| digits_part(&readings[i]).to_string())
        .collect();
    let Some(within) = transcriber.score_texts(within, &texts)? else {
        return Ok(None);
    };
    let Some((&kept, others)) = within.split_first() else {
        return Ok(None);
    };
    let others = others.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Ok((kept.is_finite() && others.is_finite()).then_some(kept - others))
}

/// A reading's text from its first digit to its last.
fn digits_part(text: &str) -> &str {
    let from = text.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
    let to = text
        .rfind(|c: char| c.is_ascii_digit())
        .map_or(from, |i| i + 1);
    &text[from..to]
}

/// Where a hearing of `number` starts, and the words it takes as said
/// from there: the first pass's last few words before the number (none
/// with digits, none before `not_before_s`), or none, from a little before
/// the number.
fn lead(words: &[Word], number: &PhoneNumber, not_before_s: f64) -> (f64, String) {
    let first = words
        .iter()
        .position(|w| w.start_s >= number.start_s - 1e-6)
        .unwrap_or(words.len());
    let mut taken: Vec<&Word> = Vec::new();
    let mut next_start = number.start_s;
    for w in words[..first].iter().rev().take(LEAD_WORDS) {
        let usable = !w.text.contains(|c: char| c.is_ascii_digit())
            && w.start_s >= not_before_s
            && w.start_s >= number.start_s - LEAD_WITHIN_S
            && next_start - w.end_s <= LEAD_GAP_S;
        if !usable {
            break;
        }
        next_start = w.start_s;
        taken.push(w);
    }
    match taken.last() {
        Some(first) => {
            let text: Vec<&str> = taken.iter().rev().map(|w| w.text.as_str()).collect();
            (first.start_s, text.join(" "))
        }
        None => (
            (number.start_s - START_BEFORE_S).max(not_before_s),
            String::new(),
        ),
    }
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

/// The index of the highest finite score, and by how much it beats the
/// next (None when it is the only one).
fn best(scores: &[f64]) -> Option<(usize, Option<f64>)> {
    let mut ranked: Vec<(usize, f64)> = scores
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, s)| s.is_finite())
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (first, top) = *ranked.first()?;
    Some((first, ranked.get(1).map(|(_, next)| top - next)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio;
    use crate::transcribe::Transcript;

    /// Writes down every stretch it is asked to hear again: where it
    /// starts and ends, its lead, and whether alone; hears `heard` there.
    #[derive(Default)]
    struct Cuts {
        cuts: Vec<(f64, f64, String, bool)>,
        heard: &'static str,
    }

    impl Transcriber for Cuts {
        fn transcribe(&mut self, _audio: &Mono16k) -> Result<Transcript> {
            Ok(Transcript::default())
        }
        fn hear_digits(&mut self, cut: &Cut) -> Result<Option<String>> {
            let c = (cut.from_s, cut.to_s, cut.lead.to_string(), cut.alone);
            self.cuts.push(c);
            Ok(Some(self.heard.to_string()))
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

    type Heard = (Vec<(f64, f64, String, bool)>, Vec<Hearings>);

    fn heard_as(words: &[Word], heard: &'static str) -> Heard {
        let audio = Mono16k::from_resampled(vec![0.0; 30 * audio::MODEL_RATE as usize]);
        let mut cuts = Cuts {
            heard,
            ..Cuts::default()
        };
        let numbers = phone::find_phone_numbers(words);
        let hearings = hear_numbers_again(&audio, words, &numbers, &mut cuts).unwrap();
        (cuts.cuts, hearings)
    }

    /// The stretches heard when no hearing confirms the first pass.
    fn cuts_of(words: &[Word]) -> Heard {
        heard_as(words, "")
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn a_number_without_an_area_code_is_heard_again_with_the_seconds_before_it() {
        let seven = |start_s| digits_at("5 5 5 0 1 4 7", start_s);
        let ten = |start_s| digits_at("6 1 2 5 5 5 0 1 4 7", start_s);
        let end = |start_s: f64, n: usize| start_s + 0.3 * (n - 1) as f64 + 0.25 + REHEAR_MARGIN_S;
        // Seven digits at 5 s: heard in the recording, then alone, then
        // alone from 2 s before.
        let (cuts, hearings) = cuts_of(&seven(5.0));
        assert_eq!(cuts.len(), 3);
        assert!(
            close(cuts[0].0, 5.0 - START_BEFORE_S) && !cuts[0].3,
            "{cuts:?}"
        );
        assert!(
            close(cuts[1].0, 5.0 - REHEAR_MARGIN_S) && cuts[1].3,
            "{cuts:?}"
        );
        let wider_s = 5.0 - AREA_CODE_BEFORE_S - REHEAR_MARGIN_S;
        assert!(close(cuts[2].0, wider_s) && cuts[2].3, "{cuts:?}");
        assert!(cuts.iter().all(|c| close(c.1, end(5.0, 7))), "{cuts:?}");
        assert!(close(hearings[0].wider.as_ref().unwrap().from_s, 3.0));
        // Not from before the recording's start, nor from the number before.
        let (cuts, _) = cuts_of(&seven(1.0));
        assert!(close(cuts[2].0, -REHEAR_MARGIN_S), "{cuts:?}");
        let mut words = ten(0.0);
        words.extend(digits_at("or", 4.0));
        words.extend(seven(5.0));
        let (cuts, hearings) = cuts_of(&words);
        assert_eq!(cuts.len(), 5, "{cuts:?}");
        let after_ten = phone::find_phone_numbers(&words)[0].end_s + 2.0 * REHEAR_MARGIN_S;
        assert_eq!(hearings[1].number, 1);
        assert!(close(hearings[1].wider.as_ref().unwrap().from_s, after_ten));
        // A full number is heard twice, or once when the first hearing
        // confirms it.
        assert_eq!(cuts_of(&ten(5.0)).0.len(), 2);
        assert_eq!(heard_as(&ten(5.0), "6 1 2, 5 5 5, 0 1 4 7.").0.len(), 1);
    }

    #[test]
    fn a_hearing_starts_from_the_words_said_right_before_the_number() {
        let mut words = digits_at("Hi it's Sam. My number is", 1.0);
        words.extend(digits_at("6 1 2 5 5 5 0 1 4 7", 2.8));
        let (cuts, _) = cuts_of(&words);
        assert_eq!(cuts[0].2, "My number is");
        assert!(close(cuts[0].0, 1.0 + 0.3 * 3.0), "{cuts:?}");
        // Alone: from a margin before the number, with no lead.
        assert_eq!(cuts[1].2, "");
        assert!(close(cuts[1].0, 2.8 - REHEAR_MARGIN_S), "{cuts:?}");
        // A pause before the number: no lead.
        let mut words = digits_at("My number is", 1.0);
        words.extend(digits_at("6 1 2 5 5 5 0 1 4 7", 4.0));
        let (cuts, _) = cuts_of(&words);
        assert_eq!(cuts[0].2, "");
        assert!(close(cuts[0].0, 4.0 - START_BEFORE_S), "{cuts:?}");
    }

    /// Hears the first number's stretches (before 5 s) as `first`, the
    /// others' as `second`; writes down whether each was heard alone.
    struct Sayings {
        first: &'static str,
        second: &'static str,
        alone: Vec<bool>,
    }

    impl Transcriber for Sayings {
        fn transcribe(&mut self, _audio: &Mono16k) -> Result<Transcript> {
            Ok(Transcript::default())
        }
        fn hear_digits(&mut self, cut: &Cut) -> Result<Option<String>> {
            self.alone.push(cut.alone);
            let text = if cut.from_s < 5.0 {
                self.first
            } else {
                self.second
            };
            Ok(Some(text.to_string()))
        }
    }

    #[test]
    fn a_number_said_again_alike_after_a_confirmed_saying_is_not_heard_alone() {
        let audio = Mono16k::from_resampled(vec![0.0; 30 * audio::MODEL_RATE as usize]);
        let mut words = digits_at("6 1 2 5 5 5 0 1 4 7", 1.0);
        words.extend(digits_at("Again, that's", 5.0));
        words.extend(digits_at("6 1 2 5 5 5 0 1 4 7", 6.0));
        let numbers = phone::find_phone_numbers(&words);
        assert_eq!(numbers.len(), 2);
        let heard = |first| {
            let mut t = Sayings {
                first,
                second: "6 1 2 5 5 0 1 4 7.",
                alone: Vec::new(),
            };
            let hearings = hear_numbers_again(&audio, &words, &numbers, &mut t).unwrap();
            (t.alone, hearings)
        };
        // The first saying confirmed: the second's hearing within the
        // recording, which dropped a 5, is kept, and it is not heard alone.
        let (alone, hearings) = heard("6 1 2, 5 5 5, 0 1 4 7.");
        assert_eq!(alone, [false, false]);
        assert_eq!(hearings.len(), 2);
        assert_eq!(hearings[1].number, 1);
        assert!(hearings[1].again.is_none());
        let within = hearings[1].in_context.as_ref().unwrap();
        assert_eq!(within.text, "6 1 2 5 5 0 1 4 7.");
        // The first saying not confirmed: each is heard alone as well.
        let (alone, _) = heard("6 1 2, 5 5 5, 0 1 4.");
        assert_eq!(alone, [false, true, false, true]);
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
        fn hear_digits(&mut self, cut: &Cut) -> Result<Option<String>> {
            self.heard += 1;
            // The number starts at 5 s; the wider cut 2 s before.
            let text = if cut.from_s > 4.0 {
                self.narrow
            } else {
                self.wider
            };
            Ok(Some(text.to_string()))
        }
        fn score_texts(&mut self, _cut: &Cut, texts: &[String]) -> Result<Option<Vec<f64>>> {
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

    /// Hears a number of 9 digits again as `heard`, so that it is
    /// recounted; scores the readings on the audio alone `step` apart in
    /// their order, and within the recording the first `within` above the
    /// rest.
    struct Weighs {
        heard: &'static str,
        step: f64,
        within: f64,
        scored: Vec<(bool, String, Vec<String>)>,
    }

    impl Transcriber for Weighs {
        fn transcribe(&mut self, _audio: &Mono16k) -> Result<Transcript> {
            Ok(Transcript::default())
        }
        fn hear_digits(&mut self, _cut: &Cut) -> Result<Option<String>> {
            Ok(Some(self.heard.to_string()))
        }
        fn score_texts(&mut self, cut: &Cut, texts: &[String]) -> Result<Option<Vec<f64>>> {
            self.scored
                .push((cut.alone, cut.lead.to_string(), texts.to_vec()));
            let scores = (0..texts.len()).map(|i| match (cut.alone, i) {
                (true, i) => -(i as f64) * self.step,
                (false, 0) => 0.0,
                (false, _) => -self.within,
            });
            Ok(Some(scores.collect()))
        }
    }

    type Weighed = (Vec<(bool, String, Vec<String>)>, Hearings);

    /// The first pass's "call me at 1 2 5 5 5 0 1 4 7" heard again by
    /// [`Weighs`].
    fn weighed(heard: &'static str, step: f64, within: f64) -> Weighed {
        weighed_after("1 2 5 5 5 0 1 4 7", heard, step, within)
    }

    /// The first pass's "call me at" and `first` heard again by [`Weighs`].
    fn weighed_after(first: &str, heard: &'static str, step: f64, within: f64) -> Weighed {
        let audio = Mono16k::from_resampled(vec![0.0; 30 * audio::MODEL_RATE as usize]);
        let mut words = digits_at("call me at", 2.0);
        words.extend(digits_at(first, 3.0));
        let numbers = phone::find_phone_numbers(&words);
        let mut t = Weighs {
            heard,
            step,
            within,
            scored: Vec::new(),
        };
        let hearings = hear_numbers_again(&audio, &words, &numbers, &mut t).unwrap();
        (t.scored, hearings.into_iter().next().unwrap())
    }

    /// Whether a text runs from a digit to a digit.
    fn digits_only(text: &str) -> bool {
        text.starts_with(|c: char| c.is_ascii_digit())
            && text.ends_with(|c: char| c.is_ascii_digit())
    }

    #[test]
    fn a_recount_not_won_by_far_is_weighed_again_within_the_recording() {
        // Written as a 7-digit number with two digits apart before it: not
        // the first pass's 9 digits, so heard alone at once.
        let heard = "at 1 2, 5 5 5, 0 1 4 7. Thanks";
        let (scored, heard) = weighed(heard, 1.0, 3.0);
        assert_eq!(scored.len(), 2, "{scored:?}");
        assert!(scored[0].0 && scored[0].2.len() > WEIGHED_WITHIN);
        // Within the recording, after the words before the number: the
        // best readings by the first weighing, the chosen one first, their
        // digits only.
        let (alone, lead, texts) = &scored[1];
        assert!(!alone);
        assert_eq!(lead, "call me at");
        assert_eq!(texts.len(), WEIGHED_WITHIN);
        assert_eq!(texts[0], digits_part(&scored[0].2[0]));
        assert_eq!(texts[1], digits_part(&scored[0].2[1]));
        assert!(texts.iter().all(|t| digits_only(t)));
        assert_eq!(heard.recount_margin, Some(1.0));
        assert_eq!(heard.recount_within_margin, Some(3.0));
        // Won by far on the audio alone: not weighed again.
        let (scored, heard) = weighed(
            "at 1 2, 5 5 5, 0 1 4 7. Thanks",
            phone::SURE_RECOUNT_MARGIN,
            3.0,
        );
        assert_eq!(scored.len(), 1);
        assert_eq!(heard.recount_within_margin, None);
    }

    #[test]
    fn a_number_both_hearings_wrote_alike_is_recounted_within_the_recording_first() {
        // The hearing within the recording wrote the first pass's 9 digits:
        // every reading is weighed there, after the words before the
        // number, its digits only; one that wins by far is taken, and the
        // number is not heard alone.
        let nine = "at 1 2 5 5 5 0 1 4 7. Thanks";
        let (scored, heard) = weighed(nine, 1.0, phone::SURE_WITHIN_MARGIN);
        assert_eq!(scored.len(), 1, "{scored:?}");
        let (alone, lead, texts) = &scored[0];
        assert!(!alone);
        assert_eq!(lead, "call me at");
        assert!(texts.len() > WEIGHED_WITHIN);
        assert!(texts.iter().all(|t| digits_only(t)));
        assert!(heard.again.is_none());
        let recount = heard.recount.as_ref().unwrap();
        assert_eq!(digits_part(&recount.text), texts[0]);
        assert_eq!(heard.recount_margin, None);
        assert_eq!(heard.recount_within_margin, Some(phone::SURE_WITHIN_MARGIN));
        assert_eq!(heard.in_context.unwrap().text, nine);
        // Not by far: heard alone and weighed as before, after.
        let within = phone::SURE_WITHIN_MARGIN - 0.5;
        let (scored, heard) = weighed(nine, 1.0, within);
        let alone: Vec<bool> = scored.iter().map(|s| s.0).collect();
        assert_eq!(alone, [false, true, false], "{scored:?}");
        assert!(heard.again.is_some());
        assert_eq!(heard.recount_margin, Some(1.0));
        assert_eq!(heard.recount_within_margin, Some(within));
    }

    #[test]
    fn a_first_pass_that_wrote_its_last_group_twice_is_recounted_within_the_recording() {
        // The first pass caught in a loop wrote "0 1 4 7" twice; the hearing
        // within the recording wrote the 9 digits once: they agree on those,
        // and the number is recounted there, not heard alone.
        let nine = "at 1 2 5 5 5 0 1 4 7. Thanks";
        let looped = "1 2 5 5 5 0 1 4 7 0 1 4 7";
        let (scored, heard) = weighed_after(looped, nine, 1.0, phone::SURE_WITHIN_MARGIN);
        let alone: Vec<bool> = scored.iter().map(|s| s.0).collect();
        assert_eq!(alone, [false], "{scored:?}");
        assert!(heard.again.is_none());
        assert_eq!(heard.recount_within_margin, Some(phone::SURE_WITHIN_MARGIN));
        // Digits after the nine that are no repeat of the last ones (nor
        // a run one digit longer, the recount's to weigh): heard alone.
        for first in ["1 2 5 5 5 0 1 4 7 0 2 4 7", "1 2 5 5 5 0 1 4 7 7"] {
            let (_, heard) = weighed_after(first, nine, 1.0, phone::SURE_WITHIN_MARGIN);
            assert!(heard.again.is_some(), "{first}");
        }
    }

    #[test]
    fn a_recount_keeps_its_readings_digits_not_the_words_heard_around_them() {
        // "... eight oh oh oh" heard alone as "8 0 0 o'clock": the reading
        // chosen ends "8 0 0 0", and its last digit is no time of day.
        let heard = "at 1 2, 5 5 5, 0 1 4 7 o'clock. Thanks";
        let (_, heard) = weighed(heard, phone::SURE_RECOUNT_MARGIN, 3.0);
        let recount = heard.recount.unwrap();
        assert!(digits_only(&recount.text), "{}", recount.text);
        let found = phone::find_phone_numbers(&digits_at(&recount.text, 0.0));
        assert_eq!(found.len(), 1, "{}", recount.text);
        assert_eq!(found[0].digits.len(), phone::RECOUNT_DIGITS);
    }

    #[test]
    fn a_readings_digits_run_from_its_first_digit_to_its_last() {
        assert_eq!(
            digits_part("at 3 3 1, 9 0 0, 3 6 6 2. Thanks"),
            "3 3 1, 9 0 0, 3 6 6 2"
        );
        assert_eq!(digits_part("no digits"), "");
    }
}
