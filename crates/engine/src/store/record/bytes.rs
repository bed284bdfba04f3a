//! The bytes of a record: LEB128 numbers, lengths, texts, values and attribute maps, written
//! and read back, and the frame (version, CRC-32) around a body.

use chrono::DateTime;
use syncrules_lang::Value;
use syncrules_lang::name::{AttrMap, Name};

use super::{DecodeError, Decoded, VERSION};

pub(super) struct Writer {
    pub(super) out: Vec<u8>,
}

impl Writer {
    pub(super) fn new() -> Self {
        let mut out = Vec::with_capacity(256);
        out.push(VERSION);
        out.extend_from_slice(&[0; 4]);
        Writer { out }
    }

    pub(super) fn u(&mut self, mut n: u64) {
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

    pub(super) fn i(&mut self, n: i64) {
        self.u(((n << 1) ^ (n >> 63)) as u64);
    }

    pub(super) fn bytes(&mut self, b: &[u8]) {
        self.u(b.len() as u64);
        self.out.extend_from_slice(b);
    }

    pub(super) fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    pub(super) fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.out.push(0),
            Some(s) => {
                self.out.push(1);
                self.str(s);
            }
        }
    }

    pub(super) fn value(&mut self, v: &Value) {
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

    pub(super) fn attrs(&mut self, attrs: &AttrMap) {
        self.u(attrs.len() as u64);
        for (k, v) in attrs {
            self.str(k);
            self.value(v);
        }
    }

    pub(super) fn finish(mut self) -> Vec<u8> {
        let crc = crc32fast::hash(self.out.get(5..).unwrap_or_default());
        if let Some(slot) = self.out.get_mut(1..5) {
            slot.copy_from_slice(&crc.to_le_bytes());
        }
        self.out
    }
}

pub(super) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Checks the version and checksum, and reads from the body's start.
    pub(super) fn open(data: &'a [u8]) -> Decoded<Self> {
        let (Some(&version), Some(crc), Some(body)) = (data.first(), data.get(1..5), data.get(5..))
        else {
            return Err(DecodeError::TooShort { len: data.len() });
        };
        if version != VERSION {
            return Err(DecodeError::Layout { version });
        }
        let mut stored = [0u8; 4];
        stored.copy_from_slice(crc);
        if u32::from_le_bytes(stored) != crc32fast::hash(body) {
            return Err(DecodeError::Checksum);
        }
        Ok(Reader { data, pos: 5 })
    }

    pub(super) fn byte(&mut self) -> Decoded<u8> {
        let b = *self
            .data
            .get(self.pos)
            .ok_or(DecodeError::EndsEarly { at: self.pos })?;
        self.pos += 1;
        Ok(b)
    }

    /// A LEB128 number in its shortest form (the encoder writes nothing else, so any other
    /// form is damage).
    pub(super) fn u(&mut self) -> Decoded<u64> {
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
                    return Err(DecodeError::NotShortest { at });
                }
                return Ok(n);
            }
        }
        Err(DecodeError::NumberTooLong { at })
    }

    /// A byte that must be 0 or 1.
    pub(super) fn flag(&mut self) -> Decoded<bool> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            tag => Err(DecodeError::UnknownTag {
                tag,
                at: self.pos - 1,
            }),
        }
    }

    pub(super) fn i(&mut self) -> Decoded<i64> {
        let n = self.u()?;
        Ok(((n >> 1) as i64) ^ -((n & 1) as i64))
    }

    pub(super) fn len(&mut self) -> Decoded<usize> {
        let n = usize::try_from(self.u()?).map_err(|_| DecodeError::LengthOutOfRange)?;
        // Every item takes at least a byte: a longer count is damage, not a huge allocation.
        if n > self.data.len().saturating_sub(self.pos) {
            return Err(DecodeError::LengthPastEnd { at: self.pos });
        }
        Ok(n)
    }

    pub(super) fn bytes(&mut self) -> Decoded<&'a [u8]> {
        let n = self.len()?;
        let b = self
            .data
            .get(self.pos..self.pos + n)
            .ok_or(DecodeError::EndsEarly { at: self.pos })?;
        self.pos += n;
        Ok(b)
    }

    pub(super) fn str(&mut self) -> Decoded<&'a str> {
        let at = self.pos;
        std::str::from_utf8(self.bytes()?).map_err(|_| DecodeError::NotUtf8 { at })
    }

    pub(super) fn string(&mut self) -> Decoded<String> {
        self.str().map(str::to_owned)
    }

    pub(super) fn opt_string(&mut self) -> Decoded<Option<String>> {
        Ok(self.opt_str()?.map(str::to_owned))
    }

    /// An optional name, interned.
    pub(super) fn opt_name(&mut self) -> Decoded<Option<Name>> {
        Ok(self.opt_str()?.map(Name::new))
    }

    pub(super) fn opt_str(&mut self) -> Decoded<Option<&'a str>> {
        match self.byte()? {
            0 => Ok(None),
            1 => self.str().map(Some),
            tag => Err(DecodeError::UnknownOptionTag {
                tag,
                at: self.pos - 1,
            }),
        }
    }

    pub(super) fn value(&mut self, depth: usize) -> Decoded<Value> {
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
                let nanos = u32::try_from(self.u()?).map_err(|_| DecodeError::BadDatetime)?;
                Value::DateTime(
                    DateTime::from_timestamp(secs, nanos)
                        .ok_or(DecodeError::DatetimeOutOfRange { at })?,
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
            tag => return Err(DecodeError::UnknownValueTag { tag, at }),
        })
    }

    pub(super) fn attrs(&mut self) -> Decoded<AttrMap> {
        let n = self.len()?;
        let mut out = AttrMap::with_capacity_and_hasher(n, Default::default());
        for _ in 0..n {
            let k = Name::new(self.str()?);
            let v = self.value(0)?;
            if out.insert(k, v).is_some() {
                return Err(DecodeError::AttributeTwice { before: self.pos });
            }
        }
        Ok(out)
    }

    /// Passes over a value without building it.
    pub(super) fn skip_value(&mut self, depth: usize) -> Decoded<()> {
        let at = self.pos;
        match self.byte()? {
            0 | 8 | 9 => {}
            1 | 4 | 5 => {
                self.bytes()?;
            }
            2 => {
                self.u()?;
            }
            3 => {
                self.flag()?;
            }
            6 => {
                self.u()?;
                self.u()?;
            }
            7 if depth == 0 => {
                for _ in 0..self.len()? {
                    self.skip_value(depth + 1)?;
                }
            }
            tag => return Err(DecodeError::UnknownValueTag { tag, at }),
        }
        Ok(())
    }

    /// Passes over attributes without building them.
    pub(super) fn skip_attrs(&mut self) -> Decoded<()> {
        for _ in 0..self.len()? {
            self.bytes()?;
            self.skip_value(0)?;
        }
        Ok(())
    }

    pub(super) fn end(&self) -> Decoded<()> {
        if self.pos == self.data.len() {
            Ok(())
        } else {
            Err(DecodeError::Unread {
                count: self.data.len() - self.pos,
            })
        }
    }
}
