//! The LDIF source connector: files in, import entries out; exports appended to the delta
//! file as change records.

use std::path::{Path, PathBuf};

use syncrules_engine::{
    Change, Connector, ConnectorError, ExportChange, ExportOp, ExportResult, FailureClass,
    ImportBatch,
};
use syncrules_lang::Schema;

use super::{
    AttributeTyping, LdifError, LdifRecord, LdifWriter, Snapshot, parse_bytes, records_from_entry,
};
use crate::coalesce;

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
///   an empty one.
///
/// The directory now is the base file with every record of the delta file applied.
///
/// # Imports
///
/// - `full_import` returns every object of the directory now, as [`Change::Present`]
///   entries in file order (for a base file of content records and no delta: exactly those
///   records).
/// - `delta_import` returns what the delta records not yet consumed changed, folded by
///   [`coalesce`](crate::coalesce()) into one entry per object.
///
/// Both read and check both files whole before returning anything: one bad line imports
/// nothing ([`ConnectorError::Data`], located `path:line: message`).
///
/// # Watermark
///
/// `ldif:1:<base>:<records>:<bytes>:<prefix>`: the FNV-1a hash of the base file, how many
/// records and bytes of the delta file were consumed, and the FNV-1a hash of those bytes.
/// A delta import continues after the consumed records when the base file is unchanged and
/// the delta file still starts with the consumed bytes; otherwise (the base file was
/// replaced, the delta file truncated or rewritten) it fails with
/// [`ConnectorError::WatermarkExpired`] and a full import is needed. To compute a modify's new
/// values, a delta import replays the base file and the consumed records first, so the
/// source keeps no state besides the watermark.
///
/// # Export
///
/// The source is read-only: every change fails with [`FailureClass::Refused`].
///
/// Files are read whole with blocking `std::fs` calls; a 100,000-user export (135 MB) takes
/// about a second and a half to read, parse and type in a release build.
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

    /// The base file replayed, and its hash.
    fn base(&self) -> Result<(Snapshot, u64), ConnectorError> {
        let bytes = std::fs::read(&self.path).map_err(|e| self.unavailable(&self.path, &e))?;
        let records = parse_bytes(&bytes, &self.path).map_err(|e| self.data(&e))?;
        let mut snapshot = Snapshot::new(self.typing.clone());
        self.replay(&mut snapshot, &records, &self.path)?;
        Ok((snapshot, fnv1a(&bytes)))
    }

    /// The delta file's bytes and records (none when not configured or absent).
    fn delta(&self) -> Result<(Vec<u8>, Vec<LdifRecord>), ConnectorError> {
        let Some(path) = &self.delta else {
            return Ok((Vec::new(), Vec::new()));
        };
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(self.unavailable(path, &e)),
        };
        let records = parse_bytes(&bytes, path).map_err(|e| self.data(&e))?;
        Ok((bytes, records))
    }

    fn replay(
        &self,
        snapshot: &mut Snapshot,
        records: &[LdifRecord],
        path: &Path,
    ) -> Result<Vec<syncrules_engine::ImportEntry>, ConnectorError> {
        records
            .iter()
            .map(|r| snapshot.apply(r).map_err(|e| self.data(&e.in_file(path))))
            .collect()
    }

    fn delta_file(&self) -> &Path {
        self.delta.as_deref().unwrap_or(&self.path)
    }
}

/// Where a delta import starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Watermark {
    base: u64,
    records: usize,
    bytes: usize,
    prefix: u64,
}

impl Watermark {
    fn parse(text: &str) -> Option<Watermark> {
        let mut parts = text.strip_prefix("ldif:1:")?.split(':');
        let base = u64::from_str_radix(parts.next()?, 16).ok()?;
        let records = parts.next()?.parse().ok()?;
        let bytes = parts.next()?.parse().ok()?;
        let prefix = u64::from_str_radix(parts.next()?, 16).ok()?;
        parts.next().is_none().then_some(Watermark {
            base,
            records,
            bytes,
            prefix,
        })
    }

    fn render(&self) -> String {
        format!(
            "ldif:1:{:016x}:{}:{}:{:016x}",
            self.base, self.records, self.bytes, self.prefix
        )
    }
}

/// FNV-1a, 64 bits: stable across builds and platforms, unlike the standard hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
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
        let (bytes, records) = self.delta()?;
        self.replay(&mut snapshot, &records, self.delta_file())?;
        let watermark = Watermark {
            base,
            records: records.len(),
            bytes: bytes.len(),
            prefix: fnv1a(&bytes),
        };
        let mut entries = snapshot.into_entries();
        for entry in &mut entries {
            entry.change = Change::Present;
        }
        Ok(ImportBatch {
            errors: Vec::new(),
            entries,
            watermark: Some(watermark.render()),
        })
    }

    async fn delta_import(&mut self, watermark: &str) -> Result<ImportBatch, ConnectorError> {
        let mark = Watermark::parse(watermark).ok_or_else(|| self.expired())?;
        let (mut snapshot, base) = self.base()?;
        let (bytes, records) = self.delta()?;
        let consumed = bytes.get(..mark.bytes).ok_or_else(|| self.expired())?;
        if base != mark.base || fnv1a(consumed) != mark.prefix || records.len() < mark.records {
            return Err(self.expired());
        }
        let (old, new) = records.split_at(mark.records);
        self.replay(&mut snapshot, old, self.delta_file())?;
        let entries = self.replay(&mut snapshot, new, self.delta_file())?;
        let next = Watermark {
            base,
            records: records.len(),
            bytes: bytes.len(),
            prefix: fnv1a(&bytes),
        };
        Ok(ImportBatch {
            errors: Vec::new(),
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
        append_changes(&delta, changes).map_err(|e| ConnectorError::Unavailable {
            connector: self.name.clone(),
            message: format!("cannot append to {}: {e}", delta.display()),
        })?;
        Ok(changes
            .iter()
            .map(|c| ExportResult::Done {
                anchor: c.anchor.clone(),
            })
            .collect())
    }
}

/// Appends exports to a delta file as change records, so the next delta import reads them
/// back and confirms them, as a directory would. The records go out in one write.
fn append_changes(path: &Path, changes: &[ExportChange]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut buf = Vec::new();
    let existing = std::fs::read(path).unwrap_or_default();
    if !existing.is_empty() && !existing.ends_with(b"\n\n") {
        buf.extend_from_slice(if existing.ends_with(b"\n") {
            b"\n"
        } else {
            b"\n\n"
        });
    }
    {
        let mut writer = LdifWriter::new(&mut buf);
        for c in changes {
            let entry = syncrules_engine::ImportEntry {
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
        writer.into_inner()?;
    }
    buf.push(b'\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(&buf)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watermarks_round_trip_and_reject_garbage() {
        let mark = Watermark {
            base: 0xdead_beef,
            records: 3,
            bytes: 120,
            prefix: 7,
        };
        assert_eq!(Watermark::parse(&mark.render()), Some(mark));
        for bad in [
            "",
            "ldif:1:zz:1:1:1",
            "ldif:2:0:0:0:0",
            "ldif:1:0:0:0:0:0",
            "file-target:1",
        ] {
            assert_eq!(Watermark::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
