//! The byte cursor `CDate`'s parser reads with, and the English month and day names it
//! knows.

/// A cursor over the ASCII bytes of a date string.
pub(super) struct Cursor<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(s: &'a str) -> Self {
        Cursor {
            bytes: s.as_bytes(),
            pos: 0,
        }
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub(super) fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub(super) fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Skips white space; true when there was some.
    pub(super) fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// Reads 1..=`max` decimal digits: their value and how many there were.
    pub(super) fn digits(&mut self, max: usize) -> Option<(u32, usize)> {
        let mut value = 0u32;
        let mut n = 0;
        while n < max {
            match self.peek() {
                Some(b) if b.is_ascii_digit() => {
                    value = value * 10 + u32::from(b - b'0');
                    n += 1;
                    self.pos += 1;
                }
                _ => break,
            }
        }
        (n > 0).then_some((value, n))
    }

    /// Reads a run of ASCII letters and dots (`A.M.`), lowercased.
    pub(super) fn word(&mut self) -> String {
        let mut w = String::new();
        while let Some(b) = self
            .peek()
            .filter(|b| b.is_ascii_alphabetic() || *b == b'.')
        {
            w.push(char::from(b.to_ascii_lowercase()));
            self.pos += 1;
        }
        w
    }

    /// Reads a fraction's digits (after the decimal point) as nanoseconds; digits beyond
    /// the ninth are read and dropped.
    pub(super) fn fraction(&mut self) -> Option<u32> {
        let mut nanos = 0u32;
        let mut n = 0;
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            if n < 9 {
                nanos = nanos * 10 + u32::from(b - b'0');
            }
            n += 1;
            self.pos += 1;
        }
        if n == 0 {
            return None;
        }
        for _ in n..9 {
            nanos *= 10;
        }
        Some(nanos)
    }
}

/// The month an English month name or abbreviation names.
pub(super) fn month_number(w: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = w.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(w))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// True for an English weekday name or an abbreviation of at least three letters.
pub(super) fn is_weekday(w: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let w = w.trim_end_matches('.');
    w.len() >= 3 && DAYS.iter().any(|d| d.starts_with(w))
}
