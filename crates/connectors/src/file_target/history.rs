//! The folder's history for delta imports: the changes after a watermark, read from the
//! kept journals and the current one.
//!
//! A delta import does not need the journal's effect on the snapshot, only its lines after
//! the watermark: [`History::open`] reads the header and the current journal's last line
//! (its number is the folder's last change), and [`History::pages_since`] finds the lines
//! after the watermark by counting lines back from the end, so a run that imports 1,000
//! changes reads those 1,000 lines, not a journal of 200,000. Lines are numbered one after
//! the other (`seq`), and each line read is checked against the number it must have; when
//! they disagree (a journal edited by hand) the journal is read from its start instead.

use std::fs::File;
use std::io::{BufRead as _, BufReader, Read as _, Seek as _, SeekFrom};
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};

use std::ops::ControlFlow;

use syncrules_connector::{ImportEntry, Page};

use crate::coalesce;

use super::codec::{change_from_line, seq_of_line};
use super::error::{StoreError, data_error, io_error};
use super::header::{Header, journal_file};

/// How much of a journal is read at a time when searching it from the end.
const BLOCK: u64 = 1 << 16;

/// The folder's history: the header, and the current journal up to its last whole line.
#[derive(Debug)]
pub(super) struct History<'a> {
    /// The folder.
    pub dir: &'a Path,
    /// The header.
    pub header: &'a Header,
    /// The number of the last change.
    pub seq: u64,
    /// The current journal's length up to its last whole line.
    pub journal_len: u64,
}

/// The current journal's last whole line: its number (the header's `snapshot_seq` when
/// there is none) and the length of the journal up to it.
pub(super) fn last_change(dir: &Path, header: &Header) -> Result<(u64, u64), StoreError> {
    let path = journal_file(dir, header.generation);
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((header.snapshot_seq, 0));
        }
        Err(e) => return Err(io_error(&path)(e)),
    };
    let len = file.metadata().map_err(io_error(&path))?.len();
    // The newline ending the last whole line, then the one before it.
    let Some(end) = newline_before(&file, &path, len)? else {
        return Ok((header.snapshot_seq, 0));
    };
    let start = newline_before(&file, &path, end)?.map_or(0, |n| n + 1);
    let line = read_at(&file, &path, start, end - start)?;
    let seq = seq_of_line(&line).map_err(|m| data_error(&path, None, m))?;
    Ok((seq, end + 1))
}

/// The offset of the last newline before `before`.
fn newline_before(file: &File, path: &Path, before: u64) -> Result<Option<u64>, StoreError> {
    let mut end = before;
    while end > 0 {
        let start = end.saturating_sub(BLOCK);
        let block = read_at(file, path, start, end - start)?;
        if let Some(at) = block.iter().rposition(|b| *b == b'\n') {
            return Ok(Some(start + at as u64));
        }
        end = start;
    }
    Ok(None)
}

/// The offset where the `count`th line before `before` starts (`before` ends a line).
fn lines_back(file: &File, path: &Path, before: u64, count: u64) -> Result<u64, StoreError> {
    // The newline ending the line before the wanted one: the (count + 1)th from the end,
    // counting the one at `before - 1`.
    let mut seen = 0;
    let mut end = before;
    while end > 0 {
        let start = end.saturating_sub(BLOCK);
        let block = read_at(file, path, start, end - start)?;
        for (i, b) in block.iter().enumerate().rev() {
            if *b == b'\n' {
                seen += 1;
                if seen == count + 1 {
                    return Ok(start + i as u64 + 1);
                }
            }
        }
        end = start;
    }
    Ok(0)
}

fn read_at(file: &File, path: &Path, offset: u64, len: u64) -> Result<Vec<u8>, StoreError> {
    let mut bytes = vec![0; usize::try_from(len).unwrap_or(usize::MAX)];
    file.read_exact_at(&mut bytes, offset)
        .map_err(io_error(path))?;
    Ok(bytes)
}

/// Where a delta's lines are read: the current journal from a line found from its end, or
/// every kept journal from its start.
#[derive(Clone, Copy, Debug)]
enum Span {
    Tail(u64),
    All,
}

/// How a walk over a span ended.
#[derive(Debug, PartialEq, Eq)]
enum Walk {
    /// Every change after the watermark was read, in order (or the reader stopped).
    Whole,
    /// A number was not the one expected: the span does not hold every change.
    Gap,
}

impl History<'_> {
    /// Hands the changes after `since` to `page`, oldest first, a page of at most `size`
    /// changes at a time, each folded by [`coalesce`] into one entry per object: a page
    /// applied after the one before it has the effect of the changes in order. `Ok(false)`
    /// when the journals no longer hold every change after `since` (older than
    /// [`Header::oldest_mark`], a journal removed or rewritten by hand); nothing has been
    /// handed over then. Changes that take more than one page have their line numbers
    /// checked in a first pass before any is decoded, so that a gap found late does not
    /// follow pages already handed over.
    pub fn pages_since(
        &self,
        since: u64,
        size: usize,
        page: &mut dyn FnMut(Page) -> ControlFlow<()>,
    ) -> Result<bool, StoreError> {
        if since < self.header.oldest_mark() || since > self.seq {
            return Ok(false);
        }
        if since == self.seq {
            return Ok(true);
        }
        let size = size.max(1);
        // Each page tells the number of changes: at most the entries, as folding joins an
        // object's changes.
        let total = usize::try_from(self.seq - since).ok();
        let mut page = |entries| page(Page { entries, total });
        let one_page = self.seq - since <= u64::try_from(size).unwrap_or(u64::MAX);
        let mut spans = Vec::new();
        if since >= self.header.snapshot_seq {
            spans.push(Span::Tail(self.tail_start(since)?));
        }
        spans.push(Span::All);
        for span in spans {
            // A delta of one page is handed over only once read whole, so a gap needs no
            // first pass: the next span is tried.
            if !one_page
                && self.walk(since, span, false, &mut |_| ControlFlow::Continue(()))? == Walk::Gap
            {
                continue;
            }
            let mut part = Vec::new();
            let mut stopped = false;
            let walked = self.walk(since, span, true, &mut |e| {
                part.push(e);
                if part.len() < size {
                    return ControlFlow::Continue(());
                }
                let flow = page(coalesce(std::mem::take(&mut part)));
                stopped = flow.is_break();
                flow
            })?;
            match walked {
                Walk::Gap if one_page => continue,
                Walk::Gap => {
                    return Err(StoreError::Data(format!(
                        "{}: the journal changed while it was read",
                        self.dir.display()
                    )));
                }
                Walk::Whole => {}
            }
            if !stopped && !part.is_empty() {
                let _ = page(coalesce(part));
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// Where the current journal's lines after `since` start, counted back from its end.
    fn tail_start(&self, since: u64) -> Result<u64, StoreError> {
        let path = journal_file(self.dir, self.header.generation);
        let file = File::open(&path).map_err(io_error(&path))?;
        lines_back(&file, &path, self.journal_len, self.seq - since)
    }

    /// Reads the lines of `span` after `since`, checking that each has the next number, and
    /// hands each change to `each` when `decode` (only the numbers are read otherwise).
    fn walk(
        &self,
        since: u64,
        span: Span,
        decode: bool,
        each: &mut dyn FnMut(ImportEntry) -> ControlFlow<()>,
    ) -> Result<Walk, StoreError> {
        // Each file with where its lines are read from, and, for the current journal, how
        // far (its whole lines).
        let current = |start: u64| {
            let path = journal_file(self.dir, self.header.generation);
            (path, start, self.journal_len.saturating_sub(start))
        };
        let files: Vec<(PathBuf, u64, u64)> = match span {
            Span::Tail(start) => vec![current(start)],
            Span::All => {
                let mut files: Vec<(PathBuf, u64, u64)> = self
                    .header
                    .journals
                    .iter()
                    .filter(|j| j.last > since)
                    .map(|j| (journal_file(self.dir, j.generation), 0, u64::MAX))
                    .collect();
                if self.journal_len > 0 {
                    files.push(current(0));
                }
                files
            }
        };
        let tail = matches!(span, Span::Tail(_));
        let mut next = since + 1;
        for (path, start, len) in files {
            let mut file = match File::open(&path) {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Walk::Gap),
                Err(e) => return Err(io_error(&path)(e)),
            };
            file.seek(SeekFrom::Start(start)).map_err(io_error(&path))?;
            let reader = BufReader::new(file.take(len));
            for (i, line) in reader.split(b'\n').enumerate() {
                let content = line.map_err(io_error(&path))?;
                if content.is_empty() {
                    continue;
                }
                let at = |m| data_error(&path, Some(i as u64 + 1), m);
                // A line the tail cannot read sends the reading to the whole journals;
                // there, it is the folder's damage.
                let seq = match seq_of_line(&content) {
                    Ok(seq) => seq,
                    Err(_) if tail => return Ok(Walk::Gap),
                    Err(m) => return Err(at(m)),
                };
                // Lines before the watermark are skipped without decoding them.
                if seq <= since {
                    continue;
                }
                if seq != next {
                    return Ok(Walk::Gap);
                }
                next += 1;
                if decode {
                    let entry = match change_from_line(&content) {
                        Ok((_, entry)) => entry,
                        Err(_) if tail => return Ok(Walk::Gap),
                        Err(m) => return Err(at(m)),
                    };
                    if each(entry).is_break() {
                        return Ok(Walk::Whole);
                    }
                }
            }
        }
        Ok(if next == self.seq + 1 {
            Walk::Whole
        } else {
            Walk::Gap
        })
    }
}
