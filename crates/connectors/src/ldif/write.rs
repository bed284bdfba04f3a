//! Writing LDIF: records and import entries, with base64 for binary or unsafe values and
//! lines folded at 76 columns.

use std::io::{self, Write};
use syncrules_lang::dn::Dn;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use syncrules_connector::{Change, ImportEntry};
use syncrules_lang::Value;

use super::dn::{dn_key, split_rdn};
use super::entry::get_ignore_case;
use super::{Attr, LdifRecord, LdifValue, ModOp, Modification, RecordKind};

/// The longest line written; longer ones are folded (a continuation starts with a space).
const WIDTH: usize = 76;

/// Writes LDIF records to `out`, separated by blank lines.
///
/// A value is written as text when it is a safe string (ASCII without NUL, CR or LF, not
/// starting with a space, `:` or `<`, not ending with a space), else in base64 (`::`); binary
/// values always in base64. Every line longer than 76 characters is folded.
#[derive(Debug)]
pub struct LdifWriter<W: Write> {
    out: W,
    started: bool,
    records: usize,
}

impl<W: Write> LdifWriter<W> {
    /// A writer that has written nothing yet.
    pub fn new(out: W) -> Self {
        LdifWriter {
            out,
            started: false,
            records: 0,
        }
    }

    /// Writes the `version: 1` line; call it first, if at all.
    pub fn write_version(&mut self) -> io::Result<()> {
        self.started = true;
        self.out.write_all(b"version: 1\n")
    }

    /// Writes a comment (`# text`), one comment line per line of `text`.
    pub fn write_comment(&mut self, text: &str) -> io::Result<()> {
        self.started = true;
        for line in text.lines() {
            self.line(&format!("# {line}"))?;
        }
        Ok(())
    }

    /// Writes one record.
    pub fn write_record(&mut self, record: &LdifRecord) -> io::Result<()> {
        if self.started {
            self.out.write_all(b"\n")?;
        }
        self.started = true;
        self.records += 1;
        self.value("dn", &LdifValue::Text(record.dn.clone()))?;
        match &record.kind {
            RecordKind::Content(attrs) => self.attrs(attrs),
            RecordKind::Add(attrs) => {
                self.line("changetype: add")?;
                self.attrs(attrs)
            }
            RecordKind::Delete => self.line("changetype: delete"),
            RecordKind::Modify(mods) => {
                self.line("changetype: modify")?;
                for m in mods {
                    self.value(m.op.as_str(), &LdifValue::Text(m.attribute.clone()))?;
                    self.attrs(&m.values)?;
                    self.line("-")?;
                }
                Ok(())
            }
            RecordKind::ModDn {
                new_rdn,
                delete_old_rdn,
                new_superior,
            } => {
                self.line("changetype: modrdn")?;
                self.value("newrdn", &LdifValue::Text(new_rdn.clone()))?;
                self.line(if *delete_old_rdn {
                    "deleteoldrdn: 1"
                } else {
                    "deleteoldrdn: 0"
                })?;
                match new_superior {
                    Some(sup) => self.value("newsuperior", &LdifValue::Text(sup.clone())),
                    None => Ok(()),
                }
            }
        }
    }

    /// Writes an import entry as the records of [`records_from_entry`].
    pub fn write_entry(&mut self, entry: &ImportEntry) -> io::Result<()> {
        for record in records_from_entry(entry) {
            self.write_record(&record)?;
        }
        Ok(())
    }

    /// How many records were written.
    pub fn records_written(&self) -> usize {
        self.records
    }

    /// Flushes and returns the output.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }

    fn attrs(&mut self, attrs: &[Attr]) -> io::Result<()> {
        for attr in attrs {
            self.value(&attr.name, &attr.value)?;
        }
        Ok(())
    }

    fn value(&mut self, name: &str, value: &LdifValue) -> io::Result<()> {
        match value {
            LdifValue::Text(text) if is_safe(text) => {
                if text.is_empty() {
                    self.line(&format!("{name}:"))
                } else {
                    self.line(&format!("{name}: {text}"))
                }
            }
            other => self.line(&format!("{name}:: {}", BASE64.encode(other.as_bytes()))),
        }
    }

    /// Writes one logical line, folded.
    fn line(&mut self, text: &str) -> io::Result<()> {
        let mut rest = text;
        let mut width = WIDTH;
        loop {
            let mut cut = rest.len().min(width);
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            let (chunk, tail) = rest.split_at(cut);
            self.out.write_all(chunk.as_bytes())?;
            self.out.write_all(b"\n")?;
            if tail.is_empty() {
                return Ok(());
            }
            self.out.write_all(b" ")?;
            rest = tail;
            width = WIDTH - 1;
        }
    }
}

/// True for a value that may be written as text (RFC 2849's SAFE-STRING, no trailing space).
fn is_safe(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii() && !matches!(b, 0 | b'\n' | b'\r'))
        && !text.starts_with([' ', ':', '<'])
        && !text.ends_with(' ')
}

/// The values of a typed value as LDIF values: numbers in decimal, Booleans as `TRUE` or
/// `FALSE`, binaries as bytes, references as their DN, dates as Generalized Time
/// (`20120101230000.0Z`), a multi-valued value's items each; nothing for null.
pub fn value_to_ldif(value: &Value) -> Vec<LdifValue> {
    match value {
        Value::Null | Value::Ignore | Value::AuthoritativeNull => Vec::new(),
        Value::Str(s) | Value::Ref(s) => vec![LdifValue::Text(s.to_string())],
        Value::Num(n) => vec![LdifValue::Text(n.to_string())],
        Value::Bool(b) => vec![LdifValue::Text(
            if *b { "TRUE" } else { "FALSE" }.to_owned(),
        )],
        Value::Bin(b) => vec![LdifValue::Binary(b.to_vec())],
        Value::DateTime(dt) => vec![LdifValue::Text(dt.format("%Y%m%d%H%M%S.0Z").to_string())],
        Value::Multi(items) => items.iter().flat_map(value_to_ldif).collect(),
    }
}

/// The records that say what an import entry says: a content record for
/// [`Change::Present`] and an add record for [`Change::Add`] (with `objectClass: <type>`
/// first when the attributes lack `objectClass`); a delete record; for [`Change::Modify`], a
/// modrdn record when the entry renames the object, then a modify record replacing each
/// listed attribute (a null value removes it).
pub fn records_from_entry(entry: &ImportEntry) -> Vec<LdifRecord> {
    let attrs = || -> Vec<Attr> {
        let class = (get_ignore_case(&entry.attributes, "objectClass").is_none()
            && !entry.object_type.is_empty())
        .then(|| Attr::new("objectClass", entry.object_type.as_str()));
        class
            .into_iter()
            .chain(entry.attributes.iter().flat_map(|(name, value)| {
                value_to_ldif(value)
                    .into_iter()
                    .map(|v| Attr::new(name.as_str(), v))
            }))
            .collect()
    };
    let record = |dn: &str, kind| LdifRecord {
        dn: dn.to_owned(),
        line: 0,
        kind,
    };
    match entry.change {
        Change::Present => vec![record(entry.dn.as_str(), RecordKind::Content(attrs()))],
        Change::Add => vec![record(entry.dn.as_str(), RecordKind::Add(attrs()))],
        Change::Delete => vec![record(entry.dn.as_str(), RecordKind::Delete)],
        Change::Modify => {
            let mut records = Vec::new();
            if let Some(old) = entry
                .old_dn
                .as_ref()
                .map(Dn::as_str)
                .filter(|o| *o != entry.dn.as_str())
            {
                let (new_rdn, new_parent) = split_rdn(entry.dn.as_str());
                let moved = dn_key(split_rdn(old).1) != dn_key(new_parent);
                records.push(record(
                    old,
                    RecordKind::ModDn {
                        new_rdn: new_rdn.to_owned(),
                        delete_old_rdn: true,
                        new_superior: moved.then(|| new_parent.to_owned()),
                    },
                ));
            }
            let mods: Vec<Modification> = entry
                .attributes
                .iter()
                .map(|(name, value)| Modification {
                    op: ModOp::Replace,
                    attribute: name.to_string(),
                    values: value_to_ldif(value)
                        .into_iter()
                        .map(|v| Attr::new(name.as_str(), v))
                        .collect(),
                    line: 0,
                })
                .collect();
            if records.is_empty() || !mods.is_empty() {
                records.push(record(entry.dn.as_str(), RecordKind::Modify(mods)));
            }
            records
        }
    }
}

#[cfg(test)]
#[path = "write_tests.rs"]
mod tests;
