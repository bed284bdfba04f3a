//! The syntax tree: what the parser produces, before names and types are resolved.

use crate::span::Span;

/// A parsed expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is in the source.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `[name]`
    Attribute(String),
    /// `%name%`
    Parameter(String),
    /// A string literal, escapes resolved; `CRLF` is the string `"\r\n"`.
    Str(String),
    /// A number literal.
    Num(i64),
    /// `True` or `False`.
    Bool(bool),
    /// `NULL`
    Null,
    /// `IgnoreThisFlow`
    IgnoreThisFlow,
    /// `AuthoritativeNull`
    AuthoritativeNull,
    /// `$name` (the name without `$`).
    Variable(String),
    /// An unquoted constant such as `UTF8`.
    EnumName(String),
    /// `name(args)`.
    Call {
        /// The function name as written.
        name: String,
        /// The span of the name alone.
        name_span: Span,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// A prefix operator applied to an operand.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// A binary operator.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// The span of the operator token.
        op_span: Span,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `&`
    Concat,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `BAND` (`BitAnd`)
    BitAnd,
    /// `BOR` (`BitOr`)
    BitOr,
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Concat => "&",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Eq => "=",
            BinaryOp::Ne => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
            BinaryOp::BitAnd => "BAND",
            BinaryOp::BitOr => "BOR",
        }
    }
}

impl Expr {
    /// Writes the expression back as source, fully parenthesised: used by tests of
    /// operator precedence and by the fuzzer's round trip.
    pub fn to_source(&self) -> String {
        let mut out = String::new();
        self.write_source(&mut out);
        out
    }

    fn write_source(&self, out: &mut String) {
        match &self.kind {
            ExprKind::Attribute(n) => {
                out.push('[');
                out.push_str(n);
                out.push(']');
            }
            ExprKind::Parameter(n) => {
                out.push('%');
                out.push_str(n);
                out.push('%');
            }
            ExprKind::Str(s) => {
                out.push('"');
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            ExprKind::Num(n) if *n < 0 => out.push_str(&format!("(-{})", n.unsigned_abs())),
            ExprKind::Num(n) => out.push_str(&n.to_string()),
            ExprKind::Bool(true) => out.push_str("True"),
            ExprKind::Bool(false) => out.push_str("False"),
            ExprKind::Null => out.push_str("NULL"),
            ExprKind::IgnoreThisFlow => out.push_str("IgnoreThisFlow"),
            ExprKind::AuthoritativeNull => out.push_str("AuthoritativeNull"),
            ExprKind::Variable(n) => {
                out.push('$');
                out.push_str(n);
            }
            ExprKind::EnumName(n) => out.push_str(n),
            ExprKind::Call { name, args, .. } => {
                out.push_str(name);
                out.push('(');
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    a.write_source(out);
                }
                out.push(')');
            }
            ExprKind::Unary { operand, .. } => {
                out.push_str("(-");
                operand.write_source(out);
                out.push(')');
            }
            ExprKind::Binary { op, lhs, rhs, .. } => {
                out.push('(');
                lhs.write_source(out);
                out.push(' ');
                out.push_str(op.symbol());
                out.push(' ');
                rhs.write_source(out);
                out.push(')');
            }
        }
    }
}

impl Expr {
    /// The attributes the expression reads, with the span of each read: `[name]`, and the
    /// names given to `ImportedValue` and `ValueCount`.
    pub fn attribute_reads(&self) -> Vec<(String, Span)> {
        let mut out = Vec::new();
        self.collect_reads(&mut out);
        out
    }

    fn collect_reads(&self, out: &mut Vec<(String, Span)>) {
        match &self.kind {
            ExprKind::Attribute(n) => out.push((n.clone(), self.span)),
            ExprKind::Call { name, args, .. } => {
                if matches!(name.as_str(), "ImportedValue" | "ValueCount")
                    && let [
                        Expr {
                            kind: ExprKind::Str(n),
                            span,
                        },
                    ] = args.as_slice()
                {
                    out.push((n.clone(), *span));
                }
                for a in args {
                    a.collect_reads(out);
                }
            }
            ExprKind::Unary { operand, .. } => operand.collect_reads(out),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.collect_reads(out);
                rhs.collect_reads(out);
            }
            _ => {}
        }
    }
}
