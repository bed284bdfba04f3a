//! The source connectors' objects checked for what Entra ID would reject, as IdFix does.

use syncrules_connectors::LdifSource;
use syncrules_engine::Connector as _;
use syncrules_engine::preflight::{ATTRIBUTES, Finding, Preflight};

use crate::config::{ConnectorConfig, SyncConfig};
use crate::{Error, connect};

/// Reads every object of the configuration's source connectors (LDIF and LDAP; targets are
/// not checked) and returns the findings; `domains` are the tenant's verified domains (a
/// UPN or SMTP address outside them is a finding). LDIF files are streamed, so memory holds
/// a block of a file, not the directory.
pub fn preflight(config: &SyncConfig, domains: &[String]) -> Result<Vec<Finding>, Error> {
    let mut check = Preflight::new(domains);
    let mut rt = None;
    for (name, connector) in &config.connectors {
        match connector {
            ConnectorConfig::Ldif { path, delta } => {
                let mut source = LdifSource::new(name.clone(), path.clone());
                if let Some(d) = delta {
                    source = source.with_delta(d.clone());
                }
                source.for_each_object(|e| {
                    check.object(name, e.dn.as_str(), &e.object_type, &e.attributes);
                })?;
            }
            ConnectorConfig::Ldap(ldap) => {
                let used = ATTRIBUTES.iter().map(|a| (*a).to_owned());
                let mut source = connect::ldap_connector(name, ldap, used)?;
                let rt = match &mut rt {
                    Some(rt) => rt,
                    None => rt.insert(crate::session::runtime()?),
                };
                for e in rt.block_on(source.full_import())?.entries {
                    check.object(name, e.dn.as_str(), &e.object_type, &e.attributes);
                }
            }
            ConnectorConfig::File { .. } | ConnectorConfig::Graph(_) => {}
        }
    }
    Ok(check.finish()?)
}
