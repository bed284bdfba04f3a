//! `New-Object` for scope and join conditions, and `Add-ADSyncScopeConditionGroup` and
//! `Add-ADSyncJoinConditionGroup`, which add a group of them to a rule.

use super::super::bind::Bound;
use super::super::cmdlets::{JOIN_TYPE, SCOPE_TYPE};
use super::super::parse::Command;
use super::super::run::{Interp, V, Val};
use super::{required, target_rule};
use syncrules_lang::rules::model::{Direction, JoinCondition, SCOPE_OPS, ScopeClause};

/// `New-Object`: a `ScopeCondition` or a `JoinCondition`.
pub(super) fn new_object(i: &mut Interp<'_>, c: &Command, b: &Bound) -> Option<V> {
    let type_name = required(i, c, b, "TypeName").and_then(|v| {
        let t = i.text(v, "TypeName")?;
        let is = |full: &str| t.eq_ignore_ascii_case(full);
        if is(SCOPE_TYPE) {
            Some(true)
        } else if is(JOIN_TYPE) {
            Some(false)
        } else {
            i.error(
                "E0334",
                v.span,
                format!("unsupported type `{t}`"),
                &format!("an exported rule creates `{SCOPE_TYPE}` and `{JOIN_TYPE}` objects"),
            );
            None
        }
    });
    let args = required(i, c, b, "ArgumentList");
    let (Some(scope), Some(args)) = (type_name, args) else {
        return None;
    };
    let items: Vec<Val> = match &args.v {
        V::Array(xs) => xs.clone(),
        _ => vec![args.clone()],
    };
    if let [a, x, y] = items.as_slice() {
        if scope {
            let attribute = i.text(a, "ArgumentList");
            let value = i.string(x, "ArgumentList");
            let operator = i.choice(y, "ArgumentList", Some("scope operator"), SCOPE_OPS);
            let (attribute, value, operator) = (attribute?, value?, operator?);
            let value = if operator.takes_value() {
                value
            } else {
                String::new()
            };
            Some(V::Scope(ScopeClause {
                attribute,
                operator,
                value,
            }))
        } else {
            let cs = i.text(a, "ArgumentList");
            let mv = i.text(x, "ArgumentList");
            let case = i.boolean(y, "the case-sensitive argument of a `JoinCondition`");
            Some(V::Join(JoinCondition {
                source: cs?,
                target: mv?,
                case_sensitive: case?,
            }))
        }
    } else {
        let (kind, shape) = if scope {
            ("ScopeCondition", "'attribute','value','OPERATOR'")
        } else {
            ("JoinCondition", "'csAttribute','mvAttribute',$false")
        };
        i.error(
            "E0334",
            args.span,
            format!("a `{kind}` takes three arguments, found {}", items.len()),
            &format!("write `-ArgumentList {shape}`"),
        );
        None
    }
}

/// The conditions of a group, each checked with `pick`.
fn conditions<T>(
    i: &mut Interp<'_>,
    c: &Command,
    b: &Bound,
    p: &str,
    noun: &str,
    pick: impl Fn(&V) -> Option<T>,
) -> Option<Vec<T>> {
    let list = required(i, c, b, p)?;
    let objects = Interp::objects(list);
    let mut out = Vec::with_capacity(objects.len());
    let mut ok = true;
    for o in &objects {
        match pick(&o.v) {
            Some(x) => out.push(x),
            None if o.v == V::Poison => ok = false,
            None => {
                let _: Option<()> = i.mismatch(
                    o,
                    &format!("`-{p}` takes {noun}s"),
                    "create each with `New-Object` and pass `@($condition0[0], ...)`",
                );
                ok = false;
            }
        }
    }
    if ok && out.is_empty() {
        i.error(
            "E0334",
            list.span,
            format!("a group needs at least one {noun}"),
            "",
        );
        return None;
    }
    ok.then_some(out)
}

/// `Add-ADSyncScopeConditionGroup`: a group of scope conditions added to the rule.
pub(super) fn add_scope_group(i: &mut Interp<'_>, c: &Command, b: &Bound) -> Option<V> {
    let rule = target_rule(i, c, b);
    let group = conditions(i, c, b, "ScopeConditions", "scope condition", |v| match v {
        V::Scope(s) => Some(s.clone()),
        _ => None,
    });
    let (rule, group) = (rule?, group?);
    i.rules.get_mut(rule)?.rule.scope.push(group);
    Some(V::Rule(rule))
}

/// `Add-ADSyncJoinConditionGroup`: a group of join conditions added to the rule.
pub(super) fn add_join_group(i: &mut Interp<'_>, c: &Command, b: &Bound) -> Option<V> {
    let rule = target_rule(i, c, b);
    let group = conditions(i, c, b, "JoinConditions", "join condition", |v| match v {
        V::Join(j) => Some(j.clone()),
        _ => None,
    });
    let (rule, group) = (rule?, group?);
    let building = i.rules.get_mut(rule)?;
    // A JoinCondition is (connector attribute, metaverse attribute); a rule's join reads
    // from its source side, which is the metaverse for an outbound rule.
    let outbound = building.rule.direction == Direction::Outbound;
    let group = group
        .into_iter()
        .map(|j| {
            if outbound {
                JoinCondition {
                    source: j.target,
                    target: j.source,
                    case_sensitive: j.case_sensitive,
                }
            } else {
                j
            }
        })
        .collect();
    building.rule.join.push(group);
    Some(V::Rule(rule))
}
