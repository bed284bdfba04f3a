//! Multi-valued: `Contains`, `Count`, `Item`, `ItemOrNull`, `Join`, `RemoveDuplicates`,
//! `Split`.
//!
//! A single value behaves as a list of one value and null as an empty list. Indexes are
//! 1-based.
//!
//! Reading: besides the reference's `mvstr` signatures, `Count`, `Item`, `ItemOrNull` and
//! `RemoveDuplicates` also take `mvbin` and `mvref` (the reference's `With` example counts
//! certificates, `Count($unExpiredCerts)`), so those signatures are listed too.

mod find;
mod reshape;

use self::find::{contains, item, item_or_null};
use self::reshape::{join, remove_duplicates, split};
use super::{Builtin, CallCtx, FnError, Group, Param, Ret, Sig, arg, to_num};
use crate::types::Ty;
use crate::value::Value;

/// The options of `Contains`.
const CASE: &[&str] = &["CaseSensitive", "CaseInsensitive"];

fn count(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    let n = arg(args, 0).values().len();
    Ok(Value::Num(to_num(n)))
}

const MVSTR: Param = Param::Ty(Ty::MVSTR);
const MVBIN: Param = Param::Ty(Ty::MVBIN);
const MVREF: Param = Param::Ty(Ty::MVREF);
const S: Param = Param::Ty(Ty::STR);
const N: Param = Param::Ty(Ty::NUM);

/// The signatures of `Item` and `ItemOrNull`: one value of any multi-valued attribute.
const ELEMENT_AT: &[Sig] = &[
    Sig::new(&[MVSTR, N], Ret::ElementOf(0)),
    Sig::new(&[MVBIN, N], Ret::ElementOf(0)),
    Sig::new(&[MVREF, N], Ret::ElementOf(0)),
];

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
        sigs: ELEMENT_AT,
        maps: false,
        pure: true,
        imp: Some(item),
        doc: "The value at a 1-based index; an error when the index is out of range.",
        example: r#"Mid(Item([proxyAddresses],Contains([proxyAddresses], "SMTP:")),6)"#,
    },
    Builtin {
        name: "ItemOrNull",
        group: Group::MultiValued,
        sigs: ELEMENT_AT,
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
    use crate::functions::args::testing::{mv, n, ok, s};
    use crate::value::Value;

    /// A user's proxyAddresses, the primary SMTP address second.
    pub(super) fn proxies() -> Value {
        mv(&[
            "smtp:jd@contoso.com",
            "SMTP:john.doe@contoso.com",
            "x500:/o=x",
        ])
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
}
