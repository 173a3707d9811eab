//! The `vmcoach` binary: parse the command line, run, map errors to exit codes.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    restore_sigpipe();
    give_back_large_blocks();
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("vmcoach: error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}

/// Rust ignores SIGPIPE, so a write to a closed pipe (`vmcoach rules | head`)
/// fails and `println!` panics; with the default action restored the
/// process ends quietly, as Unix tools do.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists;
    // setting a signal's disposition to its default has no other effect.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// glibc serves a block of 128 KiB or more with its own mapping, given back
/// when freed, but raises that threshold to the size of each such block
/// freed (up to 32 MiB). whisper.cpp frees and allocates buffers of 1-38 MB
/// for every window it hears, so after the first few they come from the
/// heap, where freed memory stays resident and a new buffer is touched
/// over old pages. With the threshold fixed at glibc's own starting value,
/// every large buffer is mapped and unmapped: a 60 s message peaks about
/// 22 MB lower, for more page faults that cost it 1-2 % in time
/// (docs/performance.md).
fn give_back_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: called first thing in main, before any other thread exists or
    // anything is allocated through C; mallopt only changes a setting.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}
