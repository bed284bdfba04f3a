//! Multi-valued: `Contains`, `Count`, `Item`, `ItemOrNull`, `Join`, `RemoveDuplicates`,
//! `Split`.
//!
//! A single value behaves as a list of one value and null as an empty list. Indexes are
//! 1-based.
//!
//! Reading: besides the reference's `mvstr` signatures, `Count`, `Item`, `ItemOrNull` and
//! `RemoveDuplicates` also take `mvbin` and `mvref` (the reference's `With` example counts
//! certificates, `Count($unExpiredCerts)`), so those signatures are listed too.

use super::text::fold_char;
use super::{
    Builtin, CallCtx, FnError, Group, Param, Ret, Sig, arg, enum_arg, num_arg, str_arg, value_error,
};
use crate::types::Ty;
use crate::value::Value;

const CASE: &[&str] = &["CaseSensitive", "CaseInsensitive"];

fn folded(s: &str, fold: bool) -> String {
    if fold {
        s.chars().map(fold_char).collect()
    } else {
        s.to_owned()
    }
}

/// Reading (`Contains`): a reference value matches only when equal to the search string (a
/// string value matches when it contains it); `CaseInsensitive` folds both sides to lower
/// case. A null attribute gives 0 (nothing found); a null search string gives null. Values
/// that are neither strings nor references (numbers, Booleans) are searched as their text;
/// binaries and dates never match.
fn contains(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "Contains";
    let Some(search) = str_arg(F, args, 1)? else {
        return Ok(Value::Null);
    };
    let fold = enum_arg(F, args, 2, CASE)? == Some("CaseInsensitive");
    let search = folded(&search, fold);
    let found = arg(args, 0).values().iter().position(|v| match v {
        Value::Ref(dn) => folded(dn, fold) == search,
        Value::Str(s) => folded(s, fold).contains(&search),
        Value::Num(_) | Value::Bool(_) => folded(&v.to_string(), fold).contains(&search),
        _ => false,
    });
    Ok(Value::Num(found.map_or(0, |i| {
        i64::try_from(i).map_or(i64::MAX, |i| i + 1)
    })))
}

fn count(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    let n = arg(args, 0).values().len();
    Ok(Value::Num(i64::try_from(n).unwrap_or(i64::MAX)))
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
    let found = usize::try_from(index)
        .ok()
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| values.get(i));
    Ok(found.cloned().ok_or(values.len()))
}

/// Reading (`Item`): an index outside 1 to the number of values is an error, as the
/// reference says; a null attribute or index gives null (an absent attribute is not an
/// out-of-range access: the out-of-box rule `Left(Trim(Item([description],1)),448)` runs on
/// users without a description).
fn item(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    item_at("Item", args)?.or_else(|n| {
        let index = num_arg("Item", args, 1)?.unwrap_or_default();
        Err(value_error(
            "Item",
            format!("index {index} is out of range: the attribute has {n} value(s)"),
        ))
    })
}

fn item_or_null(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(item_at("ItemOrNull", args)?.unwrap_or(Value::Null))
}

/// Reading (`Join`): values are joined in their text form (references as their DN); a null
/// attribute gives null; a null or absent delimiter is a space when absent and nothing when
/// null, as the reference says ("If omitted, the space character ... If Delimiter is a
/// zero-length string or Nothing ... no delimiters").
fn join(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    let list = arg(args, 0);
    if list.is_null() {
        return Ok(Value::Null);
    }
    let delimiter = if args.len() < 2 {
        " ".into()
    } else {
        str_arg("Join", args, 1)?.unwrap_or_default()
    };
    let parts: Vec<String> = list.values().iter().map(ToString::to_string).collect();
    Ok(Value::from(parts.join(&delimiter)))
}

/// Reading (`RemoveDuplicates`): exact comparison (case-sensitive), the first occurrence kept
/// in place; null gives null.
fn remove_duplicates(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    let list = arg(args, 0);
    let mut out: Vec<Value> = Vec::with_capacity(list.values().len());
    for v in list.values() {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    Ok(match list {
        Value::Multi(_) => Value::multi(out),
        other => other.clone(),
    })
}

/// Reading (`Split`): the delimiter must be exactly one character (otherwise an error);
/// empty pieces are kept (`Split("a,,b", ",")` has three values) so that `Join` undoes
/// `Split`, except that an empty string gives null (no values). `limit` caps the number of
/// values, the last holding the rest of the string; a limit below 1 means no limit. A null
/// string gives null.
fn split(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "Split";
    let Some(s) = str_arg(F, args, 0)? else {
        return Ok(Value::Null);
    };
    let Some(delimiter) = str_arg(F, args, 1)? else {
        return Err(value_error(F, "the delimiter cannot be null"));
    };
    let mut dc = delimiter.chars();
    let (Some(d), None) = (dc.next(), dc.next()) else {
        return Err(value_error(
            F,
            format!("the delimiter must be a single character, found `{delimiter}`"),
        ));
    };
    if s.is_empty() {
        return Ok(Value::Null);
    }
    let limit = num_arg(F, args, 2)?
        .filter(|l| *l >= 1)
        .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    Ok(Value::multi(s.splitn(limit, d).map(Value::str).collect()))
}

const MVSTR: Param = Param::Ty(Ty::MVSTR);
const MVBIN: Param = Param::Ty(Ty::MVBIN);
const MVREF: Param = Param::Ty(Ty::MVREF);
const S: Param = Param::Ty(Ty::STR);
const N: Param = Param::Ty(Ty::NUM);

pub(super) const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "Contains",
        group: Group::MultiValued,
        sigs: &[
            Sig::optional(&[MVSTR, S, Param::Enum(CASE)], 2, Ret::Ty(Ty::NUM)),
            Sig::new(&[MVREF, S], Ret::Ty(Ty::NUM)),
        ],
        maps: false,
        pure: true,
        imp: Some(contains),
        doc: "The 1-based index of the first value containing the string (equal to it, for references), or 0.",
        example: r#"IIF(Contains([proxyAddresses],"SMTP:")>0,[proxyAddresses],Error("No primary SMTP address found."))"#,
    },
    Builtin {
        name: "Count",
        group: Group::MultiValued,
        sigs: &[
            Sig::new(&[MVSTR], Ret::Ty(Ty::NUM)),
            Sig::new(&[MVBIN], Ret::Ty(Ty::NUM)),
            Sig::new(&[MVREF], Ret::Ty(Ty::NUM)),
        ],
        maps: false,
        pure: true,
        imp: Some(count),
        doc: "The number of values of a multi-valued attribute (0 when absent).",
        example: "Count([proxyAddresses])",
    },
    Builtin {
        name: "Item",
        group: Group::MultiValued,
        sigs: &[
            Sig::new(&[MVSTR, N], Ret::ElementOf(0)),
            Sig::new(&[MVBIN, N], Ret::ElementOf(0)),
            Sig::new(&[MVREF, N], Ret::ElementOf(0)),
        ],
        maps: false,
        pure: true,
        imp: Some(item),
        doc: "The value at a 1-based index; an error when the index is out of range.",
        example: r#"Mid(Item([proxyAddresses],Contains([proxyAddresses], "SMTP:")),6)"#,
    },
    Builtin {
        name: "ItemOrNull",
        group: Group::MultiValued,
        sigs: &[
            Sig::new(&[MVSTR, N], Ret::ElementOf(0)),
            Sig::new(&[MVBIN, N], Ret::ElementOf(0)),
            Sig::new(&[MVREF, N], Ret::ElementOf(0)),
        ],
        maps: false,
        pure: true,
        imp: Some(item_or_null),
        doc: "The value at a 1-based index, or null when the index is out of range.",
        example: r#"ItemOrNull([proxyAddresses],Contains([proxyAddresses], "SMTP:"))"#,
    },
    Builtin {
        name: "Join",
        group: Group::MultiValued,
        sigs: &[Sig::optional(&[MVSTR, S], 1, Ret::Ty(Ty::STR))],
        maps: false,
        pure: true,
        imp: Some(join),
        doc: "Joins the values into one string with a delimiter (a space when omitted).",
        example: r#"Join([proxyAddresses],",")"#,
    },
    Builtin {
        name: "RemoveDuplicates",
        group: Group::MultiValued,
        sigs: &[
            Sig::new(&[MVSTR], Ret::SameAs(0)),
            Sig::new(&[MVBIN], Ret::SameAs(0)),
            Sig::new(&[MVREF], Ret::SameAs(0)),
        ],
        maps: false,
        pure: true,
        imp: Some(remove_duplicates),
        doc: "Removes repeated values (exact comparison), keeping each first occurrence.",
        example: "RemoveDuplicates([proxyAddresses])",
    },
    Builtin {
        name: "Split",
        group: Group::MultiValued,
        sigs: &[Sig::optional(&[S, S, N], 2, Ret::Ty(Ty::MVSTR))],
        maps: true,
        pure: true,
        imp: Some(split),
        doc: "Splits a string at a single-character delimiter into a multi-valued string.",
        example: r#"Split("SMTP:john.doe@contoso.com,smtp:jd@contoso.com",",")"#,
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

    fn proxies() -> Value {
        mv(&[
            "smtp:jd@contoso.com",
            "SMTP:john.doe@contoso.com",
            "x500:/o=x",
        ])
    }

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
    fn count() {
        assert_eq!(ok("Count", &[proxies()]), n(3));
        assert_eq!(ok("Count", &[s("one")]), n(1));
        assert_eq!(ok("Count", &[Value::Null]), n(0));
        assert_eq!(
            ok(
                "Count",
                &[Value::multi(vec![Value::bin([1u8]), Value::bin([2u8])])]
            ),
            n(2)
        );
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
