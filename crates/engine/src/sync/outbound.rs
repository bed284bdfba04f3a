//! Outbound: a metaverse object's rules per connector, its join or provisioning there,
//! and the pending export that brings the connector object to what the rules say.

use indexmap::IndexMap;
use syncrules_lang::functions::CallCtx;
use syncrules_lang::rules::plan::{PlannedRule, RuleGroup};
use syncrules_lang::rules::{Direction, LinkType};
use syncrules_lang::{Value, Vm};

use super::eval::{View, flow_value, in_scope, lookup};
use super::inbound::{deprovision, link};
use super::resolve::{Contribution, Decision, decide};
use super::{JoinIndex, ObjectError, SyncContext, SyncReport};
use crate::connector::ExportOp;
use crate::model::{CsId, CsObject, MvId, MvObject, PendingExport, State, parse_mv_ref};

/// No scope context in the metaverse: `is-member-of` is for connector spaces.
pub(crate) struct NoGroups;

impl syncrules_lang::rules::plan::ScopeContext for NoGroups {
    fn is_member_of(&self, _: &str) -> bool {
        false
    }
}

/// Whether two values hold the same values, in any order.
pub fn same(a: &Value, b: &Value) -> bool {
    let (x, y) = (a.values(), b.values());
    x.len() == y.len() && x.iter().all(|v| y.contains(v))
}

/// Processes one metaverse object outbound to every connector with rules for its type.
pub(super) fn sync_mv(
    state: &mut State,
    ctx: &SyncContext<'_>,
    index: &mut JoinIndex,
    mv: MvId,
    report: &mut SyncReport,
) {
    let Some(m) = state.metaverse.objects.get(&mv).cloned() else {
        return;
    };
    let mut retry = false;
    for (key, group) in &ctx.plan.groups {
        if key.direction != Direction::Outbound || key.source != m.object_type {
            continue;
        }
        let view = View::new(group, |n| lookup(&m.attributes, n));
        let rules: Vec<&PlannedRule> = group
            .rules
            .iter()
            .filter(|r| in_scope(r, &view, &NoGroups))
            .collect();
        let connector = key.connector.as_str();
        let linked = m.links.get(connector).copied();
        let result = match linked {
            Some(cs) => update_linked(
                state, ctx, index, &m, group, &rules, connector, cs, &mut retry,
            ),
            None => join_or_provision(
                state, ctx, index, &m, group, &rules, connector, &mut retry, report,
            ),
        };
        if let Err(e) = result {
            report.errors.push(e);
        }
    }
    if retry {
        state.outbound_retry.insert(mv);
    } else {
        state.outbound_retry.remove(&mv);
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "the sync step's state, passed through"
)]
fn update_linked(
    state: &mut State,
    ctx: &SyncContext<'_>,
    index: &mut JoinIndex,
    m: &MvObject,
    group: &RuleGroup,
    rules: &[&PlannedRule],
    connector: &str,
    cs: CsId,
    retry: &mut bool,
) -> Result<(), ObjectError> {
    let Some(o) = state
        .spaces
        .get(connector)
        .and_then(|s| s.objects.get(&cs))
        .cloned()
    else {
        return Ok(());
    };
    let for_type: Vec<&PlannedRule> = rules
        .iter()
        .copied()
        .filter(|r| r.target == o.object_type)
        .collect();
    if o.provisioned {
        // Deprovisioning: the rule that provisioned it is out of scope.
        let held = for_type.iter().any(|r| {
            r.link == LinkType::Provision || o.link_rule.as_deref() == Some(r.name.as_str())
        });
        if !held {
            if let Some(mm) = state.metaverse.objects.get_mut(&m.id) {
                mm.links.remove(connector);
            }
            deprovision(state, connector, cs);
            return Ok(());
        }
    }
    let desired = desired(
        state, ctx, m, group, &for_type, connector, &o.dn, false, retry,
    )?;
    stage(state, index, connector, &o, desired);
    Ok(())
}

#[expect(
    clippy::too_many_arguments,
    reason = "the sync step's state, passed through"
)]
fn join_or_provision(
    state: &mut State,
    ctx: &SyncContext<'_>,
    index: &mut JoinIndex,
    m: &MvObject,
    group: &RuleGroup,
    rules: &[&PlannedRule],
    connector: &str,
    retry: &mut bool,
    report: &mut SyncReport,
) -> Result<(), ObjectError> {
    for rule in rules.iter().filter(|r| !r.join.is_empty()) {
        for conds in &rule.join {
            let mut candidates: Option<Vec<CsId>> = None;
            for c in conds {
                let found =
                    index.cs_candidates(connector, &c.target, lookup(&m.attributes, &c.source));
                candidates = Some(match candidates {
                    None => found,
                    Some(prev) => prev.into_iter().filter(|id| found.contains(id)).collect(),
                });
            }
            let space = state.spaces.get(connector);
            let matches: Vec<CsId> = candidates
                .unwrap_or_default()
                .into_iter()
                .filter(|id| {
                    space.and_then(|s| s.objects.get(id)).is_some_and(|o| {
                        o.link.is_none()
                            && o.object_type == rule.target
                            && conds.iter().all(|c| {
                                !c.case_sensitive
                                    || lookup(&m.attributes, &c.source)
                                        .values()
                                        .iter()
                                        .any(|v| o.current(&c.target).values().contains(v))
                            })
                    })
                })
                .collect();
            if let [only] = matches.as_slice() {
                let anchoring = false;
                link(state, connector, *only, m.id, &rule.name, anchoring);
                report.joined += 1;
                return update_linked(state, ctx, index, m, group, rules, connector, *only, retry);
            }
        }
    }
    let Some(provision) = rules.iter().find(|r| r.link == LinkType::Provision) else {
        return Ok(());
    };
    let for_type: Vec<&PlannedRule> = rules
        .iter()
        .copied()
        .filter(|r| r.target == provision.target)
        .collect();
    let mut desired = desired(state, ctx, m, group, &for_type, connector, "", true, retry)?;
    let dn = match desired.shift_remove("dn") {
        Some(Value::Str(s) | Value::Ref(s)) if !s.is_empty() => s.to_string(),
        _ => {
            return Err(ObjectError {
                connector: connector.to_owned(),
                object: format!("mv:{}", m.id),
                rule: Some(provision.name.clone()),
                message: "provisioning needs a flow to `dn` that gives the new object's DN"
                    .to_owned(),
                flow: None,
            });
        }
    };
    let attributes: IndexMap<String, Value> =
        desired.into_iter().filter(|(_, v)| !v.is_null()).collect();
    let object = CsObject {
        id: 0,
        dn: dn.clone(),
        anchor: None,
        object_type: provision.target.clone(),
        attributes: IndexMap::new(),
        unconfirmed: IndexMap::new(),
        pending_import: None,
        pending_export: Some(PendingExport {
            op: ExportOp::Add,
            attributes: attributes.clone(),
            old_dn: None,
        }),
        export_error: None,
        link: None,
        link_rule: None,
        provisioned: true,
        unresolved: false,
    };
    let id = state.space(connector).insert(object);
    for (k, v) in &attributes {
        index.cs_changed(connector, id, k, &Value::Null, v);
    }
    link(state, connector, id, m.id, &provision.name, false);
    Ok(())
}

/// Every rule's contribution to the connector object's attributes, by attribute, in
/// precedence order; metaverse references become the target connector's DNs.
#[expect(
    clippy::too_many_arguments,
    reason = "the sync step's state, passed through"
)]
pub(crate) fn contributions(
    state: &State,
    ctx: &SyncContext<'_>,
    m: &MvObject,
    group: &RuleGroup,
    rules: &[&PlannedRule],
    connector: &str,
    current_dn: &str,
    creating: bool,
    retry: &mut bool,
) -> Result<IndexMap<String, Vec<Contribution>>, ObjectError> {
    let view = View::new(group, |n| lookup(&m.attributes, n));
    let mut vm = Vm::new();
    let call = CallCtx { now: ctx.now };
    let mut contributions: IndexMap<String, Vec<Contribution>> = IndexMap::new();
    for rule in rules {
        for flow in &rule.flows {
            if flow.apply_once && !creating {
                continue;
            }
            let value = flow_value(&mut vm, flow, &view, &group.parameters, call).map_err(|e| {
                ObjectError {
                    connector: connector.to_owned(),
                    object: if current_dn.is_empty() {
                        format!("mv:{}", m.id)
                    } else {
                        current_dn.to_owned()
                    },
                    rule: Some(rule.name.clone()),
                    message: e.to_string(),
                    flow: Some(super::failed_at(flow, &e)),
                }
            })?;
            let value = to_target_refs(state, connector, value, retry);
            contributions
                .entry(flow.target.clone())
                .or_default()
                .push(Contribution {
                    precedence: rule.precedence,
                    rule: rule.name.clone(),
                    merge: flow.merge,
                    value,
                });
        }
    }
    for list in contributions.values_mut() {
        list.sort_by_key(|c| c.precedence);
    }
    Ok(contributions)
}

/// What the rules say the connector object's attributes should be (`dn` included when a
/// rule flows it).
#[expect(
    clippy::too_many_arguments,
    reason = "the sync step's state, passed through"
)]
fn desired(
    state: &State,
    ctx: &SyncContext<'_>,
    m: &MvObject,
    group: &RuleGroup,
    rules: &[&PlannedRule],
    connector: &str,
    current_dn: &str,
    creating: bool,
    retry: &mut bool,
) -> Result<IndexMap<String, Value>, ObjectError> {
    let contributions = contributions(
        state, ctx, m, group, rules, connector, current_dn, creating, retry,
    )?;
    let mut out = IndexMap::new();
    for (attr, list) in contributions {
        if let Decision::Set(v, _) = decide(&list) {
            out.insert(attr, v);
        }
    }
    Ok(out)
}

/// Metaverse references as the DNs of the referenced objects in `connector`; a reference
/// to an object not there yet is left out and the object retried later.
fn to_target_refs(state: &State, connector: &str, v: Value, retry: &mut bool) -> Value {
    let map = |item: &Value, retry: &mut bool| match parse_mv_ref(item) {
        Some(id) => {
            let dn = state
                .metaverse
                .objects
                .get(&id)
                .and_then(|t| t.links.get(connector))
                .and_then(|cs| state.spaces.get(connector).and_then(|s| s.objects.get(cs)))
                .map(|o| Value::reference(&o.dn));
            if dn.is_none() {
                *retry = true;
            }
            dn
        }
        None => Some(item.clone()),
    };
    match &v {
        Value::Ref(_) => map(&v, retry).unwrap_or(Value::Null),
        Value::Multi(items) if items.iter().any(|i| matches!(i, Value::Ref(_))) => {
            Value::multi(items.iter().filter_map(|i| map(i, retry)).collect())
        }
        _ => v,
    }
}

/// Turns the desired attributes into the object's pending export.
fn stage(
    state: &mut State,
    index: &mut JoinIndex,
    connector: &str,
    o: &CsObject,
    mut desired: IndexMap<String, Value>,
) {
    let new_dn = match desired.shift_remove("dn") {
        Some(Value::Str(s) | Value::Ref(s)) if !s.is_empty() && !s.eq_ignore_ascii_case(&o.dn) => {
            Some(s.to_string())
        }
        _ => None,
    };
    let space = state.space(connector);
    let Some(obj) = space.objects.get_mut(&o.id) else {
        return;
    };
    if matches!(&obj.pending_export, Some(p) if p.op == ExportOp::Delete) {
        return;
    }
    // Not exported yet: the add carries the whole object.
    if obj.anchor.is_none() && matches!(&obj.pending_export, Some(p) if p.op == ExportOp::Add) {
        let attributes: IndexMap<String, Value> =
            desired.into_iter().filter(|(_, v)| !v.is_null()).collect();
        for (k, v) in &attributes {
            index.cs_changed(connector, o.id, k, obj.current(k), v);
        }
        obj.pending_export = Some(PendingExport {
            op: ExportOp::Add,
            attributes,
            old_dn: None,
        });
        if let Some(dn) = new_dn {
            space.rename(o.id, &dn);
        }
        return;
    }
    let mut changes = IndexMap::new();
    for (k, v) in desired {
        if !same(&v, obj.current(&k)) {
            index.cs_changed(connector, o.id, &k, obj.current(&k), &v);
            changes.insert(k, v);
        }
    }
    obj.pending_export = match (new_dn.clone(), changes.is_empty()) {
        (None, true) => None,
        (None, false) => Some(PendingExport {
            op: ExportOp::Update,
            attributes: changes,
            old_dn: None,
        }),
        (Some(_), _) => Some(PendingExport {
            op: ExportOp::Rename,
            attributes: changes,
            old_dn: Some(o.dn.clone()),
        }),
    };
    if let Some(dn) = new_dn {
        space.rename(o.id, &dn);
    }
}
