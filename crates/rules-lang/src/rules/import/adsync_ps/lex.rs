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

use crate::diag::Diagnostic;
use crate::span::Span;

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

    /// A backtick outside a string: a line continuation, or an error.
    fn backtick(&mut self) {
        let start = self.pos;
        self.bump();
        let mut look = self.pos;
        let rest = self.src.get(look..).unwrap_or("");
        for c in rest.chars() {
            if is_blank(c) {
                look += c.len_utf8();
            } else {
                break;
            }
        }
        let after = self.src.get(look..).unwrap_or("");
        if after.is_empty() {
            self.pos = look;
        } else if let Some(rest) = after.strip_prefix("\r\n") {
            self.pos = self.src.len() - rest.len();
        } else if let Some(rest) = after.strip_prefix('\n') {
            self.pos = self.src.len() - rest.len();
        } else {
            self.error(
                start,
                start + 1,
                "a backtick outside a string must end the line (a line continuation)",
                "put the backtick last on the line, or quote the argument",
            );
        }
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.peek() {
            if c == '\n' || c == '\r' {
                break;
            }
            self.bump();
        }
    }

    fn block_comment(&mut self) {
        let start = self.pos;
        let rest = self.src.get(start + 2..).unwrap_or("");
        match rest.find("#>") {
            Some(i) => self.pos = start + 2 + i + 2,
            None => {
                self.pos = self.src.len();
                self.error(
                    start,
                    start + 2,
                    "unterminated block comment",
                    "close it with `#>`",
                );
            }
        }
    }

    /// After a quote `q` of `quotes` inside a quoted string: whether it closes the string.
    /// A doubled quote does not: it is one quote of the content, pushed to `out`.
    fn closes(&mut self, quotes: &[char], q: char, out: &mut String) -> bool {
        if self.peek().is_some_and(|n| quotes.contains(&n)) {
            self.bump();
            out.push(q);
            false
        } else {
            true
        }
    }

    /// After the opening quote; returns the content (`None` when unterminated).
    fn single_quoted(&mut self, start: usize) -> Option<String> {
        let mut out = String::new();
        loop {
            match self.bump() {
                Some(q) if SINGLE_QUOTES.contains(&q) => {
                    if self.closes(&SINGLE_QUOTES, q, &mut out) {
                        return Some(out);
                    }
                }
                Some(c) => out.push(c),
                None => {
                    self.error(
                        start,
                        start + 1,
                        "unterminated string",
                        "close it with `'` (write `''` for a quote inside)",
                    );
                    return None;
                }
            }
        }
    }

    /// After the opening quote; returns the content with escapes resolved (`None` when
    /// unterminated).
    fn double_quoted(&mut self, start: usize) -> Option<String> {
        let mut out = String::new();
        loop {
            let at = self.pos;
            match self.bump() {
                Some(q) if DOUBLE_QUOTES.contains(&q) => {
                    if self.closes(&DOUBLE_QUOTES, q, &mut out) {
                        return Some(out);
                    }
                }
                Some('`') => self.escape(at, &mut out),
                Some('$') => self.dollar_in_string(at, &mut out),
                Some(c) => out.push(c),
                None => {
                    self.error(
                        start,
                        start + 1,
                        "unterminated string",
                        "close it with `\"`",
                    );
                    return None;
                }
            }
        }
    }

    /// A backtick escape inside a double-quoted string (the backtick at `at` is consumed).
    fn escape(&mut self, at: usize, out: &mut String) {
        let Some(c) = self.bump() else {
            return;
        };
        let resolved = match c {
            '0' => '\0',
            'a' => '\u{07}',
            'b' => '\u{08}',
            'e' => '\u{1b}',
            'f' => '\u{0c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{0b}',
            'u' if self.peek() == Some('{') => {
                let rest = self.src.get(self.pos..).unwrap_or("");
                let code = rest.find('}').and_then(|end| {
                    let hex = rest.get(1..end)?;
                    let ch = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)?;
                    Some((ch, end + 1))
                });
                match code {
                    Some((ch, len)) => {
                        self.pos += len;
                        ch
                    }
                    None => {
                        self.error(at, self.pos, "bad unicode escape", "write it as `u{263A}");
                        return;
                    }
                }
            }
            other => other,
        };
        out.push(resolved);
    }

    /// A `$` inside a double-quoted string (consumed): literal unless it starts an expansion.
    fn dollar_in_string(&mut self, at: usize, out: &mut String) {
        match self.peek() {
            Some(n) if is_name_char(n) || n == '{' || n == '(' => {
                self.error(
                    at,
                    at + 1,
                    "variables and subexpressions in double-quoted strings are not supported",
                    "use a single-quoted string, or escape the dollar as `$",
                );
            }
            _ => out.push('$'),
        }
    }

    /// `@(`, a here-string, or a lone `@`.
    fn at(&mut self) {
        let start = self.pos;
        match self.peek_at(1) {
            Some('(') => {
                self.pos += 2;
                self.push(Tok::AtParen, start);
            }
            Some(q @ ('\'' | '"')) if self.here_string_opens(start + 2) => {
                self.here_string(start, q);
            }
            _ => {
                self.bump();
                self.push(Tok::Other('@'), start);
            }
        }
    }

    /// Whether only blanks follow `from` up to the end of the line.
    fn here_string_opens(&self, from: usize) -> bool {
        let rest = self.src.get(from..).unwrap_or("");
        let line = rest.split('\n').next().unwrap_or("");
        line.trim_end_matches('\r').chars().all(is_blank) && rest.contains('\n')
    }

    fn here_string(&mut self, start: usize, quote: char) {
        let rest = self.src.get(start..).unwrap_or("");
        let Some(first_nl) = rest.find('\n') else {
            return;
        };
        let body_start = start + first_nl + 1;
        let terminator = if quote == '\'' { "'@" } else { "\"@" };
        let body = self.src.get(body_start..).unwrap_or("");
        // The terminator must open a line; the body is everything before that line.
        let mut offset = 0;
        let mut found = None;
        for line in body.split_inclusive('\n') {
            if line.starts_with(terminator) {
                found = Some(offset);
                break;
            }
            offset += line.len();
        }
        match found {
            Some(close_at) => {
                let raw = body.get(..close_at).unwrap_or("");
                let raw = raw.strip_suffix('\n').unwrap_or(raw);
                let raw = raw.strip_suffix('\r').unwrap_or(raw);
                let text = if quote == '\'' {
                    raw.to_owned()
                } else {
                    self.unescape_here(raw, body_start)
                };
                self.pos = body_start + close_at + terminator.len();
                self.push(Tok::Str(text), start);
            }
            None => self.unclosed(
                start,
                "unterminated here-string",
                &format!("close it with `{terminator}` at the start of a line"),
            ),
        }
    }

    /// The two-character opener at `start` is never closed: the rest of the source is one
    /// bad token, reported.
    fn unclosed(&mut self, start: usize, message: &str, help: &str) {
        self.pos = self.src.len();
        self.push(Tok::Bad, start);
        self.error(start, start + 2, message, help);
    }

    /// The escapes of a double-quoted here-string's body (at `base` in the source).
    fn unescape_here(&mut self, raw: &str, base: usize) -> String {
        let saved = self.pos;
        let mut out = String::new();
        self.pos = base;
        let end = base + raw.len();
        while self.pos < end {
            let at = self.pos;
            match self.bump() {
                Some('`') => self.escape(at, &mut out),
                Some('$') => self.dollar_in_string(at, &mut out),
                Some(c) => out.push(c),
                None => break,
            }
        }
        self.pos = saved;
        out
    }

    fn variable(&mut self) {
        let start = self.pos;
        self.bump();
        let name = if self.peek() == Some('{') {
            self.bump();
            let rest = self.src.get(self.pos..).unwrap_or("");
            match rest.find('}') {
                Some(end) => {
                    let name = rest.get(..end).unwrap_or("").to_owned();
                    self.pos += end + 1;
                    name
                }
                None => {
                    self.unclosed(start, "unterminated `${`", "close the name with `}`");
                    return;
                }
            }
        } else {
            let mut name = String::new();
            while let Some(c) = self.peek() {
                let scoped = c == ':' && self.peek_at(1).is_some_and(is_name_char);
                if is_name_char(c) || scoped {
                    name.push(c);
                    self.bump();
                } else {
                    break;
                }
            }
            name
        };
        if name.is_empty() {
            self.push(Tok::Other('$'), start);
            return;
        }
        let index = self.index();
        let member = if self.peek() == Some('.') && self.peek_at(1).is_some_and(is_name_char) {
            self.bump();
            let mut m = String::new();
            while let Some(c) = self.peek().filter(|c| is_name_char(*c)) {
                m.push(c);
                self.bump();
            }
            Some(m)
        } else {
            None
        };
        self.push(
            Tok::Var {
                name,
                index,
                member,
            },
            start,
        );
    }

    /// An `[n]` right after a variable.
    fn index(&mut self) -> Option<i64> {
        if self.peek() != Some('[') {
            return None;
        }
        let rest = self.src.get(self.pos..)?;
        let end = rest.find(']')?;
        let n = rest.get(1..end)?.trim().parse::<i64>().ok()?;
        self.pos += end + 1;
        Some(n)
    }

    fn param(&mut self) {
        let start = self.pos;
        self.bump();
        let mut name = String::new();
        while let Some(c) = self.peek().filter(|c| is_name_char(*c)) {
            name.push(c);
            self.bump();
        }
        let colon = self.peek() == Some(':');
        if colon {
            self.bump();
        }
        self.push(Tok::Param { name, colon }, start);
    }

    fn word(&mut self) {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if ends_word(c) {
                break;
            }
            self.bump();
        }
        let text = self.src.get(start..self.pos).unwrap_or("");
        let tok = match text.parse::<i64>() {
            Ok(n) => Tok::Number(n),
            Err(_) => Tok::Word(text.to_owned()),
        };
        self.push(tok, start);
    }
}
