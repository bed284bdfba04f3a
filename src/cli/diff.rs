//! `syncrules diff OLD NEW [--format json] [--exit-code]`: compares two rule sets by meaning.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use syncrules::lang::rules::diff::{diff, render, to_json};
use syncrules::lang::rules::{Report, load_rule_set};

use super::{EXIT_INPUT, Format};

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old rule set (a folder or file).
    old: PathBuf,
    /// The new rule set.
    new: PathBuf,
    /// `text` or `json`.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit 1 when the rule sets differ (as `git diff --exit-code`).
    #[arg(long)]
    exit_code: bool,
}

pub fn run(args: &DiffArgs) -> ExitCode {
    let mut report = Report::default();
    let old = load_rule_set(std::slice::from_ref(&args.old), &mut report);
    let new = load_rule_set(std::slice::from_ref(&args.new), &mut report);
    if report.errors() > 0 {
        report.sort();
        eprint!("{}", report.render());
        return ExitCode::from(EXIT_INPUT);
    }
    let changes = diff(&old.rules, &new.rules);
    match args.format {
        Format::Json => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", to_json(&changes));
        }
        Format::Text => print!("{}", render(&changes)),
    }
    if args.exit_code && !changes.is_empty() {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}
