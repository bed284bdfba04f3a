//! The LDIF source's watermark: where the delta file was read up to, and what the base file
//! and the consumed bytes looked like, checkable without reading either whole.

use std::fs::Metadata;
use std::time::{SystemTime, UNIX_EPOCH};

/// How many bytes before the consumed offset the watermark's hash covers.
pub(super) const TAIL: usize = 4096;

/// The base file as `stat` sees it: replacing it by another export changes these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct BaseStamp {
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time, in nanoseconds since the Unix epoch (negative before it, 0
    /// where the platform does not say).
    pub mtime: i128,
}

impl BaseStamp {
    pub fn of(metadata: &Metadata) -> Self {
        let mtime = metadata.modified().map_or(0, nanos_since_epoch);
        BaseStamp {
            size: metadata.len(),
            mtime,
        }
    }
}

fn nanos_since_epoch(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()).unwrap_or(i128::MAX),
        Err(before) => i128::try_from(before.duration().as_nanos()).map_or(i128::MIN, |n| -n),
    }
}

/// `ldif:2:<base size>:<base mtime>:<offset>:<lines>:<records>:<tail>`: the base file's
/// stamp; how many bytes, lines and records of the delta file were consumed; and the FNV-1a
/// hash of the last (at most [`TAIL`]) bytes before the offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Watermark {
    pub base: BaseStamp,
    pub offset: u64,
    pub lines: u64,
    pub records: u64,
    pub tail: u64,
}

impl Watermark {
    /// The watermark in `text`; `None` for anything else, an `ldif:1:` watermark included.
    pub fn parse(text: &str) -> Option<Watermark> {
        let mut parts = text.strip_prefix("ldif:2:")?.split(':');
        let size = parts.next()?.parse().ok()?;
        let mtime = parts.next()?.parse().ok()?;
        let offset = parts.next()?.parse().ok()?;
        let lines = parts.next()?.parse().ok()?;
        let records = parts.next()?.parse().ok()?;
        let tail_text = parts.next()?;
        let tail = u64::from_str_radix(tail_text, 16)
            .ok()
            .filter(|_| tail_text.len() == 16)?;
        parts.next().is_none().then_some(Watermark {
            base: BaseStamp { size, mtime },
            offset,
            lines,
            records,
            tail,
        })
    }

    pub fn render(&self) -> String {
        format!(
            "ldif:2:{}:{}:{}:{}:{}:{:016x}",
            self.base.size, self.base.mtime, self.offset, self.lines, self.records, self.tail
        )
    }
}

/// The last (at most [`TAIL`]) bytes of `bytes`.
pub(super) fn tail_of(bytes: &[u8]) -> &[u8] {
    bytes
        .get(bytes.len().saturating_sub(TAIL)..)
        .unwrap_or(bytes)
}

/// FNV-1a, 64 bits: stable across builds and platforms, unlike the standard hasher.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watermarks_round_trip_and_reject_garbage() {
        let mark = Watermark {
            base: BaseStamp {
                size: 1_700_000_000,
                mtime: -5,
            },
            offset: 120,
            lines: 9,
            records: 3,
            tail: 0xdead_beef,
        };
        assert_eq!(
            mark.render(),
            "ldif:2:1700000000:-5:120:9:3:00000000deadbeef"
        );
        assert_eq!(Watermark::parse(&mark.render()), Some(mark));
        for bad in [
            "",
            "ldif:1:00000000deadbeef:3:120:0000000000000007",
            "ldif:2:1:2:3:4:5",
            "ldif:2:1:2:3:4:5:00000000deadbeef:6",
            "ldif:2:x:2:3:4:5:00000000deadbeef",
            "ldif:2:1:2:3:4:5:deadbeef",
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

    #[test]
    fn the_tail_is_the_last_four_kib() {
        let bytes: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        assert_eq!(tail_of(&bytes).len(), TAIL);
        assert_eq!(tail_of(&bytes).first(), bytes.get(10_000 - TAIL));
        assert_eq!(tail_of(b"abc"), b"abc");
    }

    #[test]
    fn times_before_the_epoch_are_negative() {
        let before = UNIX_EPOCH - std::time::Duration::from_nanos(7);
        assert_eq!(nanos_since_epoch(before), -7);
        let after = UNIX_EPOCH + std::time::Duration::from_secs(2);
        assert_eq!(nanos_since_epoch(after), 2_000_000_000);
    }
}
