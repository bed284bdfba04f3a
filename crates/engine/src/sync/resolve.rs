//! Attribute precedence: turning the contributions of every rule in scope into one value.
//!
//! For `update`/`replace`, contributions are taken in precedence order: `IgnoreThisFlow`
//! is as if the flow did not exist; `NULL` contributes nothing and lets lower rules
//! contribute; `AuthoritativeNull` removes the value and stops lower rules; the first
//! value wins. If only nulls remain, the value is removed; if every flow ignored itself,
//! the existing value is kept. `merge` unions every contribution's values, removing exact
//! duplicates; `merge-case-insensitive` removes values differing only by case.

use syncrules_lang::Value;
use syncrules_lang::name::{Name, NameMap};
use syncrules_lang::ops::distinct::{self, Distinct, Sameness};
use syncrules_lang::rules::MergeType;
use syncrules_lang::rules::plan::{PlannedFlow, PlannedRule};

/// One rule's contribution to an attribute.
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    /// The rule's precedence.
    pub precedence: i64,
    /// The rule's name.
    pub rule: Name,
    /// The flow's merge type.
    pub merge: MergeType,
    /// What the flow produced.
    pub value: Value,
}

/// What the contributions decide.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Set this value (null removes the attribute).
    Set(Value, Option<Name>),
    /// Keep the current value: every flow ignored itself.
    Keep,
}

/// Adds what `rule`'s `flow` gave to the contributions to the flow's target attribute.
pub(crate) fn contribute(
    contributions: &mut NameMap<Vec<Contribution>>,
    rule: &PlannedRule,
    flow: &PlannedFlow,
    value: Value,
) {
    let c = Contribution {
        precedence: rule.precedence,
        rule: rule.name,
        merge: flow.merge,
        value,
    };
    // The target's name is copied only for its first contribution.
    match contributions.get_mut(flow.target.as_str()) {
        Some(list) => list.push(c),
        None => {
            contributions.insert(flow.target, vec![c]);
        }
    }
}

/// Puts every attribute's contributions in precedence order, as [`decide`] takes them.
pub(crate) fn by_precedence(contributions: &mut NameMap<Vec<Contribution>>) {
    for list in contributions.values_mut() {
        list.sort_by_key(|c| c.precedence);
    }
}

/// How `merge` (`case_insensitive` false) or `merge-case-insensitive` tells values apart:
/// references always without regard to ASCII case, strings only for
/// `merge-case-insensitive`; only ASCII letters fold (`É` and `é` stay two values).
fn sameness(case_insensitive: bool) -> Sameness {
    if case_insensitive {
        Sameness::FoldText
    } else {
        Sameness::FoldReferences
    }
}

/// The union of `values`, in order, each value kept once (its first occurrence), and the
/// number of pairs of values compared (about one per repeat: values are hashed).
fn merged<'a>(values: impl IntoIterator<Item = &'a Value>, case_insensitive: bool) -> (Value, u64) {
    let mut seen = Distinct::with_capacity(sameness(case_insensitive), 0);
    let mut out = Vec::new();
    for v in values.into_iter().flat_map(Value::values) {
        if seen.insert(v) {
            out.push(v.clone());
        }
    }
    (Value::multi(out), seen.comparisons())
}

/// Whether two values hold the same values, in any order: as many values, each of `a`
/// among those of `b` (compared exactly). Hashed, so linear in the number of values.
pub(crate) fn same_values(a: &Value, b: &Value) -> bool {
    let (x, y) = (a.values(), b.values());
    // A few values compare faster one by one than hashed.
    if x.len() <= 8 {
        return x.len() == y.len() && x.iter().all(|v| y.contains(v));
    }
    distinct::same_values(x, y).0
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
        let mut any = false;
        for c in contributions {
            match &c.value {
                Value::Ignore => {}
                Value::AuthoritativeNull => {
                    return Decision::Set(Value::Null, Some(c.rule));
                }
                _ => any = true,
            }
        }
        if !any {
            return Decision::Keep;
        }
        let values = contributions
            .iter()
            .map(|c| &c.value)
            .filter(|v| !matches!(v, Value::Ignore));
        return Decision::Set(merged(values, ci).0, None);
    }
    let mut saw_null = false;
    for c in contributions {
        match &c.value {
            Value::Ignore => {}
            Value::Null => saw_null = true,
            Value::AuthoritativeNull => return Decision::Set(Value::Null, Some(c.rule)),
            v => return Decision::Set(v.clone(), Some(c.rule)),
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
            rule: format!("r{p}").into(),
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

    #[test]
    fn merge_folds_references_and_only_ascii() {
        let m = MergeType::Merge;
        let refs = Value::multi(vec![
            Value::reference("CN=A,DC=x"),
            Value::reference("cn=a,dc=X"),
            Value::from("CN=A,DC=x"),
            Value::from("cn=a,dc=X"),
        ]);
        // `merge` folds references but not strings, and keeps a string apart from a reference.
        assert_eq!(
            decide(&[c(1, m, refs.clone())]),
            Decision::Set(
                Value::multi(vec![
                    Value::reference("CN=A,DC=x"),
                    Value::from("CN=A,DC=x"),
                    Value::from("cn=a,dc=X"),
                ]),
                None
            )
        );
        let ci = MergeType::MergeCaseInsensitive;
        let accents = Value::multi(vec!["Élan".into(), "élan".into(), "ÉLAN".into()]);
        assert_eq!(
            decide(&[
                c(1, ci, accents),
                c(2, ci, Value::Null),
                c(3, ci, Value::Ignore)
            ]),
            Decision::Set(Value::multi(vec!["Élan".into(), "élan".into()]), None)
        );
        assert_eq!(
            decide(&[
                c(1, ci, "a".into()),
                c(2, ci, Value::AuthoritativeNull),
                c(3, ci, "b".into())
            ]),
            Decision::Set(Value::Null, Some("r2".into()))
        );
    }

    /// 100,000 values merged from two contributions: about one comparison per repeat
    /// (comparing each value with those kept would take 5 * 10^9).
    #[test]
    fn merging_is_linear() {
        let n = 100_000;
        let upper: Vec<Value> = (0..n)
            .map(|i| Value::from(format!("SMTP:U{i}@X")))
            .collect();
        let lower: Vec<Value> = (0..n)
            .map(|i| Value::from(format!("smtp:u{i}@x")))
            .collect();
        let (a, b) = (Value::multi(upper.clone()), Value::multi(lower.clone()));
        let (out, comparisons) = merged([&a, &b], true);
        assert_eq!(out, a);
        assert!(comparisons <= n as u64 + 10, "{comparisons}");
        let (out, comparisons) = merged([&a, &b], false);
        assert_eq!(out.values().len(), 2 * n);
        assert!(comparisons < 10, "{comparisons}");
        let ci = MergeType::MergeCaseInsensitive;
        assert_eq!(
            decide(&[c(1, ci, a.clone()), c(2, ci, b)]),
            Decision::Set(a.clone(), None)
        );
        let reversed = Value::multi(upper.into_iter().rev().collect());
        assert!(same_values(&a, &reversed));
        assert!(!same_values(&a, &Value::multi(lower)));
    }

    #[test]
    fn same_values_keeps_its_meaning() {
        let mv = |v: &[&str]| Value::multi(v.iter().map(|s| Value::from(*s)).collect());
        let long: Vec<String> = (0..20).map(|i| i.to_string()).collect();
        let long: Vec<&str> = long.iter().map(String::as_str).collect();
        let mut shuffled = long.clone();
        shuffled.reverse();
        for (a, b, same) in [
            (mv(&["a", "b"]), mv(&["b", "a"]), true),
            (mv(&["a", "a", "b"]), mv(&["a", "b", "b"]), true),
            (mv(&["a"]), mv(&["A"]), false),
            (mv(&["a"]), mv(&["a", "a"]), false),
            (Value::Null, Value::Null, true),
            (Value::from("x"), mv(&["x"]), true),
            (mv(&long), mv(&shuffled), true),
            (mv(&long), mv(&[&long[..19], &["x"]].concat()), false),
        ] {
            assert_eq!(same_values(&a, &b), same, "{a:?} {b:?}");
            assert_eq!(super::super::outbound::same(&a, &b), same, "{a:?} {b:?}");
        }
    }
}
