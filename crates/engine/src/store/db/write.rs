//! Committing a step: the dirty objects' records and every index row they change, in one
//! write transaction.

use std::collections::HashMap;

use redb::{ReadableTable, WriteTransaction};

use super::super::pack::Codecs;
use super::super::record::encode_cs;
use super::super::train::train_on;
use super::super::{Dirty, JoinKeys, StoreError};
use super::ordered::{IndexWrites, Point, Was};
use super::prepare::{CHUNK, CsChange, Lists, MvChange, Preparer};
use super::rows::{relist, settle};
use super::{
    BY_ANCHOR, BY_DN, CS, CS_JOIN, DN_WAS, JOURNAL, META, MV, MV_JOIN, OLD_CS_JOIN, OLD_MV_JOIN,
    Store, TO_EXPORT, TO_RECOMPUTE, TO_SYNC, corrupt,
};
use crate::model::{CsId, CsObject, MvId, State};
use syncrules_lang::dn::DnKey;

/// Why an object cannot be encoded. The record encoder never fails; tests substitute an
/// encoder that does, to see a commit fail halfway.
pub(crate) type EncodeError = Box<dyn std::error::Error + Send + Sync>;

/// How a commit encodes a connector-space object (tests substitute one that fails).
pub(crate) type EncodeCs<'a> = &'a (dyn Fn(&str, &CsObject) -> Result<Vec<u8>, EncodeError> + Sync);

fn encode(_connector: &str, o: &CsObject) -> Result<Vec<u8>, EncodeError> {
    Ok(encode_cs(o))
}

/// The DN index rows of an object whose DN key changes: the DN it held unset (and kept
/// among the DNs objects had, unless the object is gone), the DN it holds set (and
/// forgotten as a DN another object had).
fn dn_rows<'c>(
    index: &mut IndexWrites<'c>,
    (connector, id): (&'c str, u64),
    left: Option<DnKey>,
    taken: Option<DnKey>,
) {
    if let Some(dn) = left {
        index.dn(connector, dn.as_str(), id, Point::Unset);
        let how = if taken.is_some() {
            Was::Keep(id)
        } else {
            Was::Gone(id)
        };
        index.dn_was(connector, dn.into_string(), how);
    }
    if let Some(dn) = taken {
        index.dn(connector, dn.as_str(), id, Point::Set);
        index.dn_was(connector, dn.into_string(), Was::Taken);
    }
}

impl Store {
    /// Records in the export journal, durably, that these objects' changes are about to be
    /// handed to `connector`.
    pub fn journal(&self, connector: &str, ids: &[CsId]) -> Result<(), StoreError> {
        let txn = self.begin()?;
        let result = (|| {
            let mut j = txn
                .open_table(JOURNAL)
                .map_err(|e| self.err("open a table", e))?;
            for id in ids {
                j.insert((connector, id.get()), 1)
                    .map_err(|e| self.err("write", e))?;
            }
            Ok(())
        })();
        self.finish(txn, result)
    }

    /// Stores one step in one write transaction: each dirty object present in `state` is
    /// written, each dirty object absent from it deleted, with their index rows (anchor,
    /// DN, work lists, join keys of `join`); and when `dirty.meta` the watermarks, next
    /// ids, object counts, connector list (the objects of connectors no longer in it are
    /// deleted) and plan fingerprint. On any error nothing of the step is stored.
    pub fn commit(
        &self,
        state: &mut State,
        dirty: &Dirty,
        join: &JoinKeys,
    ) -> Result<(), StoreError> {
        self.commit_with(state, dirty, join, &encode)
    }

    pub(crate) fn commit_with(
        &self,
        state: &mut State,
        dirty: &Dirty,
        join: &JoinKeys,
        encode: EncodeCs<'_>,
    ) -> Result<(), StoreError> {
        if dirty.is_empty() {
            return Ok(());
        }
        let current = self.codecs();
        let trained = train_on(state, dirty, encode, &current, |kind, n| {
            self.plain_records(kind, n, &current)
        })?;
        let codecs = if trained.is_empty() {
            current
        } else {
            let mut codecs = (*current).clone();
            for t in &trained {
                codecs.add(Some((&t.kind, t.median)), t.codec.clone());
            }
            std::sync::Arc::new(codecs)
        };
        let txn = self.begin()?;
        let result = self
            .write_dicts(&txn, &trained)
            .and_then(|()| self.write(&txn, state, dirty, join, encode, &codecs));
        match result {
            Ok(counts) => {
                if trained.is_empty() {
                    self.finish(txn, Ok(()))?;
                } else {
                    // Readers wait until the new dictionaries are both committed and known.
                    let mut known = self.codecs.write().unwrap_or_else(|p| p.into_inner());
                    self.finish(txn, Ok(()))?;
                    *known = codecs;
                }
                for (name, n) in counts.cs {
                    if let Some(s) = state.spaces.get_mut(&name) {
                        s.residency.stored = n;
                    }
                }
                state.metaverse.residency.stored = counts.mv;
                Ok(())
            }
            Err(e) => self.finish(txn, Err(e)),
        }
    }

    fn write(
        &self,
        txn: &WriteTransaction,
        state: &State,
        dirty: &Dirty,
        join: &JoinKeys,
        encode: EncodeCs<'_>,
        codecs: &Codecs,
    ) -> Result<Counts, StoreError> {
        let stored_keys = read_join_keys(self, txn)?;
        let rebuild = stored_keys.as_ref() != Some(join);
        if rebuild {
            // The rules search other attributes than the stored join keys: index anew.
            txn.delete_table(CS_JOIN)
                .map_err(|e| self.err("write", e))?;
            txn.delete_table(MV_JOIN)
                .map_err(|e| self.err("write", e))?;
            txn.delete_multimap_table(OLD_CS_JOIN)
                .map_err(|e| self.err("write", e))?;
            txn.delete_multimap_table(OLD_MV_JOIN)
                .map_err(|e| self.err("write", e))?;
        }
        let mut cs = txn
            .open_table(CS)
            .map_err(|e| self.err("open a table", e))?;
        let mut by_anchor = txn
            .open_table(BY_ANCHOR)
            .map_err(|e| self.err("open a table", e))?;
        let mut by_dn = txn
            .open_table(BY_DN)
            .map_err(|e| self.err("open a table", e))?;
        let mut dn_was = txn
            .open_table(DN_WAS)
            .map_err(|e| self.err("open a table", e))?;
        let mut to_sync = txn
            .open_table(TO_SYNC)
            .map_err(|e| self.err("open a table", e))?;
        let mut to_export = txn
            .open_table(TO_EXPORT)
            .map_err(|e| self.err("open a table", e))?;
        let mut cs_join = txn
            .open_table(CS_JOIN)
            .map_err(|e| self.err("open a table", e))?;
        let mut mv_join = txn
            .open_table(MV_JOIN)
            .map_err(|e| self.err("open a table", e))?;
        let mut journal = txn
            .open_table(JOURNAL)
            .map_err(|e| self.err("open a table", e))?;
        for (connector, id) in &dirty.exported {
            journal
                .remove((connector.as_str(), id.get()))
                .map_err(|e| self.err("write", e))?;
        }
        let mut delta: HashMap<&str, i64> = HashMap::new();
        // Index rows are written after the records, in key order (see `ordered`).
        let mut index = IndexWrites::default();
        let prep = Preparer {
            codecs,
            join,
            rebuild,
            encode,
        };
        let dirty_cs: Vec<(&str, CsId)> =
            dirty.cs.iter().map(|(c, id)| (c.as_str(), *id)).collect();
        for chunk in dirty_cs.chunks(CHUNK) {
            let mut items = Vec::with_capacity(chunk.len());
            for &(connector, id) in chunk {
                let new = state.spaces.get(connector).and_then(|s| s.objects.get(&id));
                let stored = cs
                    .get((connector, id.get()))
                    .map_err(|e| self.err("write", e))?
                    .map(|v| v.value().to_vec());
                items.push((connector, id, new, stored));
            }
            let news: Vec<Option<&CsObject>> = items.iter().map(|i| i.2).collect();
            let changes = prep.cs(items);
            for ((&(connector, id), new), change) in chunk.iter().zip(news).zip(changes) {
                let key = (connector, id.get());
                let CsChange::Written {
                    bytes,
                    was,
                    anchor_left,
                    dns,
                    joins,
                } = change?
                else {
                    if new.is_some_and(|o| o.pending_export.is_none()) {
                        settle(&mut journal, key).map_err(|e| self.err("write", e))?;
                    }
                    continue;
                };
                if let Some(a) = &anchor_left {
                    index.anchor(connector, a, id.get(), Point::Unset);
                }
                if let Some((left, taken)) = dns {
                    dn_rows(&mut index, key, left, taken);
                }
                for (row, on) in joins {
                    index.cs_join(connector, row, id.get(), on);
                }
                match (new, bytes) {
                    (Some(o), Some(bytes)) => {
                        cs.insert(key, bytes.as_slice())
                            .map_err(|e| self.err("write", e))?;
                        // Index rows are written when they differ from the stored ones: an
                        // insert copies its page even when the value is the same.
                        if let Some(a) = &o.anchor {
                            index.anchor(connector, a, id.get(), Point::Set);
                        }
                        let on = Lists::of(o);
                        let w = was.unwrap_or_default();
                        relist(&mut to_sync, key, w.sync, on.sync)
                            .map_err(|e| self.err("write", e))?;
                        relist(&mut to_export, key, w.export, on.export)
                            .map_err(|e| self.err("write", e))?;
                        if o.pending_export.is_none() {
                            // Nothing left to send: whatever was in doubt is settled.
                            settle(&mut journal, key).map_err(|e| self.err("write", e))?;
                        }
                        if was.is_none() {
                            *delta.entry(connector).or_default() += 1;
                        }
                    }
                    _ => {
                        settle(&mut journal, key).map_err(|e| self.err("write", e))?;
                        cs.remove(key).map_err(|e| self.err("write", e))?;
                        let w = was.unwrap_or_default();
                        relist(&mut to_sync, key, w.sync, false)
                            .map_err(|e| self.err("write", e))?;
                        relist(&mut to_export, key, w.export, false)
                            .map_err(|e| self.err("write", e))?;
                        if was.is_some() {
                            *delta.entry(connector).or_default() -= 1;
                        }
                    }
                }
            }
        }
        let mut to_recompute = txn
            .open_table(TO_RECOMPUTE)
            .map_err(|e| self.err("open a table", e))?;
        for id in &dirty.recompute {
            to_recompute
                .insert(id.get(), 1)
                .map_err(|e| self.err("write", e))?;
        }
        for id in &dirty.recomputed {
            to_recompute
                .remove(id.get())
                .map_err(|e| self.err("write", e))?;
        }
        let mut mv = txn
            .open_table(MV)
            .map_err(|e| self.err("open a table", e))?;
        let mut mv_delta: i64 = 0;
        let dirty_mv: Vec<MvId> = dirty.mv.iter().copied().collect();
        for chunk in dirty_mv.chunks(CHUNK) {
            let mut items = Vec::with_capacity(chunk.len());
            for &id in chunk {
                let stored = mv
                    .get(id.get())
                    .map_err(|e| self.err("write", e))?
                    .map(|v| v.value().to_vec());
                items.push((id, state.metaverse.objects.get(&id), stored));
            }
            for (&id, change) in chunk.iter().zip(prep.mv(items)) {
                let MvChange::Written {
                    bytes,
                    existed,
                    joins,
                } = change?
                else {
                    continue;
                };
                for (row, on) in joins {
                    index.mv_join(row, id.get(), on);
                }
                match bytes {
                    Some(bytes) => {
                        mv.insert(id.get(), bytes.as_slice())
                            .map_err(|e| self.err("write", e))?;
                        if !existed {
                            mv_delta += 1;
                        }
                    }
                    None => {
                        mv.remove(id.get()).map_err(|e| self.err("write", e))?;
                        if existed {
                            mv_delta -= 1;
                        }
                    }
                }
            }
        }
        index
            .apply(
                &mut by_anchor,
                &mut by_dn,
                &mut dn_was,
                &mut cs_join,
                &mut mv_join,
            )
            .map_err(|e| self.err("write", e))?;
        if rebuild {
            self.index_anew(&cs, &mv, &mut cs_join, &mut mv_join, join, codecs)?;
        }
        let counts = Counts {
            cs: state
                .spaces
                .iter()
                .map(|(name, s)| {
                    let d = delta.get(name.as_str()).copied().unwrap_or(0);
                    let n = i64::try_from(s.residency.stored).unwrap_or(i64::MAX) + d;
                    (name.clone(), usize::try_from(n.max(0)).unwrap_or(0))
                })
                .collect(),
            mv: usize::try_from(
                (i64::try_from(state.metaverse.residency.stored).unwrap_or(i64::MAX) + mv_delta)
                    .max(0),
            )
            .unwrap_or(0),
        };
        if dirty.meta || rebuild || !delta.is_empty() || mv_delta != 0 {
            self.write_meta(txn, &mut cs, state, &counts, join)?;
        }
        Ok(counts)
    }

    fn write_meta(
        &self,
        txn: &WriteTransaction,
        cs: &mut redb::Table<'_, (&'static str, u64), &'static [u8]>,
        state: &State,
        counts: &Counts,
        join: &JoinKeys,
    ) -> Result<(), StoreError> {
        let mut meta = txn
            .open_table(META)
            .map_err(|e| self.err("open a table", e))?;
        // Drop the objects of connector spaces the state no longer has.
        let stored: Vec<String> = match meta.get("spaces").map_err(|e| self.err("write", e))? {
            Some(v) => serde_json::from_slice::<serde_json::Value>(v.value())
                .ok()
                .and_then(|j| {
                    j.as_array().map(|a| {
                        a.iter()
                            .filter_map(|s| {
                                s.get("name").and_then(|n| n.as_str()).map(str::to_owned)
                            })
                            .collect()
                    })
                })
                .ok_or_else(|| corrupt("meta/spaces".into(), "not a list of spaces"))?,
            None => Vec::new(),
        };
        for gone in stored.iter().filter(|s| !state.spaces.contains_key(*s)) {
            let name = gone.as_str();
            cs.retain_in((name, 0)..=(name, u64::MAX), |_, _| false)
                .map_err(|e| self.err("write", e))?;
        }
        let spaces: Vec<serde_json::Value> = state
            .spaces
            .iter()
            .map(|(name, s)| {
                let count = counts
                    .cs
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(0, |(_, c)| *c);
                serde_json::json!({"name": name, "watermark": s.watermark, "next_id": s.next_id.get(), "count": count})
            })
            .collect();
        let entries = [
            ("spaces", serde_json::Value::from(spaces)),
            ("mv_next_id", state.metaverse.next_id.get().into()),
            ("mv_count", counts.mv.into()),
            ("plan_fingerprint", state.plan_fingerprint.clone().into()),
            (
                "outbound_retry",
                serde_json::Value::from(
                    state
                        .outbound_retry
                        .iter()
                        .map(|id| id.get())
                        .collect::<Vec<u64>>(),
                ),
            ),
            (
                "outbound_waits",
                serde_json::Value::from(
                    state
                        .outbound_waits
                        .iter()
                        .map(|(id, waits)| {
                            let on: Vec<serde_json::Value> = waits
                                .iter()
                                .map(|(c, r)| serde_json::json!([c, r.get()]))
                                .collect();
                            serde_json::json!([id.get(), on])
                        })
                        .collect::<Vec<_>>(),
                ),
            ),
            (
                "held",
                serde_json::Value::from(
                    state
                        .held
                        .iter()
                        .map(|(id, since)| serde_json::json!([id.get(), since.timestamp()]))
                        .collect::<Vec<_>>(),
                ),
            ),
            ("join_keys", join.to_json()),
        ];
        for (key, j) in entries {
            let bytes = serde_json::to_vec(&j).map_err(|e| corrupt(format!("meta/{key}"), e))?;
            meta.insert(key, bytes.as_slice())
                .map_err(|e| self.err("write", e))?;
        }
        Ok(())
    }
}

/// Object counts after a commit.
struct Counts {
    cs: Vec<(String, usize)>,
    mv: usize,
}

fn read_join_keys(store: &Store, txn: &WriteTransaction) -> Result<Option<JoinKeys>, StoreError> {
    let meta = txn
        .open_table(META)
        .map_err(|e| store.err("open a table", e))?;
    Ok(store
        .read_meta_value(&meta, "join_keys")?
        .and_then(|j| JoinKeys::from_json(&j)))
}
