//! Why an object is what it is: the rules in and out of scope (with the clause that kept
//! each out), the join, and for every attribute of its metaverse object and of its pending
//! exports the winning rule, its value and the contributions it outranked.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};
use syncrules_lang::Value;
use syncrules_lang::dn;
use syncrules_lang::rules::Direction;
use syncrules_lang::rules::model::{SCOPE_OPS, spelling};
use syncrules_lang::rules::plan::{ClauseOutcome, GroupKey};

use crate::model::{CsObject, MvRef, State};
use crate::preview::{listed, scalar};
use crate::sync::desired::{Outflow, contributions as outbound_contributions};
use crate::sync::eval::{Membership, View};
use crate::sync::inbound::{cs_attr, dn_value};
use crate::sync::outbound::NoGroups;
use crate::sync::recompute::contributions as inbound_contributions;
use crate::sync::resolve::{Contribution, Decision, decide};
use crate::sync::{ObjectError, SyncContext};

/// One rule's scope for the object.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleScope {
    /// The rule.
    pub rule: String,
    /// Its precedence.
    pub precedence: i64,
    /// In scope or not.
    pub in_scope: bool,
    /// For a rule out of scope, the clause that failed in each scope group.
    pub failed: Vec<String>,
}

/// How one attribute got its value.
#[derive(Clone, Debug, PartialEq)]
pub struct AttributeTrace {
    /// The attribute.
    pub attribute: String,
    /// The rule whose contribution won, if one did.
    pub winner: Option<String>,
    /// The resulting value.
    pub value: Value,
    /// Every contribution, highest precedence first.
    pub contributions: Vec<RuleValue>,
}

/// What one rule contributed to an attribute.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleValue {
    /// The rule.
    pub rule: String,
    /// Its precedence.
    pub precedence: i64,
    /// The value its flow gave.
    pub value: Value,
}

/// How an object flows to one connector.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboundTrace {
    /// The connector.
    pub connector: String,
    /// The target object's DN.
    pub dn: String,
    /// How each of its attributes got its value.
    pub attributes: Vec<AttributeTrace>,
}

/// The explanation of one object.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// The connector holding the object.
    pub connector: String,
    /// Its DN.
    pub dn: String,
    /// Its object type.
    pub object_type: String,
    /// The inbound rules of its type, in precedence order.
    pub rules: Vec<RuleScope>,
    /// The join outcome.
    pub join: String,
    /// The metaverse object's attributes.
    pub metaverse: Vec<AttributeTrace>,
    /// Per connector the object flows to: the target DN and its attributes.
    pub outbound: Vec<OutboundTrace>,
}

fn traces(contributions: syncrules_lang::name::NameMap<Vec<Contribution>>) -> Vec<AttributeTrace> {
    contributions
        .into_iter()
        .map(|(attribute, list)| {
            let (value, winner) = match decide(&list) {
                Decision::Set(v, w) => (v, w),
                Decision::Keep => (Value::Ignore, None),
            };
            AttributeTrace {
                attribute: attribute.to_string(),
                winner: winner.map(String::from),
                value,
                contributions: list
                    .into_iter()
                    .map(|c| RuleValue {
                        rule: c.rule.to_string(),
                        precedence: c.precedence,
                        value: c.value,
                    })
                    .collect(),
            }
        })
        .collect()
}

fn find<'a>(state: &'a State, object: &str) -> Option<(&'a str, &'a CsObject)> {
    state.spaces.iter().find_map(|(name, space)| {
        space
            .objects
            .values()
            .find(|o| dn::same(&o.dn, object) || o.anchor.as_deref() == Some(object))
            .map(|o| (name.as_str(), o))
    })
}

/// Explains the object with this DN or anchor; `None` when no connector space holds it.
pub fn explain(
    state: &State,
    ctx: &SyncContext<'_>,
    object: &str,
) -> Option<Result<Explanation, ObjectError>> {
    let (connector, cs) = find(state, object)?;
    let space = state.spaces.get(connector)?;
    let key = GroupKey {
        direction: Direction::Inbound,
        connector: connector.to_owned(),
        source: cs.object_type.clone(),
    };
    let mut rules = Vec::new();
    if let Some(group) = ctx.plan.groups.get(&key) {
        let dn = dn_value(cs);
        let view = View::new(group, |n| cs_attr(cs, &dn, n));
        let members = |g: &str| space.find_dn(g).and_then(|x| x.attributes.get("member"));
        let scope_ctx = Membership {
            dn: &cs.dn,
            members: &members,
        };
        for r in &group.rules {
            let (in_scope, failed) = match r.scope(&view, &scope_ctx) {
                ClauseOutcome::In(_) => (true, Vec::new()),
                ClauseOutcome::Out(per_group) => (
                    false,
                    per_group
                        .iter()
                        .enumerate()
                        .filter_map(|(g, c)| {
                            let clause = r.scope.get(g)?.get(*c)?;
                            let has = view_value(cs, &clause.attribute);
                            Some(format!(
                                "{} {} {:?} (the object has {})",
                                clause.attribute,
                                spelling(SCOPE_OPS, clause.operator),
                                clause.value,
                                has
                            ))
                        })
                        .collect(),
                ),
            };
            rules.push(RuleScope {
                rule: r.name.to_string(),
                precedence: r.precedence,
                in_scope,
                failed,
            });
        }
    }
    let mv = cs.link.and_then(|id| state.metaverse.objects.get(&id));
    let join = match (mv, &cs.link_rule) {
        (Some(m), Some(rule)) => format!(
            "joined to metaverse {} {} by `{rule}`",
            m.object_type,
            MvRef(m.id)
        ),
        (Some(m), None) => format!("joined to metaverse {} {}", m.object_type, MvRef(m.id)),
        (None, _) => {
            "not joined: no join rule found exactly one match and no provisioning rule applied"
                .to_owned()
        }
    };
    let mut out = Explanation {
        connector: connector.to_owned(),
        dn: cs.dn.clone(),
        object_type: cs.object_type.clone(),
        rules,
        join,
        metaverse: Vec::new(),
        outbound: Vec::new(),
    };
    let Some(m) = mv else { return Some(Ok(out)) };
    match inbound_contributions(state, ctx, m, false) {
        Ok(inb) => out.metaverse = traces(inb.contributions),
        Err(e) => return Some(Err(e)),
    }
    for connector in m.links.keys() {
        let Some(target) = m
            .links
            .get(connector)
            .and_then(|id| state.spaces.get(connector.as_str())?.objects.get(id))
        else {
            continue;
        };
        match outbound_traces(state, ctx, m, connector, target) {
            Ok(Some(t)) => out.outbound.push(OutboundTrace {
                connector: connector.to_string(),
                dn: target.dn.clone(),
                attributes: t,
            }),
            Ok(None) => {}
            Err(e) => return Some(Err(e)),
        }
    }
    Some(Ok(out))
}

/// How each attribute of `target`, the object metaverse object `m` is linked to in
/// `connector`, gets its value; `None` when no outbound rule group covers them.
fn outbound_traces(
    state: &State,
    ctx: &SyncContext<'_>,
    m: &crate::model::MvObject,
    connector: &str,
    target: &CsObject,
) -> Result<Option<Vec<AttributeTrace>>, ObjectError> {
    let key = GroupKey {
        direction: Direction::Outbound,
        connector: connector.to_owned(),
        source: m.object_type.clone(),
    };
    let Some(group) = ctx.plan.groups.get(&key) else {
        return Ok(None);
    };
    let view = View::new(group, |n| m.attributes.get(n).unwrap_or(&Value::Null));
    let rules: Vec<_> = group
        .rules
        .iter()
        .filter(|r| {
            r.target == target.object_type && crate::sync::eval::in_scope(r, &view, &NoGroups)
        })
        .collect();
    // An object not exported yet is being created: apply-once flows count.
    let creating = target.provisioned && target.anchor.is_none();
    let mut retry = crate::sync::waits::Waits::default();
    let out = Outflow {
        m,
        group,
        rules: &rules,
        connector,
        current_dn: &target.dn,
        creating,
    };
    let c = outbound_contributions(state, ctx, &out, &mut retry)?;
    Ok(Some(traces(c)))
}

/// For each attribute a pending export of the object with this DN in `connector` writes:
/// the rule that set it and the in-scope rules it outranked.
pub fn export_sources(
    state: &State,
    ctx: &SyncContext<'_>,
    connector: &str,
    dn: &str,
) -> Result<Vec<AttributeTrace>, ObjectError> {
    let Some(target) = state.spaces.get(connector).and_then(|s| s.find_dn(dn)) else {
        return Ok(Vec::new());
    };
    let Some(m) = target.link.and_then(|id| state.metaverse.objects.get(&id)) else {
        return Ok(Vec::new());
    };
    Ok(outbound_traces(state, ctx, m, connector, target)?.unwrap_or_default())
}

fn view_value(cs: &CsObject, attr: &str) -> String {
    let dn = dn_value(cs);
    match cs_attr(cs, &dn, attr) {
        Value::Null => "no value".to_owned(),
        v => listed(v),
    }
}

fn trace_json(t: &AttributeTrace) -> Json {
    json!({
        "attribute": t.attribute,
        "winner": t.winner,
        "value": t.value.values().iter().map(scalar).collect::<Vec<_>>(),
        "contributions": t.contributions.iter().map(|c| json!({"rule": c.rule, "precedence": c.precedence, "value": c.value.values().iter().map(scalar).collect::<Vec<_>>(), "kind": c.value.kind()})).collect::<Vec<_>>(),
    })
}

impl Explanation {
    /// As JSON.
    pub fn to_json(&self) -> Json {
        json!({
            "connector": self.connector,
            "dn": self.dn,
            "object_type": self.object_type,
            "rules": self.rules.iter().map(|r| json!({"rule": r.rule, "precedence": r.precedence, "in_scope": r.in_scope, "failed": r.failed})).collect::<Vec<_>>(),
            "join": self.join,
            "metaverse": self.metaverse.iter().map(trace_json).collect::<Vec<_>>(),
            "outbound": self.outbound.iter().map(|o| json!({"connector": o.connector, "dn": o.dn, "attributes": o.attributes.iter().map(trace_json).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        })
    }

    /// As text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} {} ({})", self.connector, self.dn, self.object_type);
        for r in &self.rules {
            if r.in_scope {
                let _ = writeln!(out, "  in scope      {:>4} {}", r.precedence, r.rule);
            } else {
                let _ = writeln!(
                    out,
                    "  out of scope  {:>4} {}: {}",
                    r.precedence,
                    r.rule,
                    r.failed.join("; or ")
                );
            }
        }
        let _ = writeln!(out, "  {}", self.join);
        let section = |out: &mut String, title: &str, traces: &[AttributeTrace]| {
            let _ = writeln!(out, "\n{title}");
            for t in traces {
                let value = match &t.value {
                    Value::Ignore => "(kept: every flow ignored itself)".to_owned(),
                    Value::Null => "(no value)".to_owned(),
                    v => listed(v),
                };
                let by = t
                    .winner
                    .as_deref()
                    .map(|w| format!("  <- {w}"))
                    .unwrap_or_default();
                let _ = writeln!(out, "  {}: {value}{by}", t.attribute);
                for RuleValue {
                    rule,
                    precedence: p,
                    value: v,
                } in &t.contributions
                {
                    if t.winner.as_deref() == Some(rule.as_str()) {
                        continue;
                    }
                    let shown = match v {
                        Value::Null => "NULL".to_owned(),
                        Value::Ignore => "IgnoreThisFlow".to_owned(),
                        Value::AuthoritativeNull => "AuthoritativeNull".to_owned(),
                        v => listed(v),
                    };
                    let label = if t.winner.is_some() {
                        "outranked"
                    } else {
                        "contributed"
                    };
                    let _ = writeln!(out, "      {label} {p:>4} {rule}: {shown}");
                }
            }
        };
        if !self.metaverse.is_empty() {
            section(&mut out, "metaverse", &self.metaverse);
        }
        for o in &self.outbound {
            section(
                &mut out,
                &format!("{} {}", o.connector, o.dn),
                &o.attributes,
            );
        }
        out
    }
}
