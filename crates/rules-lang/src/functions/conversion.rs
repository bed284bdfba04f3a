//! Conversion: `CBool`, `CDate`, `CGuid`, `ConvertFromBase64`, `ConvertToBase64`,
//! `ConvertFromUTF8Hex`, `ConvertToUTF8Hex`, `CNum`, `CRef`, `CStr`, `StringFromGuid`,
//! `StringFromSid`; and `CBin` and `Thumbprint`, which the out-of-box rules use although the
//! functions reference does not list them.
//!
//! Entra Connect is a .NET program, so where the reference is silent these functions do
//! what the .NET conversion they stand for does (`Convert.ToBase64String`,
//! `Guid.ToByteArray`, `SecurityIdentifier.ToString`, `DateTime.Parse`, ...), with the
//! invariant culture. Each such choice is marked "Reading:".

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc};
use sha1::{Digest, Sha1};

use super::{
    Builtin, CallCtx, FnError, Group, Param, Ret, Sig, arg, bin_arg, enum_arg, num_arg, str_arg,
    value_error,
};
use crate::types::Ty;
use crate::value::Value;

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

/// Argument `i` with a multi-valued value of exactly one value read as that value.
fn scalar(args: &[Value], i: usize) -> &Value {
    match arg(args, i) {
        Value::Multi(items) if items.len() == 1 => items.first().unwrap_or(&Value::Null),
        other => other,
    }
}

/// A [`FnError::Type`] for argument `i` (0-based) of `function`.
fn type_error(function: &'static str, i: usize, expected: &'static str, v: &Value) -> FnError {
    FnError::Type {
        function,
        index: i + 1,
        expected,
        found: v.kind(),
    }
}

/// Reads a number the way `CNum` does: an optional sign and decimal digits, or `&H`
/// followed by hexadecimal digits, surrounded by optional white space.
///
/// Reading: `&H` numbers of up to 16 digits are read as 64-bit two's complement, so
/// `&HFFFFFFFFFFFFFFFF` is -1 (as `&HFFFF` is -1 for a 16-bit VBA Integer); a sign is not
/// allowed before `&H`. Fractions, thousands separators and exponents are not numbers here
/// (.NET `Int64.Parse` rejects them too). `None` when `s` is not a number or does not fit
/// in 64 bits.
pub(crate) fn parse_num(s: &str) -> Option<i64> {
    let t = s.trim();
    let hex = t
        .strip_prefix("&H")
        .or_else(|| t.strip_prefix("&h"))
        .filter(|h| !h.is_empty() && h.len() <= 16 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    if let Some(h) = hex {
        return u64::from_str_radix(h, 16).ok().map(|n| n as i64);
    }
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse::<i64>().ok()
}

/// Reads a GUID written `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` or
/// `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` (hex digits in either case, surrounding white
/// space ignored), the two patterns the reference names.
pub(crate) fn parse_guid(s: &str) -> Option<uuid::Uuid> {
    let t = s.trim();
    let inner = match t.strip_prefix('{') {
        Some(rest) => rest.strip_suffix('}')?,
        None => t,
    };
    let well_formed = inner.len() == 36
        && inner.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    if !well_formed {
        return None;
    }
    uuid::Uuid::try_parse(inner).ok()
}

// ---------------------------------------------------------------------------------------
// Date parsing (CDate)
// ---------------------------------------------------------------------------------------

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

/// A cursor over the ASCII bytes of a date string.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor {
            bytes: s.as_bytes(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Skips white space; true when there was some.
    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// Reads 1..=`max` decimal digits: their value and how many there were.
    fn digits(&mut self, max: usize) -> Option<(u32, usize)> {
        let mut value = 0u32;
        let mut n = 0;
        while n < max {
            match self.peek() {
                Some(b) if b.is_ascii_digit() => {
                    value = value * 10 + u32::from(b - b'0');
                    n += 1;
                    self.pos += 1;
                }
                _ => break,
            }
        }
        (n > 0).then_some((value, n))
    }

    /// Reads a run of ASCII letters and dots (`A.M.`), lowercased.
    fn word(&mut self) -> String {
        let mut w = String::new();
        while let Some(b) = self
            .peek()
            .filter(|b| b.is_ascii_alphabetic() || *b == b'.')
        {
            w.push(char::from(b.to_ascii_lowercase()));
            self.pos += 1;
        }
        w
    }

    /// Reads a fraction's digits (after the decimal point) as nanoseconds; digits beyond
    /// the ninth are read and dropped.
    fn fraction(&mut self) -> Option<u32> {
        let mut nanos = 0u32;
        let mut n = 0;
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            if n < 9 {
                nanos = nanos * 10 + u32::from(b - b'0');
            }
            n += 1;
            self.pos += 1;
        }
        if n == 0 {
            return None;
        }
        for _ in n..9 {
            nanos *= 10;
        }
        Some(nanos)
    }
}

/// The month an English month name or abbreviation names.
fn month_number(w: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = w.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(w))
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn is_weekday(w: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let w = w.trim_end_matches('.');
    w.len() >= 3 && DAYS.iter().any(|d| d.starts_with(w))
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

// ---------------------------------------------------------------------------------------
// Implementations
// ---------------------------------------------------------------------------------------

/// Reading: besides the reference's rule (non-zero is True), a Boolean is itself, the
/// strings "True"/"False" (any case) are those Booleans, and a numeric string is True when
/// non-zero (VBA's `CBool("1")`); any other string is an error. Null gives null, so
/// `CBool(IIF(cond, x > 0, NULL))` is null when `cond` fails.
fn cbool(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    match scalar(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::Num(n) => Ok(Value::Bool(*n != 0)),
        Value::Str(s) => {
            if s.trim().eq_ignore_ascii_case("true") {
                Ok(Value::Bool(true))
            } else if s.trim().eq_ignore_ascii_case("false") {
                Ok(Value::Bool(false))
            } else if let Some(n) = parse_num(s) {
                Ok(Value::Bool(n != 0))
            } else {
                Err(value_error("CBool", format!("`{s}` is not a Boolean")))
            }
        }
        v => Err(type_error("CBool", 0, "a Boolean expression", v)),
    }
}

/// Reading: a date argument is returned as is; see [`parse_date`] for the string forms.
fn cdate(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    if let Value::DateTime(dt) = scalar(args, 0) {
        return Ok(Value::DateTime(*dt));
    }
    let Some(s) = str_arg("CDate", args, 0)? else {
        return Ok(Value::Null);
    };
    parse_date(&s)
        .map(Value::DateTime)
        .ok_or_else(|| value_error("CDate", format!("`{s}` is not a date")))
}

/// The 16 bytes are laid out as .NET's `Guid.ToByteArray()` does (and as AD stores
/// objectGUID): the first three groups little-endian, the last two as written.
fn cguid(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    let Some(s) = str_arg("CGuid", args, 0)? else {
        return Ok(Value::Null);
    };
    parse_guid(&s)
        .map(|g| Value::bin(g.to_bytes_le()))
        .ok_or_else(|| value_error("CGuid", format!("`{s}` is not a GUID")))
}

const ENCODINGS: &[&str] = &["Unicode", "ASCII", "UTF8"];

/// Reading: white space inside the base64 text is ignored (as `Convert.FromBase64String`
/// does); decoding is lenient as .NET's encodings are: invalid UTF-8 or a dangling UTF-16
/// byte becomes U+FFFD, a non-ASCII byte in ASCII becomes `?`. Text that is not base64 is an
/// error.
fn convert_from_base64(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "ConvertFromBase64";
    let Some(s) = str_arg(F, args, 0)? else {
        return Ok(Value::Null);
    };
    let encoding = enum_arg(F, args, 1, ENCODINGS)?.unwrap_or("Unicode");
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = BASE64
        .decode(compact.as_bytes())
        .map_err(|_| value_error(F, format!("`{s}` is not base64")))?;
    let text = match encoding {
        "ASCII" => bytes
            .iter()
            .map(|&b| if b.is_ascii() { char::from(b) } else { '?' })
            .collect(),
        "UTF8" => String::from_utf8_lossy(&bytes).into_owned(),
        _ => {
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|p| match p {
                    [lo, hi] => u16::from_le_bytes([*lo, *hi]),
                    _ => 0xFFFD,
                })
                .collect();
            String::from_utf16_lossy(&units)
        }
    };
    Ok(Value::from(text))
}

/// Reading: a string is encoded as UTF-16LE ("Unicode", as the reference's example shows)
/// before base64; a binary value (objectGUID in the out-of-box rules) is base64 of its
/// bytes.
fn convert_to_base64(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    if let Value::Bin(b) = scalar(args, 0) {
        return Ok(Value::from(BASE64.encode(b)));
    }
    let Some(s) = str_arg("ConvertToBase64", args, 0)? else {
        return Ok(Value::Null);
    };
    let bytes: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
    Ok(Value::from(BASE64.encode(bytes)))
}

/// Reading: hex digits of either case; an odd count or a non-hex character is an error;
/// bytes that are not UTF-8 become U+FFFD.
fn convert_from_utf8_hex(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "ConvertFromUTF8Hex";
    let Some(s) = str_arg(F, args, 0)? else {
        return Ok(Value::Null);
    };
    let not_hex = || value_error(F, format!("`{s}` is not UTF-8 hex"));
    let digits = s.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return Err(not_hex());
    }
    let bytes = digits
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .filter(|_| pair.iter().all(u8::is_ascii_hexdigit))
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(not_hex)?;
    Ok(Value::from(String::from_utf8_lossy(&bytes).into_owned()))
}

fn convert_to_utf8_hex(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    let Some(s) = str_arg("ConvertToUTF8Hex", args, 0)? else {
        return Ok(Value::Null);
    };
    Ok(Value::from(upper_hex(s.as_bytes())))
}

fn upper_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02X}");
    }
    out
}

/// Reading: a number is itself; a string per [`parse_num`] (anything else is an error); a
/// binary value (the device rule's `CNum(Mid([searchableDeviceKey],5,2))`) is its 1 to 8
/// bytes read as an unsigned little-endian integer (8 bytes with the top bit set wrap to a
/// negative number); an empty or longer binary is an error.
fn cnum(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    match scalar(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Num(n) => Ok(Value::Num(*n)),
        Value::Str(s) => parse_num(s)
            .map(Value::Num)
            .ok_or_else(|| value_error("CNum", format!("`{s}` is not a number"))),
        Value::Bin(b) => {
            if b.is_empty() || b.len() > 8 {
                return Err(value_error(
                    "CNum",
                    format!(
                        "a binary value of {} bytes is not a number (1 to 8)",
                        b.len()
                    ),
                ));
            }
            let mut le = [0u8; 8];
            for (slot, byte) in le.iter_mut().zip(b.iter()) {
                *slot = *byte;
            }
            Ok(Value::Num(i64::from_le_bytes(le)))
        }
        v => Err(type_error("CNum", 0, "a string", v)),
    }
}

fn cref(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(str_arg("CRef", args, 0)?.map_or(Value::Null, Value::reference))
}

/// Reading: numbers in decimal, Booleans `True`/`False`, references as their DN, strings as
/// themselves, binary values in base64 and dates in RFC 3339 UTC (`2012-01-01T23:00:00Z`,
/// fractions only when non-zero): the same text `&` gives.
fn cstr(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    match scalar(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Str(s) => Ok(Value::Str(s.clone())),
        v @ (Value::Num(_)
        | Value::Bool(_)
        | Value::Ref(_)
        | Value::Bin(_)
        | Value::DateTime(_)
        | Value::Multi(_)) => Ok(Value::from(v.to_string())),
        v => Err(type_error("CStr", 0, "a value", v)),
    }
}

/// Reading: .NET `Guid.ToString()`'s default form: lowercase, hyphenated, no braces
/// (`a1b2c3d4-...`), from the `Guid.ToByteArray()` layout. Anything but 16 bytes is an
/// error.
fn string_from_guid(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "StringFromGuid";
    let Some(b) = bin_arg(F, args, 0)? else {
        return Ok(Value::Null);
    };
    let bytes: [u8; 16] = b
        .try_into()
        .map_err(|_| value_error(F, format!("a GUID has 16 bytes, not {}", b.len())))?;
    Ok(Value::from(
        uuid::Uuid::from_bytes_le(bytes).hyphenated().to_string(),
    ))
}

/// The binary SID layout (MS-DTYP 2.4.2.2): revision, sub-authority count, a 48-bit
/// big-endian identifier authority, then 32-bit little-endian sub-authorities.
///
/// Reading: as .NET's `SecurityIdentifier`: the revision must be 1 and there are at most
/// 15 sub-authorities; an authority of 2^32 or more is written in hex (`0x...`); bytes after
/// the SID are ignored; too few bytes is an error.
fn string_from_sid(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "StringFromSid";
    let Some(b) = bin_arg(F, args, 0)? else {
        return Ok(Value::Null);
    };
    let bad = |why: &str| value_error(F, format!("not a SID: {why}"));
    let (&revision, &count) = match b {
        [r, c, ..] => (r, c),
        _ => return Err(bad("too short")),
    };
    if revision != 1 {
        return Err(bad("revision is not 1"));
    }
    if count > 15 {
        return Err(bad("more than 15 sub-authorities"));
    }
    let count = usize::from(count);
    let authority = b
        .get(2..8)
        .ok_or_else(|| bad("too short"))?
        .iter()
        .fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
    let subs = b
        .get(8..8 + 4 * count)
        .ok_or_else(|| bad("shorter than its sub-authority count"))?;
    let mut out = if authority < 1 << 32 {
        format!("S-1-{authority}")
    } else {
        format!("S-1-0x{authority:012X}")
    };
    for chunk in subs.chunks_exact(4) {
        let mut le = [0u8; 4];
        le.copy_from_slice(chunk);
        out.push('-');
        out.push_str(&u32::from_le_bytes(le).to_string());
    }
    Ok(Value::from(out))
}

/// Reading: the little-endian two's-complement encoding of `value` in `byteCount` bytes
/// (1..=8), so `CBin(Len(x),2) & CBin(2,1)` builds a length-prefixed blob. A value that
/// fits neither signed nor unsigned in that many bytes is an error rather than silently
/// truncated (`CBin(255,1)` and `CBin(-1,1)` are both `FF`; `CBin(256,1)` fails).
fn cbin(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "CBin";
    let (Some(value), Some(count)) = (num_arg(F, args, 0)?, num_arg(F, args, 1)?) else {
        return Ok(Value::Null);
    };
    let n = match usize::try_from(count) {
        Ok(n @ 1..=8) => n,
        _ => return Err(value_error(F, format!("byte count {count} is not 1 to 8"))),
    };
    if n < 8 {
        let bits = 8 * u32::try_from(n).unwrap_or(8);
        let min = -(1i64 << (bits - 1));
        let max = (1i64 << bits) - 1;
        if value < min || value > max {
            return Err(value_error(F, format!("{value} does not fit in {n} bytes")));
        }
    }
    let bytes = value.to_le_bytes();
    Ok(Value::bin(bytes.get(..n).unwrap_or(&bytes)))
}

/// Reading: the SHA-1 digest (20 bytes) of the data; a string is hashed as its UTF-8 bytes.
fn thumbprint(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    let data: Cow<'_, [u8]> = match scalar(args, 0) {
        Value::Bin(b) => Cow::Borrowed(b),
        _ => match str_arg("Thumbprint", args, 0)? {
            Some(s) => Cow::Owned(s.into_owned().into_bytes()),
            None => return Ok(Value::Null),
        },
    };
    Ok(Value::bin(Sha1::digest(&data)))
}

// ---------------------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------------------

pub(super) const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "CBool",
        group: Group::Conversion,
        sigs: &[Sig::new(&[Param::Exp], Ret::Ty(Ty::BOOL))],
        maps: false,
        pure: true,
        imp: Some(cbool),
        doc: "Returns True when the expression evaluates to a non-zero value or True, else False; null stays null.",
        example: "CBool([attrib1] = [attrib2])",
    },
    Builtin {
        name: "CDate",
        group: Group::Conversion,
        sigs: &[Sig::new(&[Param::Ty(Ty::STR)], Ret::Ty(Ty::DT))],
        maps: true,
        pure: true,
        imp: Some(cdate),
        doc: "Parses a string holding a date, a time and optionally a time zone into a UTC date and time.",
        example: r#"CDate("2013-01-10 4:00 PM -8")"#,
    },
    Builtin {
        name: "CGuid",
        group: Group::Conversion,
        sigs: &[Sig::new(&[Param::Ty(Ty::STR)], Ret::Ty(Ty::BIN))],
        maps: true,
        pure: true,
        imp: Some(cguid),
        doc: "Converts the string form of a GUID (with or without braces) to its 16-byte binary form.",
        example: r#"CGuid("{a1b2c3d4-e5f6-4711-8899-aabbccddeeff}")"#,
    },
    Builtin {
        name: "ConvertFromBase64",
        group: Group::Conversion,
        sigs: &[
            Sig::new(&[Param::Ty(Ty::STR)], Ret::Ty(Ty::STR)),
            Sig::new(
                &[Param::Ty(Ty::STR), Param::Enum(ENCODINGS)],
                Ret::Ty(Ty::STR),
            ),
        ],
        maps: true,
        pure: true,
        imp: Some(convert_from_base64),
        doc: "Decodes base64 text to a string in the given encoding (Unicode, ASCII or UTF8; Unicode by default).",
        example: r#"ConvertFromBase64("SGVsbG8gd29ybGQh", UTF8)"#,
    },
    Builtin {
        name: "ConvertToBase64",
        group: Group::Conversion,
        sigs: &[
            Sig::new(&[Param::Ty(Ty::STR)], Ret::Ty(Ty::STR)),
            Sig::new(&[Param::Ty(Ty::BIN)], Ret::Ty(Ty::STR)),
        ],
        maps: true,
        pure: true,
        imp: Some(convert_to_base64),
        doc: "Encodes a string (as UTF-16LE) or a binary value (its bytes) in base64.",
        example: r#"ConvertToBase64("Hello world!")"#,
    },
    Builtin {
        name: "ConvertFromUTF8Hex",
        group: Group::Conversion,
        sigs: &[Sig::new(&[Param::Ty(Ty::STR)], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(convert_from_utf8_hex),
        doc: "Decodes a string of hexadecimal UTF-8 bytes, the DN-friendly form Entra ID uses.",
        example: r#"ConvertFromUTF8Hex("48656C6C6F20776F726C6421")"#,
    },
    Builtin {
        name: "ConvertToUTF8Hex",
        group: Group::Conversion,
        sigs: &[Sig::new(&[Param::Ty(Ty::STR)], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(convert_to_utf8_hex),
        doc: "Encodes a string as its UTF-8 bytes in uppercase hexadecimal, the DN-friendly form Entra ID uses.",
        example: r#"ConvertToUTF8Hex("Hello world!")"#,
    },
    Builtin {
        name: "CNum",
        group: Group::Conversion,
        sigs: &[
            Sig::new(&[Param::Ty(Ty::STR)], Ret::Ty(Ty::NUM)),
            Sig::new(&[Param::Ty(Ty::BIN)], Ret::Ty(Ty::NUM)),
            Sig::new(&[Param::Ty(Ty::NUM)], Ret::Ty(Ty::NUM)),
        ],
        maps: true,
        pure: true,
        imp: Some(cnum),
        doc: "Converts a decimal or &H hexadecimal string, or 1 to 8 little-endian bytes, to a number.",
        example: r#"CNum("42")"#,
    },
    Builtin {
        name: "CRef",
        group: Group::Conversion,
        sigs: &[Sig::new(&[Param::Ty(Ty::STR)], Ret::Ty(Ty::REF))],
        maps: true,
        pure: true,
        imp: Some(cref),
        doc: "Converts a string (a DN) to a reference.",
        example: r#"CRef("CN=LC Services,CN=Microsoft,CN=lcspool01,CN=Pools,CN=RTC Service," & %Forest.LDAP%)"#,
    },
    Builtin {
        name: "CStr",
        group: Group::Conversion,
        sigs: &[
            Sig::new(&[Param::Ty(Ty::NUM)], Ret::Ty(Ty::STR)),
            Sig::new(&[Param::Ty(Ty::REF)], Ret::Ty(Ty::STR)),
            Sig::new(&[Param::Ty(Ty::BOOL)], Ret::Ty(Ty::STR)),
            Sig::new(&[Param::Ty(Ty::STR)], Ret::Ty(Ty::STR)),
            Sig::new(&[Param::Ty(Ty::BIN)], Ret::Ty(Ty::STR)),
            Sig::new(&[Param::Ty(Ty::DT)], Ret::Ty(Ty::STR)),
        ],
        maps: true,
        pure: true,
        imp: Some(cstr),
        doc: "Converts a number, reference, Boolean, string, binary (base64) or date (RFC 3339) to a string.",
        example: "CStr([dn])",
    },
    Builtin {
        name: "StringFromGuid",
        group: Group::Conversion,
        sigs: &[Sig::new(&[Param::Ty(Ty::BIN)], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(string_from_guid),
        doc: "Converts a 16-byte binary GUID to its lowercase hyphenated string form.",
        example: "StringFromGuid([objectGUID])",
    },
    Builtin {
        name: "StringFromSid",
        group: Group::Conversion,
        sigs: &[Sig::new(&[Param::Ty(Ty::BIN)], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(string_from_sid),
        doc: "Converts a binary security identifier to its S-1-5-21-... string form.",
        example: "StringFromSid([objectSid])",
    },
    Builtin {
        name: "CBin",
        group: Group::Undocumented,
        sigs: &[Sig::new(
            &[Param::Ty(Ty::NUM), Param::Ty(Ty::NUM)],
            Ret::Ty(Ty::BIN),
        )],
        maps: true,
        pure: true,
        imp: Some(cbin),
        doc: "Encodes a number as byteCount (1 to 8) little-endian two's-complement bytes.",
        example: "CBin(Len([searchableDeviceKey]),2) & CBin(2,1)",
    },
    Builtin {
        name: "Thumbprint",
        group: Group::Undocumented,
        sigs: &[
            Sig::new(&[Param::Ty(Ty::BIN)], Ret::Ty(Ty::BIN)),
            Sig::new(&[Param::Ty(Ty::STR)], Ret::Ty(Ty::BIN)),
        ],
        maps: true,
        pure: true,
        imp: Some(thumbprint),
        doc: "The 20-byte SHA-1 digest of binary data (or of a string's UTF-8 bytes).",
        example: "Thumbprint([searchableDeviceKey])",
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

    fn dt(y: i32, mo: u32, d: u32, h: u32, mi: u32, se: u32) -> Value {
        Value::DateTime(Utc.with_ymd_and_hms(y, mo, d, h, mi, se).unwrap())
    }

    fn multi(items: &[Value]) -> Value {
        Value::multi(items.to_vec())
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
            "CBool",
            "CDate",
            "CGuid",
            "ConvertFromBase64",
            "ConvertToBase64",
            "ConvertFromUTF8Hex",
            "ConvertToUTF8Hex",
            "CNum",
            "CRef",
            "CStr",
            "StringFromGuid",
            "StringFromSid",
        ] {
            let b = lookup(name).unwrap();
            assert_eq!(b.group, Group::Conversion, "{name}");
            assert!(b.pure && b.imp.is_some(), "{name}");
        }
        for name in ["CBin", "Thumbprint"] {
            assert_eq!(lookup(name).unwrap().group, Group::Undocumented);
        }
        assert!(!lookup("CBool").unwrap().maps);
        assert!(lookup("CStr").unwrap().maps);
    }

    #[test]
    fn cbool() {
        assert_eq!(ok("CBool", &[Value::Num(5)]), Value::Bool(true));
        assert_eq!(ok("CBool", &[Value::Num(0)]), Value::Bool(false));
        // CBool(BitAnd([groupType],-2147483648)) on a security group.
        assert_eq!(ok("CBool", &[Value::Num(-2147483648)]), Value::Bool(true));
        assert_eq!(ok("CBool", &[Value::Bool(true)]), Value::Bool(true));
        assert_eq!(ok("CBool", &[Value::Bool(false)]), Value::Bool(false));
        assert_eq!(ok("CBool", &[s("True")]), Value::Bool(true));
        assert_eq!(ok("CBool", &[s("false")]), Value::Bool(false));
        assert_eq!(ok("CBool", &[s(" 2 ")]), Value::Bool(true));
        assert_eq!(ok("CBool", &[s("0")]), Value::Bool(false));
        assert_eq!(ok("CBool", &[Value::Null]), Value::Null);
        assert_eq!(ok("CBool", &[multi(&[Value::Num(1)])]), Value::Bool(true));
        assert!(value_err(run("CBool", &[s("yes")])).contains("not a Boolean"));
        assert!(matches!(
            run("CBool", &[Value::bin([1])]),
            Err(FnError::Type { .. })
        ));
    }

    #[test]
    fn cdate_reference_examples() {
        // "Returns a DateTime representing 2013-01-11 12:00 AM".
        assert_eq!(
            ok("CDate", &[s("2013-01-10 4:00 PM -8")]),
            dt(2013, 1, 11, 0, 0, 0)
        );
        assert_eq!(ok("CDate", &[s("12/25/2007")]), dt(2007, 12, 25, 0, 0, 0));
        assert_eq!(ok("CDate", &[s("2001-01-01")]), dt(2001, 1, 1, 0, 0, 0));
        assert_eq!(
            ok("CDate", &[s("2012-01-01 23:00:00")]),
            dt(2012, 1, 1, 23, 0, 0)
        );
    }

    #[test]
    fn cdate_forms() {
        let cases = [
            ("2012-01-01T23:00:00Z", dt(2012, 1, 1, 23, 0, 0)),
            ("2012-01-01T23:00:00+02:00", dt(2012, 1, 1, 21, 0, 0)),
            ("2012-01-01T23:00:00", dt(2012, 1, 1, 23, 0, 0)),
            ("2012-01-01T23:00", dt(2012, 1, 1, 23, 0, 0)),
            ("2012-01-01 23:00:00 UTC", dt(2012, 1, 1, 23, 0, 0)),
            ("2012-01-01 23:00 GMT+1", dt(2012, 1, 1, 22, 0, 0)),
            ("2012-01-01 23:00 +0130", dt(2012, 1, 1, 21, 30, 0)),
            ("2012/1/2", dt(2012, 1, 2, 0, 0, 0)),
            ("1/2/2012 11:05:09 PM", dt(2012, 1, 2, 23, 5, 9)),
            ("1/2/2012 12:00 AM", dt(2012, 1, 2, 0, 0, 0)),
            ("1/2/2012 12:30 PM", dt(2012, 1, 2, 12, 30, 0)),
            ("12-25-2007", dt(2007, 12, 25, 0, 0, 0)),
            ("12/25/07", dt(2007, 12, 25, 0, 0, 0)),
            ("12/25/69", dt(1969, 12, 25, 0, 0, 0)),
            ("25.12.2007", dt(2007, 12, 25, 0, 0, 0)),
            ("25 Dec 2007", dt(2007, 12, 25, 0, 0, 0)),
            ("25-Dec-2007 10:00", dt(2007, 12, 25, 10, 0, 0)),
            ("25.Dec.2007", dt(2007, 12, 25, 0, 0, 0)),
            ("Dec. 25, 2007 4:00PM", dt(2007, 12, 25, 16, 0, 0)),
            ("1/2/2012 10:00Z", dt(2012, 1, 2, 10, 0, 0)),
            ("December 25, 2007", dt(2007, 12, 25, 0, 0, 0)),
            (
                "Tuesday, December 25, 2007 4 PM",
                dt(2007, 12, 25, 16, 0, 0),
            ),
            ("Tue, 25 Dec 2007 10:00:00 GMT", dt(2007, 12, 25, 10, 0, 0)),
            ("20140905081453.0Z", dt(2014, 9, 5, 8, 14, 53)),
            ("20140905081453Z", dt(2014, 9, 5, 8, 14, 53)),
            ("20140905081453.0-0200", dt(2014, 9, 5, 10, 14, 53)),
            ("  2001-01-01  ", dt(2001, 1, 1, 0, 0, 0)),
        ];
        for (text, want) in cases {
            assert_eq!(ok("CDate", &[s(text)]), want, "{text}");
        }
        assert_eq!(
            ok("CDate", &[s("2012-01-01 23:00:00.1234567")]),
            Value::DateTime(
                Utc.with_ymd_and_hms(2012, 1, 1, 23, 0, 0).unwrap()
                    + TimeDelta::nanoseconds(123_456_700)
            )
        );
    }

    #[test]
    fn cdate_rejects() {
        for text in [
            "",
            "hello",
            "2012-13-01",
            "2012-02-30",
            "13/25/2007",
            "2012-01-01 25:00",
            "2012-01-01 13:00 PM",
            "2012-01-01 4:00 PM -15",
            "2012-01-01 trailing",
            "2012-01-01T",
            "12345",
            "20141305081453.0Z",
        ] {
            assert!(
                value_err(run("CDate", &[s(text)])).contains("is not a date"),
                "{text}"
            );
        }
    }

    #[test]
    fn cdate_null_date_and_multi() {
        assert_eq!(ok("CDate", &[Value::Null]), Value::Null);
        let d = dt(2001, 1, 1, 0, 0, 0);
        assert_eq!(ok("CDate", std::slice::from_ref(&d)), d);
        assert_eq!(
            ok("CDate", &[multi(&[s("2001-01-01"), s("12/25/2007")])]),
            multi(&[d, dt(2007, 12, 25, 0, 0, 0)])
        );
    }

    const GUID: &str = "a1b2c3d4-e5f6-4711-8899-aabbccddeeff";
    const GUID_BYTES: [u8; 16] = [
        0xd4, 0xc3, 0xb2, 0xa1, 0xf6, 0xe5, 0x11, 0x47, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
        0xff,
    ];

    #[test]
    fn cguid() {
        assert_eq!(ok("CGuid", &[s(GUID)]), Value::bin(GUID_BYTES));
        assert_eq!(
            ok("CGuid", &[s("{A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF}")]),
            Value::bin(GUID_BYTES)
        );
        assert_eq!(ok("CGuid", &[Value::Null]), Value::Null);
        for bad in [
            "a1b2c3d4e5f647118899aabbccddeeff",
            "{a1b2c3d4-e5f6-4711-8899-aabbccddeeff",
            "a1b2c3d4-e5f6-4711-8899-aabbccddeefg",
            "urn:uuid:a1b2c3d4-e5f6-4711-8899-aabbccddeeff",
        ] {
            assert!(
                value_err(run("CGuid", &[s(bad)])).contains("not a GUID"),
                "{bad}"
            );
        }
    }

    #[test]
    fn string_from_guid() {
        assert_eq!(ok("StringFromGuid", &[Value::bin(GUID_BYTES)]), s(GUID));
        assert_eq!(ok("StringFromGuid", &[Value::Null]), Value::Null);
        assert!(value_err(run("StringFromGuid", &[Value::bin([1, 2, 3])])).contains("16 bytes"));
        // Round trip.
        let b = ok("CGuid", &[s("{00112233-4455-6677-8899-AABBCCDDEEFF}")]);
        assert_eq!(
            ok("StringFromGuid", &[b]),
            s("00112233-4455-6677-8899-aabbccddeeff")
        );
        assert_eq!(
            ok("StringFromGuid", &[multi(&[Value::bin(GUID_BYTES)])]),
            multi(&[s(GUID)])
        );
    }

    fn sid_bytes(authority: u64, subs: &[u32]) -> Vec<u8> {
        let mut b = vec![1, subs.len() as u8];
        b.extend_from_slice(&authority.to_be_bytes()[2..]);
        for sub in subs {
            b.extend_from_slice(&sub.to_le_bytes());
        }
        b
    }

    #[test]
    fn string_from_sid() {
        let domain_user = sid_bytes(5, &[21, 1004336348, 1177238915, 682003330, 1108]);
        assert_eq!(
            ok("StringFromSid", &[Value::bin(&domain_user)]),
            s("S-1-5-21-1004336348-1177238915-682003330-1108")
        );
        assert_eq!(
            ok("StringFromSid", &[Value::bin(sid_bytes(5, &[32, 544]))]),
            s("S-1-5-32-544")
        );
        assert_eq!(
            ok("StringFromSid", &[Value::bin(sid_bytes(1, &[0]))]),
            s("S-1-1-0")
        );
        assert_eq!(
            ok(
                "StringFromSid",
                &[Value::bin(sid_bytes(0x1_0000_0000, &[7]))]
            ),
            s("S-1-0x000100000000-7")
        );
        let mut trailing = sid_bytes(5, &[18]);
        trailing.extend_from_slice(&[9, 9]);
        assert_eq!(ok("StringFromSid", &[Value::bin(&trailing)]), s("S-1-5-18"));
        assert_eq!(ok("StringFromSid", &[Value::Null]), Value::Null);
        assert!(value_err(run("StringFromSid", &[Value::bin([1])])).contains("too short"));
        let short = &domain_user[..domain_user.len() - 1];
        assert!(value_err(run("StringFromSid", &[Value::bin(short)])).contains("count"));
        let mut rev2 = sid_bytes(5, &[18]);
        rev2[0] = 2;
        assert!(value_err(run("StringFromSid", &[Value::bin(&rev2)])).contains("revision"));
    }

    #[test]
    fn convert_from_base64() {
        let hello = s("Hello world!");
        assert_eq!(
            ok(
                "ConvertFromBase64",
                &[s("SABlAGwAbABvACAAdwBvAHIAbABkACEA")]
            ),
            hello
        );
        assert_eq!(
            ok("ConvertFromBase64", &[s("SGVsbG8gd29ybGQh"), s("UTF8")]),
            hello
        );
        assert_eq!(
            ok("ConvertFromBase64", &[s("SGVsbG8gd29ybGQh"), s("ascii")]),
            hello
        );
        assert_eq!(
            ok(
                "ConvertFromBase64",
                &[s("SABlAGwAbABvACAAdwBvAHIAbABkACEA"), s("Unicode")]
            ),
            hello
        );
        assert_eq!(
            ok("ConvertFromBase64", &[s("SGVs bG8g\nd29ybGQh"), s("UTF8")]),
            hello
        );
        // "é" in UTF-8 read as ASCII.
        assert_eq!(ok("ConvertFromBase64", &[s("w6k="), s("ASCII")]), s("??"));
        assert_eq!(ok("ConvertFromBase64", &[s("w6k="), s("UTF8")]), s("é"));
        assert_eq!(ok("ConvertFromBase64", &[s("QQ==")]), s("\u{FFFD}"));
        assert_eq!(ok("ConvertFromBase64", &[Value::Null]), Value::Null);
        assert!(value_err(run("ConvertFromBase64", &[s("not base64!")])).contains("base64"));
        assert!(
            value_err(run("ConvertFromBase64", &[s("QQ=="), s("EBCDIC")])).contains("not one of")
        );
        assert_eq!(
            ok(
                "ConvertFromBase64",
                &[multi(&[s("SGVsbG8gd29ybGQh"), s("QQ==")]), s("UTF8")]
            ),
            multi(&[hello, s("A")])
        );
    }

    #[test]
    fn convert_to_base64() {
        assert_eq!(
            ok("ConvertToBase64", &[s("Hello world!")]),
            s("SABlAGwAbABvACAAdwBvAHIAbABkACEA")
        );
        assert_eq!(
            ok("ConvertToBase64", &[Value::bin(GUID_BYTES)]),
            s("1MOyofblEUeImaq7zN3u/w==")
        );
        assert_eq!(ok("ConvertToBase64", &[s("")]), s(""));
        assert_eq!(ok("ConvertToBase64", &[Value::Null]), Value::Null);
        assert_eq!(
            ok(
                "ConvertToBase64",
                &[multi(&[Value::bin([0xff]), Value::bin([0])])]
            ),
            multi(&[s("/w=="), s("AA==")])
        );
    }

    #[test]
    fn utf8_hex() {
        assert_eq!(
            ok("ConvertFromUTF8Hex", &[s("48656C6C6F20776F726C6421")]),
            s("Hello world!")
        );
        assert_eq!(
            ok("ConvertToUTF8Hex", &[s("Hello world!")]),
            s("48656C6C6F20776F726C6421")
        );
        assert_eq!(ok("ConvertToUTF8Hex", &[s("é")]), s("C3A9"));
        assert_eq!(ok("ConvertFromUTF8Hex", &[s("c3a9")]), s("é"));
        assert_eq!(ok("ConvertFromUTF8Hex", &[s("")]), s(""));
        assert_eq!(ok("ConvertFromUTF8Hex", &[Value::Null]), Value::Null);
        assert_eq!(ok("ConvertToUTF8Hex", &[Value::Null]), Value::Null);
        for bad in ["ABC", "4G", "+1", "é1"] {
            assert!(
                value_err(run("ConvertFromUTF8Hex", &[s(bad)])).contains("UTF-8 hex"),
                "{bad}"
            );
        }
        // sourceAnchor in the corpus's "CN={" & ConvertToUTF8Hex([sourceAnchor]) & "}".
        let anchor = "1MOyofblEUeImaq7zN3u/w==";
        let expected: String = anchor.bytes().map(|b| format!("{b:02X}")).collect();
        assert_eq!(ok("ConvertToUTF8Hex", &[s(anchor)]), s(&expected));
        assert_eq!(ok("ConvertFromUTF8Hex", &[s(&expected)]), s(anchor));
        assert_eq!(
            ok("ConvertToUTF8Hex", &[multi(&[s("A"), s("B")])]),
            multi(&[s("41"), s("42")])
        );
    }

    #[test]
    fn cnum() {
        assert_eq!(ok("CNum", &[s("42")]), Value::Num(42));
        assert_eq!(ok("CNum", &[s(" -17 ")]), Value::Num(-17));
        assert_eq!(ok("CNum", &[s("+5")]), Value::Num(5));
        assert_eq!(ok("CNum", &[s("&HFF")]), Value::Num(255));
        assert_eq!(ok("CNum", &[s("&hff")]), Value::Num(255));
        assert_eq!(ok("CNum", &[s("&HFFFFFFFFFFFFFFFF")]), Value::Num(-1));
        assert_eq!(ok("CNum", &[Value::Num(7)]), Value::Num(7));
        assert_eq!(ok("CNum", &[Value::Null]), Value::Null);
        for bad in [
            "",
            "abc",
            "1.5",
            "1e3",
            "1,000",
            "&H",
            "&HXYZ",
            "99999999999999999999",
        ] {
            assert!(
                value_err(run("CNum", &[s(bad)])).contains("not a number"),
                "{bad}"
            );
        }
        // Binary: unsigned little-endian.
        assert_eq!(ok("CNum", &[Value::bin([0])]), Value::Num(0));
        assert_eq!(ok("CNum", &[Value::bin([0x20, 0x01])]), Value::Num(0x120));
        assert_eq!(ok("CNum", &[Value::bin([0xff, 0xff])]), Value::Num(65535));
        assert_eq!(ok("CNum", &[Value::bin([0xff; 8])]), Value::Num(-1));
        assert!(value_err(run("CNum", &[Value::bin([])])).contains("0 bytes"));
        assert!(value_err(run("CNum", &[Value::bin([0; 9])])).contains("9 bytes"));
        assert!(matches!(
            run("CNum", &[Value::Bool(true)]),
            Err(FnError::Type { .. })
        ));
        assert_eq!(
            ok("CNum", &[multi(&[s("1"), s("2")])]),
            multi(&[Value::Num(1), Value::Num(2)])
        );
    }

    #[test]
    fn cref() {
        assert_eq!(
            ok(
                "CRef",
                &[s("CN=LC Services,CN=Microsoft,DC=contoso,DC=com")]
            ),
            Value::reference("CN=LC Services,CN=Microsoft,DC=contoso,DC=com")
        );
        assert_eq!(
            ok("CRef", &[Value::reference("cn=a")]),
            Value::reference("cn=a")
        );
        assert_eq!(ok("CRef", &[Value::Null]), Value::Null);
        assert_eq!(
            ok("CRef", &[multi(&[s("cn=a"), s("cn=b")])]),
            multi(&[Value::reference("cn=a"), Value::reference("cn=b")])
        );
    }

    #[test]
    fn cstr() {
        assert_eq!(
            ok("CStr", &[Value::reference("cn=Joe,dc=contoso,dc=com")]),
            s("cn=Joe,dc=contoso,dc=com")
        );
        assert_eq!(ok("CStr", &[Value::Num(-42)]), s("-42"));
        assert_eq!(ok("CStr", &[Value::Bool(true)]), s("True"));
        assert_eq!(ok("CStr", &[Value::Bool(false)]), s("False"));
        assert_eq!(ok("CStr", &[s("x")]), s("x"));
        assert_eq!(
            ok("CStr", &[Value::bin(GUID_BYTES)]),
            s("1MOyofblEUeImaq7zN3u/w==")
        );
        assert_eq!(
            ok("CStr", &[dt(2012, 1, 1, 23, 0, 0)]),
            s("2012-01-01T23:00:00Z")
        );
        assert_eq!(ok("CStr", &[Value::Null]), Value::Null);
        assert_eq!(
            ok("CStr", &[multi(&[Value::Num(1), Value::Bool(true)])]),
            multi(&[s("1"), s("True")])
        );
        assert!(matches!(
            run("CStr", &[Value::Ignore]),
            Err(FnError::Type { .. })
        ));
    }

    #[test]
    fn cbin() {
        assert_eq!(ok("CBin", &[Value::Num(2), Value::Num(1)]), Value::bin([2]));
        assert_eq!(
            ok("CBin", &[Value::Num(20), Value::Num(2)]),
            Value::bin([20, 0])
        );
        assert_eq!(
            ok("CBin", &[Value::Num(0x0102), Value::Num(2)]),
            Value::bin([2, 1])
        );
        assert_eq!(
            ok("CBin", &[Value::Num(255), Value::Num(1)]),
            Value::bin([0xff])
        );
        assert_eq!(
            ok("CBin", &[Value::Num(-1), Value::Num(1)]),
            Value::bin([0xff])
        );
        assert_eq!(
            ok("CBin", &[Value::Num(-128), Value::Num(1)]),
            Value::bin([0x80])
        );
        assert_eq!(
            ok("CBin", &[Value::Num(-1), Value::Num(8)]),
            Value::bin([0xff; 8])
        );
        assert_eq!(
            ok("CBin", &[Value::Num(i64::MIN), Value::Num(8)]),
            Value::bin([0, 0, 0, 0, 0, 0, 0, 0x80])
        );
        assert!(value_err(run("CBin", &[Value::Num(256), Value::Num(1)])).contains("does not fit"));
        assert!(
            value_err(run("CBin", &[Value::Num(-129), Value::Num(1)])).contains("does not fit")
        );
        for n in [0, 9, -1] {
            assert!(value_err(run("CBin", &[Value::Num(1), Value::Num(n)])).contains("not 1 to 8"));
        }
        assert_eq!(ok("CBin", &[Value::Null, Value::Num(2)]), Value::Null);
        assert_eq!(ok("CBin", &[Value::Num(1), Value::Null]), Value::Null);
        assert_eq!(
            ok(
                "CBin",
                &[multi(&[Value::Num(1), Value::Num(2)]), Value::Num(1)]
            ),
            multi(&[Value::bin([1]), Value::bin([2])])
        );
    }

    #[test]
    fn thumbprint() {
        // SHA-1("abc") = a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d (FIPS 180 example).
        let abc = [
            0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e, 0x25, 0x71, 0x78, 0x50,
            0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d,
        ];
        assert_eq!(ok("Thumbprint", &[Value::bin(b"abc")]), Value::bin(abc));
        assert_eq!(ok("Thumbprint", &[s("abc")]), Value::bin(abc));
        assert_eq!(ok("Thumbprint", &[Value::Null]), Value::Null);
        let empty = ok("Thumbprint", &[Value::bin([])]);
        assert_eq!(
            ok("ConvertToBase64", &[empty]),
            s("2jmj7l5rSw0yVb/vlWAYkK/YBwk=")
        );
        assert_eq!(
            ok("Thumbprint", &[multi(&[Value::bin(b"abc"), s("abc")])]),
            multi(&[Value::bin(abc), Value::bin(abc)])
        );
    }

    /// The device rule's `searchableDeviceKey` rewrite, step by step on a small key.
    #[test]
    fn searchable_device_key_pieces() {
        // Version 0, 4 header bytes, then a 2-byte little-endian length (3) and a pad byte.
        let key = [0u8, 1, 2, 3, 3, 0, 9, b'a', b'b', b'c', b'x', b'y'];
        assert_eq!(ok("CNum", &[Value::bin(&key[0..1])]), Value::Num(0));
        assert_eq!(ok("CNum", &[Value::bin(&key[4..6])]), Value::Num(3));
        let hash = ok("Thumbprint", &[Value::bin(&key[10..])]);
        let Value::Bin(h) = &hash else { panic!() };
        assert_eq!(h.len(), 20);
        assert_eq!(
            ok("CBin", &[Value::Num(h.len() as i64), Value::Num(2)]),
            Value::bin([20, 0])
        );
    }

    #[test]
    fn parse_helpers() {
        assert_eq!(parse_num("&H7FFFFFFFFFFFFFFF"), Some(i64::MAX));
        assert_eq!(parse_num("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_num("-&H1"), None);
        assert!(parse_guid(GUID).is_some());
        assert!(parse_guid(" {a1b2c3d4-e5f6-4711-8899-aabbccddeeff} ").is_some());
        assert!(parse_date("2013-01-10 4:00 PM -8").is_some());
        assert!(parse_date("nope").is_none());
    }
}
