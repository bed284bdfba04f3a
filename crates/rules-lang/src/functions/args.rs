//! Reading a builtin's arguments at run time.
//!
//! The checker rejects ill-typed calls whose types it knows; attributes no schema describes
//! are `var` and arrive here with whatever type the object holds. These readers accept the
//! values a careful reading of the reference allows (a number where a string is wanted reads
//! as its decimal text, a numeric string where a number is wanted reads as that number) and
//! return [`FnError::Type`] otherwise. Each returns `None` for a null argument, so every
//! function decides its own null rule.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use super::FnError;
use crate::value::Value;

/// Argument `i`, or null when the call has fewer arguments.
pub fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&Value::Null)
}

fn type_error(function: &'static str, i: usize, expected: &'static str, v: &Value) -> FnError {
    FnError::Type {
        function,
        index: i + 1,
        expected,
        found: v.kind(),
    }
}

/// A [`FnError::Value`] for `function`.
pub fn value_error(function: &'static str, message: impl Into<String>) -> FnError {
    FnError::Value {
        function,
        message: message.into(),
    }
}

/// A single value from a multi-valued value holding exactly one.
fn single(v: &Value) -> &Value {
    match v {
        Value::Multi(items) if items.len() == 1 => items.first().unwrap_or(&Value::Null),
        other => other,
    }
}

/// Argument `i` as a string. References read as their DN, numbers and Booleans as text.
pub fn str_arg<'a>(
    function: &'static str,
    args: &'a [Value],
    i: usize,
) -> Result<Option<Cow<'a, str>>, FnError> {
    match single(arg(args, i)) {
        Value::Null => Ok(None),
        Value::Str(s) | Value::Ref(s) => Ok(Some(Cow::Borrowed(s))),
        v @ (Value::Num(_) | Value::Bool(_)) => Ok(Some(Cow::Owned(v.to_string()))),
        v => Err(type_error(function, i, "a string", v)),
    }
}

/// Argument `i` as a number. A string holding a decimal integer reads as that number.
pub fn num_arg(function: &'static str, args: &[Value], i: usize) -> Result<Option<i64>, FnError> {
    match single(arg(args, i)) {
        Value::Null => Ok(None),
        Value::Num(n) => Ok(Some(*n)),
        Value::Str(s) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| value_error(function, format!("`{s}` is not a number"))),
        v => Err(type_error(function, i, "a number", v)),
    }
}

/// Argument `i` as a Boolean condition (see [`Value::truthiness`]).
pub fn bool_arg(function: &'static str, args: &[Value], i: usize) -> Result<Option<bool>, FnError> {
    match single(arg(args, i)) {
        Value::Null => Ok(None),
        v => v
            .truthiness()
            .map(Some)
            .ok_or_else(|| type_error(function, i, "a Boolean", v)),
    }
}

/// Argument `i` as binary data.
pub fn bin_arg<'a>(
    function: &'static str,
    args: &'a [Value],
    i: usize,
) -> Result<Option<&'a [u8]>, FnError> {
    match single(arg(args, i)) {
        Value::Null => Ok(None),
        Value::Bin(b) => Ok(Some(b)),
        v => Err(type_error(function, i, "binary", v)),
    }
}

/// Argument `i` as a reference (a DN). A string reads as a DN.
pub fn ref_arg<'a>(
    function: &'static str,
    args: &'a [Value],
    i: usize,
) -> Result<Option<&'a str>, FnError> {
    match single(arg(args, i)) {
        Value::Null => Ok(None),
        Value::Ref(s) | Value::Str(s) => Ok(Some(s)),
        v => Err(type_error(function, i, "a reference", v)),
    }
}

/// Argument `i` as a date and time.
pub fn dt_arg(
    function: &'static str,
    args: &[Value],
    i: usize,
) -> Result<Option<DateTime<Utc>>, FnError> {
    match single(arg(args, i)) {
        Value::Null => Ok(None),
        Value::DateTime(dt) => Ok(Some(*dt)),
        v => Err(type_error(function, i, "a date", v)),
    }
}

/// Argument `i` as one of `allowed` (compared without regard to case); returns the
/// canonical spelling from `allowed`.
pub fn enum_arg(
    function: &'static str,
    args: &[Value],
    i: usize,
    allowed: &'static [&'static str],
) -> Result<Option<&'static str>, FnError> {
    match single(arg(args, i)) {
        Value::Null => Ok(None),
        Value::Str(s) => allowed
            .iter()
            .find(|a| a.eq_ignore_ascii_case(s))
            .copied()
            .map(Some)
            .ok_or_else(|| {
                value_error(
                    function,
                    format!("`{s}` is not one of {}", allowed.join(", ")),
                )
            }),
        v => Err(type_error(function, i, "an option name", v)),
    }
}
