//! LDIF (RFC 2849): reading, typing, replaying change records, and writing.
//!
//! Stages, a module each:
//!
//! - `lines` splits the text into logical lines (unfolding continuation lines, dropping
//!   comments) grouped into records, each line keeping its 1-based number;
//! - `parse` turns each group into an [`LdifRecord`]: a content record or a `changetype:`
//!   record (`add`, `delete`, `modify`, `modrdn`/`moddn`); [`parse`] reads a whole file and
//!   fails on the first error without returning any record;
//! - `typing` ([`AttributeTyping`]) says which Active Directory attributes are binary,
//!   numbers, Booleans or references, optionally driven by a [`syncrules_lang::Schema`];
//! - `entry` maps a content record to an [`ImportEntry`](syncrules_connector::ImportEntry)
//!   ([`entry_from_record`]), a pure function;
//! - `replay` ([`Snapshot`]) applies change records to a set of objects (what a full import
//!   does with the base file and the delta file);
//! - `changes` ([`change_entry`]) maps one change record to the delta entry the engine
//!   applies on its own, without the object's state (what a delta import does);
//! - `changelog` ([`read_log`]) reads an append-only change log from a record boundary,
//!   leaving out a final record that is not complete yet;
//! - `watermark` says where the delta file was consumed, checkable without reading either
//!   file whole;
//! - `write` ([`LdifWriter`], [`records_from_entry`]) writes records back, with base64 for
//!   binary or unsafe values and lines folded at 76 columns;
//! - `source` ([`LdifSource`]) is the connector over a base file and an optional
//!   append-only delta file, which `append` writes exports to.
//!
//! Accepted beyond the RFC: a modify record's last group may omit its closing `-`;
//! `control:` lines are read and ignored; values may hold UTF-8 beyond ASCII. Not supported:
//! `attr:< url` values (an error says so).

mod append;
mod changelog;
mod changes;
pub(crate) mod dn;
mod entry;
mod lines;
mod parse;
mod replay;
mod source;
mod typing;
mod watermark;
pub(crate) use watermark::fnv1a;
mod write;

use std::path::PathBuf;

use syncrules_lang::dn::Dn;

pub use changelog::{LogPart, TornRecord, continues_a_record, read_log};
pub use changes::change_entry;
pub(crate) use dn::dn_key;
pub use dn::{escape_rdn_value, parent_dn, split_rdn};
pub(crate) use entry::from_values;
pub use entry::{entry_from_record, object_type};
pub use parse::{parse, parse_bytes, parse_from};
pub use replay::Snapshot;
pub use source::LdifSource;
pub use typing::{AttributeTyping, TypingError};
pub use write::{LdifWriter, records_from_entry, value_to_ldif};

/// Why an LDIF file cannot be read: displayed `path:line: message`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {message}", path.display())]
pub struct LdifError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line where the problem is.
    pub line: usize,
    /// What is wrong (lowercase, no final period).
    pub message: String,
}

/// Why a record cannot be mapped or applied: a line in the file the record came from.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RecordError {
    /// The 1-based line of the offending value or record.
    pub line: usize,
    /// What is wrong (lowercase, no final period).
    pub message: String,
}

impl RecordError {
    /// An error at `line`.
    pub fn new(line: usize, message: impl Into<String>) -> Self {
        RecordError {
            line,
            message: message.into(),
        }
    }

    /// The DN `text` of the record at `line`, parsed; a DN that does not parse is the
    /// record's error.
    pub fn dn(line: usize, text: &str) -> Result<Dn, RecordError> {
        Dn::parse(text)
            .map_err(|e| RecordError::new(line, format!("`{text}` is not a valid DN: {e}")))
    }

    /// The same error located in a file.
    pub fn in_file(self, path: impl Into<PathBuf>) -> LdifError {
        LdifError {
            path: path.into(),
            line: self.line,
            message: self.message,
        }
    }
}

/// One value as written in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LdifValue {
    /// A value given as text (`attr: value`).
    Text(String),
    /// A value given in base64 (`attr:: value`), decoded; it may or may not be UTF-8.
    Binary(Vec<u8>),
}

impl LdifValue {
    /// The value's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            LdifValue::Text(s) => s.as_bytes(),
            LdifValue::Binary(b) => b,
        }
    }

    /// The value as text, when it is UTF-8.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            LdifValue::Text(s) => Some(s),
            LdifValue::Binary(b) => std::str::from_utf8(b).ok(),
        }
    }
}

impl From<&str> for LdifValue {
    fn from(s: &str) -> Self {
        LdifValue::Text(s.to_owned())
    }
}

impl From<String> for LdifValue {
    fn from(s: String) -> Self {
        LdifValue::Text(s)
    }
}

/// One `attr: value` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attr {
    /// The attribute description as written, options included (`userCertificate;binary`).
    pub name: String,
    /// The value.
    pub value: LdifValue,
    /// The 1-based line it was read from (0 for values built in code).
    pub line: usize,
}

impl Attr {
    /// A value built in code (line 0).
    pub fn new(name: impl Into<String>, value: impl Into<LdifValue>) -> Self {
        Attr {
            name: name.into(),
            value: value.into(),
            line: 0,
        }
    }

    /// A binary value built in code (line 0).
    pub fn binary(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Attr::new(name, LdifValue::Binary(bytes.into()))
    }
}

/// What a modify group does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModOp {
    /// `add:` values.
    Add,
    /// `delete:` the listed values, or the attribute when none are listed.
    Delete,
    /// `replace:` every value by the listed ones (none: remove the attribute).
    Replace,
}

impl ModOp {
    /// `add`, `delete` or `replace`.
    pub fn as_str(self) -> &'static str {
        match self {
            ModOp::Add => "add",
            ModOp::Delete => "delete",
            ModOp::Replace => "replace",
        }
    }
}

/// One group of a modify record (`replace: mail` ... `-`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Modification {
    /// The operation.
    pub op: ModOp,
    /// The attribute, as written on the `op:` line.
    pub attribute: String,
    /// Its values, each with its line.
    pub values: Vec<Attr>,
    /// The line of the `op:` line (0 for modifications built in code).
    pub line: usize,
}

/// What a record says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordKind {
    /// A plain entry: every attribute it has.
    Content(Vec<Attr>),
    /// `changetype: add`, with the new entry's attributes.
    Add(Vec<Attr>),
    /// `changetype: delete`.
    Delete,
    /// `changetype: modify`, with its groups.
    Modify(Vec<Modification>),
    /// `changetype: modrdn` or `moddn`.
    ModDn {
        /// The new RDN (`CN=Jane Doe`).
        new_rdn: String,
        /// Whether the old RDN's value is removed from the entry.
        delete_old_rdn: bool,
        /// The new parent, when the entry moves.
        new_superior: Option<String>,
    },
}

impl RecordKind {
    /// `content`, `add`, `delete`, `modify` or `modrdn`.
    pub fn name(&self) -> &'static str {
        match self {
            RecordKind::Content(_) => "content",
            RecordKind::Add(_) => "add",
            RecordKind::Delete => "delete",
            RecordKind::Modify(_) => "modify",
            RecordKind::ModDn { .. } => "modrdn",
        }
    }
}

/// One LDIF record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LdifRecord {
    /// The entry's DN.
    pub dn: String,
    /// The 1-based line of its `dn:` line (0 for records built in code).
    pub line: usize,
    /// What it says.
    pub kind: RecordKind,
}

impl LdifRecord {
    /// A content record built in code.
    pub fn content(dn: impl Into<String>, attributes: Vec<Attr>) -> Self {
        LdifRecord {
            dn: dn.into(),
            line: 0,
            kind: RecordKind::Content(attributes),
        }
    }
}
