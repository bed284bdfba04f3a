//! Exports: add, modify (value-level adds and deletes for multi-valued attributes, replace
//! otherwise), delete and rename (modrdn). A failure is that object's result, classed by
//! its LDAP result code; a busy or unreachable server is retried with backoff, then the
//! whole export fails as unavailable.

use std::collections::HashSet;
use syncrules_lang::dn::Dn;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ldap3::{Ldap, Mod, Scope, SearchEntry};
use syncrules_connector::{ExportChange, ExportOp, ExportResult, FailureClass};
use syncrules_lang::Value;

use super::connect::{ATTEMPTS, backoff, connect, unavailable};
use super::search::{self, Found};
use super::{LdapFailure, LdapSettings};
use crate::ldif::dn::dn_key;
use crate::ldif::{LdifValue, parent_dn, split_rdn, value_to_ldif};

/// The class of a failed operation's result code.
pub(crate) fn class(rc: u32) -> FailureClass {
    match rc {
        16 | 17 | 19 | 21 | 64 | 65 | 67 | 69 => FailureClass::InvalidValue,
        20 | 68 => FailureClass::DuplicateAttribute,
        32 => FailureClass::NoSuchObject,
        50 | 53 => FailureClass::Refused,
        _ => FailureClass::Other,
    }
}

fn bytes(v: &LdifValue) -> Vec<u8> {
    v.as_bytes().to_vec()
}

fn set(value: &Value) -> HashSet<Vec<u8>> {
    value_to_ldif(value).iter().map(bytes).collect()
}

fn check(res: ldap3::LdapResult, dn: &str) -> Result<(), LdapFailure> {
    match res.rc {
        0 => Ok(()),
        rc => Err(LdapFailure::from_result(rc, &res.text, dn)),
    }
}

/// The object's anchor: objectGUID as base64, else entryUUID.
async fn anchor(ldap: &mut Ldap, dn: &str) -> Result<Option<String>, LdapFailure> {
    let r = ldap
        .search(
            dn,
            Scope::Base,
            "(objectClass=*)",
            vec!["objectGUID", "entryUUID"],
        )
        .await
        .map_err(|e| unavailable(&e))?;
    let Some(e) = r.0.into_iter().next().map(SearchEntry::construct) else {
        return Ok(None);
    };
    if let Some(g) = e.bin_attrs.get("objectGUID").and_then(|v| v.first()) {
        return Ok(Some(BASE64.encode(g)));
    }
    Ok(e.attrs
        .get("entryUUID")
        .and_then(|v| v.first())
        .cloned()
        .or_else(|| {
            e.attrs
                .get("objectGUID")
                .and_then(|v| v.first())
                .map(|t| BASE64.encode(t))
        }))
}

/// The values `dn` holds now for `names` (ranges completed).
async fn current(
    ldap: &mut Ldap,
    settings: &LdapSettings,
    dn: &str,
    names: &[String],
) -> Result<Found, LdapFailure> {
    let mut ranges = 0;
    let found = search::paged_search(
        ldap,
        dn,
        Scope::Base,
        "(objectClass=*)",
        names,
        settings.page_size,
        settings.range_size,
        &mut ranges,
    )
    .await?;
    found
        .into_iter()
        .next()
        .ok_or_else(|| LdapFailure::from_result(32, "no such object", dn))
}

/// The key a value is compared by: DNs ignoring case and separator spaces, others as bytes.
fn key(is_ref: bool, v: &[u8]) -> Vec<u8> {
    if is_ref {
        dn_key(&String::from_utf8_lossy(v)).into_bytes()
    } else {
        v.to_vec()
    }
}

/// Sets `attributes` on `dn`: a null removes a held attribute; several values (or several
/// held) are added and deleted value by value; one value replaces.
async fn update(
    ldap: &mut Ldap,
    settings: &LdapSettings,
    dn: &str,
    attributes: &syncrules_lang::AttrMap,
) -> Result<(), LdapFailure> {
    let names: Vec<String> = attributes
        .keys()
        .filter(|k| !k.eq_ignore_ascii_case("objectClass"))
        .map(|k| k.to_string())
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    let held = current(ldap, settings, dn, &names).await?;
    let mut mods: Vec<Mod<Vec<u8>>> = Vec::new();
    for name in &names {
        let Some(value) = attributes.get(name.as_str()) else {
            continue;
        };
        let old: Vec<Vec<u8>> = held
            .get(name)
            .map(|vs| vs.iter().map(bytes).collect())
            .unwrap_or_default();
        let new = set(value);
        let is_ref = value.values().iter().any(|v| matches!(v, Value::Ref(_)));
        if new.is_empty() {
            if !old.is_empty() {
                mods.push(Mod::Delete(name.clone().into_bytes(), HashSet::new()));
            }
        } else if new.len() > 1 || old.len() > 1 {
            let old_keys: HashSet<Vec<u8>> = old.iter().map(|v| key(is_ref, v)).collect();
            let new_keys: HashSet<Vec<u8>> = new.iter().map(|v| key(is_ref, v)).collect();
            let add: HashSet<Vec<u8>> = new
                .iter()
                .filter(|v| !old_keys.contains(&key(is_ref, v)))
                .cloned()
                .collect();
            let del: HashSet<Vec<u8>> = old
                .iter()
                .filter(|v| !new_keys.contains(&key(is_ref, v)))
                .cloned()
                .collect();
            if !del.is_empty() {
                mods.push(Mod::Delete(name.clone().into_bytes(), del));
            }
            if !add.is_empty() {
                mods.push(Mod::Add(name.clone().into_bytes(), add));
            }
        } else if old.first().map(|o| key(is_ref, o)) != new.iter().next().map(|n| key(is_ref, n)) {
            mods.push(Mod::Replace(name.clone().into_bytes(), new));
        }
    }
    if mods.is_empty() {
        return Ok(());
    }
    let res = ldap.modify(dn, mods).await.map_err(|e| unavailable(&e))?;
    check(res, dn)
}

/// One change applied; the object's anchor on success.
async fn apply(
    ldap: &mut Ldap,
    settings: &LdapSettings,
    c: &ExportChange,
) -> Result<Option<String>, LdapFailure> {
    match c.op {
        ExportOp::Add => {
            let mut attrs: Vec<(Vec<u8>, HashSet<Vec<u8>>)> = c
                .attributes
                .iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), set(v)))
                .filter(|(_, v)| !v.is_empty())
                .collect();
            if !c
                .attributes
                .keys()
                .any(|k| k.eq_ignore_ascii_case("objectClass"))
            {
                attrs.push((
                    b"objectClass".to_vec(),
                    HashSet::from([c.object_type.clone().into_bytes()]),
                ));
            }
            let res = ldap
                .add(c.dn.as_str(), attrs)
                .await
                .map_err(|e| unavailable(&e))?;
            if res.rc == 68 && c.retry {
                // A retried add whose object exists: the first attempt landed; bring it up to date.
                update(ldap, settings, c.dn.as_str(), &c.attributes).await?;
            } else {
                check(res, c.dn.as_str())?;
            }
            anchor(ldap, c.dn.as_str()).await
        }
        ExportOp::Update => {
            update(ldap, settings, c.dn.as_str(), &c.attributes).await?;
            Ok(None)
        }
        ExportOp::Delete => {
            let res = ldap
                .delete(c.dn.as_str())
                .await
                .map_err(|e| unavailable(&e))?;
            if res.rc == 32 && c.retry {
                return Ok(None);
            }
            check(res, c.dn.as_str())?;
            Ok(None)
        }
        ExportOp::Rename => {
            let old = c.old_dn.as_ref().map(Dn::as_str).unwrap_or(c.dn.as_str());
            let (rdn, parent) = split_rdn(c.dn.as_str());
            let moved = dn_key(parent) != dn_key(parent_dn(old));
            let res = ldap
                .modifydn(old, rdn, true, moved.then_some(parent))
                .await
                .map_err(|e| unavailable(&e))?;
            if !(res.rc == 32 && c.retry) {
                check(res, old)?;
            }
            update(ldap, settings, c.dn.as_str(), &c.attributes).await?;
            Ok(None)
        }
    }
}

/// Exports `changes` in order, one result each.
pub(crate) async fn export(
    settings: &LdapSettings,
    changes: &[ExportChange],
) -> Result<Vec<ExportResult>, LdapFailure> {
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let mut ldap = connect(settings).await?;
    let mut results = Vec::with_capacity(changes.len());
    for c in changes {
        let mut attempt = 1;
        let result = loop {
            match apply(&mut ldap, settings, c).await {
                Ok(anchor) => break ExportResult::Done { anchor },
                Err(LdapFailure::Result { rc, text, dn }) => {
                    break ExportResult::Failed {
                        class: class(rc),
                        message: format!("`{dn}`: LDAP result code {rc}: {text}"),
                    };
                }
                Err(LdapFailure::Unavailable(m)) if attempt >= ATTEMPTS => {
                    return Err(LdapFailure::Unavailable(format!(
                        "{m} (after {ATTEMPTS} attempts)"
                    )));
                }
                Err(LdapFailure::Unavailable(_)) => {
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                    ldap = connect(settings).await?;
                }
                Err(other) => return Err(other),
            }
        };
        results.push(result);
    }
    let _ = ldap.unbind().await;
    Ok(results)
}
