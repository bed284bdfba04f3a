//! Active Directory delta imports by `uSNChanged`, when DirSync is not offered or refused.

use ldap3::Ldap;
use syncrules_engine::ImportBatch;

use super::delta::RootDse;
use super::{LdapConnector, LdapFailure, LdapSettings};

/// The watermark a full import starts from.
pub(crate) async fn start_watermark(
    _ldap: &mut Ldap,
    _settings: &LdapSettings,
    _dse: &RootDse,
) -> Result<Option<String>, LdapFailure> {
    Ok(None)
}

impl LdapConnector {
    /// The changes since a `uSNChanged` watermark.
    pub(crate) async fn read_usn_changes(
        &mut self,
        _state: &str,
    ) -> Result<Option<ImportBatch>, LdapFailure> {
        Ok(None)
    }
}
