//! `vmcoach serve`: the coach as a local web app. An HTTP server (axum on a
//! one-thread tokio runtime) on 127.0.0.1 serves the page and a small JSON
//! API over the same pipeline the command line uses; the model is loaded
//! once, on the analysis thread, which hears one take at a time.
//!
//! ```text
//!  browser ──HTTP──> guard (Host, Origin, token) ──> routes ──> page files (assets)
//!                                                     │ ├─> /api/check: the checks of a script
//!                                                     │ ├─> /api/takes: the takes folder
//!                                                     │ └─> /api/analyze: upload .part ──> worker (model) ──> take + report
//! ```

mod assets;
mod guard;
mod reply;
mod routes;
mod takes;
mod upload;
mod worker;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::process::ExitCode;
use std::sync::Arc;

use vmcoach::analysis::RuleSet;

use crate::cli::{Global, ServeArgs};
use guard::Access;
use routes::App;
use worker::Worker;

pub fn run(global: &Global, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    refuse_remote_without_consent(args);
    let takes = args.takes.clone();
    std::fs::create_dir_all(&takes).map_err(|e| vmcoach::Error::io(&takes, e))?;
    upload::remove_leftovers(&takes);
    if let Some(rules) = &args.rules {
        RuleSet::from_file(rules)?;
    }
    let load = super::transcriber_loader(&args.decoding)?;
    super::progress::note(global.quiet, "loading the model...");
    let worker = Worker::start(load, takes.clone(), args.queue)?;

    let listener =
        TcpListener::bind(SocketAddr::new(args.host, args.port.unwrap_or(0))).map_err(|e| {
            anyhow::anyhow!(
                "cannot listen on {}:{}: {e}",
                args.host,
                args.port.unwrap_or(0)
            )
        })?;
    let port = listener.local_addr()?.port();
    let token = guard::random_hex(guard::TOKEN_BYTES).map_err(anyhow::Error::msg)?;
    let url = format!("http://{}:{port}/?token={token}", url_host(args.host));
    println!("{url}");
    super::progress::note(
        global.quiet,
        &format!(
            "serving on {}:{port}; takes go to {}; Ctrl-C stops",
            url_host(args.host),
            takes.display()
        ),
    );
    if !args.no_open && has_display() {
        if let Err(e) = open::that_detached(&url) {
            eprintln!("vmcoach: warning: cannot open a browser ({e}); open the address above");
        }
    }
    let app = Arc::new(App {
        worker,
        takes,
        rules: args.rules.clone(),
        max_seconds: args.max_seconds,
        max_upload: args.max_upload_mb * 1_000_000,
    });
    let access = Arc::new(Access::new(&token, port, args.allow_remote));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(listener, routes::router(app, access)))?;
    super::progress::note(global.quiet, "stopped");
    Ok(ExitCode::SUCCESS)
}

async fn serve(listener: TcpListener, router: axum::Router) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

/// `--host` other than loopback is a usage error without `--allow-remote`,
/// and a warning with it.
fn refuse_remote_without_consent(args: &ServeArgs) {
    if args.host.is_loopback() {
        return;
    }
    if !args.allow_remote {
        use clap::CommandFactory;
        crate::cli::Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "--host {} is reachable from other machines; add --allow-remote if that is what you want",
                    args.host
                ),
            )
            .exit();
    }
    eprintln!(
        "vmcoach: warning: listening on {}: anyone who can reach this port and holds the token can use the coach and hear the takes, and the audio crosses the network unencrypted",
        args.host
    );
}

/// The address to print: loopback for an unspecified host (0.0.0.0).
fn url_host(host: IpAddr) -> String {
    match host {
        h if h.is_unspecified() => Ipv4Addr::LOCALHOST.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// Whether a browser could be shown: on Linux and the BSDs only with an X11
/// or Wayland display.
fn has_display() -> bool {
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()))
}
