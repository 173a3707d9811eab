//! A take's words made of what was heard while it was recorded and the
//! last words, heard after the stop.
//!
//! The live worker hears the take so far at its pauses; its last hearing
//! (the words, and their numbers heard again) stands for the take up to the
//! first voice it did not cover. Only the rest, from a little before that
//! voice, is heard after the stop, with the seconds before it as context
//! (their words are not kept), and joined on. A number said across the
//! join is not joined: the caller hears the whole take then.

use super::hear_numbers_again;
use crate::analysis::phone::{find_phone_numbers, Hearing, Hearings};
use crate::audio::levels::Levels;
use crate::audio::Mono16k;
use crate::error::Result;
use crate::transcribe::{last_word_limit, Transcriber, Transcript};

/// The take so far as the worker last heard it.
pub(super) struct Latest {
    pub mono16k: Mono16k,
    pub transcript: Transcript,
    /// Its numbers heard again, once every one's cut had come whole.
    pub hearings: Option<Vec<Hearings>>,
}

/// Audio kept before the first voice not heard (as pieces keep it).
const PAD_BEFORE_S: f64 = 0.3;

/// Audio before the join heard with the last words, as context: the
/// words said just before change how the model hears the next ones (a
/// few seconds heard alone came out with more fillers and other words).
const CONTEXT_S: f64 = 10.0;

/// Where the words not heard yet begin in a take of `levels`, heard up to
/// `heard_s`: a little before its first voiced stretch that runs past
/// `heard_s`, never into the stretch before it. None: every voice was heard.
pub(super) fn join_at(levels: &Levels, heard_s: f64) -> Option<f64> {
    let i = levels.voiced.iter().position(|&(_, end)| end > heard_s)?;
    let before = i.checked_sub(1).map_or(0.0, |j| levels.voiced[j].1);
    Some((levels.voiced[i].0 - PAD_BEFORE_S).max(before).max(0.0))
}

/// The take (`mono16k`, its voice in `levels`) heard as `latest` up to
/// the first voice it did not cover, then the rest heard now on
/// `transcriber`, with every number heard again. None when a number runs
/// across the join, or when there is a rest and `rest_too` is false.
pub(super) fn splice(
    latest: Latest,
    mono16k: &Mono16k,
    levels: &Levels,
    transcriber: &mut dyn Transcriber,
    rest_too: bool,
) -> Result<Option<(Transcript, Vec<Hearings>)>> {
    let join_s = join_at(levels, latest.mono16k.duration_s()).unwrap_or(f64::INFINITY);
    if join_s.is_finite() && !rest_too {
        return Ok(None);
    }
    let heard_numbers = find_phone_numbers(&latest.transcript.words);
    let mut transcript = latest.transcript.starting(|s| s < join_s);
    let numbers = find_phone_numbers(&transcript.words);
    // The worker's hearings hold while the words dropped held no number.
    let mut hearings = match latest.hearings {
        Some(h) if heard_numbers == numbers => h,
        _ => hear_numbers_again(&latest.mono16k, &transcript.words, &numbers, transcriber)?,
    };
    if join_s.is_infinite() {
        end_as_in_the_take(&mut transcript, &latest.mono16k, mono16k, levels);
    } else {
        // The last words with the seconds before them, as context: only
        // the words from the join on are kept.
        let from_s = (join_s - CONTEXT_S).max(0.0);
        let tail = mono16k.between(from_s, mono16k.duration_s());
        let heard = transcriber
            .transcribe(&tail)?
            .starting(|s| s >= join_s - from_s);
        let tail_numbers = find_phone_numbers(&heard.words);
        let tail_hearings = hear_numbers_again(&tail, &heard.words, &tail_numbers, transcriber)?;
        let heard = heard.shifted(from_s);
        transcript.words.extend(heard.words);
        transcript.segments.extend(heard.segments);
        if find_phone_numbers(&transcript.words).len() != numbers.len() + tail_numbers.len() {
            return Ok(None);
        }
        hearings.extend(
            tail_hearings
                .into_iter()
                .map(|h| later(h, numbers.len(), from_s)),
        );
    }
    Ok(Some((transcript, hearings)))
}

/// How close to the end of the audio heard, or to its voice's limit, a
/// word's end counts as cut off there.
const CUT_OFF_WITHIN_S: f64 = 0.05;

/// The last word of a hearing (of `heard`) that covered every voice of the
/// take, when it was cut off: at the end of the audio heard, or at the
/// limit the voice measured on that audio sets (see
/// [`crate::transcribe::last_word_limit`]). It then ends at the limit the
/// whole take (`mono16k`, its voice in `levels`) sets, as hearing the
/// saved take would make it: whisper.cpp's word times run a last word on
/// to the end of the audio, so the limit is what ends it there. The voice
/// of the part heard can end earlier or later than on the whole take,
/// whose quiet frames set another floor: "Thanks." ended at 14.3 s heard
/// live, 14.4 s heard from the saved take.
fn end_as_in_the_take(
    transcript: &mut Transcript,
    heard: &Mono16k,
    mono16k: &Mono16k,
    levels: &Levels,
) {
    let Some(last) = transcript.words.last_mut() else {
        return;
    };
    let near = |s: f64| (last.end_s - s).abs() <= CUT_OFF_WITHIN_S;
    // The heard audio's voice is measured only when the word did not run
    // to its end.
    let cut_off = last.end_s >= heard.duration_s() - CUT_OFF_WITHIN_S || {
        let heard_levels = crate::audio::levels::measure(heard.samples(), crate::audio::MODEL_RATE);
        last_word_limit(last, &heard_levels.voiced).is_some_and(near)
    };
    if !cut_off {
        return;
    }
    if let Some(limit) = last_word_limit(last, &levels.voiced) {
        last.end_s = limit.min(mono16k.duration_s()).max(last.start_s);
    }
}

/// A hearing of the last words' number `h.number`, as a hearing of the
/// take's: numbered after the `earlier` numbers, its times `by` later.
fn later(h: Hearings, earlier: usize, by: f64) -> Hearings {
    let shift = |x: Option<Hearing>| {
        x.map(|x| Hearing {
            from_s: x.from_s + by,
            ..x
        })
    };
    Hearings {
        number: h.number + earlier,
        again: shift(h.again),
        in_context: shift(h.in_context),
        wider: shift(h.wider),
        recount: shift(h.recount),
        recount_margin: h.recount_margin,
        recount_within_margin: h.recount_within_margin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels(voiced: &[(f64, f64)]) -> Levels {
        Levels {
            peak_dbfs: -3.0,
            rms_dbfs: -20.0,
            clipped_share: 0.0,
            noise_floor_dbfs: -60.0,
            voiced: voiced.to_vec(),
        }
    }

    #[test]
    fn the_join_is_a_little_before_the_first_voice_not_heard() {
        let l = levels(&[(0.4, 3.9), (4.5, 7.5), (8.1, 10.6)]);
        let at = join_at(&l, 8.0).unwrap();
        assert!((at - 7.8).abs() < 1e-9, "{at}");
        assert_eq!(join_at(&l, 10.6), None, "all of it heard");
        // Never into the stretch before.
        let l = levels(&[(0.4, 7.6), (7.7, 10.6)]);
        assert!((join_at(&l, 8.0).unwrap() - 7.6).abs() < 1e-9);
        // A stretch the hearing cut in two is heard again whole.
        let l = levels(&[(0.4, 3.0), (5.0, 9.0)]);
        assert!((join_at(&l, 6.0).unwrap() - 4.7).abs() < 1e-9);
    }

    /// `len_s` of audio, silent but for a tone from 10 s to `voice_to_s`.
    fn heard(len_s: f64, voice_to_s: f64) -> Mono16k {
        let rate = crate::audio::MODEL_RATE as f64;
        let samples = (0..(len_s * rate) as usize)
            .map(|i| {
                let t = i as f64 / rate;
                let on = (10.0..voice_to_s).contains(&t);
                if on {
                    (0.3 * (t * 200.0 * std::f64::consts::TAU).sin()) as f32
                } else {
                    0.0
                }
            })
            .collect();
        Mono16k::from_resampled(samples)
    }

    #[test]
    fn a_last_word_cut_off_in_the_hearing_ends_as_in_the_take() {
        let take = Mono16k::from_resampled(vec![0.0; 16 * crate::audio::MODEL_RATE as usize]);
        // The whole take's voice ends at 14.1 s: a last word ends by 14.4 s.
        let l = levels(&[(0.4, 9.0), (10.0, 14.1)]);
        let ended = |end_s: f64, heard: &Mono16k, take: &Mono16k| {
            let mut t = Transcript {
                words: vec![crate::transcribe::Word {
                    text: "Thanks.".into(),
                    start_s: 13.96,
                    end_s,
                    confidence: 0.9,
                }],
                segments: Vec::new(),
            };
            end_as_in_the_take(&mut t, heard, take, &l);
            t.words[0].end_s
        };
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        // Heard up to 14.3 s, and run to the end of it.
        assert!(close(ended(14.3, &heard(14.3, 14.0), &take), 14.4));
        // Heard up to 14.6 s, whose voice ends at 13.9 s: cut at 14.2 s.
        assert!(close(ended(14.2, &heard(14.6, 13.9), &take), 14.4));
        // Ended before either: as heard.
        assert!(close(ended(14.0, &heard(14.6, 13.9), &take), 14.0));
        // Never past the take's end.
        let short = Mono16k::from_resampled(vec![0.0; (14.25 * 16_000.0) as usize]);
        assert!(close(ended(14.2, &heard(14.2, 13.9), &short), 14.25));
    }

    #[test]
    fn the_last_words_numbers_come_after_the_takes_and_later() {
        let h = Hearings {
            number: 0,
            again: Some(Hearing {
                from_s: 1.0,
                text: "5 0 3".into(),
            }),
            recount_margin: Some(4.5),
            ..Hearings::default()
        };
        let l = later(h, 2, 7.8);
        assert_eq!(l.number, 2);
        assert!((l.again.unwrap().from_s - 8.8).abs() < 1e-9);
        assert_eq!(l.recount_margin, Some(4.5));
        assert!(l.in_context.is_none());
    }
}
