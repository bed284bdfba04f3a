//! The function reference as text: signatures for diagnostics, Markdown for the README.

use std::fmt::Write as _;

use super::{Builtin, Group, Param, Ret, Sig, all};

fn param_name(p: Param) -> String {
    match p {
        Param::Ty(t) => t.to_string(),
        Param::Exp => "exp".to_owned(),
        Param::Var => "var".to_owned(),
        Param::Enum(options) => options.join("|"),
        Param::AttrName => "\"attributeName\"".to_owned(),
    }
}

/// The name of a parameter type as the reference writes it (`str`, `mvstr`, `exp`, ...).
pub fn param_text(p: Param) -> String {
    param_name(p)
}

/// One overload as text: `str Left(str, num)`; optional parameters in brackets.
pub fn signature_text(b: &Builtin, sig: &Sig) -> String {
    let params: Vec<String> = sig
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let name = param_name(*p);
            if i >= sig.required {
                format!("[{name}]")
            } else {
                name
            }
        })
        .collect();
    let dots = if sig.repeat > 0 { ", ..." } else { "" };
    let ret = match sig.ret {
        Ret::Ty(t) => t.to_string(),
        Ret::ElementOf(_) | Ret::SameAs(_) => "var".to_owned(),
    };
    format!("{ret} {}({}{dots})", b.name, params.join(", "))
}

const GROUPS: [Group; 10] = [
    Group::Certificate,
    Group::Conversion,
    Group::DateTime,
    Group::Directory,
    Group::Evaluation,
    Group::Math,
    Group::MultiValued,
    Group::ProgramFlow,
    Group::Text,
    Group::Undocumented,
];

/// What the tables' "Maps over a multi-valued first argument" stands beside.
const MULTI_VALUED_NOTE: &str = "An expression that reads a multi-valued attribute where a \
function takes one value runs once per value of the attribute, the whole expression, and the \
results are the values: `Trim([proxyAddresses])` trims each value, \
`IIF(InStr([proxyAddresses],\"SIP:\")=1,NULL,[proxyAddresses])` drops the SIP address. \
Parameters typed `mvstr`, `mvbin`, `mvref` or `var` take the attribute whole (`Count`, \
`Join`, `Contains`, `Item`, `IsPresent`, ...); an attribute also used so is not split, and a \
function marked below maps over a multi-valued first argument on its own. Two multi-valued \
attributes read where one value is expected are an error (E0113).\n\n";

/// Every function, grouped as in Microsoft's reference, as Markdown tables.
pub fn reference_markdown() -> String {
    let mut out = String::from(MULTI_VALUED_NOTE);
    for group in GROUPS {
        let mut fns: Vec<&Builtin> = all().filter(|b| b.group == group).collect();
        if fns.is_empty() {
            continue;
        }
        fns.sort_by_key(|b| b.name.to_ascii_lowercase());
        let _ = writeln!(out, "#### {}\n", group.title());
        let _ = writeln!(out, "| Function | Signatures | What it does | Example |");
        let _ = writeln!(out, "| --- | --- | --- | --- |");
        for b in fns {
            let sigs: Vec<String> = b
                .sigs
                .iter()
                .map(|s| format!("`{}`", signature_text(b, s).replace('|', "\\|")))
                .collect();
            let mapped = if b.maps {
                " Maps over a multi-valued first argument."
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {}{mapped} | `{}` |",
                b.name,
                sigs.join("<br>"),
                b.doc.replace('|', "\\|"),
                b.example.replace('|', "\\|")
            );
        }
        out.push('\n');
    }
    out
}
