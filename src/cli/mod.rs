//! Command-line parsing and dispatch.

mod check;
mod config;
mod diff;
mod eval;
mod fmt;
mod functions;
mod gen_cmd;
mod impact;
mod import;
mod preflight;
mod state;
mod sync;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code: the input is wrong (a diagnostic, a failed check, a run-time error).
pub const EXIT_INPUT: u8 = 1;

/// Exit code: an external system failed (a directory unreachable after retries, the state in
/// use by another run, a file that cannot move).
pub const EXIT_EXTERNAL: u8 = 3;

/// Compile, check and run declarative identity-synchronization rules.
#[derive(Debug, Parser)]
#[command(name = "syncrules", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compile and evaluate one expression against one object's attributes.
    Eval(eval::EvalArgs),
    /// Load, type-check and compile rule files; report every error and lint finding.
    Check(check::CheckArgs),
    /// Compare two rule sets by meaning.
    Diff(diff::DiffArgs),
    /// Convert rules from another format into a rule-set folder.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Rewrite rule files in canonical form.
    Fmt(fmt::FmtArgs),
    /// Print the expression language's function reference.
    Functions(functions::FunctionsArgs),
    /// Write a synthetic Active Directory as LDIF.
    Gen(gen_cmd::GenArgs),
    /// What a rule change would do: the exports under two rule sets, compared.
    Impact(impact::ImpactArgs),
    /// Check the source directories' objects for what Entra ID would reject (as IdFix does).
    Preflight(preflight::PreflightArgs),
    /// Run a full cycle in staging mode and report what an export would do.
    Preview(sync::PreviewArgs),
    /// Run a sync cycle with the connectors, rules and state of a sync.yaml.
    Run(sync::RunArgs),
    /// Check a state directory, or move a damaged state aside.
    #[command(subcommand)]
    State(state::StateCommand),
}

/// Output format of commands that report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable, diagnostics on stderr.
    Text,
    /// Machine-readable JSON on stdout.
    Json,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Gen(args) => gen_cmd::run(&args),
        Command::Impact(args) => impact::run(&args),
        Command::Import(cmd) => import::run(&cmd),
        Command::Preflight(args) => preflight::run(&args),
        Command::Preview(args) => sync::preview_cmd(&args),
        Command::Run(args) => sync::run_cmd(&args),
        Command::Functions(args) => functions::run(&args),
        Command::State(cmd) => state::run(&cmd),
    }
}
