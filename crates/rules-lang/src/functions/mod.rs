//! The built-in functions: signatures for the checker, implementations for the VM and the
//! reference evaluator (both call the same code, so they can only differ in control flow).
//!
//! `IIF`, `Select`, `Where` and `With` are special forms handled by the checker and compiler
//! (their arguments are evaluated lazily or bind variables); they are listed here too so
//! that the registry names every function of the language.

mod args;
mod certificate;
mod conversion;
mod datetime;
mod directory;
mod doc;
mod evaluation;
mod extras;
mod flow;
mod math;
mod multivalued;
mod text;

pub use args::*;
pub(crate) use directory::component as dn_component;
pub use directory::escape_rdn_value;
pub use doc::{param_text, reference_markdown, signature_text};
pub(crate) use evaluation::{is_null, is_present};
pub(crate) use text::{first_position, left_chars, right_chars};

use chrono::{DateTime, Utc};

use crate::types::Ty;
use crate::value::Value;

/// The groups of the functions reference, plus the functions the corpus uses beyond it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Group {
    /// X.509 certificates.
    Certificate,
    /// Conversions between types.
    Conversion,
    /// Dates and times.
    DateTime,
    /// Distinguished names.
    Directory,
    /// Tests on values.
    Evaluation,
    /// Arithmetic and bits.
    Math,
    /// Multi-valued attributes.
    MultiValued,
    /// Program flow.
    ProgramFlow,
    /// Strings.
    Text,
    /// Used by the out-of-box rules but absent from the functions reference.
    Undocumented,
}

impl Group {
    /// The group's title as the reference writes it.
    pub fn title(self) -> &'static str {
        match self {
            Group::Certificate => "Certificate",
            Group::Conversion => "Conversion",
            Group::DateTime => "Date / Time",
            Group::Directory => "Directory",
            Group::Evaluation => "Evaluation",
            Group::Math => "Math",
            Group::MultiValued => "Multi-valued",
            Group::ProgramFlow => "Program Flow",
            Group::Text => "Text",
            Group::Undocumented => "Used by the out-of-box rules",
        }
    }
}

/// The type a parameter accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// One value of this type (a multi-valued argument maps when the function maps).
    Ty(Ty),
    /// `exp`: a condition (Boolean, number, or variant).
    Exp,
    /// `var`: any value.
    Var,
    /// One of these enumeration constants, unquoted or as a string literal (matched without
    /// regard to case).
    Enum(&'static [&'static str]),
    /// An attribute name given as a string literal (`ImportedValue("proxyAddresses")`).
    AttrName,
}

/// What a signature returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    /// This type.
    Ty(Ty),
    /// The type of one value of argument `n` (`Item`).
    ElementOf(usize),
    /// The type of argument `n` (`RemoveDuplicates`).
    SameAs(usize),
}

/// One overload of a function.
#[derive(Clone, Copy, Debug)]
pub struct Sig {
    /// Parameter types, in order.
    pub params: &'static [Param],
    /// How many parameters are required; the rest are optional.
    pub required: usize,
    /// When set, the last `repeat` parameters may repeat any number of times (`Switch`).
    pub repeat: usize,
    /// The result type.
    pub ret: Ret,
}

impl Sig {
    /// A signature whose parameters are all required.
    pub const fn new(params: &'static [Param], ret: Ret) -> Sig {
        Sig {
            params,
            required: params.len(),
            repeat: 0,
            ret,
        }
    }

    /// A signature whose trailing parameters from `required` on are optional.
    pub const fn optional(params: &'static [Param], required: usize, ret: Ret) -> Sig {
        Sig {
            params,
            required,
            repeat: 0,
            ret,
        }
    }
}

/// What a function needs from its caller besides its arguments.
#[derive(Clone, Copy, Debug)]
pub struct CallCtx {
    /// The time `Now()` returns, fixed for a whole run so results are reproducible.
    pub now: DateTime<Utc>,
}

impl Default for CallCtx {
    fn default() -> Self {
        CallCtx { now: Utc::now() }
    }
}

/// How a call's arguments reach its implementation.
pub type Impl = fn(&[Value], &CallCtx) -> Result<Value, FnError>;

/// A built-in function.
#[derive(Debug)]
pub struct Builtin {
    /// The name, case-sensitive as in the reference.
    pub name: &'static str,
    /// The reference's group.
    pub group: Group,
    /// The overloads, tried in order by the checker.
    pub sigs: &'static [Sig],
    /// When true, a multi-valued first argument is mapped: the function runs once per value
    /// and the results form a multi-valued result (`Trim([proxyAddresses])`).
    pub maps: bool,
    /// False for functions whose result changes between calls (`Now`, `Guid`, `RandomNum`):
    /// the compiler never folds them.
    pub pure: bool,
    /// The implementation; `None` for special forms (`IIF`, `Select`, `Where`, `With`,
    /// `ImportedValue`, `ValueCount`), which the compiler turns into control flow or
    /// attribute loads.
    pub imp: Option<Impl>,
    /// One line for the language reference.
    pub doc: &'static str,
    /// A call that shows the function, for the language reference.
    pub example: &'static str,
}

/// Why a function call failed at run time.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FnError {
    /// `Error("...")`: the flow raised the rule author's message.
    #[error("{0}")]
    User(String),
    /// An argument's run-time type does not fit the function.
    #[error("argument {index} of `{function}` must be {expected}, found {found}")]
    Type {
        /// The function.
        function: &'static str,
        /// 1-based argument position.
        index: usize,
        /// What the function takes.
        expected: &'static str,
        /// What it was given.
        found: &'static str,
    },
    /// An argument has the right type but a value the function cannot take.
    #[error("{function}: {message}")]
    Value {
        /// The function.
        function: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// Every built-in function, grouped as in the reference.
pub fn all() -> impl Iterator<Item = &'static Builtin> {
    [
        certificate::BUILTINS,
        conversion::BUILTINS,
        datetime::BUILTINS,
        directory::BUILTINS,
        evaluation::BUILTINS,
        math::BUILTINS,
        multivalued::BUILTINS,
        flow::BUILTINS,
        text::BUILTINS,
        extras::BUILTINS,
    ]
    .into_iter()
    .flatten()
}

/// The function with exactly this (case-sensitive) name.
pub fn lookup(name: &str) -> Option<&'static Builtin> {
    all().find(|b| b.name == name)
}

/// Calls a builtin on evaluated arguments, mapping over a multi-valued first argument when
/// the function maps. This is the one entry point the VM and the reference evaluator share.
pub fn call(builtin: &Builtin, args: &[Value], ctx: &CallCtx) -> Result<Value, FnError> {
    let Some(imp) = builtin.imp else {
        return Err(value_error(
            builtin.name,
            "is a special form and cannot be called",
        ));
    };
    let too_big = |why: crate::value::SizeError| value_error(builtin.name, why.to_string());
    if builtin.maps
        && let Some((Value::Multi(items), rest)) = args.split_first()
    {
        let mut out = Vec::with_capacity(items.len());
        let mut buf = Vec::with_capacity(args.len());
        let mut bytes = 0usize;
        for item in items.iter() {
            buf.clear();
            buf.push(item.clone());
            buf.extend_from_slice(rest);
            let v = imp(&buf, ctx)?;
            bytes = bytes.saturating_add(v.data_len());
            crate::value::check_size(out.len().saturating_add(v.values().len()), bytes)
                .map_err(too_big)?;
            match v {
                Value::Null => {}
                Value::Multi(inner) => out.extend(inner.iter().cloned()),
                v => out.push(v),
            }
        }
        return Ok(Value::multi(out));
    }
    let v = imp(args, ctx)?;
    crate::value::check_size(v.values().len(), v.data_len()).map_err(too_big)?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = all().map(|b| b.name).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "duplicate builtin names");
    }

    #[test]
    fn every_reference_function_is_present() {
        // The 85 functions of the reference's index plus the four the corpus adds.
        let documented = [
            "CertExtensionOids",
            "CertFormat",
            "CertFriendlyName",
            "CertHashString",
            "CertIssuer",
            "CertIssuerDN",
            "CertIssuerOid",
            "CertKeyAlgorithm",
            "CertKeyAlgorithmParams",
            "CertNameInfo",
            "CertNotAfter",
            "CertNotBefore",
            "CertPublicKeyOid",
            "CertPublicKeyParametersOid",
            "CertSerialNumber",
            "CertSignatureAlgorithmOid",
            "CertSubject",
            "CertSubjectNameDN",
            "CertSubjectNameOid",
            "CertThumbprint",
            "CertVersion",
            "IsCert",
            "CBool",
            "CDate",
            "CGuid",
            "ConvertFromBase64",
            "ConvertToBase64",
            "ConvertFromUTF8Hex",
            "ConvertToUTF8Hex",
            "CNum",
            "CRef",
            "CStr",
            "StringFromGuid",
            "StringFromSid",
            "DateAdd",
            "DateFromNum",
            "FormatDateTime",
            "Now",
            "NumFromDate",
            "DNComponent",
            "DNComponentRev",
            "EscapeDNComponent",
            "IsBitSet",
            "IsDate",
            "IsEmpty",
            "IsGuid",
            "IsNull",
            "IsNullOrEmpty",
            "IsNumeric",
            "IsPresent",
            "IsString",
            "BitAnd",
            "BitOr",
            "RandomNum",
            "Contains",
            "Count",
            "Item",
            "ItemOrNull",
            "Join",
            "RemoveDuplicates",
            "Split",
            "Error",
            "IIF",
            "Select",
            "Switch",
            "Where",
            "With",
            "Guid",
            "InStr",
            "InStrRev",
            "LCase",
            "Left",
            "Len",
            "LTrim",
            "Mid",
            "PadLeft",
            "PadRight",
            "PCase",
            "Replace",
            "ReplaceChars",
            "Right",
            "RTrim",
            "Trim",
            "UCase",
            "Word",
            "ImportedValue",
            "CBin",
            "Thumbprint",
            "ValueCount",
        ];
        assert_eq!(documented.len(), 89);
        for name in documented {
            assert!(lookup(name).is_some(), "missing builtin {name}");
        }
    }
}
