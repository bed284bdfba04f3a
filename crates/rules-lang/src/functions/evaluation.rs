//! Evaluation: `IsBitSet`, `IsDate`, `IsEmpty`, `IsGuid`, `IsNull`, `IsNullOrEmpty`,
//! `IsNumeric`, `IsPresent`, `IsString`.
//!
//! These are predicates: they answer True or False, never null. Every value is exactly one
//! of null (`IsNull`), empty (`IsEmpty`: a present empty string) or present (`IsPresent`),
//! and `IsNullOrEmpty` is the inverse of `IsPresent`.
//!
//! Reading: a binary of length zero (or an empty reference) is empty like an empty string; any
//! other number, Boolean, binary, reference or date is present. A multi-valued value is
//! present when at least one of its values is, empty when it has values but none is present.
//! `IgnoreThisFlow` and `AuthoritativeNull` hold no value and count as null.
//! `IsDate`, `IsNumeric` and `IsString` of a multi-valued value are true when every value
//! passes.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Utc};

use super::{Builtin, CallCtx, FnError, Group, Param, Ret, Sig, arg, num_arg};
use crate::types::Ty;
use crate::value::Value;

fn is_null(v: &Value) -> bool {
    matches!(v, Value::Null | Value::Ignore | Value::AuthoritativeNull)
}

fn is_present(v: &Value) -> bool {
    match v {
        Value::Null | Value::Ignore | Value::AuthoritativeNull => false,
        Value::Str(s) | Value::Ref(s) => !s.is_empty(),
        Value::Bin(b) => !b.is_empty(),
        Value::Multi(items) => items.iter().any(is_present),
        Value::Num(_) | Value::Bool(_) | Value::DateTime(_) => true,
    }
}

/// True when `v` has at least one value and every one satisfies `test`.
fn every(v: &Value, test: fn(&Value) -> bool) -> bool {
    match v {
        Value::Multi(items) => !items.is_empty() && items.iter().all(test),
        v => test(v),
    }
}

fn predicate(args: &[Value], test: fn(&Value) -> bool) -> Value {
    Value::Bool(test(arg(args, 0)))
}

/// Reading (`IsBitSet`): true when every bit of `flag` is set in `value` (as the scoping
/// filter's ISBITSET and LDAP's bitwise-AND rule); a null value or flag has no bits set.
fn is_bit_set(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    let set = num_arg("IsBitSet", args, 0)?
        .zip(num_arg("IsBitSet", args, 1)?)
        .is_some_and(|(value, flag)| value & flag == flag);
    Ok(Value::Bool(set))
}

/// A time-zone offset in seconds east of UTC: `Z`, `UTC`, `GMT`, or a sign followed by hours
/// (`-8`, `+05`), `hh:mm` or `hhmm`.
fn parse_offset(tok: &str) -> Option<i32> {
    if ["Z", "UTC", "GMT"]
        .iter()
        .any(|z| z.eq_ignore_ascii_case(tok))
    {
        return Some(0);
    }
    let (sign, rest) = match tok.split_at_checked(1)? {
        ("+", rest) => (1, rest),
        ("-", rest) => (-1, rest),
        _ => return None,
    };
    if rest.is_empty() || !rest.chars().all(|c| c.is_ascii_digit() || c == ':') {
        return None;
    }
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => rest.split_at_checked(2)?,
        None => (rest, "0"),
    };
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

fn parse_day(tok: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(tok, f).ok())
}

fn parse_time(tok: &str) -> Option<NaiveTime> {
    ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(tok, f).ok())
}

/// Parses the date strings `CDate` reads: RFC 3339, or a date (`yyyy-MM-dd`, `M/d/yyyy`,
/// `yyyy/MM/dd`), optionally followed by a time (`H:mm[:ss[.fff]]`, after a space or `T`),
/// an `AM`/`PM` marker and a time-zone offset (`Z`, `-8`, `+05:30`). Without an offset the
/// time is UTC.
///
/// Reading: `CDate` belongs to the Conversion group; `IsDate` is meant to tell whether
/// `CDate` succeeds, so both should share one parser. This is the parser `IsDate` uses.
pub(super) fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc));
    }
    let mut tokens: Vec<&str> = Vec::new();
    for tok in s.split_whitespace() {
        match tok.split_once('T') {
            Some((d, t)) if tokens.is_empty() => tokens.extend([d, t]),
            _ => tokens.push(tok),
        }
    }
    let mut rest = tokens.into_iter().peekable();
    let day = parse_day(rest.next()?)?;
    let mut time = NaiveTime::MIN;
    let mut offset = 0;
    if let Some(tok) = rest.next_if(|t| t.contains(':') && !t.starts_with(['+', '-'])) {
        let (tok, utc) = match tok.strip_suffix(['Z', 'z']) {
            Some(t) => (t, true),
            None => (tok, false),
        };
        time = parse_time(tok)?;
        if let Some(marker) =
            rest.next_if(|t| ["AM", "PM"].iter().any(|m| m.eq_ignore_ascii_case(t)))
        {
            let pm = marker.eq_ignore_ascii_case("PM");
            let h = chrono::Timelike::hour(&time);
            if !(1..=12).contains(&h) {
                return None;
            }
            let h24 = match (h, pm) {
                (12, false) => 0,
                (12, true) => 12,
                (h, false) => h,
                (h, true) => h + 12,
            };
            time = chrono::Timelike::with_hour(&time, h24)?;
        }
        if utc {
            return rest
                .next()
                .is_none()
                .then(|| Utc.from_utc_datetime(&day.and_time(time)));
        }
    }
    if let Some(tok) = rest.next() {
        offset = parse_offset(tok)?;
    }
    if rest.next().is_some() {
        return None;
    }
    let naive = NaiveDateTime::new(day, time);
    let zone = FixedOffset::east_opt(offset)?;
    Some(
        zone.from_local_datetime(&naive)
            .single()?
            .with_timezone(&Utc),
    )
}

fn date_like(v: &Value) -> bool {
    match v {
        Value::DateTime(_) => true,
        Value::Str(s) => parse_date(s).is_some(),
        _ => false,
    }
}

/// Reading (`IsDate`): true for a date, or a string `CDate` can read (see [`parse_date`]).
fn is_date(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(predicate(args, |v| every(v, date_like)))
}

fn is_empty(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(predicate(args, |v| !is_null(v) && !is_present(v)))
}

/// True for `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` or the same in braces (hex digits in
/// either case).
fn guid_text(s: &str) -> bool {
    let inner = match s.strip_prefix('{') {
        Some(rest) => match rest.strip_suffix('}') {
            Some(inner) => inner,
            None => return false,
        },
        None => s,
    };
    inner.len() == 36
        && inner.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Reading (`IsGuid`): a value that is not a string (a binary GUID included) is false.
fn is_guid(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(predicate(args, |v| {
        every(v, |v| matches!(v, Value::Str(s) if guid_text(s)))
    }))
}

fn is_null_fn(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(predicate(args, is_null))
}

fn is_null_or_empty(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(predicate(args, |v| !is_present(v)))
}

/// Reading (`IsNumeric`): true for a number or a string holding a decimal integer (surrounding
/// white space allowed), which is what `CNum` reads; false for Booleans and the rest.
fn is_numeric(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(predicate(args, |v| {
        every(v, |v| match v {
            Value::Num(_) => true,
            Value::Str(s) => s.trim().parse::<i64>().is_ok(),
            _ => false,
        })
    }))
}

fn is_present_fn(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(predicate(args, is_present))
}

/// Reading (`IsString`): true for what `CStr` converts — a string, a reference, a number or a
/// Boolean; false for binaries (such as `objectGUID`), dates and null.
fn is_string(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(predicate(args, |v| {
        every(v, |v| {
            matches!(
                v,
                Value::Str(_) | Value::Ref(_) | Value::Num(_) | Value::Bool(_)
            )
        })
    }))
}

const VAR: &[Param] = &[Param::Var];
const BOOL: Ret = Ret::Ty(Ty::BOOL);

pub(super) const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "IsBitSet",
        group: Group::Evaluation,
        sigs: &[Sig::new(&[Param::Ty(Ty::NUM), Param::Ty(Ty::NUM)], BOOL)],
        maps: true,
        pure: true,
        imp: Some(is_bit_set),
        doc: "True when the bits of `flag` are set in `value`.",
        example: "IsBitSet(&HF,4)",
    },
    Builtin {
        name: "IsDate",
        group: Group::Evaluation,
        sigs: &[Sig::new(VAR, BOOL)],
        maps: false,
        pure: true,
        imp: Some(is_date),
        doc: "True when the value is a date or a string `CDate` can convert.",
        example: "IsDate([employeeStartTime])",
    },
    Builtin {
        name: "IsEmpty",
        group: Group::Evaluation,
        sigs: &[Sig::new(VAR, BOOL)],
        maps: false,
        pure: true,
        imp: Some(is_empty),
        doc: "True when the value is present but an empty string.",
        example: "IsEmpty([displayName])",
    },
    Builtin {
        name: "IsGuid",
        group: Group::Evaluation,
        sigs: &[Sig::new(&[Param::Ty(Ty::STR)], BOOL)],
        maps: true,
        pure: true,
        imp: Some(is_guid),
        doc: "True when the string has a GUID's form, with or without braces.",
        example: "IIF(IsGuid([strAttribute]),CGuid([strAttribute]),NULL)",
    },
    Builtin {
        name: "IsNull",
        group: Group::Evaluation,
        sigs: &[Sig::new(VAR, BOOL)],
        maps: false,
        pure: true,
        imp: Some(is_null_fn),
        doc: "True when the value is null (for an attribute: absent).",
        example: "IsNull([displayName])",
    },
    Builtin {
        name: "IsNullOrEmpty",
        group: Group::Evaluation,
        sigs: &[Sig::new(VAR, BOOL)],
        maps: false,
        pure: true,
        imp: Some(is_null_or_empty),
        doc: "True when the value is null or an empty string; the inverse of `IsPresent`.",
        example: "IsNullOrEmpty([displayName])",
    },
    Builtin {
        name: "IsNumeric",
        group: Group::Evaluation,
        sigs: &[Sig::new(VAR, BOOL)],
        maps: false,
        pure: true,
        imp: Some(is_numeric),
        doc: "True when the value is a number or a string `CNum` can convert.",
        example: "IsNumeric([employeeID])",
    },
    Builtin {
        name: "IsPresent",
        group: Group::Evaluation,
        sigs: &[Sig::new(VAR, BOOL)],
        maps: false,
        pure: true,
        imp: Some(is_present_fn),
        doc: "True when the value is neither null nor an empty string; the inverse of `IsNullOrEmpty`.",
        example: "Switch(IsPresent([directManager]),[directManager], IsPresent([skiplevelManager]),[skiplevelManager], IsPresent([director]),[director])",
    },
    Builtin {
        name: "IsString",
        group: Group::Evaluation,
        sigs: &[Sig::new(VAR, BOOL)],
        maps: false,
        pure: true,
        imp: Some(is_string),
        doc: "True when `CStr` can convert the value (a string, reference, number or Boolean).",
        example: "IsString([objectGUID])",
    },
];

#[cfg(test)]
mod tests {
    use super::super::{CallCtx, call, lookup};
    use super::parse_date;
    use crate::value::Value;

    fn ok(name: &str, args: &[Value]) -> Value {
        call(lookup(name).unwrap(), args, &CallCtx::default()).unwrap()
    }

    fn yes(name: &str, v: Value) -> bool {
        match ok(name, &[v]) {
            Value::Bool(b) => b,
            other => panic!("{name} gave {other:?}"),
        }
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn n(x: i64) -> Value {
        Value::Num(x)
    }

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

    #[test]
    fn is_bit_set() {
        assert_eq!(ok("IsBitSet", &[n(0xF), n(4)]), Value::Bool(true));
        assert_eq!(ok("IsBitSet", &[n(0xF), n(16)]), Value::Bool(false));
        assert_eq!(ok("IsBitSet", &[n(514), n(2)]), Value::Bool(true));
        assert_eq!(ok("IsBitSet", &[n(512), n(2)]), Value::Bool(false));
        assert_eq!(ok("IsBitSet", &[n(0b101), n(0b110)]), Value::Bool(false));
        assert_eq!(
            ok("IsBitSet", &[n(-2_147_483_646), n(-2_147_483_648)]),
            Value::Bool(true)
        );
        assert_eq!(ok("IsBitSet", &[Value::Null, n(2)]), Value::Bool(false));
        assert_eq!(ok("IsBitSet", &[n(2), Value::Null]), Value::Bool(false));
        assert_eq!(
            ok("IsBitSet", &[Value::multi(vec![n(2), n(1)]), n(2)]),
            Value::multi(vec![Value::Bool(true), Value::Bool(false)])
        );
        assert!(
            call(
                lookup("IsBitSet").unwrap(),
                &[s("x"), n(1)],
                &CallCtx::default()
            )
            .is_err()
        );
    }

    #[test]
    fn dates() {
        let at = |s: &str| parse_date(s).map(|d| d.to_rfc3339());
        assert_eq!(
            at("2013-01-10 4:00 PM -8").unwrap(),
            "2013-01-11T00:00:00+00:00"
        );
        assert_eq!(at("12/25/2007").unwrap(), "2007-12-25T00:00:00+00:00");
        assert_eq!(at("2001-01-01").unwrap(), "2001-01-01T00:00:00+00:00");
        assert_eq!(
            at("2012-01-01 23:00:00").unwrap(),
            "2012-01-01T23:00:00+00:00"
        );
        assert_eq!(
            at("2012-01-01T23:00:00Z").unwrap(),
            "2012-01-01T23:00:00+00:00"
        );
        assert_eq!(
            at("2012-01-01T23:00:00").unwrap(),
            "2012-01-01T23:00:00+00:00"
        );
        assert_eq!(
            at("2012-01-01 23:00:00.5Z").unwrap(),
            "2012-01-01T23:00:00.500+00:00"
        );
        assert_eq!(
            at("1/2/2007 12:30 AM").unwrap(),
            "2007-01-02T00:30:00+00:00"
        );
        assert_eq!(
            at("2007-01-02 12:30 pm +05:30").unwrap(),
            "2007-01-02T07:00:00+00:00"
        );
        assert_eq!(
            at("2007-01-02 10:00 +0200").unwrap(),
            "2007-01-02T08:00:00+00:00"
        );
        assert_eq!(at(" 2007/01/02 ").unwrap(), "2007-01-02T00:00:00+00:00");
        for bad in [
            "",
            "x",
            "2013-02-30",
            "13/01/2007",
            "2007-01-02 25:00",
            "2007-01-02 13:00 PM",
            "2007-01-02 10:00 junk",
            "2007-01-02 10:00 +99",
            "129699324000000000",
        ] {
            assert!(at(bad).is_none(), "{bad}");
        }
        assert!(yes("IsDate", s("2013-01-10 4:00 PM -8")));
        assert!(yes("IsDate", Value::DateTime(chrono::Utc::now())));
        assert!(!yes("IsDate", s("yesterday")));
        assert!(!yes("IsDate", n(129_699_324_000_000_000)));
        assert!(!yes("IsDate", Value::Null));
        assert!(yes(
            "IsDate",
            Value::multi(vec![s("2001-01-01"), s("2001-01-02")])
        ));
        assert!(!yes("IsDate", Value::multi(vec![s("2001-01-01"), s("x")])));
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
        assert_eq!(
            ok(
                "IsGuid",
                &[Value::multi(vec![
                    s("x"),
                    s("{00000000-0000-0000-0000-000000000000}")
                ])]
            ),
            Value::multi(vec![Value::Bool(false), Value::Bool(true)])
        );
    }

    #[test]
    fn is_numeric() {
        assert!(yes("IsNumeric", n(5)));
        assert!(yes("IsNumeric", s("42")));
        assert!(yes("IsNumeric", s(" -42 ")));
        assert!(!yes("IsNumeric", s("4x")));
        assert!(!yes("IsNumeric", s("")));
        assert!(!yes("IsNumeric", Value::Bool(true)));
        assert!(!yes("IsNumeric", Value::Null));
        assert!(yes("IsNumeric", Value::multi(vec![s("1"), n(2)])));
        assert!(!yes("IsNumeric", Value::multi(vec![s("1"), s("b")])));
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
        assert!(yes("IsString", Value::multi(vec![s("a"), s("b")])));
        assert!(!yes("IsString", Value::multi(vec![Value::bin([1u8])])));
    }
}
