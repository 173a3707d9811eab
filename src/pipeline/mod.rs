//! The steps every use shares: file -> mono audio -> 16 kHz -> transcript
//! -> the number pass -> analysis -> [`Report`].

mod cutter;
pub mod live;
mod numbers;
mod recall;
mod splice;

use std::path::Path;

pub use numbers::hear_numbers_again;
pub use recall::{Memory, Recall};

use crate::analysis::phone::{find_phone_numbers, Hearings, PhoneNumber};
use crate::analysis::prosody::{self, TrackSettings};
use crate::analysis::{self, AnalysisInput, Kind, RuleSet};
use crate::audio::{self, levels, Audio, Mono16k};
use crate::error::Result;
use crate::report::Report;
use crate::transcribe::{pieces, Transcriber, Transcript, Word};

/// A recording ready for analysis.
pub struct Heard {
    pub audio: Audio,
    pub mono16k: Mono16k,
    pub levels: levels::Levels,
    pub transcript: Transcript,
    /// The phone numbers of the first pass, found once.
    pub numbers: Vec<PhoneNumber>,
    /// What the number pass heard of them again.
    pub hearings: Vec<Hearings>,
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

/// The slow steps of [`hear_with`], for a caller that shows progress.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// The first pass over this many seconds of audio begins.
    Hearing { seconds: f64 },
    /// The number pass over this many phone numbers begins.
    Numbers { count: usize },
}

/// Resamples and transcribes decoded audio, then hears each phone number
/// a second time (see [`hear_numbers_again`]).
pub fn hear(audio: Audio, transcriber: &mut dyn Transcriber) -> Result<Heard> {
    hear_with(audio, transcriber, &mut |_| {})
}

/// [`hear`], telling `progress` as each slow step begins.
pub fn hear_with(
    audio: Audio,
    transcriber: &mut dyn Transcriber,
    progress: &mut dyn FnMut(Step),
) -> Result<Heard> {
    let mono16k = audio::resample::to_16k(&audio)?;
    let levels = levels::measure(mono16k.samples(), audio::MODEL_RATE);
    hear_measured(audio, mono16k, levels, transcriber, progress)
}

/// [`hear_with`] for audio already resampled and measured.
fn hear_measured(
    audio: Audio,
    mono16k: Mono16k,
    levels: levels::Levels,
    transcriber: &mut dyn Transcriber,
    progress: &mut dyn FnMut(Step),
) -> Result<Heard> {
    progress(Step::Hearing {
        seconds: mono16k.duration_s(),
    });
    let part = heard_part(&mono16k, &levels);
    let heard = part.as_ref().unwrap_or(&mono16k);
    let transcript = transcriber.transcribe(heard)?;
    let numbers = find_phone_numbers(&transcript.words);
    if !numbers.is_empty() {
        progress(Step::Numbers {
            count: numbers.len(),
        });
    }
    let hearings = hear_numbers_again(heard, &transcript.words, &numbers, transcriber)?;
    transcriber.release_buffers();
    Ok(Heard::new(audio, mono16k, levels, transcript, hearings))
}

/// The part of a recording the model hears when it is not all of it (see
/// [`pieces::heard_s`]): the words and the numbers' hearings come from it,
/// the delivery measures from the whole recording.
fn heard_part(mono16k: &Mono16k, levels: &levels::Levels) -> Option<Mono16k> {
    let heard_s = pieces::heard_s(&levels.voiced, mono16k.duration_s());
    (heard_s < mono16k.duration_s()).then(|| mono16k.between(0.0, heard_s))
}

impl Heard {
    /// A recording with its transcript and its numbers' hearings.
    fn new(
        audio: Audio,
        mono16k: Mono16k,
        levels: levels::Levels,
        transcript: Transcript,
        hearings: Vec<Hearings>,
    ) -> Heard {
        Heard {
            numbers: find_phone_numbers(&transcript.words),
            audio,
            mono16k,
            levels,
            transcript,
            hearings,
        }
    }
}

/// What the caller tells us about the message.
#[derive(Debug, Clone)]
pub struct CoachOptions {
    /// `None`: infer it from what was said.
    pub kind: Option<Kind>,
    pub attempt: u32,
    pub expect_number: Option<String>,
    pub expect_name: Option<String>,
    pub rules: RuleSet,
    pub max_seconds: f64,
}

impl Default for CoachOptions {
    fn default() -> Self {
        CoachOptions {
            kind: None,
            attempt: 1,
            expect_number: None,
            expect_name: None,
            rules: RuleSet::default_rules(),
            max_seconds: audio::DEFAULT_MAX_SECONDS,
        }
    }
}

/// Speaking rate assumed for a written script.
pub const SCRIPT_WPM: f64 = 150.0;

/// What the analysis of one message is given, from the caller's options.
struct Said<'a> {
    words: &'a [Word],
    numbers: &'a [PhoneNumber],
    hearings: &'a [Hearings],
    duration_s: f64,
    levels: Option<&'a levels::Levels>,
    /// The 16 kHz audio, whose pitch is tracked (None for a script).
    audio: Option<&'a Mono16k>,
}

impl Said<'_> {
    fn analyze(&self, options: &CoachOptions) -> analysis::Analysis {
        let track = self.audio.map(|a| {
            let settings = TrackSettings {
                clarity: options.rules.file.prosody.voicing_clarity,
                ..TrackSettings::default()
            };
            prosody::track(a.samples(), audio::MODEL_RATE, &settings)
        });
        analysis::analyze(&AnalysisInput {
            words: self.words,
            numbers: self.numbers,
            hearings: self.hearings,
            duration_s: self.duration_s,
            voiced: self.levels.map(|l| l.voiced.as_slice()).unwrap_or(&[]),
            kind: options.kind,
            attempt: options.attempt,
            expect_number: options.expect_number.as_deref(),
            expect_name: options.expect_name.as_deref(),
            rules: &options.rules,
            track: track.as_ref(),
        })
    }
}

/// The report for a recording that has been heard.
pub fn coach_heard(source: String, heard: &Heard, options: &CoachOptions) -> Report {
    let words = &heard.transcript.words;
    let duration = heard.audio.duration_s();
    let analysis = Said {
        words,
        numbers: &heard.numbers,
        hearings: &heard.hearings,
        duration_s: duration,
        levels: Some(&heard.levels),
        audio: Some(&heard.mono16k),
    }
    .analyze(options);
    let quality = analysis::quality::assess(&heard.levels);
    Report::new(
        source,
        duration,
        words.clone(),
        analysis,
        options.attempt,
        Some(quality),
        false,
    )
}

/// Decode, transcribe and analyse one recording.
pub fn coach_file(
    path: &Path,
    transcriber: &mut dyn Transcriber,
    options: &CoachOptions,
) -> Result<Report> {
    let heard = hear_file(path, options.max_seconds, transcriber)?;
    Ok(coach_heard(path.display().to_string(), &heard, options))
}

/// The report for a written script, word times estimated at [`SCRIPT_WPM`].
pub fn coach_script(source: String, script: &str, options: &CoachOptions) -> Report {
    let words = analysis::estimate_words(script, SCRIPT_WPM);
    let duration = words.last().map(|w| w.end_s).unwrap_or(0.0);
    let analysis = Said {
        words: &words,
        numbers: &find_phone_numbers(&words),
        hearings: &[],
        duration_s: duration,
        levels: None,
        audio: None,
    }
    .analyze(options);
    Report::new(
        source,
        duration,
        words,
        analysis,
        options.attempt,
        None,
        true,
    )
}
