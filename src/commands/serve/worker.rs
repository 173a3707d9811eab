//! The analysis thread: the model is loaded there once, and takes are heard
//! one at a time (a machine with few cores gains nothing from two at once).
//! A few may wait; more are refused before their upload is read.
//!
//! ```text
//!  request ─admit─> upload .part ─Job─> analysis thread: decode ─> take NAME.wav ─> hear ─> report
//!     └─ no slot: 503                                      NAME.json, NAME.html, history.jsonl <─┘
//! ```

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};

use axum::http::StatusCode;
use tempfile::NamedTempFile;
use tokio::sync::oneshot;
use vmcoach::audio::{recorder, wav, Audio, MODEL_RATE};
use vmcoach::pipeline::{self, CoachOptions};
use vmcoach::rehearse::{self, TakeResult};
use vmcoach::report::{html, Report};
use vmcoach::transcribe::Transcriber;

use super::reply::{audio_error, ApiError};

/// One upload to hear.
pub struct Job {
    pub upload: NamedTempFile,
    /// The recording's name as the client gave it, for messages and the report.
    pub name: Option<String>,
    pub options: CoachOptions,
}

/// What a take came to.
pub struct Done {
    pub report: Report,
    pub id: String,
    /// What changed since the take before it (none for the first since the
    /// server started).
    pub changes: Option<Vec<String>>,
}

type Reply = oneshot::Sender<Result<Done, ApiError>>;

pub struct Worker {
    jobs: mpsc::Sender<(Job, Reply)>,
    admitted: Arc<AtomicUsize>,
    capacity: usize,
}

/// A place in the line: running or waiting. Freed when dropped.
pub struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Worker {
    /// Starts the thread and loads the model there with `load`; returns
    /// when it is loaded (or could not be).
    pub fn start<T, F>(load: F, takes: PathBuf, queue: usize) -> vmcoach::Result<Worker>
    where
        T: Transcriber + 'static,
        F: FnOnce() -> vmcoach::Result<T> + Send + 'static,
    {
        let (jobs, rx) = mpsc::channel::<(Job, Reply)>();
        let (loaded_tx, loaded) = mpsc::channel();
        std::thread::Builder::new()
            .name("analysis".into())
            .spawn(move || {
                let mut transcriber = match load() {
                    Ok(t) => {
                        let _ = loaded_tx.send(Ok(()));
                        t
                    }
                    Err(e) => {
                        let _ = loaded_tx.send(Err(e));
                        return;
                    }
                };
                let mut session = Session::new(takes);
                for (job, reply) in rx {
                    let _ = reply.send(session.take(&mut transcriber, job));
                }
            })
            .map_err(|e| vmcoach::Error::Input(format!("cannot start the analysis thread: {e}")))?;
        loaded
            .recv()
            .unwrap_or_else(|_| Err(vmcoach::Error::Input("the analysis thread stopped".into())))?;
        Ok(Worker {
            jobs,
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: 1 + queue,
        })
    }

    /// A place for one more analysis, or 503 when the line is full.
    pub fn admit(&self) -> Result<Slot, ApiError> {
        let before = self.admitted.fetch_add(1, Ordering::SeqCst);
        let slot = Slot(self.admitted.clone());
        if before >= self.capacity {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "busy: {} recording{} are being heard or waiting; try again in a moment",
                    before,
                    if before == 1 { "" } else { "s" }
                ),
            ));
        }
        Ok(slot)
    }

    /// Hears `job` on the analysis thread, holding `slot` until it is done.
    pub async fn run(&self, slot: Slot, job: Job) -> Result<Done, ApiError> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send((job, tx))
            .map_err(|_| ApiError::internal("the analysis thread has stopped"))?;
        let done = rx
            .await
            .unwrap_or_else(|_| Err(ApiError::internal("the analysis thread has stopped")));
        drop(slot);
        done
    }
}

/// The server's takes so far, as `rehearse` keeps a session's.
struct Session {
    dir: PathBuf,
    earlier: Vec<TakeResult>,
    takes: Vec<TakeResult>,
    previous: Option<Report>,
}

impl Session {
    fn new(dir: PathBuf) -> Session {
        let earlier = rehearse::read_history(&rehearse::history_path(&dir))
            .map(|h| h.takes)
            .unwrap_or_default();
        Session {
            dir,
            earlier,
            takes: Vec::new(),
            previous: None,
        }
    }

    fn take(&mut self, transcriber: &mut dyn Transcriber, job: Job) -> Result<Done, ApiError> {
        let name = job.name.as_deref().unwrap_or("the upload");
        let options = &job.options;
        let audio = vmcoach::audio::load(job.upload.path(), options.max_seconds)
            .map_err(|e| audio_error(name, &e))?;
        let path = store_take(job.upload, &audio, &self.dir)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let file = rehearse::file_in_takes(&self.dir, &path);
        let heard = pipeline::hear(audio, transcriber).map_err(|e| audio_error(name, &e))?;
        let source = job.name.clone().unwrap_or_else(|| file.clone());
        options
            .rules
            .load_meaning()
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let report = pipeline::coach_heard(source, &heard, options);

        super::super::rehearse::save_report(&report, &path);
        let take = TakeResult::from_report(&report, file, rehearse::now_stamp());
        if let Err(e) = rehearse::append_history(&rehearse::history_path(&self.dir), &take) {
            eprintln!("vmcoach: warning: the take is not in the history: {e}");
        }
        self.takes.push(take);
        match html::Extras::for_recording(heard.mono16k.samples(), MODEL_RATE, &options.rules) {
            Ok(mut extras) => {
                extras.takes = rehearse::chart_points(&self.earlier, &self.takes);
                super::super::rehearse::save_page(&report, &extras, &path);
            }
            Err(e) => eprintln!("vmcoach: warning: the HTML page is not saved: {e}"),
        }
        let changes = self
            .previous
            .as_ref()
            .map(|before| rehearse::compare(before, &report).lines());
        self.previous = Some(report.clone());
        let id = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Done {
            report,
            id,
            changes,
        })
    }
}

/// Keeps the upload as a new take, `DIR/NAME.wav`, never over a file: a WAV
/// upload is renamed as it is; anything else is written as WAV from the
/// decoded audio (and the upload removed).
fn store_take(upload: NamedTempFile, audio: &Audio, dir: &Path) -> vmcoach::Result<PathBuf> {
    let is_wav = is_wav(upload.path());
    let mut upload = Some(upload);
    let mut last_error = None;
    // Another program may take the name between the choice and the rename.
    for _ in 0..3 {
        let take = recorder::default_take_path(dir);
        let persisted = if is_wav {
            let part = upload.take().expect("kept until it is renamed");
            part.persist_noclobber(&take).map_err(|e| {
                upload = Some(e.file);
                e.error
            })
        } else {
            let bytes = wav::encode(&audio.samples, audio.rate, &take)?;
            let mut tmp = super::super::temp_beside(&take, ".wav.tmp")?;
            std::io::Write::write_all(&mut tmp, &bytes)
                .map_err(|e| vmcoach::Error::io(&take, e))?;
            tmp.persist_noclobber(&take).map_err(|e| e.error)
        };
        match persisted {
            Ok(_) => return Ok(take),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_error = Some((take, e)),
            Err(e) => return Err(vmcoach::Error::io(&take, e)),
        }
    }
    let (take, e) = last_error.expect("three tries failed");
    Err(vmcoach::Error::io(&take, e))
}

/// A RIFF/WAVE file, by its first bytes.
fn is_wav(path: &Path) -> bool {
    let mut head = [0u8; 12];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|_| &head[..4] == b"RIFF" && &head[8..] == b"WAVE")
}
