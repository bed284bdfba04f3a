//! The tokenizer for the PowerShell subset of exported synchronization rules.
//!
//! It reads what the Synchronization Rules Editor writes and what people write by hand
//! from it: backtick line continuations (trailing blanks after the backtick are tolerated,
//! as copies from web pages often have them), single-quoted strings (`''` escapes), double-
//! quoted strings (backtick escapes, `""`; `$` expansion is refused), `@'…'@` and `@"…"@`
//! here-strings, `@(`, variables with an `[n]` index and a `.Member`, numbers, barewords,
//! `-Param` and `-Param:` tokens, `#` and `<# … #>` comments. The typographic quotes and
//! dashes PowerShell accepts (‘ ’ “ ” – —) are accepted too. Anything else is an
//! [`Tok::Other`] token, which the parser reports where it matters.
//!
//! This module holds the tokens, the character classes and the cursor with its main loop;
//! the submodules read the longer tokens: `trivia` line continuations and comments,
//! `strings` quoted strings and here-strings, `words` variables, parameters and
//! barewords.

mod strings;
mod trivia;
mod words;

use syncrules_lang::diag::Diagnostic;
use syncrules_lang::span::Span;

/// What a token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    /// The end of a statement: a newline or `;`.
    End,
    /// `|`.
    Pipe,
    /// `=`.
    Equals,
    /// `,`.
    Comma,
    /// `(`.
    LParen,
    /// `@(`.
    AtParen,
    /// `)`.
    RParen,
    /// `-Name`, or `-Name:` when `colon` (the value follows the colon).
    Param {
        /// The name without the dash.
        name: String,
        /// Written `-Name:value`.
        colon: bool,
    },
    /// A bareword: a cmdlet name or an unquoted argument.
    Word(String),
    /// A whole number.
    Number(i64),
    /// A quoted string, escapes resolved.
    Str(String),
    /// `$name`, `$name[0]`, `$name.Member`.
    Var {
        /// The name without `$`.
        name: String,
        /// The `[n]` index, if any.
        index: Option<i64>,
        /// The `.Member` after it, if any.
        member: Option<String>,
    },
    /// A character this subset does not use (`{`, `[`, `&`, a lone `@` or `$`...).
    Other(char),
    /// Text the lexer already reported (an unterminated string or comment).
    Bad,
}

/// A token and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Token {
    /// What it is.
    pub tok: Tok,
    /// Where it is.
    pub span: Span,
}

const SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201a}', '\u{201b}'];
const DOUBLE_QUOTES: [char; 4] = ['"', '\u{201c}', '\u{201d}', '\u{201e}'];
const DASHES: [char; 4] = ['-', '\u{2013}', '\u{2014}', '\u{2015}'];

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{a0}' | '\u{feff}' | '\u{0b}' | '\u{0c}')
}

/// Characters that end a bareword.
fn ends_word(c: char) -> bool {
    is_blank(c)
        || matches!(
            c,
            '\r' | '\n' | '$' | '(' | ')' | '{' | '}' | '[' | ']' | ',' | ';' | '|' | '&' | '`'
        )
        || SINGLE_QUOTES.contains(&c)
        || DOUBLE_QUOTES.contains(&c)
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

struct Cursor<'a> {
    src: &'a str,
    pos: usize,
    tokens: Vec<Token>,
    errors: Vec<Diagnostic>,
}

/// Splits `src` into tokens. Errors are collected; lexing goes on after each.
pub(super) fn lex(src: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut c = Cursor {
        src,
        pos: 0,
        tokens: Vec::new(),
        errors: Vec::new(),
    };
    c.run();
    (c.tokens, c.errors)
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos..)?.chars().next()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.src.get(self.pos..)?.chars().nth(n)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn push(&mut self, tok: Tok, start: usize) {
        self.tokens.push(Token {
            tok,
            span: Span::new(start, self.pos),
        });
    }

    fn error(&mut self, start: usize, end: usize, message: &str, help: &str) {
        self.errors
            .push(Diagnostic::error("E0330", Span::new(start, end), message).with_help(help));
    }

    fn run(&mut self) {
        while let Some(ch) = self.peek() {
            let start = self.pos;
            match ch {
                c if is_blank(c) => {
                    self.bump();
                }
                '\n' => {
                    self.bump();
                    self.push(Tok::End, start);
                }
                '\r' => {
                    self.bump();
                    if self.peek() == Some('\n') {
                        self.bump();
                    }
                    self.push(Tok::End, start);
                }
                '`' => self.backtick(),
                '#' => self.skip_line(),
                '<' if self.peek_at(1) == Some('#') => self.block_comment(),
                ';' | '|' | '=' | ',' | '(' | ')' => {
                    self.bump();
                    let tok = match ch {
                        ';' => Tok::End,
                        '|' => Tok::Pipe,
                        '=' => Tok::Equals,
                        ',' => Tok::Comma,
                        '(' => Tok::LParen,
                        _ => Tok::RParen,
                    };
                    self.push(tok, start);
                }
                '@' => self.at(),
                '$' => self.variable(),
                c if SINGLE_QUOTES.contains(&c) => {
                    self.bump();
                    let tok = self.single_quoted(start).map_or(Tok::Bad, Tok::Str);
                    self.push(tok, start);
                }
                c if DOUBLE_QUOTES.contains(&c) => {
                    self.bump();
                    let tok = self.double_quoted(start).map_or(Tok::Bad, Tok::Str);
                    self.push(tok, start);
                }
                c if DASHES.contains(&c)
                    && self
                        .peek_at(1)
                        .is_some_and(|n| n.is_alphabetic() || n == '_') =>
                {
                    self.param()
                }
                c if ends_word(c) => {
                    self.bump();
                    self.push(Tok::Other(c), start);
                }
                _ => self.word(),
            }
        }
    }

    /// The two-character opener at `start` is never closed: the rest of the source is one
    /// bad token, reported.
    fn unclosed(&mut self, start: usize, message: &str, help: &str) {
        self.pos = self.src.len();
        self.push(Tok::Bad, start);
        self.error(start, start + 2, message, help);
    }
}
