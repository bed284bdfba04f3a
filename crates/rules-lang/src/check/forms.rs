//! The special forms: `IIF` (lazy branches), `Select`/`Where`/`With` (variables), and
//! `ImportedValue`/`ValueCount` (attribute names as arguments).

use super::Checker;
use super::calls::arity_text;
use crate::ast::{Expr, ExprKind};
use crate::diag::Diagnostic;
use crate::functions::{Builtin, signature_text};
use crate::ir::{Node, NodeKind};
use crate::span::Span;
use crate::types::{Scalar, Ty};

impl Checker<'_> {
    pub(super) fn expect_arity(
        &mut self,
        b: &Builtin,
        args: &[Expr],
        n: usize,
        span: Span,
    ) -> bool {
        if args.len() == n {
            return true;
        }
        let overloads: Vec<String> = b.sigs.iter().map(|s| signature_text(b, s)).collect();
        self.error(
            Diagnostic::error(
                "E0105",
                span,
                format!("`{}` takes {}, found {}", b.name, arity_text(b), args.len()),
            )
            .with_help(format!("use {}", overloads.join(" or "))),
        );
        false
    }

    pub(super) fn condition(&mut self, e: &Expr, what: &str) -> Node {
        let n = self.expr(e);
        match n.ty {
            Ty::One(Scalar::Bool | Scalar::Num)
            | Ty::Many(Scalar::Bool | Scalar::Num)
            | Ty::Var
            | Ty::ManyVar
            | Ty::Null
            | Ty::Never => n,
            other => {
                let span = n.span;
                self.error(
                    Diagnostic::error(
                        "E0108",
                        span,
                        format!("{what} must be a Boolean or a number, found {other}"),
                    )
                    .with_help(
                        "compare it, e.g. `[attr] = \"value\"`, or test it with `IsPresent(...)`",
                    ),
                )
            }
        }
    }

    pub(super) fn iif(&mut self, b: &'static Builtin, args: &[Expr], span: Span) -> Node {
        if !self.expect_arity(b, args, 3, span) {
            return self.poisoned(span);
        }
        let [c, t, f] = args else {
            return self.poisoned(span);
        };
        let cond = self.condition(c, "the condition of `IIF`");
        let then = self.expr(t);
        let otherwise = self.expr(f);
        let ty = then.ty.join(otherwise.ty);
        Node {
            kind: NodeKind::Iif(Box::new(cond), Box::new(then), Box::new(otherwise)),
            ty,
            span,
        }
    }

    pub(super) fn binder(&mut self, b: &'static Builtin, args: &[Expr], span: Span) -> Node {
        if !self.expect_arity(b, args, 3, span) {
            return self.poisoned(span);
        }
        let [var, source, body] = args else {
            return self.poisoned(span);
        };
        let ExprKind::Variable(var_name) = &var.kind else {
            return self.error(
                Diagnostic::error(
                    "E0109",
                    var.span,
                    format!("the first argument of `{}` must be a `$variable`", b.name),
                )
                .with_help(format!("e.g. `{}`", b.example)),
            );
        };
        let source = self.expr(source);
        let (elem, source_ty) = (source.ty.element(), source.ty);
        match b.name {
            "Select" => self.with_var(var_name, elem, |this, var| {
                let body = this.expr(body);
                let ty = match body.ty {
                    Ty::One(s) | Ty::Many(s) => Ty::Many(s),
                    Ty::Null => Ty::Null,
                    _ => Ty::ManyVar,
                };
                Node {
                    kind: NodeKind::Select {
                        var,
                        source: Box::new(source),
                        body: Box::new(body),
                    },
                    ty,
                    span,
                }
            }),
            "Where" => self.with_var(var_name, elem, |this, var| {
                let cond = this.condition(body, "the condition of `Where`");
                Node {
                    kind: NodeKind::Where {
                        var,
                        source: Box::new(source),
                        cond: Box::new(cond),
                    },
                    ty: source_ty.multi(),
                    span,
                }
            }),
            _ => self.with_var(var_name, source_ty, |this, var| {
                let body = this.expr(body);
                let ty = body.ty;
                Node {
                    kind: NodeKind::With {
                        var,
                        value: Box::new(source),
                        body: Box::new(body),
                    },
                    ty,
                    span,
                }
            }),
        }
    }

    pub(super) fn attr_name_form(
        &mut self,
        b: &'static Builtin,
        args: &[Expr],
        span: Span,
    ) -> Node {
        if !self.expect_arity(b, args, 1, span) {
            return self.poisoned(span);
        }
        let name = match args.first().map(|a| &a.kind) {
            Some(ExprKind::Str(s) | ExprKind::Attribute(s)) => s.clone(),
            _ => {
                let arg_span = args.first().map_or(span, |a| a.span);
                return self.error(
                    Diagnostic::error(
                        "E0110",
                        arg_span,
                        format!("`{}` takes an attribute name as a string", b.name),
                    )
                    .with_help(format!("e.g. `{}`", b.example)),
                );
            }
        };
        let slot = self.slots.attribute(&name);
        if b.name == "ValueCount" {
            Node {
                kind: NodeKind::ValueCount(slot),
                ty: Ty::NUM,
                span,
            }
        } else {
            let ty = self.types.attribute_type(&name);
            self.multi_read(&name, ty, true);
            Node {
                kind: NodeKind::Imported(slot),
                ty,
                span,
            }
        }
    }
}
