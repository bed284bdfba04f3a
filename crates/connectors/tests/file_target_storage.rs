//! `FileTarget`'s storage: what a write touches, compaction, the journals kept for delta
//! imports, objects read only when needed, the header.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and their helpers fail loudly on broken fixtures and unexpected results"
)]

mod file_target_common;

use std::path::Path;

use file_target_common::{anchor, change_of, dn, failure, files, find, journal, user};
use syncrules_connector::{Change, Connector, ConnectorError, ExportOp, FailureClass};
use syncrules_connectors::FileTarget;
use syncrules_lang::Value;

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

fn header(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&read(dir, "target.json")).unwrap()
}

#[tokio::test]
async fn an_update_appends_one_journal_line_and_leaves_the_snapshot_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut target = FileTarget::new("Entra", dir.path()).with_compaction(3, 100);
    let results = target
        .export(&[
            user("A", "a@contoso.com"),
            user("B", "b@contoso.com"),
            user("C", "c@contoso.com"),
        ])
        .await
        .unwrap();
    let b = anchor(&results[1]);
    let doc = header(dir.path());
    assert_eq!(doc["format"], "syncrules-file-target");
    assert_eq!(doc["generation"], 1);
    assert_eq!(doc["snapshot_seq"], 3);
    assert_eq!(doc["objects"], 3);
    let snapshot: Vec<Vec<u8>> = ["objects.1.jsonl", "by-anchor.1.jsonl", "by-dn.1.jsonl"]
        .iter()
        .map(|n| read(dir.path(), n))
        .collect();
    let objects = String::from_utf8(snapshot[0].clone()).unwrap();
    assert_eq!(objects.lines().count(), 3);
    let line: serde_json::Value = serde_json::from_str(objects.lines().next().unwrap()).unwrap();
    assert!(line["attributes"]["userPrincipalName"][0]["value"].is_string());

    target
        .export(&[change_of(
            ExportOp::Update,
            &b,
            &[("jobTitle", "CTO".into()), ("displayName", Value::Null)],
        )])
        .await
        .unwrap();
    let journal = std::fs::read_to_string(journal(dir.path())).unwrap();
    assert_eq!(journal.lines().count(), 1);
    let entry: serde_json::Value = serde_json::from_str(journal.trim_end()).unwrap();
    assert_eq!(entry["seq"], 4);
    assert_eq!(entry["change"], "modify");
    assert_eq!(entry["anchor"], b.as_str());
    assert_eq!(
        entry["attributes"],
        serde_json::json!({"jobTitle": [{"type": "string", "value": "CTO"}], "displayName": []})
    );
    for (name, before) in ["objects.1.jsonl", "by-anchor.1.jsonl", "by-dn.1.jsonl"]
        .iter()
        .zip(&snapshot)
    {
        assert_eq!(&read(dir.path(), name), before, "{name}");
    }
    // A batch where nothing succeeds writes nothing.
    let results = target
        .export(&[change_of(ExportOp::Delete, "no-such-anchor", &[])])
        .await
        .unwrap();
    assert_eq!(failure(&results[0]), FailureClass::NoSuchObject);
    assert_eq!(
        std::fs::read_to_string(file_target_common::journal(dir.path())).unwrap(),
        journal
    );
    let entries = target.full_import().await.unwrap().entries;
    let got = find(&entries, &b).unwrap();
    assert_eq!(got.attributes["jobTitle"], Value::from("CTO"));
    assert!(!got.attributes.contains_key("displayName"));
}

#[tokio::test]
async fn compaction_keeps_the_numbering_and_delta_imports_span_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut target = FileTarget::new("Entra", dir.path()).with_compaction(2, 100);
    let start = target.full_import().await.unwrap().watermark.unwrap();
    let results = target
        .export(&[user("A", "a@contoso.com"), user("B", "b@contoso.com")])
        .await
        .unwrap();
    let (a, b) = (anchor(&results[0]), anchor(&results[1]));
    let middle = target.delta_import(&start).await.unwrap();
    assert_eq!(middle.entries.len(), 2);
    let middle = middle.watermark.unwrap();
    assert!(middle.ends_with(":2"), "{middle}");
    let results = target
        .export(&[
            change_of(ExportOp::Update, &a, &[("jobTitle", "CTO".into())]),
            user("C", "c@contoso.com"),
        ])
        .await
        .unwrap();
    let c = anchor(&results[1]);
    assert_eq!(header(dir.path())["generation"], 2);
    assert_eq!(header(dir.path())["snapshot_seq"], 4);
    assert!(!files(dir.path()).contains(&"objects.1.jsonl".to_owned()));

    // From the start: both compacted journals, folded into one entry per object.
    let batch = target.delta_import(&start).await.unwrap();
    let got: Vec<_> = batch
        .entries
        .iter()
        .map(|e| (e.change, e.anchor.clone().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            (Change::Add, a.clone()),
            (Change::Add, b),
            (Change::Add, c.clone())
        ]
    );
    assert_eq!(batch.entries[0].attributes["jobTitle"], Value::from("CTO"));
    let end = batch.watermark.unwrap();
    assert!(end.ends_with(":4"), "{end}");
    // From the middle: the second export only.
    let batch = target.delta_import(&middle).await.unwrap();
    let got: Vec<_> = batch
        .entries
        .iter()
        .map(|e| (e.change, e.anchor.clone().unwrap()))
        .collect();
    assert_eq!(got, [(Change::Modify, a), (Change::Add, c)]);
    assert!(target.delta_import(&end).await.unwrap().entries.is_empty());
    drop(target);
    // Reopened, the same.
    let mut target = FileTarget::new("Entra", dir.path());
    assert_eq!(target.delta_import(&middle).await.unwrap().entries.len(), 2);
    assert_eq!(target.full_import().await.unwrap().entries.len(), 3);
}

#[tokio::test]
async fn watermarks_older_than_the_kept_journals_expire() {
    let dir = tempfile::tempdir().unwrap();
    // Every export is compacted; two changes are kept (one object).
    let mut target = FileTarget::new("Entra", dir.path()).with_compaction(1, 2);
    let mut marks = vec![target.full_import().await.unwrap().watermark.unwrap()];
    let results = target.export(&[user("A", "a@contoso.com")]).await.unwrap();
    let a = anchor(&results[0]);
    marks.push(
        target
            .delta_import(&marks[0])
            .await
            .unwrap()
            .watermark
            .unwrap(),
    );
    for title in ["1", "2", "3"] {
        target
            .export(&[change_of(
                ExportOp::Update,
                &a,
                &[("jobTitle", title.into())],
            )])
            .await
            .unwrap();
        let last = marks.last().unwrap().clone();
        marks.push(target.delta_import(&last).await.unwrap().watermark.unwrap());
    }
    // Changes 3 and 4 are kept: a delta import can start after change 2, not before.
    assert_eq!(header(dir.path())["generation"], 4);
    let kept: Vec<_> = files(dir.path())
        .into_iter()
        .filter(|n| n.starts_with("journal."))
        .collect();
    assert_eq!(
        kept,
        ["journal.2.jsonl", "journal.3.jsonl", "journal.4.jsonl"]
    );
    for old in &marks[..2] {
        assert!(matches!(
            target.delta_import(old).await,
            Err(ConnectorError::WatermarkExpired { .. })
        ));
    }
    let batch = target.delta_import(&marks[2]).await.unwrap();
    assert_eq!(batch.entries.len(), 1);
    assert_eq!(batch.entries[0].attributes["jobTitle"], Value::from("3"));
    assert!(
        target
            .delta_import(&marks[4])
            .await
            .unwrap()
            .entries
            .is_empty()
    );
    // A kept journal removed by hand: the watermarks it served expire, never fail.
    std::fs::remove_file(dir.path().join("journal.2.jsonl")).unwrap();
    assert!(matches!(
        target.delta_import(&marks[2]).await,
        Err(ConnectorError::WatermarkExpired { .. })
    ));
    let batch = target.delta_import(&marks[3]).await.unwrap();
    assert_eq!(batch.entries[0].attributes["jobTitle"], Value::from("3"));
}

#[tokio::test]
async fn a_damaged_object_is_noticed_only_when_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut target = FileTarget::new("Entra", dir.path()).with_compaction(3, 100);
    let results = target
        .export(&[
            user("A", "a@contoso.com"),
            user("B", "b@contoso.com"),
            user("C", "c@contoso.com"),
        ])
        .await
        .unwrap();
    let mark = target.full_import().await.unwrap().watermark.unwrap();
    drop(target);
    // Damage B's line in the snapshot, keeping its length (the index holds offsets).
    let b = anchor(&results[1]);
    let path = dir.path().join("objects.1.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let damaged: String = text
        .lines()
        .map(|l| {
            if l.contains(&b) {
                l.replace("\"dn\"", "\"DN\"")
            } else {
                l.to_owned()
            }
        })
        .map(|l| l + "\n")
        .collect();
    std::fs::write(&path, damaged).unwrap();

    // Adds, updates of other objects and delta imports never read B.
    let mut target = FileTarget::new("Entra", dir.path());
    let a = anchor(&results[0]);
    let done = target
        .export(&[
            change_of(ExportOp::Update, &a, &[("jobTitle", "CTO".into())]),
            user("D", "d@contoso.com"),
        ])
        .await
        .unwrap();
    anchor(&done[1]);
    assert_eq!(target.delta_import(&mark).await.unwrap().entries.len(), 2);
    // A full import does, and says where.
    let err = target.full_import().await.unwrap_err();
    assert!(matches!(err, ConnectorError::Data { .. }), "{err:?}");
    assert!(err.to_string().contains("objects.1.jsonl:"), "{err}");
    assert!(err.to_string().contains("`dn` must be a string"), "{err}");
}

#[tokio::test]
async fn a_damaged_header_is_a_data_error() {
    let dir = tempfile::tempdir().unwrap();
    for text in ["{\"format\": \"other\"}", "{"] {
        std::fs::write(dir.path().join("target.json"), text).unwrap();
        let mut target = FileTarget::new("Entra", dir.path());
        let err = target.full_import().await.unwrap_err();
        assert!(matches!(err, ConnectorError::Data { .. }), "{err:?}");
        assert!(err.to_string().contains("target.json"), "{err}");
        let err = target
            .export(&[user("A", "a@contoso.com")])
            .await
            .unwrap_err();
        assert!(matches!(err, ConnectorError::Data { .. }));
    }
}

#[tokio::test]
async fn other_unique_attributes_rebuild_the_value_index() {
    let dir = tempfile::tempdir().unwrap();
    let mut target = FileTarget::new("Entra", dir.path()).with_compaction(1, 100);
    let mut mailed = user("A", "a@contoso.com");
    mailed
        .attributes
        .insert("mail".into(), "A@contoso.com".into());
    target.export(&[mailed]).await.unwrap();
    drop(target);

    let mut by_mail = FileTarget::new("Entra", dir.path()).with_unique_attributes(["mail"]);
    let mut copy = user("B", "a@contoso.com");
    copy.attributes
        .insert("mail".into(), "a@CONTOSO.com".into());
    let results = by_mail
        .export(&[copy, user("C", "a@contoso.com")])
        .await
        .unwrap();
    assert_eq!(failure(&results[0]), FailureClass::DuplicateAttribute);
    anchor(&results[1]);
    assert_eq!(header(dir.path())["unique"], serde_json::json!(["mail"]));
    drop(by_mail);

    let mut target = FileTarget::new("Entra", dir.path());
    let results = target.export(&[user("D", "A@contoso.com")]).await.unwrap();
    assert_eq!(failure(&results[0]), FailureClass::DuplicateAttribute);
    let entries = target.full_import().await.unwrap().entries;
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().any(|e| e.dn.as_str() == dn("C")));
}

#[tokio::test]
async fn a_batch_larger_than_a_write_chunk_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut target = FileTarget::new("Entra", dir.path());
    // About 9 MB of lines: written in chunks of 8 MiB, flushed once.
    let padding = "x".repeat(4096);
    let users: Vec<_> = (0..2_200)
        .map(|i| {
            let mut u = user(&format!("U{i}"), &format!("u{i}@contoso.com"));
            u.attributes
                .insert("description".into(), padding.as_str().into());
            u
        })
        .collect();
    let results = target.export(&users).await.unwrap();
    let last = anchor(&results[2_199]);
    drop(target);
    let text = std::fs::read_to_string(journal(dir.path())).unwrap();
    assert!(text.len() > 8 << 20);
    assert_eq!(text.lines().count(), 2_200);
    let mut target = FileTarget::new("Entra", dir.path());
    let entries = target.full_import().await.unwrap().entries;
    assert_eq!(entries.len(), 2_200);
    assert_eq!(find(&entries, &last).unwrap().dn.as_str(), dn("U2199"));
}

#[tokio::test]
async fn a_step_that_filled_the_journal_compacts_it_when_it_ends() {
    let dir = tempfile::tempdir().unwrap();
    // Compaction due at 100 changes; a step's end settles a journal of 25 or more.
    let mut target = FileTarget::new("Entra", dir.path()).with_compaction(100, 1_000);
    let start = target.full_import().await.unwrap().watermark.unwrap();
    let users: Vec<_> = (0..30)
        .map(|i| user(&format!("U{i}"), &format!("u{i}@contoso.com")))
        .collect();
    target.export(&users).await.unwrap();
    assert_eq!(header(dir.path())["generation"], 0);
    let sorted = |mut entries: Vec<syncrules_connector::ImportEntry>| {
        entries.sort_by(|a, b| a.anchor.cmp(&b.anchor));
        entries
    };
    let before = sorted(target.full_import().await.unwrap().entries);
    target.end_export().await.unwrap();
    assert_eq!(header(dir.path())["generation"], 1);
    assert_eq!(header(dir.path())["snapshot_seq"], 30);
    assert!(sorted(target.full_import().await.unwrap().entries) == before);
    // The changes stay readable by delta imports.
    assert_eq!(target.delta_import(&start).await.unwrap().entries.len(), 30);

    // A small step on it leaves the journal alone.
    let results = target.export(&[user("V", "v@contoso.com")]).await.unwrap();
    anchor(&results[0]);
    target.end_export().await.unwrap();
    assert_eq!(header(dir.path())["generation"], 1);
}
