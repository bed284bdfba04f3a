//! `syncrules import aadconnect EXPORT_DIR --out DIR` and
//! `syncrules import adsync-ps FILE.ps1 --out DIR`: convert Entra Connect rules into a
//! rule-set folder.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indexmap::IndexMap;
use syncrules::import::{
    Imported, aadconnect::import_aadconnect, import_adsync_ps, normalize_guid, rule_paths,
    write_rule_set,
};
use syncrules::lang::rules::config::{CONFIG_FILE, ConnectorDecl, ConnectorKind};
use syncrules::lang::rules::{Config, Report, emit_rule, load_config};

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
    /// The PowerShell the Synchronization Rules Editor's Export button writes
    /// (`New-ADSyncRule`, `Add-ADSyncAttributeFlowMapping`, ..., `Add-ADSyncRule`).
    AdsyncPs {
        /// The script.
        file: PathBuf,
        /// The rule-set folder: with a `syncrules.yaml`, the rules are added to it and
        /// connector GUIDs named by its connectors' `id`; without one, it must be empty.
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(cmd: &ImportCommand) -> ExitCode {
    match cmd {
        ImportCommand::AdsyncPs { file, out } => adsync_ps(file, out),
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

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_INPUT)
}

fn adsync_ps(file: &Path, out: &Path) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return fail(&format!("cannot read {}: {e}", file.display())),
    };
    let config_path = out.join(CONFIG_FILE);
    let existing: Option<Config> = if config_path.is_file() {
        let config_text = match std::fs::read_to_string(&config_path) {
            Ok(t) => t,
            Err(e) => return fail(&format!("cannot read {}: {e}", config_path.display())),
        };
        match load_config(&config_text) {
            Ok(c) => Some(c),
            Err(errors) => {
                let mut report = Report::default();
                report.add_source(&config_path, &config_text);
                report.extend(&config_path, errors);
                eprint!("{}", report.render());
                return ExitCode::from(EXIT_INPUT);
            }
        }
    } else {
        None
    };
    let lookup = |guid: &str| {
        let wanted = normalize_guid(guid);
        existing.as_ref().and_then(|c| {
            c.connectors
                .iter()
                .find(|(_, d)| {
                    d.id.as_deref()
                        .is_some_and(|id| normalize_guid(id) == wanted)
                })
                .map(|(name, _)| name.clone())
        })
    };
    let rules = match import_adsync_ps(file, &text, &lookup) {
        Ok(r) => r,
        Err(errors) => {
            let mut report = Report::default();
            report.add_source(file, &text);
            report.extend(file, errors);
            eprint!("{}", report.render());
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let mut warnings = Vec::new();
    let config = existing.clone().unwrap_or_else(|| {
        // Declare the connectors the rules use; their kind and object types are guesses
        // the user should review.
        let mut config = Config::default();
        for r in &rules {
            let decl = config.connectors.entry(r.connector.clone()).or_insert_with(|| ConnectorDecl {
                kind: ConnectorKind::Ldap,
                id: None,
                schema: None,
                object_types: Vec::new(),
                parameters: IndexMap::new(),
                template: false,
            });
            let cs_type = match r.direction {
                syncrules::lang::rules::Direction::Inbound => &r.source,
                syncrules::lang::rules::Direction::Outbound => &r.target,
            };
            if !decl.object_types.contains(cs_type) {
                decl.object_types.push(cs_type.clone());
            }
        }
        for name in config.connectors.keys() {
            warnings.push(format!(
                "declared connector `{name}` as kind ldap: set its kind, schema and parameters in {CONFIG_FILE}"
            ));
        }
        config
    });
    let imported = Imported {
        config,
        rules,
        schemas: Vec::new(),
        warnings,
        forests: Vec::new(),
    };
    for w in &imported.warnings {
        eprintln!("warning: {w}");
    }
    if existing.is_none() {
        return match write_rule_set(out, &imported) {
            Ok(files) => {
                eprintln!(
                    "imported {} rules into {} ({} files)",
                    imported.rules.len(),
                    out.display(),
                    files.len()
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
        };
    }
    // Adding to an existing rule set: never overwrite a file.
    let paths = rule_paths(&imported);
    if let Some(clash) = paths.iter().map(|p| out.join(p)).find(|p| p.exists()) {
        return fail(&format!(
            "{} exists already: nothing was written",
            clash.display()
        ));
    }
    for (rule, path) in imported.rules.iter().zip(&paths) {
        let dest = out.join(path);
        let written = dest
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&dest, emit_rule(rule)));
        if let Err(e) = written {
            return fail(&format!("cannot write {}: {e}", dest.display()));
        }
    }
    eprintln!("added {} rules to {}", imported.rules.len(), out.display());
    ExitCode::SUCCESS
}
