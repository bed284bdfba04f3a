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

use syncrules_lang::Value;

use crate::connector::ExportOp;
use crate::model::{
    CsId, CsObject, ExportError, MvId, MvObject, PendingExport, PendingImport, parse_mv_ref,
};

/// The record layout this build writes and reads.
pub const VERSION: u8 = 2;

/// A decoding failure: what is wrong, without the offending value.
pub type Decoded<T> = Result<T, String>;

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

mod bytes;

use bytes::{Reader, Writer};

#[cfg(test)]
mod tests;
