//! `syncrules state check|reset`: verifying a state directory, and moving a damaged state
//! aside so that an initial cycle can rebuild it.

use std::path::PathBuf;
use std::process::ExitCode;

use syncrules::engine::store::{FILE_NAME, Store, StoreError};

use super::config::SyncConfig;
use super::{EXIT_EXTERNAL, EXIT_INPUT};

/// What to do with the state.
#[derive(Debug, clap::Subcommand)]
pub enum StateCommand {
    /// Read every record of the state and check its checksum; exit 1 when damaged.
    Check(StateArgs),
    /// Move the state file aside (kept as `state.redb.damaged-<time>`), so that the next
    /// `run --cycle initial` rebuilds the state from the directories.
    Reset(StateArgs),
}

/// The configuration naming the state directory.
#[derive(Debug, clap::Args)]
pub struct StateArgs {
    /// The run configuration.
    #[arg(long)]
    config: PathBuf,
}

fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}

fn state_dir(args: &StateArgs) -> Result<PathBuf, ExitCode> {
    SyncConfig::load(&args.config)
        .map(|c| c.state.clone())
        .map_err(|e| fail(EXIT_INPUT, &e))
}

/// Runs a `state` command.
pub fn run(cmd: &StateCommand) -> ExitCode {
    match cmd {
        StateCommand::Check(args) => check(args),
        StateCommand::Reset(args) => reset(args),
    }
}

fn check(args: &StateArgs) -> ExitCode {
    let dir = match state_dir(args) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if !dir.join(FILE_NAME).is_file() {
        println!("{}: no state yet", dir.display());
        return ExitCode::SUCCESS;
    }
    match Store::open(&dir).and_then(|s| s.verify()) {
        Ok((cs, mv)) => {
            println!(
                "{}: the state is sound: {cs} connector-space objects, {mv} metaverse objects",
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e @ (StoreError::Damaged { .. } | StoreError::Corrupt { .. })) => {
            fail(EXIT_INPUT, &e.to_string())
        }
        Err(e) => fail(EXIT_EXTERNAL, &e.to_string()),
    }
}

fn reset(args: &StateArgs) -> ExitCode {
    let dir = match state_dir(args) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let file = dir.join(FILE_NAME);
    if !file.is_file() {
        println!("{}: no state to reset", dir.display());
        return ExitCode::SUCCESS;
    }
    // A state in use by a run is not moved from under it; a damaged one cannot be opened,
    // which is why it is being reset.
    match Store::open(&dir) {
        Err(e @ StoreError::Database { .. }) => return fail(EXIT_EXTERNAL, &e.to_string()),
        Ok(store) => drop(store),
        Err(_) => {}
    }
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let aside = dir.join(format!("{FILE_NAME}.damaged-{stamp}"));
    match std::fs::rename(&file, &aside) {
        Ok(()) => {
            println!(
                "moved {} to {}; run `syncrules run --config {} --cycle initial` to rebuild the state",
                file.display(),
                aside.display(),
                args.config.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(
            EXIT_EXTERNAL,
            &format!("cannot move {}: {e}", file.display()),
        ),
    }
}
