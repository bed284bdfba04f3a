//! Convertibility: `IsDate`, `IsNumeric`, `IsGuid` and `IsString` tell whether `CDate`,
//! `CNum`, `CGuid` and `CStr` would convert the value, and read strings with the very
//! parsers those conversions use.

use crate::functions::conversion::{parse_date, parse_guid, parse_num};
use crate::functions::{CallCtx, FnError, arg};
use crate::value::Value;

/// True when argument 0 has at least one value and every one satisfies `test`.
fn every(args: &[Value], test: fn(&Value) -> bool) -> Result<Value, FnError> {
    let all = match arg(args, 0) {
        Value::Multi(items) => !items.is_empty() && items.iter().all(test),
        v => test(v),
    };
    Ok(Value::Bool(all))
}

/// Reading (`IsDate`): true for a date, or a string `CDate` reads (see [`parse_date`]).
pub(super) fn is_date(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    every(args, |v| match v {
        Value::DateTime(_) => true,
        Value::Str(s) => parse_date(s).is_some(),
        _ => false,
    })
}

/// Reading (`IsNumeric`): true for a number or a string `CNum` reads (see [`parse_num`]: a
/// decimal integer or `&H` hexadecimal, surrounding white space allowed); false for
/// Booleans, binaries and the rest.
pub(super) fn is_numeric(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    every(args, |v| match v {
        Value::Num(_) => true,
        Value::Str(s) => parse_num(s).is_some(),
        _ => false,
    })
}

/// Reading (`IsGuid`): true for a string `CGuid` reads (see [`parse_guid`]); a value that is
/// not a string (a binary GUID included) is false.
pub(super) fn is_guid(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    every(
        args,
        |v| matches!(v, Value::Str(s) if parse_guid(s).is_some()),
    )
}

/// Reading (`IsString`): true for what `CStr` converts — a string, a reference, a number or a
/// Boolean; false for binaries (such as `objectGUID`), dates and null.
pub(super) fn is_string(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    every(args, |v| {
        matches!(
            v,
            Value::Str(_) | Value::Ref(_) | Value::Num(_) | Value::Bool(_)
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::functions::args::testing::{multi, n, ok, s, yes};
    use crate::value::Value;

    #[test]
    fn is_date() {
        assert!(yes("IsDate", s("2013-01-10 4:00 PM -8")));
        assert!(yes("IsDate", s("12/25/2007")));
        assert!(yes("IsDate", s("2012-01-01T23:00:00.5Z")));
        assert!(yes("IsDate", Value::DateTime(chrono::Utc::now())));
        // Every form CDate reads, including those IsDate's former parser did not.
        for text in [
            "25 Dec 2007",
            "Dec 25, 2007",
            "Tue, 25 Dec 2007 10:00:00 GMT",
            "25.12.2007",
            "12/25/07",
            "20140905081453.0Z",
            "2012-01-01 23:00 GMT+1",
        ] {
            assert!(yes("IsDate", s(text)), "{text}");
            assert!(
                matches!(ok("CDate", &[s(text)]), Value::DateTime(_)),
                "{text}"
            );
        }
        for text in [
            "",
            "yesterday",
            "2013-02-30",
            "13/01/2007",
            "129699324000000000",
        ] {
            assert!(!yes("IsDate", s(text)), "{text}");
        }
        assert!(!yes("IsDate", n(129_699_324_000_000_000)));
        assert!(!yes("IsDate", Value::Null));
        assert!(yes("IsDate", multi(&[s("2001-01-01"), s("2001-01-02")])));
        assert!(!yes("IsDate", multi(&[s("2001-01-01"), s("x")])));
    }

    #[test]
    fn is_guid() {
        assert!(yes("IsGuid", s("c0a8f5e1-1b2c-4d3e-9f40-0123456789ab")));
        assert!(yes("IsGuid", s("{C0A8F5E1-1B2C-4D3E-9F40-0123456789AB}")));
        assert!(!yes("IsGuid", s("{c0a8f5e1-1b2c-4d3e-9f40-0123456789ab")));
        assert!(!yes("IsGuid", s("c0a8f5e11b2c4d3e9f400123456789ab")));
        assert!(!yes("IsGuid", s("g0a8f5e1-1b2c-4d3e-9f40-0123456789ab")));
        assert!(!yes("IsGuid", s("c0a8f5e1-1b2c-4d3e-9f40-0123456789a")));
        assert!(!yes("IsGuid", Value::bin([0u8; 16])));
        assert!(!yes("IsGuid", Value::Null));
        let guid = ok("Guid", &[]);
        assert!(yes("IsGuid", guid));
        // CGuid ignores white space around the GUID, and so does IsGuid now.
        assert!(yes("IsGuid", s(" {c0a8f5e1-1b2c-4d3e-9f40-0123456789ab} ")));
        assert_eq!(
            ok(
                "IsGuid",
                &[multi(&[
                    s("x"),
                    s("{00000000-0000-0000-0000-000000000000}")
                ])]
            ),
            multi(&[Value::Bool(false), Value::Bool(true)])
        );
    }

    #[test]
    fn is_numeric() {
        assert!(yes("IsNumeric", n(5)));
        assert!(yes("IsNumeric", s("42")));
        assert!(yes("IsNumeric", s(" -42 ")));
        // CNum reads &H hexadecimal, and so does IsNumeric now.
        assert!(yes("IsNumeric", s("&HFF")));
        assert!(yes("IsNumeric", s("&h7fffffffffffffff")));
        assert!(!yes("IsNumeric", s("&H")));
        assert!(!yes("IsNumeric", s("1.5")));
        assert!(!yes("IsNumeric", s("99999999999999999999")));
        assert!(!yes("IsNumeric", Value::bin([1u8])));
        assert!(!yes("IsNumeric", s("4x")));
        assert!(!yes("IsNumeric", s("")));
        assert!(!yes("IsNumeric", Value::Bool(true)));
        assert!(!yes("IsNumeric", Value::Null));
        assert!(yes("IsNumeric", multi(&[s("1"), n(2)])));
        assert!(!yes("IsNumeric", multi(&[s("1"), s("b")])));
    }

    #[test]
    fn is_string() {
        assert!(yes("IsString", s("abc")));
        assert!(yes("IsString", s("")));
        assert!(yes("IsString", n(1)));
        assert!(yes("IsString", Value::Bool(true)));
        assert!(yes("IsString", Value::reference("CN=x")));
        assert!(!yes("IsString", Value::bin([1u8; 16])));
        assert!(!yes("IsString", Value::Null));
        assert!(!yes("IsString", Value::DateTime(chrono::Utc::now())));
        assert!(yes("IsString", multi(&[s("a"), s("b")])));
        assert!(!yes("IsString", multi(&[Value::bin([1u8])])));
    }
}
