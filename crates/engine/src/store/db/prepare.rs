//! What a commit writes of each dirty object, worked out before it writes: the new record
//! encoded and packed, the stored one unpacked and compared, and the index rows that differ
//! between the two. This is most of a commit's work and each object's is independent, so
//! a commit prepares [`CHUNK`] objects at a time on rayon's threads, then writes them in
//! order on its own (redb's write transaction is one thread's).

use rayon::prelude::*;
use syncrules_lang::dn::DnKey;

use super::super::pack::{Codec, Codecs, is_packed, unpack};
use super::super::record::{decode_cs, decode_mv, encode_mv};
use super::super::{JoinKeys, StoreError};
use super::rows::{cs_join_rows, mv_join_rows};
use super::write::EncodeCs;
use super::{corrupt, cs_key};
use crate::model::{CsId, CsObject, MvId, MvObject};

/// Objects prepared at a time: enough to keep two threads busy, few enough that the
/// prepared records of a chunk (and the stored ones read for it) stay small.
pub(super) const CHUNK: usize = 1_024;

/// A dirty connector-space object to prepare: its connector and id, the object in the state
/// (absent when deleted) and its stored record (absent when new).
pub(super) type CsItem<'s> = (&'s str, CsId, Option<&'s CsObject>, Option<Vec<u8>>);

/// A dirty metaverse object to prepare: its id, the object (absent when deleted) and its
/// stored record (absent when new).
pub(super) type MvItem<'s> = (MvId, Option<&'s MvObject>, Option<Vec<u8>>);

/// A join index row removed (`false`) or added (`true`).
pub(super) type JoinRow = ((String, String), bool);

/// What a commit writes of one dirty connector-space object.
#[derive(Debug)]
pub(super) enum CsChange {
    /// Marked but unchanged: its record and index rows are as stored.
    Same,
    /// Written (or deleted: no `bytes`).
    Written {
        /// The record as it is stored, when the object is present.
        bytes: Option<Vec<u8>>,
        /// The work lists the stored record put the object on; `None` when no record was
        /// stored.
        was: Option<Lists>,
        /// The anchor the stored record held, when the object no longer holds it.
        anchor_left: Option<String>,
        /// The DN key the stored record held and the one the object holds, when they
        /// differ.
        dns: Option<(Option<DnKey>, Option<DnKey>)>,
        /// The join rows that differ.
        joins: Vec<JoinRow>,
    },
}

/// The work lists an object is on. A commit writes an object's record and its rows in the
/// work lists together, so a stored record is on a list exactly when its flags say so (and
/// an object never stored is on none): a commit writes a list's row only when the flags
/// change, without reading the list first (a read of each list per object written was a
/// tenth of a sync's committing thread).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Lists {
    /// On `to_sync`: a pending import, or an unresolved reference.
    pub(super) sync: bool,
    /// On `to_export`: a pending export.
    pub(super) export: bool,
}

impl Lists {
    pub(super) fn of(o: &CsObject) -> Lists {
        Lists {
            sync: o.pending_import.is_some() || o.unresolved,
            export: o.pending_export.is_some(),
        }
    }
}

/// What a commit writes of one dirty metaverse object.
#[derive(Debug)]
pub(super) enum MvChange {
    /// Marked but unchanged.
    Same,
    /// Written (or deleted: no `bytes`).
    Written {
        /// The record as it is stored, when the object is present.
        bytes: Option<Vec<u8>>,
        /// A record was stored before.
        existed: bool,
        /// The join rows that differ.
        joins: Vec<JoinRow>,
    },
}

/// What prepares a chunk of objects: the commit's codecs, join keys and encoder.
pub(super) struct Preparer<'a> {
    pub(super) codecs: &'a Codecs,
    pub(super) join: &'a JoinKeys,
    /// The join index is made anew after the records: no rows per object.
    pub(super) rebuild: bool,
    pub(super) encode: EncodeCs<'a>,
}

/// `plain` as it is stored: packed when the state has a dictionary for its kind.
fn pack(codec: Option<&Codec>, plain: Vec<u8>) -> Vec<u8> {
    match codec {
        Some(c) => c.pack(plain),
        None => plain,
    }
}

/// The rows of `new` not in `old` (added) and of `old` not in `new` (removed).
fn join_difference(
    old: std::collections::BTreeSet<(String, String)>,
    new: std::collections::BTreeSet<(String, String)>,
) -> Vec<JoinRow> {
    let mut rows: Vec<JoinRow> = old.difference(&new).map(|r| (r.clone(), false)).collect();
    rows.extend(new.difference(&old).map(|r| (r.clone(), true)));
    rows
}

impl Preparer<'_> {
    /// Prepares connector-space objects; the results come in the order of `items`.
    pub(super) fn cs(&self, items: Vec<CsItem<'_>>) -> Vec<Result<CsChange, StoreError>> {
        items
            .into_par_iter()
            .map(|(connector, id, new, stored)| self.one_cs(connector, id, new, stored))
            .collect()
    }

    fn one_cs(
        &self,
        connector: &str,
        id: CsId,
        new: Option<&CsObject>,
        stored: Option<Vec<u8>>,
    ) -> Result<CsChange, StoreError> {
        let at = || cs_key(connector, id);
        let codec = self.codecs.packs_cs(connector);
        let plain = match new {
            Some(o) => Some((self.encode)(connector, o).map_err(|m| corrupt(at(), m))?),
            None => None,
        };
        let old = match &stored {
            Some(stored) => {
                let held = unpack(stored, self.codecs).map_err(|m| corrupt(at(), m))?;
                // A plain record is packed once the state has a dictionary.
                if plain.as_deref() == Some(&*held) && (codec.is_none() || is_packed(stored)) {
                    return Ok(CsChange::Same);
                }
                Some(decode_cs(id, &held).map_err(|m| corrupt(at(), m))?)
            }
            None => None,
        };
        let anchor_left = old
            .as_ref()
            .and_then(|o| o.anchor.clone())
            .filter(|a| new.is_none_or(|n| n.anchor.as_ref() != Some(a)));
        // The same text is the same DN key: parsed only when the text changes.
        let dns = match (old.as_ref(), new) {
            (Some(o), Some(n)) if o.dn == n.dn => None,
            (o, n) => {
                let old_dn = o.map(|o| DnKey::new(&o.dn));
                let new_dn = n.map(|o| DnKey::new(&o.dn));
                (old_dn != new_dn).then_some((old_dn, new_dn))
            }
        };
        let joins = if self.rebuild {
            Vec::new()
        } else {
            let rows = |o: Option<&CsObject>| {
                o.map(|o| cs_join_rows(self.join, connector, o))
                    .unwrap_or_default()
            };
            join_difference(rows(old.as_ref()), rows(new))
        };
        Ok(CsChange::Written {
            bytes: plain.map(|b| pack(codec, b)),
            was: old.as_ref().map(Lists::of),
            anchor_left,
            dns,
            joins,
        })
    }

    /// Prepares metaverse objects, as [`Preparer::cs`] does.
    pub(super) fn mv(&self, items: Vec<MvItem<'_>>) -> Vec<Result<MvChange, StoreError>> {
        items
            .into_par_iter()
            .map(|(id, new, stored)| self.one_mv(id, new, stored))
            .collect()
    }

    fn one_mv(
        &self,
        id: MvId,
        new: Option<&MvObject>,
        stored: Option<Vec<u8>>,
    ) -> Result<MvChange, StoreError> {
        let at = || format!("mv/{id}");
        let codec = self.codecs.packs_mv();
        let plain = new.map(encode_mv);
        let old = match &stored {
            Some(stored) => {
                let held = unpack(stored, self.codecs).map_err(|m| corrupt(at(), m))?;
                if plain.as_deref() == Some(&*held) && (codec.is_none() || is_packed(stored)) {
                    return Ok(MvChange::Same);
                }
                Some(decode_mv(id, &held).map_err(|m| corrupt(at(), m))?)
            }
            None => None,
        };
        let joins = if self.rebuild {
            Vec::new()
        } else {
            let rows =
                |o: Option<&MvObject>| o.map(|o| mv_join_rows(self.join, o)).unwrap_or_default();
            join_difference(rows(old.as_ref()), rows(new))
        };
        Ok(MvChange::Written {
            bytes: plain.map(|b| pack(codec, b)),
            existed: old.is_some(),
            joins,
        })
    }
}
