//! Parsing values in argument mode: strings, numbers, barewords and variables, comma lists,
//! `@(...)` arrays and `(...)`, and the errors for the PowerShell this subset leaves out.

use super::super::lex::Tok;
use super::{Abandon, Expr, ExprKind, Parser};
use syncrules_lang::span::Span;

impl Parser<'_> {
    /// A value, with a comma list after it.
    pub(super) fn value(&mut self) -> Result<Expr, Abandon> {
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
