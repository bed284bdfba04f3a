//! Appending exports to the delta file: whole records in one write, flushed to disk, never
//! after an incomplete record.

use std::fs::File;
use std::io::{self, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::Path;

use syncrules_connector::{Change, ExportChange, ExportOp, ImportEntry};

use super::changelog::{Final, final_record, final_record_start};
use super::{LdifWriter, records_from_entry};

/// Why exports could not be appended.
#[derive(Debug, thiserror::Error)]
pub(super) enum AppendError {
    /// The file could not be read or written.
    #[error("cannot append to {path}: {source}")]
    Io {
        /// The delta file.
        path: String,
        /// What the system said.
        source: io::Error,
    },
    /// The file ends with an incomplete record: appending would complete it wrongly.
    #[error(
        "cannot append to {path}: its last record, from byte {at}, is incomplete ({reason}); \
         complete or remove it"
    )]
    Incomplete {
        /// The delta file.
        path: String,
        /// Where the incomplete record starts.
        at: u64,
        /// The reader's finding.
        reason: String,
    },
}

/// The change records of exports, each record followed by a blank line.
pub(super) fn records_text(changes: &[ExportChange]) -> io::Result<Vec<u8>> {
    let mut writer = LdifWriter::new(Vec::new());
    for c in changes {
        let entry = ImportEntry {
            value_changes: Vec::new(),
            change: match c.op {
                ExportOp::Add => Change::Add,
                ExportOp::Delete => Change::Delete,
                ExportOp::Update | ExportOp::Rename => Change::Modify,
            },
            dn: c.dn.clone(),
            old_dn: c.old_dn.clone(),
            anchor: c.anchor.clone(),
            object_type: c.object_type.clone(),
            attributes: c.attributes.clone(),
        };
        for record in records_from_entry(&entry) {
            writer.write_record(&record)?;
        }
    }
    let mut buf = writer.into_inner()?;
    if !buf.is_empty() {
        buf.push(b'\n');
    }
    Ok(buf)
}

/// Appends exports to the delta file `path` as change records, so the next delta import
/// reads them back and confirms them, as a directory would.
///
/// Only the end of the file is read: when it does not end at a record boundary, the final
/// record is checked as a reader would (see [`read_log`](super::read_log)) and an incomplete
/// one refuses the append. The records go out in one write, after a blank line when the
/// file does not end with one, and the file is synced before this returns.
pub(super) fn append_changes(path: &Path, changes: &[ExportChange]) -> Result<(), AppendError> {
    let io_error = |source| AppendError::Io {
        path: path.display().to_string(),
        source,
    };
    let records = records_text(changes).map_err(io_error)?;
    if records.is_empty() {
        return Ok(());
    }
    let mut file = File::options()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .map_err(io_error)?;
    let len = file.metadata().map_err(io_error)?.len();
    let (start, last) = final_record_of(&mut file, len).map_err(io_error)?;
    let mut buf = Vec::with_capacity(records.len() + 1);
    if !last.is_empty() {
        if let Final::Pending { reason, .. } = final_record(&last, path, 1) {
            return Err(AppendError::Incomplete {
                path: path.display().to_string(),
                at: start,
                reason,
            });
        }
        buf.push(b'\n');
    }
    buf.extend_from_slice(&records);
    file.write_all(&buf).map_err(io_error)?;
    file.sync_all().map_err(io_error)
}

/// The file's final record (the bytes after its last blank line) and where it starts, read
/// backwards from the end in growing chunks.
fn final_record_of(file: &mut File, len: u64) -> io::Result<(u64, Vec<u8>)> {
    let mut chunk: u64 = 4096;
    loop {
        let from = len.saturating_sub(chunk);
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(from))?;
        io::Read::by_ref(file)
            .take(len - from)
            .read_to_end(&mut bytes)?;
        // A chunk may start inside a line: only lines after its first line end count.
        let skip = match from {
            0 => Some(0),
            _ => bytes.iter().position(|&b| b == b'\n').map(|p| p + 1),
        };
        if let Some(skip) = skip {
            let found = final_record_start(bytes.get(skip..).unwrap_or_default());
            if found > 0 || from == 0 {
                let start = skip + found;
                let tail = bytes.split_off(start.min(bytes.len()));
                return Ok((from + u64::try_from(start).unwrap_or(0), tail));
            }
        }
        chunk = chunk.saturating_mul(4);
    }
}

#[cfg(test)]
mod tests {

    use syncrules_lang::Value;

    use super::*;
    use syncrules_lang::dn::Dn;

    fn update(dn: &str) -> ExportChange {
        ExportChange {
            retry: false,
            op: ExportOp::Update,
            dn: Dn::parse(dn).unwrap(),
            old_dn: None,
            anchor: None,
            object_type: "user".to_owned(),
            attributes: syncrules_lang::name::attrs([(
                "mS-DS-ConsistencyGuid".to_owned(),
                Value::bin([1u8; 16]),
            )]),
        }
    }

    fn appended(existing: &[u8]) -> Result<Vec<u8>, AppendError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.ldif");
        if !existing.is_empty() {
            std::fs::write(&path, existing).unwrap();
        }
        append_changes(&path, &[update("CN=a,DC=x")])?;
        Ok(std::fs::read(&path).unwrap())
    }

    const RECORD: &str = "dn: CN=a,DC=x\nchangetype: modify\nreplace: mS-DS-ConsistencyGuid\n\
                          mS-DS-ConsistencyGuid:: AQEBAQEBAQEBAQEBAQEBAQ==\n-\n\n";

    #[test]
    fn whole_records_end_with_a_blank_line() {
        assert_eq!(appended(b"").unwrap(), RECORD.as_bytes());
        let twice = format!("{RECORD}{RECORD}");
        assert_eq!(appended(RECORD.as_bytes()).unwrap(), twice.as_bytes());
        let closed = "dn: CN=b,DC=x\nchangetype: delete\n";
        assert_eq!(
            appended(closed.as_bytes()).unwrap(),
            format!("{closed}\n{RECORD}").as_bytes()
        );
    }

    #[test]
    fn an_incomplete_last_record_refuses_the_append() {
        let cut = "dn: CN=b,DC=x\nchangetype: modify\nreplace: mS-";
        let err = appended(cut.as_bytes()).unwrap_err();
        assert!(
            err.to_string().contains(
                "its last record, from byte 0, is incomplete (the file does not end with a line end)"
            ),
            "{err}"
        );
        let open = format!("{RECORD}dn: CN=b,DC=x\nchangetype: modify\nreplace: title\n");
        let err = appended(open.as_bytes()).unwrap_err();
        assert!(
            err.to_string().contains(&format!(
                "from byte {}, is incomplete (its last modification is not closed by `-`)",
                RECORD.len()
            )),
            "{err}"
        );
    }

    #[test]
    fn the_final_record_is_found_past_a_chunk() {
        let mut big = RECORD.repeat(3);
        let long = "x".repeat(20_000);
        let last =
            format!("dn: CN=c,DC=x\nchangetype: add\nobjectClass: user\ndescription: {long}\n");
        big.push_str(&last);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.ldif");
        std::fs::write(&path, &big).unwrap();
        let mut file = File::open(&path).unwrap();
        let len = file.metadata().unwrap().len();
        let (at, tail) = final_record_of(&mut file, len).unwrap();
        assert_eq!(at, u64::try_from(RECORD.len() * 3).unwrap());
        assert_eq!(tail, last.as_bytes());
    }
}
