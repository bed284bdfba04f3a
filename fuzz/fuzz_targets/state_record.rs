//! Fuzz target: arbitrary bytes as a stored state record, through the store's decoders.
//!
//! bytes → `decode_cs` and `decode_mv` (as layout 2 records; a first byte of 0xFF also tries
//! the bytes with a valid version and checksum put in front, so that the body's decoder is
//! reached and not only the checksum) → on success, encoding the object again gives the same
//! bytes, and decoding those gives the same object.
//!
//! Besides "nothing panics, overflows the stack, hangs or runs out of memory" (a length
//! field claiming more than the record holds must not allocate it), it asserts the round
//! trip: a record the decoder accepts is exactly one the encoder writes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use syncrules_engine::store::record::{VERSION, decode_cs, decode_mv, encode_cs, encode_mv};

/// `body` as a record: the version, the CRC-32 of the body, the body.
fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = vec![VERSION];
    out.extend_from_slice(&crc(body).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// CRC-32 (IEEE), bit by bit: the fuzz target checks the store's framing independently.
fn crc(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
        }
    }
    !c
}

fn check(bytes: &[u8]) {
    if let Ok(o) = decode_cs(7, bytes) {
        let again = encode_cs(&o);
        assert_eq!(again, bytes, "a connector-space record re-encodes differently");
        assert_eq!(decode_cs(7, &again), Ok(o));
    }
    if let Ok(o) = decode_mv(7, bytes) {
        let again = encode_mv(&o);
        assert_eq!(again, bytes, "a metaverse record re-encodes differently");
        assert_eq!(decode_mv(7, &again), Ok(o));
    }
}

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((0xFF, body)) => check(&framed(body)),
        _ => check(data),
    }
});
