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
//! deletion-threshold:          # optional; these are the defaults
//!   count: 500                 # an export deleting this many objects stops
//!   percent: 10                # ... or this share of the connector's objects (from 3 on)
//! error-limit: 5000
//! values-per-attribute: 1000000   # optional: the most values of one imported attribute
//! batch-size: 25000             # optional: objects a full sync holds in memory at a time
//! ```
//!
//! Every error is located (`sync.yaml:LINE:COL`, the value underlined) and reported in file
//! order; unknown keys are errors with a did-you-mean.
//!
//! ```
//! use syncrules::config::SyncConfig;
//!
//! let config = SyncConfig::parse("rules: r\nstate: s\nconnectors:\n  ad: {type: ldif, path: ad.ldif}\n")?;
//! let threshold = config.deletion_threshold.unwrap_or_default();
//! assert_eq!((threshold.count, threshold.percent), (500, Some(10.0)));
//!
//! let err = SyncConfig::parse("rules: r\nstate: s\nconnectors:\n  ad: {type: ldif, path: a}\ndeletion-threshold: {percent: 150}\n")
//!     .unwrap_err();
//! assert_eq!(err.diagnostics[0].code, "E0604");
//! # Ok::<(), syncrules::config::ConfigError>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use syncrules_engine::run::{DEFAULT_DELETION_COUNT, DEFAULT_DELETION_PERCENT};
use syncrules_lang::diag::Diagnostic;
use syncrules_lang::rules::{Instance, Instances, Report, RuleSet, UserMatching, load_rule_set};
use syncrules_lang::span::Span;

/// The most values one attribute of an imported object may hold, unless
/// `values-per-attribute` says otherwise: far above AD's largest groups in practice, far
/// below what exhausts memory.
pub const DEFAULT_VALUES_PER_ATTRIBUTE: usize = 1_000_000;

/// The default `batch-size`.
pub const DEFAULT_BATCH_SIZE: usize = syncrules_engine::run::DEFAULT_SYNC_BATCH;

/// Object errors in one step that stop a run, unless `error-limit` says otherwise.
pub const DEFAULT_ERROR_LIMIT: usize = 5000;

/// A connector's settings.
#[derive(Clone, Debug, PartialEq)]
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
    /// An LDAP directory (Active Directory or OpenLDAP).
    Ldap(Box<crate::config_ldap::LdapConfig>),
    /// Microsoft Entra ID through Microsoft Graph.
    Graph(Box<crate::config_graph::GraphConfig>),
}

/// The deletion threshold, per target connector and export.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold {
    /// Deletes in one export to one connector that stop it (at least 1).
    pub count: usize,
    /// ... or this percentage of the connector's objects (more than 0, at most 100); the
    /// engine counts it from a few deletes on, so a small directory can lose one or two.
    pub percent: Option<f64>,
}

impl Default for Threshold {
    fn default() -> Self {
        Threshold {
            count: DEFAULT_DELETION_COUNT,
            percent: Some(DEFAULT_DELETION_PERCENT),
        }
    }
}

/// Where the values of a `sync.yaml` are written, for diagnostics about them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spans {
    /// The `rules` value.
    pub rules: Span,
    /// Each connector's name.
    pub connectors: IndexMap<String, Span>,
    /// Each LDIF connector's `path` value.
    pub files: IndexMap<String, Span>,
}

/// `sync.yaml`.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncConfig {
    /// The rule-set folder.
    pub rules: PathBuf,
    /// The state directory.
    pub state: PathBuf,
    /// Connectors in cycle order.
    pub connectors: IndexMap<String, ConnectorConfig>,
    /// The deletion threshold: always `Some` once read, the defaults filling what the file
    /// leaves out.
    pub deletion_threshold: Option<Threshold>,
    /// Object errors that stop a run.
    pub error_limit: usize,
    /// The most values one attribute of an imported object may hold: an object over it is
    /// that object's import error, and is not imported (`values-per-attribute`).
    pub values_per_attribute: usize,
    /// How many objects a full sync over the state visits, commits and drops from memory at
    /// a time (`batch-size`): memory follows it, not the directory.
    pub batch_size: usize,
    /// How long a metaverse object whose last source object went away is held before it
    /// is deleted (`deletion-window: 3d`); `None` (not written, or `0`) deletes it in the
    /// same sync.
    pub deletion_window: Option<std::time::Duration>,
    /// The connectors that take a template's rules (`rules:` and `parameters:`), in
    /// file order.
    pub instances: Vec<Instance>,
    /// How users in several connectors become one person (`user-matching:`), and where
    /// it is written; `None` when not written, which is `once`.
    pub user_matching: Option<UserMatching>,
    /// Where the values are written.
    pub spans: Spans,
    /// The file read (empty for [`SyncConfig::parse`]).
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// Why a `sync.yaml` could not be used.
#[derive(Debug)]
pub enum ConfigError {
    /// The file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is wrong: every error found, in file order.
    Invalid {
        /// The file (empty for [`SyncConfig::parse`]).
        path: PathBuf,
        /// Its text.
        text: String,
        /// The errors.
        diagnostics: Vec<Diagnostic>,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Read { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
            ConfigError::Invalid {
                path,
                text,
                diagnostics,
            } => {
                let name = path.to_string_lossy();
                let rendered: String = diagnostics.iter().map(|d| d.render(&name, text)).collect();
                f.write_str(rendered.trim_end())
            }
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Read { source, .. } => Some(source),
            ConfigError::Invalid { .. } => None,
        }
    }
}

impl SyncConfig {
    /// Reads a `sync.yaml` from its text. Paths stay as written; nothing is read from disk.
    pub fn parse(text: &str) -> Result<SyncConfig, ConfigInvalid> {
        crate::config_parse::parse(text)
            .map(|mut c| {
                c.text = text.to_owned();
                c
            })
            .map_err(|diagnostics| ConfigInvalid { diagnostics })
    }

    /// Reads a configuration; paths in it become relative to its folder, and the rule-set
    /// folder and every LDIF base file must exist (files a run creates need not).
    pub fn load(path: &Path) -> Result<SyncConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let invalid = |diagnostics| ConfigError::Invalid {
            path: path.to_owned(),
            text: text.clone(),
            diagnostics,
        };
        let mut config = SyncConfig::parse(&text).map_err(|e| invalid(e.diagnostics))?;
        config.path = path.to_owned();
        let base = path.parent().unwrap_or(Path::new("."));
        config.rules = base.join(&config.rules);
        config.state = base.join(&config.state);
        let mut missing = Vec::new();
        if !config.rules.exists() {
            missing.push(not_found(
                config.spans.rules,
                &config.rules,
                "rule-set folder",
            ));
        }
        for (name, c) in &mut config.connectors {
            match c {
                ConnectorConfig::Ldif { path, delta } => {
                    *path = base.join(&*path);
                    if let Some(d) = delta {
                        *d = base.join(&*d);
                    }
                    if !path.is_file() {
                        let span = config.spans.files.get(name).copied().unwrap_or_default();
                        missing.push(not_found(span, path, "LDIF file"));
                    }
                }
                ConnectorConfig::File { path } => *path = base.join(&*path),
                ConnectorConfig::Ldap(ldap) => {
                    if let Some(ca) = &mut ldap.settings.ca_file {
                        *ca = base.join(&*ca);
                    }
                    if let crate::config_ldap::PasswordSource::File(p) = &mut ldap.password {
                        *p = base.join(&*p);
                    }
                    // A missing secret is exit 1 naming the key, never the secret.
                    if let Err(e) = ldap.settings() {
                        missing.push(Diagnostic::error(
                            "E0607",
                            ldap.password_span,
                            e.to_string(),
                        ));
                    }
                }
                ConnectorConfig::Graph(graph) => {
                    if let crate::config_ldap::PasswordSource::File(p) = &mut graph.secret {
                        *p = base.join(&*p);
                    }
                    if let Err(e) = graph.settings() {
                        missing.push(Diagnostic::error("E0607", graph.secret_span, e.to_string()));
                    }
                }
            }
        }
        if missing.is_empty() {
            Ok(config)
        } else {
            Err(invalid(missing))
        }
    }

    /// The rule set this configuration runs: the rule files below `paths` (its `rules`
    /// folder when empty), the templates instantiated for its connectors and its user
    /// matching applied ([`syncrules_lang::rules::instantiate`]). Findings, those about
    /// this file included (located in it), go to `report`.
    pub fn load_rule_set(&self, paths: &[PathBuf], report: &mut Report) -> RuleSet {
        let paths = if paths.is_empty() {
            std::slice::from_ref(&self.rules)
        } else {
            paths
        };
        let mut set = load_rule_set(paths, report);
        report.add_source(&self.path, &self.text);
        let connectors = self.instances_of(&set);
        let instances = Instances {
            file: &self.path,
            connectors: &connectors,
            matching: self.user_matching.as_ref(),
        };
        syncrules_lang::rules::instantiate(&mut set, &instances, report);
        set
    }

    /// The template instances of this configuration over `set`, in file order: those
    /// written (`rules:`), and each connector without `rules:` named as a template of
    /// `set`, which takes that template with the template's own parameters (so a
    /// single-forest `sync.yaml` naming its connector as the rules do needs no `rules:`).
    fn instances_of(&self, set: &RuleSet) -> Vec<Instance> {
        let mut out = Vec::with_capacity(self.connectors.len());
        for name in self.connectors.keys() {
            if let Some(written) = self.instances.iter().find(|i| &i.connector == name) {
                out.push(written.clone());
            } else if let Some(decl) = set.config.connectors.get(name).filter(|d| d.template) {
                let span = self.spans.connectors.get(name).copied().unwrap_or_default();
                out.push(Instance {
                    connector: name.clone(),
                    template: name.clone(),
                    parameters: decl.parameters.clone(),
                    name_span: span,
                    template_span: span,
                });
            }
        }
        out
    }

    /// W0601: the connectors no rule of `set` names. They would be imported and never
    /// synced: a typo in a name, or a connector left over.
    pub fn unused_connectors(&self, set: &RuleSet) -> Vec<Diagnostic> {
        self.connectors
            .keys()
            .filter(|name| !set.rules.iter().any(|r| &r.connector == *name))
            .map(|name| {
                let span = self.spans.connectors.get(name).copied().unwrap_or_default();
                let d = Diagnostic::warning(
                    "W0601",
                    span,
                    format!("no rule uses connector `{name}`: it is imported and never synced"),
                );
                let used: Vec<&str> = set.rules.iter().map(|r| r.connector.as_str()).collect();
                match syncrules_lang::diag::closest(name, used.iter().copied()) {
                    Some(n) => d.with_help(format!("did you mean `{n}`, which rules use?")),
                    None => d.with_help(
                        "add rules for it (`connector: NAME` in a rule file), or remove it",
                    ),
                }
            })
            .collect()
    }
}

fn not_found(span: Span, path: &Path, what: &str) -> Diagnostic {
    Diagnostic::error("E0606", span, format!("no such {what}: {}", path.display()))
        .with_help("paths are relative to the folder of sync.yaml")
}

/// A `sync.yaml` text that does not parse: every error, in file order.
#[derive(Debug)]
pub struct ConfigInvalid {
    /// The errors.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for ConfigInvalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.diagnostics.first() {
            Some(d) => f.write_str(&d.message),
            None => f.write_str("invalid sync.yaml"),
        }
    }
}

impl std::error::Error for ConfigInvalid {}

impl From<ConfigInvalid> for ConfigError {
    fn from(e: ConfigInvalid) -> Self {
        ConfigError::Invalid {
            path: PathBuf::new(),
            text: String::new(),
            diagnostics: e.diagnostics,
        }
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
