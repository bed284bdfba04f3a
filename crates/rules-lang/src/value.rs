//! Runtime values of the expression language.
//!
//! Values are cheap to clone: strings, binaries and multi-valued lists are reference counted,
//! so loading an attribute into the VM never copies its contents.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};

/// The most bytes one string or binary may hold, and the most a multi-valued value's
/// strings and binaries may hold together, when an expression builds it (`&`, `PadLeft`,
/// `Replace`, `Select`, ...): well past any directory attribute, far short of exhausting
/// memory. Attribute values the engine loads are not limited.
pub const MAX_VALUE_BYTES: usize = 16 << 20;

/// The most values a multi-valued value built by an expression may hold.
pub const MAX_VALUES: usize = 1 << 20;

/// Checks the size of a value an expression is about to build: `count` values holding
/// `bytes` bytes of text and binary data. Callers estimate both before allocating.
pub fn check_size(count: usize, bytes: usize) -> Result<(), SizeError> {
    if count > MAX_VALUES {
        return Err(SizeError::TooMany { count });
    }
    if bytes > MAX_VALUE_BYTES {
        return Err(SizeError::TooLong { bytes });
    }
    Ok(())
}

/// Why an expression may not build a value: it would pass [`MAX_VALUES`] or
/// [`MAX_VALUE_BYTES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    /// More values than [`MAX_VALUES`].
    #[error("the result would hold {count} values; the limit is {}", MAX_VALUES)]
    TooMany {
        /// How many values the result would hold.
        count: usize,
    },
    /// More bytes than [`MAX_VALUE_BYTES`].
    #[error(
        "the result would be {bytes} bytes long; the limit is {}",
        MAX_VALUE_BYTES
    )]
    TooLong {
        /// How many bytes of text and binary data the result would hold.
        bytes: usize,
    },
}

/// A value produced or consumed by an expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// No value: an absent attribute or `NULL`.
    Null,
    /// A string.
    Str(Arc<str>),
    /// A 64-bit signed integer (the language's only numeric type).
    Num(i64),
    /// A Boolean.
    Bool(bool),
    /// Binary data (objectGUID, objectSid, certificates, ...).
    Bin(Arc<[u8]>),
    /// A reference to another object, held as its distinguished name.
    Ref(Arc<str>),
    /// A UTC date and time.
    DateTime(DateTime<Utc>),
    /// The values of a multi-valued attribute, or of a function that returns several values.
    Multi(Arc<[Value]>),
    /// `IgnoreThisFlow`: the flow contributes nothing and the target value is kept.
    Ignore,
    /// `AuthoritativeNull`: the target value is removed and lower-precedence rules may not
    /// contribute.
    AuthoritativeNull,
}

impl Value {
    /// A string value.
    pub fn str(s: impl AsRef<str>) -> Self {
        Value::Str(Arc::from(s.as_ref()))
    }

    /// A reference value (a DN).
    pub fn reference(dn: impl AsRef<str>) -> Self {
        Value::Ref(Arc::from(dn.as_ref()))
    }

    /// A binary value.
    pub fn bin(bytes: impl AsRef<[u8]>) -> Self {
        Value::Bin(Arc::from(bytes.as_ref()))
    }

    /// A multi-valued value. An empty list is [`Value::Null`], as an attribute without
    /// values is absent.
    pub fn multi(values: Vec<Value>) -> Self {
        if values.is_empty() {
            Value::Null
        } else {
            Value::Multi(Arc::from(values))
        }
    }

    /// The bytes of text and binary data this value holds; for a multi-valued value, of all
    /// its values together.
    pub fn data_len(&self) -> usize {
        match self {
            Value::Str(s) | Value::Ref(s) => s.len(),
            Value::Bin(b) => b.len(),
            Value::Multi(items) => items
                .iter()
                .map(Value::data_len)
                .fold(0, usize::saturating_add),
            _ => 0,
        }
    }

    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The name of this value's kind, as used in diagnostics and in `syncrules eval` output.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Str(_) => "string",
            Value::Num(_) => "number",
            Value::Bool(_) => "boolean",
            Value::Bin(_) => "binary",
            Value::Ref(_) => "reference",
            Value::DateTime(_) => "datetime",
            Value::Multi(_) => "multi",
            Value::Ignore => "ignore",
            Value::AuthoritativeNull => "authoritative_null",
        }
    }

    /// The values of this value seen as a list: a multi-valued value's items, a single value
    /// alone, nothing for null.
    pub fn values(&self) -> &[Value] {
        match self {
            Value::Multi(items) => items,
            Value::Null => &[],
            other => std::slice::from_ref(other),
        }
    }

    /// How a condition (`IIF`, `&&`, `||`, `Switch`, `Where`) reads this value: a Boolean as
    /// itself, a number as non-zero, a string `"True"`/`"False"` (any case) as that Boolean,
    /// null as false. `None` for values that are not conditions.
    pub fn truthiness(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Num(n) => Some(*n != 0),
            Value::Null => Some(false),
            Value::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            Value::Multi(items) if items.len() == 1 => items.first().and_then(Value::truthiness),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    /// The text form used by `&` and `CStr`: strings as is, numbers in decimal, Booleans as
    /// `True`/`False`, binaries in base64, references as their DN, dates in RFC 3339, the
    /// values of a multi-valued value separated by `;`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null | Value::Ignore | Value::AuthoritativeNull => Ok(()),
            Value::Str(s) | Value::Ref(s) => f.write_str(s),
            Value::Num(n) => write!(f, "{n}"),
            Value::Bool(true) => f.write_str("True"),
            Value::Bool(false) => f.write_str("False"),
            Value::Bin(b) => {
                use base64::Engine as _;
                f.write_str(&base64::engine::general_purpose::STANDARD.encode(b))
            }
            Value::DateTime(dt) => {
                f.write_str(&dt.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
            }
            Value::Multi(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(";")?;
                    }
                    write!(f, "{item}")?;
                }
                Ok(())
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(Arc::from(s))
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Num(n)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
