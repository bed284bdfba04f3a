//! The redb file: checking and opening (and locking) it, migrating an older layout, and the
//! table definitions the reading and writing halves share.

mod dicts;
mod lookup;
mod many;
mod migrate;
mod ordered;
mod prepare;
mod read;
mod rows;
mod write;

use std::fmt;
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::{
    Database, DatabaseError, MultimapTableDefinition, ReadableTable, StorageError, TableDefinition,
    WriteTransaction,
};

use super::StoreError;
use super::pack::Codecs;
use crate::model::CsId;

pub use read::Reader;
pub(crate) use write::EncodeCs;

/// The state file's name inside the state directory.
pub const FILE_NAME: &str = "state.redb";

/// The layout version written to `meta/format`. 6: the DN index is keyed by hashes, and
/// the DNs objects had before a rename are kept apart, as text ([`DN_WAS`]); a state of
/// layout 5 or older has its DN index split into the two when it is opened (see the
/// `migrate` module). 5: each kind of record (a connector space's, the metaverse's) is
/// packed with a dictionary of its own, which `dict_kinds` names, and the anchor index is
/// keyed by hashes. A layout-4 state's one dictionary of every kind, which has no kind,
/// still packs the kinds without their own; its anchor index is hashed into the new one
/// when it is opened (and its join index, of join key format 2, is made anew by the next
/// commit).
/// 4: records may be packed with a zstd dictionary the `dicts` table holds (see the `pack`
/// module); a layout-3 state has no packed records. 3: the DN index is keyed by the one DN
/// key (`syncrules_lang::dn::DnKey`); layout 2 keyed it by the DN lowercased, and is
/// converted when opened.
const FORMAT: &str = "6";

/// Connector-space objects: `(connector, id)` → record.
pub(super) const CS: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("cs2");
/// Metaverse objects: id → record.
pub(super) const MV: TableDefinition<u64, &[u8]> = TableDefinition::new("mv2");
/// Small settings as JSON: format, spaces, next ids, fingerprint, retry list, join keys.
pub(super) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// `(hash of (connector, anchor), id)` (see [`rows::key_hash`]): a row proposes its
/// object, whose record's anchor is checked.
pub(super) const BY_ANCHOR: TableDefinition<(u128, u64), ()> = TableDefinition::new("by_anchor3");
/// The anchor index of layouts 4 and older: `(connector, anchor)` → id. Its rows are hashed
/// into [`BY_ANCHOR`] when such a state is opened.
pub(super) const OLD_BY_ANCHOR: TableDefinition<(&str, &str), u64> =
    TableDefinition::new("by_anchor");
/// `(hash of (connector, DN key), id)` (see [`rows::key_hash`]) for each object's DN: a
/// row proposes its object, whose record's DN is checked.
pub(super) const BY_DN: TableDefinition<(u128, u64), ()> = TableDefinition::new("by_dn2");
/// `(connector, DN key)` → id of a DN an object had before a rename, until another object
/// takes it, so references not yet rewritten still resolve. A DN is looked up here only when
/// no object holds it now.
pub(super) const DN_WAS: TableDefinition<(&str, &str), u64> = TableDefinition::new("dn_was");
/// The DN index of layouts 5 and older: `(connector, DN key)` → id, for the DNs objects
/// hold and held. Split into [`BY_DN`] and [`DN_WAS`] when such a state is opened.
pub(super) const OLD_BY_DN: TableDefinition<(&str, &str), u64> = TableDefinition::new("by_dn");
/// `(connector, id)` of objects a delta sync must visit (a pending import, an unresolved
/// reference).
pub(super) const TO_SYNC: TableDefinition<(&str, u64), u8> = TableDefinition::new("to_sync");
/// `(connector, id)` of objects with a pending export.
pub(super) const TO_EXPORT: TableDefinition<(&str, u64), u8> = TableDefinition::new("to_export");
/// Metaverse objects whose inbound half of a batched sync step is committed and whose
/// recompute and outbound half is not yet: a run killed in between leaves them here, and
/// the next sync processes them (see [`crate::run::Engine::run_and_commit`]).
pub(super) const TO_RECOMPUTE: TableDefinition<u64, u8> = TableDefinition::new("to_recompute");
/// The export journal: `(connector, id)` of changes handed to a connector whose results are
/// not committed yet. A run killed meanwhile leaves them here, and the next export sends
/// them again marked as possibly applied ([`crate::connector::ExportChange::retry`]).
pub(super) const JOURNAL: TableDefinition<(&str, u64), u8> = TableDefinition::new("journal");
/// `(hash of (attribute, join key of a value), metaverse id)`, for the attributes inbound
/// joins search (see [`rows::key_hash`]).
pub(super) const MV_JOIN: TableDefinition<(u128, u64), ()> = TableDefinition::new("mv_join3");
/// `(hash of (connector, attribute, join key of a value), connector-space id)`, for the
/// attributes outbound joins search.
pub(super) const CS_JOIN: TableDefinition<(u128, u64), ()> = TableDefinition::new("cs_join3");
/// The join indexes of join key formats 1 and 2: `(attribute, key)` → metaverse ids and
/// `(connector, attribute, key)` → connector-space ids, keys as text. Deleted when the
/// state is indexed anew.
pub(super) const OLD_MV_JOIN: MultimapTableDefinition<(&str, &str), u64> =
    MultimapTableDefinition::new("mv_join");
pub(super) const OLD_CS_JOIN: MultimapTableDefinition<(&str, &str, &str), u64> =
    MultimapTableDefinition::new("cs_join");

/// The dictionaries records are packed with: number → CRC-32 and zstd dictionary.
pub(super) const DICTS: TableDefinition<u32, &[u8]> = TableDefinition::new("dicts");

/// Which dictionary packs each kind of record: `cs/<connector>` or `mv` → its number, and
/// the median size of the plain records it was trained on.
pub(super) const DICT_KINDS: TableDefinition<&str, (u32, u32)> = TableDefinition::new("dict_kinds");

/// A dictionary as the `dicts` table holds it: a CRC-32 of it, then its bytes.
pub(super) fn seal(dict: &[u8]) -> Vec<u8> {
    let mut row = crc32fast::hash(dict).to_le_bytes().to_vec();
    row.extend_from_slice(dict);
    row
}

/// The dictionary of a `dicts` row, when its checksum matches.
fn unseal(row: &[u8]) -> Option<&[u8]> {
    let (crc, dict) = (row.get(..4)?, row.get(4..)?);
    let mut want = [0u8; 4];
    want.copy_from_slice(crc);
    (u32::from_le_bytes(want) == crc32fast::hash(dict)).then_some(dict)
}

/// The page cache of an open state.
const CACHE_BYTES: usize = 128 << 20;

/// The first bytes of every redb file.
const MAGIC: &[u8] = b"redb";

/// An open state directory, locked for this process until dropped.
pub struct Store {
    db: Database,
    path: PathBuf,
    /// The dictionaries records are packed with. A commit that trains one holds the lock
    /// until the dictionary is both committed and here, so a reader never sees a record
    /// packed with a dictionary it does not have.
    codecs: std::sync::RwLock<Arc<Codecs>>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn database(path: &Path, doing: &str, e: impl fmt::Display) -> StoreError {
    StoreError::Database {
        message: format!("{}: cannot {doing}: {e}", path.display()),
    }
}

pub(super) fn corrupt(key: String, message: impl fmt::Display) -> StoreError {
    StoreError::Corrupt {
        key,
        message: message.to_string(),
    }
}

pub(super) fn cs_key(connector: &str, id: CsId) -> String {
    format!("cs/{connector}/{id}")
}

/// What to do about a damaged state, said once for every kind of damage.
const RECOVERY: &str = "restore the state directory from a backup, or move the file aside \
                        (`syncrules state reset --config FILE` does) and run `--cycle initial` \
                        to rebuild the state from the directories";

fn damaged(path: &Path, what: impl fmt::Display) -> StoreError {
    StoreError::Damaged {
        path: path.to_owned(),
        message: format!("{what}; {RECOVERY}"),
    }
}

/// Refuses a file that cannot be a state file before redb reads it: an empty one (a new
/// state is created only where no file exists), or one without redb's header.
fn check_header(path: &Path) -> Result<(), StoreError> {
    let mut file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(StoreError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    let mut head = [0u8; 4];
    let mut read = 0;
    while read < head.len() {
        match file.read(head.get_mut(read..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(source) => {
                return Err(StoreError::Io {
                    path: path.to_owned(),
                    source,
                });
            }
        }
    }
    if read == 0 {
        return Err(damaged(path, "the state file is empty (0 bytes)"));
    }
    if head.get(..read) != MAGIC.get(..read) || read < MAGIC.len() {
        return Err(damaged(path, "the file is not a syncrules state file"));
    }
    Ok(())
}

/// Creates the file readable and writable by its owner only: the state holds directory
/// data.
fn create_private(path: &Path) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io(e)),
    }
}

impl Store {
    /// Opens the state in `dir`, creating the directory and `dir/state.redb` (mode 0600)
    /// when missing. The file stays locked until the store is dropped: a second open, from
    /// this process or another, fails. A damaged file — empty, truncated, not a state file,
    /// of an unknown layout — is refused with [`StoreError::Damaged`] and left as it is.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let path = dir.join(FILE_NAME);
        let new = !path.exists();
        check_header(&path)?;
        if new {
            create_private(&path)?;
        }
        // redb asserts on some damaged files instead of returning an error: such a panic is
        // the file's damage, reported as such.
        let opened = std::panic::catch_unwind(|| {
            // A bounded page cache: redb's default (1 GiB) is all resident memory after a
            // full cycle; the working sets of delta steps are small.
            let mut builder = Database::builder();
            builder.set_cache_size(CACHE_BYTES);
            if new {
                builder.create(&path)
            } else {
                builder.open(&path)
            }
        });
        let db = match opened {
            Err(_) => {
                return Err(damaged(
                    &path,
                    "the state file is damaged (truncated or overwritten)",
                ));
            }
            Ok(Err(DatabaseError::DatabaseAlreadyOpen)) => {
                return Err(StoreError::Database {
                    message: format!(
                        "{}: the state is in use by another run (its file is locked)",
                        dir.display()
                    ),
                });
            }
            Ok(Err(DatabaseError::Storage(StorageError::Io(source)))) => {
                return Err(StoreError::Io {
                    path: path.clone(),
                    source,
                });
            }
            Ok(Err(DatabaseError::Storage(StorageError::Corrupted(m)))) => {
                return Err(damaged(&path, format!("the state file is damaged ({m})")));
            }
            Ok(Err(other)) => return Err(database(&path, "open the state", other)),
            Ok(Ok(db)) => db,
        };
        let store = Store {
            db,
            path,
            codecs: std::sync::RwLock::default(),
        };
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| store.init())) {
            Ok(r) => r?,
            Err(_) => {
                return Err(damaged(
                    &store.path,
                    "the state file is damaged (its tables cannot be read)",
                ));
            }
        }
        Ok(store)
    }

    /// The state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Gives the file's free pages back to the file system. A commit writes its pages beside
    /// the committed ones (copy-on-write), so after full cycles the file holds many freed
    /// pages; redb reuses them but never shrinks the file by itself. Returns whether the
    /// file changed.
    pub fn compact(&mut self) -> Result<bool, StoreError> {
        self.db
            .compact()
            .map_err(|e| database(&self.path, "compact the state", e))
    }

    /// Creates the tables and the format marker of a new file; checks an old file's format.
    fn init(&self) -> Result<(), StoreError> {
        let txn = self.begin()?;
        let result = (|| {
            txn.open_table(CS)
                .map_err(|e| self.err("open a table", e))?;
            txn.open_table(MV)
                .map_err(|e| self.err("open a table", e))?;
            txn.open_table(BY_ANCHOR)
                .map_err(|e| self.err("open a table", e))?;
            txn.open_table(BY_DN)
                .map_err(|e| self.err("open a table", e))?;
            txn.open_table(DN_WAS)
                .map_err(|e| self.err("open a table", e))?;
            txn.open_table(TO_SYNC)
                .map_err(|e| self.err("open a table", e))?;
            txn.open_table(TO_EXPORT)
                .map_err(|e| self.err("open a table", e))?;
            txn.open_table(JOURNAL)
                .map_err(|e| self.err("open a table", e))?;
            txn.open_table(TO_RECOMPUTE)
                .map_err(|e| self.err("open a table", e))?;
            txn.open_table(MV_JOIN)
                .map_err(|e| self.err("open a table", e))?;
            txn.open_table(CS_JOIN)
                .map_err(|e| self.err("open a table", e))?;
            self.load_codecs(&txn)?;
            let mut meta = txn
                .open_table(META)
                .map_err(|e| self.err("open a table", e))?;
            let format = meta
                .get("format")
                .map_err(|e| self.err("read", e))?
                .map(|v| v.value().to_vec());
            match format {
                None => {
                    meta.insert("format", FORMAT.as_bytes())
                        .map_err(|e| self.err("write", e))?;
                    Ok(())
                }
                Some(f) if f == FORMAT.as_bytes() => Ok(()),
                Some(f) if f == b"5" => {
                    self.hash_dn_index(&txn)?;
                    meta.insert("format", FORMAT.as_bytes())
                        .map_err(|e| self.err("write", e))?;
                    Ok(())
                }
                Some(f) if f == b"4" || f == b"3" => {
                    self.hash_anchor_index(&txn)?;
                    self.hash_dn_index(&txn)?;
                    meta.insert("format", FORMAT.as_bytes())
                        .map_err(|e| self.err("write", e))?;
                    Ok(())
                }
                Some(f) if f == b"2" => {
                    self.rekey_dn_index(&txn)?;
                    self.hash_anchor_index(&txn)?;
                    self.hash_dn_index(&txn)?;
                    meta.insert("format", FORMAT.as_bytes())
                        .map_err(|e| self.err("write", e))?;
                    Ok(())
                }
                Some(f) if f == b"1" => Err(damaged(
                    &self.path,
                    "the state was written by an older syncrules (layout 1, JSON records), \
                     which this build does not read",
                )),
                Some(_) => Err(corrupt(
                    "meta/format".into(),
                    format!("an unknown layout; this build reads layout {FORMAT}"),
                )),
            }
        })();
        self.finish(txn, result)
    }

    pub(super) fn err(&self, doing: &str, e: impl fmt::Display) -> StoreError {
        database(&self.path, doing, e)
    }

    fn begin(&self) -> Result<WriteTransaction, StoreError> {
        self.db
            .begin_write()
            .map_err(|e| self.err("start a transaction", e))
    }

    /// Commits when `result` is fine; otherwise aborts, leaving the last commit as it was.
    fn finish(
        &self,
        txn: WriteTransaction,
        result: Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        match result {
            Ok(()) => txn.commit().map_err(|e| self.err("commit", e)),
            Err(e) => {
                // Dropping the transaction would abort it too; an abort failure changes
                // nothing for the caller, whose error is the one to report.
                let _aborted = txn.abort();
                Err(e)
            }
        }
    }

    /// Reads every record and checks its checksum: what `syncrules state check` reports.
    /// Returns the number of connector-space and metaverse records.
    pub fn verify(&self) -> Result<(usize, usize), StoreError> {
        let reader = self.reader()?;
        let state = reader.load_all()?;
        let cs = state.spaces.values().map(|s| s.objects.len()).sum();
        Ok((cs, state.metaverse.objects.len()))
    }

    fn read_meta_value(
        &self,
        meta: &impl ReadableTable<&'static str, &'static [u8]>,
        key: &str,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        match meta.get(key).map_err(|e| self.err("read", e))? {
            None => Ok(None),
            Some(v) => serde_json::from_slice(v.value())
                .map(Some)
                .map_err(|e| corrupt(format!("meta/{key}"), format!("not JSON: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests;
