//! `syncrules import aadconnect EXPORT_DIR --out DIR`: converts an Entra Connect
//! configuration export into a rule-set folder.

use std::path::PathBuf;
use std::process::ExitCode;

use syncrules::lang::rules::import::{aadconnect::import_aadconnect, write_rule_set};

use super::EXIT_INPUT;

#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// An Azure AD Connect / Entra Connect configuration export (a folder with
    /// `SynchronizationRules/*.xml`, and optionally `Connectors/*.xml`, `GlobalSettings/MV.xml`).
    Aadconnect {
        /// The export folder.
        export_dir: PathBuf,
        /// The folder to write the rule set into (must be empty or absent).
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(cmd: &ImportCommand) -> ExitCode {
    match cmd {
        ImportCommand::Aadconnect { export_dir, out } => {
            let imported = match import_aadconnect(export_dir) {
                Ok(i) => i,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(EXIT_INPUT);
                }
            };
            for w in &imported.warnings {
                eprintln!("warning: {w}");
            }
            match write_rule_set(out, &imported) {
                Ok(files) => {
                    eprintln!(
                        "imported {} rules and {} connectors into {} ({} files)",
                        imported.rules.len(),
                        imported.config.connectors.len(),
                        out.display(),
                        files.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(EXIT_INPUT)
                }
            }
        }
    }
}
