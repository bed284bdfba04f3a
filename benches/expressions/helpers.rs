//! The language's builtins as a Rust programmer would write them for the benchmark's inputs
//! (the hand-written closures and the CEL and Rhai host functions share them), and every
//! implementation's result in one comparable form.

#![expect(clippy::panic, reason = "benchmark setup fails loudly")]

use syncrules_lang::Value;

// builtins, written as a Rust programmer would for these inputs.

/// `IsPresent`: a value that is not null and not an empty string (any value, for a list).
pub(crate) fn is_present(v: &Value) -> bool {
    match v {
        Value::Null | Value::Ignore | Value::AuthoritativeNull => false,
        Value::Str(s) | Value::Ref(s) => !s.is_empty(),
        Value::Bin(b) => !b.is_empty(),
        Value::Multi(items) => items.iter().any(is_present),
        Value::Num(_) | Value::Bool(_) | Value::DateTime(_) => true,
    }
}

/// A string (or DN) value's text.
pub(crate) fn text(v: &Value) -> Option<&str> {
    match v {
        Value::Str(s) | Value::Ref(s) => Some(s),
        _ => None,
    }
}

/// `Left`: the first `n` characters.
pub(crate) fn left(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((end, _)) => s.get(..end).unwrap_or(s),
        None => s,
    }
}

/// The byte offset of the first `sep` in `s` not escaped by a backslash.
pub(crate) fn unescaped(s: &str, sep: char) -> Option<usize> {
    let mut escaped = false;
    s.char_indices().find_map(|(i, c)| {
        if escaped {
            escaped = false;
            None
        } else if c == '\\' {
            escaped = true;
            None
        } else {
            (c == sep).then_some(i)
        }
    })
}

/// `DNComponent(dn, n)`: the value of the `n`-th (1-based) non-empty RDN, escapes kept.
pub(crate) fn dn_component(dn: &str, n: usize) -> Option<&str> {
    let mut rest = dn;
    let mut rdns = std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (rdn, tail) = match unescaped(rest, ',') {
            Some(i) => (rest.get(..i)?, rest.get(i + 1..)?),
            None => (rest, ""),
        };
        rest = tail;
        Some(rdn.trim())
    })
    .filter(|r| !r.is_empty());
    let rdn = rdns.nth(n.checked_sub(1)?)?;
    Some(match unescaped(rdn, '=') {
        Some(eq) => rdn.get(eq + 1..)?.trim(),
        None => rdn,
    })
}

/// A number attribute (AD integers arrive as numbers; a numeric string reads as one).
pub(crate) fn number(v: &Value) -> Option<i64> {
    match v {
        Value::Num(n) => Some(*n),
        Value::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A result in a form every implementation's result converts to.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Out {
    Null,
    Bool(bool),
    Num(i64),
    Str(String),
    /// The evaluation failed (`Error(...)` or a type error); messages are not compared.
    Failed,
}

pub(crate) fn from_value(v: &Value) -> Out {
    match v {
        Value::Null => Out::Null,
        Value::Bool(b) => Out::Bool(*b),
        Value::Num(n) => Out::Num(*n),
        Value::Str(s) => Out::Str(s.to_string()),
        other => panic!("unexpected result kind {}", other.kind()),
    }
}

pub(crate) fn from_lang<E>(r: &Result<Value, E>) -> Out {
    r.as_ref().map_or(Out::Failed, from_value)
}
