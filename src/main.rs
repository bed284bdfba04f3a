//! The `syncrules` command line. See `docs/cli.md` in the shared docs for the contract:
//! exit 0 on success, 1 when the input is wrong, 2 on a usage error, 3 when an external
//! system failed.

mod cli;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::run(args)
}
