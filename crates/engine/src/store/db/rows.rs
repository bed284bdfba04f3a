//! The index rows a commit writes beside an object's record, and the small writes that
//! touch a row only when it changes.

use std::collections::BTreeSet;

use redb::ReadableTable;

use super::super::pack::{Codecs, unpack};
use super::super::record::{decode_cs, decode_mv};
use super::super::{JoinKeys, StoreError};
use super::ordered::IndexWrites;
use super::{Store, corrupt, cs_key};

/// The join rows an index made anew gathers before writing them in key order.
const ANEW_CHUNK: usize = 200_000;
use crate::model::{CsId, CsObject, MvId, MvObject};
use crate::sync::join_keys as keys;

/// The index rows of one connector-space object besides its DN and anchor.
pub(super) fn cs_join_rows(
    keys_of: &JoinKeys,
    connector: &str,
    o: &CsObject,
) -> BTreeSet<(String, String)> {
    let mut rows = BTreeSet::new();
    for (c, attr) in &keys_of.cs {
        if c == connector {
            for k in keys(o.current(attr)) {
                rows.insert((attr.clone(), k));
            }
        }
    }
    rows
}

/// The key a hashed index stores for its parts (`[connector, anchor]` in the anchor index,
/// `[attribute, join key]` in the metaverse's join index, `[connector, attribute, join key]`
/// in the connector spaces'): their XXH3 128-bit hash, each part preceded by its length so
/// that no two lists of parts read alike. The hash is fixed by its specification, so a state
/// reads the same in every build; a row is a fixed 24 bytes, where text keys took about 60
/// (and a multimap's bookkeeping more). XXH3 is not made to resist chosen collisions, so a
/// row only proposes its object: a join compares the candidates' values itself, and the
/// anchor index checks the record's anchor.
pub(crate) fn key_hash(parts: &[&str]) -> u128 {
    let mut framed = Vec::with_capacity(parts.iter().map(|p| p.len() + 8).sum());
    for part in parts {
        framed.extend_from_slice(&(part.len() as u64).to_le_bytes());
        framed.extend_from_slice(part.as_bytes());
    }
    twox_hash::XxHash3_128::oneshot(&framed)
}

/// The join index rows of one metaverse object.
pub(super) fn mv_join_rows(keys_of: &JoinKeys, o: &MvObject) -> BTreeSet<(String, String)> {
    let mut rows = BTreeSet::new();
    for attr in &keys_of.mv {
        if let Some(v) = o.attributes.get(attr.as_str()) {
            for k in keys(v) {
                rows.insert((attr.clone(), k));
            }
        }
    }
    rows
}

/// Sets `key` → `id` unless the table already holds exactly that.
pub(super) fn point(
    table: &mut redb::Table<'_, (&str, &str), u64>,
    key: (&str, &str),
    id: u64,
) -> Result<(), redb::StorageError> {
    if table.get(key)?.map(|v| v.value()) != Some(id) {
        table.insert(key, id)?;
    }
    Ok(())
}

/// Puts `key` in a work list or takes it out, writing only when that changes the list.
pub(super) fn mark(
    table: &mut redb::Table<'_, (&str, u64), u8>,
    key: (&str, u64),
    on: bool,
) -> Result<(), redb::StorageError> {
    let there = table.get(key)?.is_some();
    if on && !there {
        table.insert(key, 1)?;
    } else if !on && there {
        table.remove(key)?;
    }
    Ok(())
}

/// Puts `key` on a work list or takes it off, knowing whether it is there (a stored record
/// is on a list exactly when its flags say so; see `prepare::Lists`): one write when that
/// changes, none otherwise.
pub(super) fn relist(
    table: &mut redb::Table<'_, (&str, u64), u8>,
    key: (&str, u64),
    was: bool,
    on: bool,
) -> Result<(), redb::StorageError> {
    match (was, on) {
        (false, true) => {
            table.insert(key, 1)?;
        }
        (true, false) => {
            table.remove(key)?;
        }
        _ => {}
    }
    Ok(())
}

/// Takes an object out of the export journal, if it is there.
pub(super) fn settle(
    table: &mut redb::Table<'_, (&str, u64), u8>,
    key: (&str, u64),
) -> Result<(), redb::StorageError> {
    mark(table, key, false)
}

impl Store {
    /// Writes every object's join index rows anew (the rules search other attributes than
    /// the stored rows were made for), in key order as a commit writes them
    /// ([`IndexWrites`]), [`ANEW_CHUNK`] rows at a time.
    pub(super) fn index_anew<'t>(
        &self,
        cs: &redb::Table<'_, (&'static str, u64), &'static [u8]>,
        mv: &redb::Table<'_, u64, &'static [u8]>,
        cs_join: &mut redb::Table<'t, (u128, u64), ()>,
        mv_join: &mut redb::Table<'t, (u128, u64), ()>,
        join: &JoinKeys,
        codecs: &Codecs,
    ) -> Result<(), StoreError> {
        let mut writes = IndexWrites::default();
        let mut flush = |writes: &mut IndexWrites<'_>, all: bool| {
            if all || writes.joins() >= ANEW_CHUNK {
                writes
                    .apply_joins(cs_join, mv_join)
                    .map_err(|e| self.err("write", e))?;
            }
            Ok::<(), StoreError>(())
        };
        for entry in cs.iter().map_err(|e| self.err("write", e))? {
            let (k, v) = entry.map_err(|e| self.err("write", e))?;
            let (connector, n) = k.value();
            // A connector none of whose attributes is searched has no rows: not decoded.
            let Some((name, _)) = join.cs.iter().find(|(c, _)| c == connector) else {
                continue;
            };
            let id = CsId::new(n);
            let o = unpack(v.value(), codecs)
                .and_then(|b| decode_cs(id, &b))
                .map_err(|m| corrupt(cs_key(connector, id), m))?;
            for row in cs_join_rows(join, connector, &o) {
                writes.cs_join(name, row, n, true);
            }
            flush(&mut writes, false)?;
        }
        for entry in mv.iter().map_err(|e| self.err("write", e))? {
            let (k, v) = entry.map_err(|e| self.err("write", e))?;
            let n = k.value();
            let id = MvId::new(n);
            let o = unpack(v.value(), codecs)
                .and_then(|b| decode_mv(id, &b))
                .map_err(|m| corrupt(format!("mv/{id}"), m))?;
            for row in mv_join_rows(join, &o) {
                writes.mv_join(row, n, true);
            }
            flush(&mut writes, false)?;
        }
        flush(&mut writes, true)
    }
}
