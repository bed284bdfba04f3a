//! `target.json`: which generation of files is current, and what the journals hold. It is
//! the commit point of a compaction: written to a temporary file and renamed over the old.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value as Json, json};

use super::error::{StoreError, data_error, io_error};

/// The `format` field.
pub(super) const FORMAT: &str = "syncrules-file-target";
/// The header's file name.
pub(super) const HEADER_FILE: &str = "target.json";
/// The layout's version.
///
/// 3: the DN index is keyed by `DnKey` (values unescaped, then lowercased and escaped
/// canonically), where 2 lowercased the DN text.
pub(super) const VERSION: u64 = 3;
/// The oldest version still read: its DN index is rebuilt by the first open
/// ([`folder::open`](super::folder)), which compacts into a generation of this version.
const OLDEST: u64 = 2;

/// A journal kept after its generation was compacted, for delta imports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Archived {
    /// Its generation: the file is `journal.<generation>.jsonl`.
    pub generation: u64,
    /// The number of its first change.
    pub first: u64,
    /// The number of its last change.
    pub last: u64,
}

/// The header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Header {
    /// Names this folder's history: a watermark from another history is expired.
    pub epoch: String,
    /// The current generation: its snapshot, indexes and journal are current.
    pub generation: u64,
    /// The number of the last change in the snapshot.
    pub snapshot_seq: u64,
    /// The anchor counter after the snapshot.
    pub next_id: u64,
    /// Objects in the snapshot.
    pub objects: u64,
    /// The unique attributes the value index was built for, lowercase and sorted.
    pub unique: Vec<String>,
    /// Older journals kept, oldest first, numbered without gaps up to `snapshot_seq`.
    pub journals: Vec<Archived>,
    /// The layout version the current generation was written in.
    pub version: u64,
}

/// The file names of a generation.
pub(super) fn snapshot_file(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("objects.{generation}.jsonl"))
}
/// The index of snapshot lines by anchor: `[anchor, offset, length]`.
pub(super) fn anchors_file(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("by-anchor.{generation}.jsonl"))
}
/// The index of anchors by DN key: `[dn_key, anchor]`.
pub(super) fn dns_file(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("by-dn.{generation}.jsonl"))
}
/// The index of anchors by unique value: `["attribute\u0000value", anchor]`.
pub(super) fn values_file(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("by-value.{generation}.jsonl"))
}
/// The changes after a generation's snapshot.
pub(super) fn journal_file(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("journal.{generation}.jsonl"))
}

/// The generation of a generation file's name (`objects.3.jsonl` → 3), if it is one.
pub(super) fn generation_of(name: &str) -> Option<u64> {
    let stem = name.strip_suffix(".jsonl")?;
    let (kind, number) = stem.rsplit_once('.')?;
    matches!(
        kind,
        "objects" | "by-anchor" | "by-dn" | "by-value" | "journal"
    )
    .then(|| number.parse().ok())
    .flatten()
}

impl Header {
    /// A new, empty folder's header: generation 0 (no snapshot files) and a new epoch.
    pub fn new(unique: &[String]) -> Header {
        Header {
            epoch: format!("{:016x}", rand::random::<u64>()),
            generation: 0,
            snapshot_seq: 0,
            next_id: 0,
            objects: 0,
            unique: unique.to_vec(),
            journals: Vec::new(),
            version: VERSION,
        }
    }

    /// The number of the oldest change a delta import can start after.
    pub fn oldest_mark(&self) -> u64 {
        self.journals
            .first()
            .map_or(self.snapshot_seq, |j| j.first.saturating_sub(1))
    }

    /// Reads the header; `None` when there is none.
    pub fn read(dir: &Path) -> Result<Option<Header>, StoreError> {
        let path = dir.join(HEADER_FILE);
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
        let version = match doc.get("version").and_then(Json::as_u64) {
            Some(v) if (OLDEST..=VERSION).contains(&v) => v,
            _ => {
                return Err(fail(&format!(
                    "`version` must be {OLDEST} to {VERSION}: this folder was written by another syncrules; use that version, or move the folder aside and run an initial cycle"
                )));
            }
        };
        let number = |j: &Json, key: &str| {
            j.get(key)
                .and_then(Json::as_u64)
                .ok_or_else(|| fail(&format!("`{key}` must be a number")))
        };
        let strings = |key: &str| -> Result<Vec<String>, StoreError> {
            doc.get(key)
                .and_then(Json::as_array)
                .ok_or_else(|| fail(&format!("`{key}` must be an array")))?
                .iter()
                .map(|s| {
                    s.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| fail(&format!("`{key}` must hold strings")))
                })
                .collect()
        };
        let mut journals = Vec::new();
        for j in doc
            .get("journals")
            .and_then(Json::as_array)
            .ok_or_else(|| fail("`journals` must be an array"))?
        {
            journals.push(Archived {
                generation: number(j, "generation")?,
                first: number(j, "first")?,
                last: number(j, "last")?,
            });
        }
        Ok(Some(Header {
            epoch: doc
                .get("epoch")
                .and_then(Json::as_str)
                .ok_or_else(|| fail("`epoch` must be a string"))?
                .to_owned(),
            generation: number(&doc, "generation")?,
            snapshot_seq: number(&doc, "snapshot_seq")?,
            next_id: number(&doc, "next_id")?,
            objects: number(&doc, "objects")?,
            unique: strings("unique")?,
            journals,
            version,
        }))
    }

    /// Writes the header atomically: a temporary file flushed to disk, renamed over the old
    /// one, and the folder flushed.
    pub fn write(&self, dir: &Path) -> Result<(), StoreError> {
        let journals: Vec<Json> = self
            .journals
            .iter()
            .map(|j| json!({"generation": j.generation, "first": j.first, "last": j.last}))
            .collect();
        let doc = json!({
            "format": FORMAT,
            "version": VERSION,
            "epoch": self.epoch,
            "generation": self.generation,
            "snapshot_seq": self.snapshot_seq,
            "next_id": self.next_id,
            "objects": self.objects,
            "unique": self.unique,
            "journals": journals,
        });
        let path = dir.join(HEADER_FILE);
        let mut bytes = serde_json::to_vec_pretty(&doc)
            .map_err(|e| StoreError::Io(format!("{}: {e}", path.display())))?;
        bytes.push(b'\n');
        let tmp = temp_path(dir, HEADER_FILE);
        let written = (|| {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if written.is_err() {
            // The temporary file is garbage either way; the error that matters is the write's.
            let _ = std::fs::remove_file(&tmp);
        }
        written.map_err(io_error(&path))?;
        sync_dir(dir);
        Ok(())
    }
}

/// A temporary file's path in `dir` for `name`: `.<name>.<pid>.<n>.tmp`.
pub(super) fn temp_path(dir: &Path, name: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

/// Makes renames and new files in `dir` durable; not every platform can open a folder.
pub(super) fn sync_dir(dir: &Path) {
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
}
