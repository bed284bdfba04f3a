//! Delta imports: which method a directory offers, the watermark a full import starts
//! from, and the changes since a watermark. Three methods, by the watermark's prefix:
//!
//! - `ldap:dirsync:<tag>:<cookie>`: AD's DirSync control ([`super::dirsync`]);
//! - `ldap:syncrepl:<tag>:<cookie>`: RFC 4533 content sync on OpenLDAP ([`super::syncrepl`]);
//! - `ldap:usn:<tag>:<invocationId>:<usn>`: AD's `uSNChanged` method ([`super::usn`]).
//!
//! A watermark of another method than the one configured, or taken while other
//! attributes were read, is not used: the engine runs a full import and says so.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ldap3::{Ldap, Scope, SearchEntry};
use syncrules_connector::{Change, ImportBatch, ImportEntry};
use syncrules_lang::dn::Dn;

use super::search::Found;
use super::{DeltaMethod, LdapConnector, LdapFailure, LdapSettings, dirsync, syncrepl, usn};

/// The attributes asked for, as 16 hex digits: a cookie only brings the changes after it,
/// so when the attributes read change (a rule now reads one more), the objects that did
/// not change would never bring it. A watermark with another tag is not used.
pub(crate) fn attributes_tag(settings: &LdapSettings) -> String {
    let mut names: Vec<String> = settings
        .requested()
        .iter()
        .map(|a| a.split(';').next().unwrap_or(a).to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    format!("{:016x}", crate::ldif::fnv1a(names.join("\n").as_bytes()))
}

/// The attributes asked for by name (a delta reads ranged attributes by their name).
pub(crate) fn plain_attributes(settings: &LdapSettings) -> Vec<String> {
    let mut attrs = settings.requested();
    attrs.retain(|a| !a.contains(';'));
    attrs.extend(settings.ranged.iter().cloned());
    attrs
}

/// What the root DSE says about change tracking.
#[derive(Debug, Default)]
pub(crate) struct RootDse {
    /// `supportedControl`.
    pub controls: Vec<String>,
    /// `highestCommittedUSN` (AD).
    pub highest_usn: Option<u64>,
    /// `dsServiceName` (AD): the DN of the DC's NTDS settings, which hold its invocationId.
    pub service: Option<String>,
}

impl RootDse {
    /// Whether the server offers the control `oid`.
    pub fn offers(&self, oid: &str) -> bool {
        self.controls.iter().any(|c| c == oid)
    }
}

/// Reads the root DSE.
pub(crate) async fn root_dse(ldap: &mut Ldap) -> Result<RootDse, LdapFailure> {
    let result = ldap
        .search(
            "",
            Scope::Base,
            "(objectClass=*)",
            vec!["supportedControl", "highestCommittedUSN", "dsServiceName"],
        )
        .await
        .map_err(|e| super::connect::unavailable(&e))?;
    let mut dse = RootDse::default();
    for e in result.0 {
        let e = SearchEntry::construct(e);
        let first = |name: &str| {
            e.attrs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .and_then(|(_, v)| v.first().cloned())
        };
        dse.highest_usn = first("highestCommittedUSN").and_then(|v| v.trim().parse().ok());
        dse.service = first("dsServiceName");
        dse.controls = e.attrs.get("supportedControl").cloned().unwrap_or_default();
    }
    Ok(dse)
}

/// The watermark a full import starts from, taken before the objects are read (so changes
/// made during the read arrive again): by the configured method, or under `auto` DirSync,
/// else content sync, else `uSNChanged`; none when the directory offers none of them.
pub(crate) async fn start_watermark(
    ldap: &mut Ldap,
    settings: &LdapSettings,
) -> Result<Option<String>, LdapFailure> {
    let dse = root_dse(ldap).await?;
    let method = settings.delta;
    if method.allows(DeltaMethod::DirSync) && dse.offers(dirsync::DIRSYNC_OID) {
        // Refused (a bind without the rights DirSync needs): the next method, under auto.
        if let Some(w) = dirsync::start_watermark(ldap, settings).await? {
            return Ok(Some(w));
        }
    }
    if method.allows(DeltaMethod::ContentSync)
        && dse.offers(syncrepl::SYNC_OID)
        && let Some(w) = syncrepl::start_watermark(ldap, settings).await?
    {
        return Ok(Some(w));
    }
    if method.allows(DeltaMethod::Usn) {
        return usn::start_watermark(ldap, settings, &dse).await;
    }
    Ok(None)
}

pub(crate) fn is_true(found: &Found, name: &str) -> bool {
    found.get(name).is_some_and(|vs| {
        vs.iter()
            .any(|v| v.as_text().is_some_and(|t| t.eq_ignore_ascii_case("true")))
    })
}

/// The AD anchor: `objectGUID` as base64.
pub(crate) fn guid_anchor(found: &Found) -> Option<String> {
    Some(BASE64.encode(found.get("objectGUID")?.first()?.as_bytes()))
}

/// An entry with no attributes: a delete, or a modify filled in by the caller. A delete
/// with the root DN is known by anchor alone.
pub(crate) fn bare(change: Change, dn: Dn, anchor: Option<String>) -> ImportEntry {
    ImportEntry {
        change,
        dn,
        old_dn: None,
        anchor,
        object_type: String::new(),
        attributes: syncrules_lang::AttrMap::default(),
        value_changes: Vec::new(),
    }
}

impl LdapConnector {
    /// The changes since `watermark`; `None` when it is not usable (another method than
    /// the one configured, another attributes tag, a cookie the server rejects).
    pub(crate) async fn read_changes(
        &mut self,
        watermark: &str,
    ) -> Result<Option<ImportBatch>, LdapFailure> {
        let tag = attributes_tag(&self.settings);
        let Some((method, rest)) = watermark
            .strip_prefix("ldap:")
            .and_then(|rest| rest.split_once(':'))
        else {
            return Ok(None);
        };
        let Some(state) = rest
            .split_once(':')
            .filter(|(t, _)| *t == tag)
            .map(|(_, state)| state.to_owned())
        else {
            return Ok(None);
        };
        match method {
            "dirsync" if self.settings.delta.allows(DeltaMethod::DirSync) => {
                match BASE64.decode(&state) {
                    Ok(cookie) => self.read_dirsync_changes(cookie).await,
                    Err(_) => Ok(None),
                }
            }
            "syncrepl" if self.settings.delta.allows(DeltaMethod::ContentSync) => {
                match BASE64.decode(&state) {
                    Ok(cookie) => self.read_content_sync_changes(cookie).await,
                    Err(_) => Ok(None),
                }
            }
            "usn" if self.settings.delta.allows(DeltaMethod::Usn) => {
                self.read_usn_changes(&state).await
            }
            _ => Ok(None),
        }
    }
}
