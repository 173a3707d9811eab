//! Hearing a take while it is recorded, so that the report is ready soon
//! after the stop.
//!
//! ```text
//!  chunks ─push─> worker thread: the take's samples (as the saved file will read them)
//!                   │ every half second: the 16 kHz audio so far ─> Cutter: a pause after
//!                   │   enough new speech (or 5 s said, none heard yet)? ─> first pass
//!                   │   over the take so far ─> Heard
//!                   │   (the words so far), a cue; at the next look, unless a newer
//!                   │   hearing is due ─> number pass over each number whose cut has
//!                   │   come whole (the model's answers kept in a Memory)
//!  finish(saved take) ─> the last hearing up to the first voice it missed + the rest heard
//!                        now (splice), all cores ─> Heard
//!                        (a number across the join: the file path itself on the saved
//!                        take, the Memory in front of the model)
//! ```
//!
//! When the take ends and the worker's last hearing covered every voiced
//! stretch of the saved take (nothing was said after it), that hearing,
//! its numbers heard again included, is the take's: only the analysis is
//! left, the delivery measures on the whole saved take (see
//! [`super::splice`]). A hearing under way at the stop that covers every
//! word is let finish when, judged by the one before, it is due within
//! 0.8 s, or (a take of one piece) sooner than hearing the saved take
//! again on all cores would take. A number whose cut had not come whole
//! when that hearing was made (said last, its last digit timed near the
//! hearing's end) is heard again on that hearing's audio, on the encoding
//! it made, once the take has gone on quiet past the cut: not on the take
//! grown since, which the model would have to encode anew (0.8-0.9 s of
//! a ~30 s take's report). A take longer than one piece (which the
//! file path too hears in pieces, each on its own) keeps the last hearing
//! up to the first voice it missed, and only the rest is heard after the stop and joined on.
//! `scripts/bench-take` checks that such reports have the saved file's
//! verdicts and number, and its word error rate.
//!
//! Otherwise (the last words of a shorter take not heard yet, a number
//! across the join, nothing heard while recording) the report after the
//! stop is made by the very steps that analyse the saved file, on its
//! samples: it is the saved file's report. What was heard while recording
//! then saves the model's slowest work, a number's second hearing,
//! whenever the number's cut is the same audio bit for bit (see
//! [`super::recall`]): the 16 kHz audio so far is the start of the whole
//! take's bit for bit (the resampler works block by block; its last block
//! is left until more audio comes), and a number's times in the first
//! pass seldom move once the words after it are said.
//!
//! The engine knows nothing of terminals, microphones or HTTP: chunks go
//! in ([`LiveTake::push`]), events come out ([`LiveTake::events`]), and
//! [`LiveTake::finish`] gives what was heard, for [`super::coach_heard`].

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::cutter::Cutter;
use super::recall::{Memory, Recall};
use super::splice::{join_at, splice, Latest};
use super::{hear_measured, hear_numbers_again, heard_part, Heard, Step};
use crate::analysis::phone::{find_phone_numbers, MIN_DIGITS};
use crate::audio::{levels, recorder, resample, wav, Audio, Mono16k, MODEL_RATE};
use crate::error::Result;
use crate::transcribe::pieces::{heard_s, MAX_PIECE_S};
use crate::transcribe::{Transcriber, Word};

/// How often the worker looks for a pause after new speech, in audio time.
const LOOK_EVERY_S: f64 = 0.5;
/// The end of the 16 kHz audio so far that is not trusted yet: the
/// resampler's last block changes as more audio comes.
const UNSETTLED_S: f64 = 0.1;
/// A pause this long after voice not heard yet may be the end of the
/// take: the take is heard then, however little was said since the last
/// hearing.
const END_PAUSE_S: f64 = 0.6;
/// A take said without a pause this long into it is heard all the same:
/// until one hearing is done, how fast hearing goes is not known, and a
/// hearing under way at the stop could only be given up.
const FIRST_HEARING_S: f64 = 5.0;
/// A hearing under way at the stop that covers every word is let finish
/// when it should be done within this long (about what hearing a take of
/// one piece again costs on all cores), or sooner than hearing the saved
/// take again would be; otherwise it is given up.
const WAIT_UP_TO_S: f64 = 0.8;
/// The most that hearing the saved take after the stop, on all cores, can
/// gain on the worker's hearing, which leaves one core to the capture: on
/// 2 cores, two threads hear about 1.6 times as fast as one (1 job of 2
/// threads against 2 jobs of 1, docs/performance.md); with more cores the
/// worker has all but one and the gain is smaller. Taking the largest gain
/// lets a hearing finish only when waiting for it is surely not slower.
const AFTER_STOP_GAIN: f64 = 1.6;
/// With no phone number heard in this much of a take, the cue says so.
pub const NO_NUMBER_AFTER_S: f64 = 15.0;
/// How much audio after a number its second hearing takes (the number
/// pass's margin), and how much more for a number shorter than a phone
/// number. A number is heard again while recording only once the take
/// reaches that far; were these to fall behind the number pass's own,
/// its cut would only differ and be heard again after the stop.
const CUT_AFTER_S: f64 = 0.6;
const SHORT_CUT_AFTER_S: f64 = 3.6;

/// One thing to tell while the take goes on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cue {
    /// A phone number was heard, starting at this time of the take.
    NumberHeard { at_s: f64 },
    /// This much of the take holds no phone number yet.
    NoNumberYet { after_s: f64 },
}

impl std::fmt::Display for Cue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cue::NumberHeard { at_s } => {
                let s = at_s.max(0.0).floor() as u64;
                write!(f, "number heard {}:{:02}", s / 60, s % 60)
            }
            Cue::NoNumberYet { .. } => write!(f, "no number yet"),
        }
    }
}

/// What the engine tells as the take goes on.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    /// The take up to `until_s` was heard: every word so far.
    Heard {
        until_s: f64,
        words: Vec<Word>,
        /// How long hearing it took, seconds.
        took_s: f64,
    },
    /// The cue to show now (it replaces the one before).
    Cue(Cue),
}

/// What [`LiveTake::finish`] gives.
pub struct Finished {
    pub heard: Heard,
    /// Times the take so far was heard while recording.
    pub heard_live: usize,
    /// Number-pass questions answered by what was heard while recording,
    /// and asked of the model after the stop.
    pub answered_before: usize,
    pub asked_after: usize,
    /// The report's words are those heard while recording, with the last
    /// words (if any were not heard yet) heard after the stop.
    pub from_live: bool,
    /// How the worker stood when the take ended.
    pub at_stop: AtStop,
}

/// The worker's last hearing when the take ended: what decided whether it
/// was let finish (`-v` says it; a report that came late is explained).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AtStop {
    /// Seconds of the take it hears (0: none begun).
    pub hears_s: f64,
    /// It was still under way.
    pub under_way: bool,
    /// When it was expected to end, seconds after the stop (None: no
    /// hearing had ended yet to judge by).
    pub due_in_s: Option<f64>,
    /// What hearing the saved take again on all cores should cost, at
    /// best, judged by that hearing.
    pub again_s: Option<f64>,
    /// It covers every voiced stretch of the saved take.
    pub covers_all: bool,
    /// It was let finish.
    pub waited: bool,
}

enum Msg {
    Chunk(Vec<f32>),
    /// Hear everything pushed so far, then answer.
    Settle(Sender<()>),
}

/// What the worker heard.
#[derive(Default)]
struct SoFar {
    /// Times the take so far was heard.
    heard: usize,
    memory: Memory,
    /// The last hearing of the take so far.
    last: Option<Latest>,
}

/// A take being heard while it is recorded: a worker thread with its own
/// transcriber (give it as few threads as leave the capture room).
pub struct LiveTake {
    msgs: Option<Sender<Msg>>,
    events: Receiver<LiveEvent>,
    stop: Arc<AtomicBool>,
    /// Set at the end of the take: no new hearing is begun.
    ending: Arc<AtomicBool>,
    /// How much of the take (16 kHz samples) the hearing under way, or
    /// the last one, covers.
    hearing: Arc<AtomicUsize>,
    /// When that hearing began and when it should be done, judged by the
    /// one before.
    due: Arc<Mutex<Option<(Instant, Instant)>>>,
    /// Threads for the worker's transcriber once the take has ended.
    threads_after_stop: AtomicUsize,
    /// The worker's transcriber's thread count, which a call under way
    /// takes up (see [`Transcriber::threads_now`]).
    threads_now: Option<Arc<AtomicI32>>,
    worker: Option<JoinHandle<SoFar>>,
}

impl LiveTake {
    /// Starts the worker for a take of interleaved `channels` at `rate` Hz.
    /// `stop` is set when the take ends; a transcriber that watches it
    /// (see `WhisperTranscriber::set_abort`) gives up its work at once,
    /// any other finishes the call under way first.
    pub fn new(
        rate: u32,
        channels: u16,
        transcriber: Box<dyn Transcriber + Send>,
        stop: Arc<AtomicBool>,
    ) -> LiveTake {
        let (msg_tx, msg_rx) = mpsc::channel();
        let (event_tx, event_rx) = mpsc::channel();
        let ending = Arc::new(AtomicBool::new(false));
        let hearing = Arc::new(AtomicUsize::new(0));
        let due = Arc::new(Mutex::new(None));
        let threads_now = transcriber.threads_now();
        let worker = Worker {
            rate: rate.max(1),
            channels: channels.max(1) as usize,
            take: Vec::new(),
            transcriber,
            events: event_tx,
            stop: Arc::clone(&stop),
            ending: Arc::clone(&ending),
            hearing: Arc::clone(&hearing),
            due: Arc::clone(&due),
            per_s: None,
            so_far: SoFar::default(),
            cutter: Cutter::default(),
            waiting: None,
            numbers_due: None,
            next_look: 0,
            numbers_cued: 0,
            none_cued: false,
            failed: false,
        };
        let worker = std::thread::Builder::new()
            .name("vmcoach-live".into())
            .spawn(move || worker.run(msg_rx))
            .ok();
        LiveTake {
            msgs: Some(msg_tx),
            events: event_rx,
            stop,
            ending,
            hearing,
            due,
            threads_after_stop: AtomicUsize::new(0),
            threads_now,
            worker,
        }
    }

    /// Gives the worker's transcriber `threads` threads once the take has
    /// ended (the capture's core is free then): the hearing under way at
    /// the stop too, from its next step on.
    pub fn set_threads_after_stop(&self, threads: usize) {
        self.threads_after_stop.store(threads, Ordering::SeqCst);
    }

    /// Hands the worker a chunk of interleaved samples as it arrives
    /// (a copy; this never waits for the worker).
    pub fn push(&self, interleaved: &[f32]) {
        if let Some(tx) = &self.msgs {
            let _ = tx.send(Msg::Chunk(interleaved.to_vec()));
        }
    }

    /// Waits until everything pushed so far has been heard (for audio that
    /// arrives faster than real time, such as an upload or a test).
    pub fn settle(&self) {
        let (tx, rx) = mpsc::channel();
        if let Some(msgs) = &self.msgs {
            if msgs.send(Msg::Settle(tx)).is_ok() {
                let _ = rx.recv();
            }
        }
    }

    /// The events since the last call.
    pub fn events(&self) -> Vec<LiveEvent> {
        self.events.try_iter().collect()
    }

    /// Ends the take whose saved audio is `audio`. When the worker heard
    /// (or is hearing) every word of it, its hearing is the take's;
    /// otherwise the worker is stopped and the saved take heard as the
    /// file path does, on `transcriber` (all cores are free now), with the
    /// answers already heard in front of the model.
    pub fn finish(
        mut self,
        audio: Audio,
        transcriber: &mut dyn Transcriber,
        progress: &mut dyn FnMut(Step),
    ) -> Result<Finished> {
        let mono16k = resample::to_16k(&audio)?;
        let levels = levels::measure(mono16k.samples(), MODEL_RATE);
        let covered = self.hearing.load(Ordering::SeqCst) as f64 / MODEL_RATE as f64;
        let now = Instant::now();
        let due = self.due.lock().ok().and_then(|d| *d);
        let due_in_s = due.map(|(_, due)| {
            due.saturating_duration_since(now).as_secs_f64()
                - now.saturating_duration_since(due).as_secs_f64()
        });
        // Hearing the saved take again: the hearing under way's cost per
        // second, over the whole take, at the most the cores can gain.
        let again_s = due.map(|(began, due)| {
            due.saturating_duration_since(began).as_secs_f64() / covered.max(1.0)
                * mono16k.duration_s()
                / AFTER_STOP_GAIN
        });
        // A take longer than a piece is not heard again whole but only
        // its rest (see below), which is cheaper than the estimate. One
        // whose voice ends within the first piece is heard as that piece.
        let longer_than_a_piece = heard_s(&levels.voiced, mono16k.duration_s()) > MAX_PIECE_S;
        let wait_up_to = match again_s {
            Some(again) if !longer_than_a_piece => again.max(WAIT_UP_TO_S),
            _ => WAIT_UP_TO_S,
        };
        let covers_all = covered > 0.0 && join_at(&levels, covered).is_none();
        let wait = covers_all && due_in_s.is_some_and(|d| d <= wait_up_to);
        let at_stop = AtStop {
            hears_s: covered,
            under_way: self.worker.as_ref().is_some_and(|w| !w.is_finished()),
            due_in_s,
            again_s,
            covers_all,
            waited: wait,
        };
        let SoFar {
            heard,
            mut memory,
            last,
        } = self.end_worker(wait.then_some(wait_up_to));
        let (hits, misses) = (memory.hits, memory.misses);
        let mut recall = Recall {
            inner: transcriber,
            memory: &mut memory,
            stop: None,
        };
        // A take longer than a piece is heard in pieces by the file path
        // too, each on its own: its last words may be heard so as well.
        let rest_too = longer_than_a_piece;
        let spliced = match last {
            Some(last) => splice(last, &mono16k, &levels, &mut recall, rest_too)?,
            None => None,
        };
        let from_live = spliced.is_some();
        let heard_now = match spliced {
            Some((transcript, hearings)) => {
                Heard::new(audio, mono16k, levels, transcript, hearings)
            }
            None => hear_measured(audio, mono16k, levels, &mut recall, progress)?,
        };
        Ok(Finished {
            heard: heard_now,
            heard_live: heard,
            answered_before: memory.hits - hits,
            asked_after: memory.misses - misses,
            from_live,
            at_stop,
        })
    }

    /// Ends the worker: lets the hearing under way finish when `wait` is
    /// given (for half as long again as that many seconds at most: on a
    /// busy machine the hearing runs late, and giving it up late throws
    /// away work nearly done), else stops it at once.
    fn end_worker(&mut self, wait: Option<f64>) -> SoFar {
        self.ending.store(true, Ordering::SeqCst);
        if let Some(now) = &self.threads_now {
            let threads = self.threads_after_stop.load(Ordering::SeqCst);
            now.store(i32::try_from(threads).unwrap_or(0), Ordering::SeqCst);
        }
        if wait.is_none() {
            // Before the worker can see the take end: it begins nothing more.
            self.stop.store(true, Ordering::SeqCst);
        }
        self.msgs = None;
        if let Some(wait_s) = wait {
            let give_up = Instant::now() + Duration::from_secs_f64(wait_s * 1.5 + 0.2);
            while self.worker.as_ref().is_some_and(|w| !w.is_finished()) && Instant::now() < give_up
            {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        self.stop.store(true, Ordering::SeqCst);
        self.worker
            .take()
            .and_then(|w| w.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for LiveTake {
    fn drop(&mut self) {
        if self.worker.is_some() {
            self.end_worker(None);
        }
    }
}

struct Worker {
    rate: u32,
    channels: usize,
    /// The take so far, sample for sample as the saved file will read.
    take: Vec<f32>,
    transcriber: Box<dyn Transcriber + Send>,
    events: Sender<LiveEvent>,
    stop: Arc<AtomicBool>,
    ending: Arc<AtomicBool>,
    hearing: Arc<AtomicUsize>,
    due: Arc<Mutex<Option<(Instant, Instant)>>>,
    /// Seconds the last hearing took per second of audio.
    per_s: Option<f64>,
    so_far: SoFar,
    /// Finds the pauses after new speech.
    cutter: Cutter,
    /// The words last heard, while a number in them waits for the rest
    /// of its cut to come.
    waiting: Option<Vec<Word>>,
    /// The last hearing's number pass, put off until no newer hearing is
    /// due (see [`Worker::look`]): the audio heard, its words, and how
    /// much of the take had come then, seconds.
    numbers_due: Option<(Mono16k, Vec<Word>, f64)>,
    /// The take's length at which to look next, samples.
    next_look: usize,
    numbers_cued: usize,
    none_cued: bool,
    /// A model call failed: nothing more is heard live (the report after
    /// the stop meets the same failure and tells it).
    failed: bool,
}

/// What the file path would hear of the take so far, were it to end now
/// (see [`heard_part`]).
fn heard_so_far(mono16k: Mono16k) -> Mono16k {
    let levels = levels::measure(mono16k.samples(), MODEL_RATE);
    heard_part(&mono16k, &levels).unwrap_or(mono16k)
}

impl Worker {
    fn run(mut self, msgs: Receiver<Msg>) -> SoFar {
        while let Ok(msg) = msgs.recv() {
            let mut settled = Vec::new();
            for msg in std::iter::once(msg).chain(msgs.try_iter()) {
                match msg {
                    Msg::Chunk(chunk) => self.add(&chunk),
                    Msg::Settle(ack) => settled.push(ack),
                }
            }
            if self.stop.load(Ordering::SeqCst) || self.ending.load(Ordering::SeqCst) {
                break;
            }
            if (self.take.len() >= self.next_look || !settled.is_empty()) && !self.failed {
                self.next_look = self.take.len() + (LOOK_EVERY_S * self.rate as f64) as usize;
                // Settling hears everything pushed: the number pass put
                // off by a hearing too.
                loop {
                    if self.look().is_err() {
                        self.failed = !self.stop.load(Ordering::SeqCst);
                        break;
                    }
                    if settled.is_empty() || self.numbers_due.is_none() {
                        break;
                    }
                }
            }
            for ack in settled {
                let _ = ack.send(());
            }
        }
        if self.ending.load(Ordering::SeqCst) && !self.stop.load(Ordering::SeqCst) && !self.failed {
            for msg in msgs.try_iter() {
                if let Msg::Chunk(chunk) = msg {
                    self.add(&chunk);
                }
            }
            if let Some((mono16k, words, now)) = self.numbers_due.take() {
                let _ = self.hear_numbers(&mono16k, words, now);
            }
            self.hear_waiting_numbers();
        }
        self.so_far
    }

    /// At the end of the take, the numbers whose cut had not come whole
    /// yet are heard on the whole take.
    fn hear_waiting_numbers(&mut self) {
        let Some(words) = self.waiting.take() else {
            return;
        };
        let audio = Audio {
            samples: self.take.clone(),
            rate: self.rate,
        };
        if let Ok(mono16k) = resample::to_16k(&audio) {
            let levels = levels::measure(mono16k.samples(), MODEL_RATE);
            let heard = self.last_heard(&words, |heard_s| join_at(&levels, heard_s).is_none());
            let on = heard.unwrap_or_else(|| heard_part(&mono16k, &levels).unwrap_or(mono16k));
            let _ = self.hear_numbers(&on, words, f64::INFINITY);
        }
    }

    /// The audio of the last hearing, when it wrote `words` and nothing
    /// was said after it (`quiet_after`, given where it ends, in seconds):
    /// a number waiting there for its cut lies whole within that audio,
    /// and is heard again on it, on the encoding that hearing made, rather
    /// than on the take grown since, which the model would encode anew.
    fn last_heard(&self, words: &[Word], quiet_after: impl Fn(f64) -> bool) -> Option<Mono16k> {
        let last = self.so_far.last.as_ref()?;
        (last.transcript.words == words && quiet_after(last.mono16k.duration_s()))
            .then(|| last.mono16k.clone())
    }

    /// Appends a chunk as the recorder writes it: downmixed, then 16 bits.
    fn add(&mut self, interleaved: &[f32]) {
        self.take.extend(
            interleaved
                .chunks_exact(self.channels)
                .map(|f| wav::to_i16(recorder::take_sample(f)) as f32 / 32768.0),
        );
    }

    /// Hears the take so far when a pause follows new speech; otherwise
    /// the numbers of the last hearing, or those whose cut has come whole
    /// since. A hearing's number pass (a second or more on one thread) is
    /// put off to the next look, and dropped if a newer hearing is due by
    /// then: on words the take has outgrown it would only delay the
    /// hearing that may be the take's last (networking-7digit: its report
    /// waited for it).
    fn look(&mut self) -> Result<()> {
        let audio = Audio {
            samples: self.take.clone(),
            rate: self.rate,
        };
        let mono16k = resample::to_16k(&audio)?;
        let samples = mono16k.samples();
        let trusted = samples
            .len()
            .saturating_sub((UNSETTLED_S * MODEL_RATE as f64) as usize);
        let mut paused = false;
        while let Some(cut) = self.cutter.next_cut(&samples[..trusted]) {
            self.cutter.piece_starts(cut.at);
            paused = true;
        }
        // Voice not heard yet, then a pause long enough to be the take's
        // end: heard now, however short (the report may come from it).
        let heard_to = self.hearing.load(Ordering::SeqCst);
        if self
            .cutter
            .pause_after(heard_to)
            .is_some_and(|p| p >= END_PAUSE_S)
        {
            paused = true;
        }
        let now = trusted as f64 / MODEL_RATE as f64;
        if self.per_s.is_none() && now >= FIRST_HEARING_S && self.cutter.voiced_after(heard_to) {
            paused = true;
        }
        if paused {
            self.numbers_due = None;
            self.waiting = None;
            let mono16k = heard_so_far(mono16k);
            let started = Instant::now();
            let len_s = mono16k.duration_s();
            self.hearing
                .store(mono16k.samples().len(), Ordering::SeqCst);
            if let Ok(mut due) = self.due.lock() {
                *due = self
                    .per_s
                    .map(|r| (started, started + Duration::from_secs_f64(r * len_s)));
            }
            let transcript = self.recall().transcribe(&mono16k)?;
            // What hearing costs per second heard, its numbers left out:
            // at the stop it is weighed against hearing the saved take,
            // and either way the numbers are heard after (the ones heard
            // while recording are answered from memory both ways). The
            // numbers' hearings alone, a second or more on one thread, made
            // a hearing under way look due seconds later than it was.
            self.per_s = Some(started.elapsed().as_secs_f64() / len_s.max(1.0));
            let words = transcript.words.clone();
            self.so_far.last = Some(Latest {
                mono16k: mono16k.clone(),
                transcript,
                hearings: None,
            });
            self.so_far.heard += 1;
            let _ = self.events.send(LiveEvent::Heard {
                until_s: mono16k.duration_s(),
                words: words.clone(),
                took_s: started.elapsed().as_secs_f64(),
            });
            self.cue(&words, now);
            self.numbers_due = Some((mono16k, words, now));
            // Looked at again as soon as the audio that came meanwhile is in.
            self.next_look = 0;
            return Ok(());
        }
        if let Some((mono16k, words, now)) = self.numbers_due.take() {
            return self.hear_numbers(&mono16k, words, now);
        }
        match self.waiting.take() {
            Some(words) => {
                let cutter = &self.cutter;
                let heard = self.last_heard(&words, |heard_s| {
                    !cutter.voiced_after((heard_s * MODEL_RATE as f64) as usize)
                });
                let on = heard.unwrap_or_else(|| heard_so_far(mono16k));
                self.hear_numbers(&on, words, now)
            }
            None => Ok(()),
        }
    }

    /// The transcriber with the memory in front of it, stopped with the
    /// take.
    fn recall(&mut self) -> Recall<'_> {
        Recall {
            inner: &mut *self.transcriber,
            memory: &mut self.so_far.memory,
            stop: Some(&self.stop),
        }
    }

    /// The cue for `words`, the take heard up to `now`.
    fn cue(&mut self, words: &[Word], now: f64) {
        let numbers = find_phone_numbers(words);
        let cue = if numbers.len() > self.numbers_cued {
            self.numbers_cued = numbers.len();
            numbers.last().map(|n| Cue::NumberHeard { at_s: n.start_s })
        } else if numbers.is_empty() && now >= NO_NUMBER_AFTER_S && !self.none_cued {
            self.none_cued = true;
            Some(Cue::NoNumberYet { after_s: now })
        } else {
            None
        };
        if let Some(cue) = cue {
            let _ = self.events.send(LiveEvent::Cue(cue));
        }
    }

    /// The number pass over the numbers in `words` whose cut the take
    /// holds whole at `now`; the words wait for the rest if one does not.
    fn hear_numbers(&mut self, mono16k: &Mono16k, words: Vec<Word>, now: f64) -> Result<()> {
        let numbers = find_phone_numbers(&words);
        let whole = numbers
            .iter()
            .take_while(|n| {
                let after = if n.digits.len() < MIN_DIGITS {
                    SHORT_CUT_AFTER_S
                } else {
                    CUT_AFTER_S
                };
                n.end_s + after <= now
            })
            .count();
        let hearings = hear_numbers_again(mono16k, &words, &numbers[..whole], &mut self.recall())?;
        if whole < numbers.len() {
            self.waiting = Some(words);
        } else if let Some(last) = self.so_far.last.as_mut() {
            if last.transcript.words == words {
                last.hearings = Some(hearings);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
