//! Function calls: name resolution, arity, overloads and argument types, and the special
//! forms (`IIF`, `Select`, `Where`, `With`, `ImportedValue`, `ValueCount`).

use super::Checker;
use crate::ast::{Expr, ExprKind};
use crate::diag::Diagnostic;
use crate::functions::{self, Builtin, Param, Ret, Sig, param_text as param_name, signature_text};
use crate::ir::{Node, NodeKind};
use crate::span::Span;
use crate::types::{Scalar, Ty};
use crate::value::Value;

/// How an argument fits a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fit {
    /// As it is.
    Yes,
    /// Value by value: the function maps over the multi-valued argument.
    Map,
    /// Not at all.
    No,
}

fn scalar_fits(param: Scalar, arg: Scalar) -> bool {
    // A reference is a DN: any function that reads a string reads it.
    param == arg || (param == Scalar::Str && arg == Scalar::Ref)
}

/// Whether an argument of type `arg` fits `param` (position `index` of `builtin`).
pub(super) fn fits(param: Param, arg: Ty, builtin: &Builtin, index: usize) -> Fit {
    if matches!(arg, Ty::Null | Ty::Never) {
        return Fit::Yes;
    }
    let maps = builtin.maps && index == 0;
    match param {
        Param::Var => match arg {
            Ty::Enum => Fit::No,
            _ => Fit::Yes,
        },
        Param::Exp => match arg {
            Ty::One(Scalar::Bool | Scalar::Num) | Ty::Var => Fit::Yes,
            Ty::Many(Scalar::Bool | Scalar::Num) | Ty::ManyVar => Fit::Yes,
            _ => Fit::No,
        },
        Param::Enum(_) => match arg {
            Ty::Enum | Ty::One(Scalar::Str) | Ty::Var => Fit::Yes,
            _ => Fit::No,
        },
        Param::AttrName => match arg {
            Ty::One(Scalar::Str) => Fit::Yes,
            _ => Fit::No,
        },
        Param::Ty(Ty::One(p)) => match arg {
            Ty::Var => Fit::Yes,
            Ty::One(a) if scalar_fits(p, a) => Fit::Yes,
            Ty::Many(a) if maps && scalar_fits(p, a) => Fit::Map,
            Ty::ManyVar if maps => Fit::Map,
            _ => Fit::No,
        },
        Param::Ty(Ty::Many(p)) => match arg {
            Ty::Var | Ty::ManyVar => Fit::Yes,
            Ty::One(a) | Ty::Many(a) if scalar_fits(p, a) => Fit::Yes,
            _ => Fit::No,
        },
        Param::Ty(Ty::ManyVar) => match arg {
            Ty::Enum | Ty::FlowControl => Fit::No,
            _ => Fit::Yes,
        },
        Param::Ty(t) => {
            if t == arg || arg == Ty::Var {
                Fit::Yes
            } else {
                Fit::No
            }
        }
    }
}

/// The parameter for argument `index`, with `Switch`-style repetition.
pub(super) fn param_at(sig: &Sig, index: usize) -> Option<Param> {
    let n = sig.params.len();
    if index < n {
        return sig.params.get(index).copied();
    }
    if sig.repeat == 0 {
        return None;
    }
    let first_repeat = n - sig.repeat;
    sig.params
        .get(first_repeat + (index - n) % sig.repeat)
        .copied()
}

fn arity_ok(sig: &Sig, n: usize) -> bool {
    let len = sig.params.len();
    n >= sig.required && (n <= len || (sig.repeat > 0 && (n - len).is_multiple_of(sig.repeat)))
}

pub(super) fn arity_text(b: &Builtin) -> String {
    let mut counts: Vec<String> = Vec::new();
    for sig in b.sigs {
        let text = if sig.repeat > 0 {
            format!("{} or more", sig.required)
        } else if sig.required == sig.params.len() {
            sig.required.to_string()
        } else {
            format!("{} to {}", sig.required, sig.params.len())
        };
        if !counts.contains(&text) {
            counts.push(text);
        }
    }
    match counts.as_slice() {
        [one] if one == "1" => "1 argument".to_owned(),
        [one] => format!("{one} arguments"),
        _ => format!("{} arguments", counts.join(" or ")),
    }
}

impl Checker<'_> {
    pub(super) fn call(&mut self, name: &str, name_span: Span, args: &[Expr], span: Span) -> Node {
        let Some(builtin) = functions::lookup(name) else {
            return self.unknown_function(name, name_span);
        };
        match name {
            "IIF" => return self.iif(builtin, args, span),
            "Select" | "Where" | "With" => return self.binder(builtin, args, span),
            "ImportedValue" | "ValueCount" => return self.attr_name_form(builtin, args, span),
            _ => {}
        }
        let nodes: Vec<Node> = args.iter().map(|a| self.arg(a)).collect();
        self.resolve(builtin, nodes, span, name_span)
    }

    /// Checks an argument; bare names become pending enumeration constants.
    fn arg(&mut self, a: &Expr) -> Node {
        match &a.kind {
            ExprKind::EnumName(name) => Node {
                kind: NodeKind::Const(Value::str(name)),
                ty: Ty::Enum,
                span: a.span,
            },
            _ => self.expr(a),
        }
    }

    /// Picks the overload that fits the checked arguments and builds the call node.
    pub(super) fn resolve(
        &mut self,
        builtin: &'static Builtin,
        mut nodes: Vec<Node>,
        span: Span,
        name_span: Span,
    ) -> Node {
        if nodes.iter().any(|n| self.is_error_node(n)) {
            return self.poisoned(span);
        }
        let candidates: Vec<&Sig> = builtin
            .sigs
            .iter()
            .filter(|s| arity_ok(s, nodes.len()))
            .collect();
        if candidates.is_empty() {
            let overloads: Vec<String> = builtin
                .sigs
                .iter()
                .map(|s| signature_text(builtin, s))
                .collect();
            return self.error(
                Diagnostic::error(
                    "E0105",
                    span,
                    format!(
                        "`{}` takes {}, found {}",
                        builtin.name,
                        arity_text(builtin),
                        nodes.len()
                    ),
                )
                .with_help(format!("use {}", overloads.join(" or "))),
            );
        }
        let mut best: Option<(&Sig, usize, Param, usize)> = None;
        for sig in &candidates {
            let fits: Vec<Fit> = nodes
                .iter()
                .enumerate()
                .map(|(i, n)| param_at(sig, i).map_or(Fit::No, |p| fit_node(p, n, builtin, i)))
                .collect();
            if let Some(bad) = fits.iter().position(|f| *f == Fit::No) {
                let misfits = fits.iter().filter(|f| **f == Fit::No).count();
                if best.is_none_or(|(_, m, _, _)| misfits < m)
                    && let Some(p) = param_at(sig, bad)
                {
                    best = Some((sig, misfits, p, bad));
                }
                continue;
            }
            let mapped = fits.first() == Some(&Fit::Map);
            canonical_enums(sig, &mut nodes);
            let mut ty = ret_type(sig.ret, &nodes, mapped);
            // With `var` arguments several overloads may fit: when they disagree on the
            // result, only the run time knows it.
            let ambiguous = candidates.iter().any(|other| {
                let other_fits: Vec<Fit> = nodes
                    .iter()
                    .enumerate()
                    .map(|(i, n)| {
                        param_at(other, i).map_or(Fit::No, |p| fit_node(p, n, builtin, i))
                    })
                    .collect();
                !other_fits.contains(&Fit::No)
                    && ret_type(other.ret, &nodes, other_fits.first() == Some(&Fit::Map)) != ty
            });
            if ambiguous {
                ty = if ty.is_multi() { Ty::ManyVar } else { Ty::Var };
            }
            return Node {
                kind: NodeKind::Call(builtin, nodes),
                ty,
                span,
            };
        }
        let Some((_, _, param, index)) = best else {
            return self.poisoned(span);
        };
        let Some(arg) = nodes.get(index) else {
            return self.poisoned(span);
        };
        let arg_span = arg.span;
        let d = if let (Param::Enum(options), Some(given)) = (param, enum_text(arg)) {
            let near = crate::diag::closest(given, options.iter().copied());
            let d = Diagnostic::error(
                "E0107",
                arg_span,
                format!("`{given}` is not an option of `{}`", builtin.name),
            );
            match near {
                Some(o) => d.with_help(format!("did you mean `{o}`?")),
                None => d.with_help(format!("use one of {}", options.join(", "))),
            }
        } else if arg.ty == Ty::Enum {
            Diagnostic::error(
                "E0104",
                arg_span,
                format!("`{}` is not a value here", source_name(arg)),
            )
            .with_help("an unquoted name is an option of a function; write a string as `\"...\"`")
        } else if matches!(
            (param, arg.ty),
            (Param::Ty(Ty::One(_)), Ty::Many(_) | Ty::ManyVar)
        ) {
            Diagnostic::error(
                "E0106",
                arg_span,
                format!(
                    "argument {} of `{}` takes one value, found {}",
                    index + 1,
                    builtin.name,
                    arg.ty
                ),
            )
            .with_help("pick one value with `Item(..., 1)`, or map with `Select($v, ..., ...)`")
        } else {
            let mut d = Diagnostic::error(
                "E0106",
                arg_span,
                format!(
                    "argument {} of `{}` must be {}, found {}",
                    index + 1,
                    builtin.name,
                    param_name(param),
                    arg.ty
                ),
            );
            if let Some(h) = conversion_hint(param, arg.ty) {
                d = d.with_help(h);
            } else if builtin.sigs.len() > 1 {
                let overloads: Vec<String> = builtin
                    .sigs
                    .iter()
                    .map(|s| signature_text(builtin, s))
                    .collect();
                d = d.with_help(format!("`{}` is {}", builtin.name, overloads.join(" or ")));
            }
            d
        };
        let _ = name_span;
        self.error(d)
    }

    fn unknown_function(&mut self, name: &str, span: Span) -> Node {
        let d = Diagnostic::error("E0101", span, format!("unknown function `{name}`"));
        let case = functions::all().find(|b| b.name.eq_ignore_ascii_case(name));
        let d = if let Some(b) = case {
            d.with_help(format!(
                "did you mean `{}`? function names are case-sensitive",
                b.name
            ))
        } else {
            let near = crate::diag::closest(name, functions::all().map(|b| b.name));
            match near {
                Some(n) => d.with_help(format!("did you mean `{n}`?")),
                None => d.with_help("see the functions reference in the README"),
            }
        };
        self.error(d)
    }

    /// Error and poisoned nodes are the only `var`-typed constants.
    fn is_error_node(&self, n: &Node) -> bool {
        n.ty == Ty::Var && matches!(n.kind, NodeKind::Const(Value::Null))
    }

    /// A node standing for a subexpression whose error was already reported.
    pub(super) fn poisoned(&self, span: Span) -> Node {
        Node {
            kind: NodeKind::Const(Value::Null),
            ty: Ty::Var,
            span,
        }
    }
}

/// The text of an option given as an unquoted name or a string literal.
fn enum_text(n: &Node) -> Option<&str> {
    match &n.kind {
        NodeKind::Const(Value::Str(s)) if matches!(n.ty, Ty::Enum | Ty::One(Scalar::Str)) => {
            Some(s)
        }
        _ => None,
    }
}

/// [`fits`], and for an option given literally, whether it is one of the options.
fn fit_node(param: Param, n: &Node, builtin: &Builtin, index: usize) -> Fit {
    if let (Param::Enum(options), Some(given)) = (param, enum_text(n))
        && !options.iter().any(|o| o.eq_ignore_ascii_case(given))
    {
        return Fit::No;
    }
    fits(param, n.ty, builtin, index)
}

/// Replaces options given literally with their canonical spelling.
fn canonical_enums(sig: &Sig, nodes: &mut [Node]) {
    for (i, node) in nodes.iter_mut().enumerate() {
        let Some(Param::Enum(options)) = param_at(sig, i) else {
            continue;
        };
        let NodeKind::Const(Value::Str(given)) = &node.kind else {
            continue;
        };
        if let Some(canonical) = options.iter().find(|o| o.eq_ignore_ascii_case(given)) {
            node.kind = NodeKind::Const(Value::str(canonical));
            node.ty = Ty::STR;
        }
    }
}

fn source_name(n: &Node) -> String {
    match &n.kind {
        NodeKind::Const(Value::Str(s)) => s.to_string(),
        _ => "?".to_owned(),
    }
}

fn conversion_hint(param: Param, arg: Ty) -> Option<String> {
    let Param::Ty(Ty::One(p)) = param else {
        return None;
    };
    let conv = match (p, arg) {
        (Scalar::Str, Ty::One(Scalar::Num | Scalar::Bool)) => "CStr(...)",
        (Scalar::Str, Ty::One(Scalar::Bin)) => "ConvertToBase64(...) or StringFromGuid(...)",
        (Scalar::Num, Ty::One(Scalar::Str)) => "CNum(...)",
        (Scalar::Ref, Ty::One(Scalar::Str)) => "CRef(...)",
        (Scalar::Dt, Ty::One(Scalar::Str)) => "CDate(...)",
        (Scalar::Dt, Ty::One(Scalar::Num)) => "DateFromNum(...)",
        (Scalar::Bin, Ty::One(Scalar::Str)) => "CGuid(...) or ConvertFromBase64(...)",
        _ => return None,
    };
    Some(format!("convert it with `{conv}`"))
}

fn ret_type(ret: Ret, args: &[Node], mapped: bool) -> Ty {
    let ty = match ret {
        Ret::Ty(t) => t,
        Ret::ElementOf(i) => args.get(i).map_or(Ty::Var, |a| a.ty.element()),
        Ret::SameAs(i) => args.get(i).map_or(Ty::Var, |a| a.ty),
    };
    if mapped { ty.multi() } else { ty }
}
