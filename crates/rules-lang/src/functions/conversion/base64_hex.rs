//! Text encodings: `ConvertFromBase64`, `ConvertToBase64`, `ConvertFromUTF8Hex`,
//! `ConvertToUTF8Hex`, and the uppercase hexadecimal the Certificate functions share.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::functions::{CallCtx, FnError, enum_arg, map_str, not_a, scalar, with_str};
use crate::value::Value;

/// The encodings `ConvertFromBase64` reads.
pub(super) const ENCODINGS: &[&str] = &["Unicode", "ASCII", "UTF8"];

/// Reading: white space inside the base64 text is ignored (as `Convert.FromBase64String`
/// does); decoding is lenient as .NET's encodings are: invalid UTF-8 or a dangling UTF-16
/// byte becomes U+FFFD, a non-ASCII byte in ASCII becomes `?`. Text that is not base64 is an
/// error.
pub(super) fn convert_from_base64(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "ConvertFromBase64";
    with_str(F, args, |s| {
        let encoding = enum_arg(F, args, 1, ENCODINGS)?.unwrap_or("Unicode");
        let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = BASE64
            .decode(compact.as_bytes())
            .map_err(|_| not_a(F, s, "base64"))?;
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
    })
}

/// Reading: a string is encoded as UTF-16LE ("Unicode", as the reference's example shows)
/// before base64; a binary value (objectGUID in the out-of-box rules) is base64 of its
/// bytes.
pub(super) fn convert_to_base64(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    if let Value::Bin(b) = scalar(args, 0) {
        return Ok(Value::from(BASE64.encode(b)));
    }
    map_str("ConvertToBase64", args, |s| {
        let bytes: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
        BASE64.encode(bytes)
    })
}

/// Reading: hex digits of either case; an odd count or a non-hex character is an error;
/// bytes that are not UTF-8 become U+FFFD.
pub(super) fn convert_from_utf8_hex(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "ConvertFromUTF8Hex";
    with_str(F, args, |s| {
        let not_hex = || not_a(F, s, "UTF-8 hex");
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
    })
}

pub(super) fn convert_to_utf8_hex(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    map_str("ConvertToUTF8Hex", args, |s| hex_upper(s.as_bytes()))
}

/// Uppercase hexadecimal, two digits a byte, as `ConvertToUTF8Hex` writes text and .NET
/// prints hashes, serial numbers and parameters.
pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02X}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::GUID_BYTES;
    use super::hex_upper;
    use crate::functions::args::testing::{multi, ok, run, s, value_err};
    use crate::value::Value;

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
    fn hex_is_uppercase_and_padded() {
        assert_eq!(hex_upper(&[0x00, 0x0a, 0xff]), "000AFF");
        assert_eq!(hex_upper(&[]), "");
    }
}
