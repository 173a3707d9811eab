//! The files a batch run analyses: found, sharded, and without those whose
//! results are already in the JSONL file (`--resume`).

use vmcoach::batch::{self, Shard};
use vmcoach::report::summary::{FileStamp, Results};
use vmcoach::Error;

use super::outputs::read_previous;
use super::plural;
use crate::cli::BatchArgs;

/// The files a run analyses, and what it knows of the others.
pub(super) struct Selection {
    /// Files that could not be read while looking (loops, unreadable folders).
    pub(super) problems: Vec<batch::Problem>,
    /// Audio files found, before sharding.
    pub(super) found: usize,
    /// Files in this shard (all found without one).
    pub(super) selected: usize,
    /// Files to analyse now.
    pub(super) inputs: Vec<batch::Input>,
    /// Results of earlier runs (`--resume`).
    pub(super) previous: Results,
    /// Files of this shard those results already cover.
    pub(super) already_done: usize,
}

/// Finds the audio files (refusing outputs that would land on one of them),
/// keeps this shard's, and with `--resume` leaves out those whose results
/// are already in the JSONL file.
pub(super) fn select(
    args: &BatchArgs,
    shard: Option<Shard>,
    quiet: bool,
) -> vmcoach::Result<Selection> {
    let found = batch::discover(&args.inputs, args.recursive);
    for p in &found.problems {
        eprintln!("vmcoach: skipped {p}");
    }
    let not_searched = found.subfolders_not_searched;
    if not_searched > 0 && !quiet {
        eprintln!(
            "vmcoach: {not_searched} subfolder{} not searched (add --recursive)",
            plural(not_searched)
        );
    }
    // Every file found, in this shard or not, is safe from the outputs.
    let found_paths = || found.inputs.iter().map(|i| i.path.as_path());
    if let Some(jsonl) = &args.jsonl {
        crate::commands::refuse_output_over(jsonl, found_paths())?;
    }
    if let Some(csv) = &args.csv {
        crate::commands::refuse_output_over(csv, found_paths())?;
        if args
            .jsonl
            .as_deref()
            .is_some_and(|j| crate::commands::same_file(csv, j))
        {
            return Err(Error::Input(format!(
                "{}: --csv and --jsonl name the same file; give each its own",
                csv.display()
            )));
        }
    }
    let found_count = found.inputs.len();
    let mut inputs = match shard {
        Some(s) => s.select(found.inputs),
        None => found.inputs,
    };
    let selected = inputs.len();
    let mut previous = Results::default();
    let mut already_done = 0;
    if args.resume {
        let out = args
            .jsonl
            .as_deref()
            .expect("clap: --resume requires --jsonl");
        previous = read_previous(out, quiet)?;
        inputs.retain(|i| {
            let done = FileStamp::of(&i.path).is_ok_and(|now| previous.is_done(&i.source(), now));
            already_done += usize::from(done);
            !done
        });
    }
    Ok(Selection {
        problems: found.problems,
        found: found_count,
        selected,
        inputs,
        previous,
        already_done,
    })
}
