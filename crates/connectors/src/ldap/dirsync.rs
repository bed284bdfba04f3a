//! The Active Directory DirSync control (OID 1.2.840.113556.1.4.841): what changed since a
//! cookie, with group membership changes as added and removed values. The cookie is the
//! watermark (`ldap:dirsync:<tag>:<cookie in base64>`); a changed group arrives as value
//! changes of `member`, any other changed object is read again whole, a tombstone
//! (`isDeleted`) is a delete by anchor, an object renamed or moved out of scope a delete.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ldap3::controls::RawControl;
use ldap3::{Ldap, Scope, SearchEntry};
use syncrules_connector::{Change, ImportBatch, ImportError, ValueChange, ValueOp};
use syncrules_lang::dn::Dn;

use super::delta::{attributes_tag, bare, guid_anchor, is_true, plain_attributes};
use super::search::{Found, parse_range};
use super::{LdapConnector, LdapFailure, LdapSettings};

/// The control's OID.
pub(crate) const DIRSYNC_OID: &str = "1.2.840.113556.1.4.841";
/// `LDAP_DIRSYNC_INCREMENTAL_VALUES`: linked attributes (`member`) as value changes.
const INCREMENTAL_VALUES: i64 = 0x8000_0000;
/// The most bytes a DirSync response holds (AD's own default).
const MAX_BYTES: i64 = 0x0010_0000;

/// A BER length.
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let used = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | used.len() as u8);
        out.extend_from_slice(used);
    }
}

/// A BER INTEGER (two's complement, shortest form).
fn push_int(out: &mut Vec<u8>, value: i64) {
    let bytes = value.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let (Some(b), Some(next)) = (bytes.get(start), bytes.get(start + 1)) else {
            break;
        };
        let redundant = (*b == 0 && next & 0x80 == 0) || (*b == 0xff && next & 0x80 != 0);
        if !redundant {
            break;
        }
        start += 1;
    }
    let used = bytes.get(start..).unwrap_or_default();
    out.push(0x02);
    push_len(out, used.len());
    out.extend_from_slice(used);
}

/// The request control: flags, size limit and the cookie (empty for a first request).
pub(crate) fn request(cookie: &[u8]) -> RawControl {
    let mut inner = Vec::new();
    push_int(&mut inner, INCREMENTAL_VALUES);
    push_int(&mut inner, MAX_BYTES);
    inner.push(0x04);
    push_len(&mut inner, cookie.len());
    inner.extend_from_slice(cookie);
    let mut val = vec![0x30];
    push_len(&mut val, inner.len());
    val.extend(inner);
    RawControl {
        ctype: DIRSYNC_OID.to_owned(),
        crit: true,
        val: Some(val),
    }
}

/// The response control's value: whether more changes wait, and the new cookie.
pub(crate) fn response(val: &[u8]) -> Option<(bool, Vec<u8>)> {
    let (_, tag) = ldap3::asn1::parse_tag(val).ok()?;
    let mut parts = tag.expect_constructed()?.into_iter();
    let more = parts.next()?.expect_primitive()?;
    let _unused = parts.next()?;
    let cookie = parts.next()?.expect_primitive()?;
    Some((more.iter().any(|b| *b != 0), cookie))
}

/// A DirSync cookie as a watermark.
fn watermark(settings: &LdapSettings, cookie: &[u8]) -> String {
    format!(
        "ldap:dirsync:{}:{}",
        attributes_tag(settings),
        BASE64.encode(cookie)
    )
}

/// One DirSync pass from `cookie`: the changed entries and the new cookie; `None` when the
/// server rejects the cookie or the control (a bind without the rights it needs).
async fn pass(
    ldap: &mut Ldap,
    settings: &LdapSettings,
    mut cookie: Vec<u8>,
    attrs: &[String],
) -> Result<Option<(Vec<Found>, Vec<u8>)>, LdapFailure> {
    let mut found = Vec::new();
    loop {
        let result = ldap
            .with_controls(vec![request(&cookie)])
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
            .find(|c| c.1.ctype == DIRSYNC_OID)
            .and_then(|c| c.1.val.as_deref())
            .and_then(response);
        let Some((more, next)) = control else {
            return Ok(None);
        };
        cookie = next;
        if !more {
            return Ok(Some((found, cookie)));
        }
    }
}

/// The watermark a full import starts from; `None` when DirSync is refused.
pub(crate) async fn start_watermark(
    ldap: &mut Ldap,
    settings: &LdapSettings,
) -> Result<Option<String>, LdapFailure> {
    let attrs = vec!["objectGUID".to_owned()];
    Ok(pass(ldap, settings, Vec::new(), &attrs)
        .await?
        .map(|(_, cookie)| watermark(settings, &cookie)))
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
            attribute: base.into(),
            op,
            values: typed,
        });
    }
    (!changes.is_empty()).then_some(changes)
}

impl LdapConnector {
    /// The changes since a DirSync `cookie`; `None` when the server rejects it.
    pub(crate) async fn read_dirsync_changes(
        &mut self,
        cookie: Vec<u8>,
    ) -> Result<Option<ImportBatch>, LdapFailure> {
        let mut ldap = super::connect::connect(&self.settings).await?;
        // DirSync reports changes to the attributes asked for: the ranged ones by name.
        let mut attrs = plain_attributes(&self.settings);
        attrs.extend(["isDeleted".to_owned(), "name".to_owned()]);
        let Some((found, cookie)) = pass(&mut ldap, &self.settings, cookie, &attrs).await? else {
            return Ok(None);
        };
        let mut batch = ImportBatch {
            watermark: Some(watermark(&self.settings, &cookie)),
            ..ImportBatch::default()
        };
        for f in found {
            let anchor = guid_anchor(&f);
            // Deletes by anchor alone: DirSync reports the whole domain's tombstones and
            // moves, and those of objects never in scope are nothing to do.
            if is_true(&f, "isDeleted") {
                batch
                    .entries
                    .push(bare(Change::Delete, Dn::default(), anchor));
                continue;
            }
            if !self.settings.in_scope(&f.dn) {
                // Renamed or moved (a new `name`) out of scope, and not just created there.
                if f.get("name").is_some() && f.get("objectClass").is_none() {
                    batch
                        .entries
                        .push(bare(Change::Delete, Dn::default(), anchor));
                }
                continue;
            }
            if let Some(changes) = value_changes(&f, self) {
                match Dn::parse(&f.dn) {
                    Ok(dn) => {
                        let mut e = bare(Change::Modify, dn, anchor);
                        e.value_changes = changes;
                        batch.entries.push(e);
                    }
                    Err(e) => batch.errors.push(ImportError {
                        dn: Some(f.dn.clone()),
                        message: format!("`{}` is not a valid DN: {e}", f.dn),
                    }),
                }
                continue;
            }
            // Anything else: the object as it is now, read whole.
            self.read_whole(&mut ldap, &f.dn, &mut batch).await?;
        }
        let _ = ldap.unbind().await;
        Ok(Some(batch))
    }

    /// The object at `dn` as it is now, read whole into `batch` as an add (an upsert: the
    /// engine replaces the attributes of an object it holds); nothing when it is gone or
    /// not of the object classes read.
    pub(crate) async fn read_whole(
        &mut self,
        ldap: &mut Ldap,
        dn: &str,
        batch: &mut ImportBatch,
    ) -> Result<(), LdapFailure> {
        let filter = self.settings.filter();
        for n in self
            .search_requested(ldap, dn, Scope::Base, &filter)
            .await?
        {
            self.push_typed(&n, Change::Add, batch);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_encodes_flags_and_cookie() {
        let c = request(b"ck");
        let val = c.val.unwrap_or_default();
        // SEQUENCE { INTEGER 0x80000000 (5 bytes), INTEGER 0x100000, OCTET STRING "ck" }
        assert_eq!(
            val,
            vec![
                0x30, 0x10, 0x02, 0x05, 0x00, 0x80, 0, 0, 0, 0x02, 0x03, 0x10, 0, 0, 0x04, 0x02,
                b'c', b'k'
            ]
        );
        assert!(c.crit);
    }

    #[test]
    fn response_decodes() {
        let val = [
            0x30, 0x0a, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x04, 0x02, b'a', b'b',
        ];
        assert_eq!(response(&val), Some((true, b"ab".to_vec())));
        assert_eq!(response(&[0x01]), None);
    }
}
