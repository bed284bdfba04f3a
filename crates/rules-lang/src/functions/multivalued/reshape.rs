//! Reshaping: `Join`, `Split`, `RemoveDuplicates`.

use std::fmt::Write as _;

use crate::functions::{CallCtx, FnError, arg, char_arg, num_arg, str_arg, to_usize, value_error};
use crate::ops::distinct::{Sameness, first_occurrences};
use crate::value::{Value, check_size};

/// Reading (`Join`): values are joined in their text form (references as their DN); a null
/// attribute gives null; a null or absent delimiter is a space when absent and nothing when
/// null, as the reference says ("If omitted, the space character ... If Delimiter is a
/// zero-length string or Nothing ... no delimiters").
pub(super) fn join(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    let list = arg(args, 0);
    if list.is_null() {
        return Ok(Value::Null);
    }
    let delimiter = if args.len() < 2 {
        " ".into()
    } else {
        str_arg("Join", args, 1)?.unwrap_or_default()
    };
    let values = list.values();
    let len = list
        .data_len()
        .saturating_add(32_usize.saturating_mul(values.len()))
        .saturating_add(delimiter.len().saturating_mul(values.len()));
    check_size(1, len).map_err(|why| value_error("Join", why.to_string()))?;
    let mut out = String::with_capacity(
        list.data_len().saturating_add(
            delimiter
                .len()
                .saturating_mul(values.len().saturating_sub(1)),
        ),
    );
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(&delimiter);
        }
        match v {
            Value::Str(s) | Value::Ref(s) => out.push_str(s),
            other => {
                let _ = write!(out, "{other}");
            }
        }
    }
    Ok(Value::from(out))
}

/// Reading (`RemoveDuplicates`): exact comparison (case-sensitive), the first occurrence kept
/// in place; null gives null.
pub(super) fn remove_duplicates(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(without_repeats(arg(args, 0)).0)
}

/// `RemoveDuplicates` of `list`, and the number of pairs of values compared (about one
/// per repeated value: values are hashed, see [`crate::ops::distinct`]).
fn without_repeats(list: &Value) -> (Value, u64) {
    match list {
        Value::Multi(items) => {
            let (out, comparisons) = first_occurrences(items, Sameness::Exact);
            (Value::multi(out), comparisons)
        }
        other => (other.clone(), 0),
    }
}

/// Reading (`Split`): the delimiter must be exactly one character (otherwise an error);
/// empty pieces are kept (`Split("a,,b", ",")` has three values) so that `Join` undoes
/// `Split`, except that an empty string gives null (no values). `limit` caps the number of
/// values, the last holding the rest of the string; a limit below 1 means no limit. A null
/// string gives null.
pub(super) fn split(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "Split";
    let Some(s) = str_arg(F, args, 0)? else {
        return Ok(Value::Null);
    };
    let d = char_arg(F, args, 1, "the delimiter")?;
    if s.is_empty() {
        return Ok(Value::Null);
    }
    let limit = num_arg(F, args, 2)?
        .filter(|l| *l >= 1)
        .map_or(usize::MAX, to_usize);
    let count = s.matches(d).count().saturating_add(1).min(limit);
    check_size(count, s.len()).map_err(|why| value_error(F, why.to_string()))?;
    Ok(Value::multi(s.splitn(limit, d).map(Value::str).collect()))
}

#[cfg(test)]
mod tests {
    use crate::functions::args::testing::{mv, n, ok, run, s};
    use crate::value::Value;

    #[test]
    fn join() {
        let two = mv(&["SMTP:john.doe@contoso.com", "smtp:jd@contoso.com"]);
        assert_eq!(
            ok("Join", &[two.clone(), s(",")]),
            s("SMTP:john.doe@contoso.com,smtp:jd@contoso.com")
        );
        assert_eq!(
            ok("Join", std::slice::from_ref(&two)),
            s("SMTP:john.doe@contoso.com smtp:jd@contoso.com")
        );
        assert_eq!(
            ok("Join", &[two.clone(), s("")]),
            s("SMTP:john.doe@contoso.comsmtp:jd@contoso.com")
        );
        assert_eq!(
            ok("Join", &[two, Value::Null]),
            s("SMTP:john.doe@contoso.comsmtp:jd@contoso.com")
        );
        assert_eq!(ok("Join", &[mv(&["a", "b", "c"]), s(", ")]), s("a, b, c"));
        assert_eq!(ok("Join", &[s("one"), s(",")]), s("one"));
        assert_eq!(ok("Join", &[Value::Null, s(",")]), Value::Null);
        assert_eq!(
            ok("Join", &[Value::multi(vec![n(1), n(2)]), s("+")]),
            s("1+2")
        );
    }

    #[test]
    fn remove_duplicates() {
        assert_eq!(
            ok("RemoveDuplicates", &[mv(&["b", "a", "b", "B", "a", "c"])]),
            mv(&["b", "a", "B", "c"])
        );
        assert_eq!(ok("RemoveDuplicates", &[s("x")]), s("x"));
        assert_eq!(ok("RemoveDuplicates", &[Value::Null]), Value::Null);
        let trimmed = ok(
            "Trim",
            &[mv(&[" SMTP:a@x.com", "SMTP:a@x.com ", "smtp:b@x.com"])],
        );
        assert_eq!(
            ok("RemoveDuplicates", &[trimmed]),
            mv(&["SMTP:a@x.com", "smtp:b@x.com"])
        );
    }

    /// 100,000 values, all different or all repeated: about one comparison per repeat
    /// (comparing every pair would take 5 * 10^9).
    #[test]
    fn remove_duplicates_is_linear() {
        let count = 100_000;
        let distinct = Value::multi(
            (0..count)
                .map(|i| Value::from(format!("smtp:u{i}@x")))
                .collect(),
        );
        let (out, comparisons) = super::without_repeats(&distinct);
        assert_eq!(out, distinct);
        assert!(comparisons < 10, "{comparisons}");
        let twice = Value::multi(
            distinct
                .values()
                .iter()
                .chain(distinct.values())
                .cloned()
                .collect(),
        );
        let (out, comparisons) = super::without_repeats(&twice);
        assert_eq!(out, distinct);
        assert!(comparisons <= count + 10, "{comparisons}");
        assert_eq!(ok("RemoveDuplicates", &[twice]), distinct);
        let joined = ok("Join", &[distinct.clone(), s(",")]);
        assert_eq!(ok("Count", &[ok("Split", &[joined, s(",")])]), n(100_000));
    }

    #[test]
    fn split() {
        assert_eq!(
            ok(
                "Split",
                &[s("SMTP:john.doe@contoso.com,smtp:jd@contoso.com"), s(",")]
            ),
            mv(&["SMTP:john.doe@contoso.com", "smtp:jd@contoso.com"])
        );
        assert_eq!(ok("Split", &[s("a,,b"), s(",")]), mv(&["a", "", "b"]));
        assert_eq!(
            ok("Split", &[s("a,b,c,d"), s(","), n(2)]),
            mv(&["a", "b,c,d"])
        );
        assert_eq!(ok("Split", &[s("a,b"), s(","), n(0)]), mv(&["a", "b"]));
        assert_eq!(ok("Split", &[s("a,b"), s(","), n(-1)]), mv(&["a", "b"]));
        assert_eq!(ok("Split", &[s("abc"), s(",")]), mv(&["abc"]));
        assert_eq!(ok("Split", &[s("å;ä"), s(";")]), mv(&["å", "ä"]));
        assert_eq!(ok("Split", &[s(""), s(",")]), Value::Null);
        assert_eq!(ok("Split", &[Value::Null, s(",")]), Value::Null);
        assert!(
            run("Split", &[s("a"), s("")])
                .unwrap_err()
                .to_string()
                .contains("single")
        );
        assert!(
            run("Split", &[s("a"), s(", ")])
                .unwrap_err()
                .to_string()
                .contains("single")
        );
        assert!(run("Split", &[s("a"), Value::Null]).is_err());
        assert_eq!(
            ok("Split", &[mv(&["a,b", "c"]), s(",")]),
            mv(&["a", "b", "c"])
        );
        let joined = ok("Join", &[ok("Split", &[s("x;;y;"), s(";")]), s(";")]);
        assert_eq!(joined, s("x;;y;"));
    }
}
