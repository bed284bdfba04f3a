//! Replacing: `Replace`, `ReplaceChars`.

use std::borrow::Cow;

use crate::functions::{CallCtx, FnError, single_char, str_arg, value_error};
use crate::value::{Value, check_size};

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
pub(super) fn replace(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
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
    let new = unmoniker(&new);
    let hits = s.matches(old.as_ref()).count();
    let len = (s.len() - hits * old.len()).saturating_add(hits.saturating_mul(new.len()));
    check_size(1, len).map_err(|why| value_error(F, why.to_string()))?;
    Ok(Value::from(s.replace(old.as_ref(), &new)))
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
        let Some(c) = single_char(source) else {
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
pub(super) fn replace_chars(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "ReplaceChars";
    let Some(s) = str_arg(F, args, 0)? else {
        return Ok(Value::Null);
    };
    let Some(pattern) = str_arg(F, args, 1)? else {
        return Ok(Value::str(s));
    };
    let pairs = replace_pattern(&pattern)?;
    let target = |c: char| pairs.iter().find(|(src, _)| *src == c).map(|(_, t)| t);
    let len = s
        .chars()
        .map(|c| target(c).map_or(c.len_utf8(), String::len))
        .fold(0, usize::saturating_add);
    check_size(1, len).map_err(|why| value_error(F, why.to_string()))?;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match pairs.iter().find(|(src, _)| *src == c) {
            Some((_, target)) => out.push_str(target),
            None => out.push(c),
        }
    }
    Ok(Value::from(out))
}

#[cfg(test)]
mod tests {
    use crate::functions::args::testing::{err, mv, ok, s};
    use crate::value::Value;

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
}
