//! Lexing what carries no token: backtick line continuations, `#` line comments and
//! `<# … #>` block comments.

use super::{Cursor, is_blank};

impl Cursor<'_> {
    /// A backtick outside a string: a line continuation, or an error.
    pub(super) fn backtick(&mut self) {
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

    /// A `#` comment: skips to the end of the line.
    pub(super) fn skip_line(&mut self) {
        while let Some(c) = self.peek() {
            if c == '\n' || c == '\r' {
                break;
            }
            self.bump();
        }
    }

    /// A `<# … #>` comment, or an error when it is never closed.
    pub(super) fn block_comment(&mut self) {
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
}
