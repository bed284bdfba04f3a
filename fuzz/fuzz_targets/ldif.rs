//! Fuzz target: arbitrary bytes through the LDIF reader, as a base file and as a change log.
//!
//! bytes → `parse_bytes` → each record typed (`entry_from_record`, `change_entry`) and
//! replayed (`Snapshot::apply`), the change entries folded (`coalesce`) → the records
//! written back (`LdifWriter`) and parsed again; and the same bytes as a change log
//! (`read_log`), read whole and in two parts.
//!
//! Besides "nothing panics, hangs or runs out of memory", it asserts:
//!
//! - every error is located on a line of the input;
//! - what the writer writes parses back to the same records (values compared as bytes, as
//!   the writer may put a text value in base64);
//! - `read_log` consumes a prefix that ends at a line end, and counts its lines;
//! - reading the log in two parts (a prefix, then the rest from where the first read
//!   stopped, as a delta import does) gives the records, torn final record and consumed length
//!   of reading it whole, unless the rest continues a record the first read took as whole
//!   (which a delta import turns into a full import).

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use syncrules_connectors::coalesce;
use syncrules_connectors::ldif::{
    AttributeTyping, LdifRecord, LdifWriter, RecordKind, Snapshot, change_entry,
    continues_a_record, entry_from_record, parse_bytes, read_log,
};

const PATH: &str = "fuzz.ldif";

/// A record with line numbers cleared and values as bytes, for comparing what was read with
/// what was written and read back.
fn normal(record: &LdifRecord) -> String {
    let attrs = |attrs: &[syncrules_connectors::ldif::Attr]| -> String {
        attrs
            .iter()
            .map(|a| format!("{}={:?};", a.name, a.value.as_bytes()))
            .collect()
    };
    let kind = match &record.kind {
        RecordKind::Content(a) => format!("content {}", attrs(a)),
        RecordKind::Add(a) => format!("add {}", attrs(a)),
        RecordKind::Delete => "delete".to_owned(),
        RecordKind::Modify(mods) => mods
            .iter()
            .map(|m| format!("{}:{} {}|", m.op.as_str(), m.attribute, attrs(&m.values)))
            .collect(),
        RecordKind::ModDn {
            new_rdn,
            delete_old_rdn,
            new_superior,
        } => format!("moddn {new_rdn:?} {delete_old_rdn} {new_superior:?}"),
    };
    format!("{:?} {kind}", record.dn)
}

fn lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count() + 1
}

fn as_base(data: &[u8]) {
    let path = Path::new(PATH);
    let records = match parse_bytes(data, path) {
        Ok(records) => records,
        Err(e) => {
            assert!(
                e.line >= 1 && e.line <= lines(data),
                "{e} outside the input"
            );
            return;
        }
    };
    let typing = AttributeTyping::active_directory();
    let mut snapshot = Snapshot::new(typing.clone());
    let mut changes = Vec::new();
    for record in &records {
        let _ = entry_from_record(record, &typing);
        if let Ok(entry) = change_entry(record, &typing) {
            changes.push(entry);
        }
        if let Err(e) = snapshot.apply(record) {
            assert!(e.line <= lines(data), "{e} outside the input");
        }
    }
    let _ = coalesce(changes);
    let _ = snapshot.into_entries();

    let mut writer = LdifWriter::new(Vec::new());
    for record in &records {
        writer.write_record(record).expect("writing to memory");
    }
    let written = writer.into_inner().expect("writing to memory");
    let back = parse_bytes(&written, path).unwrap_or_else(|e| {
        panic!(
            "written LDIF does not parse: {e}\n{}",
            String::from_utf8_lossy(&written)
        )
    });
    let want: Vec<String> = records.iter().map(normal).collect();
    let got: Vec<String> = back.iter().map(normal).collect();
    assert_eq!(got, want, "the written records read back differently");
}

fn as_log(data: &[u8]) {
    let path = Path::new(PATH);
    let whole = read_log(data, path, 1);
    if let Ok(part) = &whole {
        let consumed = data.get(..part.complete).expect("a prefix");
        assert!(consumed.is_empty() || consumed.ends_with(b"\n"));
        assert_eq!(part.lines, consumed.iter().filter(|&&b| b == b'\n').count());
    }
    // Two reads: up to a cut chosen by the input, then on from where the first stopped.
    let cut = data.len() * usize::from(data.first().copied().unwrap_or(0)) / 256;
    let Ok(first) = read_log(data.get(..cut).unwrap_or_default(), path, 1) else {
        return;
    };
    let (before, after) = data.split_at(first.complete);
    if continues_a_record(before, after) {
        return;
    }
    let second = read_log(after, path, first.lines + 1);
    match (&whole, second) {
        (Ok(whole), Ok(second)) => {
            let mut records = first.records.clone();
            records.extend(second.records);
            assert_eq!(records, whole.records, "two reads differ from one");
            assert_eq!(first.complete + second.complete, whole.complete);
            assert_eq!(second.torn, whole.torn);
        }
        (Err(a), Err(b)) => assert_eq!(a, &b, "two reads fail differently from one"),
        (whole, second) => panic!("one read gives {whole:?}, two give {second:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    as_base(data);
    as_log(data);
});
