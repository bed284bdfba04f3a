//! Reading a builtin's arguments at run time.
//!
//! The checker rejects ill-typed calls whose types it knows; attributes no schema describes
//! are `var` and arrive here with whatever type the object holds. These readers accept the
//! values a careful reading of the reference allows (a number where a string is wanted reads
//! as its decimal text, a numeric string where a number is wanted reads as that number, a
//! string where a date is wanted reads as `CDate` reads it) and return [`FnError::Type`]
//! otherwise. Each returns `None` for a null argument, so every function decides its own null
//! rule; [`with_str`], [`map_str`] and [`with_bin`] serve the functions whose rule is the
//! general one (a null argument gives null).

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use super::FnError;
use super::conversion::parse_date;
use crate::value::Value;

#[cfg(test)]
pub(super) mod testing;

/// Argument `i`, or null when the call has fewer arguments.
pub fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&Value::Null)
}

/// Argument `i`, with a multi-valued value holding exactly one value read as that value.
pub(crate) fn scalar(args: &[Value], i: usize) -> &Value {
    match arg(args, i) {
        Value::Multi(items) if items.len() == 1 => items.first().unwrap_or(&Value::Null),
        other => other,
    }
}

/// A [`FnError::Type`] for argument `i` (0-based) of `function`, which was `v`.
pub(crate) fn type_error(
    function: &'static str,
    i: usize,
    expected: &'static str,
    v: &Value,
) -> FnError {
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

/// The [`FnError::Value`] for a `text` that does not read as `what` (`` `x` is not a date ``).
pub(crate) fn not_a(function: &'static str, text: &str, what: &str) -> FnError {
    value_error(function, format!("`{text}` is not {what}"))
}

/// Argument `i` as a string. References read as their DN, numbers and Booleans as text.
pub fn str_arg<'a>(
    function: &'static str,
    args: &'a [Value],
    i: usize,
) -> Result<Option<Cow<'a, str>>, FnError> {
    match scalar(args, i) {
        Value::Null => Ok(None),
        Value::Str(s) | Value::Ref(s) => Ok(Some(Cow::Borrowed(s))),
        v @ (Value::Num(_) | Value::Bool(_)) => Ok(Some(Cow::Owned(v.to_string()))),
        v => Err(type_error(function, i, "a string", v)),
    }
}

/// Argument `i` as a number. A string holding a decimal integer reads as that number.
pub fn num_arg(function: &'static str, args: &[Value], i: usize) -> Result<Option<i64>, FnError> {
    match scalar(args, i) {
        Value::Null => Ok(None),
        Value::Num(n) => Ok(Some(*n)),
        Value::Str(s) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| not_a(function, s, "a number")),
        v => Err(type_error(function, i, "a number", v)),
    }
}

/// Argument `i` as a Boolean condition (see [`Value::truthiness`]).
pub fn bool_arg(function: &'static str, args: &[Value], i: usize) -> Result<Option<bool>, FnError> {
    match scalar(args, i) {
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
    match scalar(args, i) {
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
    match scalar(args, i) {
        Value::Null => Ok(None),
        Value::Ref(s) | Value::Str(s) => Ok(Some(s)),
        v => Err(type_error(function, i, "a reference", v)),
    }
}

/// Argument `i` as a date and time. A string reads as `CDate` reads it; one that is not a
/// date is an error.
pub fn dt_arg(
    function: &'static str,
    args: &[Value],
    i: usize,
) -> Result<Option<DateTime<Utc>>, FnError> {
    match scalar(args, i) {
        Value::Null => Ok(None),
        Value::DateTime(dt) => Ok(Some(*dt)),
        Value::Str(s) => parse_date(s)
            .map(Some)
            .ok_or_else(|| not_a(function, s, "a date")),
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
    match scalar(args, i) {
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

/// The one character `s` holds, or `None` when it holds none or several.
pub(crate) fn single_char(s: &str) -> Option<char> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// Argument `i` as exactly one character (`padCharacter`, `Split`'s delimiter); null, empty
/// or longer is an error naming the parameter `what`.
pub(crate) fn char_arg(
    function: &'static str,
    args: &[Value],
    i: usize,
    what: &str,
) -> Result<char, FnError> {
    let Some(s) = str_arg(function, args, i)? else {
        return Err(value_error(function, format!("{what} cannot be null")));
    };
    single_char(&s).ok_or_else(|| {
        value_error(
            function,
            format!("{what} must be a single character, found `{s}`"),
        )
    })
}

/// `f` of argument 0 read as a string ([`str_arg`]); a null argument gives null.
pub(crate) fn with_str(
    function: &'static str,
    args: &[Value],
    f: impl FnOnce(&str) -> Result<Value, FnError>,
) -> Result<Value, FnError> {
    match str_arg(function, args, 0)? {
        Some(s) => f(&s),
        None => Ok(Value::Null),
    }
}

/// The string `f` makes of argument 0 read as a string ([`str_arg`]); a null argument gives
/// null.
pub(crate) fn map_str(
    function: &'static str,
    args: &[Value],
    f: impl FnOnce(&str) -> String,
) -> Result<Value, FnError> {
    with_str(function, args, |s| Ok(Value::from(f(s))))
}

/// A part of argument 0's string chosen by `f` (a trim, a prefix); null gives null. When
/// `f` keeps the whole string, the argument itself is returned, so nothing is copied.
pub(crate) fn slice_str(
    function: &'static str,
    args: &[Value],
    f: impl FnOnce(&str) -> &str,
) -> Result<Value, FnError> {
    if let Some(whole @ Value::Str(s)) = args.first() {
        let part = f(s);
        return Ok(if part.len() == s.len() {
            whole.clone()
        } else {
            Value::str(part)
        });
    }
    with_str(function, args, |s| Ok(Value::str(f(s))))
}

/// `f` of argument 0 read as binary data ([`bin_arg`]); a null argument gives null.
pub(crate) fn with_bin(
    function: &'static str,
    args: &[Value],
    f: impl FnOnce(&[u8]) -> Result<Value, FnError>,
) -> Result<Value, FnError> {
    match bin_arg(function, args, 0)? {
        Some(b) => f(b),
        None => Ok(Value::Null),
    }
}

/// A count or 0-based index as a number of the language (saturating).
pub(crate) fn to_num(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A number known to be positive as a count (saturating; a negative number is
/// `usize::MAX`, so callers rule negatives out first).
pub(crate) fn to_usize(n: i64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The `n`-th (1-based) of `items`, or `None` when `n` is outside 1 to `items.len()`.
pub(crate) fn nth<T>(items: &[T], n: i64) -> Option<&T> {
    usize::try_from(n)
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| items.get(i))
}
