//! Checks over the whole rule set: unique names and precedences, one merge type per
//! target attribute; and the plan's fingerprint.

use std::collections::{BTreeMap, HashMap, HashSet};

use indexmap::IndexMap;

use super::{Contribution, GroupKey, RuleGroup, TargetKey};
use crate::diag::{Diagnostic, line_col};
use crate::rules::model::{Direction, MERGE_TYPES, MergeType, Rule, spelling};
use crate::rules::report::Report;
use crate::rules::set::RuleSet;

pub(super) fn unique_names_and_precedences(set: &RuleSet, report: &mut Report) {
    let mut names: HashMap<&str, &Rule> = HashMap::new();
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
    }
    duplicate_precedences(set, report);
}

/// E0403, on every rule that shares its precedence with another, each naming the others
/// and where they are. Which of them is wrong cannot be told from the files (the new rule
/// may sort first or last, and file times are not part of a rule set), so each file gets
/// the error and a review or an editor shows it wherever the change was made.
fn duplicate_precedences(set: &RuleSet, report: &mut Report) {
    let mut holders: BTreeMap<i64, Vec<&Rule>> = BTreeMap::new();
    for rule in &set.rules {
        holders.entry(rule.precedence).or_default().push(rule);
    }
    let taken: HashSet<i64> = holders.keys().copied().collect();
    for (precedence, rules) in holders.iter().filter(|(_, r)| r.len() > 1) {
        let free = (precedence + 1..)
            .find(|p| !taken.contains(p))
            .unwrap_or(*precedence);
        for rule in rules {
            let others: Vec<String> = rules
                .iter()
                .filter(|o| !std::ptr::eq(**o, *rule))
                .map(|o| format!("`{}` ({})", o.name, location(o, "precedence")))
                .collect();
            let (file, span) = rule.at("precedence");
            report.push(
                &file,
                Diagnostic::error(
                    "E0403",
                    span,
                    format!(
                        "precedence {precedence} is also taken by {}",
                        others.join(" and ")
                    ),
                )
                .with_help(format!(
                    "precedences are unique in a rule set: give one of them another ({free} is free)"
                )),
            );
        }
    }
}

/// `file:line:col` of a rule's key.
fn location(rule: &Rule, key: &str) -> String {
    let (file, span) = rule.at(key);
    let text = rule.origin.as_ref().map_or("", |o| o.text.as_str());
    let (line, col) = line_col(text, span.start as usize);
    format!("{}:{line}:{col}", file.display())
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
