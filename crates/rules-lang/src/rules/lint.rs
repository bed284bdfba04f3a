//! Lints: warnings about rule sets that work but probably not as meant. Each has a code,
//! says what to do, and becomes an error with `--deny-warnings`.
//!
//! | code | finding |
//! | --- | --- |
//! | W0101 | a vendor default whose content differs from what was imported |
//! | W0102 | a custom rule inside the precedence band of the vendor defaults |
//! | W0103 | two rules with different join criteria that can both be in scope for one object |
//! | W0104 | a flow that can never win |
//! | W0105 | an attribute read that nothing imports (by the schema, or by the connector's data: [`reads_never_observed`]) |
//! | W0106 | a group-membership test in an outbound rule's scope (it never holds there) |

use std::collections::{BTreeSet, HashSet};

use super::model::{
    Direction, Flow, FlowSource, MergeType, Origin, Rule, SCOPE_OPS, ScopeClause, ScopeOp,
    fingerprint, spelling,
};
use super::plan::{FlowValue, Plan, PlannedRule};
use super::report::Report;
use super::set::RuleSet;
use crate::diag::Diagnostic;
use crate::span::Span;
use crate::value::Value;

mod observed;

pub use observed::{ObservedAttributes, near_miss, reads_never_observed};

/// Runs every lint.
pub fn lint(set: &RuleSet, plan: &Plan, report: &mut Report) {
    edited_defaults(set, report);
    custom_in_default_band(set, report);
    overlapping_joins(set, report);
    flows_that_never_win(set, plan, report);
    reads_nothing_imports(set, plan, report);
    membership_in_metaverse_scope(set, report);
}

/// W0101
fn edited_defaults(set: &RuleSet, report: &mut Report) {
    for rule in &set.rules {
        let Some(vendor) = &rule.vendor else { continue };
        let Some(recorded) = &vendor.fingerprint else {
            continue;
        };
        let now = fingerprint(rule);
        if &now != recorded {
            let (file, span) = rule.at("vendor");
            report.push(
                &file,
                Diagnostic::warning(
                    "W0101",
                    span,
                    format!("edited default rule `{}`: its content no longer matches what was imported", rule.name),
                )
                .with_help("disable it (`enabled: false`) and clone it at a new precedence; an upgrade reverts edits to default rules"),
            );
        }
    }
}

/// The precedences reserved for vendor defaults: declared, or spanned by the vendor rules.
fn default_band(set: &RuleSet) -> Option<(i64, i64)> {
    set.config.default_band.or_else(|| {
        let vendor: Vec<i64> = set
            .rules
            .iter()
            .filter(|r| r.vendor.is_some())
            .map(|r| r.precedence)
            .collect();
        Some((*vendor.iter().min()?, *vendor.iter().max()?))
    })
}

/// W0102
fn custom_in_default_band(set: &RuleSet, report: &mut Report) {
    let Some((lo, hi)) = default_band(set) else {
        return;
    };
    for rule in set.rules.iter().filter(|r| r.vendor.is_none()) {
        if (lo..=hi).contains(&rule.precedence) {
            let (file, span) = rule.at("precedence");
            report.push(
                &file,
                Diagnostic::warning(
                    "W0102",
                    span,
                    format!(
                        "custom rule at precedence {} is inside the band of the vendor defaults ({lo} to {hi})",
                        rule.precedence
                    ),
                )
                .with_help(format!("give it a precedence below {lo}, where custom rules win over defaults and upgrades do not renumber")),
            );
        }
    }
}

/// Whether two clauses on the same attribute can never both hold.
fn contradict(a: &ScopeClause, b: &ScopeClause) -> bool {
    use ScopeOp::*;
    if a.attribute != b.attribute {
        return false;
    }
    let same = a.value.eq_ignore_ascii_case(&b.value);
    let pair = |x: ScopeOp, y: ScopeOp| {
        (a.operator == x && b.operator == y) || (a.operator == y && b.operator == x)
    };
    (pair(Equal, NotEqual) && same)
        || (a.operator == Equal && b.operator == Equal && !same)
        || pair(IsNull, IsNotNull)
        || (pair(IsNull, Equal)
            || pair(IsNull, StartsWith)
            || pair(IsNull, Contains)
            || pair(IsNull, EndsWith)
            || pair(IsNull, IsBitSet))
        || (pair(StartsWith, NotStartsWith) && same)
        || (pair(EndsWith, NotEndsWith) && same)
        || (pair(Contains, NotContains) && same)
        || (pair(IsIn, IsNotIn) && same)
        || (pair(IsBitSet, IsNotBitSet) && same)
        || (pair(IsMemberOf, IsNotMemberOf) && same)
}

/// Whether some object can be in scope of both rules (a conservative test: only clauses
/// that contradict each other rule a pair of groups out).
fn may_overlap(a: &Rule, b: &Rule) -> bool {
    let groups = |r: &Rule| {
        if r.scope.is_empty() {
            vec![Vec::new()]
        } else {
            r.scope.clone()
        }
    };
    groups(a).iter().any(|ga| {
        groups(b)
            .iter()
            .any(|gb| !ga.iter().any(|x| gb.iter().any(|y| contradict(x, y))))
    })
}

/// Whether two rules join on the same criteria (Entra Connect's defaults repeat one
/// join across many rules; only differing criteria can disagree about an object).
fn same_join(a: &Rule, b: &Rule) -> bool {
    let set = |r: &Rule| -> Vec<BTreeSet<(String, String, bool)>> {
        r.join
            .iter()
            .map(|g| {
                g.iter()
                    .map(|c| (c.source.clone(), c.target.clone(), c.case_sensitive))
                    .collect()
            })
            .collect()
    };
    set(a) == set(b)
}

/// W0103
fn overlapping_joins(set: &RuleSet, report: &mut Report) {
    let joiners: Vec<&Rule> = set
        .rules
        .iter()
        .filter(|r| r.enabled && !r.join.is_empty())
        .collect();
    for (i, a) in joiners.iter().enumerate() {
        for b in joiners.iter().skip(i + 1) {
            // A join only matches objects of the rule's target type, so rules with
            // different target types never compete for one object.
            if a.direction == b.direction
                && a.connector == b.connector
                && a.source == b.source
                && a.target == b.target
                && !same_join(a, b)
                && may_overlap(a, b)
            {
                let (second, first) = if a.precedence <= b.precedence {
                    (b, a)
                } else {
                    (a, b)
                };
                let (file, span) = second.at("join");
                report.push(
                    &file,
                    Diagnostic::warning(
                        "W0103",
                        span,
                        format!("`{}` and `{}` both join and can both be in scope for one `{}`", second.name, first.name, second.source),
                    )
                    .with_help("only one rule with join criteria may be in scope per object: make their scopes exclusive, or move the join into one rule"),
                );
            }
        }
    }
}

/// Whether a flow always decides its attribute: never null and never IgnoreThisFlow.
fn always_decides(rule: &PlannedRule, flow: usize) -> bool {
    let Some(f) = rule.flows.get(flow) else {
        return false;
    };
    match &f.value {
        FlowValue::Constant(v) => !matches!(v, Value::Null | Value::Ignore),
        FlowValue::Expression(p) => p
            .as_constant()
            .is_some_and(|v| !matches!(v, Value::Null | Value::Ignore)),
        FlowValue::Direct(_) => false,
    }
}

/// W0104
fn flows_that_never_win(set: &RuleSet, plan: &Plan, report: &mut Report) {
    for list in plan.contributions.values() {
        for (i, later) in list.iter().enumerate() {
            let Some(winner) = list.iter().take(i).find(|earlier| {
                earlier.group == later.group
                    && matches!(earlier.merge, MergeType::Update | MergeType::Replace)
                    && plan
                        .groups
                        .get(&earlier.group)
                        .and_then(|g| g.rules.get(earlier.rule))
                        .is_some_and(|r| r.scope.is_empty() && always_decides(r, earlier.flow))
            }) else {
                continue;
            };
            let Some(rule) = set.rules.iter().find(|r| r.name == later.rule_name) else {
                continue;
            };
            let span = rule.origin.as_ref().map_or_else(Span::default, |o| {
                o.spans
                    .flows
                    .get(later.flow)
                    .map_or(o.spans.whole, |s| s.item)
            });
            let file = rule.file();
            let target = rule
                .flows
                .get(later.flow)
                .map_or("?", |f| f.target.as_str());
            report.push(
                &file,
                Diagnostic::warning(
                    "W0104",
                    span,
                    format!(
                        "the flow to `{target}` can never win: `{}` (precedence {}) always sets it first",
                        winner.rule_name, winner.precedence
                    ),
                )
                .with_help("remove this flow, or give its rule a lower precedence number"),
            );
        }
    }
}

/// The attributes flow `i` of `rule` reads, with where each read is written.
fn flow_reads(origin: &Origin, i: usize, flow: &Flow) -> Vec<(String, Span)> {
    let scalar = origin.spans.flows.get(i).and_then(|s| s.value.as_ref());
    match &flow.source {
        FlowSource::Expression(src) => match crate::parse::parse(src) {
            Ok(ast) => ast
                .attribute_reads()
                .into_iter()
                .map(|(n, s)| {
                    (
                        n,
                        scalar.map_or(Span::default(), |sc| sc.file_span(&origin.text, s)),
                    )
                })
                .collect(),
            Err(_) => Vec::new(),
        },
        FlowSource::Direct(a) => vec![(a.clone(), scalar.map_or(Span::default(), |v| v.span))],
        FlowSource::Constant(_) => Vec::new(),
    }
    .into_iter()
    .filter(|(n, _)| n != "dn")
    .collect()
}

/// W0105
fn reads_nothing_imports(set: &RuleSet, plan: &Plan, report: &mut Report) {
    // Metaverse attributes some inbound rule sets.
    let fed: HashSet<(&str, &str)> = plan
        .contributions
        .keys()
        .filter(|k| k.direction == Direction::Inbound)
        .map(|k| (k.object_type.as_str(), k.attribute.as_str()))
        .collect();
    for rule in set.rules.iter().filter(|r| r.enabled) {
        let Some(origin) = &rule.origin else { continue };
        for (i, flow) in rule.flows.iter().enumerate() {
            for (attr, span) in flow_reads(origin, i, flow) {
                let unread = match rule.direction {
                    Direction::Outbound => !fed.contains(&(rule.source.as_str(), attr.as_str())),
                    Direction::Inbound => set
                        .connector_schemas
                        .get(&rule.connector)
                        .is_some_and(|s| s.attribute(&attr).is_none()),
                };
                if unread {
                    let what = match rule.direction {
                        Direction::Outbound => format!(
                            "no inbound rule sets metaverse attribute `{attr}` on `{}`",
                            rule.source
                        ),
                        Direction::Inbound => {
                            format!("connector `{}` does not import `{attr}`", rule.connector)
                        }
                    };
                    report.push(
                        &origin.path,
                        Diagnostic::warning("W0105", span, format!("`{attr}` is read but never imported: {what}"))
                            .with_help("the value is always null here: add the attribute to the connector's schema or an inbound flow, or remove the read"),
                    );
                }
            }
        }
    }
}

/// W0106: `is-member-of` tests a connector-space object's membership of a group in the same
/// connector space; an outbound rule scopes metaverse objects, which have none, so the
/// clause never holds (and `is-not-member-of` always does).
fn membership_in_metaverse_scope(set: &RuleSet, report: &mut Report) {
    let outbound = set
        .rules
        .iter()
        .filter(|r| r.enabled && r.direction == Direction::Outbound);
    for rule in outbound {
        let Some(origin) = &rule.origin else { continue };
        for (g, group) in rule.scope.iter().enumerate() {
            for (c, clause) in group.iter().enumerate() {
                let outcome = match clause.operator {
                    ScopeOp::IsMemberOf => "never holds",
                    ScopeOp::IsNotMemberOf => "always holds",
                    _ => continue,
                };
                let span = origin.spans.scope.get(g).and_then(|g| g.get(c)).copied();
                let message = format!(
                    "`{}` in an outbound rule's scope {outcome}: metaverse objects belong to no connector-space group",
                    spelling(SCOPE_OPS, clause.operator)
                );
                report.push(
                    &origin.path,
                    Diagnostic::warning("W0106", span.unwrap_or_default(), message).with_help(
                        "test the membership in an inbound rule's scope, or flow it into a metaverse attribute and scope on that",
                    ),
                );
            }
        }
    }
}
