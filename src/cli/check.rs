//! `syncrules check PATH... [--format json] [--deny-warnings] [--plan]`

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use syncrules::lang::rules::{Plan, Report, load_rule_set};

use super::{EXIT_INPUT, Format};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Rule files or folders (every `*.yaml` below a folder).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// `text` (diagnostics on stderr) or `json` (an array of findings on stdout).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Print the compiled plan (text format only).
    #[arg(long)]
    plan: bool,
}

/// Loads, checks and plans; the report holds every finding.
pub fn check(paths: &[PathBuf], deny_warnings: bool) -> (Option<Plan>, Report, usize) {
    let mut report = Report::default();
    let set = load_rule_set(paths, &mut report);
    let plan = Plan::build(&set, &mut report);
    if let Some(plan) = &plan {
        syncrules::lang::rules::lint::lint(&set, plan, &mut report);
    }
    if deny_warnings {
        report.deny_warnings();
    }
    report.sort();
    (plan, report, set.rules.len())
}

pub fn run(args: &CheckArgs) -> ExitCode {
    let (plan, report, rules) = check(&args.paths, args.deny_warnings);
    let failed = report.errors() > 0;
    match args.format {
        Format::Json => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", report.to_json());
        }
        Format::Text => {
            eprint!("{}", report.render());
            if args.plan
                && let Some(plan) = &plan
            {
                print!("{}", plan.listing());
            }
            eprintln!(
                "checked {rules} rules: {} errors, {} warnings",
                report.errors(),
                report.warnings()
            );
        }
    }
    if failed {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}
