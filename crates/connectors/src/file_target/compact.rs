//! Compaction: the snapshot and the journal merged into the next generation's snapshot and
//! indexes, then the header switched to it. Unchanged objects are copied line for line and
//! their index rows kept; only the objects the journal touched are parsed, so memory follows
//! the journal, not the directory (except when the unique attributes changed: then every
//! object's values are indexed anew).

use std::fs::File;
use std::io::{BufRead as _, BufReader, BufWriter, Write as _};
use std::path::Path;

use serde_json::Value as Json;
use syncrules_connector::ImportEntry;

use super::codec::{object_from_line, object_line, unique_keys};
use super::error::{StoreError, data_error, io_error};
use super::header::{
    Archived, Header, VERSION, anchors_file, dns_file, journal_file, snapshot_file, sync_dir,
    values_file,
};
use super::overlay::{Lines, Overlay, Pending};
use super::sorted::{Rows, SortedWriter};
use super::store::Snapshot;
use crate::ldif::dn_key;

/// What a compaction merges.
pub(super) struct Compaction<'a> {
    /// The folder.
    pub dir: &'a Path,
    /// The current header.
    pub header: &'a Header,
    /// The current snapshot.
    pub snapshot: &'a Snapshot,
    /// The current journal's effect.
    pub overlay: &'a Overlay,
    /// Reads the current journal's lines back, for the values the overlay keeps as lines.
    pub lines: Lines<'a>,
    /// The number of the last change.
    pub seq: u64,
    /// The anchor counter.
    pub next_id: u64,
    /// Changes in the current journal (kept for delta imports when any).
    pub journal_entries: u64,
    /// Keep at least this many changes in journals (or as many as there are objects).
    pub keep_min: u64,
    /// The unique attributes to index, lowercase and sorted.
    pub unique: &'a [String],
}

impl Compaction<'_> {
    /// Writes the next generation and switches the header to it; returns the new header.
    /// Files of the old generation are left for [`collect_garbage`](super::folder) to remove.
    pub fn run(&self) -> Result<Header, StoreError> {
        let generation = self.header.generation + 1;
        let rebuild = self.header.unique != self.unique;
        // An older layout's DN index is keyed another way: rebuilt from every object.
        let rebuild_dns = self.header.version < VERSION;
        let mut changed: Vec<(&String, &Pending)> = self.overlay.pending.iter().collect();
        changed.sort_by(|a, b| a.0.cmp(b.0));

        let objects_path = snapshot_file(self.dir, generation);
        let mut objects =
            BufWriter::new(File::create(&objects_path).map_err(io_error(&objects_path))?);
        let mut anchors = SortedWriter::create(anchors_file(self.dir, generation))?;
        let mut new_dns: Vec<(String, String)> = Vec::new();
        let mut new_values: Vec<(String, String)> = Vec::new();
        let mut offset = 0u64;
        let mut count = 0u64;
        let mut write = |anchor: &str, bytes: &[u8]| -> Result<(), StoreError> {
            objects.write_all(bytes).map_err(io_error(&objects_path))?;
            anchors.row(
                anchor,
                &[Json::from(offset), Json::from(bytes.len() as u64)],
            )?;
            offset += bytes.len() as u64;
            count += 1;
            Ok(())
        };
        let mut collect = |anchor: &str, entry: &ImportEntry, dn: bool, values: bool| {
            if dn {
                new_dns.push((dn_key(entry.dn.as_str()), anchor.to_owned()));
            }
            if values {
                for key in unique_keys(self.unique, &entry.attributes) {
                    new_values.push((key, anchor.to_owned()));
                }
            }
        };

        let mut old = OldObjects::open(self.snapshot)?;
        let mut next_old = old.next()?;
        let mut changes = changed.iter().peekable();
        loop {
            let take_old = match (&next_old, changes.peek()) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some((anchor, _)), Some((c, _))) => anchor.as_str() < c.as_str(),
            };
            if take_old {
                if let Some((anchor, bytes)) = next_old.take() {
                    if rebuild || rebuild_dns {
                        let entry = old.parse(&bytes)?;
                        collect(&anchor, &entry, rebuild_dns, rebuild);
                    }
                    write(&anchor, &bytes)?;
                }
                next_old = old.next()?;
                continue;
            }
            let Some((anchor, pending)) = changes.next() else {
                break;
            };
            let base = match &next_old {
                Some((a, bytes)) if a == *anchor => Some(old.parse(bytes)?),
                _ => None,
            };
            if base.is_some() {
                next_old = old.next()?;
            }
            if base.is_none() && !pending.added {
                // Changed by the journal but not in the snapshot: nothing to keep.
                continue;
            }
            if let Some(entry) = pending.apply(anchor, base, self.lines)? {
                collect(anchor, &entry, true, true);
                write(anchor, &object_line(&entry))?;
            }
        }
        let file = objects
            .into_inner()
            .map_err(|e| io_error(&objects_path)(e.into_error()))?;
        file.sync_all().map_err(io_error(&objects_path))?;
        anchors.finish()?;

        let touched = |anchor: &str| self.overlay.pending.contains_key(anchor);
        new_dns.sort();
        let old_dns = if rebuild_dns {
            Rows::none()
        } else {
            self.snapshot.dns.rows()?
        };
        merge(
            old_dns,
            new_dns,
            &touched,
            SortedWriter::create(dns_file(self.dir, generation))?,
        )?;
        new_values.sort();
        let old_values = if rebuild {
            Rows::none()
        } else {
            self.snapshot.values.rows()?
        };
        merge(
            old_values,
            new_values,
            &touched,
            SortedWriter::create(values_file(self.dir, generation))?,
        )?;
        let journal = journal_file(self.dir, generation);
        File::create(&journal)
            .and_then(|f| f.sync_all())
            .map_err(io_error(&journal))?;
        sync_dir(self.dir);

        let mut journals = self.header.journals.clone();
        if self.journal_entries > 0 {
            journals.push(Archived {
                generation: self.header.generation,
                first: self.header.snapshot_seq + 1,
                last: self.seq,
            });
        }
        let keep = self.keep_min.max(count);
        let mut total: u64 = journals.iter().map(|j| j.last + 1 - j.first).sum();
        while let Some(oldest) = journals.first() {
            let size = oldest.last + 1 - oldest.first;
            if total - size < keep {
                break;
            }
            total -= size;
            journals.remove(0);
        }
        let header = Header {
            epoch: self.header.epoch.clone(),
            generation,
            snapshot_seq: self.seq,
            next_id: self.next_id,
            objects: count,
            unique: self.unique.to_vec(),
            journals,
            version: VERSION,
        };
        header.write(self.dir)?;
        Ok(header)
    }
}

/// The old snapshot's objects read in order, each with its anchor from the anchor index.
struct OldObjects<'a> {
    snapshot: &'a Snapshot,
    rows: Rows,
    reader: Option<BufReader<File>>,
    offset: u64,
}

impl<'a> OldObjects<'a> {
    fn open(snapshot: &'a Snapshot) -> Result<Self, StoreError> {
        let path = &snapshot.objects_path;
        let reader = match snapshot.objects {
            Some(_) => Some(BufReader::new(File::open(path).map_err(io_error(path))?)),
            None => None,
        };
        Ok(OldObjects {
            snapshot,
            rows: snapshot.anchors.rows()?,
            reader,
            offset: 0,
        })
    }

    /// The next object's anchor and line (newline included).
    fn next(&mut self) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let (Some(reader), Some((row, _))) = (&mut self.reader, self.rows.next_row()?) else {
            return Ok(None);
        };
        let path = &self.snapshot.objects_path;
        if row.number(0) != Some(self.offset) {
            return Err(data_error(
                path,
                None,
                format!(
                    "the anchor index does not match the objects at byte {}",
                    self.offset
                ),
            ));
        }
        let mut bytes = Vec::new();
        reader
            .read_until(b'\n', &mut bytes)
            .map_err(io_error(path))?;
        self.offset += bytes.len() as u64;
        Ok(Some((row.key, bytes)))
    }

    fn parse(&self, bytes: &[u8]) -> Result<ImportEntry, StoreError> {
        let content = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        object_from_line(content).map_err(|m| data_error(&self.snapshot.objects_path, None, m))
    }
}

/// Writes the rows of `old` whose anchor was not touched merged with `new` (sorted).
fn merge(
    mut old: Rows,
    new: Vec<(String, String)>,
    touched: &dyn Fn(&str) -> bool,
    mut out: SortedWriter,
) -> Result<(), StoreError> {
    let mut new = new.into_iter().peekable();
    while let Some((row, bytes)) = old.next_row()? {
        if row.text(0).is_some_and(touched) {
            continue;
        }
        while let Some((key, anchor)) = new.next_if(|(k, _)| *k < row.key) {
            out.row(&key, &[Json::from(anchor)])?;
        }
        out.raw(&row.key, &bytes)?;
    }
    for (key, anchor) in new {
        out.row(&key, &[Json::from(anchor)])?;
    }
    out.finish()
}
