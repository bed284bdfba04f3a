//! Parsing: source text → [`Expr`], with a located diagnostic for malformed input.

use std::sync::LazyLock;

use pest::Parser as _;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use crate::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use crate::diag::Diagnostic;
use crate::span::Span;

mod error;

use error::syntax_error;

/// The nesting depth beyond which an expression is rejected (calls and parentheses).
pub const MAX_DEPTH: usize = 64;
/// The longest expression accepted, in bytes.
pub const MAX_SOURCE_LEN: usize = 64 * 1024;

mod grammar {
    /// The pest parser generated from `grammar.pest`.
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar.pest"]
    pub(super) struct Grammar;
}
use grammar::{Grammar, Rule};

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::or, Assoc::Left))
        .op(Op::infix(Rule::and, Assoc::Left))
        .op(Op::infix(Rule::eq, Assoc::Left)
            | Op::infix(Rule::ne, Assoc::Left)
            | Op::infix(Rule::lt, Assoc::Left)
            | Op::infix(Rule::le, Assoc::Left)
            | Op::infix(Rule::gt, Assoc::Left)
            | Op::infix(Rule::ge, Assoc::Left))
        .op(Op::infix(Rule::bor, Assoc::Left))
        .op(Op::infix(Rule::band, Assoc::Left))
        .op(Op::infix(Rule::concat, Assoc::Left))
        .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
        .op(Op::infix(Rule::mul, Assoc::Left) | Op::infix(Rule::div, Assoc::Left))
        .op(Op::prefix(Rule::neg))
});

/// Parses one expression.
pub fn parse(source: &str) -> Result<Expr, Diagnostic> {
    if source.len() > MAX_SOURCE_LEN {
        return Err(Diagnostic::error(
            "E0003",
            Span::new(0, source.len().min(1)),
            format!(
                "expression is {} bytes long; the limit is {MAX_SOURCE_LEN}",
                source.len()
            ),
        ));
    }
    check_depth(source)?;
    let mut pairs =
        Grammar::parse(Rule::expression, source).map_err(|e| syntax_error(source, &e))?;
    let expression = pairs.next().ok_or_else(|| internal(Span::new(0, 0)))?;
    let expr = expression
        .into_inner()
        .find(|p| p.as_rule() == Rule::expr)
        .ok_or_else(|| internal(Span::new(0, 0)))?;
    build_expr(expr.into_inner())
}

/// Rejects excessive nesting before the recursive-descent parser can overflow the stack.
fn check_depth(source: &str) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut chars = source.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => in_string = !in_string,
            '\\' if in_string => {
                chars.next();
            }
            '(' if !in_string => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Diagnostic::error(
                        "E0004",
                        Span::new(i, i + 1),
                        format!("expression nests deeper than {MAX_DEPTH} levels"),
                    )
                    .with_help("split it with `With($name, ...)` or simplify it"));
                }
            }
            ')' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn internal(span: Span) -> Diagnostic {
    Diagnostic::error("E0000", span, "internal error: unexpected parse tree shape")
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

fn build_expr(pairs: Pairs<'_, Rule>) -> Result<Expr, Diagnostic> {
    PRATT
        .map_primary(build_primary)
        .map_prefix(|op, rhs| {
            let rhs = rhs?;
            let span = span_of(&op).to(rhs.span);
            Ok(match rhs.kind {
                // Fold `-123` into a literal so `-2147483648` is a constant.
                ExprKind::Num(n) => Expr {
                    kind: ExprKind::Num(n.wrapping_neg()),
                    span,
                },
                _ => Expr {
                    kind: ExprKind::Unary {
                        op: UnaryOp::Neg,
                        operand: Box::new(rhs),
                    },
                    span,
                },
            })
        })
        .map_infix(|lhs, op, rhs| {
            let (lhs, rhs) = (lhs?, rhs?);
            let op_span = span_of(&op);
            let op = match op.as_rule() {
                Rule::and => BinaryOp::And,
                Rule::or => BinaryOp::Or,
                Rule::concat => BinaryOp::Concat,
                Rule::add => BinaryOp::Add,
                Rule::sub => BinaryOp::Sub,
                Rule::mul => BinaryOp::Mul,
                Rule::div => BinaryOp::Div,
                Rule::eq => BinaryOp::Eq,
                Rule::ne => BinaryOp::Ne,
                Rule::lt => BinaryOp::Lt,
                Rule::le => BinaryOp::Le,
                Rule::gt => BinaryOp::Gt,
                Rule::ge => BinaryOp::Ge,
                Rule::band => BinaryOp::BitAnd,
                Rule::bor => BinaryOp::BitOr,
                _ => return Err(internal(op_span)),
            };
            Ok(Expr {
                span: lhs.span.to(rhs.span),
                kind: ExprKind::Binary {
                    op,
                    op_span,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
            })
        })
        .parse(pairs)
}

fn inner_str<'a>(pair: Pair<'a, Rule>, rule: Rule) -> Result<&'a str, Diagnostic> {
    let span = span_of(&pair);
    pair.into_inner()
        .find(|p| p.as_rule() == rule)
        .map(|p| p.as_str())
        .ok_or_else(|| internal(span))
}

fn build_primary(pair: Pair<'_, Rule>) -> Result<Expr, Diagnostic> {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::paren => {
            let inner = pair
                .into_inner()
                .find(|p| p.as_rule() == Rule::expr)
                .ok_or_else(|| internal(span))?;
            let e = build_expr(inner.into_inner())?;
            // Keep the parentheses in the span, so diagnostics underline what was written.
            return Ok(Expr { span, kind: e.kind });
        }
        Rule::attribute => ExprKind::Attribute(inner_str(pair, Rule::attribute_name)?.to_owned()),
        Rule::parameter => ExprKind::Parameter(inner_str(pair, Rule::parameter_name)?.to_owned()),
        Rule::string => ExprKind::Str(unescape(inner_str(pair, Rule::string_inner)?)),
        Rule::hex => {
            let digits = pair.as_str().get(2..).unwrap_or("");
            // `&HFFFFFFFF` is the 32-bit pattern, as VBA reads it: values that fit in
            // 64 bits as unsigned are taken bit for bit.
            let n = u64::from_str_radix(digits, 16).map_err(|_| {
                Diagnostic::error(
                    "E0005",
                    span,
                    format!("hex number `{}` is too large", pair.as_str()),
                )
                .with_help("numbers are 64-bit integers")
            })?;
            ExprKind::Num(n as i64)
        }
        Rule::number => ExprKind::Num(pair.as_str().parse::<i64>().map_err(|_| {
            Diagnostic::error(
                "E0005",
                span,
                format!("number `{}` is too large", pair.as_str()),
            )
            .with_help("numbers are 64-bit integers")
        })?),
        Rule::variable => ExprKind::Variable(inner_str(pair, Rule::identifier)?.to_owned()),
        Rule::keyword => match pair.as_str() {
            "True" => ExprKind::Bool(true),
            "False" => ExprKind::Bool(false),
            "NULL" => ExprKind::Null,
            "CRLF" => ExprKind::Str("\r\n".to_owned()),
            "IgnoreThisFlow" => ExprKind::IgnoreThisFlow,
            "AuthoritativeNull" => ExprKind::AuthoritativeNull,
            _ => return Err(internal(span)),
        },
        Rule::enum_name => ExprKind::EnumName(pair.as_str().to_owned()),
        Rule::call => {
            let mut inner = pair.into_inner();
            let name = inner.next().ok_or_else(|| internal(span))?;
            let name_span = span_of(&name);
            let args = inner
                .filter(|p| p.as_rule() == Rule::expr)
                .map(|p| build_expr(p.into_inner()))
                .collect::<Result<Vec<_>, _>>()?;
            ExprKind::Call {
                name: name.as_str().to_owned(),
                name_span,
                args,
            }
        }
        _ => return Err(internal(span)),
    };
    Ok(Expr { kind, span })
}

/// Resolves `\\` and `\"`; keeps any other backslash as written.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('\\') | Some('"') => {
                    if let Some(next) = chars.next() {
                        out.push(next);
                    }
                }
                _ => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
