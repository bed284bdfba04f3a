//! OpenLDAP delta imports by RFC 4533 content synchronization, refreshOnly with a cookie,
//! objects keyed by `entryUUID`. The cookie is the watermark
//! (`ldap:syncrepl:<tag>:<cookie in base64>`), taken by a base-scope sync search before a
//! full import reads the objects.
//!
//! A delta is one refreshOnly search of `base` with the cookie: an entry added or modified
//! (a rename or move too: the same `entryUUID`, a new DN) arrives whole and is imported as
//! an add (an upsert); one out of the containers is a delete by anchor; deletes arrive as
//! entries in the delete state, or as `syncIdSet` messages of entryUUIDs. The server must
//! answer with a delete phase (syncprov with a session log covering the cookie): a present
//! phase (it could not tell what was deleted), `e-syncRefreshRequired` (4096) or a cookie
//! it rejects make the engine run a full import, and say so.

use std::panic::AssertUnwindSafe;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ldap3::controls::{
    ControlParser as _, EntryState, MakeCritical as _, RawControl, RefreshMode, SyncDone, SyncInfo,
    SyncRequest, SyncState, parse_syncinfo,
};
use ldap3::{Ldap, ResultEntry, Scope, SearchEntry};
use syncrules_connector::{Change, ImportBatch};
use syncrules_lang::dn::Dn;

use super::delta::{attributes_tag, bare, plain_attributes};
use super::search::Found;
use super::{LdapConnector, LdapFailure, LdapSettings};

/// The Sync Request control's OID, listed in the root DSE of a server that offers it.
pub(crate) const SYNC_OID: &str = "1.3.6.1.4.1.4203.1.9.1.1";
/// The Sync State control (on each entry).
const STATE_OID: &str = "1.3.6.1.4.1.4203.1.9.1.2";
/// The Sync Done control (on the search result).
const DONE_OID: &str = "1.3.6.1.4.1.4203.1.9.1.3";

/// What one refreshOnly search brought.
#[derive(Debug, Default)]
struct Refresh {
    /// Entries added or modified, with their attributes.
    changed: Vec<Found>,
    /// The entryUUIDs of deleted entries.
    deleted: Vec<String>,
    /// The server sent a present phase: what was deleted is not listed.
    present: bool,
    /// The last cookie sent.
    cookie: Option<Vec<u8>>,
}

/// A sync cookie as a watermark.
fn watermark(settings: &LdapSettings, cookie: &[u8]) -> String {
    format!(
        "ldap:syncrepl:{}:{}",
        attributes_tag(settings),
        BASE64.encode(cookie)
    )
}

/// A 16-byte UUID in the text form of `entryUUID` (lower-case, hyphenated).
pub(crate) fn uuid_text(bytes: &[u8]) -> Option<String> {
    uuid::Uuid::from_slice(bytes)
        .ok()
        .map(|u| u.hyphenated().to_string())
}

/// `ldap3`'s parsers of the sync controls and messages panic on malformed input: a
/// malformed message is `None` instead.
fn guarded<T>(parse: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(AssertUnwindSafe(parse)).ok()
}

fn malformed(what: &str) -> LdapFailure {
    LdapFailure::Unavailable(format!("content sync: a malformed {what} from the server"))
}

/// Takes in one intermediate message (sync info).
fn take_info(entry: ResultEntry, out: &mut Refresh) -> Result<(), LdapFailure> {
    let info = guarded(|| parse_syncinfo(entry)).ok_or_else(|| malformed("sync info message"))?;
    let cookie = match info {
        SyncInfo::NewCookie(c) => Some(c),
        SyncInfo::RefreshDelete { cookie, .. } => cookie,
        SyncInfo::RefreshPresent { cookie, .. } => {
            out.present = true;
            cookie
        }
        SyncInfo::SyncIdSet {
            cookie,
            refresh_deletes,
            sync_uuids,
        } => {
            if refresh_deletes {
                out.deleted
                    .extend(sync_uuids.iter().filter_map(|u| uuid_text(u)));
            } else {
                out.present = true;
            }
            cookie
        }
    };
    if cookie.is_some() {
        out.cookie = cookie;
    }
    Ok(())
}

/// One refreshOnly search from `cookie` (none: the whole content); `None` when the server
/// refuses it (`e-syncRefreshRequired`, a rejected cookie, no content sync).
async fn refresh(
    ldap: &mut Ldap,
    base: &str,
    scope: Scope,
    filter: &str,
    attrs: &[String],
    cookie: Option<Vec<u8>>,
) -> Result<Option<Refresh>, LdapFailure> {
    let request = SyncRequest {
        mode: RefreshMode::RefreshOnly,
        cookie,
        reload_hint: false,
    };
    let control: RawControl = request.critical().into();
    let mut stream = ldap
        .with_controls(vec![control])
        .streaming_search(base, scope, filter, attrs.to_vec())
        .await
        .map_err(|e| super::connect::unavailable(&e))?;
    let mut out = Refresh::default();
    while let Some(entry) = stream
        .next()
        .await
        .map_err(|e| super::connect::unavailable(&e))?
    {
        if entry.is_intermediate() {
            take_info(entry, &mut out)?;
            continue;
        }
        if entry.is_ref() {
            continue;
        }
        let state = match entry.1.iter().find(|c| c.1.ctype == STATE_OID) {
            Some(c) => Some(
                c.1.val
                    .as_deref()
                    .and_then(|v| guarded(|| SyncState::parse(v)))
                    .ok_or_else(|| malformed("sync state control"))?,
            ),
            None => None,
        };
        let found = Found::from_entry(SearchEntry::construct(entry));
        let Some(state) = state else {
            out.changed.push(found);
            continue;
        };
        match state.state {
            EntryState::Delete => out.deleted.extend(uuid_text(&state.entry_uuid)),
            EntryState::Present => out.present = true,
            EntryState::Add | EntryState::Modify => out.changed.push(found),
        }
        if state.cookie.is_some() {
            out.cookie = state.cookie;
        }
    }
    let res = stream.finish().await;
    match res.rc {
        0 => {}
        51 | 52 => return Err(LdapFailure::from_result(res.rc, &res.text, base)),
        // 4096 e-syncRefreshRequired; a rejected cookie; content sync refused.
        _ => return Ok(None),
    }
    let sent_any = !(out.changed.is_empty() && out.deleted.is_empty());
    if let Some(c) = res.ctrls.iter().find(|c| c.1.ctype == DONE_OID) {
        let done =
            c.1.val
                .as_deref()
                .and_then(|v| guarded(|| SyncDone::parse(v)))
                .ok_or_else(|| malformed("sync done control"))?;
        if done.cookie.is_some() {
            out.cookie = done.cookie;
        }
        // refreshDeletes FALSE after entries: whatever was not sent is gone (a present
        // phase).
        if !done.refresh_deletes && sent_any {
            out.present = true;
        }
    }
    // Changes and an empty cookie: syncprov's answer to a cookie it cannot read, the whole
    // content again (what was deleted is not said).
    if out.cookie.as_ref().is_some_and(Vec::is_empty) && sent_any {
        out.present = true;
    }
    Ok(Some(out))
}

/// The watermark a full import starts from: the cookie of a base-scope sync search of
/// `base` (one entry); `None` when the server sends none.
pub(crate) async fn start_watermark(
    ldap: &mut Ldap,
    settings: &LdapSettings,
) -> Result<Option<String>, LdapFailure> {
    let attrs = vec!["1.1".to_owned()];
    let r = refresh(
        ldap,
        &settings.base,
        Scope::Base,
        "(objectClass=*)",
        &attrs,
        None,
    )
    .await?;
    Ok(r.and_then(|r| r.cookie).map(|c| watermark(settings, &c)))
}

impl LdapConnector {
    /// The changes since a content sync `cookie`; `None` when the server cannot list them.
    pub(crate) async fn read_content_sync_changes(
        &mut self,
        cookie: Vec<u8>,
    ) -> Result<Option<ImportBatch>, LdapFailure> {
        let mut ldap = super::connect::connect(&self.settings).await?;
        let attrs = plain_attributes(&self.settings);
        let filter = self.settings.filter();
        let base = self.settings.base.clone();
        let sent = cookie.clone();
        let Some(r) = refresh(
            &mut ldap,
            &base,
            Scope::Subtree,
            &filter,
            &attrs,
            Some(cookie),
        )
        .await?
        else {
            return Ok(None);
        };
        let _ = ldap.unbind().await;
        if r.present {
            return Ok(None);
        }
        let mut batch = ImportBatch {
            watermark: Some(watermark(
                &self.settings,
                r.cookie.as_deref().unwrap_or(&sent),
            )),
            ..ImportBatch::default()
        };
        for uuid in r.deleted {
            batch
                .entries
                .push(bare(Change::Delete, Dn::default(), Some(uuid)));
        }
        for f in r.changed {
            // Moved or renamed out of the containers (or changed there): a delete by anchor,
            // nothing when it was never in scope.
            if !self.push_typed(&f, Change::Add, &mut batch)
                && let Some(anchor) = f
                    .get("entryUUID")
                    .and_then(|vs| vs.first())
                    .and_then(|v| v.as_text())
            {
                batch
                    .entries
                    .push(bare(Change::Delete, Dn::default(), Some(anchor.to_owned())));
            }
        }
        Ok(Some(batch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_read_as_entry_uuid_text() {
        let bytes: Vec<u8> = (0u8..16).collect();
        assert_eq!(
            uuid_text(&bytes).as_deref(),
            Some("00010203-0405-0607-0809-0a0b0c0d0e0f")
        );
        assert_eq!(uuid_text(&[1, 2]), None);
    }
}
