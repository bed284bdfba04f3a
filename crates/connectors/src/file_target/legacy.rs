//! The previous layout, one `directory.json` holding every object and the change log: read
//! once, to convert a folder on its first open.

use std::path::Path;

use serde_json::Value as Json;
use syncrules_connector::{Change, ImportEntry};

use super::codec::entry_from_json;
use super::error::{StoreError, data_error, io_error};
use super::header::FORMAT;

/// The previous layout's file.
pub(super) const LEGACY_FILE: &str = "directory.json";

/// What a `directory.json` holds that the new layout keeps (its log is dropped: watermarks
/// of that layout are expired anyway).
#[derive(Debug)]
pub(super) struct Legacy {
    /// The anchor counter.
    pub next_id: u64,
    /// The number of the last change.
    pub seq: u64,
    /// The objects, as [`Change::Present`] entries with anchors.
    pub objects: Vec<ImportEntry>,
}

/// Reads `<dir>/directory.json`; `None` when there is none.
pub(super) fn read(dir: &Path) -> Result<Option<Legacy>, StoreError> {
    let path = dir.join(LEGACY_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(&path)(e)),
    };
    let fail = |m: &str| data_error(&path, None, m);
    let doc: Json = serde_json::from_slice(&bytes).map_err(|e| fail(&e.to_string()))?;
    if doc.get("format").and_then(Json::as_str) != Some(FORMAT) {
        return Err(fail(&format!(
            "not a file target directory (`format` is not `{FORMAT}`)"
        )));
    }
    let number = |key: &str| {
        doc.get(key)
            .and_then(Json::as_u64)
            .ok_or_else(|| fail(&format!("`{key}` must be a number")))
    };
    let Some(items) = doc.get("objects").and_then(Json::as_array) else {
        return Err(fail("`objects` must be an array"));
    };
    let mut objects = Vec::with_capacity(items.len());
    for (i, object) in items.iter().enumerate() {
        let entry = entry_from_json(object, Change::Present)
            .map_err(|m| fail(&format!("objects[{i}]: {m}")))?;
        if entry.anchor.is_none() {
            return Err(fail(&format!("objects[{i}]: `anchor` must be a string")));
        }
        objects.push(entry);
    }
    Ok(Some(Legacy {
        next_id: number("next_id")?,
        seq: number("seq")?,
        objects,
    }))
}
