//! The plan as text: `syncrules check --plan`, reviewed and snapshot-tested.

use std::fmt::Write as _;

use super::{FlowValue, Plan};
use crate::rules::model::{
    DIRECTIONS, JoinCondition, LINK_TYPES, MERGE_TYPES, SCOPE_OPS, spelling,
};

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) fn listing(plan: &Plan) -> String {
    let mut out = String::new();
    let rules: usize = plan.groups.values().map(|g| g.rules.len()).sum();
    let _ = writeln!(
        out,
        "plan {}: {} groups, {rules} rules, {} target attributes",
        plan.fingerprint,
        plan.groups.len(),
        plan.contributions.len()
    );
    for (key, group) in &plan.groups {
        let _ = writeln!(
            out,
            "\n{} {} {} ({} attribute slots)",
            spelling(DIRECTIONS, key.direction),
            key.connector,
            key.source,
            group.slots.attributes.len()
        );
        for rule in &group.rules {
            let _ = writeln!(
                out,
                "  {:>4} {} -> {} [{}]",
                rule.precedence,
                rule.name,
                rule.target,
                spelling(LINK_TYPES, rule.link)
            );
            for (g, clauses) in rule.scope.iter().enumerate() {
                let text: Vec<String> = clauses
                    .iter()
                    .map(|c| {
                        if c.operator.takes_value() {
                            format!(
                                "{} {} {:?}",
                                c.attribute,
                                spelling(SCOPE_OPS, c.operator),
                                c.value
                            )
                        } else {
                            format!("{} {}", c.attribute, spelling(SCOPE_OPS, c.operator))
                        }
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "         {} {}",
                    if g == 0 { "scope" } else { "   or" },
                    text.join(" and ")
                );
            }
            for (g, conds) in rule.join.iter().enumerate() {
                let text: Vec<String> = conds.iter().map(JoinCondition::text).collect();
                let _ = writeln!(
                    out,
                    "         {} {}",
                    if g == 0 { " join" } else { " then" },
                    text.join(" and ")
                );
            }
            for f in &rule.flows {
                let how = match &f.value {
                    FlowValue::Expression(p) => format!("expr/{}", p.code().len()),
                    FlowValue::Direct(_) => "direct".to_owned(),
                    FlowValue::Constant(_) => "const".to_owned(),
                };
                let mut extra = String::new();
                if f.merge != crate::rules::model::MergeType::Update {
                    let _ = write!(extra, " [{}]", spelling(MERGE_TYPES, f.merge));
                }
                if f.apply_once {
                    extra.push_str(" [apply-once]");
                }
                let _ = writeln!(
                    out,
                    "          {} <- {} ({how}){extra}",
                    f.target,
                    one_line(&f.text)
                );
            }
        }
    }
    let _ = writeln!(out, "\ncontributions");
    for (target, list) in &plan.contributions {
        let who: Vec<String> = list
            .iter()
            .map(|c| format!("{} {}", c.precedence, c.rule_name))
            .collect();
        let side = if target.connector.is_empty() {
            "metaverse".to_owned()
        } else {
            target.connector.clone()
        };
        let _ = writeln!(
            out,
            "  {side} {}.{}: {}",
            target.object_type,
            target.attribute,
            who.join(" > ")
        );
    }
    out
}
