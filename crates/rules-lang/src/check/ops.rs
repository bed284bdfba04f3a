//! Operators: typing of `&`, arithmetic, comparisons, `&&`/`||`, `BAND`/`BOR`, and `-`.

use super::Checker;
use crate::ast::{BinaryOp, Expr};
use crate::diag::Diagnostic;
use crate::functions;
use crate::ir::{BinOp, Node, NodeKind};
use crate::span::Span;
use crate::types::{Scalar, Ty};

fn numeric(t: Ty) -> bool {
    matches!(t, Ty::One(Scalar::Num) | Ty::Var | Ty::Null | Ty::Never)
}

/// Scalars that may be compared with each other: the same type, or a string with a
/// number, Boolean or reference (the string is read as one).
fn comparable(a: Ty, b: Ty) -> bool {
    let (Ty::One(x) | Ty::Many(x), Ty::One(y) | Ty::Many(y)) = (a, b) else {
        return !matches!(a, Ty::Enum | Ty::FlowControl)
            && !matches!(b, Ty::Enum | Ty::FlowControl);
    };
    x == y
        || matches!(
            (x, y),
            (Scalar::Str, Scalar::Num | Scalar::Bool | Scalar::Ref)
                | (Scalar::Num | Scalar::Bool | Scalar::Ref, Scalar::Str)
        )
}

impl Checker<'_> {
    pub(super) fn neg(&mut self, operand: &Expr, span: Span) -> Node {
        let n = self.expr(operand);
        if !numeric(n.ty) {
            let d = Diagnostic::error(
                "E0111",
                n.span,
                format!("`-` needs a number, found {}", n.ty),
            );
            return self.error(d);
        }
        Node {
            kind: NodeKind::Neg(Box::new(n)),
            ty: Ty::NUM,
            span,
        }
    }

    pub(super) fn binary(
        &mut self,
        op: BinaryOp,
        op_span: Span,
        lhs: &Expr,
        rhs: &Expr,
        span: Span,
    ) -> Node {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let what = format!("the operand of `{}`", op.symbol());
                let l = self.condition_operand(lhs, &what);
                let r = self.condition_operand(rhs, &what);
                let kind = if op == BinaryOp::And {
                    NodeKind::And(Box::new(l), Box::new(r))
                } else {
                    NodeKind::Or(Box::new(l), Box::new(r))
                };
                return Node {
                    kind,
                    ty: Ty::BOOL,
                    span,
                };
            }
            BinaryOp::BitAnd | BinaryOp::BitOr => {
                let name = if op == BinaryOp::BitAnd {
                    "BitAnd"
                } else {
                    "BitOr"
                };
                let l = self.expr(lhs);
                let r = self.expr(rhs);
                let Some(builtin) = functions::lookup(name) else {
                    return self.error(Diagnostic::error(
                        "E0000",
                        op_span,
                        format!("internal error: builtin `{name}` is missing"),
                    ));
                };
                return self.resolve(builtin, vec![l, r], span, op_span);
            }
            _ => {}
        }
        let l = self.expr(lhs);
        let r = self.expr(rhs);
        if l.ty == Ty::Var && matches!(l.kind, NodeKind::Const(crate::value::Value::Null))
            || r.ty == Ty::Var && matches!(r.kind, NodeKind::Const(crate::value::Value::Null))
        {
            // An operand already failed; its error is reported.
            return Node {
                kind: NodeKind::Const(crate::value::Value::Null),
                ty: Ty::Var,
                span,
            };
        }
        let (bin, ty) = match op {
            BinaryOp::Concat => (BinOp::Concat, self.concat_type(&l, &r, op_span)),
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                let bin = match op {
                    BinaryOp::Add => BinOp::Add,
                    BinaryOp::Sub => BinOp::Sub,
                    BinaryOp::Mul => BinOp::Mul,
                    _ => BinOp::Div,
                };
                for side in [&l, &r] {
                    if !numeric(side.ty) {
                        let mut d = Diagnostic::error(
                            "E0111",
                            side.span,
                            format!("`{}` needs numbers, found {}", op.symbol(), side.ty),
                        );
                        if side.ty == Ty::STR {
                            d = d.with_help(if op == BinaryOp::Add {
                                "join strings with `&`, or convert with `CNum(...)`"
                            } else {
                                "convert it with `CNum(...)`"
                            });
                        }
                        self.diags.push(d);
                    }
                }
                (bin, Ty::NUM)
            }
            _ => {
                let bin = match op {
                    BinaryOp::Eq => BinOp::Eq,
                    BinaryOp::Ne => BinOp::Ne,
                    BinaryOp::Lt => BinOp::Lt,
                    BinaryOp::Le => BinOp::Le,
                    BinaryOp::Gt => BinOp::Gt,
                    _ => BinOp::Ge,
                };
                if !comparable(l.ty, r.ty) {
                    self.diags.push(
                        Diagnostic::error(
                            "E0112",
                            op_span,
                            format!("cannot compare {} with {}", l.ty, r.ty),
                        )
                        .with_label(format!(
                            "{} {} {}",
                            l.ty,
                            op.symbol(),
                            r.ty
                        )),
                    );
                }
                (bin, Ty::BOOL)
            }
        };
        Node {
            kind: NodeKind::Binary(bin, Box::new(l), Box::new(r)),
            ty,
            span,
        }
    }

    fn condition_operand(&mut self, e: &Expr, what: &str) -> Node {
        self.condition(e, what)
    }

    fn concat_type(&mut self, l: &Node, r: &Node, op_span: Span) -> Ty {
        for side in [l, r] {
            if matches!(side.ty, Ty::Enum | Ty::FlowControl) {
                self.diags.push(Diagnostic::error(
                    "E0111",
                    side.span,
                    format!("`&` cannot join {}", side.ty),
                ));
            }
        }
        let bin_or_unknown =
            |t: Ty| matches!(t, Ty::One(Scalar::Bin) | Ty::Var | Ty::Null | Ty::Never);
        match (l.ty, r.ty) {
            (Ty::One(Scalar::Bin), Ty::One(Scalar::Bin)) => Ty::BIN,
            (Ty::One(Scalar::Bin), Ty::One(_)) | (Ty::One(_), Ty::One(Scalar::Bin)) => {
                self.diags.push(
                    Diagnostic::error(
                        "E0111",
                        op_span,
                        format!("`&` cannot join {} with {}", l.ty, r.ty),
                    )
                    .with_help("convert the binary with `ConvertToBase64(...)` first"),
                );
                Ty::Var
            }
            (a, b) if a.is_multi() && b.is_multi() => {
                self.diags.push(
                    Diagnostic::error(
                        "E0111",
                        op_span,
                        format!(
                            "`&` cannot join two multi-valued values ({} and {})",
                            l.ty, r.ty
                        ),
                    )
                    .with_help("join one into a string with `Join(...)` first"),
                );
                Ty::Var
            }
            (a, b) if a.is_multi() || b.is_multi() => Ty::MVSTR,
            (a, b) if bin_or_unknown(a) && bin_or_unknown(b) => Ty::Var,
            _ => Ty::STR,
        }
    }
}
