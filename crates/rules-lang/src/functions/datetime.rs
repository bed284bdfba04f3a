//! Date / Time: `DateAdd`, `DateFromNum`, `FormatDateTime`, `Now`, `NumFromDate`.
//!
//! Dates are UTC. AD's date format is the Windows FILETIME: 100-nanosecond ticks since
//! 1601-01-01T00:00:00Z. `FormatDateTime` formats as .NET's `DateTime.ToString(format)`
//! with the invariant culture.
//!
//! Reading: where a date is expected, a string is read as `CDate` reads it (attributes no
//! schema describes arrive as strings), and one that is not a date is an error.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Months, TimeDelta, Timelike, Utc};

use super::conversion::parse_date;
use super::{
    Builtin, CallCtx, FnError, Group, Param, Ret, Sig, arg, num_arg, str_arg, value_error,
};
use crate::types::Ty;
use crate::value::Value;

/// Seconds from 1601-01-01T00:00:00Z (the FILETIME epoch) to the Unix epoch.
const FILETIME_UNIX_OFFSET: i64 = 11_644_473_600;
/// FILETIME ticks per second.
const TICKS_PER_SECOND: i64 = 10_000_000;

/// Argument `i` as a date: a date, or a string `CDate` reads.
fn date_arg(
    function: &'static str,
    args: &[Value],
    i: usize,
) -> Result<Option<DateTime<Utc>>, FnError> {
    let v = match arg(args, i) {
        Value::Multi(items) if items.len() == 1 => items.first().unwrap_or(&Value::Null),
        other => other,
    };
    match v {
        Value::Null => Ok(None),
        Value::DateTime(dt) => Ok(Some(*dt)),
        Value::Str(s) => parse_date(s)
            .map(Some)
            .ok_or_else(|| value_error(function, format!("`{s}` is not a date"))),
        v => Err(FnError::Type {
            function,
            index: i + 1,
            expected: "a date",
            found: v.kind(),
        }),
    }
}

/// Reading: the intervals are VBA's, matched without regard to case or surrounding space:
/// `yyyy` years, `q` quarters, `m` months (the day is clamped to the end of a shorter month,
/// so Jan 31 + 1 month is Feb 28/29), `y` (day of year), `d` and `w` (weekday) days (as in
/// VBA, `w` adds days, not business days), `ww` weeks, `h` hours, `n` minutes, `s` seconds.
/// An unknown interval, or a result outside the representable dates, is an error. A null
/// argument gives null.
fn date_add(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "DateAdd";
    let interval = str_arg(F, args, 0)?;
    let value = num_arg(F, args, 1)?;
    let date = date_arg(F, args, 2)?;
    let (Some(interval), Some(value), Some(date)) = (interval, value, date) else {
        return Ok(Value::Null);
    };
    let overflow = || value_error(F, "the result is out of the range of dates");
    let add_months = |months: i64| -> Result<DateTime<Utc>, FnError> {
        let m = Months::new(u32::try_from(months.unsigned_abs()).map_err(|_| overflow())?);
        if months >= 0 {
            date.checked_add_months(m)
        } else {
            date.checked_sub_months(m)
        }
        .ok_or_else(overflow)
    };
    let add_delta = |unit_secs: i64| -> Result<DateTime<Utc>, FnError> {
        let secs = value.checked_mul(unit_secs).ok_or_else(overflow)?;
        let delta = TimeDelta::try_seconds(secs).ok_or_else(overflow)?;
        date.checked_add_signed(delta).ok_or_else(overflow)
    };
    let result = match interval.trim().to_ascii_lowercase().as_str() {
        "yyyy" => add_months(value.checked_mul(12).ok_or_else(overflow)?)?,
        "q" => add_months(value.checked_mul(3).ok_or_else(overflow)?)?,
        "m" => add_months(value)?,
        "y" | "d" | "w" => add_delta(86_400)?,
        "ww" => add_delta(7 * 86_400)?,
        "h" => add_delta(3_600)?,
        "n" => add_delta(60)?,
        "s" => add_delta(1)?,
        other => {
            return Err(value_error(
                F,
                format!("`{other}` is not an interval (yyyy, q, m, y, d, w, ww, h, n, s)"),
            ));
        }
    };
    Ok(Value::DateTime(result))
}

/// Reading: as .NET `DateTime.FromFileTimeUtc`: a negative number is an error. `0` is
/// 1601-01-01T00:00:00Z, and AD's "never" (`9223372036854775807`) is a date in the year
/// 30828, both valid dates.
fn date_from_num(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "DateFromNum";
    let Some(ticks) = num_arg(F, args, 0)? else {
        return Ok(Value::Null);
    };
    if ticks < 0 {
        return Err(value_error(
            F,
            format!("{ticks} is not an AD date (negative)"),
        ));
    }
    let secs = ticks / TICKS_PER_SECOND - FILETIME_UNIX_OFFSET;
    let nanos = u32::try_from((ticks % TICKS_PER_SECOND) * 100).unwrap_or(0);
    DateTime::from_timestamp(secs, nanos)
        .map(Value::DateTime)
        .ok_or_else(|| value_error(F, format!("{ticks} is out of the range of dates")))
}

/// Reading: as .NET `DateTime.ToFileTimeUtc`: a date before 1601 is an error; precision
/// below 100 ns is dropped.
fn num_from_date(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "NumFromDate";
    let Some(dt) = date_arg(F, args, 0)? else {
        return Ok(Value::Null);
    };
    let secs = dt.timestamp() + FILETIME_UNIX_OFFSET;
    let ticks = secs
        .checked_mul(TICKS_PER_SECOND)
        .and_then(|t| t.checked_add(i64::from(dt.timestamp_subsec_nanos() / 100)))
        .filter(|t| *t >= 0)
        .ok_or_else(|| value_error(F, format!("{dt} is out of the range of AD dates")))?;
    Ok(Value::Num(ticks))
}

fn now(_: &[Value], ctx: &CallCtx) -> Result<Value, FnError> {
    Ok(Value::DateTime(ctx.now))
}

/// Formats as .NET's `DateTime.ToString(format, CultureInfo.InvariantCulture)` for a UTC
/// date. Reading (the reference links the DAX format page, but its own example
/// `"yyyyMMddHHmmss.0Z"` only works with .NET's custom specifiers, where `MM` is the month
/// and `mm` the minute):
/// - custom specifiers `y`..`yyyyy`, `M`..`MMMM`, `d`..`dddd`, `h`, `hh`, `H`, `HH`, `m`,
///   `mm`, `s`, `ss`, `f`..`fffffff`, `F`..`FFFFFFF` (trailing zeros, and a `.` before an
///   empty result, dropped), `t`, `tt`, `z`, `zz`, `zzz` (`+00:00` for UTC), `K` (`Z`), `g`
///   (`A.D.`), `:` and `/` (invariant separators); `'...'` and `"..."` literals, `\c`
///   escapes, `%c` for a lone specifier; every other character is copied (so `.0Z` is
///   literal text);
/// - a one-character format is a .NET standard format (`d` `MM/dd/yyyy`, `D`, `f`, `F`, `g`,
///   `G`, `M`/`m`, `O`/`o`, `R`/`r`, `s`, `t`, `T`, `u`, `U`, `Y`/`y`); an empty format is
///   `G`; malformed formats (unknown standard letter, unclosed quote, trailing `\` or `%`,
///   more than seven `f`) are errors.
fn format_date_time(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "FormatDateTime";
    let dt = date_arg(F, args, 0)?;
    let format = str_arg(F, args, 1)?;
    let (Some(dt), Some(format)) = (dt, format) else {
        return Ok(Value::Null);
    };
    format_dotnet(&dt, &format)
        .map(Value::from)
        .map_err(|why| value_error(F, format!("bad format `{format}`: {why}")))
}

/// Expands a .NET standard (one-letter) format to its invariant-culture pattern.
fn standard_pattern(c: char) -> Option<&'static str> {
    Some(match c {
        'd' => "MM/dd/yyyy",
        'D' => "dddd, dd MMMM yyyy",
        'f' => "dddd, dd MMMM yyyy HH:mm",
        'F' | 'U' => "dddd, dd MMMM yyyy HH:mm:ss",
        'g' => "MM/dd/yyyy HH:mm",
        'G' => "MM/dd/yyyy HH:mm:ss",
        'M' | 'm' => "MMMM dd",
        'O' | 'o' => "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
        'R' | 'r' => "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
        's' => "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
        't' => "HH:mm",
        'T' => "HH:mm:ss",
        'u' => "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
        'Y' | 'y' => "yyyy MMMM",
        _ => return None,
    })
}

fn format_dotnet(dt: &DateTime<Utc>, format: &str) -> Result<String, String> {
    let mut chars = format.chars();
    match (chars.next(), chars.next()) {
        (None, _) => format_custom(dt, "MM/dd/yyyy HH:mm:ss"),
        (Some(c), None) => match standard_pattern(c) {
            Some(pattern) => format_custom(dt, pattern),
            None => Err(format!("`{c}` is not a standard format")),
        },
        _ => format_custom(dt, format),
    }
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The first three characters of a name (`Jan`, `Mon`).
fn abbreviation(name: &str) -> &str {
    name.get(..3).unwrap_or(name)
}

/// Writes `value` with at least `width` digits.
fn pad(out: &mut String, value: impl std::fmt::Display, width: usize) {
    let _ = write!(out, "{value:0width$}");
}

/// Writes one custom specifier `c` repeated `run` times.
fn specifier(out: &mut String, dt: &DateTime<Utc>, c: char, run: usize) -> Result<(), String> {
    let two = run.min(2);
    match c {
        'y' => {
            let year = dt.year();
            if run <= 2 {
                pad(out, year.rem_euclid(100), run);
            } else {
                pad(out, year, run);
            }
        }
        'M' => {
            let name = MONTH_NAMES.get(dt.month0() as usize).copied().unwrap_or("");
            match run {
                1 | 2 => pad(out, dt.month(), run),
                3 => out.push_str(abbreviation(name)),
                _ => out.push_str(name),
            }
        }
        'd' => {
            let name = DAY_NAMES
                .get(dt.weekday().num_days_from_monday() as usize)
                .copied()
                .unwrap_or("");
            match run {
                1 | 2 => pad(out, dt.day(), run),
                3 => out.push_str(abbreviation(name)),
                _ => out.push_str(name),
            }
        }
        'h' => {
            let h = dt.hour() % 12;
            pad(out, if h == 0 { 12 } else { h }, two);
        }
        'H' => pad(out, dt.hour(), two),
        'm' => pad(out, dt.minute(), two),
        's' => pad(out, dt.second(), two),
        'f' | 'F' => {
            if run > 7 {
                return Err("more than seven fraction digits".into());
            }
            let exp = u32::try_from(9 - run).unwrap_or(0);
            let frac = dt.nanosecond().min(999_999_999) / 10u32.pow(exp);
            let mut digits = format!("{frac:0run$}");
            if c == 'F' {
                digits.truncate(digits.trim_end_matches('0').len());
                if digits.is_empty() && out.ends_with('.') {
                    out.pop();
                }
            }
            out.push_str(&digits);
        }
        't' => {
            let am_pm = if dt.hour() < 12 { "AM" } else { "PM" };
            out.push_str(if run == 1 {
                abbreviation_one(am_pm)
            } else {
                am_pm
            });
        }
        'z' => out.push_str(match run {
            1 => "+0",
            2 => "+00",
            _ => "+00:00",
        }),
        'K' => {
            for _ in 0..run {
                out.push('Z');
            }
        }
        'g' => out.push_str("A.D."),
        other => {
            for _ in 0..run {
                out.push(other);
            }
        }
    }
    Ok(())
}

fn abbreviation_one(s: &str) -> &str {
    s.get(..1).unwrap_or(s)
}

fn is_specifier(c: char) -> bool {
    matches!(
        c,
        'y' | 'M' | 'd' | 'h' | 'H' | 'm' | 's' | 'f' | 'F' | 't' | 'z' | 'K' | 'g'
    )
}

fn format_custom(dt: &DateTime<Utc>, format: &str) -> Result<String, String> {
    let chars: Vec<char> = format.chars().collect();
    let mut out = String::with_capacity(format.len() + 8);
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '\'' | '"' => {
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unclosed quote".into()),
                        Some(&q) if q == c => break,
                        Some('\\') => {
                            let escaped = chars.get(i + 1).ok_or("trailing `\\`")?;
                            out.push(*escaped);
                            i += 1;
                        }
                        Some(&other) => out.push(other),
                    }
                    i += 1;
                }
                i += 1;
            }
            '\\' => {
                let escaped = chars.get(i + 1).ok_or("trailing `\\`")?;
                out.push(*escaped);
                i += 2;
            }
            '%' => {
                match chars.get(i + 1) {
                    Some(&next) if is_specifier(next) => specifier(&mut out, dt, next, 1)?,
                    Some('%') | None => return Err("`%` must precede a specifier".into()),
                    Some(&next) => out.push(next),
                }
                i += 2;
            }
            c if is_specifier(c) => {
                let run = chars.iter().skip(i).take_while(|&&x| x == c).count();
                // 'K' and 'g' runs: .NET reads each `K` alone; a run of `g` is one era.
                specifier(&mut out, dt, c, run)?;
                i += run;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    Ok(out)
}

pub(super) const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "DateAdd",
        group: Group::DateTime,
        sigs: &[Sig::new(
            &[Param::Ty(Ty::STR), Param::Ty(Ty::NUM), Param::Ty(Ty::DT)],
            Ret::Ty(Ty::DT),
        )],
        maps: true,
        pure: true,
        imp: Some(date_add),
        doc: "Adds a number of intervals (yyyy, q, m, y, d, w, ww, h, n, s) to a date; negative values go back.",
        example: r#"DateAdd("m", 3, CDate("2001-01-01"))"#,
    },
    Builtin {
        name: "DateFromNum",
        group: Group::DateTime,
        sigs: &[Sig::new(&[Param::Ty(Ty::NUM)], Ret::Ty(Ty::DT))],
        maps: true,
        pure: true,
        imp: Some(date_from_num),
        doc: "Converts an AD date (100 ns ticks since 1601-01-01 UTC, as in pwdLastSet) to a date.",
        example: "DateFromNum(129699324000000000)",
    },
    Builtin {
        name: "FormatDateTime",
        group: Group::DateTime,
        sigs: &[Sig::new(
            &[Param::Ty(Ty::DT), Param::Ty(Ty::STR)],
            Ret::Ty(Ty::STR),
        )],
        maps: true,
        pure: true,
        imp: Some(format_date_time),
        doc: "Formats a date with a .NET custom date and time format string (yyyy, MM, dd, HH, mm, ss, ...).",
        example: r#"FormatDateTime(CDate("12/25/2007"),"yyyy-MM-dd")"#,
    },
    Builtin {
        name: "Now",
        group: Group::DateTime,
        sigs: &[Sig::new(&[], Ret::Ty(Ty::DT))],
        maps: false,
        pure: false,
        imp: Some(now),
        doc: "The current date and time (UTC), fixed for the whole run.",
        example: "Now()",
    },
    Builtin {
        name: "NumFromDate",
        group: Group::DateTime,
        sigs: &[Sig::new(&[Param::Ty(Ty::DT)], Ret::Ty(Ty::NUM))],
        maps: true,
        pure: true,
        imp: Some(num_from_date),
        doc: "Converts a date to AD's date format (100 ns ticks since 1601-01-01 UTC).",
        example: r#"NumFromDate(CDate("2012-01-01 23:00:00"))"#,
    },
];

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::super::{CallCtx, FnError, call, lookup};
    use super::*;

    fn ctx() -> CallCtx {
        CallCtx {
            now: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    fn run(name: &str, args: &[Value]) -> Result<Value, FnError> {
        call(lookup(name).unwrap(), args, &ctx())
    }

    fn ok(name: &str, args: &[Value]) -> Value {
        run(name, args).unwrap()
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn n(x: i64) -> Value {
        Value::Num(x)
    }

    fn dt(y: i32, mo: u32, d: u32, h: u32, mi: u32, se: u32) -> Value {
        Value::DateTime(Utc.with_ymd_and_hms(y, mo, d, h, mi, se).unwrap())
    }

    fn value_err(r: Result<Value, FnError>) -> String {
        match r {
            Err(e @ FnError::Value { .. }) => e.to_string(),
            other => panic!("expected a value error, got {other:?}"),
        }
    }

    #[test]
    fn registry_entries() {
        for name in [
            "DateAdd",
            "DateFromNum",
            "FormatDateTime",
            "Now",
            "NumFromDate",
        ] {
            let b = lookup(name).unwrap();
            assert_eq!(b.group, Group::DateTime);
            assert_eq!(b.pure, name != "Now", "{name}");
        }
    }

    #[test]
    fn now_is_the_context_time() {
        assert_eq!(ok("Now", &[]), dt(2024, 1, 1, 0, 0, 0));
    }

    #[test]
    fn date_from_num() {
        assert_eq!(
            ok("DateFromNum", &[n(129699324000000000)]),
            dt(2012, 1, 1, 23, 0, 0)
        );
        assert_eq!(ok("DateFromNum", &[n(0)]), dt(1601, 1, 1, 0, 0, 0));
        assert_eq!(
            ok("DateFromNum", &[n(116444736000000000)]),
            dt(1970, 1, 1, 0, 0, 0)
        );
        assert_eq!(
            ok("DateFromNum", &[n(116444736000000001)]),
            Value::DateTime(
                Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap() + TimeDelta::nanoseconds(100)
            )
        );
        let Value::DateTime(never) = ok("DateFromNum", &[n(i64::MAX)]) else {
            panic!()
        };
        assert_eq!(never.year(), 30828);
        assert_eq!(
            ok("DateFromNum", &[s("129699324000000000")]),
            dt(2012, 1, 1, 23, 0, 0)
        );
        assert_eq!(ok("DateFromNum", &[Value::Null]), Value::Null);
        assert!(value_err(run("DateFromNum", &[n(-1)])).contains("negative"));
        assert_eq!(
            ok(
                "DateFromNum",
                &[Value::multi(vec![n(0), n(129699324000000000)])]
            ),
            Value::multi(vec![dt(1601, 1, 1, 0, 0, 0), dt(2012, 1, 1, 23, 0, 0)])
        );
    }

    #[test]
    fn num_from_date() {
        assert_eq!(
            ok("NumFromDate", &[dt(2012, 1, 1, 23, 0, 0)]),
            n(129699324000000000)
        );
        assert_eq!(ok("NumFromDate", &[dt(1601, 1, 1, 0, 0, 0)]), n(0));
        assert_eq!(
            ok("NumFromDate", &[s("2012-01-01 23:00:00")]),
            n(129699324000000000)
        );
        assert_eq!(ok("NumFromDate", &[Value::Null]), Value::Null);
        assert!(value_err(run("NumFromDate", &[dt(1600, 12, 31, 23, 59, 59)])).contains("range"));
        assert!(value_err(run("NumFromDate", &[s("soon")])).contains("not a date"));
        assert!(matches!(
            run("NumFromDate", &[n(5)]),
            Err(FnError::Type { .. })
        ));
        // Round trip, with sub-second ticks.
        let ticks = 133_485_408_001_234_567;
        let d = ok("DateFromNum", &[n(ticks)]);
        assert_eq!(ok("NumFromDate", &[d]), n(ticks));
    }

    #[test]
    fn date_add_reference_example() {
        let d = ok("CDate", &[s("2001-01-01")]);
        assert_eq!(ok("DateAdd", &[s("m"), n(3), d]), dt(2001, 4, 1, 0, 0, 0));
    }

    #[test]
    fn date_add_intervals() {
        let base = dt(2001, 1, 31, 10, 30, 0);
        let cases = [
            ("yyyy", 2, dt(2003, 1, 31, 10, 30, 0)),
            ("yyyy", -1, dt(2000, 1, 31, 10, 30, 0)),
            ("q", 1, dt(2001, 4, 30, 10, 30, 0)),
            ("m", 1, dt(2001, 2, 28, 10, 30, 0)),
            ("M", 13, dt(2002, 2, 28, 10, 30, 0)),
            ("m", -2, dt(2000, 11, 30, 10, 30, 0)),
            ("y", 1, dt(2001, 2, 1, 10, 30, 0)),
            ("d", 1, dt(2001, 2, 1, 10, 30, 0)),
            ("d", -31, dt(2000, 12, 31, 10, 30, 0)),
            ("w", 2, dt(2001, 2, 2, 10, 30, 0)),
            ("ww", 2, dt(2001, 2, 14, 10, 30, 0)),
            ("h", 14, dt(2001, 2, 1, 0, 30, 0)),
            ("n", -31, dt(2001, 1, 31, 9, 59, 0)),
            ("s", 30, dt(2001, 1, 31, 10, 30, 30)),
            (" D ", 0, dt(2001, 1, 31, 10, 30, 0)),
        ];
        for (interval, count, want) in cases {
            assert_eq!(
                ok("DateAdd", &[s(interval), n(count), base.clone()]),
                want,
                "{interval} {count}"
            );
        }
        // Feb 29 + 1 year.
        assert_eq!(
            ok("DateAdd", &[s("yyyy"), n(1), dt(2004, 2, 29, 0, 0, 0)]),
            dt(2005, 2, 28, 0, 0, 0)
        );
        // A string date reads as CDate reads it.
        assert_eq!(
            ok("DateAdd", &[s("d"), n(1), s("12/31/2007")]),
            dt(2008, 1, 1, 0, 0, 0)
        );
    }

    #[test]
    fn date_add_errors_and_null() {
        let base = dt(2001, 1, 1, 0, 0, 0);
        assert!(value_err(run("DateAdd", &[s("x"), n(1), base.clone()])).contains("interval"));
        assert!(value_err(run("DateAdd", &[s("s"), n(i64::MAX), base.clone()])).contains("range"));
        assert!(
            value_err(run("DateAdd", &[s("yyyy"), n(i64::MAX / 2), base.clone()]))
                .contains("range")
        );
        assert!(
            value_err(run("DateAdd", &[s("yyyy"), n(1_000_000), base.clone()])).contains("range")
        );
        assert_eq!(
            ok("DateAdd", &[Value::Null, n(1), base.clone()]),
            Value::Null
        );
        assert_eq!(ok("DateAdd", &[s("d"), Value::Null, base]), Value::Null);
        assert_eq!(ok("DateAdd", &[s("d"), n(1), Value::Null]), Value::Null);
    }

    fn fmt(d: &Value, f: &str) -> Value {
        ok("FormatDateTime", &[d.clone(), s(f)])
    }

    #[test]
    fn format_reference_examples() {
        let christmas = ok("CDate", &[s("12/25/2007")]);
        assert_eq!(fmt(&christmas, "yyyy-MM-dd"), s("2007-12-25"));
        let pwd = dt(2014, 9, 5, 8, 14, 53);
        assert_eq!(fmt(&pwd, "yyyyMMddHHmmss.0Z"), s("20140905081453.0Z"));
        // CStr(FormatDateTime(DateFromNum([pwdLastSet]),"yyyyMMddHHmmss.0Z"))
        let ticks = ok("NumFromDate", &[pwd]);
        let d = ok("DateFromNum", &[ticks]);
        assert_eq!(
            ok("CStr", &[fmt(&d, "yyyyMMddHHmmss.0Z")]),
            s("20140905081453.0Z")
        );
    }

    #[test]
    fn format_custom_specifiers() {
        let d = Value::DateTime(
            Utc.with_ymd_and_hms(2007, 3, 4, 15, 6, 7).unwrap()
                + TimeDelta::nanoseconds(120_000_000),
        );
        let cases = [
            ("y yy yyy yyyy yyyyy", "7 07 2007 2007 02007"),
            ("M MM MMM MMMM", "3 03 Mar March"),
            ("d dd ddd dddd", "4 04 Sun Sunday"),
            ("h hh H HH", "3 03 15 15"),
            ("m mm s ss", "6 06 7 07"),
            ("f ff fff fffffff", "1 12 120 1200000"),
            ("F FF FFF FFFFFFF", "1 12 12 12"),
            ("t tt", "P PM"),
            ("z zz zzz K", "+0 +00 +00:00 Z"),
            ("g gg", "A.D. A.D."),
            ("HH:mm:ss", "15:06:07"),
            ("MM/dd/yyyy", "03/04/2007"),
            ("yyyy-MM-ddTHH:mm:ss", "2007-03-04T15:06:07"),
            ("'yyyy' \"MM\" \\d", "yyyy MM d"),
            ("'it''s'", "its"),
            ("'a\\'b'", "a'b"),
            ("%d", "4"),
            ("%M", "3"),
        ];
        for (format, want) in cases {
            assert_eq!(fmt(&d, format), s(want), "{format}");
        }
        let whole = dt(2007, 3, 4, 0, 0, 0);
        assert_eq!(fmt(&whole, "HH:mm:ss.FFF"), s("00:00:00"));
        assert_eq!(fmt(&whole, "HH:mm:ss.fff"), s("00:00:00.000"));
        assert_eq!(fmt(&whole, "h tt"), s("12 AM"));
        assert_eq!(fmt(&dt(2007, 3, 4, 12, 0, 0), "h tt"), s("12 PM"));
    }

    #[test]
    fn format_standard_formats() {
        let d = dt(2007, 3, 4, 15, 6, 7);
        let cases = [
            ("d", "03/04/2007"),
            ("D", "Sunday, 04 March 2007"),
            ("f", "Sunday, 04 March 2007 15:06"),
            ("F", "Sunday, 04 March 2007 15:06:07"),
            ("g", "03/04/2007 15:06"),
            ("G", "03/04/2007 15:06:07"),
            ("", "03/04/2007 15:06:07"),
            ("M", "March 04"),
            ("o", "2007-03-04T15:06:07.0000000Z"),
            ("r", "Sun, 04 Mar 2007 15:06:07 GMT"),
            ("s", "2007-03-04T15:06:07"),
            ("t", "15:06"),
            ("T", "15:06:07"),
            ("u", "2007-03-04 15:06:07Z"),
            ("U", "Sunday, 04 March 2007 15:06:07"),
            ("y", "2007 March"),
        ];
        for (format, want) in cases {
            assert_eq!(fmt(&d, format), s(want), "{format}");
        }
    }

    #[test]
    fn format_errors_and_null() {
        let d = dt(2007, 3, 4, 15, 6, 7);
        for bad in ["x", "'open", "yyyy\\", "dd%", "%%", "ffffffff"] {
            assert!(
                value_err(run("FormatDateTime", &[d.clone(), s(bad)])).contains("bad format"),
                "{bad}"
            );
        }
        assert_eq!(ok("FormatDateTime", &[Value::Null, s("yyyy")]), Value::Null);
        assert_eq!(ok("FormatDateTime", &[d.clone(), Value::Null]), Value::Null);
        assert_eq!(
            ok("FormatDateTime", &[s("2007-12-25"), s("dd.MM.yyyy")]),
            s("25.12.2007")
        );
        assert_eq!(
            ok(
                "FormatDateTime",
                &[
                    Value::multi(vec![d.clone(), dt(2001, 1, 1, 0, 0, 0)]),
                    s("yyyy")
                ]
            ),
            Value::multi(vec![s("2007"), s("2001")])
        );
        assert!(matches!(
            run("FormatDateTime", &[n(1), s("yyyy")]),
            Err(FnError::Type { .. })
        ));
    }
}
