//! The folder's history for delta imports: the changes after a watermark, read from the
//! kept journals and the current one.
//!
//! A delta import does not need the journal's effect on the snapshot, only its lines after
//! the watermark: [`History::open`] reads the header and the current journal's last line
//! (its number is the folder's last change), and [`History::changes_since`] finds the lines
//! after the watermark by counting lines back from the end, so a run that imports 1,000
//! changes reads those 1,000 lines, not a journal of 200,000. Lines are numbered one after
//! the other (`seq`), and each line read is checked against the number it must have; when
//! they disagree (a journal edited by hand) the journal is read from its start instead.

use std::fs::File;
use std::io::{BufRead as _, BufReader, Read as _, Seek as _, SeekFrom};
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};

use syncrules_connector::ImportEntry;

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

impl History<'_> {
    /// The logged changes after `since`, oldest first, from the kept journals and the
    /// current one; `None` when they no longer hold every change after `since` (older than
    /// [`Header::oldest_mark`], a journal removed or rewritten by hand).
    pub fn changes_since(&self, since: u64) -> Result<Option<Vec<ImportEntry>>, StoreError> {
        if since < self.header.oldest_mark() || since > self.seq {
            return Ok(None);
        }
        if since == self.seq {
            return Ok(Some(Vec::new()));
        }
        if since >= self.header.snapshot_seq
            && let Some(changes) = self.tail(since)?
        {
            return Ok(Some(changes));
        }
        self.read_all(since)
    }

    /// The current journal's lines after `since`, found from its end; `None` when their
    /// numbers are not the ones expected.
    fn tail(&self, since: u64) -> Result<Option<Vec<ImportEntry>>, StoreError> {
        let path = journal_file(self.dir, self.header.generation);
        let mut file = File::open(&path).map_err(io_error(&path))?;
        let start = lines_back(&file, &path, self.journal_len, self.seq - since)?;
        file.seek(SeekFrom::Start(start)).map_err(io_error(&path))?;
        let reader = BufReader::new(file.take(self.journal_len - start));
        let mut out = Vec::new();
        let mut next = since + 1;
        for line in reader.split(b'\n') {
            let content = line.map_err(io_error(&path))?;
            let Ok((seq, entry)) = change_from_line(&content) else {
                return Ok(None);
            };
            if seq != next {
                return Ok(None);
            }
            next += 1;
            out.push(entry);
        }
        Ok((next == self.seq + 1).then_some(out))
    }

    /// The changes after `since`, reading every kept journal after it from its start.
    fn read_all(&self, since: u64) -> Result<Option<Vec<ImportEntry>>, StoreError> {
        let current = journal_file(self.dir, self.header.generation);
        let mut files: Vec<PathBuf> = self
            .header
            .journals
            .iter()
            .filter(|j| j.last > since)
            .map(|j| journal_file(self.dir, j.generation))
            .collect();
        if self.journal_len > 0 {
            files.push(current.clone());
        }
        let mut out = Vec::new();
        let mut next = since + 1;
        for path in files {
            let file = match File::open(&path) {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(io_error(&path)(e)),
            };
            // Of the current journal, only its whole lines.
            let len = if path == current {
                self.journal_len
            } else {
                u64::MAX
            };
            let reader = BufReader::new(file.take(len));
            for (i, line) in reader.split(b'\n').enumerate() {
                let content = line.map_err(io_error(&path))?;
                if content.is_empty() {
                    continue;
                }
                let at = |m| data_error(&path, Some(i as u64 + 1), m);
                // Lines before the watermark are skipped without decoding them.
                if seq_of_line(&content).map_err(at)? <= since {
                    continue;
                }
                let (seq, entry) = change_from_line(&content).map_err(at)?;
                if seq != next {
                    return Ok(None);
                }
                next += 1;
                out.push(entry);
            }
        }
        Ok((next == self.seq + 1).then_some(out))
    }
}
