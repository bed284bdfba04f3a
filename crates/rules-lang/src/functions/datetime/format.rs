//! `FormatDateTime`: .NET's `DateTime.ToString(format)` with the invariant culture.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::functions::{CallCtx, FnError, dt_arg, str_arg, value_error};
use crate::value::Value;

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
pub(super) fn format_date_time(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "FormatDateTime";
    let dt = dt_arg(F, args, 0)?;
    let format = str_arg(F, args, 1)?;
    let (Some(dt), Some(format)) = (dt, format) else {
        return Ok(Value::Null);
    };
    format_dotnet(&dt, &format)
        .map(Value::from)
        .map_err(|why| value_error(F, format!("bad format `{format}`: {why}")))
}

/// Why a format is malformed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
enum FormatError {
    /// A one-character format that is no standard format.
    #[error("`{0}` is not a standard format")]
    NotStandard(char),
    /// A run of `f` or `F` longer than seven.
    #[error("more than seven fraction digits")]
    FractionDigits,
    /// A `'` or `"` literal without its closing quote.
    #[error("unclosed quote")]
    UnclosedQuote,
    /// A `\` with nothing after it.
    #[error("trailing `\\`")]
    TrailingBackslash,
    /// A `%` at the end, or before another `%`.
    #[error("`%` must precede a specifier")]
    LonePercent,
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

fn format_dotnet(dt: &DateTime<Utc>, format: &str) -> Result<String, FormatError> {
    let mut chars = format.chars();
    match (chars.next(), chars.next()) {
        (None, _) => format_custom(dt, "MM/dd/yyyy HH:mm:ss"),
        (Some(c), None) => match standard_pattern(c) {
            Some(pattern) => format_custom(dt, pattern),
            None => Err(FormatError::NotStandard(c)),
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
fn specifier(out: &mut String, dt: &DateTime<Utc>, c: char, run: usize) -> Result<(), FormatError> {
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
                return Err(FormatError::FractionDigits);
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

fn format_custom(dt: &DateTime<Utc>, format: &str) -> Result<String, FormatError> {
    let chars: Vec<char> = format.chars().collect();
    let mut out = String::with_capacity(format.len() + 8);
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '\'' | '"' => {
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(FormatError::UnclosedQuote),
                        Some(&q) if q == c => break,
                        Some('\\') => {
                            let escaped = chars.get(i + 1).ok_or(FormatError::TrailingBackslash)?;
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
                let escaped = chars.get(i + 1).ok_or(FormatError::TrailingBackslash)?;
                out.push(*escaped);
                i += 2;
            }
            '%' => {
                match chars.get(i + 1) {
                    Some(&next) if is_specifier(next) => specifier(&mut out, dt, next, 1)?,
                    Some('%') | None => return Err(FormatError::LonePercent),
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

#[cfg(test)]
mod tests;
