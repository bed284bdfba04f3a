//! The run configuration `sync.yaml`: which rules, which state directory, which
//! connectors (in cycle order) and the safety settings.
//!
//! ```yaml
//! rules: ../../rules           # a rule-set folder, relative to this file
//! state: state                 # the state directory
//! connectors:                  # cycle order: sources first
//!   contoso.com:
//!     type: ldif
//!     path: contoso.ldif
//!     delta: contoso-delta.ldif  # optional: changetype records for delta imports
//!   contoso.onmicrosoft.com:
//!     type: file
//!     path: entra               # a folder that receives exports
//! deletion-threshold:
//!   count: 500
//!   percent: 20                 # optional
//! error-limit: 5000
//! ```

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;

/// A connector's settings.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ConnectorConfig {
    /// An LDIF file as a source.
    Ldif {
        /// The file.
        path: PathBuf,
        /// A file of changetype records for delta imports.
        delta: Option<PathBuf>,
    },
    /// A folder standing in for a directory that receives exports.
    File {
        /// The folder.
        path: PathBuf,
    },
}

/// The deletion threshold.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Threshold {
    /// Deletes per export to one connector that stop it.
    #[serde(default = "default_count")]
    pub count: usize,
    /// ... or this percentage of the connector's objects.
    pub percent: Option<f64>,
}

fn default_count() -> usize {
    500
}

fn default_error_limit() -> usize {
    5000
}

/// `sync.yaml`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SyncConfig {
    /// The rule-set folder.
    pub rules: PathBuf,
    /// The state directory.
    pub state: PathBuf,
    /// Connectors in cycle order.
    pub connectors: IndexMap<String, ConnectorConfig>,
    /// The deletion threshold.
    pub deletion_threshold: Option<Threshold>,
    /// Object errors that stop a run.
    #[serde(default = "default_error_limit")]
    pub error_limit: usize,
}

impl SyncConfig {
    /// Reads a configuration; paths in it become relative to its folder.
    pub fn load(path: &Path) -> Result<SyncConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut config: SyncConfig =
            serde_yaml::from_str(&text).map_err(|e| match e.location() {
                Some(l) => format!("{}:{}:{}: {e}", path.display(), l.line(), l.column()),
                None => format!("{}: {e}", path.display()),
            })?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.rules = base.join(&config.rules);
        config.state = base.join(&config.state);
        for c in config.connectors.values_mut() {
            match c {
                ConnectorConfig::Ldif { path, delta } => {
                    *path = base.join(&*path);
                    if let Some(d) = delta {
                        *d = base.join(&*d);
                    }
                }
                ConnectorConfig::File { path } => *path = base.join(&*path),
            }
        }
        Ok(config)
    }
}
