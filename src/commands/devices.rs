//! `vmcoach devices [--json]`: the microphones, with the configuration
//! vmcoach records them at (their own default), the default one marked.

use std::process::ExitCode;

use vmcoach::audio::capture;

use crate::cli::{DevicesArgs, Global};

pub fn run(_global: &Global, args: &DevicesArgs) -> anyhow::Result<ExitCode> {
    let devices = capture::input_devices()?;
    if args.json {
        let list: Vec<serde_json::Value> = devices
            .iter()
            .map(|d| {
                serde_json::json!({
                    "id": d.id,
                    "name": d.name,
                    "rate": d.rate,
                    "channels": d.channels,
                    "sample_format": d.sample_format,
                    "default": d.is_default,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(ExitCode::SUCCESS);
    }
    if devices.is_empty() {
        println!("no microphone found: the system reports no input devices");
        return Ok(ExitCode::SUCCESS);
    }
    let id_w = devices
        .iter()
        .map(|d| d.id.chars().count())
        .max()
        .unwrap_or(0)
        .max(2);
    let name_w = devices
        .iter()
        .map(|d| d.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    println!(
        "  {:<id_w$}  {:<name_w$}  {:>6}  {:>2}  FORMAT",
        "ID", "NAME", "RATE", "CH"
    );
    for d in &devices {
        println!(
            "{} {:<id_w$}  {:<name_w$}  {:>6}  {:>2}  {}",
            if d.is_default { "*" } else { " " },
            d.id,
            d.name,
            d.rate,
            d.channels,
            d.sample_format
        );
    }
    if devices.iter().any(|d| d.is_default) {
        println!("* the default input; choose another with --device ID or --device NAME");
    }
    Ok(ExitCode::SUCCESS)
}
