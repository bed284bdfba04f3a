//! Active Directory delta imports by `uSNChanged`, when DirSync is not offered or refused
//! (a bind without the rights DirSync needs), or forced by `delta: usn`.
//!
//! The watermark (`ldap:usn:<tag>:<invocationId>:<usn>`) holds the DC's invocationId (read
//! from the NTDS settings object the root DSE's `dsServiceName` names) and its
//! `highestCommittedUSN`, both read before the objects. A delta reads whole every object of
//! `base` with `uSNChanged` above it (membership changes arrive as the group read whole, not
//! as value changes): in scope an add (an upsert), out of scope a delete by anchor (it may
//! have moved out); and the tombstones under `CN=Deleted Objects` with the same change
//! number, read with the Show Deleted control, are deletes by anchor. Another invocationId
//! (the DC was restored, or the watermark is another DC's) makes the engine run a full
//! import, and say so.

use ldap3::controls::RawControl;
use ldap3::{Ldap, Scope, SearchEntry};
use syncrules_connector::{Change, ImportBatch};
use syncrules_lang::dn::Dn;

use super::delta::{RootDse, attributes_tag, bare, guid_anchor, root_dse};
use super::search;
use super::{LdapConnector, LdapFailure, LdapSettings};

/// The Show Deleted control: searches see tombstones.
const SHOW_DELETED_OID: &str = "1.2.840.113556.1.4.417";

/// The DC's invocationId as 32 hex digits; `None` without `dsServiceName`.
async fn invocation_id(ldap: &mut Ldap, dse: &RootDse) -> Result<Option<String>, LdapFailure> {
    let Some(service) = &dse.service else {
        return Ok(None);
    };
    let result = ldap
        .search(
            service,
            Scope::Base,
            "(objectClass=*)",
            vec!["invocationId"],
        )
        .await
        .map_err(|e| super::connect::unavailable(&e))?;
    if result.1.rc != 0 {
        return Ok(None);
    }
    Ok(result.0.into_iter().find_map(|e| {
        let e = SearchEntry::construct(e);
        let bytes = e
            .bin_attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("invocationId"))
            .and_then(|(_, v)| v.first().cloned())
            .or_else(|| {
                e.attrs
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("invocationId"))
                    .and_then(|(_, v)| v.first().map(|s| s.as_bytes().to_vec()))
            })?;
        Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }))
}

fn watermark(settings: &LdapSettings, invocation: &str, usn: u64) -> String {
    format!("ldap:usn:{}:{invocation}:{usn}", attributes_tag(settings))
}

/// The watermark a full import starts from; `None` when the root DSE has no
/// `highestCommittedUSN` or no invocationId can be read (not AD).
pub(crate) async fn start_watermark(
    ldap: &mut Ldap,
    settings: &LdapSettings,
    dse: &RootDse,
) -> Result<Option<String>, LdapFailure> {
    let Some(usn) = dse.highest_usn else {
        return Ok(None);
    };
    Ok(invocation_id(ldap, dse)
        .await?
        .map(|inv| watermark(settings, &inv, usn)))
}

impl LdapConnector {
    /// The changes since a `uSNChanged` watermark's `state` (`<invocationId>:<usn>`);
    /// `None` when it is malformed or another invocationId's.
    pub(crate) async fn read_usn_changes(
        &mut self,
        state: &str,
    ) -> Result<Option<ImportBatch>, LdapFailure> {
        let Some((invocation, usn)) = state
            .split_once(':')
            .and_then(|(i, u)| Some((i.to_owned(), u.parse::<u64>().ok()?)))
        else {
            return Ok(None);
        };
        let mut ldap = super::connect::connect(&self.settings).await?;
        let dse = root_dse(&mut ldap).await?;
        let (Some(now), Some(current)) = (dse.highest_usn, invocation_id(&mut ldap, &dse).await?)
        else {
            return Ok(None);
        };
        if current != invocation {
            return Ok(None);
        }
        let mut batch = ImportBatch {
            watermark: Some(watermark(&self.settings, &current, now)),
            ..ImportBatch::default()
        };
        let since = usn.saturating_add(1);
        let filter = format!("(&{}(uSNChanged>={since}))", self.settings.filter());
        let base = self.settings.base.clone();
        let changed = self
            .search_requested(&mut ldap, &base, Scope::Subtree, &filter)
            .await?;
        for f in changed {
            // Out of scope: perhaps moved out, a delete by anchor; nothing when it was never
            // in.
            if !self.push_typed(&f, Change::Add, &mut batch)
                && let Some(anchor) = guid_anchor(&f)
            {
                batch
                    .entries
                    .push(bare(Change::Delete, Dn::default(), Some(anchor)));
            }
        }
        // Tombstones, by anchor: their DNs are mangled and their classes stripped.
        ldap.with_controls(vec![RawControl {
            ctype: SHOW_DELETED_OID.to_owned(),
            crit: true,
            val: None,
        }]);
        let deleted = search::paged_search(
            &mut ldap,
            &format!("CN=Deleted Objects,{}", self.settings.base),
            Scope::Subtree,
            &format!("(&(isDeleted=TRUE)(uSNChanged>={since}))"),
            &["objectGUID".to_owned()],
            self.settings.page_size,
            self.settings.range_size,
            &mut 0,
        )
        .await?;
        for f in deleted {
            if let Some(anchor) = guid_anchor(&f) {
                batch
                    .entries
                    .push(bare(Change::Delete, Dn::default(), Some(anchor)));
            }
        }
        let _ = ldap.unbind().await;
        Ok(Some(batch))
    }
}
