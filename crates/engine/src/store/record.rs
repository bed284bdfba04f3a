//! The stored encoding of objects (layout 2): a version byte, a CRC-32 of the body, and the
//! body in a compact binary form — lengths and integers as LEB128 varints, each value a tag
//! byte and its data. Decoding checks the version and the checksum before reading a byte
//! of the body, so a flipped bit is reported as damage, never read as another value.
//!
//! ```text
//! record  = version:u8 crc32:u32le body
//! value   = tag:u8 data            (0 null, 1 string, 2 number (zigzag), 3 boolean,
//!                                   4 binary, 5 reference, 6 datetime (seconds zigzag,
//!                                   nanoseconds), 7 multi (count, values), 8 ignore,
//!                                   9 authoritative null)
//! attrs   = count (name:str value)*
//! str     = len bytes (UTF-8)
//! ```
//!
//! Why hand-written: the model's [`Value`] lives in the language crate, which has no serde;
//! decoding straight into `Arc<str>` from the stored bytes costs one allocation a value. The
//! choice against postcard, bitcode and JSON is measured in `docs/state-store.md`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::DateTime;
use indexmap::IndexMap;
use syncrules_lang::Value;

use crate::connector::ExportOp;
use crate::model::{
    CsId, CsObject, ExportError, MvId, MvObject, PendingExport, PendingImport, parse_mv_ref,
};

/// The record layout this build writes and reads.
pub const VERSION: u8 = 2;

/// A decoding failure: what is wrong, without the offending value.
pub type Decoded<T> = Result<T, String>;

struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn new() -> Self {
        let mut out = Vec::with_capacity(256);
        out.push(VERSION);
        out.extend_from_slice(&[0; 4]);
        Writer { out }
    }

    fn u(&mut self, mut n: u64) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                self.out.push(byte);
                return;
            }
            self.out.push(byte | 0x80);
        }
    }

    fn i(&mut self, n: i64) {
        self.u(((n << 1) ^ (n >> 63)) as u64);
    }

    fn bytes(&mut self, b: &[u8]) {
        self.u(b.len() as u64);
        self.out.extend_from_slice(b);
    }

    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.out.push(0),
            Some(s) => {
                self.out.push(1);
                self.str(s);
            }
        }
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.out.push(0),
            Value::Str(s) => {
                self.out.push(1);
                self.str(s);
            }
            Value::Num(n) => {
                self.out.push(2);
                self.i(*n);
            }
            Value::Bool(b) => {
                self.out.push(3);
                self.out.push(u8::from(*b));
            }
            Value::Bin(b) => {
                self.out.push(4);
                self.bytes(b);
            }
            Value::Ref(s) => {
                self.out.push(5);
                self.str(s);
            }
            Value::DateTime(t) => {
                self.out.push(6);
                self.i(t.timestamp());
                self.u(u64::from(t.timestamp_subsec_nanos()));
            }
            Value::Multi(items) => {
                self.out.push(7);
                self.u(items.len() as u64);
                for item in items.iter() {
                    self.value(item);
                }
            }
            Value::Ignore => self.out.push(8),
            Value::AuthoritativeNull => self.out.push(9),
        }
    }

    fn attrs(&mut self, attrs: &IndexMap<String, Value>) {
        self.u(attrs.len() as u64);
        for (k, v) in attrs {
            self.str(k);
            self.value(v);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        let crc = crc32fast::hash(self.out.get(5..).unwrap_or_default());
        if let Some(slot) = self.out.get_mut(1..5) {
            slot.copy_from_slice(&crc.to_le_bytes());
        }
        self.out
    }
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Checks the version and checksum, and reads from the body's start.
    fn open(data: &'a [u8]) -> Decoded<Self> {
        let (Some(&version), Some(crc), Some(body)) = (data.first(), data.get(1..5), data.get(5..))
        else {
            return Err(format!("a record of {} bytes is too short", data.len()));
        };
        if version != VERSION {
            return Err(format!(
                "record layout {version}; this build reads layout {VERSION}"
            ));
        }
        let mut stored = [0u8; 4];
        stored.copy_from_slice(crc);
        if u32::from_le_bytes(stored) != crc32fast::hash(body) {
            return Err("the record's checksum does not match: the file is damaged".into());
        }
        Ok(Reader { data, pos: 5 })
    }

    fn byte(&mut self) -> Decoded<u8> {
        let b = *self
            .data
            .get(self.pos)
            .ok_or_else(|| format!("the record ends early at byte {}", self.pos))?;
        self.pos += 1;
        Ok(b)
    }

    /// A LEB128 number in its shortest form (the encoder writes nothing else, so any other
    /// form is damage).
    fn u(&mut self) -> Decoded<u64> {
        let at = self.pos;
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            if shift == 63 && b > 1 {
                break;
            }
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                if b == 0 && shift > 0 {
                    return Err(format!("a number not in its shortest form at byte {at}"));
                }
                return Ok(n);
            }
        }
        Err(format!("a number too long at byte {at}"))
    }

    /// A byte that must be 0 or 1.
    fn flag(&mut self) -> Decoded<bool> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            t => Err(format!("an unknown tag {t} at byte {}", self.pos - 1)),
        }
    }

    fn i(&mut self) -> Decoded<i64> {
        let n = self.u()?;
        Ok(((n >> 1) as i64) ^ -((n & 1) as i64))
    }

    fn len(&mut self) -> Decoded<usize> {
        let n = usize::try_from(self.u()?).map_err(|_| "a length out of range".to_owned())?;
        // Every item takes at least a byte: a longer count is damage, not a huge allocation.
        if n > self.data.len().saturating_sub(self.pos) {
            return Err(format!(
                "a length past the record's end at byte {}",
                self.pos
            ));
        }
        Ok(n)
    }

    fn bytes(&mut self) -> Decoded<&'a [u8]> {
        let n = self.len()?;
        let b = self
            .data
            .get(self.pos..self.pos + n)
            .ok_or_else(|| format!("the record ends early at byte {}", self.pos))?;
        self.pos += n;
        Ok(b)
    }

    fn str(&mut self) -> Decoded<&'a str> {
        let at = self.pos;
        std::str::from_utf8(self.bytes()?)
            .map_err(|_| format!("text that is not UTF-8 at byte {at}"))
    }

    fn string(&mut self) -> Decoded<String> {
        self.str().map(str::to_owned)
    }

    fn opt_string(&mut self) -> Decoded<Option<String>> {
        match self.byte()? {
            0 => Ok(None),
            1 => self.string().map(Some),
            t => Err(format!(
                "an unknown option tag {t} at byte {}",
                self.pos - 1
            )),
        }
    }

    fn value(&mut self, depth: usize) -> Decoded<Value> {
        let at = self.pos;
        Ok(match self.byte()? {
            0 => Value::Null,
            1 => Value::str(self.str()?),
            2 => Value::Num(self.i()?),
            3 => Value::Bool(self.flag()?),
            4 => Value::bin(self.bytes()?),
            5 => Value::reference(self.str()?),
            6 => {
                let secs = self.i()?;
                let nanos = u32::try_from(self.u()?).map_err(|_| "a bad datetime".to_owned())?;
                Value::DateTime(
                    DateTime::from_timestamp(secs, nanos)
                        .ok_or_else(|| format!("a datetime out of range at byte {at}"))?,
                )
            }
            7 if depth == 0 => {
                let n = self.len()?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.value(depth + 1)?);
                }
                Value::Multi(items.into())
            }
            8 => Value::Ignore,
            9 => Value::AuthoritativeNull,
            t => return Err(format!("an unknown value tag {t} at byte {at}")),
        })
    }

    fn attrs(&mut self) -> Decoded<IndexMap<String, Value>> {
        let n = self.len()?;
        let mut out = IndexMap::with_capacity(n);
        for _ in 0..n {
            let k = self.string()?;
            let v = self.value(0)?;
            if out.insert(k, v).is_some() {
                return Err(format!(
                    "an attribute stored twice before byte {}",
                    self.pos
                ));
            }
        }
        Ok(out)
    }

    fn end(&self) -> Decoded<()> {
        if self.pos == self.data.len() {
            Ok(())
        } else {
            Err(format!(
                "{} unread bytes after the record",
                self.data.len() - self.pos
            ))
        }
    }
}

fn import_code(p: Option<PendingImport>) -> u8 {
    match p {
        None => 0,
        Some(PendingImport::Add) => 1,
        Some(PendingImport::Update) => 2,
        Some(PendingImport::Delete) => 3,
    }
}

fn op_code(op: ExportOp) -> u8 {
    match op {
        ExportOp::Add => 0,
        ExportOp::Update => 1,
        ExportOp::Rename => 2,
        ExportOp::Delete => 3,
    }
}

/// A connector-space object as a record (its connector and id are the key).
pub fn encode_cs(o: &CsObject) -> Vec<u8> {
    let mut w = Writer::new();
    w.str(&o.dn);
    w.opt_str(o.anchor.as_deref());
    w.str(&o.object_type);
    w.attrs(&o.attributes);
    w.attrs(&o.unconfirmed);
    w.out.push(import_code(o.pending_import));
    match &o.pending_export {
        None => w.out.push(0),
        Some(p) => {
            w.out.push(1);
            w.out.push(op_code(p.op));
            w.attrs(&p.attributes);
            w.opt_str(p.old_dn.as_deref());
        }
    }
    match &o.export_error {
        None => w.out.push(0),
        Some(e) => {
            w.out.push(1);
            w.str(&e.class);
            w.str(&e.message);
        }
    }
    match o.link {
        None => w.out.push(0),
        Some(mv) => {
            w.out.push(1);
            w.u(mv);
        }
    }
    w.opt_str(o.link_rule.as_deref());
    w.out
        .push(u8::from(o.provisioned) | (u8::from(o.unresolved) << 1));
    w.finish()
}

/// A record as the connector-space object `id`.
pub fn decode_cs(id: CsId, bytes: &[u8]) -> Decoded<CsObject> {
    let mut r = Reader::open(bytes)?;
    let dn = r.string()?;
    let anchor = r.opt_string()?;
    let object_type = r.string()?;
    let attributes = r.attrs()?;
    let unconfirmed = r.attrs()?;
    let pending_import = match r.byte()? {
        0 => None,
        1 => Some(PendingImport::Add),
        2 => Some(PendingImport::Update),
        3 => Some(PendingImport::Delete),
        t => return Err(format!("an unknown pending import {t}")),
    };
    let pending_export = match r.flag()? {
        false => None,
        true => {
            let op = match r.byte()? {
                0 => ExportOp::Add,
                1 => ExportOp::Update,
                2 => ExportOp::Rename,
                3 => ExportOp::Delete,
                t => return Err(format!("an unknown export operation {t}")),
            };
            Some(PendingExport {
                op,
                attributes: r.attrs()?,
                old_dn: r.opt_string()?,
            })
        }
    };
    let export_error = match r.flag()? {
        false => None,
        true => Some(ExportError {
            class: r.string()?,
            message: r.string()?,
        }),
    };
    let link = match r.flag()? {
        false => None,
        true => Some(r.u()?),
    };
    let link_rule = r.opt_string()?;
    let flags = r.byte()?;
    if flags > 3 {
        return Err(format!("unknown flags {flags}"));
    }
    r.end()?;
    Ok(CsObject {
        id,
        dn,
        anchor,
        object_type,
        attributes,
        unconfirmed,
        pending_import,
        pending_export,
        export_error,
        link,
        link_rule,
        provisioned: flags & 1 != 0,
        unresolved: flags & 2 != 0,
    })
}

/// A metaverse object as a record.
pub fn encode_mv(o: &MvObject) -> Vec<u8> {
    let mut w = Writer::new();
    w.str(&o.object_type);
    w.attrs(&o.attributes);
    w.u(o.links.len() as u64);
    for (connector, cs) in &o.links {
        w.str(connector);
        w.u(*cs);
    }
    w.u(o.anchored_by.len() as u64);
    for connector in &o.anchored_by {
        w.str(connector);
    }
    w.finish()
}

/// A record as the metaverse object `id`.
pub fn decode_mv(id: MvId, bytes: &[u8]) -> Decoded<MvObject> {
    let mut r = Reader::open(bytes)?;
    let object_type = r.string()?;
    let attributes = r.attrs()?;
    // Sorted and unique, as the encoder writes them.
    let mut links = BTreeMap::new();
    for _ in 0..r.len()? {
        let c = r.string()?;
        if links.last_key_value().is_some_and(|(last, _)| *last >= c) {
            return Err("links out of order".into());
        }
        links.insert(c, r.u()?);
    }
    let mut anchored_by = BTreeSet::new();
    for _ in 0..r.len()? {
        let c = r.string()?;
        if anchored_by.last().is_some_and(|last| *last >= c) {
            return Err("anchoring connectors out of order".into());
        }
        anchored_by.insert(c);
    }
    r.end()?;
    Ok(MvObject {
        id,
        object_type,
        attributes,
        links,
        anchored_by,
    })
}

/// The metaverse objects a metaverse object's attributes refer to.
pub(crate) fn mv_refs(o: &MvObject) -> impl Iterator<Item = MvId> + '_ {
    o.attributes
        .values()
        .flat_map(Value::values)
        .filter_map(parse_mv_ref)
}

#[cfg(test)]
mod tests;
