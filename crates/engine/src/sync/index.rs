//! Indexes for join searches: metaverse attributes that inbound join criteria compare
//! with, and connector-space attributes that outbound join criteria compare with. Keys are
//! values' text without regard to case; a case-sensitive condition checks the candidates.

use std::collections::HashSet;

use rustc_hash::FxHashMap;

use syncrules_lang::Value;
use syncrules_lang::rules::Direction;
use syncrules_lang::rules::plan::Plan;

use crate::model::{CsId, MvId, State};
use crate::store::Loader;

/// The keys a value is indexed by for join searches: each value's text, lowercased, but
/// bytes exactly. Their base64 text is case-sensitive: two SIDs of one domain can differ
/// only in the case of one base64 letter, and folded they would be two candidates where
/// there is one (see [`crate::store::JOIN_KEY_FORMAT`]).
pub(crate) fn keys(v: &Value) -> Vec<String> {
    v.values()
        .iter()
        .map(|x| match x {
            Value::Bin(_) => x.to_string(),
            _ => x.to_string().to_lowercase(),
        })
        .collect()
}

type Postings<T> = FxHashMap<String, Vec<T>>;

/// Join indexes, built the first time a step searches them (a delta sync whose objects
/// are all joined never builds them) and kept current as the sync writes attributes.
#[derive(Debug, Default)]
pub struct JoinIndex<'l> {
    /// Reads the candidates of a working set from the store.
    loader: Option<&'l Loader<'l>>,
    mv: FxHashMap<String, Postings<MvId>>,
    cs: FxHashMap<(String, String), Postings<CsId>>,
    wanted_mv: HashSet<String>,
    wanted_cs: HashSet<(String, String)>,
}

fn add<T: PartialEq + Copy>(p: &mut Postings<T>, v: &Value, id: T) {
    for k in keys(v) {
        let list = p.entry(k).or_default();
        if !list.contains(&id) {
            list.push(id);
        }
    }
}

fn remove<T: PartialEq + Copy>(p: &mut Postings<T>, v: &Value, id: T) {
    for k in keys(v) {
        if let Some(list) = p.get_mut(&k) {
            list.retain(|x| *x != id);
        }
    }
}

impl<'l> JoinIndex<'l> {
    /// Notes every attribute some join condition of `plan` searches; nothing is indexed
    /// until a search needs it.
    pub fn build(plan: &Plan) -> Self {
        let mut index = JoinIndex::default();
        for (key, group) in &plan.groups {
            for rule in &group.rules {
                for cond in rule.join.iter().flatten() {
                    match key.direction {
                        Direction::Inbound => {
                            index.wanted_mv.insert(cond.target.clone());
                        }
                        Direction::Outbound => {
                            index
                                .wanted_cs
                                .insert((key.connector.clone(), cond.target.clone()));
                        }
                    }
                }
            }
        }
        index
    }

    /// Searches a working set's store too: candidates committed earlier are read in
    /// before a search ([`JoinIndex::fetch_mv`], [`JoinIndex::fetch_cs`]).
    pub fn with_loader(mut self, loader: Option<&'l Loader<'l>>) -> Self {
        self.loader = loader;
        self
    }

    /// Reads into a working set the metaverse objects whose `attr` held one of `v`'s
    /// values at the last commit, and indexes them (a no-op without a loader).
    pub fn fetch_mv(&mut self, state: &mut State, attr: &str, v: &Value) {
        let Some(loader) = self.loader else { return };
        for id in loader.mv_join(state, attr, v) {
            if let (Some(p), Some(m)) = (self.mv.get_mut(attr), state.metaverse.objects.get(&id))
                && let Some(value) = m.attributes.get(attr)
            {
                add(p, value, id);
            }
        }
    }

    /// Reads into a working set the objects of `connector` whose `attr` held one of `v`'s
    /// values at the last commit, and indexes them (a no-op without a loader).
    pub fn fetch_cs(&mut self, state: &mut State, connector: &str, attr: &str, v: &Value) {
        let Some(loader) = self.loader else { return };
        for id in loader.cs_join(state, connector, attr, v) {
            let key = (connector.to_owned(), attr.to_owned());
            if let (Some(p), Some(o)) = (
                self.cs.get_mut(&key),
                state.spaces.get(connector).and_then(|s| s.objects.get(&id)),
            ) {
                add(p, o.current(attr), id);
            }
        }
    }

    /// Indexes a metaverse attribute now, if it is searched and not indexed yet.
    pub fn ensure_mv(&mut self, state: &State, attr: &str) {
        if self.mv.contains_key(attr) || !self.wanted_mv.contains(attr) {
            return;
        }
        let mut p = Postings::default();
        for m in state.metaverse.objects.values() {
            if let Some(v) = m.attributes.get(attr) {
                add(&mut p, v, m.id);
            }
        }
        self.mv.insert(attr.to_owned(), p);
    }

    /// Indexes every connector-space attribute outbound joins of `connector` search.
    pub fn ensure_cs(&mut self, state: &State, connector: &str) {
        let wanted: Vec<(String, String)> = self
            .wanted_cs
            .iter()
            .filter(|(c, _)| c == connector)
            .filter(|k| !self.cs.contains_key(*k))
            .cloned()
            .collect();
        for key in wanted {
            let mut p = Postings::default();
            if let Some(space) = state.spaces.get(&key.0) {
                for o in space.objects.values() {
                    add(&mut p, o.current(&key.1), o.id);
                }
            }
            self.cs.insert(key, p);
        }
    }

    /// Records that a metaverse attribute changed.
    pub fn mv_changed(&mut self, id: MvId, attr: &str, old: &Value, new: &Value) {
        if let Some(p) = self.mv.get_mut(attr) {
            remove(p, old, id);
            add(p, new, id);
        }
    }

    /// Metaverse objects whose `attr` holds a value equal (ignoring case) to one of `v`'s.
    pub fn mv_candidates(&self, attr: &str, v: &Value) -> Vec<MvId> {
        let mut out: Vec<MvId> = Vec::new();
        if let Some(p) = self.mv.get(attr) {
            for k in keys(v) {
                for id in p.get(&k).into_iter().flatten() {
                    if !out.contains(id) {
                        out.push(*id);
                    }
                }
            }
        }
        out
    }

    /// Records that a connector-space attribute changed.
    pub fn cs_changed(&mut self, connector: &str, id: CsId, attr: &str, old: &Value, new: &Value) {
        if let Some(p) = self.cs.get_mut(&(connector.to_owned(), attr.to_owned())) {
            remove(p, old, id);
            add(p, new, id);
        }
    }

    /// Connector-space objects of `connector` whose `attr` matches one of `v`'s values.
    pub fn cs_candidates(&self, connector: &str, attr: &str, v: &Value) -> Vec<CsId> {
        let mut out: Vec<CsId> = Vec::new();
        if let Some(p) = self.cs.get(&(connector.to_owned(), attr.to_owned())) {
            for k in keys(v) {
                for id in p.get(&k).into_iter().flatten() {
                    if !out.contains(id) {
                        out.push(*id);
                    }
                }
            }
        }
        out
    }
}
