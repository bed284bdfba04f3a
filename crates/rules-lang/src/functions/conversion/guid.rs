//! GUIDs: `CGuid`'s reader (which `IsGuid` shares), `CGuid` and `StringFromGuid`.

use crate::functions::{CallCtx, FnError, not_a, value_error, with_bin, with_str};
use crate::value::Value;

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

/// The 16 bytes are laid out as .NET's `Guid.ToByteArray()` does (and as AD stores
/// objectGUID): the first three groups little-endian, the last two as written.
pub(super) fn cguid(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    with_str("CGuid", args, |s| {
        parse_guid(s)
            .map(|g| Value::bin(g.to_bytes_le()))
            .ok_or_else(|| not_a("CGuid", s, "a GUID"))
    })
}

/// Reading: .NET `Guid.ToString()`'s default form: lowercase, hyphenated, no braces
/// (`a1b2c3d4-...`), from the `Guid.ToByteArray()` layout. Anything but 16 bytes is an
/// error.
pub(super) fn string_from_guid(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "StringFromGuid";
    with_bin(F, args, |b| {
        let bytes: [u8; 16] = b
            .try_into()
            .map_err(|_| value_error(F, format!("a GUID has 16 bytes, not {}", b.len())))?;
        Ok(Value::from(
            uuid::Uuid::from_bytes_le(bytes).hyphenated().to_string(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{GUID, GUID_BYTES};
    use super::parse_guid;
    use crate::functions::args::testing::{multi, ok, run, s, value_err};
    use crate::value::Value;

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

    #[test]
    fn parse_guid_forms() {
        assert!(parse_guid(GUID).is_some());
        assert!(parse_guid(" {a1b2c3d4-e5f6-4711-8899-aabbccddeeff} ").is_some());
    }
}
