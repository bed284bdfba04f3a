//! `syncrules preflight --config FILE [--domains D1,D2...] [--format text|json]`: the source
//! connectors' objects checked as IdFix does ([`syncrules::preflight`]).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use syncrules::engine::preflight::{render, to_json};

use super::config::SyncConfig;
use super::sync::{fail, fail_with};
use super::{EXIT_INPUT, Format};

#[derive(Debug, clap::Args)]
pub struct PreflightArgs {
    /// The run configuration: its source (LDIF and LDAP) connectors are read.
    #[arg(long)]
    config: PathBuf,
    /// The tenant's verified domains: a UPN or SMTP address outside them is a finding.
    #[arg(long, value_delimiter = ',')]
    domains: Vec<String>,
    /// `text` or `json`.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(args: &PreflightArgs) -> ExitCode {
    // Preflight reads the data, not the rules: no scan of the files for W0105.
    let config = match SyncConfig::load_with(&args.config, false) {
        Ok(c) => c,
        Err(e) => return fail(EXIT_INPUT, &e),
    };
    let findings = match syncrules::preflight(&config, &args.domains) {
        Ok(f) => f,
        Err(e) => return fail_with(&e),
    };
    let text = match args.format {
        Format::Json => format!("{}\n", to_json(&findings)),
        Format::Text => render(&findings),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if findings.iter().any(|f| f.error) {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}
