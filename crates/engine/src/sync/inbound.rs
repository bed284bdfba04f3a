//! Inbound: a connector-space object's scope, join or projection, and the metaverse
//! object's attributes recomputed from every joined object's in-scope rules.

use syncrules_lang::Value;
use syncrules_lang::name::AttrMap;
use syncrules_lang::name::Name;
use syncrules_lang::rules::plan::{GroupKey, PlannedRule};
use syncrules_lang::rules::{Direction, LinkType};

use super::eval::{Membership, View, in_scope};
use super::{JoinIndex, ObjectError, SyncContext, SyncReport, Touched};
use crate::connector::ExportOp;
use crate::model::{ConnectorSpace, CsId, CsObject, MvId, PendingExport, PendingImport, State};

pub(crate) fn dn_value(o: &CsObject) -> Value {
    Value::reference(&o.dn)
}

/// The value of `attr` on a connector-space object as rules read it (`dn` is its DN):
/// exported values not yet confirmed over the imported ones.
pub(crate) fn cs_attr<'a>(o: &'a CsObject, dn: &'a Value, attr: &str) -> &'a Value {
    if attr == "dn" { dn } else { o.current(attr) }
}

/// The rules of the object's inbound group that are in scope for it.
pub(crate) fn rules_in_scope<'p>(
    ctx: &'p SyncContext<'_>,
    space: &ConnectorSpace,
    connector: &str,
    o: &CsObject,
) -> (
    Option<&'p syncrules_lang::rules::plan::RuleGroup>,
    Vec<&'p PlannedRule>,
) {
    let key = GroupKey {
        direction: Direction::Inbound,
        connector: connector.to_owned(),
        source: o.object_type.clone(),
    };
    let Some(group) = ctx.plan.groups.get(&key) else {
        return (None, Vec::new());
    };
    let dn = dn_value(o);
    let view = View::new(group, |n| cs_attr(o, &dn, n));
    let members = |g: &str| space.find_dn(g).and_then(|x| x.attributes.get("member"));
    let scope_ctx = Membership {
        dn: &o.dn,
        members: &members,
    };
    let rules = group
        .rules
        .iter()
        .filter(|r| in_scope(r, &view, &scope_ctx))
        .collect();
    (Some(group), rules)
}

/// Processes one connector-space object inbound.
#[expect(
    clippy::too_many_arguments,
    reason = "the sync step's state, passed through"
)]
pub(super) fn sync_object(
    state: &mut State,
    ctx: &SyncContext<'_>,
    kinds: &super::RuleKinds,
    index: &mut JoinIndex,
    connector: &str,
    id: CsId,
    touched: &mut Touched,
    report: &mut SyncReport,
) {
    let Some(space) = state.spaces.get(connector) else {
        return;
    };
    let Some(cs) = space.objects.get(&id).cloned() else {
        return;
    };
    if cs.pending_import == Some(PendingImport::Delete) {
        if let Some(mv) = cs.link {
            disconnect(state, connector, id, mv, touched, report);
        }
        state.space(connector).remove(id);
        return;
    }
    let (_, in_scope_rules) = rules_in_scope(ctx, space, connector, &cs);
    match cs.link {
        Some(mv) => {
            let mv_type = state
                .metaverse
                .objects
                .get(&mv)
                .map(|m| m.object_type.clone())
                .unwrap_or_default();
            let keep = match cs
                .link_rule
                .as_deref()
                .and_then(|r| kinds.get(connector).and_then(|m| m.get(r)).map(|k| (r, k)))
            {
                Some((_, (Direction::Inbound, LinkType::StickyJoin))) => true,
                Some((r, (Direction::Inbound, _))) => in_scope_rules.iter().any(|x| x.name == r),
                // Made by an outbound rule: outbound processing owns it.
                Some((_, (Direction::Outbound, _))) => true,
                // Made by a rule that no longer exists: kept while any rule still flows.
                None => in_scope_rules
                    .iter()
                    .any(|r| r.target == mv_type || r.target == "*"),
            };
            if keep {
                touched.mv.insert(mv);
            } else {
                disconnect(state, connector, id, mv, touched, report);
            }
        }
        None => join_or_project(
            state,
            index,
            connector,
            &cs,
            &in_scope_rules,
            touched,
            report,
        ),
    }
    if let Some(o) = state.space(connector).objects.get_mut(&id) {
        o.pending_import = None;
    }
}

/// Links a connector-space object to a metaverse object.
pub(crate) fn link(
    state: &mut State,
    connector: &str,
    cs: CsId,
    mv: MvId,
    rule: &str,
    anchoring: bool,
) {
    if let Some(o) = state.space(connector).objects.get_mut(&cs) {
        o.link = Some(mv);
        o.link_rule = Some(Name::new(rule));
    }
    if let Some(m) = state.metaverse.objects.get_mut(&mv) {
        m.links.insert(Name::new(connector), cs);
        if anchoring {
            m.anchored_by.insert(Name::new(connector));
        }
    }
}

/// Removes a link; the metaverse object is recomputed (and deleted if nothing keeps it).
fn disconnect(
    state: &mut State,
    connector: &str,
    cs: CsId,
    mv: MvId,
    touched: &mut Touched,
    report: &mut SyncReport,
) {
    if let Some(o) = state.space(connector).objects.get_mut(&cs) {
        o.link = None;
        o.link_rule = None;
    }
    if let Some(m) = state.metaverse.objects.get_mut(&mv) {
        m.links.remove(connector);
        m.anchored_by.remove(connector);
    }
    touched.mv.insert(mv);
    report.disconnected += 1;
}

fn same_criteria(a: &PlannedRule, b: &PlannedRule) -> bool {
    a.join == b.join
}

fn join_or_project(
    state: &mut State,
    index: &mut JoinIndex,
    connector: &str,
    cs: &CsObject,
    rules: &[&PlannedRule],
    touched: &mut Touched,
    report: &mut SyncReport,
) {
    let joiners: Vec<&PlannedRule> = rules
        .iter()
        .copied()
        .filter(|r| !r.join.is_empty())
        .collect();
    if let Some(first) = joiners.first()
        && let Some(other) = joiners.iter().find(|r| !same_criteria(first, r))
    {
        report.errors.push(ObjectError {
            connector: connector.to_owned(),
            object: cs.dn.clone(),
            rule: Some(other.name.to_string()),
            message: format!(
                "rules `{}` and `{}` are both in scope and join on different criteria",
                first.name, other.name
            ),
            flow: None,
        });
        return;
    }
    let dn = dn_value(cs);
    if let Some(rule) = joiners.first() {
        for group in &rule.join {
            let mut candidates: Option<Vec<MvId>> = None;
            for cond in group {
                let value = cs_attr(cs, &dn, &cond.source);
                index.fetch_mv(state, &cond.target, value);
                index.ensure_mv(state, &cond.target);
                let found = index.mv_candidates(&cond.target, value);
                candidates = Some(match candidates {
                    None => found,
                    Some(c) => c.into_iter().filter(|id| found.contains(id)).collect(),
                });
            }
            let matches: Vec<MvId> = candidates
                .unwrap_or_default()
                .into_iter()
                .filter(|id| {
                    state.metaverse.objects.get(id).is_some_and(|m| {
                        (rule.target == "*" || m.object_type == rule.target)
                            && !m.links.contains_key(connector)
                            && group.iter().all(|c| {
                                !c.case_sensitive
                                    || cs_attr(cs, &dn, &c.source).values().iter().any(|v| {
                                        m.attributes
                                            .get(c.target.as_str())
                                            .is_some_and(|t| t.values().contains(v))
                                    })
                            })
                    })
                })
                .collect();
            if let [only] = matches.as_slice() {
                let anchoring = matches!(rule.link, LinkType::Provision | LinkType::StickyJoin);
                link(state, connector, cs.id, *only, &rule.name, anchoring);
                touched.mv.insert(*only);
                report.joined += 1;
                return;
            }
        }
    }
    let Some(provision) = rules.iter().find(|r| r.link == LinkType::Provision) else {
        return;
    };
    let has_join_value = provision.join.is_empty()
        || provision
            .join
            .iter()
            .flatten()
            .any(|c| !cs_attr(cs, &dn, &c.source).is_null());
    if !has_join_value || provision.target == "*" {
        return;
    }
    let mv = state.metaverse.create(&provision.target);
    link(state, connector, cs.id, mv, &provision.name, true);
    report.projected += 1;
    // Its attributes (apply-once flows included) are computed with the other touched
    // objects when the step finishes.
    touched.mv.insert(mv);
    touched.created.insert(mv);
}

/// Undoes a projection whose flows failed, so nothing half-made remains.
pub(super) fn undo_projection(state: &mut State, mv: MvId, report: &mut SyncReport) {
    if let Some(m) = state.metaverse.remove(mv) {
        for (conn, csid) in &m.links {
            report.changed.cs(conn, *csid);
            if let Some(o) = state.space(conn).objects.get_mut(csid) {
                o.link = None;
                o.link_rule = None;
            }
        }
    }
}

/// Stages the deletion of an object the engine provisioned (or drops it if never exported).
pub(crate) fn deprovision(state: &mut State, connector: &str, cs: CsId) {
    let space = state.space(connector);
    let Some(o) = space.objects.get_mut(&cs) else {
        return;
    };
    o.link = None;
    o.link_rule = None;
    let never_exported = o.anchor.is_none()
        && o.pending_export
            .as_ref()
            .is_some_and(|p| p.op == ExportOp::Add);
    if never_exported {
        space.remove(cs);
    } else {
        o.pending_export = Some(PendingExport {
            op: ExportOp::Delete,
            attributes: AttrMap::default(),
            old_dn: None,
        });
    }
}

/// Deletes a metaverse object nothing keeps alive, and stages what follows: the deletion
/// of every object the engine provisioned from it; other objects are disconnected.
pub(super) fn delete_mv(
    state: &mut State,
    index: &mut JoinIndex,
    mv: MvId,
    report: &mut SyncReport,
) {
    let Some(m) = state.metaverse.remove(mv) else {
        return;
    };
    for (attr, v) in &m.attributes {
        index.mv_changed(mv, attr, v, &Value::Null);
    }
    for (conn, csid) in &m.links {
        report.changed.cs(conn, *csid);
        let provisioned = state
            .spaces
            .get(conn.as_str())
            .and_then(|s| s.objects.get(csid))
            .is_some_and(|o| o.provisioned);
        if provisioned {
            deprovision(state, conn, *csid);
        } else if let Some(o) = state.space(conn).objects.get_mut(csid) {
            o.link = None;
            o.link_rule = None;
        }
    }
    state.outbound_retry.remove(&mv);
    state.outbound_waits.remove(&mv);
    if state.held.remove(&mv).is_some() {
        report.changed.meta = true;
    }
    report.deleted += 1;
}
