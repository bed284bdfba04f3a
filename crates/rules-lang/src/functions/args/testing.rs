//! Helpers for the groups' unit tests: calling a builtin by name and writing values briefly.

use chrono::{TimeZone as _, Utc};

use super::super::{CallCtx, FnError, call, lookup};
use crate::value::Value;

/// The context the tests run in: `Now()` is 2024-01-01T00:00:00Z.
pub(crate) fn ctx() -> CallCtx {
    CallCtx {
        now: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
    }
}

/// Calls the builtin `name` as the VM does (mapping a multi-valued first argument).
pub(crate) fn run(name: &str, args: &[Value]) -> Result<Value, FnError> {
    call(lookup(name).unwrap(), args, &ctx())
}

/// The value of a call that must succeed.
pub(crate) fn ok(name: &str, args: &[Value]) -> Value {
    run(name, args).unwrap()
}

/// The message of a call that must fail.
pub(crate) fn err(name: &str, args: &[Value]) -> String {
    run(name, args).unwrap_err().to_string()
}

/// The message of a [`FnError::Value`]; any other outcome fails the test.
pub(crate) fn value_err(r: Result<Value, FnError>) -> String {
    match r {
        Err(e @ FnError::Value { .. }) => e.to_string(),
        other => panic!("expected a value error, got {other:?}"),
    }
}

/// The Boolean a predicate returns; any other value fails the test.
pub(crate) fn yes(name: &str, v: Value) -> bool {
    match ok(name, &[v]) {
        Value::Bool(b) => b,
        other => panic!("{name} gave {other:?}"),
    }
}

/// A string.
pub(crate) fn s(x: &str) -> Value {
    Value::str(x)
}

/// A number.
pub(crate) fn n(x: i64) -> Value {
    Value::Num(x)
}

/// A reference.
pub(crate) fn r(dn: &str) -> Value {
    Value::reference(dn)
}

/// A multi-valued string.
pub(crate) fn mv(items: &[&str]) -> Value {
    Value::multi(items.iter().map(Value::str).collect())
}

/// A multi-valued value.
pub(crate) fn multi(items: &[Value]) -> Value {
    Value::multi(items.to_vec())
}

/// A UTC date and time.
pub(crate) fn dt(y: i32, mo: u32, d: u32, h: u32, mi: u32, se: u32) -> Value {
    Value::DateTime(Utc.with_ymd_and_hms(y, mo, d, h, mi, se).unwrap())
}
