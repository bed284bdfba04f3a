//! The open folder: the current generation's snapshot and indexes on disk, its journal
//! replayed into an [`Overlay`], and the appends of export batches.

use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};

use syncrules_connector::ImportEntry;

use super::codec::{entry_json, light_change_from_line, line, object_from_line};
use super::error::{StoreError, data_error, io_error};
use super::header::{
    Header, anchors_file, dns_file, journal_file, snapshot_file, sync_dir, values_file,
};
use super::overlay::{Overlay, Span};
use super::sorted::{SortedFile, read_line_at};
use crate::ldif::dn_key;

/// How much of an export batch is held before it is written.
const CHUNK: usize = 8 << 20;

/// When the journal is compacted into a new snapshot, and how many changes the journals keep
/// for delta imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Limits {
    /// Compact once the journal holds this many changes, or a quarter as many as there are
    /// objects, whichever is more, but never more than `compact_max`.
    pub compact_min: u64,
    /// See `compact_min`.
    pub compact_max: u64,
    /// Keep at least this many changes, or as many as there are objects, whichever is more.
    pub keep_min: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            compact_min: 10_000,
            compact_max: 200_000,
            keep_min: 100_000,
        }
    }
}

/// The snapshot files of a generation; generation 0 has none (an empty snapshot).
#[derive(Debug)]
pub(super) struct Snapshot {
    /// `objects.<g>.jsonl`, objects in anchor order.
    pub objects: Option<File>,
    /// Its path.
    pub objects_path: PathBuf,
    /// `by-anchor.<g>.jsonl`.
    pub anchors: SortedFile,
    /// `by-dn.<g>.jsonl`.
    pub dns: SortedFile,
    /// `by-value.<g>.jsonl`.
    pub values: SortedFile,
}

impl Snapshot {
    /// Opens generation `generation`'s files.
    pub fn open(dir: &Path, generation: u64) -> Result<Snapshot, StoreError> {
        let objects_path = snapshot_file(dir, generation);
        if generation == 0 {
            return Ok(Snapshot {
                objects: None,
                objects_path,
                anchors: SortedFile::empty(anchors_file(dir, 0)),
                dns: SortedFile::empty(dns_file(dir, 0)),
                values: SortedFile::empty(values_file(dir, 0)),
            });
        }
        Ok(Snapshot {
            objects: Some(File::open(&objects_path).map_err(io_error(&objects_path))?),
            objects_path,
            anchors: SortedFile::open(anchors_file(dir, generation))?,
            dns: SortedFile::open(dns_file(dir, generation))?,
            values: SortedFile::open(values_file(dir, generation))?,
        })
    }

    /// The snapshot's version of an object.
    pub fn object(&self, anchor: &str) -> Result<Option<ImportEntry>, StoreError> {
        let (Some(file), Some(row)) = (&self.objects, self.anchors.find(anchor)?) else {
            return Ok(None);
        };
        let Some(offset) = row.number(0) else {
            return Err(data_error(
                self.anchors.path(),
                None,
                format!("the row of `{anchor}` must hold an offset"),
            ));
        };
        let bytes = read_line_at(file, offset).map_err(io_error(&self.objects_path))?;
        let entry = object_from_line(&bytes)
            .map_err(|m| data_error(&self.objects_path, None, format!("at byte {offset}: {m}")))?;
        if entry.anchor.as_deref() != Some(anchor) {
            return Err(data_error(
                &self.objects_path,
                None,
                format!("at byte {offset}: not the object `{anchor}` the index points to"),
            ));
        }
        Ok(Some(entry))
    }
}

/// The open folder.
#[derive(Debug)]
pub(super) struct Store {
    /// The folder.
    pub dir: PathBuf,
    /// The header read when opened (or written by the last compaction).
    pub header: Header,
    /// The snapshot.
    pub snapshot: Snapshot,
    /// The journal's effect.
    pub overlay: Overlay,
    /// The number of the last change.
    pub seq: u64,
    /// The anchor counter.
    pub next_id: u64,
    /// Changes in the current journal.
    pub journal_entries: u64,
    /// Changes this store wrote to the current journal.
    pub written: u64,
    /// When to compact and what to keep.
    pub limits: Limits,
    journal: File,
    journal_path: PathBuf,
    journal_len: u64,
    /// Lines of the export batch not yet written.
    batch: Vec<u8>,
    /// Bytes of the export batch written but not yet flushed to disk.
    unsynced: u64,
}

impl Store {
    /// Opens the generation `header` names and replays its journal; a torn last line (a
    /// write cut short) is cut off the file.
    pub fn open(dir: &Path, header: Header, limits: Limits) -> Result<Store, StoreError> {
        let snapshot = Snapshot::open(dir, header.generation)?;
        let journal_path = journal_file(dir, header.generation);
        let journal = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&journal_path)
            .map_err(io_error(&journal_path))?;
        let mut store = Store {
            dir: dir.to_path_buf(),
            overlay: Overlay::new(&header.unique),
            seq: header.snapshot_seq,
            next_id: header.next_id,
            journal_entries: 0,
            written: 0,
            limits,
            snapshot,
            header,
            journal,
            journal_path,
            journal_len: 0,
            batch: Vec::new(),
            unsynced: 0,
        };
        let path = store.journal_path.clone();
        let io = io_error(&path);
        let mut reader = BufReader::new(File::open(&path).map_err(&io)?);
        let mut bytes = Vec::new();
        let mut line = 0;
        loop {
            bytes.clear();
            let read = reader.read_until(b'\n', &mut bytes).map_err(&io)?;
            // The end, or a last line cut short (it has no newline): ignored.
            let Some(content) = bytes.strip_suffix(b"\n") else {
                break;
            };
            line += 1;
            if !content.is_empty() {
                let at = |m: &dyn std::fmt::Display| data_error(&path, Some(line), m);
                let light = light_change_from_line(content).map_err(|m| at(&m))?;
                if light.seq != store.seq + 1 {
                    return Err(at(&format!(
                        "change {} does not follow change {}",
                        light.seq, store.seq
                    )));
                }
                let span = Span {
                    offset: store.journal_len,
                    len: u32::try_from(content.len())
                        .map_err(|_| at(&"the line is longer than 4 GiB"))?,
                };
                if matches!(light.change, syncrules_connector::Change::Add) {
                    store.next_id += 1;
                }
                store.seq = light.seq;
                store.journal_entries += 1;
                store.overlay.replay(&light, span).map_err(|m| at(&m))?;
            }
            store.journal_len += read as u64;
        }
        let len = store.journal.metadata().map_err(&io)?.len();
        if store.journal_len < len {
            store
                .journal
                .set_len(store.journal_len)
                .and_then(|()| store.journal.sync_all())
                .map_err(&io)?;
        }
        Ok(store)
    }

    fn record(&mut self, seq: u64, entry: &ImportEntry) {
        if matches!(entry.change, syncrules_connector::Change::Add) {
            self.next_id += 1;
        }
        self.seq = seq;
        self.journal_entries += 1;
        self.overlay.record(entry);
    }

    /// Objects in the directory now.
    pub fn live(&self) -> u64 {
        self.header
            .objects
            .saturating_add_signed(self.overlay.growth)
    }

    /// Logs a change of the batch: numbers it, applies it to the overlay and queues its line;
    /// a large batch is written as it goes, in chunks.
    pub fn log(&mut self, entry: ImportEntry) -> Result<(), StoreError> {
        let seq = self.seq + 1;
        self.batch.extend(line(&entry_json(&entry, Some(seq))));
        self.record(seq, &entry);
        self.written += 1;
        if self.batch.len() >= CHUNK {
            self.spill()?;
        }
        Ok(())
    }

    /// Writes the queued lines to the journal, not yet flushed to disk.
    fn spill(&mut self) -> Result<(), StoreError> {
        if let Err(e) = self.journal.write_all(&self.batch) {
            let _ = self.journal.set_len(self.journal_len);
            return Err(io_error(&self.journal_path)(e));
        }
        self.unsynced += self.batch.len() as u64;
        self.batch.clear();
        Ok(())
    }

    /// Writes the rest of the batch to the journal and flushes it to disk. On failure the
    /// journal is cut back to where it was; the caller must drop this store (its overlay
    /// holds the lost changes).
    pub fn write_batch(&mut self) -> Result<(), StoreError> {
        if self.batch.is_empty() && self.unsynced == 0 {
            return Ok(());
        }
        self.spill()?;
        if let Err(e) = self.journal.sync_data() {
            let _ = self.journal.set_len(self.journal_len);
            return Err(io_error(&self.journal_path)(e));
        }
        if self.journal_len == 0 {
            // A new journal file's name must be durable too.
            sync_dir(&self.dir);
        }
        self.journal_len += std::mem::take(&mut self.unsynced);
        Ok(())
    }

    /// Whether the journal should be compacted at the end of an export step: this store
    /// wrote at least half of it and at least a twentieth as many changes as there are
    /// objects (so the step cost more than a compaction will), and it holds at least a
    /// quarter of `compact_min`. A step that filled the journal (an initial cycle's adds)
    /// compacts it once, so later runs do not replay it; small steps leave it to grow until
    /// [`Store::compaction_due`].
    pub fn settle_due(&self) -> bool {
        self.journal_entries >= (self.limits.compact_min / 4).max(1)
            && self.written >= (self.live() / 20).max(1)
            && self.written.saturating_mul(2) >= self.journal_entries
    }

    /// Whether the journal is due for compaction.
    pub fn compaction_due(&self) -> bool {
        // A quarter of the objects: every open replays the journal, so it stays short
        // beside the directory; a snapshot is still rewritten only after a quarter of it
        // changed.
        let at = (self.live() / 4).clamp(
            self.limits.compact_min,
            self.limits.compact_max.max(self.limits.compact_min),
        );
        self.journal_entries >= at.max(1)
    }

    /// A line of the current journal, read back (it was replayed or written by this store).
    pub fn journal_line(&self, span: Span) -> Result<Vec<u8>, StoreError> {
        use std::os::unix::fs::FileExt as _;
        let mut bytes = vec![0; span.len as usize];
        self.journal
            .read_exact_at(&mut bytes, span.offset)
            .map_err(io_error(&self.journal_path))?;
        Ok(bytes)
    }

    /// The current version of an object.
    pub fn object(&self, anchor: &str) -> Result<Option<ImportEntry>, StoreError> {
        let lines = |span| self.journal_line(span);
        match self.overlay.pending.get(anchor) {
            Some(p) if p.deleted => Ok(None),
            Some(p) if p.added => p.apply(anchor, None, &lines),
            Some(p) => match self.snapshot.object(anchor)? {
                Some(base) => p.apply(anchor, Some(base), &lines),
                None => Ok(None),
            },
            None => self.snapshot.object(anchor),
        }
    }

    /// The anchor of the object at this DN.
    pub fn anchor_by_dn(&self, dn: &str) -> Result<Option<String>, StoreError> {
        let key = dn_key(dn);
        if let Some(anchor) = self.overlay.by_dn.get(&key) {
            return Ok(Some(anchor.clone()));
        }
        let row = self.snapshot.dns.find(&key)?;
        Ok(row
            .and_then(|r| r.text(0).map(str::to_owned))
            .filter(|a| self.overlay.dn_row_holds(a)))
    }

    /// The anchor of the object holding this unique value key.
    pub fn holder(&self, key: &str) -> Result<Option<String>, StoreError> {
        if let Some(anchor) = self.overlay.by_value.get(key) {
            return Ok(Some(anchor.clone()));
        }
        let row = self.snapshot.values.find(key)?;
        Ok(row
            .and_then(|r| r.text(0).map(str::to_owned))
            .filter(|a| self.overlay.value_row_holds(key, a)))
    }

    /// Every object, as [`Change::Present`](syncrules_connector::Change) entries: the
    /// snapshot's in order with the journal applied, then those the journal added.
    pub fn all_objects(&self) -> Result<Vec<ImportEntry>, StoreError> {
        let lines = |span| self.journal_line(span);
        let mut out = Vec::new();
        if self.snapshot.objects.is_some() {
            let path = &self.snapshot.objects_path;
            let file = File::open(path).map_err(io_error(path))?;
            let mut reader = BufReader::new(file);
            let mut bytes = Vec::new();
            let mut n = 0;
            loop {
                bytes.clear();
                if reader
                    .read_until(b'\n', &mut bytes)
                    .map_err(io_error(path))?
                    == 0
                {
                    break;
                }
                n += 1;
                let content = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
                let entry = object_from_line(content).map_err(|m| data_error(path, Some(n), m))?;
                let anchor = entry.anchor.clone().unwrap_or_default();
                match self.overlay.pending.get(&anchor) {
                    Some(p) => out.extend(p.apply(&anchor, Some(entry), &lines)?),
                    None => out.push(entry),
                }
            }
        }
        for (anchor, p) in &self.overlay.pending {
            if p.added {
                out.extend(p.apply(anchor, None, &lines)?);
            }
        }
        Ok(out)
    }

    /// The journal's length up to its last whole line.
    pub fn journal_len(&self) -> u64 {
        self.journal_len
    }
}
