//! What a connector object should be: the outbound rules' contributions decided by
//! precedence, metaverse references as the target connector's DNs, and the pending
//! export that gets it there.

use super::waits::Waits;
use syncrules_lang::dn;
use syncrules_lang::functions::CallCtx;
use syncrules_lang::name::{AttrMap, NameMap};
use syncrules_lang::rules::plan::{PlannedRule, RuleGroup};
use syncrules_lang::{Value, Vm};

use super::eval::{View, flow_value, lookup, map_refs};
use super::outbound::same;
use super::resolve::{Contribution, Decision, by_precedence, contribute, decide};
use super::{JoinIndex, ObjectError, SyncContext};
use crate::connector::ExportOp;
use crate::model::{CsId, MvObject, MvRef, PendingExport, State};

/// One metaverse object flowing out to one connector object through some rules.
pub(crate) struct Outflow<'a> {
    /// The metaverse object.
    pub m: &'a MvObject,
    /// The rule group (its parameters and slots).
    pub group: &'a RuleGroup,
    /// The in-scope rules for the connector object's type.
    pub rules: &'a [&'a PlannedRule],
    /// The target connector.
    pub connector: &'a str,
    /// The connector object's DN; empty when it is being provisioned.
    pub current_dn: &'a str,
    /// Whether the object is being created (apply-once flows count).
    pub creating: bool,
}

/// Every rule's contribution to the connector object's attributes, by attribute, in
/// precedence order; metaverse references become the target connector's DNs.
pub(crate) fn contributions(
    state: &State,
    ctx: &SyncContext<'_>,
    out: &Outflow<'_>,
    retry: &mut Waits,
) -> Result<NameMap<Vec<Contribution>>, ObjectError> {
    let Outflow {
        m,
        group,
        rules,
        connector,
        current_dn,
        creating,
    } = *out;
    let view = View::new(group, |n| lookup(&m.attributes, n));
    let mut vm = Vm::new();
    let call = CallCtx { now: ctx.now };
    let mut contributions: NameMap<Vec<Contribution>> = NameMap::default();
    for rule in rules {
        for flow in &rule.flows {
            if flow.apply_once && !creating {
                continue;
            }
            let value = flow_value(&mut vm, flow, &view, &group.parameters, call).map_err(|e| {
                let object = if current_dn.is_empty() {
                    MvRef(m.id).to_string()
                } else {
                    current_dn.to_owned()
                };
                super::flow_failed(connector, object, rule, flow, &e)
            })?;
            let value = to_target_refs(state, connector, value, retry);
            contribute(&mut contributions, rule, flow, value);
        }
    }
    by_precedence(&mut contributions);
    Ok(contributions)
}

/// What the rules say the connector object's attributes should be (`dn` included when a
/// rule flows it).
pub(super) fn desired(
    state: &State,
    ctx: &SyncContext<'_>,
    out: &Outflow<'_>,
    retry: &mut Waits,
) -> Result<AttrMap, ObjectError> {
    let contributions = contributions(state, ctx, out, retry)?;
    let mut out = AttrMap::default();
    for (attr, list) in contributions {
        if let Decision::Set(v, _) = decide(&list) {
            out.insert(attr, v);
        }
    }
    Ok(out)
}

/// Metaverse references as the DNs of the referenced objects in `connector`; a reference
/// to an object not there yet is left out and the object retried later.
///
/// An object the directory refused to create (its add failed: no anchor, an export error)
/// is not there either: a reference to it is left out of the referring object's expected
/// state, as a reference to an object not joined is, until it is created. The refusal is
/// that object's own error; otherwise the import, which can never show the reference,
/// would leave a difference that is exported again, and reported as an update, whenever
/// the referring object is imported.
fn to_target_refs(state: &State, connector: &str, v: Value, retry: &mut Waits) -> Value {
    map_refs(v, |item| match MvRef::from_value(item).map(MvRef::id) {
        // A reference to a deleted object is dropped for good.
        Some(id) => {
            let links = state.mv_links(id)?;
            let dn = links
                .get(connector)
                .and_then(|cs| state.target_dn(connector, *cs))
                .filter(|(_, refused)| !refused)
                .map(|(dn, _)| Value::reference(dn));
            if dn.is_none() {
                retry.refs.insert((connector.to_owned(), id));
            }
            dn
        }
        None => Some(item.clone()),
    })
}

/// Turns the desired attributes into the pending export of object `id` of `connector`.
pub(super) fn stage(
    state: &mut State,
    index: &mut JoinIndex,
    connector: &str,
    id: CsId,
    mut desired: AttrMap,
) {
    let space = state.space(connector);
    let Some(obj) = space.objects.get_mut(&id) else {
        return;
    };
    let new_dn = match desired.shift_remove("dn") {
        Some(Value::Str(s) | Value::Ref(s)) if !s.is_empty() && !dn::same(&s, &obj.dn) => {
            Some(s.to_string())
        }
        _ => None,
    };
    // A delete not exported yet (held back by the deletion threshold, say) of an object
    // that is joined again: the object stays, and only what differs is exported.
    if matches!(&obj.pending_export, Some(p) if p.op == ExportOp::Delete) {
        obj.pending_export = None;
    }
    // Not exported yet: the add carries the whole object.
    if obj.anchor.is_none() && matches!(&obj.pending_export, Some(p) if p.op == ExportOp::Add) {
        let attributes: AttrMap = desired.into_iter().filter(|(_, v)| !v.is_null()).collect();
        for (k, v) in &attributes {
            index.cs_changed(connector, id, k, obj.current(k), v);
        }
        obj.pending_export = Some(PendingExport {
            op: ExportOp::Add,
            attributes,
            old_dn: None,
        });
        if let Some(dn) = new_dn {
            space.rename(id, &dn);
        }
        return;
    }
    let mut changes = AttrMap::default();
    for (k, v) in desired {
        if !same(&v, obj.current(&k)) {
            index.cs_changed(connector, id, &k, obj.current(&k), &v);
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
            old_dn: Some(obj.dn.clone()),
        }),
    };
    if let Some(dn) = new_dn {
        space.rename(id, &dn);
    }
}
