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
use syncrules_lang::name::Name;

use syncrules_lang::Value;

use crate::connector::ExportOp;
use crate::model::{
    CsId, CsObject, ExportError, MvId, MvObject, MvRef, PendingExport, PendingImport,
};

/// The record layout this build writes and reads.
pub const VERSION: u8 = 2;

/// A decoding failure: what is wrong, without the offending value.
pub type Decoded<T> = Result<T, DecodeError>;

/// Why a record cannot be decoded: damage, or a layout this build does not read. The text
/// says what is wrong and where (a byte offset), never the stored value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Fewer bytes than the version and checksum take.
    #[error("a record of {len} bytes is too short")]
    TooShort {
        /// The record's length.
        len: usize,
    },
    /// A record of another layout.
    #[error("record layout {version}; this build reads layout {}", VERSION)]
    Layout {
        /// The layout the record says it has.
        version: u8,
    },
    /// The body does not match its checksum.
    #[error("the record's checksum does not match: the file is damaged")]
    Checksum,
    /// The bytes end in the middle of an item.
    #[error("the record ends early at byte {at}")]
    EndsEarly {
        /// Where the missing byte would be.
        at: usize,
    },
    /// A number with more bytes than it needs (the encoder writes only the shortest form).
    #[error("a number not in its shortest form at byte {at}")]
    NotShortest {
        /// Where the number starts.
        at: usize,
    },
    /// A number past 64 bits.
    #[error("a number too long at byte {at}")]
    NumberTooLong {
        /// Where the number starts.
        at: usize,
    },
    /// A flag that is neither 0 nor 1.
    #[error("an unknown tag {tag} at byte {at}")]
    UnknownTag {
        /// The byte read.
        tag: u8,
        /// Where it is.
        at: usize,
    },
    /// A packed record whose dictionary the state does not hold.
    #[error("a record packed with dictionary {number}, which the state does not hold")]
    NoDictionary {
        /// The dictionary the record names.
        number: u32,
    },
    /// A packed record whose compressed frame does not unpack.
    #[error("a packed record that does not unpack")]
    Unpack,
    /// A length this machine cannot hold.
    #[error("a length out of range")]
    LengthOutOfRange,
    /// A count or length longer than the bytes left.
    #[error("a length past the record's end at byte {at}")]
    LengthPastEnd {
        /// Where the counted items start.
        at: usize,
    },
    /// Text that is not UTF-8.
    #[error("text that is not UTF-8 at byte {at}")]
    NotUtf8 {
        /// Where the text's length starts.
        at: usize,
    },
    /// An optional text's tag that is neither 0 nor 1.
    #[error("an unknown option tag {tag} at byte {at}")]
    UnknownOptionTag {
        /// The byte read.
        tag: u8,
        /// Where it is.
        at: usize,
    },
    /// A datetime's nanoseconds past 32 bits.
    #[error("a bad datetime")]
    BadDatetime,
    /// A datetime chrono cannot represent.
    #[error("a datetime out of range at byte {at}")]
    DatetimeOutOfRange {
        /// Where the value starts.
        at: usize,
    },
    /// A value's tag that names no kind of value (or a list inside a list).
    #[error("an unknown value tag {tag} at byte {at}")]
    UnknownValueTag {
        /// The byte read.
        tag: u8,
        /// Where it is.
        at: usize,
    },
    /// An attribute name twice in one map.
    #[error("an attribute stored twice before byte {before}")]
    AttributeTwice {
        /// Where the second value ends.
        before: usize,
    },
    /// Bytes after the last item.
    #[error("{count} unread bytes after the record")]
    Unread {
        /// How many.
        count: usize,
    },
    /// A pending import code the encoder does not write.
    #[error("an unknown pending import {code}")]
    UnknownPendingImport {
        /// The code read.
        code: u8,
    },
    /// An export operation code the encoder does not write.
    #[error("an unknown export operation {code}")]
    UnknownExportOp {
        /// The code read.
        code: u8,
    },
    /// Flag bits the encoder does not write.
    #[error("unknown flags {flags}")]
    UnknownFlags {
        /// The byte read.
        flags: u8,
    },
    /// A metaverse object's links not sorted and unique by connector.
    #[error("links out of order")]
    LinksOutOfOrder,
    /// A metaverse object's anchoring connectors not sorted and unique.
    #[error("anchoring connectors out of order")]
    AnchoringOutOfOrder,
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
            w.u(mv.get());
        }
    }
    w.opt_str(o.link_rule.as_deref());
    w.out
        .push(u8::from(o.provisioned) | (u8::from(o.unresolved) << 1));
    w.finish()
}

/// The DN a connector-space record holds, without decoding the rest (what the DN index is
/// checked against); its checksum is checked as [`decode_cs`] checks it.
pub(crate) fn decode_cs_dn(bytes: &[u8]) -> Decoded<String> {
    Reader::open(bytes)?.string()
}

/// The anchor a connector-space record holds, without decoding the rest (what the anchor
/// index is checked against); its checksum is checked as [`decode_cs`] checks it.
pub(crate) fn decode_cs_anchor(bytes: &[u8]) -> Decoded<Option<String>> {
    let mut r = Reader::open(bytes)?;
    r.string()?;
    r.opt_string()
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
        code => return Err(DecodeError::UnknownPendingImport { code }),
    };
    let pending_export = match r.flag()? {
        false => None,
        true => {
            let op = match r.byte()? {
                0 => ExportOp::Add,
                1 => ExportOp::Update,
                2 => ExportOp::Rename,
                3 => ExportOp::Delete,
                code => return Err(DecodeError::UnknownExportOp { code }),
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
        true => Some(MvId::new(r.u()?)),
    };
    let link_rule = r.opt_name()?;
    let flags = r.byte()?;
    if flags > 3 {
        return Err(DecodeError::UnknownFlags { flags });
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

/// What a reference needs of a connector-space record (its DN, link, and whether the
/// directory refused it), read without building its attributes.
pub fn decode_cs_target(bytes: &[u8]) -> Decoded<crate::refs::RefTarget> {
    let mut r = Reader::open(bytes)?;
    let dn = r.string()?;
    let anchor = r.opt_string()?;
    r.bytes()?;
    r.skip_attrs()?;
    r.skip_attrs()?;
    r.byte()?;
    let adding = match r.flag()? {
        false => false,
        true => {
            let op = r.byte()?;
            r.skip_attrs()?;
            r.opt_string()?;
            op == op_code(ExportOp::Add)
        }
    };
    let failed = match r.flag()? {
        false => false,
        true => {
            r.bytes()?;
            r.bytes()?;
            true
        }
    };
    let link = match r.flag()? {
        false => None,
        true => Some(MvId::new(r.u()?)),
    };
    Ok(crate::refs::RefTarget {
        dn,
        link,
        refused: anchor.is_none() && failed && adding,
    })
}

/// The links of a metaverse record, read without building its attributes.
pub fn decode_mv_links(bytes: &[u8]) -> Decoded<BTreeMap<Name, CsId>> {
    let mut r = Reader::open(bytes)?;
    r.bytes()?;
    r.skip_attrs()?;
    let mut links = BTreeMap::new();
    for _ in 0..r.len()? {
        let c = Name::new(r.str()?);
        if links.last_key_value().is_some_and(|(last, _)| *last >= c) {
            return Err(DecodeError::LinksOutOfOrder);
        }
        links.insert(c, CsId::new(r.u()?));
    }
    Ok(links)
}

/// A metaverse object as a record.
pub fn encode_mv(o: &MvObject) -> Vec<u8> {
    let mut w = Writer::new();
    w.str(&o.object_type);
    w.attrs(&o.attributes);
    w.u(o.links.len() as u64);
    for (connector, cs) in &o.links {
        w.str(connector);
        w.u(cs.get());
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
        let c = Name::new(r.str()?);
        if links.last_key_value().is_some_and(|(last, _)| *last >= c) {
            return Err(DecodeError::LinksOutOfOrder);
        }
        links.insert(c, CsId::new(r.u()?));
    }
    let mut anchored_by = BTreeSet::new();
    for _ in 0..r.len()? {
        let c = Name::new(r.str()?);
        if anchored_by.last().is_some_and(|last| *last >= c) {
            return Err(DecodeError::AnchoringOutOfOrder);
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
        .filter_map(|v| MvRef::from_value(v).map(MvRef::id))
}

mod bytes;

use bytes::{Reader, Writer};

#[cfg(test)]
mod tests;
