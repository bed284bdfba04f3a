//! Outbound: a metaverse object's rules per connector, its join or provisioning there,
//! and the pending export that brings the connector object to what the rules say.

use super::waits::Waits;
use syncrules_lang::Value;
use syncrules_lang::name::AttrMap;
use syncrules_lang::rules::plan::{PlannedRule, RuleGroup};
use syncrules_lang::rules::{Direction, LinkType};

use super::desired::{Outflow, desired, stage};
use super::eval::{View, in_scope, lookup};
use super::inbound::{deprovision, link};
use super::{JoinIndex, ObjectError, SyncContext, SyncReport};
use crate::connector::ExportOp;
use crate::model::{CsId, CsObject, MvId, MvObject, MvRef, PendingExport, State};

/// No scope context in the metaverse: `is-member-of` is for connector spaces.
pub(crate) struct NoGroups;

impl syncrules_lang::rules::plan::ScopeContext for NoGroups {
    fn is_member_of(&self, _: &str) -> bool {
        false
    }
}

/// Whether two values hold the same values, in any order: as many values, each of `a`
/// among those of `b`. Linear in the number of values (see [`super::resolve`]).
pub fn same(a: &Value, b: &Value) -> bool {
    super::resolve::same_values(a, b)
}

/// What outbound processing decided for one metaverse object and one connector.
enum Intent {
    /// Bring a linked object to these attributes.
    Update(String, CsId, AttrMap),
    /// Delete an object the engine provisioned, whose rule left scope.
    Deprovision(String, CsId),
    /// Join this object, then bring it to these attributes.
    Join(String, CsId, String, AttrMap),
    /// Create an object: connector, rule, type, DN, attributes.
    Provision(String, String, String, String, AttrMap),
    /// The object failed.
    Error(ObjectError),
}

/// Everything decided for one metaverse object.
struct MvPlan {
    mv: MvId,
    intents: Vec<Intent>,
    retry: Waits,
}

/// Processes metaverse objects outbound: their intents are decided in parallel over the
/// unchanged state, then applied in id order.
pub(super) fn sync_all(
    state: &mut State,
    ctx: &SyncContext<'_>,
    index: &mut JoinIndex,
    ids: &[MvId],
    report: &mut SyncReport,
) {
    use rayon::prelude::*;
    // Index the connectors an unjoined object may have to search.
    let mut searched: Vec<&str> = Vec::new();
    // Join values of a working set's unjoined objects, whose candidates the store holds.
    let mut fetch: Vec<(&str, &str, Value)> = Vec::new();
    for id in ids {
        let Some(m) = state.metaverse.objects.get(id) else {
            continue;
        };
        for (key, group) in &ctx.plan.groups {
            if key.direction == Direction::Outbound
                && key.source == m.object_type
                && !m.links.contains_key(key.connector.as_str())
                && group.rules.iter().any(|r| !r.join.is_empty())
            {
                if !searched.contains(&key.connector.as_str()) {
                    searched.push(&key.connector);
                }
                for c in group.rules.iter().flat_map(|r| r.join.iter().flatten()) {
                    fetch.push((
                        &key.connector,
                        &c.target,
                        lookup(&m.attributes, &c.source).clone(),
                    ));
                }
            }
        }
    }
    for (connector, attr, v) in fetch {
        index.fetch_cs(state, connector, attr, &v);
    }
    for connector in searched {
        index.ensure_cs(state, connector);
    }
    let shared: &State = state;
    let shared_index: &JoinIndex = index;
    let plans: Vec<MvPlan> = ids
        .par_iter()
        .map(|mv| plan_mv(shared, ctx, shared_index, *mv))
        .collect();
    for plan in plans {
        apply(state, index, plan, report);
    }
}

fn plan_mv(state: &State, ctx: &SyncContext<'_>, index: &JoinIndex, mv: MvId) -> MvPlan {
    let mut plan = MvPlan {
        mv,
        intents: Vec::new(),
        retry: Waits::default(),
    };
    let Some(m) = state.metaverse.objects.get(&mv) else {
        return plan;
    };
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
        let target = Target {
            state,
            ctx,
            m,
            group,
            rules: &rules,
            connector: key.connector.as_str(),
        };
        let intent = match m.links.get(target.connector).copied() {
            Some(cs) => plan_linked(&target, cs, &mut plan.retry),
            None => plan_unlinked(&target, index, &mut plan.retry),
        };
        match intent {
            Ok(Some(i)) => plan.intents.push(i),
            Ok(None) => {}
            Err(e) => plan.intents.push(Intent::Error(e)),
        }
    }
    plan
}

/// One metaverse object's in-scope outbound rules for one connector, with what planning
/// them reads.
struct Target<'a> {
    state: &'a State,
    ctx: &'a SyncContext<'a>,
    m: &'a MvObject,
    group: &'a RuleGroup,
    rules: &'a [&'a PlannedRule],
    connector: &'a str,
}

impl<'a> Target<'a> {
    /// The rules for connector objects of `object_type`.
    fn rules_for(&self, object_type: &str) -> Vec<&'a PlannedRule> {
        self.rules
            .iter()
            .copied()
            .filter(|r| r.target == object_type)
            .collect()
    }

    /// What `rules` make the connector object whose DN is `current_dn` (empty when
    /// `creating` it).
    fn desired(
        &self,
        rules: &[&PlannedRule],
        current_dn: &str,
        creating: bool,
        retry: &mut Waits,
    ) -> Result<AttrMap, ObjectError> {
        let out = Outflow {
            m: self.m,
            group: self.group,
            rules,
            connector: self.connector,
            current_dn,
            creating,
        };
        desired(self.state, self.ctx, &out, retry)
    }
}

fn plan_linked(t: &Target<'_>, cs: CsId, retry: &mut Waits) -> Result<Option<Intent>, ObjectError> {
    let connector = t.connector;
    let Some(o) = t
        .state
        .spaces
        .get(connector)
        .and_then(|s| s.objects.get(&cs))
    else {
        return Ok(None);
    };
    let for_type = t.rules_for(&o.object_type);
    if o.provisioned {
        // Deprovisioning: the rule that provisioned it is out of scope.
        let held = for_type.iter().any(|r| {
            r.link == LinkType::Provision || o.link_rule.as_deref() == Some(r.name.as_str())
        });
        if !held {
            return Ok(Some(Intent::Deprovision(connector.to_owned(), cs)));
        }
    }
    let desired = t.desired(&for_type, &o.dn, false, retry)?;
    Ok(Some(Intent::Update(connector.to_owned(), cs, desired)))
}

fn plan_unlinked(
    t: &Target<'_>,
    index: &JoinIndex,
    retry: &mut Waits,
) -> Result<Option<Intent>, ObjectError> {
    let Target {
        state,
        m,
        rules,
        connector,
        ..
    } = *t;
    let space = state.spaces.get(connector);
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
                let Some(o) = space.and_then(|s| s.objects.get(only)) else {
                    continue;
                };
                let desired = t.desired(&t.rules_for(&o.object_type), &o.dn, false, retry)?;
                return Ok(Some(Intent::Join(
                    connector.to_owned(),
                    *only,
                    rule.name.to_string(),
                    desired,
                )));
            }
        }
    }
    let Some(provision) = rules.iter().find(|r| r.link == LinkType::Provision) else {
        return Ok(None);
    };
    let mut desired = t.desired(&t.rules_for(&provision.target), "", true, retry)?;
    let dn = match desired.shift_remove("dn") {
        Some(Value::Str(s) | Value::Ref(s)) if !s.is_empty() => s.to_string(),
        _ => {
            return Err(ObjectError {
                connector: connector.to_owned(),
                object: MvRef(m.id).to_string(),
                rule: Some(provision.name.to_string()),
                message: "provisioning needs a flow to `dn` that gives the new object's DN"
                    .to_owned(),
                flow: None,
            });
        }
    };
    let attributes: AttrMap = desired.into_iter().filter(|(_, v)| !v.is_null()).collect();
    Ok(Some(Intent::Provision(
        connector.to_owned(),
        provision.name.to_string(),
        provision.target.clone(),
        dn,
        attributes,
    )))
}

fn apply(state: &mut State, index: &mut JoinIndex, plan: MvPlan, report: &mut SyncReport) {
    let mv = plan.mv;
    let mut retry = plan.retry;
    for intent in plan.intents {
        match intent {
            Intent::Error(e) => report.errors.push(e),
            Intent::Deprovision(connector, cs) => {
                report.changed.cs(&connector, cs);
                if let Some(m) = state.metaverse.objects.get_mut(&mv) {
                    m.links.remove(connector.as_str());
                }
                deprovision(state, &connector, cs);
            }
            Intent::Update(connector, cs, desired) => {
                stage(state, index, &connector, cs, desired);
            }
            Intent::Join(connector, cs, rule, desired) => {
                let free = state
                    .spaces
                    .get(&connector)
                    .and_then(|s| s.objects.get(&cs))
                    .is_some_and(|o| o.link.is_none())
                    && state
                        .metaverse
                        .objects
                        .get(&mv)
                        .is_some_and(|m| !m.links.contains_key(connector.as_str()));
                if !free {
                    // Another object joined it in this pass: decide again next time.
                    retry.other = true;
                    continue;
                }
                link(state, &connector, cs, mv, &rule, false);
                report.joined += 1;
                stage(state, index, &connector, cs, desired);
            }
            Intent::Provision(connector, rule, object_type, dn, attributes) => {
                if state
                    .metaverse
                    .objects
                    .get(&mv)
                    .is_none_or(|m| m.links.contains_key(connector.as_str()))
                {
                    continue;
                }
                let object = CsObject {
                    dn,
                    object_type,
                    pending_export: Some(PendingExport {
                        op: ExportOp::Add,
                        attributes: attributes.clone(),
                        old_dn: None,
                    }),
                    provisioned: true,
                    ..CsObject::default()
                };
                let id = state.space(&connector).insert(object);
                for (k, v) in &attributes {
                    index.cs_changed(&connector, id, k, &Value::Null, v);
                }
                link(state, &connector, id, mv, &rule, false);
            }
        }
    }
    if retry.other || !retry.refs.is_empty() {
        state.outbound_retry.insert(mv);
        if retry.other {
            state.outbound_waits.remove(&mv);
        } else {
            state.outbound_waits.insert(mv, retry.refs);
        }
    } else {
        state.outbound_retry.remove(&mv);
        state.outbound_waits.remove(&mv);
    }
}
