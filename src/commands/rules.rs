//! `vmcoach rules`: every check, its weight, and where its advice comes from.

use std::process::ExitCode;

use vmcoach::analysis::RuleSet;

use crate::cli::{Global, RulesArgs};

pub fn run(_global: &Global, args: &RulesArgs) -> anyhow::Result<ExitCode> {
    let rules = match &args.rules {
        Some(path) => RuleSet::from_file(path)?,
        None => RuleSet::default_rules(),
    };
    let described = rules.describe();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&described)?);
        return Ok(ExitCode::SUCCESS);
    }
    for r in described {
        let kinds: Vec<String> = r
            .applies_to
            .iter()
            .map(|k| format!("{k:?}").to_lowercase())
            .collect();
        let attempt = r
            .min_attempt
            .map(|a| format!(", from attempt {a}"))
            .unwrap_or_default();
        println!(
            "{}: weight {}, for {} messages{attempt}",
            r.id,
            r.weight,
            kinds.join(" and ")
        );
        println!("    what it checks: {}", r.checks);
        if !r.thresholds.is_empty() {
            println!("    scored: {}", r.thresholds.join("; "));
        }
        println!("    advice from: {}", r.source);
        println!();
    }
    Ok(ExitCode::SUCCESS)
}
