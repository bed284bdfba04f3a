//! Statements of the PowerShell subset: pipelines of cmdlet calls, optionally assigned to a
//! variable, and values in argument mode (strings, numbers, barewords, variables, `@(...)`
//! arrays and comma lists).
//!
//! A statement that does not parse is reported and replaced by [`Statement::Broken`], which
//! names the variables it would have set so later statements do not report them unset.
//!
//! This module holds the syntax tree, the parser's state and its entry point with the
//! recovery after a bad statement; the submodules hold the parser's methods: `cursor` the
//! token access and error reporting, `statements` pipelines and command arguments,
//! `values` values and comma lists, `@(...)` and `(...)`.

mod cursor;
mod statements;
mod values;

use super::lex::{Tok, Token};
use syncrules_lang::diag::Diagnostic;
use syncrules_lang::span::Span;

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
