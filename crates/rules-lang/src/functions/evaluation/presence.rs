//! Presence: `IsNull`, `IsEmpty`, `IsPresent`, `IsNullOrEmpty`.

use crate::functions::{CallCtx, FnError, arg};
use crate::value::Value;

/// The Boolean `test` gives for argument 0.
fn predicate(args: &[Value], test: fn(&Value) -> bool) -> Value {
    Value::Bool(test(arg(args, 0)))
}

/// `IsNull`: null, `IgnoreThisFlow` or `AuthoritativeNull`.
pub(crate) fn is_null(v: &Value) -> bool {
    matches!(v, Value::Null | Value::Ignore | Value::AuthoritativeNull)
}

/// `IsPresent`: not null and not empty (a list: any of its values present).
pub(crate) fn is_present(v: &Value) -> bool {
    match v {
        Value::Null | Value::Ignore | Value::AuthoritativeNull => false,
        Value::Str(s) | Value::Ref(s) => !s.is_empty(),
        Value::Bin(b) => !b.is_empty(),
        Value::Multi(items) => items.iter().any(is_present),
        Value::Num(_) | Value::Bool(_) | Value::DateTime(_) => true,
    }
}

pub(super) fn is_empty(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(predicate(args, |v| !is_null(v) && !is_present(v)))
}

pub(super) fn is_null_fn(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(predicate(args, is_null))
}

pub(super) fn is_null_or_empty(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(predicate(args, |v| !is_present(v)))
}

pub(super) fn is_present_fn(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(predicate(args, is_present))
}

#[cfg(test)]
mod tests {
    use crate::functions::args::testing::{n, s, yes};
    use crate::value::Value;

    fn samples() -> Vec<Value> {
        vec![
            Value::Null,
            s(""),
            s(" "),
            s("x"),
            n(0),
            Value::Bool(false),
            Value::bin([]),
            Value::bin([0u8]),
            Value::reference("CN=x"),
            Value::multi(vec![s("")]),
            Value::multi(vec![s(""), s("a")]),
            Value::DateTime(chrono::Utc::now()),
        ]
    }

    #[test]
    fn null_empty_present_partition() {
        for v in samples() {
            let null = yes("IsNull", v.clone());
            let empty = yes("IsEmpty", v.clone());
            let present = yes("IsPresent", v.clone());
            assert_eq!(
                [null, empty, present].iter().filter(|b| **b).count(),
                1,
                "{v:?}"
            );
            assert_eq!(yes("IsNullOrEmpty", v.clone()), !present, "{v:?}");
        }
    }

    #[test]
    fn null_empty_present() {
        assert!(yes("IsNull", Value::Null));
        assert!(!yes("IsNull", s("")));
        assert!(yes("IsEmpty", s("")));
        assert!(!yes("IsEmpty", Value::Null));
        assert!(!yes("IsEmpty", s(" ")));
        assert!(!yes("IsPresent", Value::Null));
        assert!(!yes("IsPresent", s("")));
        assert!(yes("IsPresent", s(" ")));
        assert!(yes("IsPresent", n(0)));
        assert!(yes("IsPresent", Value::Bool(false)));
        assert!(yes("IsPresent", Value::bin([1u8])));
        assert!(!yes("IsPresent", Value::bin([])));
        assert!(yes("IsNullOrEmpty", Value::Null));
        assert!(yes("IsNullOrEmpty", s("")));
        assert!(!yes("IsNullOrEmpty", s("a")));
        let mv = Value::multi(vec![s("smtp:a@x.com"), s("SMTP:b@x.com")]);
        assert!(yes("IsPresent", mv.clone()));
        assert!(!yes("IsNullOrEmpty", mv));
        assert!(yes("IsPresent", Value::multi(vec![s(""), s("a")])));
        assert!(!yes("IsPresent", Value::multi(vec![s(""), s("")])));
        assert!(yes("IsEmpty", Value::multi(vec![s(""), s("")])));
        assert!(yes("IsNull", Value::AuthoritativeNull));
    }
}
