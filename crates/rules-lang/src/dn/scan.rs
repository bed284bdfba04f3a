//! The lexical layer every DN reading shares: where the separators are, how a piece is
//! trimmed, how a value is unescaped. Separators (`,` `+` `=`), the escape (`\`) and the
//! quote (`"`) are ASCII, so scanning bytes never splits a UTF-8 character.

use std::ops::Range;

use super::DnError;

/// The byte offsets of the top-level occurrences of `sep` in `s`: not escaped by a
/// backslash and not inside a `"quoted"` value.
pub(super) fn separators(s: &str, sep: u8) -> impl Iterator<Item = usize> + '_ {
    let mut escaped = false;
    let mut quoted = false;
    s.bytes().enumerate().filter_map(move |(i, b)| {
        if escaped {
            escaped = false;
            return None;
        }
        match b {
            b'\\' => escaped = true,
            b'"' => quoted = !quoted,
            _ if b == sep && !quoted => return Some(i),
            _ => {}
        }
        None
    })
}

/// The pieces of `s` between its top-level `sep`s, as trimmed byte ranges of `s` (empty
/// pieces included).
pub(super) fn pieces(s: &str, sep: u8) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    separators(s, sep)
        .map(Some)
        .chain(std::iter::once(None))
        .map(move |at| {
            let end = at.unwrap_or(s.len());
            let piece = trimmed(s, start..end);
            start = end + 1;
            piece
        })
}

/// The piece of `s` before its first top-level `sep` and the rest after it, each trimmed;
/// `None` when there is no such separator.
pub(super) fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let at = separators(s, sep).next()?;
    Some((
        slice(s, trimmed(s, 0..at)),
        slice(s, trimmed(s, at + 1..s.len())),
    ))
}

/// `s[range]`, or empty when the range is not one of `s`.
pub(super) fn slice(s: &str, range: Range<usize>) -> &str {
    s.get(range).unwrap_or("")
}

/// `range` of `s` without surrounding white space; an escaped trailing space (`\ `) stays.
pub(super) fn trimmed(s: &str, range: Range<usize>) -> Range<usize> {
    let piece = slice(s, range.clone());
    let start = range.start + (piece.len() - piece.trim_start().len());
    let mut end = range.end.max(start);
    while let Some(c) = slice(s, start..end)
        .chars()
        .next_back()
        .filter(|c| c.is_whitespace())
    {
        let cut = end - c.len_utf8();
        if escaped_at(s, cut) {
            break;
        }
        end = cut;
    }
    start..end
}

/// True when the character at byte `at` of `s` is escaped: an odd number of backslashes
/// precede it.
fn escaped_at(s: &str, at: usize) -> bool {
    let before = slice(s, 0..at);
    before.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// Checks the escapes and quotes of a whole DN: every `\` escapes a character or starts two
/// hex digits, and every quote is closed.
pub(super) fn check(s: &str) -> Result<(), DnError> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut open_quote = None;
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' => match (b.get(i + 1), b.get(i + 2)) {
                (None, _) => return Err(DnError::DanglingEscape { at: i }),
                (Some(h), l) if h.is_ascii_hexdigit() => {
                    if !l.is_some_and(u8::is_ascii_hexdigit) {
                        return Err(DnError::BadHex { at: i });
                    }
                    i += 3;
                    continue;
                }
                (Some(_), _) => i += 1,
            },
            b'"' => open_quote = if open_quote.is_some() { None } else { Some(i) },
            _ => {}
        }
        i += 1;
    }
    match open_quote {
        Some(at) => Err(DnError::UnterminatedQuote { at }),
        None => Ok(()),
    }
}

/// The value a written value stands for: escapes resolved (`\,` is `,`, `\2C` is `,`),
/// quotes removed. `raw` is already trimmed; `at` is its offset in the DN, for errors.
/// Strict reading fails on what [`check`] rejects and on hex pairs that are not UTF-8;
/// lenient reading keeps a dangling `\` or a lone hex digit as written and replaces bytes
/// that are not UTF-8.
pub(super) fn unescape(raw: &str, at: usize, strict: bool) -> Result<String, DnError> {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut open_quote = None;
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' => match (b.get(i + 1), b.get(i + 2)) {
                (None, _) if strict => return Err(DnError::DanglingEscape { at: at + i }),
                (None, _) => {
                    out.push(b'\\');
                    i += 1;
                }
                (Some(&h), l) if h.is_ascii_hexdigit() => match l.and_then(|&l| hex(h, l)) {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                    }
                    None if strict => return Err(DnError::BadHex { at: at + i }),
                    None => {
                        out.push(h);
                        i += 2;
                    }
                },
                (Some(&n), _) => {
                    out.push(n);
                    i += 2;
                }
            },
            b'"' => {
                open_quote = if open_quote.is_some() { None } else { Some(i) };
                i += 1;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    if let (true, Some(q)) = (strict, open_quote) {
        return Err(DnError::UnterminatedQuote { at: at + q });
    }
    match String::from_utf8(out) {
        Ok(s) => Ok(s),
        Err(_) if strict => Err(DnError::BadUtf8 { at }),
        Err(e) => Ok(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

/// The byte two hex digits stand for.
fn hex(hi: u8, lo: u8) -> Option<u8> {
    let digit = |d: u8| (d as char).to_digit(16);
    u8::try_from(digit(hi)? * 16 + digit(lo)?).ok()
}
