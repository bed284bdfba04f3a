//! Comparing two rule sets by meaning, rule by rule and flow by flow: reformatting, key
//! order, comments, the order of scope clauses and groups, and an expression's layout are
//! not changes; precedence, enabling, scope, join and flow changes are.
//!
//! Rules are matched by name; a rule renamed but keeping its vendor tag is matched by the
//! tag.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Value as Json, json};

use super::model::{
    DIRECTIONS, Flow, FlowSource, JoinCondition, LINK_TYPES, MERGE_TYPES, MergeType, Rule,
    SCOPE_OPS, spelling,
};

/// How a rule changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// Only in the new set.
    Added,
    /// Only in the old set.
    Removed,
    /// In both, different.
    Changed,
}

/// One difference inside a changed rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detail {
    /// `precedence`, `enabled`, `name`, `scope`, `join`, `flow-added`, ... (see [`RuleChange`]).
    pub kind: &'static str,
    /// The flow's target attribute, for flow details.
    pub target: Option<String>,
    /// The old value as text.
    pub old: Option<String>,
    /// The new value as text.
    pub new: Option<String>,
}

/// A rule that differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleChange {
    /// The rule's name (the new name when renamed).
    pub rule: String,
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// The file in the old set.
    pub old_file: Option<PathBuf>,
    /// The file in the new set.
    pub new_file: Option<PathBuf>,
    /// What changed (empty for added and removed rules).
    pub details: Vec<Detail>,
}

fn file(r: &Rule) -> Option<PathBuf> {
    r.origin.as_ref().map(|o| o.path.clone())
}

/// An expression in canonical form, so layout is not a change.
fn canonical_expression(src: &str) -> String {
    crate::parse::parse(src).map_or_else(
        |_| src.split_whitespace().collect::<Vec<_>>().join(" "),
        |e| e.to_source(),
    )
}

fn flow_text(f: &Flow) -> String {
    let mut s = match &f.source {
        FlowSource::Expression(e) => canonical_expression(e),
        FlowSource::Direct(a) => format!("[{a}] (direct)"),
        FlowSource::Constant(c) => format!("{c:?} (constant)"),
    };
    if f.merge != MergeType::Update {
        s.push_str(&format!(" [{}]", spelling(MERGE_TYPES, f.merge)));
    }
    if f.apply_once {
        s.push_str(" [apply-once]");
    }
    s
}

fn scope_text(r: &Rule) -> (BTreeSet<BTreeSet<String>>, String) {
    let groups: BTreeSet<BTreeSet<String>> = r
        .scope
        .iter()
        .map(|g| {
            g.iter()
                .map(|c| {
                    let op = spelling(SCOPE_OPS, c.operator);
                    if c.operator.takes_value() {
                        format!("{} {op} {:?}", c.attribute, c.value)
                    } else {
                        format!("{} {op}", c.attribute)
                    }
                })
                .collect()
        })
        .collect();
    let text = if groups.is_empty() {
        "(all objects)".to_owned()
    } else {
        groups
            .iter()
            .map(|g| format!("({})", g.iter().cloned().collect::<Vec<_>>().join(" and ")))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    (groups, text)
}

fn join_text(r: &Rule) -> (Vec<BTreeSet<String>>, String) {
    let groups: Vec<BTreeSet<String>> = r
        .join
        .iter()
        .map(|g| g.iter().map(JoinCondition::text).collect())
        .collect();
    let text = if groups.is_empty() {
        "(none)".to_owned()
    } else {
        groups
            .iter()
            .map(|g| format!("({})", g.iter().cloned().collect::<Vec<_>>().join(" and ")))
            .collect::<Vec<_>>()
            .join(" then ")
    };
    (groups, text)
}

fn detail(kind: &'static str, old: impl ToString, new: impl ToString) -> Detail {
    Detail {
        kind,
        target: None,
        old: Some(old.to_string()),
        new: Some(new.to_string()),
    }
}

fn compare(old: &Rule, new: &Rule) -> Vec<Detail> {
    let mut d = Vec::new();
    if old.name != new.name {
        d.push(detail("name", &old.name, &new.name));
    }
    if old.enabled != new.enabled {
        d.push(detail("enabled", old.enabled, new.enabled));
    }
    if old.precedence != new.precedence {
        d.push(detail("precedence", old.precedence, new.precedence));
    }
    if old.direction != new.direction {
        d.push(detail(
            "direction",
            spelling(DIRECTIONS, old.direction),
            spelling(DIRECTIONS, new.direction),
        ));
    }
    for (kind, a, b) in [
        ("connector", &old.connector, &new.connector),
        ("source", &old.source, &new.source),
        ("target", &old.target, &new.target),
    ] {
        if a != b {
            d.push(detail(kind, a, b));
        }
    }
    if old.link != new.link {
        d.push(detail(
            "link",
            spelling(LINK_TYPES, old.link),
            spelling(LINK_TYPES, new.link),
        ));
    }
    if old.description != new.description {
        d.push(detail(
            "description",
            old.description.clone().unwrap_or_default(),
            new.description.clone().unwrap_or_default(),
        ));
    }
    let (os, ot) = scope_text(old);
    let (ns, nt) = scope_text(new);
    if os != ns {
        d.push(detail("scope", ot, nt));
    }
    let (oj, ojt) = join_text(old);
    let (nj, njt) = join_text(new);
    if oj != nj {
        d.push(detail("join", ojt, njt));
    }
    // Flows, matched by target attribute (in order when a rule has several for one).
    let mut unmatched: Vec<Option<&Flow>> = new.flows.iter().map(Some).collect();
    for of in &old.flows {
        let slot = unmatched
            .iter_mut()
            .find(|n| n.is_some_and(|n| n.target == of.target));
        match slot.and_then(Option::take) {
            Some(nf) => {
                let (a, b) = (flow_text(of), flow_text(nf));
                if a != b {
                    d.push(Detail {
                        kind: "flow-changed",
                        target: Some(of.target.clone()),
                        old: Some(a),
                        new: Some(b),
                    });
                }
            }
            None => d.push(Detail {
                kind: "flow-removed",
                target: Some(of.target.clone()),
                old: Some(flow_text(of)),
                new: None,
            }),
        }
    }
    for nf in unmatched.into_iter().flatten() {
        d.push(Detail {
            kind: "flow-added",
            target: Some(nf.target.clone()),
            old: None,
            new: Some(flow_text(nf)),
        });
    }
    d
}

/// The differences between two rule sets, ordered by the new (else old) precedence.
pub fn diff(old: &[Rule], new: &[Rule]) -> Vec<RuleChange> {
    let mut out = Vec::new();
    let mut matched_new = vec![false; new.len()];
    for o in old {
        let by_name = new.iter().position(|n| n.name == o.name);
        let by_tag = || {
            let tag = &o.vendor.as_ref()?.immutable_tag;
            new.iter().enumerate().position(|(i, n)| {
                !matched_new.get(i).copied().unwrap_or(true)
                    && !old.iter().any(|x| x.name == n.name)
                    && n.vendor.as_ref().is_some_and(|v| &v.immutable_tag == tag)
            })
        };
        match by_name.or_else(by_tag) {
            Some(i) => {
                if let Some(m) = matched_new.get_mut(i) {
                    *m = true;
                }
                let Some(n) = new.get(i) else { continue };
                let details = compare(o, n);
                if !details.is_empty() {
                    out.push(RuleChange {
                        rule: n.name.clone(),
                        kind: ChangeKind::Changed,
                        old_file: file(o),
                        new_file: file(n),
                        details,
                    });
                }
            }
            None => out.push(RuleChange {
                rule: o.name.clone(),
                kind: ChangeKind::Removed,
                old_file: file(o),
                new_file: None,
                details: Vec::new(),
            }),
        }
    }
    for (n, matched) in new.iter().zip(&matched_new) {
        if !matched {
            out.push(RuleChange {
                rule: n.name.clone(),
                kind: ChangeKind::Added,
                old_file: None,
                new_file: file(n),
                details: Vec::new(),
            });
        }
    }
    let precedence = |c: &RuleChange| {
        new.iter()
            .chain(old.iter())
            .find(|r| r.name == c.rule)
            .map_or(i64::MAX, |r| r.precedence)
    };
    out.sort_by_key(|c| (precedence(c), c.rule.clone()));
    out
}

/// The differences as text, one rule a paragraph.
pub fn render(changes: &[RuleChange]) -> String {
    let mut out = String::new();
    for c in changes {
        let (sign, path) = match c.kind {
            ChangeKind::Added => ("+", &c.new_file),
            ChangeKind::Removed => ("-", &c.old_file),
            ChangeKind::Changed => ("~", &c.new_file),
        };
        let where_ = path
            .as_ref()
            .map(|p| format!(" ({})", p.display()))
            .unwrap_or_default();
        out.push_str(&format!("{sign} {}{where_}\n", c.rule));
        for d in &c.details {
            let line = match (d.kind, &d.target, &d.old, &d.new) {
                ("flow-added", Some(t), _, Some(n)) => format!("+ flow {t}: {n}"),
                ("flow-removed", Some(t), Some(o), _) => format!("- flow {t}: {o}"),
                ("flow-changed", Some(t), Some(o), Some(n)) => {
                    format!("~ flow {t}: {o}\n             -> {n}")
                }
                (k, _, Some(o), Some(n)) => format!("{k}: {o} -> {n}"),
                (k, _, _, _) => k.to_owned(),
            };
            out.push_str(&format!("    {line}\n"));
        }
    }
    let count = |k| changes.iter().filter(|c| c.kind == k).count();
    out.push_str(&format!(
        "{} added, {} removed, {} changed\n",
        count(ChangeKind::Added),
        count(ChangeKind::Removed),
        count(ChangeKind::Changed)
    ));
    out
}

/// The differences as JSON.
pub fn to_json(changes: &[RuleChange]) -> Json {
    let kind = |k: ChangeKind| match k {
        ChangeKind::Added => "added",
        ChangeKind::Removed => "removed",
        ChangeKind::Changed => "changed",
    };
    let count = |k| changes.iter().filter(|c| c.kind == k).count();
    let rules: Vec<Json> = changes
        .iter()
        .map(|c| {
            let details: Vec<Json> = c
                .details
                .iter()
                .map(|d| {
                    let mut o = json!({"kind": d.kind});
                    if let Some(obj) = o.as_object_mut() {
                        if let Some(t) = &d.target {
                            obj.insert("target".into(), json!(t));
                        }
                        if let Some(v) = &d.old {
                            obj.insert("old".into(), json!(v));
                        }
                        if let Some(v) = &d.new {
                            obj.insert("new".into(), json!(v));
                        }
                    }
                    o
                })
                .collect();
            json!({
                "rule": c.rule,
                "change": kind(c.kind),
                "old_file": c.old_file.as_ref().map(|p| p.to_string_lossy().into_owned()),
                "new_file": c.new_file.as_ref().map(|p| p.to_string_lossy().into_owned()),
                "details": details,
            })
        })
        .collect();
    json!({
        "added": count(ChangeKind::Added),
        "removed": count(ChangeKind::Removed),
        "changed": count(ChangeKind::Changed),
        "rules": rules,
    })
}
