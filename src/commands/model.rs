//! `vmcoach model fetch|import|list|verify`.

use std::process::ExitCode;

use vmcoach::transcribe::model::{self, Quantization};

use crate::cli::{Global, ModelCommand};

pub fn run(global: &Global, cmd: &ModelCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ModelCommand::Fetch {
            name,
            quantize,
            dir,
        } => {
            let quant = parse_quant(quantize.as_deref())?;
            let dir = match dir {
                Some(dir) => dir.clone(),
                None => model::user_models_dir().unwrap_or_else(model::local_models_dir),
            };
            let bar = super::progress::spinner(global.quiet);
            let path = model::fetch(name, &dir, quant, &mut |msg| {
                bar.set_message(msg.to_string())
            })?;
            let sentence =
                model::sentence::fetch(&dir, &mut |msg| bar.set_message(msg.to_string()))?;
            bar.finish_and_clear();
            let info = model::validate(&path)?;
            println!(
                "{} ({}, {}, {:.1} MB)",
                path.display(),
                info.type_name,
                info.weight_type,
                mb(info.size_bytes)
            );
            println!(
                "{} (sentence model for the content checks)",
                sentence.display()
            );
        }
        ModelCommand::Import {
            sources,
            out,
            quantize,
        } => {
            let quant = parse_quant(quantize.as_deref())?;
            let bar = super::progress::spinner(global.quiet);
            let info = model::import(sources, out, quant, &mut |msg| {
                bar.set_message(msg.to_string())
            })?;
            bar.finish_and_clear();
            println!(
                "{} ({}, {}, {:.1} MB)",
                out.display(),
                info.type_name,
                info.weight_type,
                mb(info.size_bytes)
            );
        }
        ModelCommand::List => {
            let dirs = model::model_dirs();
            let found = model::list(&dirs);
            if found.is_empty() {
                println!("no models installed; install one with: vmcoach model fetch tiny.en");
            }
            for entry in found {
                match entry {
                    Ok(info) => println!(
                        "{}\t{}\t{}\t{:.1} MB",
                        info.path.display(),
                        info.type_name,
                        info.weight_type,
                        mb(info.size_bytes)
                    ),
                    Err(e) => println!("{e}"),
                }
            }
            let places: Vec<String> = model::default_places()
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            println!(
                "\nvmcoach loads the first of: --model PATH, ${}, {}",
                model::MODEL_ENV,
                places.join(", ")
            );
            match super::model_path(None) {
                Ok(path) => println!("here that is: {}", path.display()),
                Err(_) => println!("here there is none; install one with: vmcoach model fetch"),
            }
        }
        ModelCommand::Verify { path } => {
            let path = match path {
                Some(p) => p.clone(),
                None => super::model_path(None)?,
            };
            model::validate(&path)?;
            match model::seal::check(&path, true)? {
                Some(hash) => println!(
                    "{}: sha256 {hash}, as recorded in {}",
                    path.display(),
                    model::seal::seal_path(&path).display()
                ),
                None => println!(
                    "{}: no sha256 recorded beside it (installed by another tool); \
                     its structure checks out",
                    path.display()
                ),
            }
            if let Some(dir) = super::sentence_model()? {
                model::sentence::verify(&dir)?;
                println!("{}: every file has its pinned sha256", dir.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_quant(q: Option<&str>) -> anyhow::Result<Option<Quantization>> {
    Ok(match q {
        None => None,
        Some(s) => Some(s.parse().map_err(|e| anyhow::anyhow!("{e}"))?),
    })
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}
