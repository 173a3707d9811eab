//! The steps every use shares: file -> mono audio -> 16 kHz -> transcript.

use std::path::Path;

use crate::audio::{self, levels, Audio, Mono16k};
use crate::error::Result;
use crate::transcribe::{Rehearing, Transcriber, Transcript};

/// A recording ready for analysis.
pub struct Heard {
    pub audio: Audio,
    pub mono16k: Mono16k,
    pub levels: levels::Levels,
    pub transcript: Transcript,
}

/// Decodes, resamples and transcribes one file.
pub fn hear_file(
    path: &Path,
    max_seconds: f64,
    transcriber: &mut dyn Transcriber,
) -> Result<Heard> {
    let audio = audio::load(path, max_seconds)?;
    hear(audio, transcriber)
}

/// Resamples and transcribes decoded audio, then hears each phone number
/// a second time (see [`rehear_numbers`]).
pub fn hear(audio: Audio, transcriber: &mut dyn Transcriber) -> Result<Heard> {
    let mono16k = audio::resample::to_16k(&audio)?;
    let levels = levels::measure(mono16k.samples(), audio::MODEL_RATE);
    let mut transcript = transcriber.transcribe(&mono16k)?;
    transcript.rehearings = rehear_numbers(&mono16k, &transcript.words, transcriber)?;
    Ok(Heard {
        audio,
        mono16k,
        levels,
        transcript,
    })
}

/// Audio kept on each side of a number when it is heard again: enough for
/// the words around it to give the decoder context.
const REHEAR_MARGIN_S: f64 = 0.6;

/// How much more audio a number shorter than a phone number is heard
/// again with: the rest of a number said in groups.
const SHORT_NUMBER_MORE_S: f64 = 3.0;

/// How much more audio before it a number without an area code is heard
/// again with: time for three digits said slowly.
const AREA_CODE_BEFORE_S: f64 = 2.0;

/// Cuts each phone number of the first pass (with a margin) out of the
/// audio and has the transcriber decode it again for digits. When neither
/// hearing has a count a phone number can have, or two full numbers
/// disagree, the readings of a full number's count near them are put to the
/// model, and the one that fits the audio best is kept (see
/// `analysis::phone::recount`). A 7-digit number is also heard from
/// [`AREA_CODE_BEFORE_S`] before it, for an area code written as words;
/// when that hearing writes one of the readings, it is kept unscored.
/// The analysis compares the hearings (see `analysis::phone::judge`).
pub fn rehear_numbers(
    audio: &Mono16k,
    words: &[crate::transcribe::Word],
    transcriber: &mut dyn Transcriber,
) -> Result<Vec<Rehearing>> {
    let cut =
        |from_s: f64, to_s: f64| audio.between(from_s - REHEAR_MARGIN_S, to_s + REHEAR_MARGIN_S);
    let mut out = Vec::new();
    let numbers = crate::analysis::phone::find_phone_numbers(words);
    // How far a widened cut around number `i` may reach: not into the
    // numbers on either side, margins included.
    let room = |i: usize| {
        let after_previous = i
            .checked_sub(1)
            .map_or(0.0, |p| numbers[p].end_s + 2.0 * REHEAR_MARGIN_S);
        let before_next = numbers
            .get(i + 1)
            .map_or(f64::INFINITY, |n| n.start_s - 2.0 * REHEAR_MARGIN_S);
        (after_previous, before_next)
    };
    for (i, number) in numbers.iter().enumerate() {
        // A number cut short after its cue ("my number is 4 4 4 8 2 0. I'm
        // I'm"): the rest may have been said but written otherwise. Not
        // into the next number, though.
        let end_s = if number.digits.len() < crate::analysis::phone::MIN_DIGITS {
            (number.end_s + SHORT_NUMBER_MORE_S)
                .min(room(i).1)
                .max(number.end_s)
        } else {
            number.end_s
        };
        let Some(text) = transcriber.hear_digits(&cut(number.start_s, end_s))? else {
            break; // this transcriber has no second hearing
        };
        let recount = crate::analysis::phone::recount(number, &text, words);
        out.push(Rehearing {
            start_s: number.start_s,
            end_s: number.end_s,
            text,
            count: None,
        });
        // A number without its area code may have lost it to words the
        // first pass wrote for it ("Oh, here you go 9 0 1 1 0 0 5"): it is
        // heard once more with the seconds before it, not from the number
        // before.
        let mut wider = None;
        if number.digits.len() == crate::analysis::phone::MIN_DIGITS {
            let start_s = (number.start_s - AREA_CODE_BEFORE_S).max(room(i).0);
            if start_s < number.start_s {
                if let Some(text) = transcriber.hear_digits(&cut(start_s, number.end_s))? {
                    wider = Some(text.clone());
                    out.push(Rehearing {
                        start_s,
                        end_s: number.end_s,
                        text,
                        count: None,
                    });
                }
            }
        }
        let Some(recount) = recount else {
            continue;
        };
        let chosen = match wider.as_deref().and_then(|w| recount.written_in(w)) {
            // The wider hearing wrote one of the readings itself: two
            // hearings agree on it, and it is taken without scoring.
            Some(text) => text.clone(),
            None => {
                let heard = cut(recount.from_s, number.end_s);
                let Some(scores) = transcriber.score_texts(&heard, &recount.readings)? else {
                    continue;
                };
                let best = scores
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.is_finite())
                    .max_by(|a, b| a.1.total_cmp(b.1))
                    .map(|(i, _)| i);
                let Some(best) = best else {
                    continue;
                };
                recount.readings[best].clone()
            }
        };
        out.push(Rehearing {
            start_s: recount.from_s,
            end_s: number.end_s,
            text: chosen,
            count: Some(crate::analysis::phone::RECOUNT_DIGITS),
        });
    }
    Ok(out)
}

/// What the caller tells us about the message.
#[derive(Debug, Clone)]
pub struct CoachOptions {
    /// `None`: infer it from what was said.
    pub kind: Option<crate::analysis::Kind>,
    pub attempt: u32,
    pub expect_number: Option<String>,
    pub expect_name: Option<String>,
    pub rules: crate::analysis::RuleSet,
    pub max_seconds: f64,
}

impl Default for CoachOptions {
    fn default() -> Self {
        CoachOptions {
            kind: None,
            attempt: 1,
            expect_number: None,
            expect_name: None,
            rules: crate::analysis::RuleSet::default_rules(),
            max_seconds: audio::DEFAULT_MAX_SECONDS,
        }
    }
}

/// Speaking rate assumed for a written script.
pub const SCRIPT_WPM: f64 = 150.0;

fn analysis_input<'a>(
    words: &'a [crate::transcribe::Word],
    rehearings: &'a [Rehearing],
    duration_s: f64,
    levels: Option<&'a levels::Levels>,
    options: &'a CoachOptions,
) -> crate::analysis::AnalysisInput<'a> {
    crate::analysis::AnalysisInput {
        words,
        rehearings,
        duration_s,
        voiced: levels.map(|l| l.voiced.as_slice()).unwrap_or(&[]),
        kind: options.kind,
        attempt: options.attempt,
        expect_number: options.expect_number.as_deref(),
        expect_name: options.expect_name.as_deref(),
        rules: &options.rules,
    }
}

/// The report for a recording that has been heard.
pub fn coach_heard(source: String, heard: &Heard, options: &CoachOptions) -> crate::report::Report {
    let words = &heard.transcript.words;
    let duration = heard.audio.duration_s();
    let analysis = crate::analysis::analyze(&analysis_input(
        words,
        &heard.transcript.rehearings,
        duration,
        Some(&heard.levels),
        options,
    ));
    let quality = crate::analysis::quality::assess(&heard.levels);
    crate::report::Report::new(
        source,
        duration,
        words.clone(),
        analysis,
        options.attempt,
        Some(quality),
        false,
    )
}

/// What the HTML page of a heard recording shows besides its report: the
/// audio the model heard (drawn and played) and the window the phone number
/// belongs in.
pub fn page_extras(heard: &Heard, options: &CoachOptions) -> crate::report::html::Extras {
    crate::report::html::Extras {
        recording: Some(crate::report::html::Recording::new(
            heard.mono16k.samples(),
            audio::MODEL_RATE,
        )),
        number_window_s: options
            .rules
            .rule("number-early")
            .map(|r| r.param("within_s", crate::analysis::rules::checks::NUMBER_WINDOW_S)),
        takes: Vec::new(),
    }
}

/// Decode, transcribe and analyse one recording.
pub fn coach_file(
    path: &Path,
    transcriber: &mut dyn Transcriber,
    options: &CoachOptions,
) -> Result<crate::report::Report> {
    let heard = hear_file(path, options.max_seconds, transcriber)?;
    Ok(coach_heard(path.display().to_string(), &heard, options))
}

/// The report for a written script, word times estimated at [`SCRIPT_WPM`].
pub fn coach_script(source: String, script: &str, options: &CoachOptions) -> crate::report::Report {
    let words = crate::analysis::estimate_words(script, SCRIPT_WPM);
    let duration = words.last().map(|w| w.end_s).unwrap_or(0.0);
    let analysis = crate::analysis::analyze(&analysis_input(&words, &[], duration, None, options));
    crate::report::Report::new(
        source,
        duration,
        words,
        analysis,
        options.attempt,
        None,
        true,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcribe::Word;

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
            let rehearings = rehear_numbers(&audio, words, &mut cuts).unwrap();
            (cuts.0, rehearings)
        };
        let span = 0.3 * 6.0 + 0.25 + 2.0 * REHEAR_MARGIN_S;
        // Seven digits at 5 s: heard as they are, then from 2 s before.
        let (cuts, rehearings) = heard(&seven(5.0));
        assert_eq!(cuts.len(), 2);
        assert!((cuts[0] - span).abs() < 1e-3, "{cuts:?}");
        assert!(
            (cuts[1] - span - AREA_CODE_BEFORE_S).abs() < 1e-3,
            "{cuts:?}"
        );
        assert!((rehearings[1].start_s - 3.0).abs() < 1e-9);
        // Not from before the recording's start, nor from the number before.
        let (cuts, _) = heard(&seven(1.0));
        assert!(
            (cuts[1] - span - 1.0 + REHEAR_MARGIN_S).abs() < 1e-3,
            "{cuts:?}"
        );
        let mut words = ten(0.0);
        words.extend(digits_at("or", 4.0));
        words.extend(seven(5.0));
        let (cuts, rehearings) = heard(&words);
        assert_eq!(cuts.len(), 3, "{cuts:?}");
        let after_ten = rehearings[0].end_s + 2.0 * REHEAR_MARGIN_S;
        assert!((rehearings[2].start_s - after_ten).abs() < 1e-9);
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
            let rehearings = rehear_numbers(&audio, &words, &mut t).unwrap();
            let last = rehearings.last().unwrap().clone();
            assert_eq!(last.count, Some(crate::analysis::phone::RECOUNT_DIGITS));
            (t.scored, last.text)
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
