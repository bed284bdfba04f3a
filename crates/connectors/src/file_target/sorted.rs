//! Sorted index files: one JSON array a line, `[key, …]`, in ascending byte order of the key.
//! A key is found by a binary search over byte offsets (a few reads, nothing loaded); a merge
//! reads the lines in order.

use std::cmp::Ordering;
use std::fs::File;
use std::io::{BufRead as _, BufReader, BufWriter, Write as _};
use std::os::unix::fs::FileExt as _;
use std::path::PathBuf;

use serde_json::Value as Json;

use super::error::{LineError, StoreError, data_error, io_error};

/// How much a read brings in at once while looking for a line's end.
const CHUNK: usize = 4096;

/// A line is sampled every this many bytes: a lookup reads about this much.
const STRIDE: u64 = 32 << 10;

/// The key and byte offset of the first line starting at or after every [`STRIDE`]th byte
/// of a sorted file, read at the first lookup by one positioned read each, mostly (a
/// 60-megabyte index of a million rows: 3,700 samples, a few milliseconds): a lookup is
/// then a search in memory and one read. Reading every line to sample one in 32, as
/// before, read the whole index (460 MB over the three indexes of a million objects) at
/// the first lookup of each run.
#[derive(Debug, Default)]
struct Samples {
    keys: Vec<String>,
    offsets: Vec<u64>,
}

/// One line of an index: its key and the rest of the array.
#[derive(Debug)]
pub(super) struct Row {
    /// The key.
    pub key: String,
    /// The values after the key.
    pub values: Vec<Json>,
}

impl Row {
    /// The value at `i` as a string.
    pub fn text(&self, i: usize) -> Option<&str> {
        self.values.get(i).and_then(Json::as_str)
    }

    /// The value at `i` as a number.
    pub fn number(&self, i: usize) -> Option<u64> {
        self.values.get(i).and_then(Json::as_u64)
    }
}

/// A sorted index file opened for lookups; a missing file is an empty index.
#[derive(Debug)]
pub(super) struct SortedFile {
    path: PathBuf,
    file: Option<File>,
    len: u64,
    samples: std::sync::OnceLock<Samples>,
}

impl SortedFile {
    /// An index with no rows.
    pub fn empty(path: PathBuf) -> SortedFile {
        SortedFile {
            path,
            file: None,
            len: 0,
            samples: std::sync::OnceLock::new(),
        }
    }

    /// Opens the file at `path`.
    pub fn open(path: PathBuf) -> Result<SortedFile, StoreError> {
        let file = File::open(&path).map_err(io_error(&path))?;
        let len = file.metadata().map_err(io_error(&path))?.len();
        Ok(SortedFile {
            path,
            file: Some(file),
            len,
            samples: std::sync::OnceLock::new(),
        })
    }

    /// The row with this key: a binary search over the sampled keys (see [`Samples`])
    /// finds the stretch of about [`STRIDE`] bytes that may hold it, which is read in one
    /// read and searched.
    pub fn find(&self, key: &str) -> Result<Option<Row>, StoreError> {
        let Some(file) = &self.file else {
            return Ok(None);
        };
        let samples = self.samples(file)?;
        let i = samples.keys.partition_point(|k| k.as_str() <= key);
        let Some(from) = i.checked_sub(1).and_then(|j| samples.offsets.get(j)) else {
            return Ok(None);
        };
        let to = samples.offsets.get(i).copied().unwrap_or(self.len);
        let mut block = vec![0u8; usize::try_from(to - from).unwrap_or(0)];
        file.read_exact_at(&mut block, *from)
            .map_err(io_error(&self.path))?;
        // Line ends found with SIMD: a stretch holds a few hundred lines.
        let mut lines: Vec<&[u8]> = Vec::with_capacity(block.len() / 128);
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', &block).chain(std::iter::once(block.len())) {
            if let Some(line) = block.get(start..end).filter(|l| !l.is_empty()) {
                lines.push(line);
            }
            start = end + 1;
        }
        let (mut lo, mut hi) = (0, lines.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let Some(line) = lines.get(mid) else { break };
            let row = parse_row(line).map_err(|m| data_error(&self.path, None, m))?;
            match row.key.as_str().cmp(key) {
                Ordering::Equal => return Ok(Some(row)),
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
            }
        }
        Ok(None)
    }

    /// The sampled keys, read at the first lookup.
    fn samples(&self, file: &File) -> Result<&Samples, StoreError> {
        if let Some(s) = self.samples.get() {
            return Ok(s);
        }
        let io = io_error(&self.path);
        let mut samples = Samples::default();
        let mut at = 0u64;
        while at < self.len {
            let Some((start, line)) = line_from(file, at, false).map_err(&io)? else {
                break;
            };
            if start >= self.len {
                break;
            }
            let row = parse_row(&line).map_err(|m| {
                data_error(
                    &self.path,
                    None,
                    format_args!("the line at byte {start}: {m}"),
                )
            })?;
            samples.keys.push(row.key);
            samples.offsets.push(start);
            // The next sample starts a stride on, and after this line.
            at = (start + line.len() as u64 + 1).max(at + STRIDE);
        }
        Ok(self.samples.get_or_init(|| samples))
    }

    /// The file's path.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The rows in order, for a merge.
    pub fn rows(&self) -> Result<Rows, StoreError> {
        let reader = match &self.file {
            Some(_) => Some(BufReader::new(
                File::open(&self.path).map_err(io_error(&self.path))?,
            )),
            None => None,
        };
        Ok(Rows {
            path: self.path.clone(),
            reader,
            line: 0,
        })
    }
}

/// The rows of a sorted file read in order.
pub(super) struct Rows {
    path: PathBuf,
    reader: Option<BufReader<File>>,
    line: u64,
}

impl Rows {
    /// No rows.
    pub fn none() -> Rows {
        Rows {
            path: PathBuf::new(),
            reader: None,
            line: 0,
        }
    }

    /// The next row and its line's bytes (newline included), or `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<(Row, Vec<u8>)>, StoreError> {
        let Some(reader) = &mut self.reader else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        if reader
            .read_until(b'\n', &mut bytes)
            .map_err(io_error(&self.path))?
            == 0
        {
            return Ok(None);
        }
        self.line += 1;
        let content = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
        let row = parse_row(content).map_err(|m| data_error(&self.path, Some(self.line), m))?;
        Ok(Some((row, bytes)))
    }
}

/// Writes a sorted file: rows must come in ascending key order.
pub(super) struct SortedWriter {
    path: PathBuf,
    out: BufWriter<File>,
    last: Option<String>,
}

impl SortedWriter {
    /// Creates (or empties) the file at `path`.
    pub fn create(path: PathBuf) -> Result<SortedWriter, StoreError> {
        let file = File::create(&path).map_err(io_error(&path))?;
        Ok(SortedWriter {
            path,
            out: BufWriter::new(file),
            last: None,
        })
    }

    /// Writes a row given as its key and values.
    pub fn row(&mut self, key: &str, values: &[Json]) -> Result<(), StoreError> {
        let mut array = Vec::with_capacity(values.len() + 1);
        array.push(Json::String(key.to_owned()));
        array.extend(values.iter().cloned());
        let mut bytes = Json::Array(array).to_string().into_bytes();
        bytes.push(b'\n');
        self.raw(key, &bytes)
    }

    /// Writes a row's line as read from another sorted file.
    pub fn raw(&mut self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        if self.last.as_deref().is_some_and(|last| last > key) {
            return Err(data_error(
                &self.path,
                None,
                format!("index rows out of order at `{key}`"),
            ));
        }
        self.last = Some(key.to_owned());
        self.out.write_all(bytes).map_err(io_error(&self.path))
    }

    /// Flushes the file to disk.
    pub fn finish(self) -> Result<(), StoreError> {
        let path = self.path;
        let file = self
            .out
            .into_inner()
            .map_err(|e| io_error(&path)(e.into_error()))?;
        file.sync_all().map_err(io_error(&path))
    }
}

/// A row from a line's bytes (without the newline).
fn parse_row(bytes: &[u8]) -> Result<Row, LineError> {
    let json: Json = serde_json::from_slice(bytes)?;
    let Json::Array(mut values) = json else {
        return Err(LineError::RowNotAnArray);
    };
    if values.is_empty() {
        return Err(LineError::RowKey);
    }
    match values.remove(0) {
        Json::String(key) => Ok(Row { key, values }),
        _ => Err(LineError::RowKey),
    }
}

/// The line starting at `start`, without its newline.
pub(super) fn read_line_at(file: &File, start: u64) -> std::io::Result<Vec<u8>> {
    Ok(line_from(file, start, true)?
        .map(|(_, line)| line)
        .unwrap_or_default())
}

/// The first line starting at or after `at` (or at `at` itself, when `starts` says a line
/// starts there): where it starts and its bytes without the newline, read by positioned
/// reads of [`CHUNK`] bytes, one for a short line; `None` past the last line.
fn line_from(file: &File, at: u64, starts: bool) -> std::io::Result<Option<(u64, Vec<u8>)>> {
    // A line starts at `at` when `at` is 0 or the byte before it is a newline: the search
    // for a newline begins at the byte before.
    let (mut start, mut pos) = if starts || at == 0 {
        (Some(at), at)
    } else {
        (None, at - 1)
    };
    let mut line = Vec::new();
    let mut buf = [0u8; CHUNK];
    loop {
        let n = file.read_at(&mut buf, pos)?;
        let mut chunk = buf.get(..n).unwrap_or_default();
        if chunk.is_empty() {
            return Ok(start.filter(|_| !line.is_empty()).map(|s| (s, line)));
        }
        if start.is_none() {
            let Some(i) = chunk.iter().position(|b| *b == b'\n') else {
                pos += n as u64;
                continue;
            };
            start = Some(pos + i as u64 + 1);
            chunk = chunk.get(i + 1..).unwrap_or_default();
        }
        if let Some(end) = chunk.iter().position(|b| *b == b'\n') {
            line.extend_from_slice(chunk.get(..end).unwrap_or_default());
            return Ok(start.map(|s| (s, line)));
        }
        line.extend_from_slice(chunk);
        pos += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_row_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.jsonl");
        let keys: Vec<String> = (0..500).map(|i| format!("k{:05}", i * 2)).collect();
        let mut writer = SortedWriter::create(path.clone()).unwrap();
        for (i, key) in keys.iter().enumerate() {
            // Rows of varied length, some longer than a read chunk, a few than a stride.
            let long = if i % 50 == 7 { 40_000 } else { 0 };
            let pad = "x".repeat((i * 37) % 5000 + long);
            writer
                .row(key, &[Json::from(i as u64), Json::from(pad)])
                .unwrap();
        }
        assert!(writer.row("a", &[]).is_err(), "out of order");
        writer.finish().unwrap();
        let index = SortedFile::open(path).unwrap();
        for (i, key) in keys.iter().enumerate() {
            let row = index.find(key).unwrap();
            assert_eq!(row.and_then(|r| r.number(0)), Some(i as u64), "{key}");
        }
        for missing in ["", "a", "k00001", "k00999", "k99999", "z"] {
            assert!(index.find(missing).unwrap().is_none(), "{missing}");
        }
        assert!(
            SortedFile::empty(PathBuf::new())
                .find("k")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn line_from_finds_the_next_line_from_any_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lines");
        // Lines shorter and longer than a read chunk, an empty one, no newline at the end.
        let lines = [
            "a".to_owned(),
            "b".repeat(CHUNK - 1),
            String::new(),
            "c".repeat(CHUNK * 2 + 3),
            "d".repeat(CHUNK),
            "e".to_owned(),
        ];
        let text = lines.join("\n");
        std::fs::write(&path, &text).unwrap();
        let file = File::open(&path).unwrap();
        let bytes = text.as_bytes();
        for at in 0..=bytes.len() as u64 + 2 {
            // The first line starting at or after `at`, found by hand.
            let mut start = at as usize;
            while start > 0 && start <= bytes.len() && bytes[start - 1] != b'\n' {
                start += 1;
            }
            let want = (start < bytes.len()).then(|| {
                let end = bytes[start..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(bytes.len(), |i| start + i);
                (start as u64, bytes[start..end].to_vec())
            });
            assert_eq!(line_from(&file, at, false).unwrap(), want, "at {at}");
        }
        assert_eq!(read_line_at(&file, 2).unwrap(), lines[1].as_bytes());
    }
}
