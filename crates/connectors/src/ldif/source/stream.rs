//! A full import handed over one object at a time, for readers that need every object once
//! but never all of them together (`syncrules preflight` over a million users).
//!
//! The base file is read in blocks cut at blank lines, so memory holds one block, not the
//! file. Objects that a change record touches (in the base file or the delta file) are held
//! back in a [`Snapshot`] and replayed in file order before they are handed over; the rest
//! go out as they are read. A first pass over the base file finds the change records that
//! touch base objects, parsing only the blocks that spell `changetype` at all; a plain export
//! has none, so that pass only reads bytes.

use std::collections::HashSet;
use std::fs::File;
use std::hash::{DefaultHasher, Hash as _, Hasher as _};
use std::io::Read as _;
use std::ops::ControlFlow;

use syncrules_connector::{Change, ConnectorError, ImportEntry, ImportError};

use super::super::dn::{dn_key, parent_dn};
use super::super::watermark::Watermark;
use super::super::{LdifRecord, RecordKind, Snapshot, entry_from_record, parse_from};
use super::{LdifSource, full_watermark, read_log, record_error, torn_error};

/// The size of one read of the base file.
pub(super) const BLOCK: usize = 8 << 20;

impl LdifSource {
    /// Every object of the directory now, as [`full_import`](syncrules_connector::Connector)
    /// returns them ([`Change::Present`] entries), handed to `each` one at a time instead of
    /// gathered: memory holds a block of the base file and the objects that change records
    /// touch, whatever the directory's size. Objects no change record touches come in file
    /// order, then the touched ones in the order they were added. Errors are those of a full
    /// import: a bad base file stops it ([`ConnectorError::Data`], after `each` may have seen
    /// some objects), a delta record that does not apply is that record's entry in the
    /// returned list.
    ///
    /// Duplicate DNs among the objects no record touches are found by a 64-bit hash of each
    /// DN, so a directory of a million objects holds 8 MB of hashes rather than its DNs; two
    /// different DNs with one hash (odds about 1 in 10¹³ at that size) would be reported as a
    /// duplicate.
    pub fn for_each_object(
        &self,
        mut each: impl FnMut(ImportEntry),
    ) -> Result<Vec<ImportError>, ConnectorError> {
        let (errors, _) = self.stream(BLOCK, false, |entry, _| {
            each(entry);
            ControlFlow::Continue(())
        })?;
        Ok(errors)
    }

    /// [`LdifSource::for_each_object`] reading `block` bytes at a time, stopping when `each`
    /// breaks; also returns the watermark a full import returns. The base file's stamp is
    /// taken before its first byte is read: a file replaced meanwhile does not match it,
    /// so the next delta import runs full again.
    ///
    /// With `checked`, the base file is read once more before any entry is handed over:
    /// every record parsed and typed, duplicates found and the held objects replayed, so a
    /// bad base file fails as a whole import fails — before `each` sees anything (a caller
    /// committing what it is handed changes nothing). It costs a parse of the file, and
    /// tells `each` the number of objects the import hands over (a progress bar's total:
    /// the objects no record touches, counted by that pass, and the held ones, which the
    /// delta records are replayed into before the first object goes out); unchecked, `each`
    /// is told `None`.
    pub(super) fn stream(
        &self,
        block: usize,
        checked: bool,
        mut each: impl FnMut(ImportEntry, Option<usize>) -> ControlFlow<()>,
    ) -> Result<(Vec<ImportError>, Watermark), ConnectorError> {
        let base = self.base_stamp()?;
        let delta_bytes = self.delta_whole()?;
        let delta_path = self.delta_file();
        let delta = read_log(&delta_bytes, delta_path, 1).map_err(|e| self.data(&e))?;
        let mut touched: HashSet<String> = HashSet::new();
        for record in &delta.records {
            touch(&mut touched, record);
        }
        self.base_blocks(block, true, |records| {
            for record in records.iter().filter(|r| !is_content(r)) {
                touch(&mut touched, record);
            }
            Ok::<(), ConnectorError>(())
        })?;
        let mut held = Snapshot::new(self.typing.clone());
        let mut seen: HashSet<u64> = HashSet::new();
        let in_base = |e: super::super::RecordError| self.data(&e.in_file(&self.path));
        // The delta's records replayed into the held objects: before the base file is
        // streamed when checked (the streamed objects are the ones no record touches, so
        // the order changes nothing), after it otherwise (`held` fills as it is read).
        let mut errors = Vec::new();
        let mut replay = |held: &mut Snapshot| {
            for record in &delta.records {
                if let Err(e) = held.apply(record) {
                    errors.push(record_error(&record.dn, &e.in_file(delta_path)));
                }
            }
            errors.extend(torn_error(&delta));
        };
        let mut total = None;
        if checked {
            let mut untouched = 0;
            self.base_blocks(block, false, |records| {
                for record in records {
                    if let Some(record) = self.sort(record, &touched, &mut seen, &mut held)? {
                        entry_from_record(&record, &self.typing).map_err(in_base)?;
                        untouched += 1;
                    }
                }
                Ok::<(), ConnectorError>(())
            })?;
            replay(&mut held);
            total = Some(untouched + held.len());
        }
        let streamed: Result<(), Stop> = self.base_blocks(block, false, |records| {
            for record in records {
                let out = if checked {
                    let untouched = is_content(&record) && !touched.contains(&dn_key(&record.dn));
                    untouched.then_some(record)
                } else {
                    self.sort(record, &touched, &mut seen, &mut held)?
                };
                let Some(record) = out else {
                    continue;
                };
                let mut entry = entry_from_record(&record, &self.typing).map_err(in_base)?;
                entry.change = Change::Present;
                if each(entry, total).is_break() {
                    return Err(Stop::Stopped);
                }
            }
            Ok(())
        });
        match streamed {
            Ok(()) => {}
            Err(Stop::Stopped) => return Ok((Vec::new(), full_watermark(base, &[], &delta))),
            Err(Stop::Failed(e)) => return Err(e),
        }
        if !checked {
            replay(&mut held);
        }
        for mut entry in held.into_entries() {
            entry.change = Change::Present;
            if each(entry, total).is_break() {
                break;
            }
        }
        Ok((errors, full_watermark(base, &delta_bytes, &delta)))
    }

    /// Replays a record that is a change, or that a change touches, into `held` (`None`);
    /// gives back the others, the objects handed over as they are read, after checking
    /// that their DN is new.
    fn sort(
        &self,
        record: LdifRecord,
        touched: &HashSet<String>,
        seen: &mut HashSet<u64>,
        held: &mut Snapshot,
    ) -> Result<Option<LdifRecord>, ConnectorError> {
        let in_base = |e: super::super::RecordError| self.data(&e.in_file(&self.path));
        let key = dn_key(&record.dn);
        if touched.contains(&key) || !is_content(&record) {
            held.apply(&record).map_err(in_base)?;
            return Ok(None);
        }
        if !seen.insert(hash(&key)) {
            return Err(in_base(super::super::RecordError::new(
                record.line,
                format!("`{}` already exists", record.dn),
            )));
        }
        Ok(Some(record))
    }

    /// Hands the base file's records to `f`, a block at a time. With `changes_only`, a block
    /// that does not spell `changetype` (in any case) holds no change record and is skipped
    /// unparsed.
    fn base_blocks<E: From<ConnectorError>>(
        &self,
        block: usize,
        changes_only: bool,
        mut f: impl FnMut(Vec<LdifRecord>) -> Result<(), E>,
    ) -> Result<(), E> {
        let unavailable = |e: std::io::Error| self.unavailable(&self.path, &e);
        let mut file = File::open(&self.path).map_err(unavailable)?;
        let mut buf: Vec<u8> = Vec::with_capacity(block.saturating_mul(2));
        let mut line = 1usize;
        loop {
            let read = (&mut file)
                .take(u64::try_from(block).unwrap_or(u64::MAX))
                .read_to_end(&mut buf)
                .map_err(unavailable)?;
            let end = read == 0;
            let cut = if end {
                buf.len()
            } else {
                match last_boundary(&buf) {
                    Some(cut) => cut,
                    None => continue,
                }
            };
            let block = buf.get(..cut).unwrap_or_default();
            let text = match line {
                1 => block.strip_prefix(b"\xef\xbb\xbf").unwrap_or(block),
                _ => block,
            };
            if !changes_only || mentions_changetype(text) {
                let records = parse_from(text, &self.path, line).map_err(|e| self.data(&e))?;
                f(records)?;
            }
            line += block.iter().filter(|&&b| b == b'\n').count();
            buf.drain(..cut);
            if end {
                return Ok(());
            }
        }
    }
}

/// Why the second pass over the base file ended early.
enum Stop {
    /// The receiver had enough.
    Stopped,
    /// The file could not be read or parsed.
    Failed(ConnectorError),
}

impl From<ConnectorError> for Stop {
    fn from(e: ConnectorError) -> Self {
        Stop::Failed(e)
    }
}

/// True for a content record or an add: one that brings an object of its own.
fn is_content(record: &LdifRecord) -> bool {
    matches!(record.kind, RecordKind::Content(_))
}

/// Marks the objects a change record reads or writes: its DN, and a rename's new DN (an
/// object already there makes the rename fail, so it must be held to be seen).
fn touch(touched: &mut HashSet<String>, record: &LdifRecord) {
    touched.insert(dn_key(&record.dn));
    if let RecordKind::ModDn {
        new_rdn,
        new_superior,
        ..
    } = &record.kind
    {
        let parent = new_superior
            .as_deref()
            .unwrap_or_else(|| parent_dn(&record.dn))
            .trim();
        let new_dn = match parent {
            "" => new_rdn.trim().to_owned(),
            parent => format!("{},{parent}", new_rdn.trim()),
        };
        touched.insert(dn_key(&new_dn));
    }
}

/// Where the text after the last blank line of `buf` starts (records never span a blank
/// line, so a block cut there parses as it would within the file). `buf` starts at a line.
fn last_boundary(buf: &[u8]) -> Option<usize> {
    // Scanning back: `end` is the newline ending the line after the one at hand.
    let mut end: Option<usize> = None;
    for (i, &b) in buf.iter().enumerate().rev() {
        if b != b'\n' {
            continue;
        }
        if let Some(end) = end
            && matches!(buf.get(i + 1..end), Some(b"" | b"\r"))
        {
            return Some(end + 1);
        }
        end = Some(i);
    }
    let first = end?;
    matches!(buf.get(..first), Some(b"" | b"\r")).then_some(first + 1)
}

/// True when `text` holds `changetype` in any case.
fn mentions_changetype(text: &[u8]) -> bool {
    const WORD: &[u8] = b"changetype";
    text.windows(WORD.len())
        .any(|w| w.eq_ignore_ascii_case(WORD))
}

fn hash(key: &str) -> u64 {
    let mut h = DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
