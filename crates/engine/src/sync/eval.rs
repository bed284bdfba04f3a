//! Reading objects through a rule group's slots, evaluating scopes and flows.

use syncrules_lang::dn;
use syncrules_lang::env::{Attributes, BySlot};
use syncrules_lang::functions::CallCtx;
use syncrules_lang::name::AttrMap;
use syncrules_lang::rules::plan::{
    ClauseOutcome, FlowValue, PlannedFlow, PlannedRule, RuleGroup, ScopeContext,
};
use syncrules_lang::{Env, EvalError, Value, Vm};

/// An object's attributes laid out by a group's slots: the current values, and the values
/// confirmed by an import (what `ImportedValue` reads).
pub struct View<'a> {
    values: Vec<&'a Value>,
    imported: Option<Vec<&'a Value>>,
}

impl<'a> View<'a> {
    /// Looks up every slot of `group` in `get`; imported values are the same.
    pub fn new(group: &RuleGroup, get: impl Fn(&str) -> &'a Value) -> Self {
        View {
            values: group.slots.attributes.iter().map(|n| get(n)).collect(),
            imported: None,
        }
    }

    /// Looks up current values in `get` and import-confirmed ones in `imported`.
    pub fn with_imported(
        group: &RuleGroup,
        get: impl Fn(&str) -> &'a Value,
        imported: impl Fn(&str) -> &'a Value,
    ) -> Self {
        View {
            values: group.slots.attributes.iter().map(|n| get(n)).collect(),
            imported: Some(group.slots.attributes.iter().map(|n| imported(n)).collect()),
        }
    }
}

impl Attributes for View<'_> {
    fn get(&self, slot: u32) -> &Value {
        self.values
            .get(slot as usize)
            .copied()
            .unwrap_or(&Value::Null)
    }

    fn imported(&self, slot: u32) -> &Value {
        match &self.imported {
            Some(v) => v.get(slot as usize).copied().unwrap_or(&Value::Null),
            None => self.get(slot),
        }
    }

    fn by_slot(&self) -> Option<BySlot<'_>> {
        Some(BySlot::Refs(&self.values))
    }
}

/// An attribute map's value, null when absent.
pub fn lookup<'a>(attrs: &'a AttrMap, name: &str) -> &'a Value {
    attrs.get(name).unwrap_or(&Value::Null)
}

/// Group membership for `is-member-of`: the object's DN among a group's `member` values.
pub struct Membership<'a> {
    /// The object's DN.
    pub dn: &'a str,
    /// Finds a group's `member` values by the group's DN.
    pub members: &'a dyn Fn(&str) -> Option<&'a Value>,
}

impl ScopeContext for Membership<'_> {
    fn is_member_of(&self, group_dn: &str) -> bool {
        (self.members)(group_dn).is_some_and(|m| {
            m.values().iter().any(|v| match v {
                Value::Ref(d) | Value::Str(d) => dn::same(d, self.dn),
                _ => false,
            })
        })
    }
}

/// Whether `rule` is in scope.
pub fn in_scope(rule: &PlannedRule, view: &View<'_>, ctx: &dyn ScopeContext) -> bool {
    matches!(rule.scope(view, ctx), ClauseOutcome::In(_))
}

/// Evaluates one flow.
pub fn flow_value(
    vm: &mut Vm,
    flow: &PlannedFlow,
    view: &View<'_>,
    parameters: &[Value],
    ctx: CallCtx,
) -> Result<Value, EvalError> {
    match &flow.value {
        FlowValue::Constant(v) => Ok(v.clone()),
        FlowValue::Direct(slot) => Ok(view.get(*slot).clone()),
        FlowValue::Expression(p) => vm.run(
            p,
            &Env {
                attributes: view,
                parameters,
                ctx,
            },
        ),
    }
}

/// A value with `map` applied to a single reference, or to every item of a multi-value that
/// holds references (an item `map` gives `None` for is left out; a single reference becomes
/// null); any other value as it is.
pub(crate) fn map_refs(v: Value, mut map: impl FnMut(&Value) -> Option<Value>) -> Value {
    match &v {
        Value::Ref(_) => map(&v).unwrap_or(Value::Null),
        Value::Multi(items) if items.iter().any(|i| matches!(i, Value::Ref(_))) => {
            Value::multi(items.iter().filter_map(map).collect())
        }
        _ => v,
    }
}
