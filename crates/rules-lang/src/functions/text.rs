//! Text: `Guid`, `InStr`, `InStrRev`, `LCase`, `Left`, `Len`, `LTrim`, `Mid`, `PadLeft`,
//! `PadRight`, `PCase`, `Replace`, `ReplaceChars`, `Right`, `RTrim`, `Trim`, `UCase`, `Word`.
//!
//! Positions and lengths count Unicode characters, never bytes (except the binary overloads
//! of `Mid` and `Len`, which count bytes). A null string gives a null result, except where the
//! reference says otherwise: `Left`, `Right`, `Mid`, `Word`, `PadLeft` and `PadRight` give
//! `""` for a null string. Reading: once the string is non-null, a null in a numeric or
//! delimiter argument gives a null result (the general rule), unless noted below.

use std::borrow::Cow;

use super::{
    Builtin, CallCtx, FnError, Group, Param, Ret, Sig, arg, bin_arg, enum_arg, num_arg, str_arg,
    value_error,
};
use crate::types::Ty;
use crate::value::Value;

const COMPARE: &[&str] = &["vbBinaryCompare", "vbTextCompare"];

/// One character folded for a case-insensitive comparison: its lowercase form when that is a
/// single character, else the character itself, so folding never shifts positions.
pub(super) fn fold_char(c: char) -> char {
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

fn len_usize(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A count argument as `usize`, saturating (it is only used once known to be positive).
fn to_usize(n: i64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Maps a string argument with `f`; null gives null.
fn map_str(
    function: &'static str,
    args: &[Value],
    f: impl Fn(&str) -> String,
) -> Result<Value, FnError> {
    Ok(match str_arg(function, args, 0)? {
        Some(s) => Value::from(f(&s)),
        None => Value::Null,
    })
}

fn guid(_: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(Value::from(uuid::Uuid::new_v4().hyphenated().to_string()))
}

/// Reading (`InStr`): as in VBA, a null string or substring gives null; a null or absent
/// `start` is 1; a `start` below 1 is an error; a `start` past the end gives 0 (checked before
/// the empty-substring rule, so `InStr("", "")` is 0); an empty substring is found at `start`.
/// `vbTextCompare` folds each character to lowercase.
fn instr(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
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
    let (hay, needle) = (chars_of(&s, fold), chars_of(&m, fold));
    if start > len_usize(hay.len()) {
        return Ok(Value::Num(0));
    }
    let from = to_usize(start - 1);
    let found = (from..hay.len())
        .find(|&i| occurs_at(&hay, &needle, i))
        .map_or(0, |i| len_usize(i) + 1);
    Ok(Value::Num(found))
}

/// Reading (`InStrRev`): as in VBA, `start` is the last position the match may reach (the
/// match must end at or before it); null, absent or -1 means the end of the string; 0 or below
/// -1 is an error; a `start` past the end gives 0; an empty substring is found at `start`.
fn instr_rev(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "InStrRev";
    let (Some(s), Some(m)) = (str_arg(F, args, 0)?, str_arg(F, args, 1)?) else {
        return Ok(Value::Null);
    };
    let fold = text_compare(F, args, 3)?;
    let (hay, needle) = (chars_of(&s, fold), chars_of(&m, fold));
    let len = len_usize(hay.len());
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
        .map_or(0, |i| len_usize(i) + 1);
    Ok(Value::Num(found))
}

fn lcase(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    map_str("LCase", args, str::to_lowercase)
}

fn ucase(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    map_str("UCase", args, str::to_uppercase)
}

fn trim(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    map_str("Trim", args, |s| s.trim().to_owned())
}

fn ltrim(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    map_str("LTrim", args, |s| s.trim_start().to_owned())
}

fn rtrim(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    map_str("RTrim", args, |s| s.trim_end().to_owned())
}

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
    let out: String = if left {
        s.chars().take(n).collect()
    } else {
        let len = s.chars().count();
        s.chars().skip(len.saturating_sub(n)).collect()
    };
    Ok(Value::from(out))
}

fn left(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    left_right("Left", args, true)
}

fn right(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    left_right("Right", args, false)
}

/// `Len`: characters of a string, bytes of a binary. Null gives null.
fn len(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    if let Some(b) = bin_arg("Len", args, 0).ok().flatten() {
        return Ok(Value::Num(len_usize(b.len())));
    }
    Ok(match str_arg("Len", args, 0)? {
        Some(s) => Value::Num(len_usize(s.chars().count())),
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
        _ if start > len_usize(len) || start <= 0 => (0, len),
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
fn mid(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
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
    let Some(p) = str_arg(function, args, 2)? else {
        return Err(value_error(function, "padCharacter cannot be null"));
    };
    let mut pc = p.chars();
    let (Some(c), None) = (pc.next(), pc.next()) else {
        return Err(value_error(
            function,
            format!("padCharacter must be a single character, found `{p}`"),
        ));
    };
    let len = s.chars().count();
    let missing = to_usize(length.max(0)).saturating_sub(len);
    let fill: String = std::iter::repeat_n(c, missing).collect();
    Ok(Value::from(if left {
        fill + &s
    } else {
        s.into_owned() + &fill
    }))
}

fn pad_left(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    pad("PadLeft", args, true)
}

fn pad_right(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    pad("PadRight", args, false)
}

/// One word in proper case, or unchanged when it is entirely upper case (an acronym).
fn title_word(word: &str, out: &mut String) {
    let acronym = word.chars().any(char::is_uppercase) && !word.chars().any(char::is_lowercase);
    if acronym {
        out.push_str(word);
        return;
    }
    let mut chars = word.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
    }
    for c in chars {
        out.extend(c.to_lowercase());
    }
}

/// Reading (`PCase`): .NET `TextInfo.ToTitleCase` on white-space-delimited words: the first
/// character upper case and the rest lower case, except that a word entirely in upper case is
/// left as it is. This is what the reference's remark ("does not currently provide proper
/// casing to convert a word that is entirely uppercase, such as an acronym") and its example
/// `PCase(LCase("TEST"))` describe: `PCase("TEST")` is "TEST", `PCase("TEsT")` is "Test".
fn pcase(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    map_str("PCase", args, |s| {
        let mut out = String::with_capacity(s.len());
        let mut word_start = 0;
        for (i, c) in s.char_indices() {
            if c.is_whitespace() {
                title_word(s.get(word_start..i).unwrap_or_default(), &mut out);
                out.push(c);
                word_start = i + c.len_utf8();
            }
        }
        title_word(s.get(word_start..).unwrap_or_default(), &mut out);
        out
    })
}

/// The `\n`, `\r` and `\t` monikers (a backslash and a letter) as the characters they name.
fn unmoniker(s: &str) -> Cow<'_, str> {
    if s.contains('\\') {
        Cow::Owned(
            s.replace("\\n", "\n")
                .replace("\\r", "\r")
                .replace("\\t", "\t"),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// Reading (`Replace`): as .NET `String.Replace`, a null `NewValue` removes the matches; a
/// null or empty `OldValue` leaves the string unchanged. A null string gives null.
fn replace(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "Replace";
    let Some(s) = str_arg(F, args, 0)? else {
        return Ok(Value::Null);
    };
    let old = str_arg(F, args, 1)?.unwrap_or_default();
    let new = str_arg(F, args, 2)?.unwrap_or_default();
    let old = unmoniker(&old);
    if old.is_empty() {
        return Ok(Value::str(s));
    }
    Ok(Value::from(s.replace(old.as_ref(), &unmoniker(&new))))
}

/// Parses a `ReplaceChars` pattern `{source}:{target},...` (white space ignored).
///
/// Reading: an empty entry (a doubled or trailing comma) is skipped; an entry without `:`,
/// with an empty source, a source of several characters, a target holding `:`, or a source
/// given twice is a parsing error. (The reference's example pattern ends `ö,o`, a typo for
/// `ö:o`; as written it is an error here.)
fn replace_pattern(pattern: &str) -> Result<Vec<(char, String)>, FnError> {
    const F: &str = "ReplaceChars";
    let compact: String = pattern.chars().filter(|c| !c.is_whitespace()).collect();
    let mut pairs: Vec<(char, String)> = Vec::new();
    for entry in compact.split(',').filter(|e| !e.is_empty()) {
        let Some((source, target)) = entry.split_once(':') else {
            return Err(value_error(
                F,
                format!("pattern entry `{entry}` has no `:`"),
            ));
        };
        let mut sc = source.chars();
        let (Some(c), None) = (sc.next(), sc.next()) else {
            return Err(value_error(
                F,
                format!("the source of pattern entry `{entry}` must be exactly one character"),
            ));
        };
        if target.contains(':') {
            return Err(value_error(
                F,
                format!("the target of pattern entry `{entry}` holds the reserved `:`"),
            ));
        }
        if pairs.iter().any(|(s, _)| *s == c) {
            return Err(value_error(F, format!("the source `{c}` is given twice")));
        }
        pairs.push((c, target.to_owned()));
    }
    Ok(pairs)
}

/// Reading (`ReplaceChars`): a null string gives null; a null pattern replaces nothing.
fn replace_chars(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "ReplaceChars";
    let Some(s) = str_arg(F, args, 0)? else {
        return Ok(Value::Null);
    };
    let Some(pattern) = str_arg(F, args, 1)? else {
        return Ok(Value::str(s));
    };
    let pairs = replace_pattern(&pattern)?;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match pairs.iter().find(|(src, _)| *src == c) {
            Some((_, target)) => out.push_str(target),
            None => out.push(c),
        }
    }
    Ok(Value::from(out))
}

/// Reading (`Word`): as VBA's `Word`, runs of delimiter characters separate words, so
/// leading, trailing and consecutive delimiters make no empty words. Empty delimiters make the
/// whole string one word. A null string gives ""; a null number or delimiter string, null.
fn word(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
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
    use super::super::{CallCtx, FnError, call, lookup};
    use crate::value::Value;

    fn run(name: &str, args: &[Value]) -> Result<Value, FnError> {
        call(lookup(name).unwrap(), args, &CallCtx::default())
    }

    fn ok(name: &str, args: &[Value]) -> Value {
        run(name, args).unwrap()
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn n(x: i64) -> Value {
        Value::Num(x)
    }

    fn mv(items: &[&str]) -> Value {
        Value::multi(items.iter().map(Value::str).collect())
    }

    fn err(name: &str, args: &[Value]) -> String {
        run(name, args).unwrap_err().to_string()
    }

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
    fn case() {
        assert_eq!(ok("LCase", &[s("TeSt")]), s("test"));
        assert_eq!(ok("UCase", &[s("TeSt")]), s("TEST"));
        assert_eq!(ok("LCase", &[s("ÅÄÖ")]), s("åäö"));
        assert_eq!(ok("LCase", &[Value::Null]), Value::Null);
        assert_eq!(ok("UCase", &[Value::Null]), Value::Null);
        assert_eq!(ok("UCase", &[mv(&["a", "b"])]), mv(&["A", "B"]));
    }

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
    }

    #[test]
    fn pcase() {
        assert_eq!(ok("PCase", &[s("TEsT")]), s("Test"));
        assert_eq!(ok("PCase", &[s("test")]), s("Test"));
        assert_eq!(ok("PCase", &[s("TEST")]), s("TEST"));
        assert_eq!(
            ok("PCase", &[s("jOHN  mcdonald NASA")]),
            s("John  Mcdonald NASA")
        );
        assert_eq!(ok("PCase", &[s(" åsa\töst ")]), s(" Åsa\tÖst "));
        assert_eq!(ok("PCase", &[s("")]), s(""));
        assert_eq!(ok("PCase", &[s("o'neil-smith")]), s("O'neil-smith"));
        assert_eq!(ok("PCase", &[Value::Null]), Value::Null);
        let lower = ok("LCase", &[s("TEST")]);
        assert_eq!(ok("PCase", &[lower]), s("Test"));
    }

    #[test]
    fn replace() {
        assert_eq!(
            ok(
                "Replace",
                &[s("One Microsoft Way\r\nRedmond"), s("\\r\\n"), s(", ")]
            ),
            s("One Microsoft Way, Redmond")
        );
        assert_eq!(ok("Replace", &[s("a-b-c"), s("-"), s("")]), s("abc"));
        assert_eq!(ok("Replace", &[s("a-b"), s("-"), s("\\t")]), s("a\tb"));
        assert_eq!(ok("Replace", &[s("aaa"), s("a"), s("aa")]), s("aaaaaa"));
        assert_eq!(ok("Replace", &[s("abc"), s(""), s("x")]), s("abc"));
        assert_eq!(ok("Replace", &[s("abc"), Value::Null, s("x")]), s("abc"));
        assert_eq!(ok("Replace", &[s("abc"), s("b"), Value::Null]), s("ac"));
        assert_eq!(ok("Replace", &[Value::Null, s("b"), s("c")]), Value::Null);
        assert_eq!(ok("Replace", &[s("a\\x"), s("\\x"), s("!")]), s("a!"));
        assert_eq!(
            ok("Replace", &[mv(&["1-2", "3-4"]), s("-"), s("")]),
            mv(&["12", "34"])
        );
    }

    #[test]
    fn replace_chars() {
        let p = s("’:,Å:A,Ä:A,Ö:O,å:a,ä:a,ö:o");
        assert_eq!(
            ok("ReplaceChars", &[s("Räksmörgås"), p.clone()]),
            s("Raksmorgas")
        );
        assert_eq!(ok("ReplaceChars", &[s("O’Neil"), p.clone()]), s("ONeil"));
        assert_eq!(
            ok("ReplaceChars", &[s("Göße"), s(" ö : oe , ß:ss ,")]),
            s("Goesse")
        );
        assert_eq!(ok("ReplaceChars", &[s("abc"), s("A:x")]), s("abc"));
        assert_eq!(ok("ReplaceChars", &[s("abc"), s("")]), s("abc"));
        assert_eq!(ok("ReplaceChars", &[s("abc"), Value::Null]), s("abc"));
        assert_eq!(ok("ReplaceChars", &[Value::Null, p]), Value::Null);
        assert!(err("ReplaceChars", &[s("x"), s("ab:c")]).contains("exactly one"));
        assert!(err("ReplaceChars", &[s("x"), s(":c")]).contains("exactly one"));
        assert!(err("ReplaceChars", &[s("x"), s("a:b,ö,o")]).contains("no `:`"));
        assert!(err("ReplaceChars", &[s("x"), s("a:b:c")]).contains("reserved"));
        assert!(err("ReplaceChars", &[s("x"), s("a:b,a:c")]).contains("twice"));
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

    #[test]
    fn out_of_box_left_trim_item() {
        let desc = mv(&["  A long description  ", "second"]);
        let item = ok("Item", &[desc, n(1)]);
        let trimmed = ok("Trim", &[item]);
        assert_eq!(ok("Left", &[trimmed, n(448)]), s("A long description"));
    }
}
