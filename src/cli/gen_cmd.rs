//! `syncrules gen --users N [--groups N] [--seed S] --out FILE.ldif`: a synthetic Active
//! Directory, deterministic for a seed.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use super::EXIT_INPUT;

#[derive(Debug, clap::Args)]
pub struct GenArgs {
    /// How many users.
    #[arg(long)]
    users: usize,
    /// How many groups.
    #[arg(long, default_value_t = 0)]
    groups: usize,
    /// The seed: the same seed writes the same directory.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The LDIF file to write.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: &GenArgs) -> ExitCode {
    let file = match std::fs::File::create(&args.out) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", args.out.display());
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let mut out = std::io::BufWriter::new(file);
    let written =
        syncrules::connectors::adgen::write_ldif(args.users, args.groups, args.seed, &mut out)
            .and_then(|()| out.flush());
    match written {
        Ok(()) => {
            eprintln!(
                "wrote {} users and {} groups (seed {}) to {}",
                args.users,
                args.groups,
                args.seed,
                args.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", args.out.display());
            ExitCode::from(EXIT_INPUT)
        }
    }
}
