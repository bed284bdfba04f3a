//! Opening the folder (under its lock): leftovers of interrupted writes removed, the previous
//! layout converted, the current generation opened, and the unique-value index rebuilt when
//! the unique attributes changed.

use std::path::Path;

use syncrules_connector::{Change, ImportEntry};

use super::compact::Compaction;
use super::error::{StoreError, io_error};
use super::header::{Header, VERSION, generation_of, sync_dir};
use super::legacy::{self, LEGACY_FILE};
use super::overlay::Overlay;
use super::store::{Limits, Snapshot, Store};

/// Opens the folder; `unique` is lowercase and sorted.
pub(super) fn open(dir: &Path, unique: &[String], limits: Limits) -> Result<Store, StoreError> {
    remove_temp_files(dir)?;
    let header = match Header::read(dir)? {
        Some(header) => header,
        None => match legacy::read(dir)? {
            Some(old) => migrate(dir, old, unique, limits)?,
            None => {
                let header = Header::new(unique);
                header.write(dir)?;
                header
            }
        },
    };
    collect_garbage(dir, &header)?;
    let store = Store::open(dir, header, limits)?;
    // Unique attributes changed, or a folder of the previous layout: a new generation.
    if store.header.unique == unique && store.header.version == VERSION {
        return Ok(store);
    }
    compact(store, unique)
}

/// The header and the current journal's last change, for a delta import that needs no
/// more; `None` when the folder must be opened whole first (converted from the previous
/// layout, or given new unique attributes).
pub(super) fn history(
    dir: &Path,
    unique: &[String],
) -> Result<Option<(Header, u64, u64)>, StoreError> {
    remove_temp_files(dir)?;
    let Some(header) = Header::read(dir)? else {
        return Ok(None);
    };
    if header.unique != unique || header.version != VERSION {
        return Ok(None);
    }
    collect_garbage(dir, &header)?;
    let (seq, journal_len) = super::history::last_change(dir, &header)?;
    Ok(Some((header, seq, journal_len)))
}

/// Compacts the store into the next generation and opens that.
pub(super) fn compact(store: Store, unique: &[String]) -> Result<Store, StoreError> {
    let header = Compaction {
        dir: &store.dir,
        header: &store.header,
        snapshot: &store.snapshot,
        overlay: &store.overlay,
        lines: &|span| store.journal_line(span),
        seq: store.seq,
        next_id: store.next_id,
        journal_entries: store.journal_entries,
        keep_min: store.limits.keep_min,
        unique,
    }
    .run()?;
    let (dir, limits) = (store.dir.clone(), store.limits);
    drop(store);
    collect_garbage(&dir, &header)?;
    Store::open(&dir, header, limits)
}

/// Converts `directory.json`: its objects become the first snapshot (its change counter and
/// anchor counter go on), then the file is removed.
fn migrate(
    dir: &Path,
    old: legacy::Legacy,
    unique: &[String],
    limits: Limits,
) -> Result<Header, StoreError> {
    let mut overlay = Overlay::new(unique);
    for object in old.objects {
        overlay.record(&ImportEntry {
            change: Change::Add,
            ..object
        });
    }
    let empty = Header {
        snapshot_seq: old.seq,
        next_id: old.next_id,
        ..Header::new(unique)
    };
    let header = Compaction {
        dir,
        header: &empty,
        snapshot: &Snapshot::open(dir, 0)?,
        overlay: &overlay,
        // The converted objects are values, none a journal line.
        lines: &|_| {
            Err(StoreError::Data(format!(
                "{}: no journal to read",
                dir.display()
            )))
        },
        seq: old.seq,
        next_id: old.next_id,
        journal_entries: 0,
        keep_min: limits.keep_min,
        unique,
    }
    .run()?;
    let path = dir.join(LEGACY_FILE);
    std::fs::remove_file(&path).map_err(io_error(&path))?;
    sync_dir(dir);
    Ok(header)
}

/// Removes temporary files: writes that never finished.
fn remove_temp_files(dir: &Path) -> Result<(), StoreError> {
    for entry in std::fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(".tmp") {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(io_error(&path))?;
        }
    }
    Ok(())
}

/// Removes the files no header refers to: another generation's snapshot and indexes, a
/// journal no longer kept, a compaction that never finished, and `directory.json` once
/// converted.
fn collect_garbage(dir: &Path, header: &Header) -> Result<(), StoreError> {
    for entry in std::fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let garbage = match generation_of(&name) {
            Some(g) if g == header.generation => false,
            Some(g) => {
                !(name.starts_with("journal.") && header.journals.iter().any(|j| j.generation == g))
            }
            None => name == LEGACY_FILE,
        };
        if garbage {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(io_error(&path))?;
        }
    }
    Ok(())
}
