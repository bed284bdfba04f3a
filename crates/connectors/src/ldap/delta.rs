//! Delta imports: DirSync on Active Directory; directories without it get no watermark, so
//! each delta run is a full import (the engine says so).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use indexmap::IndexMap;
use ldap3::{Ldap, Scope, SearchEntry};
use syncrules_engine::{Change, ImportBatch, ImportEntry, ValueChange, ValueOp};

use super::search::{self, Found, parse_range};
use super::{LdapConnector, LdapFailure, LdapSettings, dirsync};
use crate::ldif::LdifValue;

/// The watermark prefix of a DirSync cookie: `ldap:dirsync:<tag>:<cookie in base64>`, the
/// tag naming the attributes read ([`attributes_tag`]).
const DIRSYNC_PREFIX: &str = "ldap:dirsync:";

/// The attributes asked for, as 16 hex digits: a DirSync cookie only brings the changes
/// after it, so when the attributes read change (a rule now reads one more), the objects
/// that did not change would never bring it. A watermark with another tag is not used: the
/// engine runs a full import, and says so.
fn attributes_tag(settings: &LdapSettings) -> String {
    let mut names: Vec<String> = settings
        .requested()
        .iter()
        .map(|a| a.split(';').next().unwrap_or(a).to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    format!("{:016x}", crate::ldif::fnv1a(names.join("\n").as_bytes()))
}

/// A DirSync cookie as a watermark.
fn dirsync_watermark(settings: &LdapSettings, cookie: &[u8]) -> String {
    format!(
        "{DIRSYNC_PREFIX}{}:{}",
        attributes_tag(settings),
        BASE64.encode(cookie)
    )
}

/// Whether the server offers DirSync (its root DSE lists the control).
async fn has_dirsync(ldap: &mut Ldap) -> Result<bool, LdapFailure> {
    let result = ldap
        .search("", Scope::Base, "(objectClass=*)", vec!["supportedControl"])
        .await
        .map_err(|e| super::connect::unavailable(&e))?;
    Ok(result.0.into_iter().any(|e| {
        SearchEntry::construct(e)
            .attrs
            .get("supportedControl")
            .is_some_and(|cs| cs.iter().any(|c| c == dirsync::DIRSYNC_OID))
    }))
}

/// One DirSync pass from `cookie`: the changed entries and the new cookie; `None` when the
/// server rejects the cookie.
async fn dirsync_pass(
    ldap: &mut Ldap,
    settings: &LdapSettings,
    mut cookie: Vec<u8>,
    attrs: &[String],
) -> Result<Option<(Vec<Found>, Vec<u8>)>, LdapFailure> {
    let mut found = Vec::new();
    loop {
        let result = ldap
            .with_controls(vec![dirsync::request(&cookie)])
            .search(
                &settings.base,
                Scope::Subtree,
                &settings.filter(),
                attrs.to_vec(),
            )
            .await
            .map_err(|e| super::connect::unavailable(&e))?;
        let (entries, res) = (result.0, result.1);
        match res.rc {
            0 => {}
            51 | 52 => return Err(LdapFailure::from_result(res.rc, &res.text, &settings.base)),
            _ => return Ok(None),
        }
        found.extend(
            entries
                .into_iter()
                .map(|e| Found::from_entry(SearchEntry::construct(e))),
        );
        let control = res
            .ctrls
            .iter()
            .find(|c| c.1.ctype == dirsync::DIRSYNC_OID)
            .and_then(|c| c.1.val.as_deref())
            .and_then(dirsync::response);
        let Some((more, next)) = control else {
            return Ok(None);
        };
        cookie = next;
        if !more {
            return Ok(Some((found, cookie)));
        }
    }
}

/// The watermark a full import starts from: a DirSync cookie taken before the objects are
/// read (so changes made during the read arrive again), or none without DirSync.
pub(crate) async fn start_watermark(
    ldap: &mut Ldap,
    settings: &LdapSettings,
) -> Result<Option<String>, LdapFailure> {
    if !has_dirsync(ldap).await? {
        return Ok(None);
    }
    let attrs = vec!["objectGUID".to_owned()];
    Ok(dirsync_pass(ldap, settings, Vec::new(), &attrs)
        .await?
        .map(|(_, cookie)| dirsync_watermark(settings, &cookie)))
}

fn is_true(found: &Found, name: &str) -> bool {
    found.get(name).is_some_and(|vs| {
        vs.iter()
            .any(|v| v.as_text().is_some_and(|t| t.eq_ignore_ascii_case("true")))
    })
}

/// A DirSync entry that carries only membership value changes (plus the attributes DirSync
/// always sends): its value changes, `member;range=1-1` added and `member;range=0-0` removed.
fn value_changes(found: &Found, connector: &LdapConnector) -> Option<Vec<ValueChange>> {
    let mut changes = Vec::new();
    for (name, values) in &found.attrs {
        if ["objectGUID", "instanceType"]
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
        {
            continue;
        }
        let (base, low, high) = parse_range(name)?;
        let op = match (low, high) {
            (1, Some(1)) => ValueOp::Add,
            (0, Some(0)) => ValueOp::Remove,
            _ => return None,
        };
        let typed = values
            .iter()
            .filter_map(|v| connector.typing.value(base, v).ok())
            .collect();
        changes.push(ValueChange {
            attribute: base.to_owned(),
            op,
            values: typed,
        });
    }
    (!changes.is_empty()).then_some(changes)
}

fn anchor_of(found: &Found) -> Option<String> {
    match found.get("objectGUID")?.first()? {
        LdifValue::Binary(b) => Some(BASE64.encode(b)),
        LdifValue::Text(t) => Some(BASE64.encode(t.as_bytes())),
    }
}

fn bare(change: Change, dn: &str, anchor: Option<String>) -> ImportEntry {
    ImportEntry {
        change,
        dn: dn.to_owned(),
        old_dn: None,
        anchor,
        object_type: String::new(),
        attributes: IndexMap::new(),
        value_changes: Vec::new(),
    }
}

impl LdapConnector {
    /// The changes since `watermark`; `None` when it is not a usable DirSync cookie, or one
    /// taken while other attributes were read.
    pub(crate) async fn read_changes(
        &mut self,
        watermark: &str,
    ) -> Result<Option<ImportBatch>, LdapFailure> {
        let tag = attributes_tag(&self.settings);
        let Some(cookie) = watermark
            .strip_prefix(DIRSYNC_PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .filter(|(t, _)| *t == tag)
            .and_then(|(_, c)| BASE64.decode(c).ok())
        else {
            return Ok(None);
        };
        let mut ldap = super::connect::connect(&self.settings).await?;
        let mut attrs = self.settings.requested();
        // DirSync reports changes to the attributes asked for: the ranged ones by name.
        attrs.retain(|a| !a.contains(';'));
        attrs.extend(self.settings.ranged.iter().cloned());
        attrs.extend(["isDeleted".to_owned(), "name".to_owned()]);
        let Some((found, cookie)) = dirsync_pass(&mut ldap, &self.settings, cookie, &attrs).await?
        else {
            return Ok(None);
        };
        let mut batch = ImportBatch {
            watermark: Some(dirsync_watermark(&self.settings, &cookie)),
            ..ImportBatch::default()
        };
        for f in found {
            let anchor = anchor_of(&f);
            if is_true(&f, "isDeleted") {
                batch.entries.push(bare(Change::Delete, &f.dn, anchor));
                continue;
            }
            if !self.settings.in_scope(&f.dn) {
                // Renamed or moved (a new `name`) out of scope, and not just created there.
                if f.get("name").is_some() && f.get("objectClass").is_none() {
                    batch.entries.push(bare(Change::Delete, &f.dn, anchor));
                }
                continue;
            }
            if let Some(changes) = value_changes(&f, self) {
                let mut e = bare(Change::Modify, &f.dn, anchor);
                e.value_changes = changes;
                batch.entries.push(e);
                continue;
            }
            // Anything else: the object as it is now, read whole.
            let mut ranges = 0;
            let now = search::paged_search(
                &mut ldap,
                &f.dn,
                Scope::Base,
                &self.settings.filter(),
                &self.settings.requested(),
                self.settings.page_size,
                self.settings.range_size,
                &mut ranges,
            )
            .await?;
            self.range_requests += ranges;
            for n in now {
                match self.typed(&n, Change::Add) {
                    Some(Ok(e)) => batch.entries.push(e),
                    Some(Err(e)) => batch.errors.push(e),
                    None => {}
                }
            }
        }
        let _ = ldap.unbind().await;
        Ok(Some(batch))
    }
}
