//! Evaluation: `IsBitSet`, `IsDate`, `IsEmpty`, `IsGuid`, `IsNull`, `IsNullOrEmpty`,
//! `IsNumeric`, `IsPresent`, `IsString`.
//!
//! These are predicates: they answer True or False, never null. Every value is exactly one
//! of null (`IsNull`), empty (`IsEmpty`: a present empty string) or present (`IsPresent`),
//! and `IsNullOrEmpty` is the inverse of `IsPresent`.
//!
//! Reading: a binary of length zero (or an empty reference) is empty like an empty string; any
//! other number, Boolean, binary, reference or date is present. A multi-valued value is
//! present when at least one of its values is, empty when it has values but none is present.
//! `IgnoreThisFlow` and `AuthoritativeNull` hold no value and count as null.
//! `IsDate`, `IsNumeric` and `IsString` of a multi-valued value are true when every value
//! passes. `IsDate`, `IsNumeric` and `IsGuid` read strings with the parsers of `CDate`,
//! `CNum` and `CGuid`, so each is true exactly when that conversion of a string succeeds.

mod converts;
mod presence;

pub(crate) use presence::{is_null, is_present};

use self::converts::{is_date, is_guid, is_numeric, is_string};
use self::presence::{is_empty, is_null_fn, is_null_or_empty, is_present_fn};
use super::{Builtin, CallCtx, FnError, Group, Param, Ret, Sig, num_arg};
use crate::types::Ty;
use crate::value::Value;

/// Reading (`IsBitSet`): true when every bit of `flag` is set in `value` (as the scoping
/// filter's ISBITSET and LDAP's bitwise-AND rule); a null value or flag has no bits set.
fn is_bit_set(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    let set = num_arg("IsBitSet", args, 0)?
        .zip(num_arg("IsBitSet", args, 1)?)
        .is_some_and(|(value, flag)| value & flag == flag);
    Ok(Value::Bool(set))
}

const VAR: &[Param] = &[Param::Var];
const BOOL: Ret = Ret::Ty(Ty::BOOL);

pub(super) const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "IsBitSet",
        group: Group::Evaluation,
        sigs: &[Sig::new(&[Param::Ty(Ty::NUM), Param::Ty(Ty::NUM)], BOOL)],
        maps: true,
        pure: true,
        imp: Some(is_bit_set),
        doc: "True when the bits of `flag` are set in `value`.",
        example: "IsBitSet(&HF,4)",
    },
    Builtin {
        name: "IsDate",
        group: Group::Evaluation,
        sigs: &[Sig::new(VAR, BOOL)],
        maps: false,
        pure: true,
        imp: Some(is_date),
        doc: "True when the value is a date or a string `CDate` can convert.",
        example: "IsDate([employeeStartTime])",
    },
    Builtin {
        name: "IsEmpty",
        group: Group::Evaluation,
        sigs: &[Sig::new(VAR, BOOL)],
        maps: false,
        pure: true,
        imp: Some(is_empty),
        doc: "True when the value is present but an empty string.",
        example: "IsEmpty([displayName])",
    },
    Builtin {
        name: "IsGuid",
        group: Group::Evaluation,
        sigs: &[Sig::new(&[Param::Ty(Ty::STR)], BOOL)],
        maps: true,
        pure: true,
        imp: Some(is_guid),
        doc: "True when the string has a GUID's form, with or without braces.",
        example: "IIF(IsGuid([strAttribute]),CGuid([strAttribute]),NULL)",
    },
    Builtin {
        name: "IsNull",
        group: Group::Evaluation,
        sigs: &[Sig::new(VAR, BOOL)],
        maps: false,
        pure: true,
        imp: Some(is_null_fn),
        doc: "True when the value is null (for an attribute: absent).",
        example: "IsNull([displayName])",
    },
    Builtin {
        name: "IsNullOrEmpty",
        group: Group::Evaluation,
        sigs: &[Sig::new(VAR, BOOL)],
        maps: false,
        pure: true,
        imp: Some(is_null_or_empty),
        doc: "True when the value is null or an empty string; the inverse of `IsPresent`.",
        example: "IsNullOrEmpty([displayName])",
    },
    Builtin {
        name: "IsNumeric",
        group: Group::Evaluation,
        sigs: &[Sig::new(VAR, BOOL)],
        maps: false,
        pure: true,
        imp: Some(is_numeric),
        doc: "True when the value is a number or a string `CNum` can convert.",
        example: "IsNumeric([employeeID])",
    },
    Builtin {
        name: "IsPresent",
        group: Group::Evaluation,
        sigs: &[Sig::new(VAR, BOOL)],
        maps: false,
        pure: true,
        imp: Some(is_present_fn),
        doc: "True when the value is neither null nor an empty string; the inverse of `IsNullOrEmpty`.",
        example: "Switch(IsPresent([directManager]),[directManager], IsPresent([skiplevelManager]),[skiplevelManager], IsPresent([director]),[director])",
    },
    Builtin {
        name: "IsString",
        group: Group::Evaluation,
        sigs: &[Sig::new(VAR, BOOL)],
        maps: false,
        pure: true,
        imp: Some(is_string),
        doc: "True when `CStr` can convert the value (a string, reference, number or Boolean).",
        example: "IsString([objectGUID])",
    },
];

#[cfg(test)]
mod tests {
    use crate::functions::args::testing::{n, ok, run, s};
    use crate::value::Value;

    #[test]
    fn is_bit_set() {
        assert_eq!(ok("IsBitSet", &[n(0xF), n(4)]), Value::Bool(true));
        assert_eq!(ok("IsBitSet", &[n(0xF), n(16)]), Value::Bool(false));
        assert_eq!(ok("IsBitSet", &[n(514), n(2)]), Value::Bool(true));
        assert_eq!(ok("IsBitSet", &[n(512), n(2)]), Value::Bool(false));
        assert_eq!(ok("IsBitSet", &[n(0b101), n(0b110)]), Value::Bool(false));
        assert_eq!(
            ok("IsBitSet", &[n(-2_147_483_646), n(-2_147_483_648)]),
            Value::Bool(true)
        );
        assert_eq!(ok("IsBitSet", &[Value::Null, n(2)]), Value::Bool(false));
        assert_eq!(ok("IsBitSet", &[n(2), Value::Null]), Value::Bool(false));
        assert_eq!(
            ok("IsBitSet", &[Value::multi(vec![n(2), n(1)]), n(2)]),
            Value::multi(vec![Value::Bool(true), Value::Bool(false)])
        );
        assert!(run("IsBitSet", &[s("x"), n(1)]).is_err());
    }
}
