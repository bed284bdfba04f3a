//! Constant folding on the typed tree. A call or operator whose operands are all
//! constants is evaluated now, with the same code the VM runs; one that would fail is left
//! for run time, so the error still surfaces with its span, and only when reached.

use crate::functions::{self, CallCtx};
use crate::ir::{Node, NodeKind};
use crate::ops;
use crate::value::Value;

fn constant(n: &Node) -> Option<&Value> {
    match &n.kind {
        NodeKind::Const(v) if !matches!(v, Value::Ignore | Value::AuthoritativeNull) => Some(v),
        _ => None,
    }
}

/// Folds a tree bottom-up.
pub(super) fn fold(node: Node) -> Node {
    let Node { kind, ty, span } = node;
    let kind = match kind {
        NodeKind::Call(b, args) => {
            let args: Vec<Node> = args.into_iter().map(fold).collect();
            if b.pure && b.imp.is_some() {
                let consts: Option<Vec<Value>> =
                    args.iter().map(|a| constant(a).cloned()).collect();
                if let Some(values) = consts {
                    // The clock is irrelevant: impure functions are never folded.
                    if let Ok(v) = functions::call(b, &values, &CallCtx::default()) {
                        return Node {
                            kind: NodeKind::Const(v),
                            ty,
                            span,
                        };
                    }
                }
            }
            NodeKind::Call(b, args)
        }
        NodeKind::Binary(op, l, r) => {
            let (l, r) = (fold(*l), fold(*r));
            if let (Some(a), Some(b)) = (constant(&l), constant(&r))
                && let Ok(v) = ops::binary(op, a, b)
            {
                return Node {
                    kind: NodeKind::Const(v),
                    ty,
                    span,
                };
            }
            NodeKind::Binary(op, Box::new(l), Box::new(r))
        }
        NodeKind::Neg(x) => {
            let x = fold(*x);
            if let Some(v) = constant(&x).and_then(|a| ops::neg(a).ok()) {
                return Node {
                    kind: NodeKind::Const(v),
                    ty,
                    span,
                };
            }
            NodeKind::Neg(Box::new(x))
        }
        NodeKind::Iif(c, t, f) => {
            let c = fold(*c);
            if let Some(cond) = constant(&c).and_then(Value::truthiness) {
                // The branch keeps its own span, so a run-time error in it still points
                // at the call that failed.
                return fold(if cond { *t } else { *f });
            }
            NodeKind::Iif(Box::new(c), Box::new(fold(*t)), Box::new(fold(*f)))
        }
        NodeKind::And(l, r) => {
            let (l, r) = (fold(*l), fold(*r));
            match (
                constant(&l).and_then(Value::truthiness),
                constant(&r).and_then(Value::truthiness),
            ) {
                (Some(false), _) => NodeKind::Const(Value::Bool(false)),
                (Some(true), Some(b)) => NodeKind::Const(Value::Bool(b)),
                _ => NodeKind::And(Box::new(l), Box::new(r)),
            }
        }
        NodeKind::Or(l, r) => {
            let (l, r) = (fold(*l), fold(*r));
            match (
                constant(&l).and_then(Value::truthiness),
                constant(&r).and_then(Value::truthiness),
            ) {
                (Some(true), _) => NodeKind::Const(Value::Bool(true)),
                (Some(false), Some(b)) => NodeKind::Const(Value::Bool(b)),
                _ => NodeKind::Or(Box::new(l), Box::new(r)),
            }
        }
        NodeKind::Select { var, source, body } => NodeKind::Select {
            var,
            source: Box::new(fold(*source)),
            body: Box::new(fold(*body)),
        },
        NodeKind::Where { var, source, cond } => NodeKind::Where {
            var,
            source: Box::new(fold(*source)),
            cond: Box::new(fold(*cond)),
        },
        NodeKind::With { var, value, body } => NodeKind::With {
            var,
            value: Box::new(fold(*value)),
            body: Box::new(fold(*body)),
        },
        leaf => leaf,
    };
    Node { kind, ty, span }
}
