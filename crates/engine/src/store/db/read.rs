//! Reading the last committed state: everything at once (a full cycle, a preview), or one
//! object, one index row, one work list at a time (a delta step's working set).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use syncrules_lang::name::Name;

use redb::{ReadTransaction, ReadableTable};

use super::super::StoreError;
use super::super::pack::{Codecs, unpack};
use super::super::record::{Decoded, decode_cs, decode_mv};
use super::{
    CS, DN_WAS, JOURNAL, META, MV, Store, TO_EXPORT, TO_RECOMPUTE, TO_SYNC, corrupt, cs_key,
};
use crate::model::{CsId, CsObject, MvId, MvObject, State};

/// A consistent view of the last commit: every read through one reader sees the same
/// state, whatever is committed meanwhile.
pub struct Reader<'s> {
    pub(super) store: &'s Store,
    pub(super) txn: ReadTransaction,
    pub(super) codecs: std::sync::Arc<Codecs>,
}

impl Reader<'_> {
    /// The plain record a stored value holds (see the `pack` module).
    pub(super) fn plain<'v>(&self, stored: &'v [u8]) -> Decoded<Cow<'v, [u8]>> {
        unpack(stored, &self.codecs)
    }
}

impl std::fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("path", &self.store.path)
            .finish()
    }
}

/// One connector space's stored meta.
#[derive(Debug, PartialEq)]
struct SpaceMeta {
    name: String,
    watermark: Option<String>,
    next_id: CsId,
    count: usize,
}

/// Why the stored list of connector spaces (`meta/spaces`) cannot be read.
#[derive(Debug, PartialEq, thiserror::Error)]
enum SpacesError {
    /// The entry is not a JSON array.
    #[error("not an array")]
    NotAnArray,
    /// A space without a name.
    #[error("`[{index}].name` is not a string")]
    Name {
        /// The space's position in the list.
        index: usize,
    },
    /// A space without its next id.
    #[error("`[{index}].next_id` is not a u64")]
    NextId {
        /// The space's position in the list.
        index: usize,
    },
}

fn spaces_from_json(j: &serde_json::Value) -> Result<Vec<SpaceMeta>, SpacesError> {
    let items = j.as_array().ok_or(SpacesError::NotAnArray)?;
    items
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Ok(SpaceMeta {
                name: s
                    .get("name")
                    .and_then(|n| n.as_str())
                    .ok_or(SpacesError::Name { index: i })?
                    .to_owned(),
                watermark: s
                    .get("watermark")
                    .and_then(|w| w.as_str())
                    .map(str::to_owned),
                next_id: s
                    .get("next_id")
                    .and_then(serde_json::Value::as_u64)
                    .map(CsId::new)
                    .ok_or(SpacesError::NextId { index: i })?,
                count: s
                    .get("count")
                    .and_then(serde_json::Value::as_u64)
                    .and_then(|c| usize::try_from(c).ok())
                    .unwrap_or(0),
            })
        })
        .collect()
}

impl Store {
    /// A reader over the last commit.
    pub fn reader(&self) -> Result<Reader<'_>, StoreError> {
        let txn = self
            .db
            .begin_read()
            .map_err(|e| self.err("start a transaction", e))?;
        // Taken after the transaction began: a commit that trains a dictionary makes it
        // known before it lets readers on, so these hold every one the transaction sees.
        let codecs = self.codecs();
        Ok(Reader {
            store: self,
            txn,
            codecs,
        })
    }

    /// Reads the whole last committed state, with its indexes by anchor and DN.
    pub fn load(&self) -> Result<State, StoreError> {
        self.reader()?.load_all()
    }
}

impl Reader<'_> {
    pub(super) fn read(&self, e: impl std::fmt::Display) -> StoreError {
        self.store.err("read", e)
    }

    pub(super) fn open(&self, e: impl std::fmt::Display) -> StoreError {
        self.store.err("open a table", e)
    }

    /// The state without objects: connector spaces with their watermarks, next ids and
    /// object counts, the metaverse's next id, the plan fingerprint, the retry list.
    pub fn meta_state(&self) -> Result<State, StoreError> {
        let meta = self.txn.open_table(META).map_err(|e| self.open(e))?;
        let mut state = State::default();
        if let Some(j) = self.store.read_meta_value(&meta, "spaces")? {
            for s in spaces_from_json(&j).map_err(|m| corrupt("meta/spaces".into(), m))? {
                let space = state.space(&s.name);
                space.watermark = s.watermark;
                space.next_id = s.next_id;
                space.residency.stored = s.count;
                space.residency.complete = s.count == 0;
            }
        }
        if let Some(j) = self.store.read_meta_value(&meta, "mv_next_id")? {
            state.metaverse.next_id = j
                .as_u64()
                .map(MvId::new)
                .ok_or_else(|| corrupt("meta/mv_next_id".into(), "not an unsigned integer"))?;
        }
        if let Some(j) = self.store.read_meta_value(&meta, "mv_count")? {
            let n = j
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| corrupt("meta/mv_count".into(), "not an unsigned integer"))?;
            state.metaverse.residency.stored = n;
        }
        state.metaverse.residency.complete = state.metaverse.residency.stored == 0;
        if let Some(j) = self.store.read_meta_value(&meta, "outbound_retry")? {
            state.outbound_retry = j
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(serde_json::Value::as_u64)
                        .map(MvId::new)
                        .collect()
                })
                .ok_or_else(|| corrupt("meta/outbound_retry".into(), "not a list of ids"))?;
        }
        if let Some(j) = self.store.read_meta_value(&meta, "outbound_waits")? {
            state.outbound_waits = waits(&j).ok_or_else(|| {
                corrupt(
                    "meta/outbound_waits".into(),
                    "not a list of [id, [[connector, id], ...]]",
                )
            })?;
        }
        if let Some(j) = self.store.read_meta_value(&meta, "held")? {
            state.held = held(&j)
                .ok_or_else(|| corrupt("meta/held".into(), "not a list of [id, time] pairs"))?;
        }
        if let Some(j) = self.store.read_meta_value(&meta, "plan_fingerprint")? {
            state.plan_fingerprint = match j {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s),
                _ => return Err(corrupt("meta/plan_fingerprint".into(), "not a string")),
            };
        }
        Ok(state)
    }

    /// The whole last committed state, with its indexes by anchor and DN (and the DNs
    /// objects had before a rename).
    pub fn load_all(&self) -> Result<State, StoreError> {
        let mut state = self.meta_state()?;
        let names: Vec<String> = state.spaces.keys().cloned().collect();
        for name in names {
            self.load_space(&mut state, &name)?;
        }
        self.load_metaverse(&mut state)?;
        Ok(state)
    }

    /// Reads every connector space and the metaverse into `state` (objects already there
    /// are kept as they are: they may hold this step's changes).
    pub fn load_rest(&self, state: &mut State) -> Result<(), StoreError> {
        let names: Vec<String> = state.spaces.keys().cloned().collect();
        for name in names {
            if !state
                .spaces
                .get(&name)
                .is_some_and(|s| s.residency.complete)
            {
                self.load_space(state, &name)?;
            }
        }
        if !state.metaverse.residency.complete {
            self.load_metaverse(state)?;
        }
        Ok(())
    }

    /// Reads every metaverse object into `state` (objects already there are kept).
    pub fn load_metaverse(&self, state: &mut State) -> Result<(), StoreError> {
        let mv = &mut state.metaverse;
        for entry in self
            .txn
            .open_table(MV)
            .map_err(|e| self.open(e))?
            .iter()
            .map_err(|e| self.read(e))?
        {
            let (k, v) = entry.map_err(|e| self.read(e))?;
            let id = MvId::new(k.value());
            if mv.objects.contains_key(&id) || mv.residency.removed.contains(&id) {
                continue;
            }
            let o = self
                .plain(v.value())
                .and_then(|b| decode_mv(id, &b))
                .map_err(|m| corrupt(format!("mv/{id}"), m))?;
            mv.next_id = mv.next_id.max(id);
            mv.objects.insert(id, o);
        }
        mv.residency.complete = true;
        Ok(())
    }

    /// Reads every object of one connector space into `state` (objects already there are
    /// kept as they are: they may hold this step's changes).
    pub fn load_space(&self, state: &mut State, connector: &str) -> Result<(), StoreError> {
        let table = self.txn.open_table(CS).map_err(|e| self.open(e))?;
        let space = state.space(connector);
        for entry in table
            .range((connector, 0)..=(connector, u64::MAX))
            .map_err(|e| self.read(e))?
        {
            let (k, v) = entry.map_err(|e| self.read(e))?;
            let id = CsId::new(k.value().1);
            if space.objects.contains_key(&id) || space.residency.removed.contains(&id) {
                continue;
            }
            let o = self
                .plain(v.value())
                .and_then(|b| decode_cs(id, &b))
                .map_err(|m| corrupt(cs_key(connector, id), m))?;
            space.load(o);
        }
        // The DNs objects had before a rename: each resolves to its object unless an object
        // holds it now.
        for entry in self
            .txn
            .open_table(DN_WAS)
            .map_err(|e| self.open(e))?
            .range((connector, "")..)
            .map_err(|e| self.read(e))?
        {
            let (k, v) = entry.map_err(|e| self.read(e))?;
            let (c, dn) = k.value();
            if c != connector {
                break;
            }
            let id = CsId::new(v.value());
            if space.objects.contains_key(&id) {
                space.by_dn.entry(dn.to_owned()).or_insert(id);
            }
        }
        space.residency.complete = true;
        Ok(())
    }

    /// One connector-space object.
    pub fn cs(&self, connector: &str, id: CsId) -> Result<Option<CsObject>, StoreError> {
        let table = self.txn.open_table(CS).map_err(|e| self.open(e))?;
        match table.get((connector, id.get())).map_err(|e| self.read(e))? {
            None => Ok(None),
            Some(v) => self
                .plain(v.value())
                .and_then(|b| decode_cs(id, &b))
                .map(Some)
                .map_err(|m| corrupt(cs_key(connector, id), m)),
        }
    }

    /// One metaverse object.
    pub fn mv(&self, id: MvId) -> Result<Option<MvObject>, StoreError> {
        let table = self.txn.open_table(MV).map_err(|e| self.open(e))?;
        match table.get(id.get()).map_err(|e| self.read(e))? {
            None => Ok(None),
            Some(v) => self
                .plain(v.value())
                .and_then(|b| decode_mv(id, &b))
                .map(Some)
                .map_err(|m| corrupt(format!("mv/{id}"), m)),
        }
    }

    /// What a reference needs of one connector-space object (see [`crate::refs`]).
    pub fn cs_target(
        &self,
        connector: &str,
        id: CsId,
    ) -> Result<Option<crate::refs::RefTarget>, StoreError> {
        let table = self.txn.open_table(CS).map_err(|e| self.open(e))?;
        match table.get((connector, id.get())).map_err(|e| self.read(e))? {
            None => Ok(None),
            Some(v) => self
                .plain(v.value())
                .and_then(|b| crate::store::record::decode_cs_target(&b))
                .map(Some)
                .map_err(|m| corrupt(cs_key(connector, id), m)),
        }
    }

    /// The links of one metaverse object.
    pub fn mv_links(&self, id: MvId) -> Result<Option<BTreeMap<Name, CsId>>, StoreError> {
        let table = self.txn.open_table(MV).map_err(|e| self.open(e))?;
        match table.get(id.get()).map_err(|e| self.read(e))? {
            None => Ok(None),
            Some(v) => self
                .plain(v.value())
                .and_then(|b| crate::store::record::decode_mv_links(&b))
                .map(Some)
                .map_err(|m| corrupt(format!("mv/{id}"), m)),
        }
    }

    fn ids(
        &self,
        def: redb::TableDefinition<(&str, u64), u8>,
        connector: &str,
    ) -> Result<Vec<CsId>, StoreError> {
        self.ids_of(def, connector)
    }

    fn ids_of<V: redb::Value + 'static>(
        &self,
        def: redb::TableDefinition<(&str, u64), V>,
        connector: &str,
    ) -> Result<Vec<CsId>, StoreError> {
        let table = self.txn.open_table(def).map_err(|e| self.open(e))?;
        let mut out = Vec::new();
        for entry in table
            .range((connector, 0)..=(connector, u64::MAX))
            .map_err(|e| self.read(e))?
        {
            let (k, _) = entry.map_err(|e| self.read(e))?;
            out.push(CsId::new(k.value().1));
        }
        Ok(out)
    }

    /// The join keys the stored index was made for (`None` before the first commit, or when
    /// unreadable: then it is indexed anew).
    pub fn join_keys(&self) -> Result<Option<super::super::JoinKeys>, StoreError> {
        let meta = self.txn.open_table(META).map_err(|e| self.open(e))?;
        Ok(self
            .store
            .read_meta_value(&meta, "join_keys")?
            .and_then(|j| super::super::JoinKeys::from_json(&j)))
    }

    /// The ids of every object of a connector space, in order (what a full sync visits in
    /// batches); the records are not decoded.
    pub fn cs_ids(&self, connector: &str) -> Result<Vec<CsId>, StoreError> {
        self.ids_of(CS, connector)
    }

    /// The metaverse objects a killed batched sync left to recompute.
    pub fn to_recompute(&self) -> Result<Vec<MvId>, StoreError> {
        let table = self
            .txn
            .open_table(TO_RECOMPUTE)
            .map_err(|e| self.open(e))?;
        let mut out = Vec::new();
        for entry in table.iter().map_err(|e| self.read(e))? {
            let (k, _) = entry.map_err(|e| self.read(e))?;
            out.push(MvId::new(k.value()));
        }
        Ok(out)
    }

    /// The objects of a connector a delta sync visits.
    pub fn to_sync(&self, connector: &str) -> Result<Vec<CsId>, StoreError> {
        self.ids(TO_SYNC, connector)
    }

    /// The objects of a connector with a pending export.
    pub fn to_export(&self, connector: &str) -> Result<Vec<CsId>, StoreError> {
        self.ids(TO_EXPORT, connector)
    }

    /// The objects of a connector whose export was handed to it and not committed: a run
    /// was killed in between, and they may or may not have been applied.
    pub fn in_doubt(&self, connector: &str) -> Result<Vec<CsId>, StoreError> {
        self.ids(JOURNAL, connector)
    }
}

/// The held metaverse objects, `[[id, seconds since 1970], ...]`; `None` when malformed.
fn held(j: &serde_json::Value) -> Option<BTreeMap<MvId, chrono::DateTime<chrono::Utc>>> {
    j.as_array()?
        .iter()
        .map(|pair| {
            let [id, since] = pair.as_array()?.as_slice() else {
                return None;
            };
            let since = chrono::DateTime::from_timestamp(since.as_i64()?, 0)?;
            Some((MvId::new(id.as_u64()?), since))
        })
        .collect()
}

/// The `outbound_waits` meta value: `[[id, [[connector, id], ...]], ...]`.
fn waits(j: &serde_json::Value) -> Option<BTreeMap<MvId, BTreeSet<(String, MvId)>>> {
    j.as_array()?
        .iter()
        .map(|entry| {
            let [id, on] = entry.as_array()?.as_slice() else {
                return None;
            };
            let on = on
                .as_array()?
                .iter()
                .map(|pair| {
                    let [c, r] = pair.as_array()?.as_slice() else {
                        return None;
                    };
                    Some((c.as_str()?.to_owned(), MvId::new(r.as_u64()?)))
                })
                .collect::<Option<BTreeSet<_>>>()?;
            Some((MvId::new(id.as_u64()?), on))
        })
        .collect()
}
