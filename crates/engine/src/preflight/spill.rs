//! Uniqueness in bounded memory: every value that must be unique goes to one of [`PARTS`]
//! anonymous temporary files, chosen by a hash of its normalised form, so equal values meet
//! in one part; at the end each part is read and sorted on its own. The objects' DNs go to
//! one more file, with only their offsets in memory. A million users hold about 8 MB of
//! offsets and one part (a 64th of the values) at a time, whatever the directory's size.

use std::fs::File;
use std::hash::{DefaultHasher, Hash as _, Hasher as _};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

/// How many parts the values are spread over.
pub(super) const PARTS: usize = 64;

/// One value that must be unique, as read back.
pub(super) struct Held {
    /// Its namespace (an index into the caller's list).
    pub space: u8,
    /// The attribute (an index into the caller's list).
    pub attribute: u8,
    /// The object holding it (an index into the objects written).
    pub object: u32,
    /// When it was written: values are read back in this order within a key.
    pub seq: u64,
    /// The normalised value the namespace compares.
    pub key: String,
    /// The value as the object holds it.
    pub value: String,
}

/// The files being written.
pub(super) struct Spill {
    parts: Vec<BufWriter<File>>,
    objects: BufWriter<File>,
    offsets: Vec<u64>,
    written: u64,
    seq: u64,
}

impl Spill {
    /// New anonymous files (removed by the system when closed).
    pub fn new() -> io::Result<Self> {
        let parts = (0..PARTS)
            .map(|_| tempfile::tempfile().map(BufWriter::new))
            .collect::<io::Result<_>>()?;
        Ok(Spill {
            parts,
            objects: BufWriter::new(tempfile::tempfile()?),
            offsets: Vec::new(),
            written: 0,
            seq: 0,
        })
    }

    /// Records an object: its connector (an index) and DN; returns its index.
    pub fn object(&mut self, connector: u32, dn: &str) -> io::Result<u32> {
        let index = u32::try_from(self.offsets.len())
            .map_err(|_| io::Error::other("more than 4 billion objects"))?;
        self.offsets.push(self.written);
        self.objects.write_all(&connector.to_le_bytes())?;
        write_str(&mut self.objects, dn)?;
        self.written += 8 + u64::try_from(dn.len()).unwrap_or(u64::MAX);
        Ok(index)
    }

    /// Records a value of object `object`.
    pub fn value(
        &mut self,
        space: u8,
        attribute: u8,
        object: u32,
        key: &str,
        value: &str,
    ) -> io::Result<()> {
        let mut h = DefaultHasher::new();
        (space, key).hash(&mut h);
        let part = usize::try_from(h.finish() % PARTS as u64).unwrap_or(0);
        let w = self
            .parts
            .get_mut(part)
            .ok_or_else(|| io::Error::other("no such part"))?;
        w.write_all(&[space, attribute])?;
        w.write_all(&object.to_le_bytes())?;
        w.write_all(&self.seq.to_le_bytes())?;
        write_str(w, key)?;
        write_str(w, value)?;
        self.seq += 1;
        Ok(())
    }

    /// Hands each part's values to `f`, sorted by namespace, key and when they were
    /// written; then gives the reader of the objects.
    pub fn finish(self, mut f: impl FnMut(Vec<Held>) -> io::Result<()>) -> io::Result<Objects> {
        for part in self.parts {
            let mut file = part.into_inner().map_err(io::IntoInnerError::into_error)?;
            file.seek(SeekFrom::Start(0))?;
            let mut reader = BufReader::new(file);
            let mut held = Vec::new();
            while let Some(h) = read_held(&mut reader)? {
                held.push(h);
            }
            held.sort_unstable_by(|a, b| (a.space, &a.key, a.seq).cmp(&(b.space, &b.key, b.seq)));
            f(held)?;
        }
        let file = self
            .objects
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        Ok(Objects {
            file,
            offsets: self.offsets,
        })
    }
}

/// The objects written, read back by index.
pub(super) struct Objects {
    file: File,
    offsets: Vec<u64>,
}

impl Objects {
    /// Object `index`'s connector (an index) and DN.
    pub fn get(&mut self, index: u32) -> io::Result<(u32, String)> {
        let offset = usize::try_from(index)
            .ok()
            .and_then(|i| self.offsets.get(i))
            .copied()
            .ok_or_else(|| io::Error::other("no such object"))?;
        self.file.seek(SeekFrom::Start(offset))?;
        let mut reader = BufReader::new(&mut self.file);
        let connector = u32::from_le_bytes(array(&mut reader)?);
        Ok((connector, get_str(&mut reader)?))
    }
}

/// A string as its length (4 bytes) and its bytes, written straight to the part's buffer.
fn write_str(w: &mut impl Write, s: &str) -> io::Result<()> {
    let len = u32::try_from(s.len()).map_err(|_| io::Error::other("a value over 4 GB"))?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(s.as_bytes())
}

fn array<const N: usize>(r: &mut impl Read) -> io::Result<[u8; N]> {
    let mut b = [0u8; N];
    r.read_exact(&mut b)?;
    Ok(b)
}

fn get_str(r: &mut impl Read) -> io::Result<String> {
    let len = usize::try_from(u32::from_le_bytes(array(r)?)).unwrap_or(usize::MAX);
    let mut bytes = vec![0u8; len];
    r.read_exact(&mut bytes)?;
    String::from_utf8(bytes).map_err(io::Error::other)
}

/// The next value of a part, `None` at its end.
fn read_held(r: &mut impl Read) -> io::Result<Option<Held>> {
    let mut head = [0u8; 2];
    match r.read_exact(&mut head) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let [space, attribute] = head;
    let object = u32::from_le_bytes(array(r)?);
    let seq = u64::from_le_bytes(array(r)?);
    let key = get_str(r)?;
    let value = get_str(r)?;
    Ok(Some(Held {
        space,
        attribute,
        object,
        seq,
        key,
        value,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values come back whole, every key's holdings together in the order written, and each
    /// object's DN by its index.
    #[test]
    fn values_meet_by_key_and_objects_read_back() {
        let mut spill = Spill::new().unwrap();
        let mut written = Vec::new();
        for i in 0..500u32 {
            let dn = format!("CN=u{i},DC=x");
            assert_eq!(spill.object(i % 3, &dn).unwrap(), i);
            // Every seventh object shares its key with the one seven before it.
            let key = format!("k{}", if i % 7 == 0 { i / 7 % 5 } else { 1000 + i });
            spill.value(1, 2, i, &key, &format!("V{i}")).unwrap();
            written.push((key, i));
        }
        let mut seen = Vec::new();
        let mut objects = spill
            .finish(|held| {
                for h in held {
                    assert_eq!((h.space, h.attribute), (1, 2));
                    assert_eq!(h.value, format!("V{}", h.object));
                    seen.push((h.key, h.object));
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(seen.len(), written.len());
        // Within a part, equal keys are adjacent and in the order written.
        for pair in seen.windows(2) {
            if pair[0].0 == pair[1].0 {
                assert!(pair[0].1 < pair[1].1);
            }
        }
        seen.sort();
        written.sort();
        assert_eq!(seen, written);
        assert_eq!(
            objects.get(499).unwrap(),
            (499 % 3, "CN=u499,DC=x".to_owned())
        );
        assert_eq!(objects.get(0).unwrap(), (0, "CN=u0,DC=x".to_owned()));
        assert!(objects.get(500).is_err());
    }
}
