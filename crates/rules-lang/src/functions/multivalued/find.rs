//! Finding values: `Contains`, `Item`, `ItemOrNull`.

use std::borrow::Cow;

use super::CASE;
use crate::functions::text::fold_char;
use crate::functions::{
    CallCtx, FnError, arg, enum_arg, nth, num_arg, str_arg, to_num, value_error,
};
use crate::value::Value;

fn folded(s: &str, fold: bool) -> Cow<'_, str> {
    if fold {
        Cow::Owned(s.chars().map(fold_char).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// Reading (`Contains`): a reference value matches only when equal to the search string (a
/// string value matches when it contains it); `CaseInsensitive` folds both sides to lower
/// case. A null attribute gives 0 (nothing found); a null search string gives null. Values
/// that are neither strings nor references (numbers, Booleans) are searched as their text;
/// binaries and dates never match.
pub(super) fn contains(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "Contains";
    let Some(search) = str_arg(F, args, 1)? else {
        return Ok(Value::Null);
    };
    let fold = enum_arg(F, args, 2, CASE)? == Some("CaseInsensitive");
    let search = folded(&search, fold);
    let search: &str = &search;
    let found = arg(args, 0).values().iter().position(|v| match v {
        Value::Ref(dn) => folded(dn, fold) == search,
        Value::Str(s) => folded(s, fold).contains(search),
        Value::Num(_) | Value::Bool(_) => folded(&v.to_string(), fold).contains(search),
        _ => false,
    });
    Ok(Value::Num(found.map_or(0, |i| to_num(i) + 1)))
}

/// The value at 1-based `index`, or null for a null argument; `Err(count)` when out of range.
fn item_at(function: &'static str, args: &[Value]) -> Result<Result<Value, usize>, FnError> {
    let list = arg(args, 0);
    let Some(index) = num_arg(function, args, 1)? else {
        return Ok(Ok(Value::Null));
    };
    if list.is_null() {
        return Ok(Ok(Value::Null));
    }
    let values = list.values();
    let found = nth(values, index);
    Ok(found.cloned().ok_or(values.len()))
}

/// Reading (`Item`): an index outside 1 to the number of values is an error, as the
/// reference says; a null attribute or index gives null (an absent attribute is not an
/// out-of-range access: the out-of-box rule `Left(Trim(Item([description],1)),448)` runs on
/// users without a description).
pub(super) fn item(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    item_at("Item", args)?.or_else(|n| {
        let index = num_arg("Item", args, 1)?.unwrap_or_default();
        Err(value_error(
            "Item",
            format!("index {index} is out of range: the attribute has {n} value(s)"),
        ))
    })
}

pub(super) fn item_or_null(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(item_at("ItemOrNull", args)?.unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::super::tests::proxies;
    use crate::functions::FnError;
    use crate::functions::args::testing::{n, ok, run, s};
    use crate::value::Value;

    #[test]
    fn contains() {
        assert_eq!(ok("Contains", &[proxies(), s("SMTP:")]), n(2));
        assert_eq!(ok("Contains", &[proxies(), s("smtp:")]), n(1));
        assert_eq!(ok("Contains", &[proxies(), s("contoso")]), n(1));
        assert_eq!(ok("Contains", &[proxies(), s("X500")]), n(0));
        assert_eq!(
            ok("Contains", &[proxies(), s("X500"), s("CaseInsensitive")]),
            n(3)
        );
        assert_eq!(
            ok("Contains", &[proxies(), s("X500"), s("CaseSensitive")]),
            n(0)
        );
        assert_eq!(ok("Contains", &[s("SMTP:a@b"), s("SMTP:")]), n(1));
        assert_eq!(ok("Contains", &[Value::Null, s("SMTP:")]), n(0));
        assert_eq!(ok("Contains", &[proxies(), Value::Null]), Value::Null);
        let refs = Value::multi(vec![
            Value::reference("CN=A,DC=x"),
            Value::reference("CN=B,DC=x"),
        ]);
        assert_eq!(ok("Contains", &[refs.clone(), s("CN=B,DC=x")]), n(2));
        assert_eq!(ok("Contains", &[refs.clone(), s("CN=B")]), n(0));
        assert_eq!(ok("Contains", &[refs.clone(), s("cn=b,dc=x")]), n(0));
        assert_eq!(
            ok("Contains", &[refs, s("cn=b,dc=x"), s("CaseInsensitive")]),
            n(2)
        );
        assert!(run("Contains", &[proxies(), s("a"), s("Sometimes")]).is_err());
    }

    #[test]
    fn item() {
        assert_eq!(
            ok("Item", &[proxies(), n(2)]),
            s("SMTP:john.doe@contoso.com")
        );
        assert_eq!(ok("Item", &[proxies(), n(1)]), s("smtp:jd@contoso.com"));
        assert_eq!(ok("Item", &[s("only"), n(1)]), s("only"));
        for bad in [0, 4, -1] {
            let e = run("Item", &[proxies(), n(bad)]).unwrap_err();
            assert!(matches!(e, FnError::Value { .. }));
            assert!(e.to_string().contains("out of range"), "{e}");
        }
        assert!(
            run("Item", &[s("only"), n(2)])
                .unwrap_err()
                .to_string()
                .contains("out of range")
        );
        assert_eq!(ok("Item", &[Value::Null, n(1)]), Value::Null);
        assert_eq!(ok("Item", &[proxies(), Value::Null]), Value::Null);
        let b = Value::multi(vec![Value::bin([1u8]), Value::bin([2u8])]);
        assert_eq!(ok("Item", &[b, n(2)]), Value::bin([2u8]));
        let i = ok("Contains", &[proxies(), s("SMTP:")]);
        let primary = ok("Item", &[proxies(), i]);
        assert_eq!(
            ok("Mid", &[primary.clone(), n(6)]),
            s("john.doe@contoso.com")
        );
        assert_eq!(ok("InStr", &[primary, s("@")]), n(14));
    }

    #[test]
    fn item_or_null() {
        assert_eq!(ok("ItemOrNull", &[proxies(), n(3)]), s("x500:/o=x"));
        assert_eq!(ok("ItemOrNull", &[proxies(), n(4)]), Value::Null);
        assert_eq!(ok("ItemOrNull", &[proxies(), n(0)]), Value::Null);
        assert_eq!(ok("ItemOrNull", &[Value::Null, n(1)]), Value::Null);
        assert_eq!(ok("ItemOrNull", &[s("one"), n(1)]), s("one"));
    }
}
