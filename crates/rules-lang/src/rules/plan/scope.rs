//! Evaluating scoping filters: a rule is in scope for an object when every clause of at
//! least one group holds.
//!
//! Readings: string tests compare without regard to ASCII case, as directory strings do;
//! a positive test on a multi-valued attribute holds when any value passes and its negation
//! when none does, so `not-equal` holds for an absent attribute; ordering tests compare as
//! numbers when both sides are numbers.

use super::{Clause, PlannedRule};
use crate::env::Attributes;
use crate::rules::model::ScopeOp;
use crate::value::Value;

/// What scoping needs to know beyond the object's attributes.
pub trait ScopeContext {
    /// Whether the object is a member of the group with this DN (`is-member-of`).
    fn is_member_of(&self, group_dn: &str) -> bool;
}

/// No group memberships.
impl ScopeContext for () {
    fn is_member_of(&self, _: &str) -> bool {
        false
    }
}

/// Why a rule is or is not in scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClauseOutcome {
    /// In scope: the index of the first group whose clauses all hold (0 when there are
    /// no groups).
    In(usize),
    /// Out of scope: for each group, the index of its first clause that failed.
    Out(Vec<usize>),
}

fn text_eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

impl Clause {
    /// Whether the clause holds for `value` (the attribute's value on the object).
    pub fn holds(&self, value: &Value, ctx: &dyn ScopeContext) -> bool {
        let values = value.values();
        let any = |test: &dyn Fn(&Value) -> bool| values.iter().any(test);
        let cmp = |v: &Value| -> Option<std::cmp::Ordering> {
            match (v, self.number) {
                (Value::Num(n), Some(k)) => Some(n.cmp(&k)),
                (Value::Str(s), Some(k)) => match s.trim().parse::<i64>() {
                    Ok(n) => Some(n.cmp(&k)),
                    Err(_) => Some(lower(s).cmp(&lower(&self.value))),
                },
                (Value::Null, _) => None,
                (other, _) => Some(lower(&other.to_string()).cmp(&lower(&self.value))),
            }
        };
        let bits = |v: &Value| match (v, self.number) {
            (Value::Num(n), Some(mask)) => n & mask == mask,
            (Value::Str(s), Some(mask)) => s.trim().parse::<i64>().is_ok_and(|n| n & mask == mask),
            _ => false,
        };
        let contains = |v: &Value| lower(&v.to_string()).contains(&lower(&self.value));
        let starts = |v: &Value| lower(&v.to_string()).starts_with(&lower(&self.value));
        let ends = |v: &Value| lower(&v.to_string()).ends_with(&lower(&self.value));
        let equal = |v: &Value| text_eq(&v.to_string(), &self.value);
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self.operator {
            ScopeOp::Equal | ScopeOp::IsIn => any(&equal),
            ScopeOp::NotEqual | ScopeOp::IsNotIn => !any(&equal),
            ScopeOp::LessThan => any(&|v| cmp(v) == Some(Less)),
            ScopeOp::LessThanOrEqual => any(&|v| matches!(cmp(v), Some(Less | Equal))),
            ScopeOp::GreaterThan => any(&|v| cmp(v) == Some(Greater)),
            ScopeOp::GreaterThanOrEqual => any(&|v| matches!(cmp(v), Some(Greater | Equal))),
            ScopeOp::Contains => any(&contains),
            ScopeOp::NotContains => !any(&contains),
            ScopeOp::StartsWith => any(&starts),
            ScopeOp::NotStartsWith => !any(&starts),
            ScopeOp::EndsWith => any(&ends),
            ScopeOp::NotEndsWith => !any(&ends),
            ScopeOp::IsNull => values.is_empty(),
            ScopeOp::IsNotNull => !values.is_empty(),
            ScopeOp::IsBitSet => any(&bits),
            ScopeOp::IsNotBitSet => !any(&bits),
            ScopeOp::IsMemberOf => ctx.is_member_of(&self.value),
            ScopeOp::IsNotMemberOf => !ctx.is_member_of(&self.value),
        }
    }
}

impl PlannedRule {
    /// Whether the rule is in scope for an object, and which clauses decided it.
    pub fn scope(&self, attributes: &dyn Attributes, ctx: &dyn ScopeContext) -> ClauseOutcome {
        if self.scope.is_empty() {
            return ClauseOutcome::In(0);
        }
        let mut failed = Vec::with_capacity(self.scope.len());
        for (g, group) in self.scope.iter().enumerate() {
            match group
                .iter()
                .position(|c| !c.holds(attributes.get(c.slot), ctx))
            {
                None => return ClauseOutcome::In(g),
                Some(c) => failed.push(c),
            }
        }
        ClauseOutcome::Out(failed)
    }
}
