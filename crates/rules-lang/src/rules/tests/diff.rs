//! Diffing rule sets by meaning.

use std::path::Path;

use crate::rules::diff::{ChangeKind, diff, render, to_json};
use crate::rules::load_rule;

const BASE: &str = "\
name: R
direction: inbound
connector: c
source: user
target: person
precedence: 104
scope:
  - - attribute: a
      operator: equal
      value: x
    - attribute: b
      operator: is-not-null
flows:
  - target: givenName
    expression: Trim([givenName])
  - target: sn
    source: sn
";

fn rule(text: &str) -> crate::rules::Rule {
    load_rule(Path::new("r.yaml"), text).unwrap()
}

#[test]
fn layout_comments_and_clause_order_are_not_changes() {
    let same = "\
# a comment
name: R
source: user
direction: inbound
target: person
connector: c
precedence: 104
scope:
  - - attribute: b
      operator: ISNOTNULL
    - attribute: a
      operator: EQUAL
      value: x
flows:
  - target: givenName
    expression: |
      Trim(
        [givenName]
      )
  - target: sn
    source: sn
";
    assert_eq!(diff(&[rule(BASE)], &[rule(same)]), []);
}

#[test]
fn changes_are_named() {
    let changed = BASE
        .replace("precedence: 104", "precedence: 90\nenabled: false")
        .replace("Trim([givenName])", "LCase(Trim([givenName]))")
        .replace(
            "  - target: sn\n    source: sn\n",
            "  - target: title\n    constant: Boss\n",
        )
        .replace("value: x", "value: y");
    let changes = diff(&[rule(BASE)], &[rule(&changed)]);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].kind, ChangeKind::Changed);
    let kinds: Vec<(&str, Option<&str>)> = changes[0]
        .details
        .iter()
        .map(|d| (d.kind, d.target.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("enabled", None),
            ("precedence", None),
            ("scope", None),
            ("flow-changed", Some("givenName")),
            ("flow-removed", Some("sn")),
            ("flow-added", Some("title")),
        ]
    );
    let text = render(&changes);
    assert!(text.contains("    precedence: 104 -> 90\n"), "{text}");
    assert!(
        text.contains(
            "~ flow givenName: Trim([givenName])\n             -> LCase(Trim([givenName]))"
        ),
        "{text}"
    );
    assert!(text.ends_with("0 added, 0 removed, 1 changed\n"), "{text}");
    let j = to_json(&changes);
    assert_eq!(j["changed"], 1);
    assert_eq!(
        j["rules"][0]["details"][1],
        serde_json::json!({"kind": "precedence", "old": "104", "new": "90"})
    );
}

#[test]
fn added_removed_and_renamed_by_vendor_tag() {
    let tagged = |name: &str| {
        BASE.replace("name: R", &format!("name: {name}")).replace(
            "precedence: 104",
            "precedence: 104\nvendor:\n  immutable-tag: Microsoft.X.001",
        )
    };
    let other = BASE
        .replace("name: R", "name: S")
        .replace("precedence: 104", "precedence: 50");
    let changes = diff(
        &[rule(&tagged("Old name")), rule(&other)],
        &[rule(&tagged("New name"))],
    );
    let summary: Vec<(&str, ChangeKind)> =
        changes.iter().map(|c| (c.rule.as_str(), c.kind)).collect();
    assert_eq!(
        summary,
        [
            ("S", ChangeKind::Removed),
            ("New name", ChangeKind::Changed)
        ]
    );
    assert_eq!(changes[1].details[0].kind, "name");
    let added = diff(&[], &[rule(BASE)]);
    assert_eq!(added[0].kind, ChangeKind::Added);
}
