//! AD's date format, the Windows FILETIME: `DateFromNum`, `NumFromDate`.

use chrono::DateTime;

use crate::functions::{CallCtx, FnError, dt_arg, num_arg, value_error};
use crate::value::Value;

/// Seconds from 1601-01-01T00:00:00Z (the FILETIME epoch) to the Unix epoch.
const FILETIME_UNIX_OFFSET: i64 = 11_644_473_600;
/// FILETIME ticks per second.
const TICKS_PER_SECOND: i64 = 10_000_000;

/// Reading: as .NET `DateTime.FromFileTimeUtc`: a negative number is an error. `0` is
/// 1601-01-01T00:00:00Z, and AD's "never" (`9223372036854775807`) is a date in the year
/// 30828, both valid dates.
pub(super) fn date_from_num(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
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
pub(super) fn num_from_date(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "NumFromDate";
    let Some(dt) = dt_arg(F, args, 0)? else {
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

#[cfg(test)]
mod tests {
    use chrono::{Datelike as _, TimeDelta, TimeZone as _, Utc};

    use crate::functions::FnError;
    use crate::functions::args::testing::{dt, n, ok, run, s, value_err};
    use crate::value::Value;

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
}
