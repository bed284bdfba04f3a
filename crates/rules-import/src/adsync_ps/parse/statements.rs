//! Parsing statements: an optional `$var =`, then a pipeline of cmdlet calls (the first
//! stage may be a value) with their `-Param` and value arguments.

use super::super::lex::{Tok, Token};
use super::{Abandon, Arg, Command, Parser, Stage, Statement};

impl Parser<'_> {
    /// One statement, up to its end.
    pub(super) fn statement(&mut self) -> Result<Statement, Abandon> {
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
}
