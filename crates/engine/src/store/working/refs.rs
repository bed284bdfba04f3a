//! What a working set reads of the objects references name: a metaverse object's closure,
//! and of objects only referred to, their links and DNs (see [`crate::refs`]), not their
//! attributes.

use syncrules_lang::Value;
use syncrules_lang::dn::DnKey;
use syncrules_lang::name::Name;

use super::Loader;
use crate::model::{CsId, MvId, State};

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
        for r in refs {
            self.ref_mv(state, r);
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
        for dn in dns {
            if let Some(mv) = self.ref_dn(state, connector, &dn) {
                self.ref_mv(state, mv);
            }
        }
    }

    /// The link of the object of `connector` a reference (a DN) names, from memory or from
    /// the store, making what references need of it known.
    fn ref_dn(&self, state: &mut State, connector: &str, dn: &str) -> Option<MvId> {
        let space = state.space(connector);
        if let Some(o) = space.resolve_reference(dn) {
            return o.link;
        }
        if space.residency.complete {
            return None;
        }
        let key = DnKey::new(dn);
        if state
            .refs
            .cs_by_dn
            .get(connector)
            .is_some_and(|m| m.contains_key(&key))
        {
            return state.reference_link(connector, dn);
        }
        let candidates = self
            .keep(self.reader.cs_dn_candidates(connector, &key))
            .unwrap_or_default();
        let mut found = None;
        for id in candidates {
            self.ref_cs(state, connector, id);
            if held_dn(state, connector, id).is_some_and(|d| DnKey::new(d) == key) {
                found = Some(id);
                break;
            }
        }
        let id = match found {
            Some(id) => id,
            None => {
                let id = self
                    .keep(self.reader.cs_dn_was(connector, &key))
                    .flatten()?;
                self.ref_cs(state, connector, id);
                id
            }
        };
        state
            .refs
            .cs_by_dn
            .entry(connector.to_owned())
            .or_default()
            .insert(key, id);
        state.reference_link(connector, dn)
    }

    /// Makes known what references need of connector-space object `id`.
    fn ref_cs(&self, state: &mut State, connector: &str, id: CsId) {
        let space = state.space(connector);
        if space.objects.contains_key(&id)
            || space.residency.complete
            || space.residency.removed.contains(&id)
            || state
                .refs
                .cs
                .get(connector)
                .is_some_and(|m| m.contains_key(&id))
        {
            return;
        }
        if let Some(t) = self.keep(self.reader.cs_target(connector, id)).flatten() {
            state
                .refs
                .cs
                .entry(connector.to_owned())
                .or_default()
                .insert(id, t);
        }
    }

    /// Makes known the links of metaverse object `id` and the DNs of the objects they name:
    /// what an outbound reference to it needs.
    pub(super) fn ref_mv(&self, state: &mut State, id: MvId) {
        let links: Vec<(Name, CsId)> = match state.metaverse.objects.get(&id) {
            Some(m) => m.links.iter().map(|(c, i)| (*c, *i)).collect(),
            None => {
                let mv = &state.metaverse;
                if mv.residency.complete
                    || mv.residency.removed.contains(&id)
                    || state.refs.mv.contains_key(&id)
                {
                    return;
                }
                let Some(links) = self.keep(self.reader.mv_links(id)).flatten() else {
                    return;
                };
                let out = links.iter().map(|(c, i)| (*c, *i)).collect();
                state.refs.mv.insert(id, links);
                out
            }
        };
        for (c, cs) in links {
            self.ref_cs(state, &c, cs);
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
