//! `syncrules check PATH... [--config sync.yaml] [--format json] [--deny-warnings] [--plan]`

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use syncrules::Rules;
use syncrules::config::{ConfigError, SyncConfig};
use syncrules::lang::rules::{Plan, Report, load_rule_set};

use super::{EXIT_INPUT, Format};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Rule files or folders (every `*.yaml` below a folder); with `--config`, the
    /// configuration's rule set when none are given.
    #[arg(required_unless_present = "config")]
    paths: Vec<PathBuf>,
    /// A sync.yaml: check it too, and the rules against its connectors (connectors no rule
    /// uses; inbound reads of attributes the connectors' data does not have).
    #[arg(long)]
    config: Option<PathBuf>,
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

/// Loads, checks and plans as [`syncrules::Rules::checked`] does, and with a configuration
/// the findings about it and the rules together ([`super::config::warnings`]).
fn check_with(
    paths: &[PathBuf],
    config: Option<&SyncConfig>,
    deny_warnings: bool,
) -> (Option<Plan>, Report, usize) {
    let mut report = Report::default();
    let set = match config {
        Some(c) => c.load_rule_set(paths, &mut report),
        None => load_rule_set(paths, &mut report),
    };
    let (set, plan, report) = Rules::checked(set, report, deny_warnings, |set, _, report| {
        if let Some(config) = config {
            let unseen = super::config::warnings(config, set, report);
            report.extend(
                &config.path,
                super::config::unseen_attributes(config, &unseen),
            );
        }
    });
    (plan, report, set.rules.len())
}

pub fn run(args: &CheckArgs) -> ExitCode {
    let config = match args.config.as_deref().map(SyncConfig::load) {
        None => None,
        Some(Ok(c)) => Some(c),
        Some(Err(ConfigError::Invalid {
            path,
            text,
            diagnostics,
        })) => {
            let mut report = Report::default();
            report.add_source(&path, &text);
            report.extend(&path, diagnostics);
            return print(args, &report, None, 0);
        }
        Some(Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let paths = match &config {
        Some(c) if args.paths.is_empty() => vec![c.rules.clone()],
        _ => args.paths.clone(),
    };
    let (plan, report, rules) = check_with(&paths, config.as_ref(), args.deny_warnings);
    print(args, &report, plan.as_ref(), rules)
}

fn print(args: &CheckArgs, report: &Report, plan: Option<&Plan>, rules: usize) -> ExitCode {
    let failed = report.errors() > 0;
    match args.format {
        Format::Json => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", report.to_json());
        }
        Format::Text => {
            eprint!("{}", report.render());
            if args.plan
                && let Some(plan) = plan
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
