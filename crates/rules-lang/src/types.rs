//! Static types of the expression language, as the functions reference names them
//! (`str`, `num`, `bool`, `bin`, `ref`, `dt`, `mvstr`, `mvbin`, `mvref`, `var`, `void`, ...).

use std::fmt;

/// The type of one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// `str`
    Str,
    /// `num`
    Num,
    /// `bool`
    Bool,
    /// `bin`
    Bin,
    /// `ref`
    Ref,
    /// `dt`
    Dt,
}

impl Scalar {
    /// The reference's short name: `str`, `num`, ...
    pub fn name(self) -> &'static str {
        match self {
            Scalar::Str => "str",
            Scalar::Num => "num",
            Scalar::Bool => "bool",
            Scalar::Bin => "bin",
            Scalar::Ref => "ref",
            Scalar::Dt => "dt",
        }
    }
}

/// The static type of an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// A single value of a known scalar type.
    One(Scalar),
    /// Several values of one scalar type (`mvstr`, `mvbin`, `mvref`, ...).
    Many(Scalar),
    /// Several values of unknown type.
    ManyVar,
    /// `var`: any value, known only at run time (an attribute no schema describes).
    Var,
    /// The `NULL` literal.
    Null,
    /// `void`: the expression never produces a value (`Error(...)`).
    Never,
    /// An unquoted enumeration constant such as `CaseInsensitive` or `UTF8`.
    Enum,
    /// `IgnoreThisFlow` or `AuthoritativeNull`: only meaningful as a flow's result.
    FlowControl,
}

impl Ty {
    /// `str`
    pub const STR: Ty = Ty::One(Scalar::Str);
    /// `num`
    pub const NUM: Ty = Ty::One(Scalar::Num);
    /// `bool`
    pub const BOOL: Ty = Ty::One(Scalar::Bool);
    /// `bin`
    pub const BIN: Ty = Ty::One(Scalar::Bin);
    /// `ref`
    pub const REF: Ty = Ty::One(Scalar::Ref);
    /// `dt`
    pub const DT: Ty = Ty::One(Scalar::Dt);
    /// `mvstr`
    pub const MVSTR: Ty = Ty::Many(Scalar::Str);
    /// `mvbin`
    pub const MVBIN: Ty = Ty::Many(Scalar::Bin);
    /// `mvref`
    pub const MVREF: Ty = Ty::Many(Scalar::Ref);

    /// True for types that may hold several values.
    pub fn is_multi(self) -> bool {
        matches!(self, Ty::Many(_) | Ty::ManyVar)
    }

    /// The type of one value of this type (`mvstr` → `str`).
    pub fn element(self) -> Ty {
        match self {
            Ty::Many(s) => Ty::One(s),
            Ty::ManyVar => Ty::Var,
            other => other,
        }
    }

    /// The multi-valued form of this type (`str` → `mvstr`).
    pub fn multi(self) -> Ty {
        match self {
            Ty::One(s) | Ty::Many(s) => Ty::Many(s),
            Ty::Null | Ty::Never | Ty::FlowControl => self,
            _ => Ty::ManyVar,
        }
    }

    /// The least type that holds both: used for the branches of `IIF` and `Switch`.
    pub fn join(self, other: Ty) -> Ty {
        match (self, other) {
            (a, b) if a == b => a,
            (Ty::Never | Ty::Null | Ty::FlowControl, b) => b,
            (a, Ty::Never | Ty::Null | Ty::FlowControl) => a,
            (Ty::One(a) | Ty::Many(a), Ty::One(b) | Ty::Many(b)) if a == b => Ty::Many(a),
            (a, b) if a.is_multi() || b.is_multi() => Ty::ManyVar,
            _ => Ty::Var,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::One(s) => f.write_str(s.name()),
            Ty::Many(s) => write!(f, "mv{}", s.name()),
            Ty::ManyVar => f.write_str("mvvar"),
            Ty::Var => f.write_str("var"),
            Ty::Null => f.write_str("null"),
            Ty::Never => f.write_str("void"),
            Ty::Enum => f.write_str("enum"),
            Ty::FlowControl => f.write_str("flow control"),
        }
    }
}
