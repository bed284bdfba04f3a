//! Statements of the PowerShell subset: pipelines of cmdlet calls, optionally assigned to a
//! variable, and values in argument mode (strings, numbers, barewords, variables, `@(...)`
//! arrays and comma lists).
//!
//! A statement that does not parse is reported and replaced by [`Statement::Broken`], which
//! names the variables it would have set so later statements do not report them unset.

use super::lex::{Tok, Token};
use crate::diag::Diagnostic;
use crate::span::Span;

/// A value as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ExprKind {
    /// A quoted string.
    Str(String),
    /// An unquoted argument.
    Word(String),
    /// A whole number.
    Int(i64),
    /// `$name`, `$name[n]`, `$name.Member`.
    Var {
        /// The name.
        name: String,
        /// The index.
        index: Option<i64>,
        /// The member.
        member: Option<String>,
    },
    /// `@( ... )`: each statement's value, arrays unrolled.
    Array(Vec<Expr>),
    /// `a, b, c`.
    List(Vec<Expr>),
}

/// One argument of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Arg {
    /// `-Name`, with the value of `-Name:value`.
    Param {
        /// The name as written, without the dash.
        name: String,
        /// The `-Name` token.
        span: Span,
        /// The value after a colon.
        bound: Option<Expr>,
    },
    /// A value.
    Value(Expr),
}

/// A cmdlet call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Command {
    /// The cmdlet's name as written.
    pub name: String,
    /// Where the name is.
    pub name_span: Span,
    /// The arguments, in order.
    pub args: Vec<Arg>,
}

/// One stage of a pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Stage {
    /// A cmdlet call.
    Command(Command),
    /// A value (only as the first stage).
    Value(Expr),
}

/// A statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Statement {
    /// `[$var =] stage | stage ...`.
    Pipeline {
        /// The variable assigned, and where.
        assign: Option<(String, Span)>,
        /// The stages.
        stages: Vec<Stage>,
    },
    /// A statement that did not parse; the variables it names in `-OutVariable` or assigns.
    Broken(Vec<String>),
}

struct Parser<'t> {
    tokens: &'t [Token],
    pos: usize,
    /// How many `(` and `@(` are open where the parser is.
    depth: usize,
    errors: Vec<Diagnostic>,
}

/// Why a statement was abandoned (its diagnostic is already recorded).
struct Abandon;

/// Parses `tokens` into statements. Errors are collected; each bad statement is skipped.
pub(super) fn parse(tokens: &[Token]) -> (Vec<Statement>, Vec<Diagnostic>) {
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
        errors: Vec::new(),
    };
    let mut out = Vec::new();
    loop {
        p.skip_ends();
        if p.peek().is_none() {
            break;
        }
        let start = p.pos;
        match p.statement() {
            Ok(s) => out.push(s),
            Err(Abandon) => {
                p.skip_statement();
                out.push(Statement::Broken(named_variables(
                    tokens.get(start..p.pos).unwrap_or(&[]),
                )));
            }
        }
    }
    (out, p.errors)
}

/// The variables a token run would set: `$x = ...` and `-OutVariable x`.
fn named_variables(tokens: &[Token]) -> Vec<String> {
    let mut names = Vec::new();
    if let [
        Token {
            tok: Tok::Var { name, .. },
            ..
        },
        Token {
            tok: Tok::Equals, ..
        },
        ..,
    ] = tokens
    {
        names.push(name.clone());
    }
    for pair in tokens.windows(2) {
        if let [
            Token {
                tok: Tok::Param { name, .. },
                ..
            },
            Token {
                tok: Tok::Word(v) | Tok::Str(v),
                ..
            },
        ] = pair
            && name.eq_ignore_ascii_case("OutVariable")
        {
            names.push(v.trim_start_matches('+').to_owned());
        }
    }
    names
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::End => "the end of the statement".into(),
        Tok::Pipe => "`|`".into(),
        Tok::Equals => "`=`".into(),
        Tok::Comma => "`,`".into(),
        Tok::LParen => "`(`".into(),
        Tok::AtParen => "`@(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::Param { name, .. } => format!("the parameter `-{name}`"),
        Tok::Word(w) => format!("`{w}`"),
        Tok::Number(n) => format!("`{n}`"),
        Tok::Str(_) => "a string".into(),
        Tok::Var { name, .. } => format!("`${name}`"),
        Tok::Other(c) => format!("`{c}`"),
        Tok::Bad => "text reported above".into(),
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_tok(&self) -> Option<&Tok> {
        self.peek().map(|t| &t.tok)
    }

    fn next(&mut self) -> Option<&Token> {
        let t = self.tokens.get(self.pos)?;
        self.pos += 1;
        Some(t)
    }

    fn at_end(&self) -> bool {
        matches!(self.peek_tok(), None | Some(Tok::End))
    }

    fn skip_ends(&mut self) {
        while self.peek_tok() == Some(&Tok::End) {
            self.pos += 1;
        }
    }

    /// Skips to the end of the statement, over parenthesized lines (counting those the
    /// parser was inside).
    fn skip_statement(&mut self) {
        let mut depth = std::mem::take(&mut self.depth);
        while let Some(t) = self.peek_tok() {
            match t {
                Tok::End if depth == 0 => break,
                Tok::LParen | Tok::AtParen => depth += 1,
                Tok::RParen => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.pos += 1;
        }
    }

    fn error(&mut self, span: Span, message: String, help: &str) -> Abandon {
        let mut d = Diagnostic::error("E0330", span, message);
        if !help.is_empty() {
            d = d.with_help(help);
        }
        self.errors.push(d);
        Abandon
    }

    fn unexpected(&mut self, what: &str) -> Abandon {
        match self.peek().cloned() {
            Some(t) => self.error(
                t.span,
                format!("expected {what}, found {}", describe(&t.tok)),
                "",
            ),
            None => {
                let end = self.tokens.last().map_or(0, |t| t.span.end as usize);
                self.error(
                    Span::new(end, end),
                    format!("expected {what}, found the end of the file"),
                    "",
                )
            }
        }
    }

    fn statement(&mut self) -> Result<Statement, Abandon> {
        let mut assign = None;
        if let (
            Some(Token {
                tok:
                    Tok::Var {
                        name,
                        index,
                        member,
                    },
                span,
            }),
            Some(Tok::Equals),
        ) = (
            self.peek().cloned(),
            self.tokens.get(self.pos + 1).map(|t| &t.tok),
        ) {
            if index.is_some() || member.is_some() {
                return Err(self.error(
                    span,
                    "only a plain variable can be assigned".into(),
                    "assign to `$name`",
                ));
            }
            assign = Some((name, span));
            self.pos += 2;
            if self.at_end() {
                return Err(self.unexpected("a value or a cmdlet after `=`"));
            }
        }
        let mut stages = vec![self.stage(true)?];
        while self.peek_tok() == Some(&Tok::Pipe) {
            self.pos += 1;
            self.skip_ends();
            stages.push(self.stage(false)?);
        }
        if !self.at_end() {
            return Err(self.unexpected("the end of the statement"));
        }
        Ok(Statement::Pipeline { assign, stages })
    }

    fn stage(&mut self, first: bool) -> Result<Stage, Abandon> {
        match self.peek().cloned() {
            Some(Token {
                tok: Tok::Word(name),
                span,
            }) => {
                self.pos += 1;
                let args = self.args()?;
                Ok(Stage::Command(Command {
                    name,
                    name_span: span,
                    args,
                }))
            }
            _ if first => Ok(Stage::Value(self.value()?)),
            _ => Err(self.unexpected("a cmdlet after `|`")),
        }
    }

    fn args(&mut self) -> Result<Vec<Arg>, Abandon> {
        let mut args = Vec::new();
        while !self.at_end() && self.peek_tok() != Some(&Tok::Pipe) {
            match self.peek().cloned() {
                Some(Token {
                    tok: Tok::Param { name, colon },
                    span,
                }) => {
                    self.pos += 1;
                    let bound = if colon { Some(self.value()?) } else { None };
                    args.push(Arg::Param { name, span, bound });
                }
                _ => args.push(Arg::Value(self.value()?)),
            }
        }
        Ok(args)
    }

    /// A value, with a comma list after it.
    fn value(&mut self) -> Result<Expr, Abandon> {
        let first = self.primary()?;
        if self.peek_tok() != Some(&Tok::Comma) {
            return Ok(first);
        }
        let mut span = first.span;
        let mut items = vec![first];
        while self.peek_tok() == Some(&Tok::Comma) {
            self.pos += 1;
            self.skip_ends();
            let item = self.primary()?;
            span = span.to(item.span);
            items.push(item);
        }
        Ok(Expr {
            kind: ExprKind::List(items),
            span,
        })
    }

    fn primary(&mut self) -> Result<Expr, Abandon> {
        let Some(t) = self.peek().cloned() else {
            return Err(self.unexpected("a value"));
        };
        let kind = match t.tok {
            Tok::Str(s) => ExprKind::Str(s),
            Tok::Word(w) => ExprKind::Word(w),
            Tok::Number(n) => ExprKind::Int(n),
            Tok::Var {
                name,
                index,
                member,
            } => ExprKind::Var {
                name,
                index,
                member,
            },
            // Already reported by the lexer.
            Tok::Bad => return Err(Abandon),
            Tok::AtParen => return self.array(t.span),
            Tok::LParen => return self.parenthesized(t.span),
            Tok::Other('{') => {
                return Err(self.error(
                    t.span,
                    "script blocks are not supported".into(),
                    "this importer reads the cmdlet calls the Synchronization Rules Editor exports",
                ));
            }
            Tok::Other('[') => {
                return Err(self.error(
                    t.span,
                    "type literals and casts are not supported".into(),
                    "write the value itself, quoted",
                ));
            }
            Tok::Other('@') => {
                return Err(self.error(
                    t.span,
                    "hashtables and splatting are not supported".into(),
                    "pass each parameter by name",
                ));
            }
            _ => return Err(self.unexpected("a value")),
        };
        self.pos += 1;
        Ok(Expr { kind, span: t.span })
    }

    /// After `@(`: statements up to `)`.
    fn array(&mut self, open: Span) -> Result<Expr, Abandon> {
        self.pos += 1;
        self.depth += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ends();
            match self.peek_tok() {
                Some(Tok::RParen) => break,
                None => {
                    return Err(self.error(open, "unclosed `@(`".into(), "close it with `)`"));
                }
                Some(Tok::Word(_)) => {
                    return Err(
                        self.unexpected("a value (commands inside `@(...)` are not supported)")
                    );
                }
                _ => items.push(self.value()?),
            }
        }
        let close = self.next().map_or(open, |t| t.span);
        self.depth = self.depth.saturating_sub(1);
        Ok(Expr {
            kind: ExprKind::Array(items),
            span: open.to(close),
        })
    }

    /// After `(`: one value and `)`.
    fn parenthesized(&mut self, open: Span) -> Result<Expr, Abandon> {
        self.pos += 1;
        self.depth += 1;
        self.skip_ends();
        if let Some(Tok::Word(_)) = self.peek_tok() {
            return Err(self.unexpected("a value (commands inside `(...)` are not supported)"));
        }
        let mut inner = self.value()?;
        self.skip_ends();
        match self.peek_tok() {
            Some(Tok::RParen) => {
                let close = self.next().map_or(open, |t| t.span);
                self.depth = self.depth.saturating_sub(1);
                inner.span = open.to(close);
                Ok(inner)
            }
            None => Err(self.error(open, "unclosed `(`".into(), "close it with `)`")),
            Some(_) => Err(self.unexpected("`)`")),
        }
    }
}
