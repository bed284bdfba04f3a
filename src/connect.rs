//! The built-in connectors and safety settings a `sync.yaml` names.

use std::collections::BTreeSet;

use syncrules_connectors::file_target::FileTarget;
use syncrules_connectors::graph::GraphConnector;
use syncrules_connectors::ldap::LdapConnector;
use syncrules_connectors::ldif::LdifSource;
use syncrules_engine::connector::Connector;
use syncrules_engine::run::Options;

use crate::config::{ConnectorConfig, SyncConfig};
use crate::config_ldap::{LdapConfig, SecretError};
use crate::lang::rules::Plan;

/// The configuration's connectors, in its order. An LDAP connector without `attributes`
/// reads those the rules of `plans` use of it (every attribute when no rule uses it). A
/// secret that cannot be read (any more) is an error, never an empty password.
pub fn connectors(
    config: &SyncConfig,
    plans: &[&Plan],
) -> Result<Vec<Box<dyn Connector>>, SecretError> {
    config
        .connectors
        .iter()
        .map(|(name, c)| -> Result<Box<dyn Connector>, SecretError> {
            Ok(match c {
                ConnectorConfig::Ldif { path, delta } => {
                    let mut s = LdifSource::new(name.clone(), path.clone());
                    if let Some(d) = delta {
                        s = s.with_delta(d.clone());
                    }
                    Box::new(s)
                }
                ConnectorConfig::File { path } => {
                    Box::new(FileTarget::new(name.clone(), path.clone()))
                }
                ConnectorConfig::Ldap(ldap) => {
                    let used: BTreeSet<String> = plans
                        .iter()
                        .flat_map(|p| p.connector_attributes(name))
                        .collect();
                    Box::new(ldap_connector(name, ldap, used)?)
                }
                ConnectorConfig::Graph(graph) => {
                    Box::new(GraphConnector::new(name.clone(), graph.settings()?))
                }
            })
        })
        .collect()
}

/// An LDAP connector; without `attributes` in sync.yaml it reads `used` (every attribute
/// when `used` is empty). The password is read now.
pub fn ldap_connector(
    name: &str,
    ldap: &LdapConfig,
    used: impl IntoIterator<Item = String>,
) -> Result<LdapConnector, SecretError> {
    let mut settings = ldap.settings()?;
    let used: Vec<String> = used.into_iter().collect();
    if !ldap.attributes_given && !used.is_empty() {
        settings.attributes = used;
    }
    Ok(LdapConnector::new(name, settings))
}

/// The safety settings of a configuration: its deletion threshold, error limit and value
/// limit; `staging` exports nothing, `allow_deletes` lets exports through the threshold.
pub fn options(config: &SyncConfig, staging: bool, allow_deletes: bool) -> Options {
    Options {
        deletion_threshold: config.deletion_threshold.as_ref().map_or(500, |t| t.count),
        deletion_percent: config.deletion_threshold.as_ref().and_then(|t| t.percent),
        allow_deletes,
        error_limit: config.error_limit,
        values_per_attribute: config.values_per_attribute,
        sync_batch: config.batch_size,
        deletion_window: config.deletion_window,
        staging,
        ..Options::default()
    }
}
