//! The LDIF source connector: files in, import entries out; exports appended to the delta
//! file as change records.

use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use syncrules_connector::{
    Change, Connector, ConnectorError, ExportChange, ExportResult, FailureClass, ImportBatch,
    ImportError, Page,
};
use syncrules_lang::Schema;

use super::append::{AppendError, append_changes};
use super::changelog::{LogPart, continues_a_record, read_log};
use super::watermark::{BaseStamp, TAIL, Watermark, fnv1a, tail_of};
use super::{AttributeTyping, LdifError, Snapshot, change_entry, parse_bytes};
use crate::coalesce;

mod stream;

use stream::BLOCK;

/// A connector over an LDIF base file and an optional append-only delta file. Without a
/// delta file it is read-only; with one, exports are appended to it as change records, which
/// the next delta import reads back and so confirms.
///
/// # Files
///
/// - The **base file** (`path`) is the directory as it was: content records (a plain
///   export, as `ldifde` or `ldapsearch` writes), possibly followed by change records; they
///   are replayed in order from an empty directory.
/// - The **delta file** (`delta`, optional) is a change log: change records (`add`,
///   `modify`, `delete`, `modrdn`/`moddn`; a content record counts as an add), appended in
///   whole records, each separated from the previous by a blank line. A missing delta file is
///   an empty one. Its final record is read only once it is complete (see
///   [`read_log`](super::read_log)): one a writer was cut off in is reported in
///   [`ImportBatch::errors`] and read again by the next import.
///
/// The directory now is the base file with every record of the delta file applied.
///
/// # Imports
///
/// - `full_import` reads both files whole and returns every object of the directory now,
///   as [`Change::Present`] entries in file order. One bad line in the base file imports
///   nothing ([`ConnectorError::Data`], located `path:line: message`), and so does a
///   content record without `objectClass` (what a cut file looks like). A delta record that
///   cannot be applied (a change to a missing object, an add of an existing one, a value
///   that does not fit its attribute) is that record's entry in [`ImportBatch::errors`] and
///   is skipped; a syntax error in the delta file imports nothing.
/// - `delta_import` seeks to where the watermark says the delta file was consumed and reads
///   only the records after it, each mapped on its own by [`change_entry`] (replaced
///   attributes as values, added and deleted values as value-level changes) and folded by
///   [`coalesce`](crate::coalesce()) into one entry per object. It reads neither the base
///   file nor the consumed records: whether a change fits the object is the engine's to
///   judge. A record whose values do not fit their attributes is that record's error.
///
/// # Watermark
///
/// `ldif:2:<base size>:<base mtime>:<offset>:<lines>:<records>:<tail>`: the base file's
/// size and modification time (nanoseconds since the epoch); the bytes, lines and records
/// of the delta file consumed; and the FNV-1a hash of the last 4 KiB before the offset. A
/// delta import checks them with one `stat` of the base file and one 4 KiB read of the delta
/// file: a replaced base file, a delta file truncated or rewritten before the offset, or
/// bytes after the offset that continue the record before it rather than follow a blank line
/// ([`continues_a_record`](super::continues_a_record): a final record was taken as whole at
/// a line end and was not) are [`ConnectorError::WatermarkExpired`], and the engine runs a
/// full import, which reads the file as it is. So is any other
/// watermark, an `ldif:1:` one of an earlier version included. A full import's watermark
/// covers the whole delta file but an incomplete final record. Not noticed: a base file
/// rewritten in place with the same size within the file system's time resolution, or a
/// delta file rewritten with the same bytes in the 4 KiB before the offset.
///
/// # Export
///
/// Without a delta file every change fails with [`FailureClass::Refused`]. With one, each
/// batch is appended as whole records in one write and synced to disk; when the file ends
/// with an incomplete record, nothing is appended and every change is
/// [`ExportResult::Retry`].
///
/// Files are read with blocking `std::fs` calls; a full import of a 100,000-user export
/// (135 MB) takes about a second and a half to read, parse and type in a release build.
#[derive(Clone, Debug)]
pub struct LdifSource {
    name: String,
    path: PathBuf,
    delta: Option<PathBuf>,
    typing: AttributeTyping,
    schema: Option<Schema>,
}

impl LdifSource {
    /// A source named `name` reading the base file `path`, typed as Active Directory.
    pub fn new(name: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        LdifSource {
            name: name.into(),
            path: path.into(),
            delta: None,
            typing: AttributeTyping::active_directory(),
            schema: None,
        }
    }

    /// Reads delta imports from the change log `path`.
    pub fn with_delta(mut self, path: impl Into<PathBuf>) -> Self {
        self.delta = Some(path.into());
        self
    }

    /// Types values with `typing`.
    pub fn with_typing(mut self, typing: AttributeTyping) -> Self {
        self.typing = typing;
        self
    }

    /// Publishes `schema` and types values by it (over Active Directory's built-in types).
    pub fn with_schema(mut self, schema: Schema) -> Self {
        self.typing = AttributeTyping::from_schema(&schema);
        self.schema = Some(schema);
        self
    }

    /// The base file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The delta file, when configured.
    pub fn delta_path(&self) -> Option<&Path> {
        self.delta.as_deref()
    }

    fn unavailable(&self, path: &Path, error: &std::io::Error) -> ConnectorError {
        ConnectorError::Unavailable {
            connector: self.name.clone(),
            message: format!("cannot read {}: {error}", path.display()),
        }
    }

    fn data(&self, error: &LdifError) -> ConnectorError {
        ConnectorError::Data {
            connector: self.name.clone(),
            message: error.to_string(),
        }
    }

    fn expired(&self) -> ConnectorError {
        ConnectorError::WatermarkExpired {
            connector: self.name.clone(),
        }
    }

    /// The base file replayed, and its stamp (taken from the file read).
    fn base(&self) -> Result<(Snapshot, BaseStamp), ConnectorError> {
        let unavailable = |e: std::io::Error| self.unavailable(&self.path, &e);
        let mut file = File::open(&self.path).map_err(unavailable)?;
        let metadata = file.metadata().map_err(unavailable)?;
        let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
        file.read_to_end(&mut bytes).map_err(unavailable)?;
        let records = parse_bytes(&bytes, &self.path).map_err(|e| self.data(&e))?;
        // The text, then each record as it is applied, is given back: the file, its records
        // and its entries are never all in memory at once.
        drop(bytes);
        let mut snapshot = Snapshot::new(self.typing.clone());
        for record in records {
            snapshot
                .apply(&record)
                .map_err(|e| self.data(&e.in_file(&self.path)))?;
        }
        Ok((snapshot, BaseStamp::of(&metadata)))
    }

    /// The base file's stamp, from one `stat`.
    fn base_stamp(&self) -> Result<BaseStamp, ConnectorError> {
        std::fs::metadata(&self.path)
            .map(|m| BaseStamp::of(&m))
            .map_err(|e| self.unavailable(&self.path, &e))
    }

    /// The delta file from `offset` on; `None` when the file is shorter than `offset` (or
    /// missing, for an offset past 0).
    fn delta_after(&self, path: &Path, offset: u64) -> Result<Option<Unread>, ConnectorError> {
        let unavailable = |e: std::io::Error| self.unavailable(path, &e);
        let mut file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((offset == 0).then(Unread::default));
            }
            Err(e) => return Err(unavailable(e)),
        };
        let len = file.metadata().map_err(unavailable)?.len();
        if len < offset {
            return Ok(None);
        }
        let from = offset.saturating_sub(TAIL as u64);
        file.seek(SeekFrom::Start(from)).map_err(unavailable)?;
        let mut window = Vec::new();
        std::io::Read::by_ref(&mut file)
            .take(offset - from)
            .read_to_end(&mut window)
            .map_err(unavailable)?;
        let mut rest = Vec::new();
        file.read_to_end(&mut rest).map_err(unavailable)?;
        Ok(Some(Unread { window, rest }))
    }

    /// The delta file's bytes (none when not configured or absent).
    fn delta_whole(&self) -> Result<Vec<u8>, ConnectorError> {
        let Some(path) = &self.delta else {
            return Ok(Vec::new());
        };
        match std::fs::read(path) {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(self.unavailable(path, &e)),
        }
    }

    fn delta_file(&self) -> &Path {
        self.delta.as_deref().unwrap_or(&self.path)
    }
}

/// The delta file read from an offset.
#[derive(Debug, Default)]
struct Unread {
    /// The (at most [`TAIL`]) bytes before the offset, which the watermark's hash covers.
    window: Vec<u8>,
    /// Everything from the offset on.
    rest: Vec<u8>,
}

/// A record's error as the engine reports it.
fn record_error(dn: &str, error: &LdifError) -> ImportError {
    ImportError {
        dn: Some(dn.to_owned()),
        message: error.to_string(),
    }
}

/// The torn final record of a part, as an import error.
fn torn_error(part: &LogPart) -> Option<ImportError> {
    part.torn.as_ref().map(|t| ImportError {
        dn: t.dn.clone(),
        message: t.error.to_string(),
    })
}

/// The watermark of a full import that read the base file stamped `base` and the delta
/// file's `bytes`, of which `part` is what was read whole.
fn full_watermark(base: BaseStamp, bytes: &[u8], part: &LogPart) -> Watermark {
    let consumed = bytes.get(..part.complete).unwrap_or_default();
    Watermark {
        base,
        offset: count(part.complete),
        lines: count(part.lines),
        records: count(part.records.len()),
        tail: fnv1a(tail_of(consumed)),
    }
}

/// A count as a watermark number.
fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

#[async_trait::async_trait]
impl Connector for LdifSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn schema(&self) -> Option<&Schema> {
        self.schema.as_ref()
    }

    async fn full_import(&mut self) -> Result<ImportBatch, ConnectorError> {
        let (mut snapshot, base) = self.base()?;
        let bytes = self.delta_whole()?;
        let path = self.delta_file();
        let part = read_log(&bytes, path, 1).map_err(|e| self.data(&e))?;
        let mut errors = Vec::new();
        for record in &part.records {
            if let Err(e) = snapshot.apply(record) {
                errors.push(record_error(&record.dn, &e.in_file(path)));
            }
        }
        errors.extend(torn_error(&part));
        let watermark = full_watermark(base, &bytes, &part);
        let mut entries = snapshot.into_entries();
        for entry in &mut entries {
            entry.change = Change::Present;
        }
        Ok(ImportBatch {
            errors,
            entries,
            watermark: Some(watermark.render()),
        })
    }

    /// Streams the files as [`LdifSource::for_each_object`] does: memory holds a page of
    /// entries, a block of the base file and the objects change records touch. The base
    /// file is checked whole before the first page: a bad line hands over nothing.
    async fn full_import_paged(
        &mut self,
        page_size: usize,
        page: &mut (dyn FnMut(Page) -> ControlFlow<()> + Send),
    ) -> Result<ImportBatch, ConnectorError> {
        let size = page_size.max(1);
        let mut entries = Vec::with_capacity(size);
        let mut stopped = false;
        let mut told = None;
        let (errors, watermark) = self.stream(BLOCK, true, |entry, total| {
            if stopped {
                return ControlFlow::Break(());
            }
            told = total;
            entries.push(entry);
            if entries.len() >= size {
                stopped = page(Page {
                    entries: std::mem::take(&mut entries),
                    total,
                })
                .is_break();
            }
            ControlFlow::Continue(())
        })?;
        if !stopped && !entries.is_empty() {
            let _ = page(Page {
                entries,
                total: told,
            });
        }
        Ok(ImportBatch {
            entries: Vec::new(),
            watermark: Some(watermark.render()),
            errors,
        })
    }

    async fn delta_import(&mut self, watermark: &str) -> Result<ImportBatch, ConnectorError> {
        let mark = Watermark::parse(watermark).ok_or_else(|| self.expired())?;
        if self.base_stamp()? != mark.base {
            return Err(self.expired());
        }
        let Some(path) = self.delta.as_deref() else {
            return match mark.offset {
                0 => Ok(ImportBatch {
                    watermark: Some(mark.render()),
                    ..ImportBatch::default()
                }),
                _ => Err(self.expired()),
            };
        };
        let Unread {
            mut window,
            rest: unread,
        } = self
            .delta_after(path, mark.offset)?
            .ok_or_else(|| self.expired())?;
        // A record taken as whole at a line end that the bytes after it continue: what was
        // consumed is not what the file says, and only a full import reads it right.
        if fnv1a(&window) != mark.tail || continues_a_record(&window, &unread) {
            return Err(self.expired());
        }
        let first_line = usize::try_from(mark.lines)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        let part = read_log(&unread, path, first_line).map_err(|e| self.data(&e))?;
        let mut errors = Vec::new();
        let mut entries = Vec::with_capacity(part.records.len());
        for record in &part.records {
            match change_entry(record, &self.typing) {
                Ok(entry) => entries.push(entry),
                Err(e) => errors.push(record_error(&record.dn, &e.in_file(path))),
            }
        }
        errors.extend(torn_error(&part));
        window.extend_from_slice(unread.get(..part.complete).unwrap_or_default());
        let next = Watermark {
            base: mark.base,
            offset: mark.offset.saturating_add(count(part.complete)),
            lines: mark.lines.saturating_add(count(part.lines)),
            records: mark.records.saturating_add(count(part.records.len())),
            tail: fnv1a(tail_of(&window)),
        };
        Ok(ImportBatch {
            errors,
            entries: coalesce(entries),
            watermark: Some(next.render()),
        })
    }

    async fn export(
        &mut self,
        changes: &[ExportChange],
    ) -> Result<Vec<ExportResult>, ConnectorError> {
        let Some(delta) = self.delta.clone() else {
            return Ok(changes
                .iter()
                .map(|change| ExportResult::Failed {
                    class: FailureClass::Refused,
                    message: format!(
                        "`{}` reads an ldif file without a delta file and is read-only: cannot {} `{}`",
                        self.name,
                        change.op.as_str(),
                        change.dn
                    ),
                })
                .collect());
        };
        match append_changes(&delta, changes) {
            Ok(()) => Ok(changes
                .iter()
                .map(|c| ExportResult::Done {
                    anchor: c.anchor.clone(),
                })
                .collect()),
            Err(e @ AppendError::Incomplete { .. }) => Ok(changes
                .iter()
                .map(|_| ExportResult::Retry {
                    message: e.to_string(),
                })
                .collect()),
            Err(e @ AppendError::Io { .. }) => Err(ConnectorError::Unavailable {
                connector: self.name.clone(),
                message: e.to_string(),
            }),
        }
    }
}
