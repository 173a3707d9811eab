//! Progress on stderr, only when stderr is a terminal and --quiet is not set.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use vmcoach::batch;
use vmcoach::pipeline::Step;

/// A spinner with a message, for steps of unknown length.
pub fn spinner(quiet: bool) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if quiet {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    } else {
        // indicatif hides itself when stderr is not a terminal.
        bar.set_draw_target(ProgressDrawTarget::stderr());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
    }
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {msg}").expect("valid template"),
    );
    bar
}

/// Prints a status line on stderr unless quiet, for when no bar is drawn.
pub fn note(quiet: bool, message: &str) {
    if !quiet {
        eprintln!("{message}");
    }
}

/// The steps of hearing and coaching one recording, on a spinner.
pub struct Steps {
    bar: ProgressBar,
}

impl Steps {
    pub fn new(quiet: bool) -> Steps {
        Steps {
            bar: spinner(quiet),
        }
    }

    pub fn say(&self, message: impl Into<std::borrow::Cow<'static, str>>) {
        self.bar.set_message(message);
    }

    /// The pipeline's own steps.
    pub fn step(&self, step: Step) {
        self.say(match step {
            Step::Hearing { seconds } => format!("hearing {seconds:.0} s of audio"),
            Step::Numbers { count: 1 } => "hearing the phone number again".to_string(),
            Step::Numbers { count } => format!("hearing the {count} phone numbers again"),
        });
    }

    /// Hears decoded audio, showing each step.
    pub fn hear(
        &self,
        audio: vmcoach::audio::Audio,
        transcriber: &mut dyn vmcoach::transcribe::Transcriber,
    ) -> vmcoach::Result<vmcoach::pipeline::Heard> {
        vmcoach::pipeline::hear_with(audio, transcriber, &mut |step| self.step(step))
    }
}

impl Drop for Steps {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// The batch's progress: files done of all, and the time left from the
/// audio heard so far (a 5-minute file weighs as much as ten 30 s ones).
pub struct FilesProgress {
    bar: ProgressBar,
    /// Each input's length from its header, in tenths of a second.
    weights: HashMap<PathBuf, u64>,
    files_done: usize,
}

impl FilesProgress {
    pub fn new(quiet: bool, inputs: &[batch::Input]) -> FilesProgress {
        if quiet || !std::io::stderr().is_terminal() {
            return FilesProgress {
                bar: ProgressBar::hidden(),
                weights: HashMap::new(),
                files_done: 0,
            };
        }
        let lengths: Vec<Option<f64>> = inputs
            .iter()
            .map(|i| vmcoach::audio::decode::header_seconds(&i.path))
            .collect();
        // A file whose header tells no length counts as an average one.
        let known: Vec<f64> = lengths.iter().flatten().copied().collect();
        let average = known.iter().sum::<f64>() / known.len().max(1) as f64;
        let weights: HashMap<PathBuf, u64> = inputs
            .iter()
            .zip(&lengths)
            .map(|(i, l)| {
                let tenths = (l.unwrap_or(average).max(0.1) * 10.0).round() as u64;
                (i.path.clone(), tenths)
            })
            .collect();
        let bar = ProgressBar::with_draw_target(
            Some(weights.values().sum()),
            ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:24} {prefix} files  {elapsed} elapsed, ETA {eta}  {wide_msg}",
            )
            .expect("valid template"),
        );
        bar.set_prefix(format!("0/{}", inputs.len()));
        bar.enable_steady_tick(Duration::from_millis(500));
        FilesProgress {
            bar,
            weights,
            files_done: 0,
        }
    }

    /// `key` is being analysed.
    pub fn started(&self, key: &str) {
        self.bar.set_message(key.to_string());
    }

    /// Runs `f` (which prints) with the bar out of the way.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    /// The run is over: the bar goes.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// `input` is done (or failed).
    pub fn done(&mut self, input: &batch::Input, of: usize) {
        self.files_done += 1;
        self.bar
            .inc(self.weights.get(&input.path).copied().unwrap_or(0));
        self.bar.set_prefix(format!("{}/{of}", self.files_done));
    }
}
