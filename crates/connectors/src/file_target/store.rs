//! The target's state and its JSON file: reading, writing atomically, anchors.

use std::collections::{HashMap, VecDeque};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use indexmap::IndexMap;
use serde_json::{Map, Value as Json, json};
use syncrules_engine::{Change, ImportEntry};
use syncrules_lang::Value;
use syncrules_lang::json::{from_typed, to_typed};

/// The `format` field of the file.
const FORMAT: &str = "syncrules-file-target";

/// How many log entries the file keeps; a delta import older than the oldest kept needs a
/// full import.
pub(super) const LOG_LIMIT: usize = 10_000;

/// Why the file cannot be read: the message says what and where.
#[derive(Debug)]
pub(super) enum LoadError {
    /// The file exists but cannot be read.
    Io(String),
    /// The file is not a directory file.
    Data(String),
}

/// The directory: objects by anchor, the change log and the indexes exports check.
#[derive(Debug, Default)]
pub(super) struct Store {
    /// The counter the next anchor derives from.
    pub next_id: u64,
    /// The number of the last change.
    pub seq: u64,
    /// Log entries up to this number were dropped.
    pub log_floor: u64,
    /// Objects by anchor, as [`Change::Present`] entries.
    pub objects: IndexMap<String, ImportEntry>,
    /// What each change did, as a delta entry, with its number.
    pub log: VecDeque<(u64, ImportEntry)>,
    /// Anchors by DN key.
    pub by_dn: HashMap<String, String>,
    /// Anchors by unique value key (`attribute\0value`, lowercase).
    pub by_unique: HashMap<String, String>,
    /// The attributes whose values must be unique, lowercase.
    pub unique: Vec<String>,
}

impl Store {
    /// An empty directory enforcing `unique`.
    pub fn empty(unique: &[String]) -> Store {
        Store {
            unique: unique.iter().map(|u| u.to_ascii_lowercase()).collect(),
            ..Store::default()
        }
    }

    /// Reads the file; a missing file is an empty directory.
    pub fn load(path: &Path, unique: &[String]) -> Result<Store, LoadError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Store::empty(unique)),
            Err(e) => {
                return Err(LoadError::Io(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        Store::from_bytes(&bytes, path, unique).map_err(LoadError::Data)
    }

    /// Reads the file's content; the error is a message starting with the path.
    fn from_bytes(bytes: &[u8], path: &Path, unique: &[String]) -> Result<Store, String> {
        let mut store = Store::empty(unique);
        let fail = |m: String| format!("{}: {m}", path.display());
        let doc: Json = serde_json::from_slice(bytes).map_err(|e| fail(e.to_string()))?;
        if doc.get("format").and_then(Json::as_str) != Some(FORMAT) {
            return Err(fail(format!(
                "not a file target directory (`format` is not `{FORMAT}`)"
            )));
        }
        let number = |key: &str| {
            doc.get(key)
                .and_then(Json::as_u64)
                .ok_or_else(|| fail(format!("`{key}` must be a number")))
        };
        store.next_id = number("next_id")?;
        store.seq = number("seq")?;
        store.log_floor = number("log_floor")?;
        for (i, object) in array(&doc, "objects").map_err(&fail)?.iter().enumerate() {
            let entry = entry_from_json(object, Change::Present)
                .map_err(|m| fail(format!("objects[{i}]: {m}")))?;
            let Some(anchor) = entry.anchor.clone() else {
                return Err(fail(format!("objects[{i}]: `anchor` must be a string")));
            };
            store.insert(anchor, entry);
        }
        for (i, item) in array(&doc, "log").map_err(&fail)?.iter().enumerate() {
            let at = |m: String| fail(format!("log[{i}]: {m}"));
            let seq = item
                .get("seq")
                .and_then(Json::as_u64)
                .ok_or_else(|| at("`seq` must be a number".to_owned()))?;
            let change = match item.get("change").and_then(Json::as_str) {
                Some("add") => Change::Add,
                Some("modify") => Change::Modify,
                Some("delete") => Change::Delete,
                _ => return Err(at("`change` must be `add`, `modify` or `delete`".to_owned())),
            };
            store
                .log
                .push_back((seq, entry_from_json(item, change).map_err(at)?));
        }
        Ok(store)
    }

    /// Writes the file atomically: a temporary file in the same folder, flushed to disk, then
    /// renamed over the old one. Readers see the old content or the new, never a mix.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let objects: Vec<Json> = self.objects.values().map(|e| entry_json(e, None)).collect();
        let log: Vec<Json> = self
            .log
            .iter()
            .map(|(seq, e)| entry_json(e, Some(*seq)))
            .collect();
        let doc = json!({
            "format": FORMAT,
            "version": 1,
            "next_id": self.next_id,
            "seq": self.seq,
            "log_floor": self.log_floor,
            "objects": objects,
            "log": log,
        });
        let mut bytes = serde_json::to_vec_pretty(&doc).map_err(std::io::Error::other)?;
        bytes.push(b'\n');
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let tmp = temp_path(dir, path);
        let written = (|| {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        if written.is_err() {
            // The temporary file is garbage either way; the error that matters is the write's.
            let _ = std::fs::remove_file(&tmp);
        }
        written?;
        // Make the rename itself durable; not every platform can open a folder.
        if let Ok(folder) = std::fs::File::open(dir) {
            let _ = folder.sync_all();
        }
        Ok(())
    }

    /// Adds an object to the maps and indexes.
    pub fn insert(&mut self, anchor: String, entry: ImportEntry) {
        self.by_dn
            .insert(crate::ldif::dn_key(&entry.dn), anchor.clone());
        for key in unique_keys(&self.unique, &entry.attributes) {
            self.by_unique.insert(key, anchor.clone());
        }
        self.objects.insert(anchor, entry);
    }

    /// Removes an object from the maps and indexes.
    pub fn remove(&mut self, anchor: &str) -> Option<ImportEntry> {
        self.unindex(anchor);
        self.objects.shift_remove(anchor)
    }

    /// Replaces an object, keeping its place.
    pub fn replace(&mut self, anchor: String, entry: ImportEntry) {
        self.unindex(&anchor);
        self.insert(anchor, entry);
    }

    /// Removes an object's DN and unique values from the indexes.
    fn unindex(&mut self, anchor: &str) {
        let Some(entry) = self.objects.get(anchor) else {
            return;
        };
        self.by_dn.remove(&crate::ldif::dn_key(&entry.dn));
        for key in unique_keys(&self.unique, &entry.attributes) {
            if self.by_unique.get(&key).is_some_and(|a| a == anchor) {
                self.by_unique.remove(&key);
            }
        }
    }

    /// Records a change in the log, dropping the oldest entries past [`LOG_LIMIT`].
    pub fn log(&mut self, entry: ImportEntry) {
        self.seq += 1;
        self.log.push_back((self.seq, entry));
        while self.log.len() > LOG_LIMIT {
            if let Some((seq, _)) = self.log.pop_front() {
                self.log_floor = seq;
            }
        }
    }
}

/// The index keys of an object's unique values.
pub(super) fn unique_keys(unique: &[String], attributes: &IndexMap<String, Value>) -> Vec<String> {
    attributes
        .iter()
        .filter(|(name, _)| unique.contains(&name.to_ascii_lowercase()))
        .flat_map(|(name, value)| value.values().iter().map(move |v| unique_key(name, v)))
        .collect()
}

/// `attribute\0value`, lowercase.
pub(super) fn unique_key(name: &str, value: &Value) -> String {
    format!(
        "{}\0{}",
        name.to_ascii_lowercase(),
        value.to_string().to_lowercase()
    )
}

fn temp_path(dir: &Path, path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("directory.json");
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

/// A GUID-like anchor from a counter: SplitMix64 of the counter (a bijection, so anchors
/// never repeat) and of a second mix of it, formatted `8-4-4-4-12`.
pub(super) fn anchor_for(counter: u64) -> String {
    let a = splitmix64(counter);
    let b = splitmix64(counter ^ 0x5851_f42d_4c95_7f2d);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn array<'a>(doc: &'a Json, key: &str) -> Result<&'a Vec<Json>, String> {
    doc.get(key)
        .and_then(Json::as_array)
        .ok_or_else(|| format!("`{key}` must be an array"))
}

/// An entry as JSON: `anchor`, `dn`, `object_type`, `attributes` (each an array of typed
/// values, empty for a removed one), and for log entries `seq`, `change` and `old_dn`.
fn entry_json(entry: &ImportEntry, seq: Option<u64>) -> Json {
    let attributes: Map<String, Json> = entry
        .attributes
        .iter()
        .map(|(name, value)| {
            (
                name.clone(),
                Json::Array(value.values().iter().map(to_typed).collect()),
            )
        })
        .collect();
    let mut object = Map::new();
    if let Some(seq) = seq {
        object.insert("seq".to_owned(), json!(seq));
        let change = match entry.change {
            Change::Add | Change::Present => "add",
            Change::Modify => "modify",
            Change::Delete => "delete",
        };
        object.insert("change".to_owned(), json!(change));
        if let Some(old) = &entry.old_dn {
            object.insert("old_dn".to_owned(), json!(old));
        }
    }
    object.insert("anchor".to_owned(), json!(entry.anchor));
    object.insert("dn".to_owned(), json!(entry.dn));
    object.insert("object_type".to_owned(), json!(entry.object_type));
    object.insert("attributes".to_owned(), Json::Object(attributes));
    Json::Object(object)
}

fn entry_from_json(j: &Json, change: Change) -> Result<ImportEntry, String> {
    let text = |key: &str| {
        j.get(key)
            .and_then(Json::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("`{key}` must be a string"))
    };
    let Some(attrs) = j.get("attributes").and_then(Json::as_object) else {
        return Err("`attributes` must be an object".to_owned());
    };
    let mut attributes = IndexMap::new();
    for (name, values) in attrs {
        let Some(values) = values.as_array() else {
            return Err(format!(
                "attribute `{name}` must be an array of typed values"
            ));
        };
        let mut scalars = Vec::with_capacity(values.len());
        for v in values {
            let value = from_typed(v).map_err(|e| format!("attribute `{name}`: {}", e.message))?;
            scalars.extend(value.values().iter().cloned());
        }
        attributes.insert(name.clone(), crate::ldif::from_values(scalars));
    }
    Ok(ImportEntry {
        value_changes: Vec::new(),
        change,
        dn: text("dn")?,
        old_dn: j.get("old_dn").and_then(Json::as_str).map(str::to_owned),
        anchor: j.get("anchor").and_then(Json::as_str).map(str::to_owned),
        object_type: text("object_type")?,
        attributes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_deterministic_distinct_and_guid_shaped() {
        assert_eq!(anchor_for(0), anchor_for(0));
        let anchors: std::collections::HashSet<_> = (0..10_000).map(anchor_for).collect();
        assert_eq!(anchors.len(), 10_000);
        let a = anchor_for(1);
        assert_eq!(a.len(), 36);
        assert_eq!(
            a.split('-').map(str::len).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
    }

    #[test]
    fn the_log_is_trimmed() {
        let mut store = Store::empty(&[]);
        let entry = ImportEntry {
            value_changes: Vec::new(),
            change: Change::Delete,
            dn: "CN=a".to_owned(),
            old_dn: None,
            anchor: None,
            object_type: "user".to_owned(),
            attributes: IndexMap::new(),
        };
        for _ in 0..LOG_LIMIT + 5 {
            store.log(entry.clone());
        }
        assert_eq!(store.log.len(), LOG_LIMIT);
        assert_eq!(store.log_floor, 5);
        assert_eq!(store.log.front().map(|(s, _)| *s), Some(6));
    }
}
