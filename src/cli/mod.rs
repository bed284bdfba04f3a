//! Command-line parsing and dispatch.

mod eval;
mod functions;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code: the input is wrong (a diagnostic, a failed check, a run-time error).
pub const EXIT_INPUT: u8 = 1;

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
    /// Print the expression language's function reference.
    Functions(functions::FunctionsArgs),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Eval(args) => eval::run(&args),
        Command::Functions(args) => functions::run(&args),
    }
}
