//! Loading a rule set: the declarations file, every rule file below the given paths, and
//! the schemas the declarations name. Every file is read and every error reported; a rule
//! that fails to load is left out and the rest are still checked.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use super::config::{CONFIG_FILE, Config, load_config, resolve};
use super::limits::{Budget, Limits};
use super::load::load_rule_within;
use super::model::Rule;
use super::report::Report;
use crate::diag::Diagnostic;
use crate::schema::{ConnectorDef, Schema};
use crate::span::Span;

/// A loaded rule set.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    /// The declarations file, if one was found.
    pub config_path: Option<PathBuf>,
    /// The declarations.
    pub config: Config,
    /// The rules that loaded, in path order.
    pub rules: Vec<Rule>,
    /// The metaverse schema, if declared.
    pub metaverse: Option<Schema>,
    /// Each connector's schema, if declared.
    pub connector_schemas: IndexMap<String, Schema>,
}

fn read(path: &Path, report: &mut Report) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(t) => {
            report.add_source(path, &t);
            Some(t)
        }
        Err(e) => {
            report.push(path, read_error("file", &e));
            None
        }
    }
}

/// Every `*.yaml`/`*.yml` file below `path` (or `path` itself), sorted.
fn yaml_files(path: &Path, out: &mut Vec<PathBuf>, report: &mut Report) {
    if path.is_file() {
        out.push(path.to_owned());
        return;
    }
    let entries = match std::fs::read_dir(path) {
        Ok(e) => e,
        Err(e) => {
            report.push(path, read_error("folder", &e));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let hidden = p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if p.is_dir() {
            yaml_files(&p, out, report);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// Loads the rule files below `paths`. The declarations file is the `syncrules.yaml`
/// among them, or else the nearest one in a folder above the first path.
pub fn load_rule_set(paths: &[PathBuf], report: &mut Report) -> RuleSet {
    let mut files = Vec::new();
    for p in paths {
        yaml_files(p, &mut files, report);
    }
    files.dedup();
    let is_config = |p: &Path| p.file_name().is_some_and(|n| n == CONFIG_FILE);
    let config_path = files.iter().find(|p| is_config(p)).cloned().or_else(|| {
        paths.first().and_then(|first| {
            let start = if first.is_dir() {
                Some(first.as_path())
            } else {
                first.parent()
            };
            start?
                .ancestors()
                .map(|d| d.join(CONFIG_FILE))
                .find(|c| c.is_file())
        })
    });
    let mut set = RuleSet::default();
    if let Some(cp) = &config_path {
        let within = Limits::default()
            .check_file(cp)
            .map_err(|d| report.push(cp, d));
        if let Some(text) = within.ok().and_then(|()| read(cp, report)) {
            match load_config(&text) {
                Ok(c) => set.config = c,
                Err(errors) => report.extend(cp, errors),
            }
        }
        load_schemas(cp, &mut set, report);
    }
    set.config_path = config_path;
    let limits = set.config.limits;
    let mut budget = Budget::new(limits);
    for file in files.iter().filter(|p| !is_config(p)) {
        if let Err(d) = limits.check_file(file) {
            report.push(file, d);
            continue;
        }
        let Some(text) = read(file, report) else {
            continue;
        };
        match load_rule_within(file, &text, &limits) {
            Ok(rule) => {
                if let Err(d) = budget.admit(&rule) {
                    report.push(file, d);
                    break;
                }
                set.rules.push(rule);
            }
            Err(errors) => report.extend(file, errors),
        }
    }
    set
}

fn load_schemas(config_path: &Path, set: &mut RuleSet, report: &mut Report) {
    if let Some(rel) = set.config.metaverse.schema.clone() {
        let path = resolve(config_path, &rel);
        match Schema::from_mv_file(&path) {
            Ok(s) => set.metaverse = Some(s),
            Err(e) => report.push(config_path, schema_error(&e.to_string())),
        }
    }
    let declared: Vec<(String, PathBuf)> = set
        .config
        .connectors
        .iter()
        .filter_map(|(name, c)| c.schema.clone().map(|s| (name.clone(), s)))
        .collect();
    for (name, rel) in declared {
        let path = resolve(config_path, &rel);
        // An Entra Connect connector export holds its schema; a bare DSML file is one.
        let schema = match ConnectorDef::from_file(&path) {
            Ok(def) => Ok(def.schema),
            Err(_) => std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
                .and_then(|t| Schema::from_dsml(&t).map_err(|e| e.to_string())),
        };
        match schema {
            Ok(s) => {
                set.connector_schemas.insert(name, s);
            }
            Err(e) => {
                let span = set
                    .config
                    .connector_spans
                    .get(&name)
                    .copied()
                    .unwrap_or_default();
                report.push(
                    config_path,
                    Diagnostic {
                        span,
                        ..schema_error(&e)
                    },
                );
            }
        }
    }
}

/// E0320: the file or folder (`what`) could not be read.
fn read_error(what: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        "E0320",
        Span::default(),
        format!("cannot read the {what}: {e}"),
    )
}

fn schema_error(message: &str) -> Diagnostic {
    Diagnostic::error(
        "E0321",
        Span::default(),
        format!("cannot load a schema: {message}"),
    )
}
