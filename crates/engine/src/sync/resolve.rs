//! Attribute precedence: turning the contributions of every rule in scope into one value.
//!
//! For `update`/`replace`, contributions are taken in precedence order: `IgnoreThisFlow`
//! is as if the flow did not exist; `NULL` contributes nothing and lets lower rules
//! contribute; `AuthoritativeNull` removes the value and stops lower rules; the first
//! value wins. If only nulls remain, the value is removed; if every flow ignored itself,
//! the existing value is kept. `merge` unions every contribution's values, removing exact
//! duplicates; `merge-case-insensitive` removes values differing only by case.

use indexmap::IndexMap;
use syncrules_lang::Value;
use syncrules_lang::rules::MergeType;
use syncrules_lang::rules::plan::{PlannedFlow, PlannedRule};

/// One rule's contribution to an attribute.
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    /// The rule's precedence.
    pub precedence: i64,
    /// The rule's name.
    pub rule: String,
    /// The flow's merge type.
    pub merge: MergeType,
    /// What the flow produced.
    pub value: Value,
}

/// What the contributions decide.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Set this value (null removes the attribute).
    Set(Value, Option<String>),
    /// Keep the current value: every flow ignored itself.
    Keep,
}

/// Adds what `rule`'s `flow` gave to the contributions to the flow's target attribute.
pub(crate) fn contribute(
    contributions: &mut IndexMap<String, Vec<Contribution>>,
    rule: &PlannedRule,
    flow: &PlannedFlow,
    value: Value,
) {
    let c = Contribution {
        precedence: rule.precedence,
        rule: rule.name.clone(),
        merge: flow.merge,
        value,
    };
    // The target's name is copied only for its first contribution.
    match contributions.get_mut(flow.target.as_str()) {
        Some(list) => list.push(c),
        None => {
            contributions.insert(flow.target.clone(), vec![c]);
        }
    }
}

/// Puts every attribute's contributions in precedence order, as [`decide`] takes them.
pub(crate) fn by_precedence(contributions: &mut IndexMap<String, Vec<Contribution>>) {
    for list in contributions.values_mut() {
        list.sort_by_key(|c| c.precedence);
    }
}

fn push_unique(out: &mut Vec<Value>, v: &Value, case_insensitive: bool) {
    let same = |a: &Value, b: &Value| match (a, b) {
        (Value::Str(x), Value::Str(y)) if case_insensitive => x.eq_ignore_ascii_case(y),
        (Value::Ref(x), Value::Ref(y)) => x.eq_ignore_ascii_case(y),
        _ => a == b,
    };
    for item in v.values() {
        if !out.iter().any(|o| same(o, item)) {
            out.push(item.clone());
        }
    }
}

/// Decides an attribute from its contributions (sorted by precedence).
pub fn decide(contributions: &[Contribution]) -> Decision {
    let merging = contributions
        .first()
        .is_some_and(|c| matches!(c.merge, MergeType::Merge | MergeType::MergeCaseInsensitive));
    if merging {
        let ci = contributions
            .first()
            .is_some_and(|c| c.merge == MergeType::MergeCaseInsensitive);
        let mut out = Vec::new();
        let mut any = false;
        for c in contributions {
            match &c.value {
                Value::Ignore => {}
                Value::AuthoritativeNull => {
                    return Decision::Set(Value::Null, Some(c.rule.clone()));
                }
                v => {
                    any = true;
                    push_unique(&mut out, v, ci);
                }
            }
        }
        return if any {
            Decision::Set(Value::multi(out), None)
        } else {
            Decision::Keep
        };
    }
    let mut saw_null = false;
    for c in contributions {
        match &c.value {
            Value::Ignore => {}
            Value::Null => saw_null = true,
            Value::AuthoritativeNull => return Decision::Set(Value::Null, Some(c.rule.clone())),
            v => return Decision::Set(v.clone(), Some(c.rule.clone())),
        }
    }
    if saw_null {
        Decision::Set(Value::Null, None)
    } else {
        Decision::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(p: i64, merge: MergeType, value: Value) -> Contribution {
        Contribution {
            precedence: p,
            rule: format!("r{p}"),
            merge,
            value,
        }
    }

    #[test]
    fn update_takes_the_first_value_skipping_nulls_and_ignores() {
        let u = MergeType::Update;
        assert_eq!(
            decide(&[
                c(1, u, Value::Null),
                c(2, u, Value::Ignore),
                c(3, u, "x".into()),
                c(4, u, "y".into())
            ]),
            Decision::Set("x".into(), Some("r3".into()))
        );
        assert_eq!(
            decide(&[c(1, u, Value::Null), c(2, u, Value::Null)]),
            Decision::Set(Value::Null, None)
        );
        assert_eq!(decide(&[c(1, u, Value::Ignore)]), Decision::Keep);
        assert_eq!(
            decide(&[c(1, u, Value::AuthoritativeNull), c(2, u, "x".into())]),
            Decision::Set(Value::Null, Some("r1".into()))
        );
    }

    #[test]
    fn merge_types_union() {
        let m = MergeType::Merge;
        let mv = |v: &[&str]| Value::multi(v.iter().map(|s| Value::from(*s)).collect());
        assert_eq!(
            decide(&[c(1, m, mv(&["a", "B"])), c(2, m, mv(&["b", "a", "c"]))]),
            Decision::Set(mv(&["a", "B", "b", "c"]), None)
        );
        let ci = MergeType::MergeCaseInsensitive;
        assert_eq!(
            decide(&[
                c(1, ci, mv(&["SMTP:a@x", "x500:q"])),
                c(2, ci, mv(&["smtp:A@X", "y"]))
            ]),
            Decision::Set(mv(&["SMTP:a@x", "x500:q", "y"]), None)
        );
        assert_eq!(decide(&[c(1, m, Value::Ignore)]), Decision::Keep);
    }
}
