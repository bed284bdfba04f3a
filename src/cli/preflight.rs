//! `syncrules preflight --config FILE [--domains D1,D2...] [--format text|json]`: the source
//! connectors' objects checked as IdFix does ([`syncrules_engine::preflight`]).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use syncrules_connectors::LdifSource;
use syncrules_engine::preflight::{ATTRIBUTES, Preflight, render, to_json};
use syncrules_engine::{Connector as _, ConnectorError};

use super::config::{ConnectorConfig, SyncConfig};
use super::sync::{fail, ldap_connector, runtime};
use super::{EXIT_EXTERNAL, EXIT_INPUT, Format};

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
    let rt = match runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut check = Preflight::new(&args.domains);
    for (name, connector) in &config.connectors {
        let read = match connector {
            // Streamed: memory holds a block of the file, not the directory.
            ConnectorConfig::Ldif { path, delta } => {
                let mut source = LdifSource::new(name.clone(), path.clone());
                if let Some(d) = delta {
                    source = source.with_delta(d.clone());
                }
                source
                    .for_each_object(|e| check.object(name, &e.dn, &e.object_type, &e.attributes))
                    .map(drop)
            }
            ConnectorConfig::Ldap(ldap) => {
                let used = ATTRIBUTES.iter().map(|a| (*a).to_owned());
                let mut source = ldap_connector(name, ldap, used);
                rt.block_on(source.full_import()).map(|batch| {
                    for e in batch.entries {
                        check.object(name, &e.dn, &e.object_type, &e.attributes);
                    }
                })
            }
            // Targets (Entra ID, or the folder standing in for it) are not checked.
            ConnectorConfig::File { .. } | ConnectorConfig::Graph(_) => continue,
        };
        match read {
            Ok(()) => {}
            Err(e @ ConnectorError::Unavailable { .. }) => {
                return fail(EXIT_EXTERNAL, &e.to_string());
            }
            Err(e) => return fail(EXIT_INPUT, &e.to_string()),
        }
    }
    let findings = match check.finish() {
        Ok(f) => f,
        Err(e) => return fail(EXIT_EXTERNAL, &e.to_string()),
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
