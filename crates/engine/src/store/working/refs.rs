//! What a working set reads of the objects references name: a metaverse object's closure,
//! and of objects only referred to, their links and DNs (see [`crate::refs`]), not their
//! attributes.

use std::collections::BTreeMap;

use rustc_hash::FxHashSet;
use syncrules_lang::Value;
use syncrules_lang::dn::DnKey;
use syncrules_lang::name::Name;

use super::Loader;
use crate::model::{CsId, MvId, State};

/// References resolved a chunk at a time: the records a chunk needs are fetched in turn and
/// decoded on rayon's threads (a group's members are most of what a closure reads).
const REF_CHUNK: usize = 4_096;

impl Loader<'_> {
    /// Makes resident what processing metaverse object `id` reads: the object, every object
    /// joined to it, the objects their references name (and what those are joined to), and
    /// the metaverse objects its own references name (with their joined objects, whose DNs
    /// outbound references become).
    pub fn mv_closure(&self, state: &mut State, id: MvId) {
        if !self.mv_linked(state, id) {
            return;
        }
        let (links, refs): (Vec<(Name, CsId)>, Vec<MvId>) = match state.metaverse.objects.get(&id) {
            Some(m) => (
                m.links.iter().map(|(c, i)| (*c, *i)).collect(),
                crate::store::record::mv_refs(m).collect(),
            ),
            None => return,
        };
        for chunk in refs.chunks(REF_CHUNK) {
            self.ref_mv_many(state, chunk);
        }
        for (c, cs) in links {
            self.cs_refs(state, &c, cs);
        }
    }

    /// Makes known what the references of a connector-space object need of the objects
    /// they name: each one's link, and the DNs of the objects joined to its metaverse
    /// object (see [`crate::refs`]; objects in memory are not read again).
    pub fn cs_refs(&self, state: &mut State, connector: &str, id: CsId) {
        let dns: Vec<String> = match state.spaces.get(connector).and_then(|s| s.objects.get(&id)) {
            Some(o) => o
                .attributes
                .values()
                .chain(o.unconfirmed.values())
                .flat_map(Value::values)
                .filter_map(|v| match v {
                    Value::Ref(dn) => Some(dn.to_string()),
                    _ => None,
                })
                .collect(),
            None => return,
        };
        for chunk in dns.chunks(REF_CHUNK) {
            self.ref_dns(state, connector, chunk);
        }
    }

    /// Resolves references `dns` to objects of `connector`, from memory or from the store:
    /// the object holding each DN (of the candidates the hashed index proposes, read
    /// together), else the one that had it before a rename; then makes known what
    /// references need of the metaverse objects they are joined to.
    fn ref_dns(&self, state: &mut State, connector: &str, dns: &[String]) {
        let mut links = Vec::new();
        let mut pending = Vec::new();
        for dn in dns {
            let key = DnKey::new(dn);
            let space = state.space(connector);
            if let Some(o) = space.resolve_key(&key) {
                links.extend(o.link);
                continue;
            }
            if space.residency.complete {
                continue;
            }
            if state
                .refs
                .cs_by_dn
                .get(connector)
                .is_some_and(|m| m.contains_key(&key))
            {
                links.extend(state.reference_link_key(connector, &key));
                continue;
            }
            pending.push((dn, key));
        }
        let candidates: Vec<Vec<CsId>> = pending
            .iter()
            .map(|(_, key)| {
                self.keep(self.reader.cs_dn_candidates(connector, key))
                    .unwrap_or_default()
            })
            .collect();
        let all: Vec<CsId> = candidates.iter().flatten().copied().collect();
        self.ref_cs_many(state, connector, &all);
        for ((dn, key), candidates) in pending.into_iter().zip(candidates) {
            let found = candidates.into_iter().find(|id| {
                // The same text is the same DN; other text may be too.
                held_dn(state, connector, *id)
                    .is_some_and(|d| d == dn.as_str() || DnKey::new(d) == key)
            });
            let id = match found {
                Some(id) => id,
                None => {
                    let Some(id) = self.keep(self.reader.cs_dn_was(connector, &key)).flatten()
                    else {
                        continue;
                    };
                    self.ref_cs_many(state, connector, &[id]);
                    id
                }
            };
            state
                .refs
                .cs_by_dn
                .entry(connector.to_owned())
                .or_default()
                .insert(key.clone(), id);
            links.extend(state.reference_link_key(connector, &key));
        }
        self.ref_mv_many(state, &links);
    }

    /// Makes known what references need of the objects of `connector` among `ids` that are
    /// neither resident nor known yet, read together.
    fn ref_cs_many(&self, state: &mut State, connector: &str, ids: &[CsId]) {
        state.space(connector);
        let Some(space) = state.spaces.get(connector) else {
            return;
        };
        if space.residency.complete {
            return;
        }
        let known = state.refs.cs.get(connector);
        let want = super::unread(ids, |id| {
            space.objects.contains_key(id)
                || space.residency.removed.contains(id)
                || known.is_some_and(|m| m.contains_key(id))
        });
        if want.is_empty() {
            return;
        }
        let read = self
            .keep(self.reader.cs_targets(connector, &want))
            .unwrap_or_default();
        let known = state.refs.cs.entry(connector.to_owned()).or_default();
        for (id, target) in read {
            if let Some(t) = self.keep(target) {
                known.insert(id, t);
            }
        }
    }

    /// Makes known the links of metaverse object `id` and the DNs of the objects they name:
    /// what an outbound reference to it needs.
    pub(super) fn ref_mv(&self, state: &mut State, id: MvId) {
        self.ref_mv_many(state, &[id]);
    }

    /// Makes known the links of metaverse objects `ids` and the DNs of the objects they
    /// name (from memory, or read together).
    fn ref_mv_many(&self, state: &mut State, ids: &[MvId]) {
        let mut links: BTreeMap<Name, Vec<CsId>> = BTreeMap::new();
        let mut want = Vec::new();
        let mut seen = FxHashSet::default();
        let mv = &state.metaverse;
        for id in ids {
            if let Some(m) = mv.objects.get(id) {
                for (c, cs) in &m.links {
                    links.entry(*c).or_default().push(*cs);
                }
            } else if !(mv.residency.complete
                || mv.residency.removed.contains(id)
                || state.refs.mv.contains_key(id))
                && seen.insert(*id)
            {
                want.push(*id);
            }
        }
        if !want.is_empty() {
            for (id, read) in self
                .keep(self.reader.mv_links_many(&want))
                .unwrap_or_default()
            {
                if let Some(held) = self.keep(read) {
                    for (c, cs) in &held {
                        links.entry(*c).or_default().push(*cs);
                    }
                    state.refs.mv.insert(id, held);
                }
            }
        }
        for (c, cs) in links {
            self.ref_cs_many(state, &c, &cs);
        }
    }
}

/// The DN connector-space object `id` holds, as far as the working set knows it: resident,
/// or known to references.
fn held_dn<'s>(state: &'s State, connector: &str, id: CsId) -> Option<&'s str> {
    if let Some(o) = state.spaces.get(connector)?.objects.get(&id) {
        return Some(&o.dn);
    }
    Some(&state.refs.cs.get(connector)?.get(&id)?.dn)
}
