//! Packing records for the file. Records are mostly attribute names and values that repeat
//! from object to object, which a general compressor cannot see in one record of a kilobyte;
//! a zstd dictionary trained on the records themselves can. So the first commit after which
//! the state holds [`TRAIN_MIN`] objects or more trains one on a sample of records (its own,
//! and plain ones of the state when it writes few) and stores it with the state (table
//! `dicts`), in the same transaction as the first records packed with it; from then on
//! every record written is packed. A smaller state keeps plain records.
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
use std::sync::Mutex;

use super::db::EncodeCs;
use super::record::{DecodeError, Decoded, encode_mv};
use super::{Dirty, StoreError};
use crate::model::State;

/// The first byte of a packed record.
pub(crate) const PACKED: u8 = 3;

/// Objects a commit writes before it trains a dictionary on them.
pub(crate) const TRAIN_MIN: usize = 1_000;

/// Records sampled to train a dictionary.
const SAMPLES: usize = 2_000;

/// A dictionary's size at most.
const DICT_BYTES: usize = 64 << 10;

/// The zstd level records are packed at (3 is zstd's default: smaller than 1 for about
/// half a microsecond more a record).
const LEVEL: i32 = 3;

/// The largest plain record a packed one may claim to hold (a damaged size must not make
/// the reader allocate gigabytes; the checksum catches damage first in practice).
const MAX_RECORD: u64 = 256 << 20;

/// Packs and unpacks records with one dictionary.
pub(crate) struct Codec {
    /// The dictionary's number in the `dicts` table.
    number: u32,
    compressor: Mutex<zstd::bulk::Compressor<'static>>,
    decompressor: Mutex<zstd::bulk::Decompressor<'static>>,
}

impl std::fmt::Debug for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Codec")
            .field("number", &self.number)
            .finish()
    }
}

impl Codec {
    /// A codec over dictionary `number`, whose bytes are `dict`; `None` when zstd refuses
    /// them (a damaged dictionary).
    pub(crate) fn new(number: u32, dict: &[u8]) -> Option<Codec> {
        let mut compressor = zstd::bulk::Compressor::with_dictionary(LEVEL, dict).ok()?;
        // The record says which dictionary; the frame need not.
        compressor
            .set_parameter(zstd::zstd_safe::CParameter::DictIdFlag(false))
            .ok()?;
        let decompressor = zstd::bulk::Decompressor::with_dictionary(dict).ok()?;
        Some(Codec {
            number,
            compressor: Mutex::new(compressor),
            decompressor: Mutex::new(decompressor),
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
        let frame = match self.compressor.lock() {
            Ok(mut c) => c.compress(&plain),
            Err(_) => return plain,
        };
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
        let mut d = self.decompressor.lock().map_err(|_| DecodeError::Unpack)?;
        d.decompress(frame, capacity)
            .map_err(|_| DecodeError::Unpack)
    }
}

/// A dictionary trained on the objects a commit writes, once the state holds
/// [`TRAIN_MIN`] objects or more with them and zstd can train one; the commit stores it and
/// packs its records with it. A commit of fewer objects (small batches) adds plain records
/// of the state, from `stored`, to its own.
pub(crate) fn train_on(
    state: &State,
    dirty: &Dirty,
    encode: EncodeCs<'_>,
    stored: impl FnOnce(usize) -> Result<Vec<Vec<u8>>, StoreError>,
) -> Result<Option<(Codec, Vec<u8>)>, StoreError> {
    let writing = dirty.cs.len() + dirty.mv.len();
    let held = state
        .spaces
        .values()
        .map(|s| s.residency.stored)
        .sum::<usize>()
        + state.metaverse.residency.stored;
    if writing == 0 || writing.saturating_add(held) < TRAIN_MIN {
        return Ok(None);
    }
    // A sample taken evenly across the commit's objects, of both kinds.
    let step = writing.div_ceil(SAMPLES).max(1);
    let mut records = Vec::new();
    for (connector, id) in dirty.cs.iter().step_by(step) {
        if let Some(o) = state.spaces.get(connector).and_then(|s| s.objects.get(id)) {
            let plain = encode(connector, o).map_err(|m| StoreError::Corrupt {
                key: format!("cs/{connector}/{id}"),
                message: m.to_string(),
            })?;
            records.push(plain);
        }
    }
    for id in dirty.mv.iter().step_by(step) {
        if let Some(o) = state.metaverse.objects.get(id) {
            records.push(encode_mv(o));
        }
    }
    if records.len() < SAMPLES {
        records.extend(stored(SAMPLES - records.len())?);
    }
    Ok(Codec::train(&records).and_then(|dict| Codec::new(1, &dict).map(|c| (c, dict))))
}

/// Whether a stored record is packed.
pub(crate) fn is_packed(stored: &[u8]) -> bool {
    stored.first() == Some(&PACKED)
}

/// The plain record `stored` holds: itself when plain, unpacked with `codec` when packed.
pub(crate) fn unpack<'a>(stored: &'a [u8], codec: Option<&Codec>) -> Decoded<Cow<'a, [u8]>> {
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
    match codec {
        Some(c) if c.number == number => c
            .unpack_frame(rest.get(at..).unwrap_or_default())
            .map(Cow::Owned),
        _ => Err(DecodeError::NoDictionary { number }),
    }
}

#[cfg(test)]
#[path = "pack_tests.rs"]
mod tests;
