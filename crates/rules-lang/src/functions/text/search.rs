//! Searching: `InStr`, `InStrRev` and `Word`, and the case folding `vbTextCompare` (and
//! `Contains`'s `CaseInsensitive`) compares with.

use super::COMPARE;
use crate::functions::{
    CallCtx, FnError, enum_arg, num_arg, str_arg, to_num, to_usize, value_error,
};
use crate::value::Value;

/// One character folded for a case-insensitive comparison: its lowercase form when that is a
/// single character, else the character itself, so folding never shifts positions.
pub(crate) fn fold_char(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// The characters of `s`, folded when `fold` is set.
fn chars_of(s: &str, fold: bool) -> Vec<char> {
    s.chars()
        .map(|c| if fold { fold_char(c) } else { c })
        .collect()
}

/// True when `needle` occurs in `hay` at 0-based position `i`.
fn occurs_at(hay: &[char], needle: &[char], i: usize) -> bool {
    hay.get(i..i.saturating_add(needle.len())) == Some(needle)
}

/// Reads the optional compare argument: true for `vbTextCompare`.
fn text_compare(function: &'static str, args: &[Value], i: usize) -> Result<bool, FnError> {
    Ok(enum_arg(function, args, i, COMPARE)? == Some("vbTextCompare"))
}

/// Reading (`InStr`): as in VBA, a null string or substring gives null; a null or absent
/// `start` is 1; a `start` below 1 is an error; a `start` past the end gives 0 (checked before
/// the empty-substring rule, so `InStr("", "")` is 0); an empty substring is found at `start`.
/// `vbTextCompare` folds each character to lowercase.
pub(super) fn instr(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "InStr";
    let (Some(s), Some(m)) = (str_arg(F, args, 0)?, str_arg(F, args, 1)?) else {
        return Ok(Value::Null);
    };
    let start = num_arg(F, args, 2)?.unwrap_or(1);
    if start < 1 {
        return Err(value_error(
            F,
            format!("start must be 1 or more, found {start}"),
        ));
    }
    let fold = text_compare(F, args, 3)?;
    if start == 1 && !fold {
        return Ok(Value::Num(first_position(&s, &m)));
    }
    let (hay, needle) = (chars_of(&s, fold), chars_of(&m, fold));
    if start > to_num(hay.len()) {
        return Ok(Value::Num(0));
    }
    let from = to_usize(start - 1);
    let found = (from..hay.len())
        .find(|&i| occurs_at(&hay, &needle, i))
        .map_or(0, |i| to_num(i) + 1);
    Ok(Value::Num(found))
}

/// `InStr(s, m)`: the 1-based character position of the first `m` in `s`, compared
/// ordinally; 0 when there is none, and for an empty `s` (start 1 is past its end). A byte
/// match in UTF-8 always starts on a character boundary, so searching the bytes finds the
/// same first match as searching the characters.
pub(crate) fn first_position(s: &str, m: &str) -> i64 {
    if s.is_empty() {
        return 0;
    }
    s.find(m).map_or(0, |i| {
        to_num(s.get(..i).map_or(0, |p| p.chars().count())) + 1
    })
}

/// Reading (`InStrRev`): as in VBA, `start` is the last position the match may reach (the
/// match must end at or before it); null, absent or -1 means the end of the string; 0 or below
/// -1 is an error; a `start` past the end gives 0; an empty substring is found at `start`.
pub(super) fn instr_rev(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "InStrRev";
    let (Some(s), Some(m)) = (str_arg(F, args, 0)?, str_arg(F, args, 1)?) else {
        return Ok(Value::Null);
    };
    let fold = text_compare(F, args, 3)?;
    let (hay, needle) = (chars_of(&s, fold), chars_of(&m, fold));
    let len = to_num(hay.len());
    let start = match num_arg(F, args, 2)? {
        None | Some(-1) => len,
        Some(n) if n < 1 => {
            return Err(value_error(
                F,
                format!("start must be 1 or more, or -1, found {n}"),
            ));
        }
        Some(n) if n > len => return Ok(Value::Num(0)),
        Some(n) => n,
    };
    if needle.is_empty() {
        return Ok(Value::Num(start));
    }
    let end = to_usize(start);
    let found = (0..hay.len())
        .rev()
        .find(|&i| i.saturating_add(needle.len()) <= end && occurs_at(&hay, &needle, i))
        .map_or(0, |i| to_num(i) + 1);
    Ok(Value::Num(found))
}

/// Reading (`Word`): as VBA's `Word`, runs of delimiter characters separate words, so
/// leading, trailing and consecutive delimiters make no empty words. Empty delimiters make the
/// whole string one word. A null string gives ""; a null number or delimiter string, null.
pub(super) fn word(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "Word";
    let Some(s) = str_arg(F, args, 0)? else {
        return Ok(Value::str(""));
    };
    let (Some(n), Some(delims)) = (num_arg(F, args, 1)?, str_arg(F, args, 2)?) else {
        return Ok(Value::Null);
    };
    if n < 1 {
        return Ok(Value::str(""));
    }
    let found = s
        .split(|c: char| delims.contains(c))
        .filter(|w| !w.is_empty())
        .nth(to_usize(n - 1))
        .unwrap_or_default();
    Ok(Value::str(found))
}

#[cfg(test)]
mod tests {
    use super::{chars_of, first_position, occurs_at};
    use crate::functions::args::testing::{err, mv, n, ok, s};
    use crate::value::Value;

    /// The byte search `InStr(s, m)` takes agrees with the character search the other
    /// forms take.
    #[test]
    fn first_position_is_the_character_search() {
        let texts = [
            "",
            "a",
            "}",
            "John Doe",
            "Åsa Öst",
            "a}b}",
            "ÅÅÅ",
            "Ö",
            "\\0ACNF:",
        ];
        for hay in texts {
            for needle in texts {
                let (h, m) = (chars_of(hay, false), chars_of(needle, false));
                let want = if h.is_empty() {
                    0
                } else {
                    (0..h.len())
                        .find(|&i| occurs_at(&h, &m, i))
                        .map_or(0, |i| i as i64 + 1)
                };
                assert_eq!(first_position(hay, needle), want, "{hay:?} {needle:?}");
            }
        }
    }

    #[test]
    fn instr() {
        assert_eq!(ok("InStr", &[s("The quick brown fox"), s("quick")]), n(5));
        let bin = s("vbBinaryCompare");
        let text = s("vbTextCompare");
        assert_eq!(
            ok("InStr", &[s("repEated"), s("e"), n(3), bin.clone()]),
            n(7)
        );
        assert_eq!(ok("InStr", &[s("repEated"), s("e"), n(3), text]), n(4));
        assert_eq!(ok("InStr", &[s("repEated"), s("E")]), n(4));
        assert_eq!(ok("InStr", &[s("abc"), s("x")]), n(0));
        assert_eq!(ok("InStr", &[s("abc"), s("c"), n(4)]), n(0));
        assert_eq!(ok("InStr", &[s("abc"), s("c"), n(99)]), n(0));
        assert_eq!(ok("InStr", &[s("abc"), s(""), n(2)]), n(2));
        assert_eq!(ok("InStr", &[s(""), s("")]), n(0));
        assert_eq!(ok("InStr", &[s("ééa@b"), s("@")]), n(4));
        assert_eq!(ok("InStr", &[s("abc"), s("bcd")]), n(0));
        assert_eq!(ok("InStr", &[Value::Null, s("a")]), Value::Null);
        assert_eq!(ok("InStr", &[s("a"), Value::Null]), Value::Null);
        assert_eq!(ok("InStr", &[s("abc"), s("c"), Value::Null]), n(3));
        assert!(err("InStr", &[s("abc"), s("c"), n(0)]).contains("start"));
        assert!(err("InStr", &[s("abc"), s("c"), n(1), s("nope")]).contains("nope"));
        assert_eq!(
            ok("InStr", &[mv(&["a@b", "ab"]), s("@")]),
            Value::multi(vec![n(2), n(0)])
        );
    }

    #[test]
    fn instr_rev() {
        assert_eq!(ok("InStrRev", &[s("abbcdbbbef"), s("bb")]), n(7));
        assert_eq!(ok("InStrRev", &[s("abbcdbbbef"), s("bb"), n(7)]), n(6));
        assert_eq!(ok("InStrRev", &[s("abbcdbbbef"), s("bb"), n(-1)]), n(7));
        assert_eq!(ok("InStrRev", &[s("abbcdbbbef"), s("bb"), n(2)]), n(0));
        assert_eq!(ok("InStrRev", &[s("abbcdbbbef"), s("bb"), n(3)]), n(2));
        assert_eq!(ok("InStrRev", &[s("abc"), s("a"), n(4)]), n(0));
        assert_eq!(ok("InStrRev", &[s("abc"), s("")]), n(3));
        assert_eq!(ok("InStrRev", &[s("abc"), s("x")]), n(0));
        assert_eq!(
            ok("InStrRev", &[s("aXbx"), s("x"), n(-1), s("vbTextCompare")]),
            n(4)
        );
        assert_eq!(ok("InStrRev", &[s("aXbx"), s("X")]), n(2));
        assert_eq!(ok("InStrRev", &[Value::Null, s("a")]), Value::Null);
        assert!(err("InStrRev", &[s("abc"), s("a"), n(0)]).contains("start"));
        assert!(err("InStrRev", &[s("abc"), s("a"), n(-2)]).contains("start"));
    }

    #[test]
    fn word() {
        assert_eq!(
            ok("Word", &[s("The quick brown fox"), n(3), s(" ")]),
            s("brown")
        );
        assert_eq!(
            ok(
                "Word",
                &[s("This,string!has&many separators"), n(3), s(",!&#")]
            ),
            s("has")
        );
        assert_eq!(
            ok(
                "Word",
                &[s("This,string!has&many separators"), n(4), s(",!&#")]
            ),
            s("many separators")
        );
        assert_eq!(ok("Word", &[s(",,a,,b,"), n(2), s(",")]), s("b"));
        assert_eq!(ok("Word", &[s("a b"), n(3), s(" ")]), s(""));
        assert_eq!(ok("Word", &[s("a b"), n(0), s(" ")]), s(""));
        assert_eq!(ok("Word", &[s("a b"), n(-1), s(" ")]), s(""));
        assert_eq!(ok("Word", &[s("a b"), n(1), s("")]), s("a b"));
        assert_eq!(ok("Word", &[s(""), n(1), s(" ")]), s(""));
        assert_eq!(ok("Word", &[Value::Null, n(1), s(" ")]), s(""));
        assert_eq!(ok("Word", &[s("a"), Value::Null, s(" ")]), Value::Null);
        assert_eq!(
            ok("Word", &[s("1a2b3c4d_tenant"), n(1), s("_")]),
            s("1a2b3c4d")
        );
        assert_eq!(
            ok("Word", &[mv(&["a_b", "c_d"]), n(2), s("_")]),
            mv(&["b", "d"])
        );
    }
}
