//! Recomputing a metaverse object: every joined object's in-scope inbound rules
//! contribute, attribute precedence decides, and references become metaverse links.

use std::collections::HashSet;
use syncrules_lang::name::{AttrMap, Name, NameMap};

use syncrules_lang::functions::CallCtx;
use syncrules_lang::{Value, Vm};

use super::eval::{View, flow_value, lookup, map_refs};
use super::inbound::{cs_attr, dn_value, rules_in_scope};
use super::resolve::{Contribution, Decision, by_precedence, contribute, decide};
use super::{JoinIndex, ObjectError, SyncContext};
use crate::model::{CsId, CsObject, MvId, MvRef, State};

/// The value of `attr` as last confirmed by an import (`ImportedValue`).
fn cs_imported<'a>(o: &'a CsObject, dn: &'a Value, attr: &str) -> &'a Value {
    if attr == "dn" {
        dn
    } else {
        lookup(&o.attributes, attr)
    }
}

/// A connector-space reference (a DN) as a metaverse reference, if its target is joined.
fn to_mv_refs(v: Value, state: &State, connector: &str, unresolved: &mut bool) -> Value {
    map_refs(v, |item| match item {
        Value::Ref(dn) => match state.reference_link(connector, dn) {
            Some(mv) => Some(MvRef(mv).to_value()),
            None => {
                *unresolved = true;
                None
            }
        },
        other => Some(other.clone()),
    })
}

/// Every in-scope inbound rule's contribution to a metaverse object, by attribute; the
/// apply-once targets; and, per joined object, whether a reference was left unresolved.
pub(crate) struct Inbound {
    pub contributions: NameMap<Vec<Contribution>>,
    pub apply_once: HashSet<Name>,
    pub unresolved: Vec<(Name, CsId, bool)>,
}

/// Collects the contributions to metaverse object `m`.
pub(crate) fn contributions(
    state: &State,
    ctx: &SyncContext<'_>,
    m: &crate::model::MvObject,
    creating: bool,
) -> Result<Inbound, ObjectError> {
    let mut contributions: NameMap<Vec<Contribution>> = NameMap::default();
    let mut apply_once: HashSet<Name> = HashSet::new();
    let mut unresolved_flags: Vec<(Name, CsId, bool)> = Vec::new();
    let mut vm = Vm::new();
    let call = CallCtx { now: ctx.now };
    for (conn, csid) in &m.links {
        let Some(space) = state.spaces.get(conn.as_str()) else {
            continue;
        };
        let Some(cs) = space.objects.get(csid) else {
            continue;
        };
        let (group, rules) = rules_in_scope(ctx, space, conn, cs);
        let Some(group) = group else { continue };
        let dn = dn_value(cs);
        let view = View::with_imported(group, |n| cs_attr(cs, &dn, n), |n| cs_imported(cs, &dn, n));
        let mut unresolved = false;
        for rule in rules
            .iter()
            .filter(|r| r.target == m.object_type || r.target == "*")
        {
            for flow in &rule.flows {
                if flow.apply_once {
                    apply_once.insert(flow.target);
                    if !creating {
                        continue;
                    }
                }
                let value = flow_value(&mut vm, flow, &view, &group.parameters, call)
                    .map_err(|e| super::flow_failed(conn, cs.dn.clone(), rule, flow, &e))?;
                let value = to_mv_refs(value, state, conn, &mut unresolved);
                contribute(&mut contributions, rule, flow, value);
            }
        }
        unresolved_flags.push((*conn, *csid, unresolved));
    }
    by_precedence(&mut contributions);
    Ok(Inbound {
        contributions,
        apply_once,
        unresolved: unresolved_flags,
    })
}

/// A metaverse object's new attributes, and per joined object whether a reference was
/// left unresolved: computed without changing anything, so objects can be computed in
/// parallel.
pub(crate) struct Recomputed {
    pub attributes: AttrMap,
    pub unresolved: Vec<(Name, CsId, bool)>,
}

/// Computes a metaverse object's attributes from every joined object's in-scope inbound
/// rules; `creating` applies apply-once flows.
pub(crate) fn compute(
    state: &State,
    ctx: &SyncContext<'_>,
    mv: MvId,
    creating: bool,
) -> Result<Option<Recomputed>, ObjectError> {
    let Some(m) = state.metaverse.objects.get(&mv) else {
        return Ok(None);
    };
    let Inbound {
        contributions,
        apply_once,
        unresolved,
    } = contributions(state, ctx, m, creating)?;
    let old = &m.attributes;
    let mut new = AttrMap::default();
    for (attr, list) in contributions {
        match decide(&list) {
            Decision::Set(v, _) => {
                if !v.is_null() {
                    new.insert(attr, v);
                }
            }
            Decision::Keep => {
                if let Some(v) = old.get(&attr) {
                    new.insert(attr, v.clone());
                }
            }
        }
    }
    for attr in apply_once {
        if !new.contains_key(&attr)
            && let Some(v) = old.get(&attr)
        {
            new.insert(attr, v.clone());
        }
    }
    Ok(Some(Recomputed {
        attributes: new,
        unresolved,
    }))
}

/// Writes computed attributes; returns whether anything changed.
pub(crate) fn store(state: &mut State, index: &mut JoinIndex, mv: MvId, r: Recomputed) -> bool {
    for (conn, csid, flag) in r.unresolved {
        if let Some(o) = state
            .spaces
            .get_mut(conn.as_str())
            .and_then(|s| s.objects.get_mut(&csid))
        {
            o.unresolved = flag;
        }
    }
    let Some(m) = state.metaverse.objects.get_mut(&mv) else {
        return false;
    };
    let (old, new) = (&m.attributes, r.attributes);
    let changed = new.len() != old.len() || new.iter().any(|(k, v)| old.get(k) != Some(v));
    if changed {
        for (k, v) in old {
            if new.get(k) != Some(v) {
                index.mv_changed(mv, k, v, new.get(k).unwrap_or(&Value::Null));
            }
        }
        for (k, v) in &new {
            if !old.contains_key(k) {
                index.mv_changed(mv, k, &Value::Null, v);
            }
        }
        m.attributes = new;
    }
    changed
}
