use super::*;
use crate::audio::resample::resample;
use crate::transcribe::{Cut, Transcript};

const RATE: u32 = 48_000;

/// Stereo at 48 kHz: bursts of tone `speech` s long with `pause` s of
/// near-silence after each, after 0.4 s of it.
fn stereo_talk(parts: &[(f64, f64)]) -> Vec<f32> {
    let n = |s: f64| (s * RATE as f64) as usize;
    let mut mono: Vec<f32> = vec![0.0003; n(0.4)];
    for &(speech, pause) in parts {
        mono.extend((0..n(speech)).map(|i| 0.3 * (i as f32 * 0.07).sin()));
        mono.extend(std::iter::repeat_n(0.0003, n(pause)));
    }
    mono.iter().flat_map(|&s| [s, s * 0.5]).collect()
}

/// Pushes `take` as a microphone gives it, each chunk looked at before
/// the next comes (pushed all at once, how far the worker has got at each
/// look depends on the machine's load).
fn push_as_recorded(live: &LiveTake, take: &[f32]) {
    for chunk in take.chunks(2 * 4800) {
        live.push(chunk);
        live.settle();
    }
}

/// How far each hearing so far reached, seconds.
fn heard_until(live: &LiveTake) -> Vec<f64> {
    live.events()
        .iter()
        .filter_map(|e| match e {
            LiveEvent::Heard { until_s, .. } => Some(*until_s),
            _ => None,
        })
        .collect()
}

/// The saved take: what the recorder wrote, read back.
fn saved(take: &[f32]) -> Audio {
    let samples = take
        .chunks(2)
        .map(|f| wav::to_i16(recorder::take_sample(f)) as f32 / 32768.0)
        .collect();
    Audio {
        samples,
        rate: RATE,
    }
}

/// Hears any audio as "call 5 0 3 5 5 5 0 1 8 2" from 1 s (or
/// `number_at`), then a word a second to its end (unless `number_last`);
/// counts the calls that reach it.
#[derive(Default)]
struct Fake {
    heard: usize,
    digits_asked: usize,
    /// The length of the last audio heard, seconds.
    heard_s: f64,
    number_at: Option<f64>,
    number_last: bool,
    /// The length of the recording each cut was heard in, seconds.
    cuts_in_s: Arc<Mutex<Vec<f64>>>,
}

impl Transcriber for Fake {
    fn transcribe(&mut self, audio: &Mono16k) -> Result<Transcript> {
        self.heard += 1;
        self.heard_s = audio.duration_s();
        let word = |text: &str, start_s: f64| Word {
            text: text.into(),
            start_s,
            end_s: start_s + 0.15,
            confidence: 0.9,
        };
        let mut words: Vec<Word> = "call 5 0 3 5 5 5 0 1 8 2"
            .split(' ')
            .enumerate()
            .map(|(i, t)| word(t, self.number_at.unwrap_or(1.0) + 0.2 * i as f64))
            .collect();
        if !self.number_last {
            words.extend((4..audio.duration_s() as usize).map(|s| word("word", s as f64)));
        }
        Ok(Transcript {
            words,
            segments: Vec::new(),
        })
    }
    /// Within the recording a digit short, so the number is heard alone
    /// too; alone, whole, with the cut's length (so cuts tell apart).
    fn hear_digits(&mut self, cut: &Cut) -> Result<Option<String>> {
        self.digits_asked += 1;
        if let Ok(mut cuts) = self.cuts_in_s.lock() {
            cuts.push(cut.recording.duration_s());
        }
        if !cut.alone {
            return Ok(Some("5 0 3 5 5 0 1 8 2".into()));
        }
        Ok(Some(format!(
            "5 0 3 5 5 5 0 1 8 2 ({})",
            cut.audio().samples().len()
        )))
    }
}

#[test]
fn the_start_of_the_take_resamples_the_same_as_the_whole_take() {
    let x: Vec<f32> = stereo_talk(&[(3.0, 0.5), (2.0, 0.4)])
        .chunks(2)
        .map(|f| f[0])
        .collect();
    let whole = resample(&x, RATE, MODEL_RATE).unwrap();
    for cut in [RATE as usize, 2 * RATE as usize + 777, x.len() - 5000] {
        let part = resample(&x[..cut], RATE, MODEL_RATE).unwrap();
        let trusted = part.len() - (UNSETTLED_S * MODEL_RATE as f64) as usize;
        assert!(
            part[..trusted]
                .iter()
                .zip(&whole)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "cut at {cut}"
        );
    }
}

#[test]
fn the_take_is_heard_at_pauses_and_its_report_is_the_saved_files() {
    // Pushed as a microphone gives it, each chunk looked at before the
    // next comes (pushed all at once, how far the worker has got at each
    // look depends on the machine's load); the take ends in a pause long
    // enough to be its end.
    let take = stereo_talk(&[(3.5, 0.6), (3.0, 0.6), (3.0, 0.6), (2.0, 0.8)]);
    let stop = Arc::new(AtomicBool::new(false));
    let live = LiveTake::new(RATE, 2, Box::new(Fake::default()), stop);
    push_as_recorded(&live, &take);
    let events = live.events();
    let heard = events
        .iter()
        .filter(|e| matches!(e, LiveEvent::Heard { .. }))
        .count();
    assert!(heard >= 1, "{events:?}");
    assert!(
        events.contains(&LiveEvent::Cue(Cue::NumberHeard { at_s: 1.2 })),
        "{events:?}"
    );

    let saved = saved(&take);
    let mut after = Fake::default();
    let finished = live.finish(saved.clone(), &mut after, &mut |_| {}).unwrap();
    // Every word was heard while recording: nothing is asked after the stop ...
    assert!(finished.from_live);
    assert_eq!(finished.heard.numbers.len(), 1);
    assert_eq!((after.heard, after.digits_asked), (0, 0));
    assert_eq!(finished.asked_after, 0);
    // ... and what was heard is the saved file's, the number pass included.
    let file = super::super::hear(saved, &mut Fake::default()).unwrap();
    assert_eq!(finished.heard.transcript, file.transcript);
    assert_eq!(finished.heard.hearings, file.hearings);
    assert_eq!(
        finished.heard.mono16k.samples().len(),
        file.mono16k.samples().len()
    );
}

#[test]
fn a_take_said_without_a_pause_is_heard_once_early_on() {
    // Ten seconds of voice with no pause long enough to end a piece (nor
    // the take): the first hearing comes all the same, so that how fast
    // hearing goes is known by the stop.
    let take = stereo_talk(&[(1.0, 0.2); 8]);
    let stop = Arc::new(AtomicBool::new(false));
    let live = LiveTake::new(RATE, 2, Box::new(Fake::default()), stop);
    push_as_recorded(&live, &take);
    let heard = heard_until(&live);
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert!(
        (FIRST_HEARING_S..FIRST_HEARING_S + 1.0).contains(&heard[0]),
        "{heard:?}"
    );
}

/// Hears as [`Fake`] does, its first hearing held up until the test lets
/// it go (saying when it has begun).
struct HeldUp {
    fake: Fake,
    begun: mpsc::Sender<()>,
    go: mpsc::Receiver<()>,
}

impl Transcriber for HeldUp {
    fn transcribe(&mut self, audio: &Mono16k) -> Result<Transcript> {
        if self.fake.heard == 0 {
            let _ = self.begun.send(());
            let _ = self.go.recv();
        }
        self.fake.transcribe(audio)
    }
    fn hear_digits(&mut self, cut: &Cut) -> Result<Option<String>> {
        self.fake.hear_digits(cut)
    }
}

#[test]
fn a_hearings_number_pass_gives_way_to_a_newer_hearing_due() {
    // A number, a pause; while that is heard, more words and a pause
    // come. The first hearing's number pass would only hold up the
    // newer hearing (which may be the take's last): the numbers are heard
    // again on the newer one alone.
    let take = stereo_talk(&[(3.0, 1.0), (2.0, 1.0)]);
    let first_part = 2 * (4.4 * RATE as f64) as usize;
    let (begun_tx, begun) = mpsc::channel();
    let (go, go_rx) = mpsc::channel();
    let fake = Fake::default();
    let cuts = fake.cuts_in_s.clone();
    let held = HeldUp {
        fake,
        begun: begun_tx,
        go: go_rx,
    };
    let live = LiveTake::new(RATE, 2, Box::new(held), Arc::new(AtomicBool::new(false)));
    live.push(&take[..first_part]);
    begun.recv().unwrap();
    live.push(&take[first_part..]);
    go.send(()).unwrap();
    live.settle();
    let heard = heard_until(&live);
    assert_eq!(heard.len(), 2, "{heard:?}");
    let cuts = cuts.lock().unwrap().clone();
    assert!(!cuts.is_empty());
    assert!(
        cuts.iter().all(|&s| (s - heard[1]).abs() < 1e-9),
        "numbers heard in {cuts:?} s, not only in the newer hearing's {} s",
        heard[1]
    );
}

/// `take` pushed as a microphone gives it (each chunk heard before the
/// next comes), then finished on a fresh fake.
fn live_then_finish(take: &[f32]) -> (Finished, Fake) {
    let stop = Arc::new(AtomicBool::new(false));
    let live = LiveTake::new(RATE, 2, Box::new(Fake::default()), stop);
    push_as_recorded(&live, take);
    let mut after = Fake::default();
    let finished = live.finish(saved(take), &mut after, &mut |_| {}).unwrap();
    (finished, after)
}

#[test]
fn a_number_said_last_is_heard_again_on_the_hearing_that_wrote_it() {
    // The number's last digit is timed 0.45 s after its voice ends, so
    // when the pause after it makes the worker hear the take, the
    // number's cut has not come whole; the take then runs on in silence.
    let take = stereo_talk(&[(2.8, 3.0)]);
    let number_last = || Fake {
        number_at: Some(1.5),
        number_last: true,
        ..Fake::default()
    };
    let stop = Arc::new(AtomicBool::new(false));
    let fake = number_last();
    let cuts = fake.cuts_in_s.clone();
    let live = LiveTake::new(RATE, 2, Box::new(fake), stop);
    push_as_recorded(&live, &take);
    let heard_until = heard_until(&live);
    let mut after = number_last();
    let finished = live.finish(saved(&take), &mut after, &mut |_| {}).unwrap();
    // Heard while recording, on the audio of the hearing that wrote the
    // number (shorter than the take): nothing is left for after the stop.
    assert!(finished.from_live);
    assert_eq!((after.heard, after.digits_asked), (0, 0));
    assert_eq!(finished.asked_after, 0);
    assert_eq!(finished.heard.hearings.len(), 1);
    let cuts = cuts.lock().unwrap().clone();
    assert_eq!(heard_until.len(), 1, "{heard_until:?}");
    assert!(!cuts.is_empty());
    assert!(
        cuts.iter().all(|&s| (s - heard_until[0]).abs() < 1e-9),
        "heard in {cuts:?} s, not in the hearing's {heard_until:?} s"
    );
    let file = super::super::hear(saved(&take), &mut number_last()).unwrap();
    assert_eq!(finished.heard.numbers, file.numbers);
    assert_eq!(finished.heard.transcript, file.transcript);
}

#[test]
fn a_take_stopped_before_its_last_words_were_heard_is_heard_again_whole() {
    // The take stops in the middle of its last words: no hearing covers them.
    let take = stereo_talk(&[(3.5, 0.6), (3.0, 0.6), (2.5, 0.0)]);
    let (finished, after) = live_then_finish(&take);
    assert!(!finished.from_live);
    assert_eq!(after.heard, 1, "the saved take's first pass");
    let file = super::super::hear(saved(&take), &mut Fake::default()).unwrap();
    assert_eq!(finished.heard.transcript, file.transcript);
    assert_eq!(finished.heard.hearings, file.hearings);
}

#[test]
fn a_long_take_stopped_before_its_last_words_were_heard_hears_only_those_after_the_stop() {
    // Longer than a piece, so the file path too would hear it in pieces.
    let mut parts = vec![(3.5, 0.6); 8];
    parts.push((2.5, 0.0));
    let take = stereo_talk(&parts);
    let (finished, after) = live_then_finish(&take);
    assert!(finished.from_live);
    assert_eq!(after.heard, 1, "the last words, with seconds of context");
    // Of that hearing only the words from the join on are kept, after the
    // take's words, each once.
    let words = &finished.heard.transcript.words;
    assert_eq!(
        finished.heard.numbers.len(),
        1,
        "{:?}",
        finished.heard.numbers
    );
    assert_eq!(finished.heard.hearings.len(), 1);
    assert!(
        words.windows(2).all(|w| w[0].start_s < w[1].start_s),
        "{words:?}"
    );
    let end = saved(&take).duration_s();
    assert!(
        words.last().unwrap().start_s >= end - 2.0,
        "the last words are in: {words:?}"
    );
}

#[test]
fn a_take_that_runs_on_in_silence_past_a_piece_is_heard_as_its_first_piece() {
    // 20 s of talk, then silence to 31 s: the first pass and the numbers
    // hear the first piece, as the worker heard the take at its last pause;
    // the delivery measures get all of it.
    let mut parts = vec![(3.4, 0.6); 5];
    parts.push((0.5, 10.6));
    let take = saved(&stereo_talk(&parts));
    let mut fake = Fake::default();
    let heard = super::super::hear(take, &mut fake).unwrap();
    assert!(
        (fake.heard_s - MAX_PIECE_S).abs() < 1e-3,
        "{}",
        fake.heard_s
    );
    assert!(heard.mono16k.duration_s() > 30.0);
    assert!(heard.audio.duration_s() > 30.0);
}
