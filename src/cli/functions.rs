//! `syncrules functions`: the function reference, generated from the builtin registry, in
//! Markdown (the README's language reference is this output).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct FunctionsArgs {}

pub fn run(_: &FunctionsArgs) -> ExitCode {
    print!("{}", syncrules::lang::functions::reference_markdown());
    ExitCode::SUCCESS
}
