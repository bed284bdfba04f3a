//! Functions the out-of-box rules use that the functions reference does not list.
//! `ImportedValue` and `ValueCount` read the object itself and are compiled to attribute
//! loads; `CBin` and `Thumbprint` are ordinary functions.

use super::{Builtin, Group, Param, Ret, Sig};
use crate::types::Ty;

pub(super) const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "ImportedValue",
        group: Group::Undocumented,
        sigs: &[Sig::new(&[Param::AttrName], Ret::Ty(Ty::Var))],
        maps: false,
        pure: true,
        imp: None,
        doc: "The attribute's values as last confirmed by an import, ignoring values exported but not yet seen back.",
        example: r#"RemoveDuplicates(Trim(ImportedValue("proxyAddresses")))"#,
    },
    Builtin {
        name: "ValueCount",
        group: Group::Undocumented,
        sigs: &[Sig::new(&[Param::AttrName], Ret::Ty(Ty::NUM))],
        maps: false,
        pure: true,
        imp: None,
        doc: "The number of values the named attribute holds (0 when absent).",
        example: r#"ValueCount("member")"#,
    },
];
