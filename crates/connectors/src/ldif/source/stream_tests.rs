use std::ops::ControlFlow;
use std::path::Path;

use syncrules_connector::{Connector as _, ConnectorError, ImportEntry};

use super::LdifSource;
use crate::adgen;
use crate::ldif::parse_bytes;

/// Block sizes from a few bytes (every block grows until it holds a blank line) to more than
/// the file.
const BLOCKS: [usize; 5] = [7, 333, 4096, 65_536, 8 << 20];

type Outcome = Result<(Vec<ImportEntry>, Vec<String>), String>;

fn sorted(mut entries: Vec<ImportEntry>) -> Vec<ImportEntry> {
    entries.sort_by_key(|e| e.dn.as_str().to_ascii_lowercase());
    entries
}

fn full(source: &LdifSource) -> Outcome {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut source = source.clone();
    rt.block_on(source.full_import())
        .map(|b| {
            let errors = b.errors.into_iter().map(|e| e.message).collect();
            (sorted(b.entries), errors)
        })
        .map_err(|e| e.to_string())
}

fn streamed(source: &LdifSource, block: usize, checked: bool) -> Outcome {
    let mut entries = Vec::new();
    let mut totals = Vec::new();
    let streamed = source.stream(block, checked, |e, total| {
        totals.push(total);
        entries.push(e);
        ControlFlow::Continue(())
    });
    let (errors, _) = streamed.map_err(|e: ConnectorError| e.to_string())?;
    // Checked, every object comes with the exact number of objects the import hands over;
    // unchecked, with none.
    let told = checked.then_some(entries.len());
    assert!(
        totals.iter().all(|t| *t == told),
        "told {totals:?}, handed over {}",
        entries.len()
    );
    let errors = errors.into_iter().map(|e| e.message).collect();
    Ok((sorted(entries), errors))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// A paged full import: its entries, errors and watermark, and the sizes of its pages.
fn paged(source: &LdifSource, size: usize) -> (Outcome, Option<String>, Vec<usize>) {
    let mut source = source.clone();
    let mut entries = Vec::new();
    let mut pages = Vec::new();
    let mut totals = Vec::new();
    let batch = runtime().block_on(source.full_import_paged(size, &mut |page| {
        totals.push(page.total);
        pages.push(page.entries.len());
        entries.extend(page.entries);
        ControlFlow::Continue(())
    }));
    match batch {
        Ok(b) => {
            assert!(b.entries.is_empty());
            // The check pass counts what the import hands over: every page tells it.
            let handed: usize = pages.iter().sum();
            assert!(
                totals.iter().all(|t| *t == Some(handed)),
                "told {totals:?}, handed over {handed}"
            );
            let errors = b.errors.into_iter().map(|e| e.message).collect();
            (Ok((sorted(entries), errors)), b.watermark, pages)
        }
        Err(e) => {
            assert!(pages.is_empty(), "a failed import handed over {pages:?}");
            (Err(e.to_string()), None, pages)
        }
    }
}

fn watermark_of_full(source: &LdifSource) -> Option<String> {
    let mut source = source.clone();
    runtime()
        .block_on(source.full_import())
        .ok()
        .and_then(|b| b.watermark)
}

fn generated() -> Vec<u8> {
    let mut text = Vec::new();
    adgen::write_ldif(120, 8, 7, &mut text).unwrap();
    text
}

/// The DNs of three generated users.
fn users(text: &[u8]) -> Vec<String> {
    parse_bytes(text, Path::new("x.ldif"))
        .unwrap()
        .into_iter()
        .map(|r| r.dn)
        .filter(|dn| dn.contains("OU=Employees"))
        .take(3)
        .collect()
}

fn assert_same(base: &[u8], delta: Option<&[u8]>) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("base.ldif");
    std::fs::write(&path, base).unwrap();
    let mut source = LdifSource::new("ad", &path);
    if let Some(delta) = delta {
        let delta_path = dir.path().join("delta.ldif");
        std::fs::write(&delta_path, delta).unwrap();
        source = source.with_delta(delta_path);
    }
    let whole = full(&source);
    for block in BLOCKS {
        for checked in [false, true] {
            let streamed = streamed(&source, block, checked);
            assert_eq!(streamed, whole, "block size {block}, checked {checked}");
        }
    }
    for size in [1, 7, 1000] {
        let (outcome, watermark, pages) = paged(&source, size);
        assert_eq!(outcome, whole, "page size {size}");
        if whole.is_ok() {
            assert_eq!(watermark, watermark_of_full(&source), "page size {size}");
            assert!(watermark.is_some());
            let (last, full_pages) = pages.split_last().unwrap();
            assert!(full_pages.iter().all(|&n| n == size), "{pages:?}");
            assert!((1..=size).contains(last), "{pages:?}");
        }
    }
    whole
}

#[test]
fn a_plain_export_streams_as_a_full_import_reads_it() {
    let (entries, errors) = assert_same(&generated(), None).unwrap();
    assert!(entries.len() > 120);
    assert!(errors.is_empty());
}

#[test]
fn crlf_line_ends_and_a_byte_order_mark_change_nothing() {
    let text = String::from_utf8(generated()).unwrap();
    let mut crlf = b"\xef\xbb\xbf".to_vec();
    crlf.extend(text.replace('\n', "\r\n").into_bytes());
    let (entries, _) = assert_same(&crlf, None).unwrap();
    assert_eq!(entries, assert_same(&generated(), None).unwrap().0);
}

#[test]
fn change_records_in_both_files_are_replayed_in_order() {
    let mut base = generated();
    let [a, b, c] = <[String; 3]>::try_from(users(&base)).unwrap();
    base.extend(
        format!(
            "\ndn: {a}\nchangetype: modify\nreplace: department\ndepartment: Moved\n-\n\n\
             dn: {b}\nchangetype: delete\n\n\
             dn: CN=New One,OU=Employees,OU=Corp,DC=contoso,DC=com\nchangetype: add\n\
             objectClass: top\nobjectClass: user\ncn: New One\nsAMAccountName: newone\n"
        )
        .bytes(),
    );
    let delta = format!(
        "dn: {c}\nchangetype: modrdn\nnewrdn: CN=Renamed\ndeleteoldrdn: 1\n\n\
         dn: {b}\nchangetype: delete\n\n\
         dn: {a}\nchangetype: modify\nadd: description\ndescription: from the delta\n-\n\n\
         dn: CN=New One,OU=Employees,OU=Corp,DC=contoso,DC=com\nchangetype: delete\n\n\
         dn: CN=torn,DC=contoso,DC=com\nchangetype: modify\nreplace: mS-"
    );
    let (entries, errors) = assert_same(&base, Some(delta.as_bytes())).unwrap();
    // The second delete of `b` is that record's error; the torn final record is reported.
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(entries.iter().all(|e| e.dn.as_str() != b));
    assert!(
        entries
            .iter()
            .any(|e| e.dn.as_str().starts_with("CN=Renamed,"))
    );
    assert!(!entries.iter().any(|e| e.dn.as_str().contains("New One")));
}

#[test]
fn a_duplicate_dn_or_a_cut_record_in_the_base_file_is_the_same_error() {
    let base = generated();
    let text = String::from_utf8(base.clone()).unwrap();
    let a = users(&base).remove(0);
    let record = text
        .split("\n\n")
        .find(|r| r.starts_with(&format!("dn: {a}\n")))
        .unwrap();
    let twice = format!("{text}\n{record}\n");
    assert!(assert_same(twice.as_bytes(), None).is_err());
    let cut = format!("{text}\ndn: CN=cut,DC=contoso,DC=com\ncn: cut\n");
    let error = assert_same(cut.as_bytes(), None).unwrap_err();
    assert!(error.contains("objectClass"), "{error}");
    // A change record at the end of the base file that does not apply.
    let missing = format!(
        "{text}\ndn: CN=nobody,DC=contoso,DC=com\nchangetype: modify\nreplace: cn\ncn: x\n-\n"
    );
    assert!(assert_same(missing.as_bytes(), None).is_err());
}

#[test]
fn a_paged_import_stops_when_its_receiver_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("base.ldif");
    std::fs::write(&path, generated()).unwrap();
    let mut source = LdifSource::new("ad", &path);
    let mut pages = Vec::new();
    let batch = runtime()
        .block_on(source.full_import_paged(10, &mut |page| {
            pages.push(page.entries.len());
            ControlFlow::Break(())
        }))
        .unwrap();
    assert_eq!(pages, vec![10]);
    assert!(batch.entries.is_empty());
}
