//! [`FileTarget`]: a directory kept in a folder, standing in for Entra ID.
//!
//! # Layout
//!
//! Every file is JSON a person can read; objects and changes are one JSON object a line.
//!
//! | file | what |
//! | --- | --- |
//! | `target.json` | the header: the current generation, the history's `epoch`, the kept journals |
//! | `objects.<g>.jsonl` | the snapshot: one object a line, in anchor order |
//! | `by-anchor.<g>.jsonl` | `[anchor, offset, length]` of each snapshot line, sorted |
//! | `by-dn.<g>.jsonl` | `[dn key, anchor]`, sorted |
//! | `by-value.<g>.jsonl` | `["attribute\u0000value", anchor]` of unique values, lowercase, sorted |
//! | `journal.<g>.jsonl` | the changes after the snapshot, one a line, numbered by `seq` |
//! | `lock` | locked while a connector has the folder open; holds its process id |
//!
//! ```text
//! objects.1.jsonl:  {"anchor":"e220a17e-…","dn":"CN=Jane Doe,OU=Users,DC=contoso,DC=com","object_type":"user","attributes":{"userPrincipalName":[{"type":"string","value":"jane@contoso.com"}]}}
//! journal.1.jsonl:  {"seq":3,"change":"modify","old_dn":"…","anchor":"…","dn":"…","object_type":"user","attributes":{"title":[]}}
//! ```
//!
//! Attribute values are arrays of typed values as `syncrules eval` prints them
//! ([`syncrules_lang::json::to_typed`]); in the journal an empty array removes the attribute.
//!
//! An export batch is applied in memory and appended to the journal (written in chunks of
//! 8 MiB, flushed to disk once at its end): its cost follows the batch, not the directory.
//! Opening the folder for an export reads the header and replays the current journal,
//! reading each line's fields but decoding only unique attributes' values (the others are
//! read back from their line when the object is read); objects of the snapshot are found
//! through the sorted indexes, never loaded all at once, except by a full import. A delta
//! import opens nothing of the sort: it reads the journal's last line and the lines after
//! its watermark, found from the end of the file (`history.rs`).
//!
//! Why this layout: a journal line is the unit of atomicity a crash can respect (a torn last
//! line is the only damage an append can leave), the sorted snapshot is found into without
//! being loaded and merged with the journal in one sequential pass, and every file stays text
//! a person can read with `grep` or `jq`. A file per object would make a full import a
//! million opens and renames the unit of a batch; a database file would not be readable.
//!
//! Once the journal holds a quarter as many changes as there are objects (at least 10,000,
//! at most 200,000; see [`FileTarget::with_compaction`]) the export that filled it compacts
//! it; so does the end of an export step that wrote most of the journal and at least a
//! twentieth as many changes as there are objects (an initial cycle's adds), so later runs
//! do not replay them. Compacting: the
//! snapshot and the journal are merged into the next generation's files (unchanged objects
//! copied line for line, memory following the journal), then `target.json` is replaced
//! through a temporary file renamed over it, which is the commit point, and the old
//! generation's files are removed. The journal is kept for delta imports.
//!
//! # Crashes and leftovers
//!
//! A process killed during an export leaves each object at its old or its new version: a
//! change is one journal line, and a last line cut short is ignored and cut off the file at
//! the next open. A compaction killed before its commit leaves files of a generation the
//! header does not name: they are removed at the next open, as are temporary files
//! (`.*.tmp`). An I/O error while appending cuts the journal back to where it was.
//!
//! # Lock
//!
//! The first operation of a connector takes an exclusive lock on `lock` and keeps it until
//! the connector is dropped: a second connector on the same folder, in this process or
//! another, fails at once with [`ConnectorError::Unavailable`] naming the folder and the
//! holder's process id. An import of a missing folder reads it as empty and creates nothing
//! (a preview writes nothing); the first export creates it.
//!
//! # The previous layout
//!
//! A folder holding `directory.json` (one file with every object and the change log) is
//! converted on its first open: its objects become the first snapshot, its counters go on,
//! and the file is removed. Its watermarks (`file-target:1:…`) are expired.
//!
//! # Anchors
//!
//! An add gets a new anchor shaped like a GUID, derived from the `next_id` counter by
//! SplitMix64: deterministic (two runs of a test give the same anchors) and never repeated.
//!
//! # Exports
//!
//! - add: fails when the DN exists ([`FailureClass::Other`](syncrules_connector::FailureClass::Other)); returns the new anchor;
//! - update: sets each given attribute, a null removes one; the object is found by anchor,
//!   else by DN ([`FailureClass::NoSuchObject`](syncrules_connector::FailureClass::NoSuchObject) when absent);
//! - rename: moves the object found by anchor, else by `old_dn`, to `dn`, and applies the
//!   given attributes;
//! - delete: removes the object found by anchor, else by DN.
//!
//! The values of `userPrincipalName` and `proxyAddresses` (by default) are unique across
//! objects, ignoring case: a change that would repeat one fails with
//! [`FailureClass::DuplicateAttribute`](syncrules_connector::FailureClass::DuplicateAttribute), as Entra ID's AttributeValueMustBeUnique. A failed
//! change changes nothing; the others in the batch go on. Opening a folder with other unique
//! attributes than its index was built for rebuilds that index (reading every object once).
//!
//! # Imports and the watermark
//!
//! Every successful change is numbered (`seq`). `full_import` returns every object
//! ([`Change::Present`](syncrules_connector::Change)) with the watermark
//! `file-target:2:<epoch>:<seq>`; `delta_import` reads the journals after the watermark's
//! number, folded by [`coalesce`](crate::coalesce()) into one entry per object (the
//! watermark of a missing folder, `file-target:2:none:0`, reads a folder created since from
//! its start). `delta_import_paged` hands the same changes over a page at a time, each page
//! folded on its own (the run after an initial cycle confirms a million adds), having
//! checked the lines' numbers first, so a gap in the journals expires the watermark before
//! any page is handed over. Compaction
//! keeps the numbering and the journals of at least the last 100,000 changes (or as many as
//! there are objects): a watermark older than that, ahead of the folder's counter, of another
//! epoch (the folder was emptied or replaced since) or of another format is
//! [`ConnectorError::WatermarkExpired`], and the engine runs a full import.

mod apply;
mod codec;
mod compact;
mod delta;
mod error;
mod folder;
mod header;
mod history;
mod legacy;
mod lock;
mod overlay;
mod sorted;
mod store;

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use syncrules_connector::{
    Connector, ConnectorError, ExportChange, ExportResult, ImportBatch, Page,
};

use error::StoreError;
use lock::FolderLock;
use store::{Limits, Store};

/// A directory kept as JSON lines in a folder; see the module documentation.
#[derive(Debug)]
pub struct FileTarget {
    name: String,
    dir: PathBuf,
    unique: Vec<String>,
    limits: Limits,
    lock: Option<FolderLock>,
    store: Option<Store>,
}

impl FileTarget {
    /// A target named `name` kept in the folder `dir`, enforcing unique `userPrincipalName`
    /// and `proxyAddresses` values. Nothing is read until the first operation.
    pub fn new(name: impl Into<String>, dir: impl Into<PathBuf>) -> Self {
        FileTarget {
            name: name.into(),
            dir: dir.into(),
            unique: normalize(["userPrincipalName", "proxyAddresses"]),
            limits: Limits::default(),
            lock: None,
            store: None,
        }
    }

    /// Enforces unique values of these attributes instead.
    pub fn with_unique_attributes<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        self.unique = normalize(names.into_iter().map(Into::into));
        self.store = None;
        self
    }

    /// Compacts the journal once it holds `compact_after` changes (instead of a quarter as
    /// many as there are objects, between 10,000 and 200,000), and keeps at least `keep_changes`
    /// changes (instead of 100,000; never fewer than there are objects) for delta imports.
    pub fn with_compaction(mut self, compact_after: u64, keep_changes: u64) -> Self {
        self.limits = Limits {
            compact_min: compact_after,
            compact_max: compact_after,
            keep_min: keep_changes,
        };
        if let Some(store) = &mut self.store {
            store.limits = self.limits;
        }
        self
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder's lock taken and its store opened, once.
    fn open(&mut self) -> Result<&mut Store, ConnectorError> {
        if self.lock.is_none() {
            let lock = FolderLock::acquire(&self.dir).map_err(|e| self.error(e.into()))?;
            self.lock = Some(lock);
        }
        if self.store.is_none() {
            let store =
                folder::open(&self.dir, &self.unique, self.limits).map_err(|e| self.error(e))?;
            self.store = Some(store);
        }
        self.store
            .as_mut()
            .ok_or_else(|| ConnectorError::Unavailable {
                connector: self.name.clone(),
                message: format!("{} could not be opened", self.dir.display()),
            })
    }

    fn error(&self, e: StoreError) -> ConnectorError {
        match e {
            StoreError::Data(message) => ConnectorError::Data {
                connector: self.name.clone(),
                message,
            },
            StoreError::Io(message) => ConnectorError::Unavailable {
                connector: self.name.clone(),
                message,
            },
            StoreError::Lock(e) => ConnectorError::Unavailable {
                connector: self.name.clone(),
                message: e.to_string(),
            },
        }
    }

    /// Whether the folder does not exist (and is not open): imports read it as empty and
    /// create nothing.
    fn missing(&self) -> bool {
        self.lock.is_none() && !self.dir.exists()
    }

    fn expired(&self) -> ConnectorError {
        ConnectorError::WatermarkExpired {
            connector: self.name.clone(),
        }
    }
}

/// Unique attribute names, lowercase, sorted, without repeats.
fn normalize<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Vec<String> {
    let mut names: Vec<String> = names
        .into_iter()
        .map(|n| n.into().to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The epoch of the watermark of a missing folder.
const NO_EPOCH: &str = "none";

fn watermark(epoch: &str, seq: u64) -> String {
    format!("file-target:2:{epoch}:{seq}")
}

#[async_trait::async_trait]
impl Connector for FileTarget {
    fn name(&self) -> &str {
        &self.name
    }

    fn unique_attributes(&self) -> Vec<String> {
        self.unique.clone()
    }

    async fn full_import(&mut self) -> Result<ImportBatch, ConnectorError> {
        if self.missing() {
            return Ok(ImportBatch {
                errors: Vec::new(),
                watermark: Some(watermark(NO_EPOCH, 0)),
                entries: Vec::new(),
            });
        }
        let store = self.open()?;
        let entries = store.all_objects();
        let mark = watermark(&store.header.epoch, store.seq);
        Ok(ImportBatch {
            errors: Vec::new(),
            watermark: Some(mark),
            entries: entries.map_err(|e| self.error(e))?,
        })
    }

    async fn delta_import(&mut self, mark: &str) -> Result<ImportBatch, ConnectorError> {
        let mut entries = Vec::new();
        let mut batch = self.read_delta(mark, usize::MAX, &mut |page| {
            entries.extend(page.entries);
            ControlFlow::Continue(())
        })?;
        batch.entries = entries;
        Ok(batch)
    }

    async fn delta_import_paged(
        &mut self,
        mark: &str,
        page_size: usize,
        page: &mut (dyn FnMut(Page) -> ControlFlow<()> + Send),
    ) -> Result<ImportBatch, ConnectorError> {
        self.read_delta(mark, page_size, page)
    }

    async fn export(
        &mut self,
        changes: &[ExportChange],
    ) -> Result<Vec<ExportResult>, ConnectorError> {
        self.open()?;
        let Some(mut store) = self.store.take() else {
            return Err(self.error(StoreError::Io(format!(
                "{} could not be opened",
                self.dir.display()
            ))));
        };
        let mut results = Vec::with_capacity(changes.len());
        let applied = changes
            .iter()
            .try_for_each(|c| store.apply(c).map(|r| results.push(r)))
            .and_then(|()| store.write_batch());
        if let Err(e) = applied {
            // The store's overlay may hold changes that were not written: it is dropped, and
            // the next operation reads the folder again.
            return Err(self.error(e));
        }
        if store.compaction_due() {
            // The batch is on disk: a compaction that fails loses nothing (its files are
            // removed at the next open) and the next export tries again.
            self.store = folder::compact(store, &self.unique).ok();
        } else {
            self.store = Some(store);
        }
        Ok(results)
    }

    async fn end_export(&mut self) -> Result<(), ConnectorError> {
        // A journal this step mostly filled is compacted now, at the end of a step that
        // wrote many changes, rather than replayed by every later run.
        let Some(store) = self.store.take() else {
            return Ok(());
        };
        if !store.settle_due() {
            self.store = Some(store);
            return Ok(());
        }
        match folder::compact(store, &self.unique) {
            Ok(store) => {
                self.store = Some(store);
                Ok(())
            }
            Err(e) => Err(self.error(e)),
        }
    }
}
