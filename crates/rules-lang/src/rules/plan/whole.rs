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
    // A rule's identity is its name and connector: a template's instances keep the name
    // their rule has, as Entra Connect keeps one name per connector.
    let mut names: HashMap<(&str, &str), &Rule> = HashMap::new();
    for rule in &set.rules {
        if let Some(first) = names.insert((&rule.name, &rule.connector), rule) {
            let (file, span) = rule.at("name");
            report.push(
                &file,
                Diagnostic::error(
                    "E0404",
                    span,
                    format!(
                        "a rule named `{}` already exists for connector `{}`",
                        rule.name, rule.connector
                    ),
                )
                .with_help(format!(
                    "rule names are unique per connector; the other is in {}",
                    first.file().display()
                )),
            );
        }
    }
    duplicate_precedences(set, report);
}

/// E0403 for a precedence several rules hold. One holder keeps it: the first vendor default
/// in load order when a vendor default is among them (an imported default is not the rule
/// that changed), else the first in load order (path order). Every other holder is
/// reported, and the message names the keeper with its `file:line:col`, so both files are
/// on screen whichever was edited. File times or git state would guess the edited file
/// better but are not part of a rule set, nor deterministic.
fn duplicate_precedences(set: &RuleSet, report: &mut Report) {
    let mut holders: BTreeMap<i64, Vec<&Rule>> = BTreeMap::new();
    for rule in &set.rules {
        holders.entry(rule.precedence).or_default().push(rule);
    }
    let taken: HashSet<i64> = holders.keys().copied().collect();
    for (precedence, rules) in holders.iter().filter(|(_, r)| r.len() > 1) {
        let Some(keeper) = rules
            .iter()
            .find(|r| r.vendor.is_some())
            .or_else(|| rules.first())
        else {
            continue;
        };
        let free = (precedence + 1..)
            .find(|p| !taken.contains(p))
            .unwrap_or(*precedence);
        for rule in rules.iter().filter(|r| !std::ptr::eq(**r, *keeper)) {
            let (file, span) = rule.at("precedence");
            report.push(
                &file,
                Diagnostic::error(
                    "E0403",
                    span,
                    format!(
                        "precedence {precedence} is already taken by `{}` ({})",
                        keeper.name,
                        location(keeper, "precedence")
                    ),
                )
                .with_help(format!(
                    "precedences are unique in a rule set; {free} is free"
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
                    attribute: flow.target.to_string(),
                };
                out.entry(target).or_default().push(Contribution {
                    group: key.clone(),
                    rule: r,
                    flow: f,
                    precedence: rule.precedence,
                    rule_name: rule.name.to_string(),
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn rule(file: &str, name: &str, precedence: i64, vendor: bool) -> Option<Rule> {
        let vendor = if vendor {
            "vendor:\n  immutable-tag: Microsoft.X.001\n"
        } else {
            ""
        };
        let text = format!(
            "name: {name}\ndirection: inbound\nconnector: c\nsource: user\ntarget: person\nprecedence: {precedence}\n{vendor}"
        );
        crate::rules::load_rule(Path::new(file), &text).ok()
    }

    /// `(file, message)` of every E0403 for these rules, in load order.
    fn blamed(rules: Vec<Option<Rule>>) -> Vec<(String, String)> {
        let set = RuleSet {
            rules: rules.into_iter().flatten().collect(),
            ..RuleSet::default()
        };
        let mut report = Report::default();
        unique_names_and_precedences(&set, &mut report);
        report
            .findings()
            .iter()
            .map(|f| {
                (
                    f.file.to_string_lossy().into_owned(),
                    f.diagnostic.message.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn the_later_rule_is_blamed_naming_the_first_and_where_it_is() {
        let found = blamed(vec![
            rule("a.yaml", "A", 10, false),
            rule("b.yaml", "B", 10, false),
            rule("c.yaml", "C", 10, false),
            rule("d.yaml", "D", 11, false),
        ]);
        assert_eq!(
            found,
            [
                (
                    "b.yaml".to_owned(),
                    "precedence 10 is already taken by `A` (a.yaml:6:13)".to_owned()
                ),
                (
                    "c.yaml".to_owned(),
                    "precedence 10 is already taken by `A` (a.yaml:6:13)".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn a_vendor_default_keeps_its_precedence_against_a_custom_rule_loaded_first() {
        let found = blamed(vec![
            rule("a-custom.yaml", "Custom", 100, false),
            rule("b-default.yaml", "Default", 100, true),
        ]);
        assert_eq!(
            found,
            [(
                "a-custom.yaml".to_owned(),
                "precedence 100 is already taken by `Default` (b-default.yaml:6:13)".to_owned()
            )]
        );
    }
}
