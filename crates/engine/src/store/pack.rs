//! Packing records for the file. Records are mostly attribute names and values that repeat
//! from object to object, which a general compressor cannot see in one record of a kilobyte;
//! a zstd dictionary trained on the records themselves can. Each kind of record (one
//! connector space's, the metaverse's) has its own dictionary, since their attributes differ:
//! the first commit after which the state holds [`TRAIN_MIN`] records or more of a kind trains
//! one on a sample of them (see the `train` module) and stores it with the state (tables
//! `dicts` and `dict_kinds`), in the same transaction as the first records packed with it;
//! from then on every record of that kind is packed. A kind with fewer records keeps plain
//! ones, or is packed with a layout-4 state's one dictionary of every kind when there is one.
//!
//! ```text
//! stored  = plain | packed
//! plain   = 2:u8 crc32:u32le body          (the record of `record.rs`)
//! packed  = 3:u8 crc32:u32le dict:varint frame
//!           (crc32 of what follows it; frame = the plain record, zstd-compressed with
//!            dictionary `dict`, its size in the frame header)
//! ```
//!
//! Unpacking checks the packed record's checksum before it decompresses, and the plain
//! record's own checksum is checked when it is decoded: damage is reported, never read.
//! Measured on the records of a 100,000-user cycle (docs/state-store.md): values four times
//! smaller, the file half the size.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use super::record::{DecodeError, Decoded};

/// The first byte of a packed record.
pub(crate) const PACKED: u8 = 3;

/// Records of a kind the state holds, with those a commit writes, before the commit trains
/// a dictionary for the kind.
pub(crate) const TRAIN_MIN: usize = 1_000;

/// Records sampled to train a dictionary.
pub(crate) const SAMPLES: usize = 2_000;

/// A dictionary's size at most.
const DICT_BYTES: usize = 64 << 10;

/// The zstd level records are packed at (3 is zstd's default: smaller than 1 for about
/// half a microsecond more a record).
const LEVEL: i32 = 3;

/// The largest plain record a packed one may claim to hold (a damaged size must not make
/// the reader allocate gigabytes; the checksum catches damage first in practice).
const MAX_RECORD: u64 = 256 << 20;

/// Packs and unpacks records with one dictionary, on any thread: a zstd context serves one
/// caller at a time, so a codec keeps one for each thread that may use it at once (the
/// caller's and each of rayon's), made when that thread first needs it.
pub(crate) struct Codec {
    /// The dictionary's number in the `dicts` table.
    number: u32,
    /// The dictionary's bytes, for the contexts made later.
    dict: Arc<[u8]>,
    compressors: Vec<Mutex<Option<zstd::bulk::Compressor<'static>>>>,
    decompressors: Vec<Mutex<Option<zstd::bulk::Decompressor<'static>>>>,
}

impl std::fmt::Debug for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Codec")
            .field("number", &self.number)
            .finish()
    }
}

fn compressor(dict: &[u8]) -> Option<zstd::bulk::Compressor<'static>> {
    let mut compressor = zstd::bulk::Compressor::with_dictionary(LEVEL, dict).ok()?;
    // The record says which dictionary; the frame need not.
    compressor
        .set_parameter(zstd::zstd_safe::CParameter::DictIdFlag(false))
        .ok()?;
    Some(compressor)
}

/// The context slot of the calling thread: 0 outside rayon's pool, 1 + its index inside.
fn slot<T>(slots: &[Mutex<T>]) -> Option<&Mutex<T>> {
    let i = rayon::current_thread_index().map_or(0, |i| i + 1);
    slots.get(i % slots.len().max(1))
}

impl Codec {
    /// A codec over dictionary `number`, whose bytes are `dict`; `None` when zstd refuses
    /// them (a damaged dictionary).
    pub(crate) fn new(number: u32, dict: &[u8]) -> Option<Codec> {
        let first = compressor(dict)?;
        let unpacker = zstd::bulk::Decompressor::with_dictionary(dict).ok()?;
        let threads = rayon::current_num_threads() + 1;
        let mut compressors: Vec<_> = (0..threads).map(|_| Mutex::new(None)).collect();
        let mut decompressors: Vec<_> = (0..threads).map(|_| Mutex::new(None)).collect();
        if let Some(c) = compressors.first_mut() {
            *c = Mutex::new(Some(first));
        }
        if let Some(d) = decompressors.first_mut() {
            *d = Mutex::new(Some(unpacker));
        }
        Some(Codec {
            number,
            dict: Arc::from(dict),
            compressors,
            decompressors,
        })
    }

    /// A dictionary trained on `samples` (about [`SAMPLES`] plain records); `None` when
    /// zstd cannot train one on them (too few, too alike): records then stay plain.
    pub(crate) fn train(samples: &[Vec<u8>]) -> Option<Vec<u8>> {
        zstd::dict::from_samples(samples, DICT_BYTES).ok()
    }

    /// The dictionary's number.
    pub(crate) fn number(&self) -> u32 {
        self.number
    }

    /// `plain` packed; `plain` itself when zstd fails (it does not, short of memory) or the
    /// packed form would be larger.
    pub(crate) fn pack(&self, plain: Vec<u8>) -> Vec<u8> {
        let Some(Ok(mut slot)) = slot(&self.compressors).map(Mutex::lock) else {
            return plain;
        };
        if slot.is_none() {
            *slot = compressor(&self.dict);
        }
        let frame = match slot.as_mut() {
            Some(c) => c.compress(&plain),
            None => return plain,
        };
        drop(slot);
        let Ok(frame) = frame else {
            return plain;
        };
        let mut out = Vec::with_capacity(frame.len() + 10);
        out.push(PACKED);
        out.extend_from_slice(&[0; 4]);
        let mut n = self.number;
        loop {
            let low = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(low);
                break;
            }
            out.push(low | 0x80);
        }
        out.extend_from_slice(&frame);
        if out.len() >= plain.len() {
            return plain;
        }
        let crc = crc32fast::hash(out.get(5..).unwrap_or_default());
        if let Some(slot) = out.get_mut(1..5) {
            slot.copy_from_slice(&crc.to_le_bytes());
        }
        out
    }

    fn unpack_frame(&self, frame: &[u8]) -> Decoded<Vec<u8>> {
        let size = match zstd::zstd_safe::get_frame_content_size(frame) {
            Ok(Some(size)) if size <= MAX_RECORD => size,
            _ => return Err(DecodeError::Unpack),
        };
        let capacity = usize::try_from(size).map_err(|_| DecodeError::Unpack)?;
        let mut slot = slot(&self.decompressors)
            .ok_or(DecodeError::Unpack)?
            .lock()
            .map_err(|_| DecodeError::Unpack)?;
        if slot.is_none() {
            *slot = zstd::bulk::Decompressor::with_dictionary(&self.dict).ok();
        }
        slot.as_mut()
            .ok_or(DecodeError::Unpack)?
            .decompress(frame, capacity)
            .map_err(|_| DecodeError::Unpack)
    }
}

/// Whether a stored record is packed.
pub(crate) fn is_packed(stored: &[u8]) -> bool {
    stored.first() == Some(&PACKED)
}

/// The plain record `stored` holds: itself when plain, unpacked with the dictionary it
/// names when packed.
pub(crate) fn unpack<'a>(stored: &'a [u8], codecs: &Codecs) -> Decoded<Cow<'a, [u8]>> {
    if !is_packed(stored) {
        return Ok(Cow::Borrowed(stored));
    }
    let (Some(crc), Some(rest)) = (stored.get(1..5), stored.get(5..)) else {
        return Err(DecodeError::TooShort { len: stored.len() });
    };
    let mut want = [0u8; 4];
    want.copy_from_slice(crc);
    if u32::from_le_bytes(want) != crc32fast::hash(rest) {
        return Err(DecodeError::Checksum);
    }
    let mut number: u32 = 0;
    let mut at = 0;
    loop {
        let b = *rest.get(at).ok_or(DecodeError::EndsEarly { at: 5 + at })?;
        let shift = 7 * u32::try_from(at).map_err(|_| DecodeError::NumberTooLong { at: 5 })?;
        if shift > 28 {
            return Err(DecodeError::NumberTooLong { at: 5 });
        }
        number |= u32::from(b & 0x7f) << shift;
        at += 1;
        if b & 0x80 == 0 {
            break;
        }
    }
    match codecs.get(number) {
        Some(c) => c
            .unpack_frame(rest.get(at..).unwrap_or_default())
            .map(Cow::Owned),
        None => Err(DecodeError::NoDictionary { number }),
    }
}

/// Which records a dictionary packs.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// One connector space's records.
    Cs(String),
    /// The metaverse's records.
    Mv,
}

impl Kind {
    /// The kind as the `dict_kinds` table keys it: `cs/<connector>` or `mv`.
    pub(crate) fn key(&self) -> String {
        match self {
            Kind::Cs(connector) => format!("cs/{connector}"),
            Kind::Mv => "mv".to_owned(),
        }
    }

    /// The kind a `dict_kinds` key names; `None` for any other text.
    pub(crate) fn parse(key: &str) -> Option<Kind> {
        match key {
            "mv" => Some(Kind::Mv),
            _ => key.strip_prefix("cs/").map(|c| Kind::Cs(c.to_owned())),
        }
    }
}

/// A kind's own dictionary: its number, and the median size of the plain records it was
/// trained on (a kind whose records grow well past it gets a new one: see the `train`
/// module).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Own {
    /// The dictionary's number.
    pub number: u32,
    /// The median size of the records it was trained on, in bytes.
    pub median: u32,
}

/// The dictionaries a state holds: each by number, to unpack any record, and the one that
/// packs each kind of record. A layout-4 state's one dictionary, trained on records of
/// every kind, has no kind: it packs the records of a kind that has none of its own yet.
#[derive(Clone, Debug, Default)]
pub(crate) struct Codecs {
    by_number: BTreeMap<u32, Arc<Codec>>,
    cs: HashMap<String, Own>,
    mv: Option<Own>,
    shared: Option<u32>,
}

impl Codecs {
    /// Adds a dictionary: a kind's own (which packs its records from now on), or (`None`) a
    /// layout-4 state's, for every kind without its own.
    pub(crate) fn add(&mut self, kind: Option<(&Kind, u32)>, codec: Arc<Codec>) {
        let number = codec.number;
        match kind {
            Some((Kind::Cs(connector), median)) => {
                self.cs.insert(connector.clone(), Own { number, median });
            }
            Some((Kind::Mv, median)) => self.mv = Some(Own { number, median }),
            None => self.shared = Some(number),
        }
        self.by_number.insert(number, codec);
    }

    /// Dictionary `number`.
    pub(crate) fn get(&self, number: u32) -> Option<&Codec> {
        self.by_number.get(&number).map(|c| &**c)
    }

    /// The kind's own dictionary, if it has one.
    pub(crate) fn own(&self, kind: &Kind) -> Option<Own> {
        match kind {
            Kind::Cs(connector) => self.cs.get(connector).copied(),
            Kind::Mv => self.mv,
        }
    }

    /// The dictionary that packs `connector`'s records, if any.
    pub(crate) fn packs_cs(&self, connector: &str) -> Option<&Codec> {
        self.cs
            .get(connector)
            .map(|o| o.number)
            .or(self.shared)
            .and_then(|n| self.get(n))
    }

    /// The dictionary that packs the metaverse's records, if any.
    pub(crate) fn packs_mv(&self) -> Option<&Codec> {
        self.mv
            .map(|o| o.number)
            .or(self.shared)
            .and_then(|n| self.get(n))
    }

    /// The number the next dictionary gets.
    pub(crate) fn next_number(&self) -> u32 {
        self.by_number
            .last_key_value()
            .map_or(1, |(n, _)| n.saturating_add(1))
    }
}

#[cfg(test)]
#[path = "pack_tests.rs"]
mod tests;
