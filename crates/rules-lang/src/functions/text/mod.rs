//! Text: `Guid`, `InStr`, `InStrRev`, `LCase`, `Left`, `Len`, `LTrim`, `Mid`, `PadLeft`,
//! `PadRight`, `PCase`, `Replace`, `ReplaceChars`, `Right`, `RTrim`, `Trim`, `UCase`, `Word`.
//!
//! Positions and lengths count Unicode characters, never bytes (except the binary overloads
//! of `Mid` and `Len`, which count bytes). A null string gives a null result, except where the
//! reference says otherwise: `Left`, `Right`, `Mid`, `Word`, `PadLeft` and `PadRight` give
//! `""` for a null string. Reading: once the string is non-null, a null in a numeric or
//! delimiter argument gives a null result (the general rule), unless noted below.

mod case;
mod replace;
mod search;
mod slice;

use self::case::{lcase, pcase, ucase};
use self::replace::{replace, replace_chars};
pub(crate) use self::search::first_position;
pub(super) use self::search::fold_char;
use self::search::{instr, instr_rev, word};
use self::slice::{left, len, mid, pad_left, pad_right, right};
pub(crate) use self::slice::{left_chars, right_chars};
use super::{Builtin, CallCtx, FnError, Group, Param, Ret, Sig, slice_str};
use crate::types::Ty;
use crate::value::Value;

/// The compare options of `InStr` and `InStrRev`.
const COMPARE: &[&str] = &["vbBinaryCompare", "vbTextCompare"];

fn guid(_: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(Value::from(uuid::Uuid::new_v4().hyphenated().to_string()))
}

fn trim(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    slice_str("Trim", args, str::trim)
}

fn ltrim(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    slice_str("LTrim", args, str::trim_start)
}

fn rtrim(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    slice_str("RTrim", args, str::trim_end)
}

const S: Param = Param::Ty(Ty::STR);
const N: Param = Param::Ty(Ty::NUM);
const B: Param = Param::Ty(Ty::BIN);
const CMP: Param = Param::Enum(COMPARE);

pub(super) const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "Guid",
        group: Group::Text,
        sigs: &[Sig::new(&[], Ret::Ty(Ty::STR))],
        maps: false,
        pure: false,
        imp: Some(guid),
        doc: "Generates a new random GUID as a lowercase hyphenated string.",
        example: "Guid()",
    },
    Builtin {
        name: "InStr",
        group: Group::Text,
        sigs: &[Sig::optional(&[S, S, N, CMP], 2, Ret::Ty(Ty::NUM))],
        maps: true,
        pure: true,
        imp: Some(instr),
        doc: "The 1-based position of the first occurrence of a substring from `start`, or 0.",
        example: r#"InStr("repEated","e",3,vbBinaryCompare)"#,
    },
    Builtin {
        name: "InStrRev",
        group: Group::Text,
        sigs: &[Sig::optional(&[S, S, N, CMP], 2, Ret::Ty(Ty::NUM))],
        maps: true,
        pure: true,
        imp: Some(instr_rev),
        doc: "The 1-based position of the last occurrence of a substring ending by `start`, or 0.",
        example: r#"InStrRev("abbcdbbbef","bb")"#,
    },
    Builtin {
        name: "LCase",
        group: Group::Text,
        sigs: &[Sig::new(&[S], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(lcase),
        doc: "Converts a string to lower case.",
        example: r#"LCase("TeSt")"#,
    },
    Builtin {
        name: "Left",
        group: Group::Text,
        sigs: &[Sig::new(&[S, N], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(left),
        doc: "The first `NumChars` characters of a string (\"\" for a null string).",
        example: r#"Left("John Doe", 3)"#,
    },
    Builtin {
        name: "Len",
        group: Group::Text,
        sigs: &[
            Sig::new(&[S], Ret::Ty(Ty::NUM)),
            Sig::new(&[B], Ret::Ty(Ty::NUM)),
        ],
        maps: true,
        pure: true,
        imp: Some(len),
        doc: "The number of characters in a string, or of bytes in a binary value.",
        example: r#"Len("John Doe")"#,
    },
    Builtin {
        name: "LTrim",
        group: Group::Text,
        sigs: &[Sig::new(&[S], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(ltrim),
        doc: "Removes leading white space from a string.",
        example: r#"LTrim(" Test ")"#,
    },
    Builtin {
        name: "Mid",
        group: Group::Text,
        sigs: &[
            Sig::optional(&[S, N, N], 2, Ret::Ty(Ty::STR)),
            Sig::optional(&[B, N, N], 2, Ret::Ty(Ty::BIN)),
        ],
        maps: true,
        pure: true,
        imp: Some(mid),
        doc: "`NumChars` characters (bytes, for a binary) from 1-based position `start`.",
        example: r#"Mid("John Doe", 3, 5)"#,
    },
    Builtin {
        name: "PadLeft",
        group: Group::Text,
        sigs: &[Sig::new(&[S, N, S], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(pad_left),
        doc: "Pads a string on the left with `padCharacter` up to `length` characters.",
        example: r#"PadLeft("User", 10, "0")"#,
    },
    Builtin {
        name: "PadRight",
        group: Group::Text,
        sigs: &[Sig::new(&[S, N, S], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(pad_right),
        doc: "Pads a string on the right with `padCharacter` up to `length` characters.",
        example: r#"PadRight("User", 10, "0")"#,
    },
    Builtin {
        name: "PCase",
        group: Group::Text,
        sigs: &[Sig::new(&[S], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(pcase),
        doc: "Upper-cases the first character of each word and lower-cases the rest; all-uppercase words are kept.",
        example: r#"PCase("TEsT")"#,
    },
    Builtin {
        name: "Replace",
        group: Group::Text,
        sigs: &[Sig::new(&[S, S, S], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(replace),
        doc: "Replaces every occurrence of `OldValue` with `NewValue`; `\\n`, `\\r`, `\\t` name new line, carriage return, tab.",
        example: r#"Replace([address],"\r\n",", ")"#,
    },
    Builtin {
        name: "ReplaceChars",
        group: Group::Text,
        sigs: &[Sig::new(&[S, S], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(replace_chars),
        doc: "Replaces characters by a `{source}:{target},...` pattern; white space in the pattern is ignored.",
        example: r#"ReplaceChars("Räksmörgås", "Å:A,Ä:A,Ö:O,å:a,ä:a,ö:o")"#,
    },
    Builtin {
        name: "Right",
        group: Group::Text,
        sigs: &[Sig::new(&[S, N], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(right),
        doc: "The last `NumChars` characters of a string (\"\" for a null string).",
        example: r#"Right("John Doe", 3)"#,
    },
    Builtin {
        name: "RTrim",
        group: Group::Text,
        sigs: &[Sig::new(&[S], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(rtrim),
        doc: "Removes trailing white space from a string.",
        example: r#"RTrim(" Test ")"#,
    },
    Builtin {
        name: "Trim",
        group: Group::Text,
        sigs: &[Sig::new(&[S], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(trim),
        doc: "Removes leading and trailing white space from a string (each value of a multi-valued one).",
        example: "Trim([proxyAddresses])",
    },
    Builtin {
        name: "UCase",
        group: Group::Text,
        sigs: &[Sig::new(&[S], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(ucase),
        doc: "Converts a string to upper case.",
        example: r#"UCase("TeSt")"#,
    },
    Builtin {
        name: "Word",
        group: Group::Text,
        sigs: &[Sig::new(&[S, N, S], Ret::Ty(Ty::STR))],
        maps: true,
        pure: true,
        imp: Some(word),
        doc: "The `WordNumber`-th word of a string, words being separated by any of the delimiter characters.",
        example: r#"Word("The quick brown fox",3," ")"#,
    },
];

#[cfg(test)]
mod tests {
    use crate::functions::args::testing::{mv, n, ok, s};
    use crate::functions::lookup;
    use crate::value::Value;

    #[test]
    fn guid_is_random_lowercase_hyphenated() {
        let Value::Str(a) = ok("Guid", &[]) else {
            panic!()
        };
        let Value::Str(b) = ok("Guid", &[]) else {
            panic!()
        };
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert!(uuid::Uuid::parse_str(&a).is_ok());
        assert_eq!(a.to_lowercase(), *a);
        assert_eq!(a.matches('-').count(), 4);
        assert!(!lookup("Guid").unwrap().pure);
    }

    #[test]
    fn trims() {
        assert_eq!(ok("Trim", &[s(" Test ")]), s("Test"));
        assert_eq!(ok("LTrim", &[s(" Test ")]), s("Test "));
        assert_eq!(ok("RTrim", &[s(" Test ")]), s(" Test"));
        assert_eq!(ok("Trim", &[s("\t\u{a0}x\r\n")]), s("x"));
        assert_eq!(ok("Trim", &[Value::Null]), Value::Null);
        assert_eq!(
            ok("Trim", &[mv(&[" SMTP:a@x.com ", "smtp:b@x.com "])]),
            mv(&["SMTP:a@x.com", "smtp:b@x.com"])
        );
        assert_eq!(
            ok("Trim", &[Value::reference("CN=x ")]),
            s("CN=x"),
            "a reference reads as its DN"
        );
    }

    #[test]
    fn out_of_box_left_trim_item() {
        let desc = mv(&["  A long description  ", "second"]);
        let item = ok("Item", &[desc, n(1)]);
        let trimmed = ok("Trim", &[item]);
        assert_eq!(ok("Left", &[trimmed, n(448)]), s("A long description"));
    }
}
