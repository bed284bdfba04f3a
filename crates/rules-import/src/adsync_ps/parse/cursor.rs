//! The parser's walk over the tokens, and its error reporting.

use super::super::lex::{Tok, Token};
use super::{Abandon, Parser};
use syncrules_lang::diag::Diagnostic;
use syncrules_lang::span::Span;

/// How an error message names a token.
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
    /// The token at the parser, if any.
    pub(super) fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    /// What the token at the parser is, if any.
    pub(super) fn peek_tok(&self) -> Option<&Tok> {
        self.peek().map(|t| &t.tok)
    }

    /// The token at the parser, stepping over it.
    pub(super) fn next(&mut self) -> Option<&Token> {
        let t = self.tokens.get(self.pos)?;
        self.pos += 1;
        Some(t)
    }

    /// Whether the statement ends here (at `;`, a newline or the end of the file).
    pub(super) fn at_end(&self) -> bool {
        matches!(self.peek_tok(), None | Some(Tok::End))
    }

    /// Steps over statement ends (empty statements).
    pub(super) fn skip_ends(&mut self) {
        while self.peek_tok() == Some(&Tok::End) {
            self.pos += 1;
        }
    }

    /// Skips to the end of the statement, over parenthesized lines (counting those the
    /// parser was inside).
    pub(super) fn skip_statement(&mut self) {
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

    /// Records an E0330 error (with `help` unless empty) and abandons the statement.
    pub(super) fn error(&mut self, span: Span, message: String, help: &str) -> Abandon {
        let mut d = Diagnostic::error("E0330", span, message);
        if !help.is_empty() {
            d = d.with_help(help);
        }
        self.errors.push(d);
        Abandon
    }

    /// Records that `what` was expected where the parser is, and abandons the statement.
    pub(super) fn unexpected(&mut self, what: &str) -> Abandon {
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
}
