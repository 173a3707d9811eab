//! Progress on stderr, only when stderr is a terminal and --quiet is not set.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
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
