//! Slicing and padding: `Left`, `Right`, `Mid`, `Len`, `PadLeft`, `PadRight`.

use crate::functions::{
    CallCtx, FnError, arg, bin_arg, char_arg, num_arg, str_arg, to_num, to_usize, value_error,
};
use crate::value::{MAX_VALUE_BYTES, Value};

/// `Left` and `Right`: 0 gives "", a negative count gives the input, a null string "".
fn left_right(function: &'static str, args: &[Value], left: bool) -> Result<Value, FnError> {
    let Some(s) = str_arg(function, args, 0)? else {
        return Ok(Value::str(""));
    };
    let Some(n) = num_arg(function, args, 1)? else {
        return Ok(Value::Null);
    };
    if n < 0 {
        return Ok(Value::str(s));
    }
    let n = to_usize(n);
    Ok(Value::str(if left {
        left_chars(&s, n)
    } else {
        right_chars(&s, n)
    }))
}

/// The first `n` characters of `s` (all of it when shorter).
pub(crate) fn left_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((end, _)) => s.get(..end).unwrap_or(s),
        None => s,
    }
}

/// The last `n` characters of `s` (all of it when shorter).
pub(crate) fn right_chars(s: &str, n: usize) -> &str {
    if n == 0 {
        return "";
    }
    match s.char_indices().rev().nth(n - 1) {
        Some((start, _)) => s.get(start..).unwrap_or(s),
        None => s,
    }
}

pub(super) fn left(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    left_right("Left", args, true)
}

pub(super) fn right(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    left_right("Right", args, false)
}

/// `Len`: characters of a string, bytes of a binary. Null gives null.
pub(super) fn len(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    if let Some(b) = bin_arg("Len", args, 0).ok().flatten() {
        return Ok(Value::Num(to_num(b.len())));
    }
    Ok(match str_arg("Len", args, 0)? {
        Some(s) => Value::Num(to_num(s.chars().count())),
        None => Value::Null,
    })
}

/// The part of a sequence of `len` items `Mid` returns, by the reference's rules in order:
/// `numChars` = 0 gives nothing, `numChars` < 0 the whole input, `start` past the end the
/// whole input, `start` ≤ 0 the whole input; otherwise as many items as remain, at most
/// `numChars`. `None` for `n` means "to the end" (the two-argument form).
fn mid_range(len: usize, start: i64, n: Option<i64>) -> (usize, usize) {
    match n {
        Some(0) => (0, 0),
        Some(n) if n < 0 => (0, len),
        _ if start > to_num(len) || start <= 0 => (0, len),
        n => {
            let from = to_usize(start - 1);
            let take = n.map_or(len, to_usize).min(len - from);
            (from, take)
        }
    }
}

/// Reading (`Mid`): the reference's rules are followed as written, including "start past the
/// end returns the input string" (VBA would give ""). The reference's own example
/// `Mid(Item(...), 6)` omits `NumChars`: the two-argument form returns the rest of the string.
/// A null string gives "" (also for the binary overload, whose type cannot be told from a
/// null); a null `start` or an explicitly null `NumChars` gives null.
pub(super) fn mid(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "Mid";
    let Some(start) = num_arg(F, args, 1)? else {
        return Ok(if arg(args, 0).is_null() {
            Value::str("")
        } else {
            Value::Null
        });
    };
    let n = num_arg(F, args, 2)?;
    let explicit_null = n.is_none() && args.len() > 2;
    if let Some(b) = bin_arg(F, args, 0).ok().flatten() {
        if explicit_null {
            return Ok(Value::Null);
        }
        let (from, take) = mid_range(b.len(), start, n);
        return Ok(Value::bin(
            b.iter().skip(from).take(take).copied().collect::<Vec<u8>>(),
        ));
    }
    let Some(s) = str_arg(F, args, 0)? else {
        return Ok(Value::str(""));
    };
    if explicit_null {
        return Ok(Value::Null);
    }
    let (from, take) = mid_range(s.chars().count(), start, n);
    Ok(Value::from(
        s.chars().skip(from).take(take).collect::<String>(),
    ))
}

/// `PadLeft` and `PadRight`. Reading: `padCharacter` must be exactly one character (null,
/// empty or longer is an error); a negative length leaves the string unchanged.
fn pad(function: &'static str, args: &[Value], left: bool) -> Result<Value, FnError> {
    let Some(s) = str_arg(function, args, 0)? else {
        return Ok(Value::str(""));
    };
    let Some(length) = num_arg(function, args, 1)? else {
        return Ok(Value::Null);
    };
    let c = char_arg(function, args, 2, "padCharacter")?;
    let len = s.chars().count();
    let missing = to_usize(length.max(0)).saturating_sub(len);
    if missing.saturating_mul(c.len_utf8()).saturating_add(s.len()) > MAX_VALUE_BYTES {
        return Err(value_error(
            function,
            format!("length {length} would make a string longer than {MAX_VALUE_BYTES} bytes"),
        ));
    }
    let fill: String = std::iter::repeat_n(c, missing).collect();
    Ok(Value::from(if left {
        fill + &s
    } else {
        s.into_owned() + &fill
    }))
}

pub(super) fn pad_left(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    pad("PadLeft", args, true)
}

pub(super) fn pad_right(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    pad("PadRight", args, false)
}

#[cfg(test)]
mod tests {
    use crate::functions::args::testing::{err, mv, n, ok, run, s};
    use crate::value::Value;

    #[test]
    fn left_right() {
        assert_eq!(ok("Left", &[s("John Doe"), n(3)]), s("Joh"));
        assert_eq!(ok("Left", &[s("John Doe"), n(0)]), s(""));
        assert_eq!(ok("Left", &[s("John Doe"), n(-1)]), s("John Doe"));
        assert_eq!(ok("Left", &[s("John"), n(448)]), s("John"));
        assert_eq!(ok("Left", &[Value::Null, n(3)]), s(""));
        assert_eq!(ok("Left", &[s("John"), Value::Null]), Value::Null);
        assert_eq!(ok("Left", &[s("Åsa Öst"), n(2)]), s("Ås"));
        assert_eq!(ok("Right", &[s("John Doe"), n(3)]), s("Doe"));
        assert_eq!(ok("Right", &[s("John Doe"), n(0)]), s(""));
        assert_eq!(ok("Right", &[s("John Doe"), n(-5)]), s("John Doe"));
        assert_eq!(ok("Right", &[s("Doe"), n(10)]), s("Doe"));
        assert_eq!(ok("Right", &[Value::Null, n(3)]), s(""));
        assert_eq!(ok("Right", &[s("åäö"), n(2)]), s("äö"));
        assert_eq!(ok("Left", &[mv(&["abc", "de"]), n(1)]), mv(&["a", "d"]));
        assert!(run("Left", &[Value::bin([1u8]), n(1)]).is_err());
    }

    #[test]
    fn len() {
        assert_eq!(ok("Len", &[s("John Doe")]), n(8));
        assert_eq!(ok("Len", &[s("åäö")]), n(3));
        assert_eq!(ok("Len", &[s("")]), n(0));
        assert_eq!(ok("Len", &[Value::bin([1u8, 2, 3, 4])]), n(4));
        assert_eq!(ok("Len", &[Value::Null]), Value::Null);
        assert_eq!(ok("Len", &[n(1234)]), n(4));
        assert_eq!(
            ok("Len", &[mv(&["ab", "c"])]),
            Value::multi(vec![n(2), n(1)])
        );
    }

    #[test]
    fn mid() {
        assert_eq!(ok("Mid", &[s("John Doe"), n(3), n(5)]), s("hn Do"));
        assert_eq!(ok("Mid", &[s("John Doe"), n(6), n(999)]), s("Doe"));
        assert_eq!(ok("Mid", &[s("John Doe"), n(6)]), s("Doe"));
        assert_eq!(ok("Mid", &[s("John Doe"), n(3), n(0)]), s(""));
        assert_eq!(ok("Mid", &[s("John Doe"), n(3), n(-1)]), s("John Doe"));
        assert_eq!(ok("Mid", &[s("John Doe"), n(9), n(2)]), s("John Doe"));
        assert_eq!(ok("Mid", &[s("John Doe"), n(8), n(2)]), s("e"));
        assert_eq!(ok("Mid", &[s("John Doe"), n(0), n(2)]), s("John Doe"));
        assert_eq!(ok("Mid", &[s("John Doe"), n(-3), n(2)]), s("John Doe"));
        assert_eq!(ok("Mid", &[Value::Null, n(1), n(2)]), s(""));
        assert_eq!(ok("Mid", &[Value::Null, Value::Null, n(2)]), s(""));
        assert_eq!(ok("Mid", &[s("abc"), Value::Null, n(2)]), Value::Null);
        assert_eq!(ok("Mid", &[s("abc"), n(1), Value::Null]), Value::Null);
        assert_eq!(ok("Mid", &[s("åäöü"), n(2), n(2)]), s("äö"));
        assert_eq!(
            ok("Mid", &[s("SMTP:john@contoso.com"), n(6)]),
            s("john@contoso.com")
        );
        let guid: Vec<u8> = (1..=16).collect();
        assert_eq!(
            ok("Mid", &[Value::bin(&guid), n(1), n(7 + 1)]),
            Value::bin(&guid[..8])
        );
        assert_eq!(
            ok("Mid", &[Value::bin(&guid), n(15)]),
            Value::bin(&guid[14..])
        );
        assert_eq!(
            ok("Mid", &[Value::bin(&guid), n(17), n(2)]),
            Value::bin(&guid)
        );
        assert_eq!(ok("Mid", &[Value::bin(&guid), n(2), n(0)]), Value::bin([]));
        assert_eq!(
            ok("Mid", &[mv(&["abc", "xyz"]), n(2), n(1)]),
            mv(&["b", "y"])
        );
    }

    #[test]
    fn pads() {
        assert_eq!(ok("PadLeft", &[s("User"), n(10), s("0")]), s("000000User"));
        assert_eq!(ok("PadRight", &[s("User"), n(10), s("0")]), s("User000000"));
        assert_eq!(ok("PadLeft", &[s("User"), n(4), s("0")]), s("User"));
        assert_eq!(ok("PadLeft", &[s("User"), n(2), s("0")]), s("User"));
        assert_eq!(ok("PadRight", &[s("User"), n(-2), s(" ")]), s("User"));
        assert_eq!(ok("PadLeft", &[s("Åsa"), n(5), s(" ")]), s("  Åsa"));
        assert_eq!(ok("PadRight", &[s("x"), n(3), s("é")]), s("xéé"));
        assert_eq!(ok("PadLeft", &[Value::Null, n(10), s("0")]), s(""));
        assert_eq!(ok("PadRight", &[Value::Null, n(10), s("0")]), s(""));
        assert_eq!(ok("PadLeft", &[s("a"), Value::Null, s("0")]), Value::Null);
        assert!(err("PadLeft", &[s("a"), n(3), Value::Null]).contains("null"));
        assert!(err("PadRight", &[s("a"), n(3), s("")]).contains("single"));
        assert!(err("PadRight", &[s("a"), n(3), s("ab")]).contains("single"));
        assert_eq!(ok("PadLeft", &[n(7), n(3), s("0")]), s("007"));
        assert_eq!(
            ok("PadLeft", &[mv(&["1", "22"]), n(3), s("0")]),
            mv(&["001", "022"])
        );
        // Found by fuzzing: a huge length used to abort the process on allocation.
        assert!(err("PadLeft", &[s(""), n(i64::MAX), s("0")]).contains("longer than"));
        assert!(err("PadRight", &[s("x"), n(1 << 40), s("é")]).contains("longer than"));
    }
}
