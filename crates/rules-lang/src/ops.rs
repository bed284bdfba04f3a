//! Run-time semantics of the operators, shared by the VM and the reference evaluator.
//!
//! Readings (VBA, which the language follows, where the reference is silent):
//! - `&` reads null as `""` (`"a" & NULL` is `"a"`) but `NULL & NULL` is null; it joins two
//!   binaries into one binary; with one multi-valued side it joins value by value; two
//!   multi-valued sides are an error.
//! - Arithmetic on null is null; overflow and division by zero are errors; `/` divides
//!   integers, truncating toward zero.
//! - A comparison with a null side is null, which conditions read as false. Strings
//!   compare ordinally (case-sensitive); references (DNs) without regard to ASCII case; a
//!   string compared with a number is read as a number when it is one. With a
//!   multi-valued side, `=` and the orderings hold when any value satisfies them, and `<>`
//!   when no value is equal.

use std::cmp::Ordering;

use crate::ir::BinOp;
use crate::value::Value;

pub mod distinct;
mod multi;

/// Why an operator failed at run time.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OpError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, OpError> {
    Err(OpError(msg.into()))
}

/// Applies a binary operator.
pub fn binary(op: BinOp, a: &Value, b: &Value) -> Result<Value, OpError> {
    match op {
        BinOp::Concat => concat(a, b),
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => arith(op, a, b),
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => compare(op, a, b),
    }
}

/// Negates a number.
pub fn neg(a: &Value) -> Result<Value, OpError> {
    match number(a, "-")? {
        None => Ok(Value::Null),
        Some(n) => n
            .checked_neg()
            .map(Value::Num)
            .ok_or_else(|| OpError("number overflow in `-`".to_owned())),
    }
}

/// How a condition reads a value (see [`Value::truthiness`]).
pub fn truth(v: &Value) -> Result<bool, OpError> {
    v.truthiness().map_or_else(
        || {
            err(format!(
                "expected a condition (a Boolean or a number), found {}",
                v.kind()
            ))
        },
        Ok,
    )
}

/// The most items one evaluation may iterate over in `Select` and `Where`, nested loops
/// counting every inner item: each loop is bounded, but nesting multiplies them.
pub const MAX_ITERATIONS: u64 = 1 << 20;

/// Counts one item of a `Select`/`Where` loop against [`MAX_ITERATIONS`].
pub fn iterate(count: &mut u64) -> Result<(), OpError> {
    *count += 1;
    if *count > MAX_ITERATIONS {
        return err(format!(
            "`Select`/`Where` iterated more than {MAX_ITERATIONS} times in one evaluation"
        ));
    }
    Ok(())
}

/// Adds one result of `Select`/`Where` to the list being built: null adds nothing, a
/// multi-valued result adds each of its values.
pub fn accumulate(acc: &mut Vec<Value>, v: Value) {
    match v {
        Value::Null => {}
        Value::Multi(items) => acc.extend(items.iter().cloned()),
        v => acc.push(v),
    }
}

/// [`accumulate`] for `Select`/`Where`, failing when the list would outgrow
/// [`crate::value::MAX_VALUES`] values or [`crate::value::MAX_VALUE_BYTES`] bytes; `bytes`
/// is the running total of the list's data.
pub fn accumulate_bounded(
    acc: &mut Vec<Value>,
    bytes: &mut usize,
    v: Value,
) -> Result<(), OpError> {
    *bytes = bytes.saturating_add(v.data_len());
    crate::value::check_size(acc.len().saturating_add(v.values().len()), *bytes)
        .map_err(|why| OpError(format!("`Select`/`Where`: {why}")))?;
    accumulate(acc, v);
    Ok(())
}

fn flow_control(v: &Value) -> bool {
    matches!(v, Value::Ignore | Value::AuthoritativeNull)
}

fn concat(a: &Value, b: &Value) -> Result<Value, OpError> {
    if flow_control(a) || flow_control(b) {
        return err("`&` cannot join IgnoreThisFlow or AuthoritativeNull");
    }
    // Each side is repeated once per value of the other; numbers, dates and Booleans print
    // in a few dozen bytes, counted as 32.
    let (na, nb) = (a.values().len().max(1), b.values().len().max(1));
    let printed = |v: &Value| {
        v.data_len()
            .saturating_add(32_usize.saturating_mul(v.values().len()))
    };
    let count = if matches!((a, b), (Value::Multi(_), Value::Multi(_))) {
        na.saturating_mul(nb)
    } else {
        na.max(nb)
    };
    let bytes = printed(a)
        .saturating_mul(nb)
        .saturating_add(printed(b).saturating_mul(na));
    crate::value::check_size(count, bytes).map_err(|why| OpError(format!("`&`: {why}")))?;
    concat_unchecked(a, b)
}

fn concat_unchecked(a: &Value, b: &Value) -> Result<Value, OpError> {
    match (a, b) {
        (Value::Null, Value::Null) => Ok(Value::Null),
        (Value::Multi(_), Value::Multi(_)) => err(
            "`&` cannot join two multi-valued values: join one into a string with `Join(...)` first",
        ),
        (Value::Multi(items), other) => items
            .iter()
            .map(|i| concat_unchecked(i, other))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::multi),
        (other, Value::Multi(items)) => items
            .iter()
            .map(|i| concat_unchecked(other, i))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::multi),
        (Value::Bin(x), Value::Bin(y)) => {
            let mut out = Vec::with_capacity(x.len() + y.len());
            out.extend_from_slice(x);
            out.extend_from_slice(y);
            Ok(Value::bin(out))
        }
        (Value::Bin(x), Value::Null) | (Value::Null, Value::Bin(x)) => Ok(Value::Bin(x.clone())),
        (Value::Bin(_), other) | (other, Value::Bin(_)) => {
            err(format!("`&` cannot join binary with {}", other.kind()))
        }
        (Value::Str(x), Value::Null) | (Value::Null, Value::Str(x)) => Ok(Value::Str(x.clone())),
        (Value::Str(x) | Value::Ref(x), Value::Str(y) | Value::Ref(y)) => {
            let mut s = String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            Ok(Value::from(s))
        }
        _ => {
            let mut s = a.to_string();
            s.push_str(&b.to_string());
            Ok(Value::from(s))
        }
    }
}

fn number(v: &Value, op: &str) -> Result<Option<i64>, OpError> {
    match v {
        Value::Null => Ok(None),
        Value::Num(n) => Ok(Some(*n)),
        Value::Str(s) => match s.trim().parse::<i64>() {
            Ok(n) => Ok(Some(n)),
            Err(_) => err(format!("`{op}` needs numbers, found the string `{s}`")),
        },
        Value::Multi(items) if items.len() == 1 => {
            items.first().map_or(Ok(None), |i| number(i, op))
        }
        other => err(format!("`{op}` needs numbers, found {}", other.kind())),
    }
}

fn arith(op: BinOp, a: &Value, b: &Value) -> Result<Value, OpError> {
    let sym = op.symbol();
    let (Some(x), Some(y)) = (number(a, sym)?, number(b, sym)?) else {
        return Ok(Value::Null);
    };
    if matches!(op, BinOp::Div) && y == 0 {
        return err("division by zero");
    }
    arith_nums(op, x, y)
        .map(Value::Num)
        .ok_or_else(|| OpError(format!("number overflow in `{sym}`")))
}

/// `x op y` for an arithmetic operator; `None` on overflow or division by zero.
pub(crate) fn arith_nums(op: BinOp, x: i64, y: i64) -> Option<i64> {
    match op {
        BinOp::Add => x.checked_add(y),
        BinOp::Sub => x.checked_sub(y),
        BinOp::Mul => x.checked_mul(y),
        _ => x.checked_div(y),
    }
}

/// Whether two pieces of text are equal as [`order_text`] reads them: lengths first, so
/// texts of different lengths are told apart without comparing their bytes.
#[inline]
pub(crate) fn equal_text(x: &str, y: &str, fold: bool) -> bool {
    if fold {
        x.eq_ignore_ascii_case(y)
    } else {
        x == y
    }
}

/// How two pieces of text order: ordinally, or without regard to ASCII case when either
/// is a reference (`fold`).
pub(crate) fn order_text(x: &str, y: &str, fold: bool) -> Ordering {
    if fold {
        let (x, y) = (x.bytes(), y.bytes());
        x.map(|c| c.to_ascii_lowercase())
            .cmp(y.map(|c| c.to_ascii_lowercase()))
    } else {
        x.cmp(y)
    }
}

fn compare(op: BinOp, a: &Value, b: &Value) -> Result<Value, OpError> {
    if a.is_null() || b.is_null() {
        return Ok(Value::Null);
    }
    let multi = matches!(a, Value::Multi(_)) || matches!(b, Value::Multi(_));
    if !multi {
        return Ok(Value::Bool(compares(op, a, b)?));
    }
    let eq_op = matches!(op, BinOp::Ne);
    let probe = if eq_op { BinOp::Eq } else { op };
    let (xs, ys) = (a.values(), b.values());
    let any = if xs.len().saturating_mul(ys.len()) <= PAIRWISE {
        any_pair(probe, xs, ys)?
    } else {
        multi::any_pair(probe, xs, ys, &mut 0)?
    };
    Ok(Value::Bool(if eq_op { !any } else { any }))
}

/// The most pairs of values a comparison with a multi-valued side tries one by one;
/// beyond, it indexes the values ([`multi::any_pair`]), in time linear in their number.
const PAIRWISE: usize = 64;

/// Whether some pair of values of `xs` and `ys` satisfies `probe`, trying every pair: an
/// error when any pair cannot be compared.
fn any_pair(probe: BinOp, xs: &[Value], ys: &[Value]) -> Result<bool, OpError> {
    let mut any = false;
    for x in xs {
        for y in ys {
            if compares(probe, x, y)? {
                any = true;
            }
        }
    }
    Ok(any)
}

/// Whether `a op b` holds for two single values. Equality of two texts is decided by
/// [`equal_text`], which tells different lengths apart without comparing bytes.
fn compares(op: BinOp, a: &Value, b: &Value) -> Result<bool, OpError> {
    match (op, a, b) {
        (BinOp::Eq | BinOp::Ne, Value::Str(x) | Value::Ref(x), Value::Str(y) | Value::Ref(y)) => {
            let fold = matches!(a, Value::Ref(_)) || matches!(b, Value::Ref(_));
            Ok(equal_text(x, y, fold) == (op == BinOp::Eq))
        }
        _ => Ok(holds(op, order(a, b)?)),
    }
}

pub(crate) fn holds(op: BinOp, ord: Ordering) -> bool {
    match op {
        BinOp::Eq => ord == Ordering::Equal,
        BinOp::Ne => ord != Ordering::Equal,
        BinOp::Lt => ord == Ordering::Less,
        BinOp::Le => ord != Ordering::Greater,
        BinOp::Gt => ord == Ordering::Greater,
        _ => ord != Ordering::Less,
    }
}

fn order(a: &Value, b: &Value) -> Result<Ordering, OpError> {
    Ok(match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.cmp(y),
        (Value::Str(x), Value::Str(y)) => order_text(x, y, false),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::DateTime(x), Value::DateTime(y)) => x.cmp(y),
        (Value::Bin(x), Value::Bin(y)) => x.cmp(y),
        (Value::Ref(x) | Value::Str(x), Value::Ref(y) | Value::Str(y)) => order_text(x, y, true),
        (Value::Str(s), Value::Num(n)) => match s.trim().parse::<i64>() {
            Ok(x) => x.cmp(n),
            Err(_) => s.as_ref().cmp(n.to_string().as_str()),
        },
        (Value::Num(_), Value::Str(_)) => order(b, a)?.reverse(),
        (Value::Str(s), Value::Bool(v))
            if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
        {
            s.eq_ignore_ascii_case("true").cmp(v)
        }
        (Value::Bool(_), Value::Str(_)) => order(b, a)?.reverse(),
        _ => {
            return err(format!("cannot compare {} with {}", a.kind(), b.kind()));
        }
    })
}

#[cfg(test)]
mod tests;
