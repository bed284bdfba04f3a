//! Checking: resolves names (functions, attributes, parameters, variables) and types every
//! node, collecting every error of an expression rather than stopping at the first.

mod calls;
mod ops;

use crate::ast::{Expr, ExprKind};
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{Checked, Node, NodeKind, Slots};
use crate::span::Span;
use crate::types::Ty;
use crate::value::Value;

/// Where the checker learns attribute types. Attributes it does not know are `var`.
pub trait AttributeTypes {
    /// The type of an attribute; [`Ty::Var`] when unknown.
    fn attribute_type(&self, name: &str) -> Ty;

    /// A known attribute spelled like `name` but for case, if any: attribute names are
    /// case-sensitive, so `[samaccountname]` is a mistake when `sAMAccountName` exists.
    fn same_but_case(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }
}

/// No schema: every attribute is `var`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Untyped;

impl AttributeTypes for Untyped {
    fn attribute_type(&self, _: &str) -> Ty {
        Ty::Var
    }
}

/// The parameters Entra Connect's connectors supply (`%Domain.FQDN%` and friends).
pub const KNOWN_PARAMETERS: &[&str] = &[
    "Domain.Netbios",
    "Domain.FQDN",
    "Domain.LDAP",
    "Forest.Netbios",
    "Forest.FQDN",
    "Forest.LDAP",
    "Connector.ID",
];

/// Type-checks an expression, giving attribute and parameter names slots in `slots`.
pub fn check(
    expr: &Expr,
    types: &dyn AttributeTypes,
    slots: &mut Slots,
) -> Result<Checked, Diagnostics> {
    let mut checker = Checker {
        types,
        slots,
        diags: Diagnostics::default(),
        scope: Vec::new(),
        locals: 0,
    };
    let root = checker.expr(expr);
    if checker.diags.has_errors() {
        return Err(checker.diags);
    }
    Ok(Checked {
        root,
        locals: checker.locals,
    })
}

pub(crate) struct Checker<'a> {
    types: &'a dyn AttributeTypes,
    slots: &'a mut Slots,
    diags: Diagnostics,
    /// Bound variables, innermost last: name, local index, type.
    scope: Vec<(String, u32, Ty)>,
    locals: u32,
}

impl Checker<'_> {
    fn error(&mut self, d: Diagnostic) -> Node {
        let span = d.span;
        self.diags.push(d);
        Node {
            kind: NodeKind::Const(Value::Null),
            ty: Ty::Var,
            span,
        }
    }

    fn expr(&mut self, e: &Expr) -> Node {
        let (kind, ty) = match &e.kind {
            ExprKind::Attribute(name) => {
                if let Some(right) = self.types.same_but_case(name) {
                    return self.error(
                        Diagnostic::error("E0102", e.span, format!("unknown attribute `{name}`"))
                            .with_help(format!(
                                "did you mean `[{right}]`? attribute names are case-sensitive"
                            )),
                    );
                }
                let ty = self.types.attribute_type(name);
                (NodeKind::Attr(self.slots.attribute(name)), ty)
            }
            ExprKind::Parameter(name) => (NodeKind::Param(self.slots.parameter(name)), Ty::STR),
            ExprKind::Str(s) => (NodeKind::Const(Value::str(s)), Ty::STR),
            ExprKind::Num(n) => (NodeKind::Const(Value::Num(*n)), Ty::NUM),
            ExprKind::Bool(b) => (NodeKind::Const(Value::Bool(*b)), Ty::BOOL),
            ExprKind::Null => (NodeKind::Const(Value::Null), Ty::Null),
            ExprKind::IgnoreThisFlow => (NodeKind::Const(Value::Ignore), Ty::FlowControl),
            ExprKind::AuthoritativeNull => {
                (NodeKind::Const(Value::AuthoritativeNull), Ty::FlowControl)
            }
            ExprKind::Variable(name) => match self.lookup_var(name) {
                Some((index, ty)) => (NodeKind::Local(index), ty),
                None => {
                    return self.error(
                        Diagnostic::error("E0103", e.span, format!("unknown variable `${name}`"))
                            .with_help("variables are bound by `Select`, `Where` and `With`"),
                    );
                }
            },
            ExprKind::EnumName(name) => return self.bare_name(name, e.span),
            ExprKind::Call {
                name,
                name_span,
                args,
            } => return self.call(name, *name_span, args, e.span),
            ExprKind::Unary { operand, .. } => return self.neg(operand, e.span),
            ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => return self.binary(*op, *op_span, lhs, rhs, e.span),
        };
        Node {
            kind,
            ty,
            span: e.span,
        }
    }

    /// A name that is not a call, keyword or argument option.
    fn bare_name(&mut self, name: &str, span: Span) -> Node {
        let keywords = [
            "True",
            "False",
            "NULL",
            "CRLF",
            "IgnoreThisFlow",
            "AuthoritativeNull",
        ];
        let d = Diagnostic::error("E0104", span, format!("`{name}` is not a value here"));
        let d = if let Some(k) = keywords.iter().find(|k| k.eq_ignore_ascii_case(name)) {
            d.with_help(format!("did you mean `{k}`? keywords are case-sensitive"))
        } else if crate::functions::lookup(name).is_some() {
            d.with_help(format!("`{name}` is a function: call it as `{name}(...)`"))
        } else {
            d.with_help(format!(
                "write an attribute as `[{name}]`, a parameter as `%{name}%`, a string as `\"{name}\"`"
            ))
        };
        self.error(d)
    }

    fn lookup_var(&self, name: &str) -> Option<(u32, Ty)> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _, _)| n == name)
            .map(|(_, i, t)| (*i, *t))
    }

    /// Binds `name` for the duration of `f`.
    fn with_var<T>(&mut self, name: &str, ty: Ty, f: impl FnOnce(&mut Self, u32) -> T) -> T {
        let index = self.locals;
        self.locals += 1;
        self.scope.push((name.to_owned(), index, ty));
        let out = f(self, index);
        self.scope.pop();
        out
    }
}

#[cfg(test)]
mod tests;
