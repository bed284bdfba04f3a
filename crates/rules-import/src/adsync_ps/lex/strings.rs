//! Lexing quoted text: single- and double-quoted strings (doubled quotes, backtick escapes,
//! refused `$` expansion) and `@'…'@` / `@"…"@` here-strings, with the `@` that opens them
//! (or `@(`).

use super::{Cursor, DOUBLE_QUOTES, SINGLE_QUOTES, Tok, is_blank, is_name_char};

impl Cursor<'_> {
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
    pub(super) fn single_quoted(&mut self, start: usize) -> Option<String> {
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
    pub(super) fn double_quoted(&mut self, start: usize) -> Option<String> {
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
    pub(super) fn at(&mut self) {
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
}
