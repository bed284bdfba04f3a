//! Numbers: `CNum`'s reader (which `IsNumeric` and `CBool` share), `CNum`, `CBool`, and
//! `CBin`, which writes a number as bytes.

use crate::functions::{CallCtx, FnError, not_a, num_arg, scalar, type_error, value_error};
use crate::value::Value;

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

/// Reading: besides the reference's rule (non-zero is True), a Boolean is itself, the
/// strings "True"/"False" (any case) are those Booleans, and a numeric string is True when
/// non-zero (VBA's `CBool("1")`); any other string is an error. Null gives null, so
/// `CBool(IIF(cond, x > 0, NULL))` is null when `cond` fails.
pub(super) fn cbool(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
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
                Err(not_a("CBool", s, "a Boolean"))
            }
        }
        v => Err(type_error("CBool", 0, "a Boolean expression", v)),
    }
}

/// Reading: a number is itself; a string per [`parse_num`] (anything else is an error); a
/// binary value (the device rule's `CNum(Mid([searchableDeviceKey],5,2))`) is its 1 to 8
/// bytes read as an unsigned little-endian integer (8 bytes with the top bit set wrap to a
/// negative number); an empty or longer binary is an error.
pub(super) fn cnum(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    match scalar(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Num(n) => Ok(Value::Num(*n)),
        Value::Str(s) => parse_num(s)
            .map(Value::Num)
            .ok_or_else(|| not_a("CNum", s, "a number")),
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

/// Reading: the little-endian two's-complement encoding of `value` in `byteCount` bytes
/// (1..=8), so `CBin(Len(x),2) & CBin(2,1)` builds a length-prefixed blob. A value that
/// fits neither signed nor unsigned in that many bytes is an error rather than silently
/// truncated (`CBin(255,1)` and `CBin(-1,1)` are both `FF`; `CBin(256,1)` fails).
pub(super) fn cbin(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
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

#[cfg(test)]
mod tests {
    use super::parse_num;
    use crate::functions::FnError;
    use crate::functions::args::testing::{multi, ok, run, s, value_err};
    use crate::value::Value;

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
    fn parse_num_limits() {
        assert_eq!(parse_num("&H7FFFFFFFFFFFFFFF"), Some(i64::MAX));
        assert_eq!(parse_num("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_num("-&H1"), None);
    }
}
