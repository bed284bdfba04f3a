//! `FileTarget` after a crash: a journal cut anywhere in an export's write, a torn last line,
//! leftovers of interrupted writes and compactions.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and their helpers fail loudly on broken fixtures and unexpected results"
)]

mod file_target_common;

use file_target_common::{anchor, change, change_of, copy_folder, dn, files, find, journal, user};
use syncrules_connector::{Connector, ConnectorError, ExportOp};
use syncrules_connectors::FileTarget;
use syncrules_lang::Value;
use syncrules_lang::dn::Dn;

#[tokio::test]
async fn a_torn_last_journal_line_is_ignored_and_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let mut target = FileTarget::new("Entra", dir.path());
    target
        .export(&[user("A", "a@contoso.com"), user("B", "b@contoso.com")])
        .await
        .unwrap();
    drop(target);
    let path = journal(dir.path());
    let whole = std::fs::read(&path).unwrap();
    let mut torn = whole.clone();
    torn.extend_from_slice(br#"{"seq":3,"change":"add","anchor":"x","dn":"CN=C"#);
    std::fs::write(&path, &torn).unwrap();

    let mut target = FileTarget::new("Entra", dir.path());
    let batch = target.full_import().await.unwrap();
    assert_eq!(batch.entries.len(), 2);
    assert!(batch.watermark.unwrap().ends_with(":2"));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        whole,
        "the torn line is cut off"
    );

    // The journal goes on from the cut, and reads back whole.
    let results = target.export(&[user("C", "c@contoso.com")]).await.unwrap();
    let c = anchor(&results[0]);
    drop(target);
    let mut target = FileTarget::new("Entra", dir.path());
    let batch = target.full_import().await.unwrap();
    assert_eq!(batch.entries.len(), 3);
    assert_eq!(find(&batch.entries, &c).unwrap().dn.as_str(), dn("C"));
    assert!(batch.watermark.unwrap().ends_with(":3"));
}

/// The folder before and after a batch that updates A, renames B, deletes C and adds D; the
/// journal cut at every byte of the batch's write must read as each object at its old or its
/// new version, changes applied in order.
async fn cut_everywhere(compacted: bool) {
    let dir = tempfile::tempdir().unwrap();
    let mut target = FileTarget::new("Entra", dir.path());
    if compacted {
        // The first export fills the journal and is compacted; the second stays in the next.
        target = target.with_compaction(5, 100);
    }
    let added = target
        .export(&[
            user("A", "a@contoso.com"),
            user("B", "b@contoso.com"),
            user("C", "c@contoso.com"),
            user("X", "x@contoso.com"),
            user("Y", "y@contoso.com"),
        ])
        .await
        .unwrap();
    let (a, b, c) = (anchor(&added[0]), anchor(&added[1]), anchor(&added[2]));
    let path = journal(dir.path());
    let before = std::fs::metadata(&path).unwrap().len();
    assert_eq!(before == 0, compacted);
    let mut rename = change_of(ExportOp::Rename, &b, &[]);
    rename.dn = Dn::parse(&dn("B2")).unwrap();
    let results = target
        .export(&[
            change_of(ExportOp::Update, &a, &[("jobTitle", "CTO".into())]),
            rename,
            change_of(ExportOp::Delete, &c, &[]),
            user("D", "d@contoso.com"),
        ])
        .await
        .unwrap();
    let d = anchor(&results[3]);
    drop(target);
    assert_eq!(journal(dir.path()), path, "the batch was not compacted");
    let after = std::fs::read(&path).unwrap();
    assert!(after.len() as u64 > before);

    let scratch = tempfile::tempdir().unwrap();
    for cut in before..=after.len() as u64 {
        let folder = scratch.path().join(cut.to_string());
        copy_folder(dir.path(), &folder);
        let copy = folder.join(path.file_name().unwrap());
        std::fs::write(&copy, &after[..cut as usize]).unwrap();

        let mut target = FileTarget::new("Entra", &folder);
        let entries = target.full_import().await.unwrap().entries;
        let title = find(&entries, &a).unwrap().attributes.get("jobTitle");
        let b_dn = &find(&entries, &b).unwrap().dn;
        let c_there = find(&entries, &c).is_some();
        let d_entry = find(&entries, &d);
        if let Some(d_entry) = d_entry {
            assert_eq!(
                d_entry.attributes["userPrincipalName"],
                Value::from("d@contoso.com")
            );
        }
        // Applied in order: a later change only with every earlier one.
        let applied = [
            title == Some(&Value::from("CTO")),
            b_dn.as_str() == dn("B2"),
            !c_there,
            d_entry.is_some(),
        ];
        assert!(title.is_none() || applied[0], "cut at {cut}: {title:?}");
        assert!(
            b_dn.as_str() == dn("B") || applied[1],
            "cut at {cut}: {b_dn}"
        );
        let count = applied.iter().take_while(|x| **x).count();
        assert!(
            applied[count..].iter().all(|x| !x),
            "cut at {cut}: {applied:?}"
        );
        if cut == before {
            assert_eq!(count, 0);
        }
        if cut == after.len() as u64 {
            assert_eq!(count, 4);
        }
        // The folder goes on: the cut-off changes can be made again.
        let again = target.export(&[user("E", "e@contoso.com")]).await.unwrap();
        anchor(&again[0]);
        drop(target);
        std::fs::remove_dir_all(&folder).unwrap();
    }
}

#[tokio::test]
async fn an_export_cut_at_any_byte_leaves_each_object_old_or_new() {
    cut_everywhere(false).await;
}

#[tokio::test]
async fn an_export_cut_at_any_byte_over_a_snapshot_leaves_each_object_old_or_new() {
    cut_everywhere(true).await;
}

#[tokio::test]
async fn a_damaged_journal_line_before_the_last_is_a_data_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut target = FileTarget::new("Entra", dir.path());
    target.export(&[user("A", "a@contoso.com")]).await.unwrap();
    target.export(&[user("B", "b@contoso.com")]).await.unwrap();
    drop(target);
    let path = journal(dir.path());
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("\"seq\":1", "\"seq\":\"one\"", 1)).unwrap();
    let mut target = FileTarget::new("Entra", dir.path());
    let err = target.full_import().await.unwrap_err();
    assert!(matches!(err, ConnectorError::Data { .. }), "{err:?}");
    assert!(err.to_string().contains("journal.0.jsonl:1"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
}

#[tokio::test]
async fn leftovers_of_interrupted_writes_are_removed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut target = FileTarget::new("Entra", dir.path()).with_compaction(2, 100);
    let results = target
        .export(&[user("A", "a@contoso.com"), user("B", "b@contoso.com")])
        .await
        .unwrap();
    let a = anchor(&results[0]);
    drop(target);
    let kept = files(dir.path());
    assert_eq!(
        kept,
        [
            "by-anchor.1.jsonl",
            "by-dn.1.jsonl",
            "by-value.1.jsonl",
            "journal.0.jsonl",
            "journal.1.jsonl",
            "lock",
            "objects.1.jsonl",
            "target.json"
        ]
    );
    // A header write and a write of the previous layout that never finished, a compaction
    // killed before its commit, and a generation the header no longer names.
    for name in [
        ".target.json.999.0.tmp",
        ".directory.json.999.0.tmp",
        "objects.2.jsonl",
        "by-dn.2.jsonl",
        "journal.2.jsonl",
        "by-value.0.jsonl",
    ] {
        std::fs::write(dir.path().join(name), "{\"half\": ").unwrap();
    }
    let mut target = FileTarget::new("Entra", dir.path());
    let entries = target.full_import().await.unwrap().entries;
    assert_eq!(entries.len(), 2);
    assert_eq!(find(&entries, &a).unwrap().dn.as_str(), dn("A"));
    assert_eq!(files(dir.path()), kept);
    let results = target
        .export(&[change(ExportOp::Delete, &dn("B"), &[])])
        .await
        .unwrap();
    assert_eq!(results.len(), 1);
}

/// Changes a killed run handed over and sends again marked `retry` are applied once: an add
/// whose object exists updates it and reports its anchor, a delete of a missing object is
/// done; without the mark both fail, as a real duplicate would.
#[tokio::test]
async fn retried_changes_are_applied_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut target = FileTarget::new("Entra", dir.path());
    let first = target.export(&[user("A", "a@contoso.com")]).await.unwrap();
    let a = anchor(&first[0]);

    let mut again = user("A", "a2@contoso.com");
    let plain = target.export(std::slice::from_ref(&again)).await.unwrap();
    assert!(
        matches!(plain[0], syncrules_connector::ExportResult::Failed { .. }),
        "{plain:?}"
    );
    again.retry = true;
    let retried = target.export(&[again]).await.unwrap();
    assert_eq!(anchor(&retried[0]), a, "the existing object's anchor");

    let mut gone = change(ExportOp::Delete, &dn("Nobody"), &[]);
    let plain = target.export(std::slice::from_ref(&gone)).await.unwrap();
    assert!(
        matches!(plain[0], syncrules_connector::ExportResult::Failed { .. }),
        "{plain:?}"
    );
    gone.retry = true;
    let retried = target.export(&[gone]).await.unwrap();
    assert!(
        matches!(retried[0], syncrules_connector::ExportResult::Done { .. }),
        "{retried:?}"
    );

    let batch = target.full_import().await.unwrap();
    assert_eq!(batch.entries.len(), 1, "one object, not two");
    let only = find(&batch.entries, &a).unwrap();
    assert_eq!(
        only.attributes.get("userPrincipalName"),
        Some(&Value::from("a2@contoso.com"))
    );
}
