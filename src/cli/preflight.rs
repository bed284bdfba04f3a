//! `syncrules preflight --config FILE [--domains D1,D2...] [--format text|json]`: the source
//! connectors' objects checked as IdFix does ([`syncrules_engine::preflight`]).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use syncrules_engine::preflight::{Preflight, render, to_json};

use super::config::{ConnectorConfig, SyncConfig};
use super::sync::{connectors, fail, runtime};
use super::{EXIT_INPUT, Format};

#[derive(Debug, clap::Args)]
pub struct PreflightArgs {
    /// The run configuration: its source (LDIF) connectors are read.
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
    let config = match SyncConfig::load(&args.config) {
        Ok(c) => c,
        Err(e) => return fail(EXIT_INPUT, &e),
    };
    let sources: Vec<&String> = config
        .connectors
        .iter()
        .filter(|(_, c)| matches!(c, ConnectorConfig::Ldif { .. }))
        .map(|(n, _)| n)
        .collect();
    let rt = match runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut check = Preflight::new(&args.domains);
    for mut connector in connectors(&config) {
        let name = connector.name().to_owned();
        if !sources.contains(&&name) {
            continue;
        }
        let batch = match rt.block_on(connector.full_import()) {
            Ok(b) => b,
            Err(e) => return fail(EXIT_INPUT, &e.to_string()),
        };
        for e in batch.entries {
            check.object(&name, &e.dn, &e.object_type, &e.attributes);
        }
    }
    let findings = check.finish();
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
