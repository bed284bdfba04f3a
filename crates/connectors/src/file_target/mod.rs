//! [`FileTarget`]: a directory kept in a folder, standing in for Entra ID.
//!
//! # Layout
//!
//! The folder holds one file, `directory.json` (created by the first export; a missing file
//! is an empty directory):
//!
//! ```json
//! {
//!   "format": "syncrules-file-target", "version": 1,
//!   "next_id": 2, "seq": 3, "log_floor": 0,
//!   "objects": [
//!     {"anchor": "e220a17e-…", "dn": "CN=Jane Doe,OU=Users,DC=contoso,DC=com",
//!      "object_type": "user",
//!      "attributes": {"userPrincipalName": [{"type": "string", "value": "jane@contoso.com"}]}}
//!   ],
//!   "log": [
//!     {"seq": 3, "change": "modify", "old_dn": "…", "anchor": "…", "dn": "…",
//!      "object_type": "user", "attributes": {"title": []}}
//!   ]
//! }
//! ```
//!
//! Attribute values are arrays of typed values as `syncrules eval` prints them
//! ([`syncrules_lang::json::to_typed`]). One file rather than a file per object makes an
//! export batch atomic: every export loads the file, applies the changes in memory and writes
//! the file back through a temporary file in the same folder renamed over it, so readers see
//! the directory before the batch or after it, never half of it. One writer at a time.
//!
//! # Anchors
//!
//! An add gets a new anchor shaped like a GUID, derived from the `next_id` counter by
//! SplitMix64: deterministic (two runs of a test give the same anchors) and never repeated.
//!
//! # Exports
//!
//! - add: fails when the DN exists ([`FailureClass::Other`](syncrules_engine::FailureClass::Other)); returns the new anchor;
//! - update: sets each given attribute, a null removes one; the object is found by anchor,
//!   else by DN ([`FailureClass::NoSuchObject`](syncrules_engine::FailureClass::NoSuchObject) when absent);
//! - rename: moves the object found by anchor, else by `old_dn`, to `dn`, and applies the
//!   given attributes;
//! - delete: removes the object found by anchor, else by DN.
//!
//! The values of `userPrincipalName` and `proxyAddresses` (by default) are unique across
//! objects, ignoring case: a change that would repeat one fails with
//! [`FailureClass::DuplicateAttribute`](syncrules_engine::FailureClass::DuplicateAttribute), as Entra ID's AttributeValueMustBeUnique. A failed
//! change changes nothing; the others in the batch go on.
//!
//! # Imports and the watermark
//!
//! Every successful change is numbered (`seq`) and logged as the delta entry it amounts to.
//! `full_import` returns every object ([`Change::Present`](syncrules_engine::Change)) with the
//! watermark `file-target:1:<seq>`; `delta_import` returns the logged changes after the
//! watermark's number, folded by [`coalesce`](crate::coalesce()) into one entry per object.
//! The log keeps the last 10,000 changes: a watermark older than that, or ahead of the
//! directory's counter (the folder was emptied since), is
//! [`ConnectorError::WatermarkExpired`]. A folder emptied and refilled past the watermark's
//! number is not noticed: give a new target a new folder.

mod apply;
mod store;

use std::path::{Path, PathBuf};

use syncrules_engine::{Connector, ConnectorError, ExportChange, ExportResult, ImportBatch};

use crate::coalesce;
use store::{LoadError, Store};

/// The file in the target's folder.
pub const FILE_NAME: &str = "directory.json";

/// A directory kept as JSON in a folder; see the module documentation.
#[derive(Clone, Debug)]
pub struct FileTarget {
    name: String,
    dir: PathBuf,
    unique: Vec<String>,
}

impl FileTarget {
    /// A target named `name` kept in the folder `dir`, enforcing unique `userPrincipalName`
    /// and `proxyAddresses` values.
    pub fn new(name: impl Into<String>, dir: impl Into<PathBuf>) -> Self {
        FileTarget {
            name: name.into(),
            dir: dir.into(),
            unique: vec!["userPrincipalName".to_owned(), "proxyAddresses".to_owned()],
        }
    }

    /// Enforces unique values of these attributes instead.
    pub fn with_unique_attributes<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        self.unique = names.into_iter().map(Into::into).collect();
        self
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The directory file: `<dir>/directory.json`.
    pub fn file(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    fn load(&self) -> Result<Store, ConnectorError> {
        Store::load(&self.file(), &self.unique).map_err(|e| match e {
            LoadError::Io(message) => ConnectorError::Unavailable {
                connector: self.name.clone(),
                message,
            },
            LoadError::Data(message) => ConnectorError::Data {
                connector: self.name.clone(),
                message,
            },
        })
    }

    fn expired(&self) -> ConnectorError {
        ConnectorError::WatermarkExpired {
            connector: self.name.clone(),
        }
    }
}

fn watermark(seq: u64) -> String {
    format!("file-target:1:{seq}")
}

#[async_trait::async_trait]
impl Connector for FileTarget {
    fn name(&self) -> &str {
        &self.name
    }

    async fn full_import(&mut self) -> Result<ImportBatch, ConnectorError> {
        let store = self.load()?;
        Ok(ImportBatch {
            errors: Vec::new(),
            watermark: Some(watermark(store.seq)),
            entries: store.objects.into_values().collect(),
        })
    }

    async fn delta_import(&mut self, mark: &str) -> Result<ImportBatch, ConnectorError> {
        let since: u64 = mark
            .strip_prefix("file-target:1:")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| self.expired())?;
        let store = self.load()?;
        if since < store.log_floor || since > store.seq {
            return Err(self.expired());
        }
        let entries = store
            .log
            .into_iter()
            .filter(|(seq, _)| *seq > since)
            .map(|(_, entry)| entry);
        Ok(ImportBatch {
            errors: Vec::new(),
            entries: coalesce(entries),
            watermark: Some(watermark(store.seq)),
        })
    }

    async fn export(
        &mut self,
        changes: &[ExportChange],
    ) -> Result<Vec<ExportResult>, ConnectorError> {
        let mut store = self.load()?;
        let before = store.seq;
        let results: Vec<ExportResult> = changes.iter().map(|c| store.apply(c)).collect();
        if store.seq != before {
            store
                .save(&self.file())
                .map_err(|e| ConnectorError::Unavailable {
                    connector: self.name.clone(),
                    message: format!("cannot write {}: {e}", self.file().display()),
                })?;
        }
        Ok(results)
    }
}
