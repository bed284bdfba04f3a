//! Reading an append-only change log: the complete records, and a final record a writer may
//! still be appending (or was killed while appending), which is left for a later read.

use std::path::Path;

use super::lines::record_groups;
use super::parse::{parse_from, utf8};
use super::{LdifError, LdifRecord, RecordKind};

/// What a part of a change log holds, read from a record boundary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogPart {
    /// The complete records, in order.
    pub records: Vec<LdifRecord>,
    /// How many bytes of the part they take (everything but an incomplete final record):
    /// the next read starts there.
    pub complete: usize,
    /// How many lines (line ends) those bytes hold.
    pub lines: usize,
    /// The final record, when it is incomplete.
    pub torn: Option<TornRecord>,
}

/// A final record that is not complete: not applied, not consumed, reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TornRecord {
    /// Its DN, when its `dn:` line is whole.
    pub dn: Option<String>,
    /// Where and why (`path:line: message`).
    pub error: LdifError,
}

/// Reads `bytes`, a part of the change log `path` starting at a record boundary on line
/// `first_line` (1 for the whole file, whose byte order mark is then skipped).
///
/// The part ends at a record boundary when it is empty or ends with a blank line. Otherwise
/// its final record (the lines after the last blank line) counts as complete when the part
/// ends with a line end, the record parses, and, for a `modify` record, its last group is
/// closed by `-` (as every writer of whole records does): a write cut after `replace: attr`
/// would otherwise read as removing the attribute. An incomplete final record is returned as
/// [`LogPart::torn`] (unless it holds only comments) and not counted in
/// [`LogPart::complete`]. Any other error is in a complete record and fails the whole read,
/// located `path:line: message`.
///
/// A final `add` record cut at a line end cannot be told from a whole one; writers append
/// whole records in one write to keep that from happening.
pub fn read_log(bytes: &[u8], path: &Path, first_line: usize) -> Result<LogPart, LdifError> {
    let bom = if first_line == 1 && bytes.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    let body = bytes.get(bom..).unwrap_or_default();
    let start = final_record_start(body);
    let (before, last) = body.split_at(start);
    let last_line = first_line + line_ends(before);
    let torn = match final_record(last, path, last_line) {
        Final::Complete => None,
        Final::Pending { line, reason, dn } => Some(TornRecord {
            dn,
            error: LdifError {
                path: path.to_owned(),
                line,
                message: format!(
                    "the last record is incomplete ({reason}): it is read once it is complete"
                ),
            },
        }),
    };
    let end = match &torn {
        None if !is_pending_comment(last) => body.len(),
        _ => start,
    };
    let complete = body.get(..end).unwrap_or_default();
    let records = parse_from(complete, path, first_line)?;
    // Nothing but a byte order mark, blank lines, comments or the version line at the
    // file's start is not consumed: the next read starts at the file's first line again, where
    // the version line is allowed.
    if records.is_empty() && first_line == 1 {
        return Ok(LogPart {
            records,
            complete: 0,
            lines: 0,
            torn,
        });
    }
    Ok(LogPart {
        records,
        complete: if end == 0 { 0 } else { bom + end },
        lines: line_ends(complete),
        torn,
    })
}

/// True when `after` continues the last record of `before` instead of starting after a
/// record boundary: `before` ends with a record not followed by a blank line (a final record
/// [`read_log`] took as complete at a line end) and `after` does not start with one. A
/// reader that consumed `before` then took part of a record for the whole of it.
pub fn continues_a_record(before: &[u8], after: &[u8]) -> bool {
    let at_boundary = |b: &[u8]| b.is_empty() || b.ends_with(b"\n\n") || b.ends_with(b"\n\r\n");
    !(at_boundary(before)
        || after.is_empty()
        || after.starts_with(b"\n")
        || after.starts_with(b"\r\n")
        || after == b"\r")
}

/// Where the final record starts: after the last blank line, else at 0.
pub(super) fn final_record_start(bytes: &[u8]) -> usize {
    let mut i = bytes.len();
    while let Some(nl) = bytes
        .get(..i)
        .and_then(|b| b.iter().rposition(|&c| c == b'\n'))
    {
        let line_start = bytes
            .get(..nl)
            .and_then(|b| b.iter().rposition(|&c| c == b'\n'))
            .map_or(0, |p| p + 1);
        let line = bytes.get(line_start..nl).unwrap_or_default();
        if line.is_empty() || line == b"\r" {
            return nl + 1;
        }
        i = nl;
    }
    0
}

fn line_ends(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// The state of the lines after the last blank line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Final {
    /// Nothing, only comments, or a whole record.
    Complete,
    /// A record (or the start of one) that is not whole yet.
    Pending {
        /// The line the finding is about.
        line: usize,
        /// Why the record is not whole.
        reason: String,
        /// Its DN, when its `dn:` line is whole.
        dn: Option<String>,
    },
}

/// Whether the lines after the last blank line (`bytes`, starting on line `line`) are
/// complete; see [`read_log`].
pub(super) fn final_record(bytes: &[u8], path: &Path, line: usize) -> Final {
    if bytes.is_empty() || only_comments(bytes) {
        return Final::Complete;
    }
    let pending = |line: usize, reason: &str, dn: Option<String>| Final::Pending {
        line,
        reason: reason.to_owned(),
        dn,
    };
    if !bytes.ends_with(b"\n") {
        return pending(
            line,
            "the file does not end with a line end",
            dn_line(bytes),
        );
    }
    let records = match parse_from(bytes, path, line) {
        Ok(records) => records,
        Err(e) => return pending(e.line, &e.message, dn_line(bytes)),
    };
    let Some(record) = records.last() else {
        return Final::Complete;
    };
    if matches!(record.kind, RecordKind::Modify(_)) && !closed(bytes) {
        return pending(
            line,
            "its last modification is not closed by `-`",
            Some(record.dn.clone()),
        );
    }
    Final::Complete
}

/// True when every line is a comment (or a comment's continuation).
fn only_comments(bytes: &[u8]) -> bool {
    bytes.starts_with(b"#")
        && bytes
            .split(|&b| b == b'\n')
            .all(|l| l.is_empty() || l.starts_with(b"#") || l.starts_with(b" "))
}

/// Only comments without a final line end: left unread, as a comment's continuation may
/// still follow.
fn is_pending_comment(bytes: &[u8]) -> bool {
    !bytes.is_empty() && !bytes.ends_with(b"\n")
}

/// The value of a whole `dn: value` first line.
fn dn_line(bytes: &[u8]) -> Option<String> {
    let end = bytes.iter().position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(bytes.get(..end)?).ok()?;
    let line = line.strip_suffix('\r').unwrap_or(line);
    let (name, value) = line.split_once(':')?;
    (name.eq_ignore_ascii_case("dn") && !value.starts_with([':', '<']))
        .then(|| value.trim().to_owned())
}

/// Whether the last logical line of a record's lines is `-`.
fn closed(bytes: &[u8]) -> bool {
    let Ok(text) = utf8(bytes, Path::new(""), 1) else {
        return false;
    };
    record_groups(text, 1).is_ok_and(|groups| {
        groups
            .last()
            .and_then(|g| g.last())
            .is_some_and(|l| l.text.trim_end() == "-")
    })
}

#[cfg(test)]
#[path = "changelog_tests.rs"]
mod tests;
