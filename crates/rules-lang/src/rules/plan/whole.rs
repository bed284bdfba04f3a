//! Checks over the whole rule set: unique names and precedences, one merge type per
//! target attribute; and the plan's fingerprint.

use std::collections::HashMap;

use indexmap::IndexMap;

use super::{Contribution, GroupKey, RuleGroup, TargetKey};
use crate::diag::Diagnostic;
use crate::rules::model::{Direction, MERGE_TYPES, MergeType, Rule, spelling};
use crate::rules::report::Report;
use crate::rules::set::RuleSet;

pub(super) fn unique_names_and_precedences(set: &RuleSet, report: &mut Report) {
    let mut names: HashMap<&str, &Rule> = HashMap::new();
    let mut precedences: HashMap<i64, &Rule> = HashMap::new();
    for rule in &set.rules {
        if let Some(first) = names.insert(&rule.name, rule) {
            let (file, span) = rule.at("name");
            report.push(
                &file,
                Diagnostic::error(
                    "E0404",
                    span,
                    format!("a rule named `{}` already exists", rule.name),
                )
                .with_help(format!(
                    "rule names are unique; the other is in {}",
                    first.file().display()
                )),
            );
        }
        if let Some(first) = precedences.insert(rule.precedence, rule) {
            let taken: std::collections::HashSet<i64> =
                set.rules.iter().map(|r| r.precedence).collect();
            let free = (rule.precedence + 1..)
                .find(|p| !taken.contains(p))
                .unwrap_or(rule.precedence);
            let (file, span) = rule.at("precedence");
            report.push(
                &file,
                Diagnostic::error(
                    "E0403",
                    span,
                    format!(
                        "precedence {} is already taken by `{}`",
                        rule.precedence, first.name
                    ),
                )
                .with_help(format!(
                    "precedences are unique in a rule set; {free} is free"
                )),
            );
            // Keep the first holder for later duplicates.
            precedences.insert(rule.precedence, first);
        }
    }
}

fn same_merge(a: MergeType, b: MergeType) -> bool {
    let norm = |m| {
        if m == MergeType::Replace {
            MergeType::Update
        } else {
            m
        }
    };
    norm(a) == norm(b)
}

pub(super) fn contributions(
    set: &RuleSet,
    groups: &IndexMap<GroupKey, RuleGroup>,
    report: &mut Report,
) -> IndexMap<TargetKey, Vec<Contribution>> {
    let mut out: IndexMap<TargetKey, Vec<Contribution>> = IndexMap::new();
    for (key, group) in groups {
        for (r, rule) in group.rules.iter().enumerate() {
            for (f, flow) in rule.flows.iter().enumerate() {
                let target = TargetKey {
                    direction: key.direction,
                    connector: match key.direction {
                        Direction::Inbound => String::new(),
                        Direction::Outbound => key.connector.clone(),
                    },
                    object_type: rule.target.clone(),
                    attribute: flow.target.clone(),
                };
                out.entry(target).or_default().push(Contribution {
                    group: key.clone(),
                    rule: r,
                    flow: f,
                    precedence: rule.precedence,
                    rule_name: rule.name.clone(),
                    merge: flow.merge,
                });
            }
        }
    }
    for (target, list) in &mut out {
        list.sort_by_key(|c| c.precedence);
        let Some(first) = list.first() else { continue };
        for c in list.iter().skip(1) {
            if same_merge(c.merge, first.merge) {
                continue;
            }
            let Some(rule) = set.rules.iter().find(|r| r.name == c.rule_name) else {
                continue;
            };
            let flow_spans = rule.origin.as_ref().and_then(|o| o.spans.flows.get(c.flow));
            let span = flow_spans
                .and_then(|s| s.merge)
                .or(flow_spans.map(|s| s.target))
                .unwrap_or_default();
            report.push(
                &rule.file(),
                Diagnostic::error(
                    "E0407",
                    span,
                    format!(
                        "`{}` is merged with `{}` here but with `{}` by `{}`",
                        target.attribute,
                        spelling(MERGE_TYPES, c.merge),
                        spelling(MERGE_TYPES, first.merge),
                        first.rule_name
                    ),
                )
                .with_help("all contributions to one attribute use the same merge type"),
            );
        }
    }
    out.sort_keys();
    out
}

/// A fingerprint of the enabled rules and the parameters: what a sync result depends on.
pub(super) fn plan_fingerprint(set: &RuleSet) -> String {
    use sha1::{Digest, Sha1};
    let mut rules: Vec<&Rule> = set.rules.iter().filter(|r| r.enabled).collect();
    rules.sort_by_key(|r| (r.precedence, r.name.clone()));
    let mut h = Sha1::new();
    for r in rules {
        h.update(
            crate::rules::emit_rule(&Rule {
                origin: None,
                description: None,
                ..r.clone()
            })
            .as_bytes(),
        );
    }
    for (name, c) in &set.config.connectors {
        h.update(name.as_bytes());
        for (k, v) in &c.parameters {
            h.update(k.as_bytes());
            h.update(v.as_bytes());
        }
    }
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
