//! `vmcoach record`: one take from the microphone, then its report. Also the
//! terminal side of recording that `rehearse` shares: standard input, Ctrl-C,
//! the countdown and the live level meter, all on stderr.
//!
//! ```text
//!  stdin thread ──lines──> Console ──Enter (terminal only)──┐
//!  Ctrl-C handler ──────────────────────────────────────────┴─> STOP ──> recorder::record ──> takes/NAME.wav
//!                                                                         │ on_tick: meter on stderr
//! ```
//!
//! Ctrl-C while recording sets the recorder's stop flag, so the take is
//! finalized and coached as with Enter, and the exit status is 0. A second
//! Ctrl-C, or one at any other time, exits at once with status 130; a take
//! cut off that way stays as `NAME.wav.part` and is recovered at the next start.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use vmcoach::audio::capture::{self, Capture};
use vmcoach::audio::recorder::{self, ChunkSource, RecordOptions, StopReason, TakeSummary, Tick};
use vmcoach::pipeline::live::{AtStop, LiveTake};
use vmcoach::pipeline::{self, CoachOptions};
use vmcoach::report::text::clock;
use vmcoach::report::Report;
use vmcoach::transcribe::whisper::WhisperModel;
use vmcoach::transcribe::Transcriber;

use super::analyze::{coach_options, print_report, stderr_width};
use super::live::{self, LiveLine, Tee};
use super::progress;
use crate::cli::{Global, RecordArgs, TakeArgs};

// ------------------------------------------------------ stdin and Ctrl-C

/// What the user did, as the main thread sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A line from standard input (without its line end).
    Line(String),
    /// Standard input ended.
    Eof,
    /// Ctrl-C at a prompt.
    Interrupt,
}

/// The recorder's stop flag, which the Ctrl-C handler and Enter set.
static STOP: AtomicBool = AtomicBool::new(false);
/// What the program is doing, for the Ctrl-C handler.
static PHASE: AtomicU8 = AtomicU8::new(PHASE_OTHER);
const PHASE_OTHER: u8 = 0;
const PHASE_RECORDING: u8 = 1;
const PHASE_PROMPT: u8 = 2;
/// Exit status after an interrupt that ends the program.
pub const INTERRUPTED: i32 = 130;

/// Standard input, Ctrl-C and stderr for a recording command.
pub struct Console {
    rx: Receiver<Input>,
    tx: Sender<Input>,
    reading: bool,
    eof: bool,
    pub stdin_tty: bool,
    pub stderr_tty: bool,
    pub quiet: bool,
    /// `-v`: each live hearing on its own line where no meter is drawn.
    pub verbose: bool,
}

impl Console {
    /// `read_stdin`: read standard input lines in a thread even when it is
    /// not a terminal (rehearse's prompts); on a terminal it is always read
    /// (Enter stops a take).
    pub fn new(quiet: bool, read_stdin: bool) -> Console {
        let (tx, rx) = mpsc::channel();
        let mut console = Console {
            rx,
            tx,
            reading: false,
            eof: false,
            stdin_tty: std::io::stdin().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
            quiet,
            verbose: false,
        };
        if read_stdin || console.stdin_tty {
            console.start_reader();
        }
        console
    }

    fn start_reader(&mut self) {
        let tx = self.tx.clone();
        std::thread::spawn(move || {
            let stdin = std::io::stdin();
            let mut lock = stdin.lock();
            let mut line = String::new();
            loop {
                line.clear();
                match lock.read_line(&mut line) {
                    Ok(0) | Err(_) => {
                        let _ = tx.send(Input::Eof);
                        break;
                    }
                    Ok(_) => {
                        let text = line.trim_end_matches(['\n', '\r']).to_string();
                        if tx.send(Input::Line(text)).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        self.reading = true;
    }

    /// Installs the Ctrl-C handler (once per process).
    pub fn install_ctrlc(&self) -> anyhow::Result<()> {
        let tx = self.tx.clone();
        let prompt_interrupts = AtomicU8::new(0);
        ctrlc::set_handler(move || match PHASE.load(Ordering::SeqCst) {
            PHASE_RECORDING => {
                if STOP.swap(true, Ordering::SeqCst) {
                    exit_interrupted();
                }
            }
            PHASE_PROMPT => {
                if prompt_interrupts.fetch_add(1, Ordering::SeqCst) > 0
                    || tx.send(Input::Interrupt).is_err()
                {
                    exit_interrupted();
                }
            }
            _ => exit_interrupted(),
        })
        .map_err(|e| anyhow::anyhow!("cannot handle Ctrl-C: {e}"))
    }

    /// A status line on stderr unless --quiet.
    pub fn note(&self, message: impl AsRef<str>) {
        progress::note(self.quiet, message.as_ref());
    }

    /// Forgets lines typed on the terminal meanwhile (an extra Enter while
    /// the report was computed must not end the next take at once). Scripted
    /// input (not a terminal) is kept: each line is meant for a prompt.
    fn drain_typed(&mut self) {
        if !self.stdin_tty {
            return;
        }
        while let Ok(input) = self.rx.try_recv() {
            if input == Input::Eof {
                self.eof = true;
            }
        }
    }

    /// Whether Enter was pressed on the terminal since the last look.
    fn enter_pressed(&mut self) -> bool {
        if !self.stdin_tty {
            return false;
        }
        let mut pressed = false;
        while let Ok(input) = self.rx.try_recv() {
            match input {
                Input::Line(_) => pressed = true,
                Input::Eof => self.eof = true,
                Input::Interrupt => {}
            }
        }
        pressed
    }

    /// Shows `prompt` on stderr and waits for a line, the end of input or Ctrl-C.
    /// On a terminal, an answer typed ahead (while the report was being
    /// made) counts; bare Enters typed ahead are dropped, as they were
    /// likely meant to stop the take.
    pub fn prompt(&mut self, prompt: &str) -> Input {
        if self.stdin_tty {
            let mut typed_ahead = None;
            while let Ok(input) = self.rx.try_recv() {
                match input {
                    Input::Line(l) if !l.trim().is_empty() => typed_ahead = Some(l),
                    Input::Eof => self.eof = true,
                    Input::Line(_) | Input::Interrupt => {}
                }
            }
            if let Some(answer) = typed_ahead {
                eprintln!("{prompt}{answer}");
                return Input::Line(answer);
            }
        }
        if self.eof || !self.reading {
            return Input::Eof;
        }
        eprint!("{prompt}");
        PHASE.store(PHASE_PROMPT, Ordering::SeqCst);
        let input = self.rx.recv().unwrap_or(Input::Eof);
        PHASE.store(PHASE_OTHER, Ordering::SeqCst);
        match &input {
            Input::Eof => {
                self.eof = true;
                eprintln!();
            }
            Input::Interrupt => eprintln!(),
            // a scripted answer is not echoed by a terminal: show it
            Input::Line(l) if !self.stdin_tty => eprintln!("{l}"),
            Input::Line(_) => {}
        }
        input
    }
}

fn exit_interrupted() -> ! {
    eprintln!("\nvmcoach: interrupted");
    std::process::exit(INTERRUPTED);
}

// ------------------------------------------------------------- one take

/// Repairs the takes that earlier runs left cut off (`.part` files) in the
/// takes folder, and the one for `out` if there is one, and says so.
pub fn recover_leftovers(console: &Console, takes_dir: &Path, out: Option<&Path>) {
    let mut parts = recorder::leftover_parts(takes_dir);
    if let Some(part) = out.map(recorder::part_path_for).filter(|p| p.is_file()) {
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    for part in parts {
        match recorder::repair_part(&part) {
            Ok(fixed) => console.note(format!(
                "recovered a take that was cut off: {} -> {}",
                part.display(),
                fixed.display()
            )),
            Err(e) => eprintln!(
                "vmcoach: warning: cannot recover the cut-off take {e}; delete {} if you do not need it",
                part.display()
            ),
        }
    }
}

/// Seconds as `1:05`.
fn mmss(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

const METER_WIDTH: usize = 24;
const METER_FLOOR_DB: f64 = -60.0;

/// One line of the live meter: elapsed time, the level as a bar, and what
/// stops the take.
pub fn meter_line(t: &Tick, max_s: f64, silence_limit: Option<f64>, how_to_stop: &str) -> String {
    let level = if t.rms_dbfs.is_finite() {
        t.rms_dbfs
    } else {
        METER_FLOOR_DB
    };
    let filled = (((level - METER_FLOOR_DB) / -METER_FLOOR_DB).clamp(0.0, 1.0) * METER_WIDTH as f64)
        .round() as usize;
    let bar: String = "#".repeat(filled) + &"-".repeat(METER_WIDTH - filled);
    let level_text = if t.rms_dbfs.is_finite() {
        format!("{:>4.0} dB", t.rms_dbfs)
    } else {
        "  -- dB".to_string()
    };
    let clip = if t.peak_dbfs > -0.5 { " CLIP" } else { "" };
    let state = match silence_limit {
        _ if !t.speech_started => "  waiting for speech".to_string(),
        Some(limit) if t.silence_s >= 0.5 => {
            format!("  silence {:.0}/{:.0} s", t.silence_s.floor(), limit)
        }
        _ => String::new(),
    };
    let lost = if t.overruns > 0 {
        format!("  {} gaps", t.overruns)
    } else {
        String::new()
    };
    format!(
        "REC {} / {}  [{bar}] {level_text}{clip}{state}{lost}  ({how_to_stop})",
        clock(t.elapsed_s),
        mmss(max_s)
    )
}

/// 3-2-1 on stderr while the microphone runs; what it hears meanwhile is
/// thrown away.
fn countdown(capture: &mut Capture) -> vmcoach::Result<()> {
    for n in (1..=3).rev() {
        if n == 3 {
            eprint!("Starting in 3...");
        } else {
            eprint!(" {n}...");
        }
        let until = Instant::now() + Duration::from_secs(1);
        while Instant::now() < until {
            capture.recv_timeout(Duration::from_millis(20))?;
        }
    }
    eprintln!();
    Ok(())
}

fn stop_words(reason: StopReason) -> &'static str {
    match reason {
        StopReason::Requested => "stopped",
        StopReason::MaxSeconds => "reached --max-seconds",
        StopReason::Silence => "stopped after the silence",
    }
}

/// Records one take to `out` from the chosen microphone, with the countdown
/// and the meter, until Enter, Ctrl-C, the time limit or the silence limit.
/// With `model` (and without `--no-live`) the take is heard as it goes on;
/// the engine that heard it comes back with the take, for [`coach_take`].
pub fn record_take(
    console: &mut Console,
    take: &TakeArgs,
    out: &Path,
    model: Option<&WhisperModel>,
) -> anyhow::Result<(TakeSummary, Option<LiveTake>)> {
    let mut capture = capture::start(take.device.as_deref()).map_err(no_microphone)?;
    console.note(format!(
        "Recording from \"{}\" ({} Hz, {} channel{}), at most {}.",
        capture.device_name(),
        capture.rate(),
        capture.channels(),
        if capture.channels() == 1 { "" } else { "s" },
        mmss(take.max_seconds)
    ));
    if !take.no_countdown && console.stdin_tty && !console.quiet {
        countdown(&mut capture)?;
    }
    let how_to_stop = if console.stdin_tty {
        "Enter or Ctrl-C stops"
    } else {
        "Ctrl-C stops"
    };
    let meter = console.stderr_tty && !console.quiet;
    if !meter {
        console.note(format!("Recording... ({how_to_stop})"));
    } else {
        eprintln!("Speak now.");
    }
    let mut opts = RecordOptions::new(out);
    opts.max_seconds = Some(take.max_seconds);
    opts.stop_on_silence = take.stop_on_silence;
    console.drain_typed();
    STOP.store(false, Ordering::SeqCst);
    PHASE.store(PHASE_RECORDING, Ordering::SeqCst);
    let live = match model.filter(|_| !take.no_live) {
        Some(model) => Some(live::start(
            model,
            take.live_threads,
            capture.rate(),
            capture.channels(),
        )?),
        None => None,
    };
    let mut tee;
    let source: &mut dyn ChunkSource = match &live {
        Some(live) => {
            tee = Tee {
                source: &mut capture,
                live,
            };
            &mut tee
        }
        None => &mut capture,
    };
    let mut line = LiveLine::default();
    let width = stderr_width().saturating_sub(1);
    let result = recorder::record(source, &opts, &STOP, &mut |tick| {
        if console.enter_pressed() {
            STOP.store(true, Ordering::SeqCst);
        }
        if let Some(live) = &live {
            line.update(live.events(), console.verbose && !meter);
        }
        if meter {
            let mut shown = format!(
                "\r{}\x1b[K",
                meter_line(tick, take.max_seconds, take.stop_on_silence, how_to_stop)
            );
            if live.is_some() {
                // The live line under the meter, and back up to the meter.
                shown += &format!("\n{}\x1b[K\x1b[A\r", line.render(width));
            }
            eprint!("{shown}");
        }
    });
    PHASE.store(PHASE_OTHER, Ordering::SeqCst);
    if meter {
        let under = if live.is_some() { "\n\x1b[K\x1b[A" } else { "" };
        eprint!("\r\x1b[K{under}\r");
    }
    let summary = result?;
    console.note(format!(
        "Recorded {:.1} s ({}).",
        summary.duration_s,
        stop_words(summary.stop)
    ));
    Ok((summary, live))
}

/// The warnings about the take itself, on stderr.
pub fn print_take_warnings(summary: &TakeSummary) {
    for w in &summary.warnings {
        eprintln!("vmcoach: warning: {w}");
    }
}

/// The microphone's error, with what to do about it and what works without one.
fn no_microphone(e: vmcoach::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "{e}\nList the microphones with: vmcoach devices\n\
         Without a microphone: record the message on your phone and run \
         `vmcoach analyze FILE` on the recording, or write it down and run \
         `vmcoach check SCRIPT.txt`."
    )
}

/// Opens the microphone and closes it again, so a machine without one is
/// told so before the model loads or the takes folder is made.
pub fn check_microphone(take: &TakeArgs) -> anyhow::Result<()> {
    let mut capture = capture::start(take.device.as_deref()).map_err(no_microphone)?;
    capture.stop();
    Ok(())
}

/// The worker's state at the stop, for `-v`.
fn at_stop_words(a: &AtStop) -> String {
    if a.hears_s <= 0.0 {
        return "nothing had been heard yet".to_string();
    }
    format!(
        "the last hearing ({} the first {:.1} s{}) {} every voiced stretch; {}",
        if a.under_way {
            "under way, of"
        } else {
            "done, of"
        },
        a.hears_s,
        match (a.due_in_s, a.again_s) {
            (Some(d), Some(again)) if a.under_way => {
                format!(", due in {d:.2} s; hearing the take again: {again:.2} s at best")
            }
            _ => String::new(),
        },
        if a.covers_all { "covers" } else { "misses" },
        if a.waited {
            "let finish"
        } else if a.under_way {
            "stopped"
        } else {
            "not waited for"
        },
    )
}

/// Transcribes and coaches a finished take: its report, and what was heard
/// (for its HTML page).
/// With `live`, what was heard while recording answers what it can.
pub fn coach_take(
    global: &Global,
    transcriber: &mut dyn Transcriber,
    path: &Path,
    options: &CoachOptions,
    live: Option<LiveTake>,
    verbose: bool,
) -> vmcoach::Result<(Report, pipeline::Heard)> {
    let steps = progress::Steps::new(global.quiet);
    steps.say("reading the take");
    let audio = vmcoach::audio::load(path, options.max_seconds)?;
    let heard = match live {
        Some(live) => {
            let finished = live.finish(audio, transcriber, &mut |step| steps.step(step))?;
            if verbose {
                eprintln!(
                    "vmcoach: live: the take was heard {} time(s) while recording; {} number question(s) answered then, {} after the stop; {}",
                    finished.heard_live,
                    finished.answered_before,
                    finished.asked_after,
                    if finished.from_live {
                        "the words heard while recording, the last ones heard after the stop"
                    } else {
                        "the saved take heard again"
                    }
                );
                eprintln!(
                    "vmcoach: live: at the stop, {}",
                    at_stop_words(&finished.at_stop)
                );
            }
            finished.heard
        }
        None => steps.hear(audio, transcriber)?,
    };
    steps.say("checking what was said");
    let report = pipeline::coach_heard(path.display().to_string(), &heard, options);
    Ok((report, heard))
}

/// The longest take the analysis accepts: the recording limit, and never
/// less than what `analyze` accepts.
pub fn analysis_limit(take: &TakeArgs) -> f64 {
    vmcoach::audio::DEFAULT_MAX_SECONDS.max(take.max_seconds + 1.0)
}

// ------------------------------------------------------------- record

pub fn run(global: &Global, args: &RecordArgs) -> anyhow::Result<ExitCode> {
    let out: Option<PathBuf> = args.out.clone();
    if let Some(out) = &out {
        if out.exists() {
            return Err(vmcoach::Error::Input(format!(
                "{} already exists: vmcoach never replaces a file; choose another --out",
                out.display()
            ))
            .into());
        }
        let is_wav = out
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("wav"));
        if !is_wav {
            return Err(vmcoach::Error::Input(format!(
                "{}: takes are saved as WAV; give --out a name ending in .wav",
                out.display()
            ))
            .into());
        }
    }
    let mut console = Console::new(global.quiet, false);
    console.install_ctrlc()?;
    recover_leftovers(&console, &args.take.takes, out.as_deref());

    // Everything that can be wrong with the options or the model is found
    // before the user speaks.
    let options = coach_options(&args.coach.message, analysis_limit(&args.take))?;
    // The sentence model now, not in the wait after the first take.
    options.rules.load_meaning()?;
    check_microphone(&args.take)?;
    let model = if args.no_analyze {
        None
    } else {
        Some(super::load_model(&args.decoding)?)
    };
    let mut transcriber = model.as_ref().map(|m| m.transcriber(0)).transpose()?;
    let path = out.unwrap_or_else(|| recorder::default_take_path(&args.take.takes));
    console.verbose = args.decoding.model.verbose;
    let (summary, live) = record_take(&mut console, &args.take, &path, model.as_ref())?;
    print_take_warnings(&summary);
    match transcriber.as_mut() {
        Some(t) => {
            let (report, _) =
                coach_take(global, t, &summary.path, &options, live, console.verbose)?;
            print_report(&report, args.coach.json, false);
        }
        None if args.coach.json => {
            let doc = serde_json::json!({
                "path": summary.path.display().to_string(),
                "duration_s": (summary.duration_s * 1000.0).round() / 1000.0,
                "rate": summary.rate,
                "stop": summary.stop,
                "overruns": summary.overruns,
                "warnings": summary.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        None => {}
    }
    console.note(format!("saved {}", summary.path.display()));
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tick(elapsed: f64, rms: f64, speech: bool, silence: f64) -> Tick {
        Tick {
            elapsed_s: elapsed,
            peak_dbfs: rms + 10.0,
            rms_dbfs: rms,
            speech_started: speech,
            silence_s: silence,
            overruns: 0,
        }
    }

    #[test]
    fn the_meter_shows_time_level_and_state() {
        let l = meter_line(
            &tick(12.34, -30.0, true, 0.0),
            90.0,
            None,
            "Enter or Ctrl-C stops",
        );
        assert_eq!(
            l,
            "REC 0:12.3 / 1:30  [############------------]  -30 dB  (Enter or Ctrl-C stops)"
        );
        let l = meter_line(
            &tick(0.5, f64::NEG_INFINITY, false, 0.0),
            90.0,
            Some(3.0),
            "x",
        );
        assert!(
            l.contains("[------------------------]   -- dB  waiting for speech"),
            "{l}"
        );
        let l = meter_line(&tick(20.0, -55.0, true, 2.2), 90.0, Some(3.0), "x");
        assert!(l.contains("silence 2/3 s"), "{l}");
        let mut t = tick(1.0, -3.0, true, 0.0);
        t.peak_dbfs = 0.0;
        t.overruns = 2;
        let l = meter_line(&t, 60.0, None, "x");
        assert!(
            l.contains("CLIP") && l.contains("2 gaps") && l.contains("/ 1:00"),
            "{l}"
        );
    }
}
