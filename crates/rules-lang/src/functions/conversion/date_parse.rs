//! Dates: `CDate` and its parser (which `IsDate` and the Date / Time functions share).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc};

use super::date_cursor::{Cursor, is_weekday, month_number};
use crate::functions::{CallCtx, FnError, not_a, scalar, with_str};
use crate::value::Value;

/// Reads the date and time forms `CDate` accepts; `None` when `s` is none of them.
///
/// Reading: the forms are those a .NET `DateTime.Parse` with the invariant culture reads
/// in practice, plus the AD and LDAP forms the rules meet:
/// - RFC 3339 / ISO 8601: `2012-01-01T23:00:00Z`, `2012-01-01T23:00:00.5+02:00`,
///   `2012-01-01T23:00` (no zone);
/// - ISO dates `yyyy-M-d` (also with `/` or `.`) with an optional time;
/// - US dates `M/d/yyyy` (also `M-d-yyyy`; a two-digit year is 1950..2049) and European
///   dotted dates `d.M.yyyy`, with an optional time;
/// - month names (English, full or abbreviated): `25 Dec 2007`, `25-Dec-2007`,
///   `Dec 25, 2007`, `Tue, 25 Dec 2007 10:00:00 GMT` (RFC 2822);
/// - times `H:mm`, `H:mm:ss`, `H:mm:ss.fffffff`, with an optional `AM`/`PM` (then `H` is
///   1..12), or `4 PM`;
/// - a zone after the time (or the date): `Z`, `UTC`, `GMT`, `+hh:mm`, `+hhmm`, or hours
///   alone as in the reference's `-8`; `UTC+1` also works;
/// - the AD generalized time `yyyyMMddHHmmss[.f...][Z|+hhmm]` (`20140905081453.0Z`).
///
/// A date without a time is midnight; a time without a zone is UTC (Sync runs in UTC, and
/// the reference's `NumFromDate(CDate("2012-01-01 23:00:00"))` needs it).
pub(crate) fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.with_timezone(&Utc));
    }
    if let Some(dt) = parse_generalized_time(t) {
        return Some(dt);
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(t) {
        return Some(dt.with_timezone(&Utc));
    }
    parse_loose_date(t)
}

/// Reading: a date argument is returned as is; see [`parse_date`] for the string forms.
pub(super) fn cdate(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    if let Value::DateTime(dt) = scalar(args, 0) {
        return Ok(Value::DateTime(*dt));
    }
    with_str("CDate", args, |s| {
        parse_date(s)
            .map(Value::DateTime)
            .ok_or_else(|| not_a("CDate", s, "a date"))
    })
}

/// Reads a four-digit year.
fn year4(c: &mut Cursor<'_>) -> Option<i32> {
    match c.digits(4)? {
        (y, 4) => i32::try_from(y).ok(),
        _ => None,
    }
}

fn ymd(year: u32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// A date: ISO, US, dotted European or with a month name (see [`parse_date`]).
fn date_part(c: &mut Cursor<'_>) -> Option<NaiveDate> {
    if c.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
        // "Dec 25, 2007", "December 25 2007"
        let month = month_number(&c.word())?;
        c.skip_ws();
        let (day, _) = c.digits(2)?;
        c.eat(b',');
        c.skip_ws();
        let year = year4(c)?;
        return NaiveDate::from_ymd_opt(year, month, day);
    }
    let (first, n1) = c.digits(4)?;
    let sep = c.peek()?;
    match sep {
        b'-' | b'/' | b'.' => {
            c.pos += 1;
            if c.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
                // "25-Dec-2007"
                let word = c.word();
                let month = month_number(&word)?;
                // `word` reads dots (for `a.m.`), so it may have taken a `.` separator.
                let sep_taken = sep == b'.' && word.ends_with('.');
                if n1 > 2 || !(sep_taken || c.eat(sep)) {
                    return None;
                }
                let year = year4(c)?;
                return NaiveDate::from_ymd_opt(year, month, first);
            }
            let (second, _) = c.digits(2)?;
            if !c.eat(sep) {
                return None;
            }
            let (third, n3) = c.digits(4)?;
            match (n1, n3) {
                (4, 1..=2) => ymd(first, second, third),
                (1..=2, 2 | 4) => {
                    let year = if n3 == 4 {
                        third
                    } else if third <= 49 {
                        2000 + third
                    } else {
                        1900 + third
                    };
                    if sep == b'.' {
                        ymd(year, second, first)
                    } else {
                        ymd(year, first, second)
                    }
                }
                _ => None,
            }
        }
        b' ' | b'\t' if n1 <= 2 => {
            // "25 Dec 2007"
            c.skip_ws();
            let month = month_number(&c.word())?;
            c.skip_ws();
            let year = year4(c)?;
            NaiveDate::from_ymd_opt(year, month, first)
        }
        _ => None,
    }
}

/// A time of day: `H:mm[:ss[.f...]]` with an optional `AM`/`PM`, or `H AM`.
fn time_part(c: &mut Cursor<'_>) -> Option<NaiveTime> {
    let (mut hour, _) = c.digits(2)?;
    let (mut minute, mut second, mut nanos) = (0, 0, 0);
    let colon = c.eat(b':');
    if colon {
        minute = c.digits(2)?.0;
        if c.eat(b':') {
            second = c.digits(2)?.0;
            if c.eat(b'.') || c.eat(b',') {
                nanos = c.fraction()?;
            }
        }
    }
    let before = c.pos;
    c.skip_ws();
    let pm = match c.word().as_str() {
        "am" | "a.m." | "a" => Some(false),
        "pm" | "p.m." | "p" => Some(true),
        _ => None,
    };
    match pm {
        Some(pm) => {
            if !(1..=12).contains(&hour) {
                return None;
            }
            hour = hour % 12 + if pm { 12 } else { 0 };
        }
        None if colon => c.pos = before,
        None => return None,
    }
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
}

/// A zone: nothing (UTC), `Z`, `UTC`, `GMT`, `+hh`, `+hh:mm`, `+hhmm`, `UTC+hh...`. The
/// offset east of UTC in seconds.
fn zone_part(c: &mut Cursor<'_>) -> Option<i32> {
    match c.peek() {
        None => Some(0),
        Some(b'Z' | b'z')
            if c.bytes
                .get(c.pos + 1)
                .is_none_or(|b| !b.is_ascii_alphabetic()) =>
        {
            c.pos += 1;
            Some(0)
        }
        Some(sign @ (b'+' | b'-')) => {
            c.pos += 1;
            let (h, m) = match c.digits(4)? {
                (h, 1..=2) => {
                    let m = if c.eat(b':') {
                        match c.digits(2)? {
                            (m, 2) => m,
                            _ => return None,
                        }
                    } else {
                        0
                    };
                    (h, m)
                }
                (hm, 4) => (hm / 100, hm % 100),
                _ => return None,
            };
            if h > 14 || m > 59 {
                return None;
            }
            let secs = i32::try_from(h * 3600 + m * 60).ok()?;
            Some(if sign == b'-' { -secs } else { secs })
        }
        Some(b) if b.is_ascii_alphabetic() => match c.word().as_str() {
            "utc" | "gmt" | "ut" => {
                if matches!(c.peek(), Some(b'+' | b'-')) {
                    zone_part(c)
                } else {
                    Some(0)
                }
            }
            _ => None,
        },
        Some(_) => None,
    }
}

fn to_utc(date: NaiveDate, time: NaiveTime, offset_secs: i32) -> Option<DateTime<Utc>> {
    let offset = FixedOffset::east_opt(offset_secs)?;
    let local = date.and_time(time);
    let utc = local.checked_sub_signed(TimeDelta::seconds(i64::from(offset.local_minus_utc())))?;
    Some(utc.and_utc())
}

/// `yyyyMMddHHmmss[.f...][Z|+hhmm]`, the LDAP generalized time AD writes.
fn parse_generalized_time(s: &str) -> Option<DateTime<Utc>> {
    let head = s.get(..14)?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let field = |a: usize, b: usize| s.get(a..b).and_then(|f| f.parse::<u32>().ok());
    let date = ymd(field(0, 4)?, field(4, 6)?, field(6, 8)?)?;
    let mut c = Cursor::new(s);
    c.pos = 14;
    let nanos = if c.eat(b'.') || c.eat(b',') {
        c.fraction()?
    } else {
        0
    };
    let time = NaiveTime::from_hms_nano_opt(field(8, 10)?, field(10, 12)?, field(12, 14)?, nanos)?;
    let offset = zone_part(&mut c)?;
    if !c.done() {
        return None;
    }
    to_utc(date, time, offset)
}

/// The free forms: a date, then optionally a time (after `T` or white space), then
/// optionally a zone.
fn parse_loose_date(s: &str) -> Option<DateTime<Utc>> {
    let mut c = Cursor::new(s);
    // An optional leading weekday: "Tuesday, December 25, 2007".
    let start = c.pos;
    if is_weekday(&c.word()) {
        c.eat(b',');
        c.skip_ws();
    } else {
        c.pos = start;
    }
    let date = date_part(&mut c)?;
    let mut time = NaiveTime::MIN;
    let before = c.pos;
    let t_sep = c.eat(b'T') || c.eat(b't');
    let ws = c.skip_ws();
    if t_sep || ws {
        match time_part(&mut c) {
            Some(t) => time = t,
            None if t_sep => return None,
            None => c.pos = before,
        }
    }
    c.skip_ws();
    let offset = zone_part(&mut c)?;
    c.skip_ws();
    if !c.done() {
        return None;
    }
    to_utc(date, time, offset)
}

#[cfg(test)]
mod tests;
