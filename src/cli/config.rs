//! `sync.yaml` for the commands that run connectors: the library's model and parser
//! ([`syncrules::config`]), loaded with its findings printed on stderr.

use std::ops::Deref;
use std::path::Path;

use syncrules::connectors::observed::ldif_files_attribute_names;
use syncrules::lang::Diagnostic;
use syncrules::lang::rules::lint::{ObservedAttributes, reads_never_observed};
use syncrules::lang::rules::{Report, RuleSet};

pub use syncrules::config::ConnectorConfig;

/// A loaded `sync.yaml` (it dereferences to [`syncrules::config::SyncConfig`]).
#[derive(Debug)]
pub struct SyncConfig(syncrules::config::SyncConfig);

impl Deref for SyncConfig {
    type Target = syncrules::config::SyncConfig;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl SyncConfig {
    /// Reads a configuration. Its errors are printed on stderr, located, and the returned
    /// message sums them up; its warnings ([`warnings`]) are printed on stderr too, and
    /// the configuration is returned.
    pub fn load(path: &Path) -> Result<SyncConfig, String> {
        Self::load_with(path, true)
    }

    /// [`SyncConfig::load`]; with `scan` false the connectors' data is not read for the
    /// attribute names it has (W0105), which costs a read of every LDIF file: a delta `run`
    /// leaves that to `check --config`, `preview` and initial cycles, so that it costs what
    /// changed.
    pub fn load_with(path: &Path, scan: bool) -> Result<SyncConfig, String> {
        Self::load_rules(path, scan).map(|(config, _, _)| config)
    }

    /// [`SyncConfig::load_with`], also returning the configuration's rule set as loaded and
    /// the findings of loading it (not those about the configuration), so that the rules
    /// are read once: [`syncrules::Rules::from_loaded`] checks them.
    pub fn load_rules(path: &Path, scan: bool) -> Result<(SyncConfig, RuleSet, Report), String> {
        let config = match syncrules::config::SyncConfig::load(path) {
            Ok(c) => c,
            Err(e @ syncrules::config::ConfigError::Read { .. }) => return Err(e.to_string()),
            Err(e) => {
                eprintln!("{e}");
                return Err(format!("{} is not a valid configuration", path.display()));
            }
        };
        let mut report = Report::default();
        let set = config.load_rule_set(&[], &mut report);
        let loaded = report.clone();
        // A rule set that does not load is reported by the check that follows; its
        // findings are not repeated here.
        if report.errors() == 0 {
            if scan {
                warnings(&config, &set, &mut report);
            } else {
                report.add_source(&config.path, &config.text);
                report.extend(&config.path, config.unused_connectors(&set));
            }
            report.sort();
            eprint!("{}", report.render());
        }
        Ok((SyncConfig(config), set, loaded))
    }
}

/// The findings about a configuration and its rule set together: connectors no rule uses
/// (W0601, in sync.yaml) and, for connectors without a schema, inbound flows reading a
/// misspelling of an attribute the connector's data has (W0105, in the rule files). Returns
/// the other attributes inbound rules read and no object has, by connector
/// ([`unseen_attributes`] reports them).
pub fn warnings(
    config: &syncrules::config::SyncConfig,
    set: &RuleSet,
    report: &mut Report,
) -> ObservedAttributes {
    report.add_source(&config.path, &config.text);
    report.extend(&config.path, config.unused_connectors(set));
    reads_never_observed(set, &observed(config), report)
}

/// W0602, at each connector's name in sync.yaml: the attributes its inbound rules read and
/// no object in its data has (not misspellings: those are W0105). They read null with
/// this data; `syncrules check --config` lists them, runs do not.
pub fn unseen_attributes(
    config: &syncrules::config::SyncConfig,
    unseen: &ObservedAttributes,
) -> Vec<Diagnostic> {
    unseen
        .iter()
        .filter(|(_, names)| !names.is_empty())
        .map(|(connector, names)| {
            let span = config
                .spans
                .connectors
                .get(connector)
                .copied()
                .unwrap_or_default();
            let list: Vec<&str> = names.iter().map(String::as_str).collect();
            Diagnostic::warning(
                "W0602",
                span,
                format!(
                    "inbound rules read {} attributes that no object of `{connector}` has: {}",
                    list.len(),
                    list.join(", ")
                ),
            )
            .with_help("their flows read null with this data; an export leaves out attributes nobody has a value for, so this may be right, or one is misspelt")
        })
        .collect()
}

/// The attribute names in each LDIF connector's files (base and delta), by connector;
/// connectors whose files cannot be read, and other connector types, are left out.
pub fn observed(config: &syncrules::config::SyncConfig) -> ObservedAttributes {
    config
        .connectors
        .iter()
        .filter_map(|(name, c)| match c {
            ConnectorConfig::Ldif { path, delta } => {
                let mut files = vec![path.as_path()];
                files.extend(delta.as_deref().filter(|d| d.is_file()));
                ldif_files_attribute_names(&files)
                    .ok()
                    .map(|names| (name.clone(), names))
            }
            ConnectorConfig::File { .. } | ConnectorConfig::Ldap(_) | ConnectorConfig::Graph(_) => {
                None
            }
        })
        .collect()
}
