//! `DateAdd`.

use chrono::{DateTime, Months, TimeDelta, Utc};

use crate::functions::{CallCtx, FnError, dt_arg, num_arg, str_arg, value_error};
use crate::value::Value;

/// Reading: the intervals are VBA's, matched without regard to case or surrounding space:
/// `yyyy` years, `q` quarters, `m` months (the day is clamped to the end of a shorter month,
/// so Jan 31 + 1 month is Feb 28/29), `y` (day of year), `d` and `w` (weekday) days (as in
/// VBA, `w` adds days, not business days), `ww` weeks, `h` hours, `n` minutes, `s` seconds.
/// An unknown interval, or a result outside the representable dates, is an error. A null
/// argument gives null.
pub(super) fn date_add(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "DateAdd";
    let interval = str_arg(F, args, 0)?;
    let value = num_arg(F, args, 1)?;
    let date = dt_arg(F, args, 2)?;
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

#[cfg(test)]
mod tests {
    use crate::functions::args::testing::{dt, n, ok, run, s, value_err};
    use crate::value::Value;

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
}
