//! Lexing names: `$variables` (with `${…}`, `[n]` and `.Member`), `-Param` and `-Param:`
//! tokens, and barewords and numbers.

use super::{Cursor, Tok, ends_word, is_name_char};

impl Cursor<'_> {
    /// `$name`, `${name}` or `$scope:name`, with an `[n]` index and a `.Member`.
    pub(super) fn variable(&mut self) {
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

    /// `-Name`, or `-Name:` with the value after the colon.
    pub(super) fn param(&mut self) {
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

    /// A bareword, or a number when it reads as one.
    pub(super) fn word(&mut self) {
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
