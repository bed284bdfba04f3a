//! The working set of a step: the objects it touches, read from the store by key and index
//! into a [`State`] that holds only them, so a delta step costs what it touches.
//!
//! An object is read at most once a step, and never when the state already holds it (it
//! may hold this step's changes) or removed it since it was read (the store's copy is stale
//! until the commit). A connector space or metaverse marked complete is never asked for.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashSet;
use std::sync::Mutex;
use syncrules_lang::name::Name;

use syncrules_lang::Value;
use syncrules_lang::dn::DnKey;
use syncrules_lang::rules::model::ScopeOp;
use syncrules_lang::rules::plan::Plan;

use super::{Reader, StoreError};
use crate::model::{CsId, MvId, State};
use crate::sync::join_keys;

mod refs;

/// Objects read together at most ([`Loader::cs_many`]): their stored records are held until
/// decoded.
const READ_CHUNK: usize = 4_096;

/// The ids among `ids` a read together must fetch: each once, and none the working set
/// `has` (resident, removed, or otherwise known).
fn unread<I: Copy + Eq + std::hash::Hash>(ids: &[I], has: impl Fn(&I) -> bool) -> Vec<I> {
    let mut seen = FxHashSet::default();
    ids.iter()
        .copied()
        .filter(|id| !has(id) && seen.insert(*id))
        .collect()
}

/// Reads objects from the last commit into a working set. A read error is kept (the first
/// one) and reported by [`Loader::finish`]; meanwhile the object counts as absent.
#[derive(Debug)]
pub struct Loader<'s> {
    reader: Reader<'s>,
    error: Mutex<Option<StoreError>>,
}

impl<'s> Loader<'s> {
    /// A loader over a reader of the last commit.
    pub fn new(reader: Reader<'s>) -> Self {
        Loader {
            reader,
            error: Mutex::new(None),
        }
    }

    /// The reader.
    pub fn reader(&self) -> &Reader<'s> {
        &self.reader
    }

    fn keep<T>(&self, r: Result<T, StoreError>) -> Option<T> {
        match r {
            Ok(x) => Some(x),
            Err(e) => {
                if let Ok(mut slot) = self.error.lock()
                    && slot.is_none()
                {
                    *slot = Some(e);
                }
                None
            }
        }
    }

    /// The first read error, if any.
    pub fn finish(self) -> Result<(), StoreError> {
        match self.error.into_inner() {
            Ok(Some(e)) => Err(e),
            _ => Ok(()),
        }
    }

    /// Makes connector-space object `id` resident; true when it exists.
    pub fn cs(&self, state: &mut State, connector: &str, id: CsId) -> bool {
        let space = state.space(connector);
        if space.objects.contains_key(&id) {
            return true;
        }
        if space.residency.complete || space.residency.removed.contains(&id) {
            return false;
        }
        match self.keep(self.reader.cs(connector, id)).flatten() {
            Some(o) => {
                space.load(o);
                true
            }
            None => false,
        }
    }

    /// Makes metaverse object `id` resident; true when it exists.
    pub fn mv(&self, state: &mut State, id: MvId) -> bool {
        let mv = &mut state.metaverse;
        if mv.objects.contains_key(&id) {
            return true;
        }
        if mv.residency.complete || mv.residency.removed.contains(&id) {
            return false;
        }
        match self.keep(self.reader.mv(id)).flatten() {
            Some(o) => {
                mv.next_id = mv.next_id.max(id);
                mv.objects.insert(id, o);
                true
            }
            None => false,
        }
    }

    /// Makes resident the objects of `connector` among `ids` that are not, reading them
    /// together: fetched in turn, decoded on rayon's threads (`Reader::cs_many`).
    pub fn cs_many(&self, state: &mut State, connector: &str, ids: &[CsId]) {
        let space = state.space(connector);
        if space.residency.complete {
            return;
        }
        let want = unread(ids, |id| {
            space.objects.contains_key(id) || space.residency.removed.contains(id)
        });
        for chunk in want.chunks(READ_CHUNK) {
            for (_, read) in self
                .keep(self.reader.cs_many(connector, chunk))
                .unwrap_or_default()
            {
                if let Some(o) = self.keep(read) {
                    space.load(o);
                }
            }
        }
    }

    /// Makes resident the metaverse objects among `ids` that are not, read together as
    /// [`Loader::cs_many`] reads.
    pub fn mv_many(&self, state: &mut State, ids: &[MvId]) {
        let mv = &mut state.metaverse;
        if mv.residency.complete {
            return;
        }
        let want = unread(ids, |id| {
            mv.objects.contains_key(id) || mv.residency.removed.contains(id)
        });
        for chunk in want.chunks(READ_CHUNK) {
            for (_, read) in self.keep(self.reader.mv_many(chunk)).unwrap_or_default() {
                if let Some(o) = self.keep(read) {
                    mv.next_id = mv.next_id.max(o.id);
                    mv.objects.insert(o.id, o);
                }
            }
        }
    }

    /// Makes resident metaverse objects `ids` and every object joined to them, read
    /// together.
    fn mv_many_linked(&self, state: &mut State, ids: &[MvId]) {
        self.mv_many(state, ids);
        let mut links: BTreeMap<Name, Vec<CsId>> = BTreeMap::new();
        for id in ids {
            if let Some(m) = state.metaverse.objects.get(id) {
                for (c, cs) in &m.links {
                    links.entry(*c).or_default().push(*cs);
                }
            }
        }
        for (c, cs) in links {
            self.cs_many(state, &c, &cs);
        }
    }

    /// Makes metaverse object `id` resident with every connector-space object joined to it.
    pub fn mv_linked(&self, state: &mut State, id: MvId) -> bool {
        if !self.mv(state, id) {
            return false;
        }
        let links: Vec<(Name, CsId)> = state
            .metaverse
            .objects
            .get(&id)
            .map(|m| m.links.iter().map(|(c, i)| (*c, *i)).collect())
            .unwrap_or_default();
        for (c, cs) in links {
            self.cs(state, &c, cs);
        }
        true
    }

    /// Makes the object of `connector` with this DN (or that had it before a rename)
    /// resident; its id.
    pub fn cs_dn(&self, state: &mut State, connector: &str, dn: &str) -> Option<CsId> {
        let key = DnKey::new(dn);
        let space = state.space(connector);
        if let Some(id) = space.by_dn.get(&key).copied()
            && space.objects.contains_key(&id)
        {
            return Some(id);
        }
        if space.residency.complete {
            return None;
        }
        // The index proposes; the object read holds the DN or is not it (checked here, once
        // it is read, rather than by reading it twice).
        let candidates = self
            .keep(self.reader.cs_dn_candidates(connector, &key))
            .unwrap_or_default();
        for id in candidates {
            if self.cs(state, connector, id)
                && state
                    .spaces
                    .get(connector)
                    .and_then(|s| s.objects.get(&id))
                    .is_some_and(|o| o.dn == dn || DnKey::new(&o.dn) == key)
            {
                return Some(id);
            }
        }
        // A DN the object had before a rename: resolve it as the store does.
        let id = self
            .keep(self.reader.cs_dn_was(connector, &key))
            .flatten()?;
        if !self.cs(state, connector, id) {
            return None;
        }
        state.space(connector).by_dn.entry(key).or_insert(id);
        Some(id)
    }

    /// Makes the object of `connector` with this anchor resident; its id.
    pub fn cs_anchor(&self, state: &mut State, connector: &str, anchor: &str) -> Option<CsId> {
        let space = state.space(connector);
        if let Some(id) = space.by_anchor.get(anchor).copied()
            && space.objects.contains_key(&id)
        {
            return Some(id);
        }
        if space.residency.complete {
            return None;
        }
        // The index proposes; the object read holds the anchor or is not it (checked here,
        // once it is read, rather than by reading it twice).
        let candidates = self
            .keep(self.reader.cs_anchor_candidates(connector, anchor))
            .unwrap_or_default();
        candidates.into_iter().find(|id| {
            self.cs(state, connector, *id)
                && state
                    .spaces
                    .get(connector)
                    .and_then(|s| s.objects.get(id))
                    .is_some_and(|o| o.anchor.as_deref() == Some(anchor))
        })
    }

    /// Makes resident the metaverse objects (with their joined objects) whose `attr` held
    /// one of `v`'s values at the last commit; their ids.
    pub fn mv_join(&self, state: &mut State, attr: &str, v: &Value) -> Vec<MvId> {
        if state.metaverse.residency.complete {
            return Vec::new();
        }
        let mut out = Vec::new();
        for k in join_keys(v) {
            for id in self.keep(self.reader.mv_join(attr, &k)).unwrap_or_default() {
                if self.mv_linked(state, id) {
                    out.push(id);
                }
            }
        }
        out
    }

    /// Makes resident the objects of `connector` whose `attr` held one of `v`'s values at
    /// the last commit; their ids.
    pub fn cs_join(&self, state: &mut State, connector: &str, attr: &str, v: &Value) -> Vec<CsId> {
        if state
            .spaces
            .get(connector)
            .is_some_and(|s| s.residency.complete)
        {
            return Vec::new();
        }
        let mut out = Vec::new();
        for k in join_keys(v) {
            for id in self
                .keep(self.reader.cs_join(connector, attr, &k))
                .unwrap_or_default()
            {
                if self.cs(state, connector, id) {
                    out.push(id);
                }
            }
        }
        out
    }

    /// Makes resident the groups `is-member-of` scopes of `connector`'s inbound rules name.
    pub fn scope_groups(&self, state: &mut State, plan: &Plan, connector: &str) {
        let mut dns = Vec::new();
        for (key, group) in &plan.groups {
            if key.connector != connector {
                continue;
            }
            for rule in &group.rules {
                for clause in rule.scope.iter().flatten() {
                    if matches!(
                        clause.operator,
                        ScopeOp::IsMemberOf | ScopeOp::IsNotMemberOf
                    ) {
                        dns.push(clause.value.clone());
                    }
                }
            }
        }
        for dn in dns {
            self.cs_dn(state, connector, &dn);
        }
    }

    /// Makes resident what a delta sync of `connector` visits and reads: the objects with a
    /// pending import or an unresolved reference, and for each, its metaverse object's
    /// closure; and the metaverse objects waiting for outbound references. Returns the
    /// objects to visit.
    pub fn delta_sync(&self, state: &mut State, plan: &Plan, connector: &str) -> Vec<CsId> {
        let ids = self
            .keep(self.reader.to_sync(connector))
            .unwrap_or_default();
        self.visits(state, plan, connector, &ids);
        let touched: BTreeSet<MvId> = state
            .spaces
            .get(connector)
            .map(|space| {
                ids.iter()
                    .filter_map(|id| space.objects.get(id).and_then(|o| o.link))
                    .collect()
            })
            .unwrap_or_default();
        self.waiting(state, &touched);
        ids
    }

    /// Makes resident the closures of the metaverse objects waiting for references whose
    /// wait may be over (see `sync::waits`; `touched` are the metaverse objects
    /// this sync is known to touch) and of the held ones (their window may end in this
    /// step, and deleting them stages their target objects' deletes).
    pub fn waiting(&self, state: &mut State, touched: &BTreeSet<MvId>) {
        let waiting: Vec<MvId> = state.outbound_retry.iter().copied().collect();
        for mv in waiting {
            let refs: Vec<MvId> = state
                .outbound_waits
                .get(&mv)
                .map(|w| w.iter().map(|(_, r)| *r).collect())
                .unwrap_or_default();
            for r in refs {
                self.ref_mv(state, r);
            }
            if crate::sync::waits::wait_over(state, mv, touched) {
                self.mv_closure(state, mv);
            }
        }
        let held: Vec<MvId> = state.held.keys().copied().collect();
        for mv in held {
            self.mv_closure(state, mv);
        }
    }

    /// Makes resident what the inbound half of visiting objects `ids` of `connector` reads:
    /// each object and the metaverse object it is joined to, and the groups the
    /// connector's `is-member-of` scopes name (join candidates are read as searched).
    pub fn inbound(&self, state: &mut State, plan: &Plan, connector: &str, ids: &[CsId]) {
        self.scope_groups(state, plan, connector);
        self.cs_many(state, connector, ids);
        let links: Vec<MvId> = state
            .spaces
            .get(connector)
            .map(|s| {
                ids.iter()
                    .filter_map(|id| s.objects.get(id).and_then(|o| o.link))
                    .collect()
            })
            .unwrap_or_default();
        self.mv_many(state, &links);
    }

    /// Makes resident what recomputing metaverse objects `ids` reads: their closures, and
    /// the groups every connector's `is-member-of` scopes name.
    pub fn outbound(&self, state: &mut State, plan: &Plan, ids: &[MvId]) {
        let connectors: BTreeSet<String> =
            plan.groups.keys().map(|k| k.connector.clone()).collect();
        for c in &connectors {
            self.scope_groups(state, plan, c);
        }
        // The objects themselves and those joined to them, read together; then what their
        // references name, one by one.
        self.mv_many_linked(state, ids);
        for id in ids {
            self.mv_closure(state, *id);
        }
    }

    /// Makes resident what visiting objects `ids` of `connector` reads: each object, the
    /// objects its references name, its metaverse object's closure, and the groups the
    /// connector's `is-member-of` scopes name (one batch of a full sync, or a delta sync's
    /// objects).
    pub fn visits(&self, state: &mut State, plan: &Plan, connector: &str, ids: &[CsId]) {
        self.scope_groups(state, plan, connector);
        self.cs_many(state, connector, ids);
        for id in ids {
            if !self.cs(state, connector, *id) {
                continue;
            }
            self.cs_refs(state, connector, *id);
            let link = state
                .spaces
                .get(connector)
                .and_then(|s| s.objects.get(id))
                .and_then(|o| o.link);
            if let Some(mv) = link {
                self.mv_closure(state, mv);
            }
        }
    }

    /// Makes resident the objects import entries name: by anchor, else by DN (the old DN
    /// of a rename).
    pub fn entries(
        &self,
        state: &mut State,
        connector: &str,
        entries: &[crate::connector::ImportEntry],
    ) {
        for e in entries {
            let found = e
                .anchor
                .as_deref()
                .and_then(|a| self.cs_anchor(state, connector, a));
            if found.is_none() {
                self.cs_dn(
                    state,
                    connector,
                    e.old_dn.as_ref().unwrap_or(&e.dn).as_str(),
                );
            }
        }
    }

    /// Makes resident a connector's objects with a pending export.
    pub fn exports(&self, state: &mut State, connector: &str) {
        let ids = self
            .keep(self.reader.to_export(connector))
            .unwrap_or_default();
        self.cs_many(state, connector, &ids);
    }
}
