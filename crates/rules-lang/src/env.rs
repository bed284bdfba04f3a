//! What an evaluation reads: the object's attributes, the connector's parameters, the clock.

use crate::name::AttrMap;
use indexmap::IndexMap;

use crate::error::{EvalError, EvalErrorKind};
use crate::functions::CallCtx;
use crate::ir::{EachValue, Slots, Spread};
use crate::value::Value;

/// An object's attributes by slot (see [`Slots`]).
pub trait Attributes {
    /// The current value of the attribute in `slot`; [`Value::Null`] when absent.
    fn get(&self, slot: u32) -> &Value;

    /// The value last confirmed by an import (`ImportedValue`). An object that does not
    /// track exports has only imported values.
    fn imported(&self, slot: u32) -> &Value {
        self.get(slot)
    }

    /// The current values in slot order, when the object holds them so: the VM then reads
    /// them without a call per read. `None` (the default) to be read through
    /// [`Attributes::get`].
    fn by_slot(&self) -> Option<BySlot<'_>> {
        None
    }
}

/// An object's current values laid out by slot (see [`Attributes::by_slot`]).
#[derive(Clone, Copy, Debug)]
pub enum BySlot<'a> {
    /// The values themselves.
    Values(&'a [Value]),
    /// References to them.
    Refs(&'a [&'a Value]),
}

impl<'a> BySlot<'a> {
    /// The value in `slot`; null when there is none.
    #[inline]
    pub fn get(self, slot: u32) -> &'a Value {
        match self {
            BySlot::Values(v) => v.get(slot as usize).unwrap_or(&Value::Null),
            BySlot::Refs(r) => r.get(slot as usize).copied().unwrap_or(&Value::Null),
        }
    }
}

/// Attribute values laid out by slot: the simplest [`Attributes`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    values: Vec<Value>,
}

impl Record {
    /// Values in slot order.
    pub fn new(values: Vec<Value>) -> Self {
        Record { values }
    }

    /// Lays out named values by the slots of `slots`; names the slots do not hold are
    /// ignored, slots with no value are null.
    pub fn from_named(slots: &Slots, named: &AttrMap) -> Self {
        let values = slots
            .attributes
            .iter()
            .map(|name| named.get(name.as_str()).cloned().unwrap_or(Value::Null))
            .collect();
        Record { values }
    }
}

impl Attributes for Record {
    fn get(&self, slot: u32) -> &Value {
        self.values.get(slot as usize).unwrap_or(&Value::Null)
    }

    fn by_slot(&self) -> Option<BySlot<'_>> {
        Some(BySlot::Values(&self.values))
    }
}

/// An object seen with one attribute replaced by one of its values: how an expression
/// that runs once per value reads that attribute.
pub struct OneValue<'a> {
    /// The object.
    pub base: &'a dyn Attributes,
    /// The attribute's slot.
    pub slot: u32,
    /// The value replaced is the import-confirmed one (`ImportedValue`), not the current
    /// one; the other is read as it is.
    pub imported: bool,
    /// The value it holds for this run.
    pub value: &'a Value,
}

impl Attributes for OneValue<'_> {
    fn get(&self, slot: u32) -> &Value {
        if slot == self.slot && !self.imported {
            self.value
        } else {
            self.base.get(slot)
        }
    }

    fn imported(&self, slot: u32) -> &Value {
        if slot == self.slot && self.imported {
            self.value
        } else {
            self.base.imported(slot)
        }
    }
}

/// The list of values `spread` reads.
#[inline]
fn held<'a>(attributes: &'a dyn Attributes, spread: &Spread) -> &'a Value {
    if spread.imported {
        attributes.imported(spread.slot)
    } else {
        attributes.get(spread.slot)
    }
}

/// Whether [`per_value`] would run more than once as written: the schema names an
/// attribute, or an untyped one holds several values. A caller may run the expression
/// directly when it does not.
#[inline]
pub fn spreads(env: &Env<'_>, each: &EachValue) -> bool {
    each.typed.is_some()
        || each
            .untyped
            .iter()
            .any(|s| matches!(held(env.attributes, s), Value::Multi(_)))
}

/// Runs `run` once per value of the attribute `each` spreads (once with null when a
/// typed attribute has no value) and collects the results as [`crate::ops::accumulate`]
/// does. An attribute of unknown type spreads only when it holds several values; when
/// none does and the schema named none, `run` runs once, as written. A second attribute
/// to spread is an error ([`EvalErrorKind::SeveralMultiValued`], at its read).
pub fn per_value(
    env: &Env<'_>,
    each: &EachValue,
    mut run: impl FnMut(&Env<'_>) -> Result<Value, EvalError>,
) -> Result<Value, EvalError> {
    let held = |s: &Spread| held(env.attributes, s);
    let mut several = each
        .untyped
        .iter()
        .filter(|s| matches!(held(s), Value::Multi(_)));
    let (spread, other) = match &each.typed {
        Some(typed) => (typed, several.next()),
        None => match several.next() {
            None => return run(env),
            Some(first) => (first, several.next()),
        },
    };
    if let Some(other) = other {
        return Err(EvalError {
            span: other.span,
            kind: EvalErrorKind::SeveralMultiValued {
                first: spread.shown(),
                second: other.shown(),
            },
        });
    }
    let (slot, imported) = (spread.slot, spread.imported);
    // A clone of the list's handle: the overlay borrows each value while `run` runs.
    let held = held(spread).clone();
    let values = held.values();
    if values.is_empty() {
        let overlay = OneValue {
            base: env.attributes,
            slot,
            imported,
            value: &Value::Null,
        };
        return run(&Env {
            attributes: &overlay,
            ..*env
        });
    }
    let mut acc = Vec::with_capacity(values.len());
    for value in values {
        let overlay = OneValue {
            base: env.attributes,
            slot,
            imported,
            value,
        };
        crate::ops::accumulate(
            &mut acc,
            run(&Env {
                attributes: &overlay,
                ..*env
            })?,
        );
    }
    Ok(Value::multi(acc))
}

/// Parameter values laid out by the slots of `slots`.
pub fn parameters(slots: &Slots, named: &IndexMap<String, String>) -> Vec<Value> {
    slots
        .parameters
        .iter()
        .map(|name| named.get(name).map_or(Value::Null, Value::str))
        .collect()
}

/// Everything one evaluation reads.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    /// The object.
    pub attributes: &'a dyn Attributes,
    /// Parameter values by slot.
    pub parameters: &'a [Value],
    /// The clock and other call context.
    pub ctx: CallCtx,
}

impl<'a> Env<'a> {
    /// An environment for one object, with the clock read now.
    pub fn new(attributes: &'a dyn Attributes, parameters: &'a [Value]) -> Self {
        Env {
            attributes,
            parameters,
            ctx: CallCtx::default(),
        }
    }

    /// The parameter in `slot`.
    pub fn parameter(&self, slot: u32) -> &Value {
        self.parameters.get(slot as usize).unwrap_or(&Value::Null)
    }
}
