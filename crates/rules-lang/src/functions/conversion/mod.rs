//! Conversion: `CBool`, `CDate`, `CGuid`, `ConvertFromBase64`, `ConvertToBase64`,
//! `ConvertFromUTF8Hex`, `ConvertToUTF8Hex`, `CNum`, `CRef`, `CStr`, `StringFromGuid`,
//! `StringFromSid`; and `CBin` and `Thumbprint`, which the out-of-box rules use although the
//! functions reference does not list them.
//!
//! Entra Connect is a .NET program, so where the reference is silent these functions do
//! what the .NET conversion they stand for does (`Convert.ToBase64String`,
//! `Guid.ToByteArray`, `SecurityIdentifier.ToString`, `DateTime.Parse`, ...), with the
//! invariant culture. Each such choice is marked "Reading:".
//!
//! The readers `CNum`, `CGuid` and `CDate` use are shared: `IsNumeric`, `IsGuid` and
//! `IsDate` tell whether they succeed, and the Date / Time functions read date strings with
//! `CDate`'s parser.

mod base64_hex;
mod date_cursor;
mod date_parse;
mod guid;
mod number;
mod sid;

use sha1::{Digest, Sha1};

pub(crate) use self::base64_hex::hex_upper;
use self::base64_hex::{
    ENCODINGS, convert_from_base64, convert_from_utf8_hex, convert_to_base64, convert_to_utf8_hex,
};
use self::date_parse::cdate;
pub(crate) use self::date_parse::parse_date;
pub(crate) use self::guid::parse_guid;
use self::guid::{cguid, string_from_guid};
pub(crate) use self::number::parse_num;
use self::number::{cbin, cbool, cnum};
use self::sid::string_from_sid;
use super::{
    Builtin, CallCtx, FnError, Group, Param, Ret, Sig, scalar, str_arg, type_error, with_str,
};
use crate::types::Ty;
use crate::value::Value;

fn cref(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    // A string already holds the DN: share it rather than copy it.
    if let Some(Value::Str(s) | Value::Ref(s)) = args.first() {
        return Ok(Value::Ref(s.clone()));
    }
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

/// Reading: the SHA-1 digest (20 bytes) of the data; a string is hashed as its UTF-8 bytes.
fn thumbprint(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    if let Value::Bin(b) = scalar(args, 0) {
        return Ok(Value::bin(Sha1::digest(b)));
    }
    with_str("Thumbprint", args, |s| Ok(Value::bin(Sha1::digest(s))))
}

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
mod tests;
