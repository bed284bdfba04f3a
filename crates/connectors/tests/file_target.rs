//! `FileTarget`: exports applied and read back, unique values, deterministic anchors, the
//! journal behind delta imports. The storage itself (layout, compaction, crashes, the lock,
//! the previous layout) is tested in the `file_target_*` files.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and their helpers fail loudly on broken fixtures and unexpected results"
)]

use std::path::Path;
use syncrules_lang::dn::Dn;

use syncrules_connector::{
    Change, Connector, ConnectorError, ExportChange, ExportOp, ExportResult, FailureClass,
    ImportEntry,
};
use syncrules_connectors::FileTarget;
use syncrules_lang::Value;

/// A target in `dir`; a `compacting` one compacts after every export, so that later
/// operations find their objects through the snapshot's indexes rather than the journal.
fn open(dir: &Path, compacting: bool) -> FileTarget {
    let target = FileTarget::new("Entra", dir);
    if compacting {
        target.with_compaction(1, 1_000)
    } else {
        target
    }
}

/// Runs a test twice: on the journal and on compacted snapshots.
macro_rules! journal_and_snapshot {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn journal() {
                super::$name(false).await;
            }

            #[tokio::test]
            async fn snapshot() {
                super::$name(true).await;
            }
        }
    };
}

fn change(op: ExportOp, dn: &str, attrs: &[(&str, Value)]) -> ExportChange {
    ExportChange {
        retry: false,
        op,
        dn: Dn::parse(dn).unwrap(),
        old_dn: None,
        anchor: None,
        object_type: "user".to_owned(),
        attributes: attrs
            .iter()
            .map(|(k, v)| ((*k).into(), v.clone()))
            .collect(),
    }
}

fn user(cn: &str, upn: &str, proxies: &[&str]) -> ExportChange {
    change(
        ExportOp::Add,
        &format!("CN={cn},OU=Users,DC=contoso,DC=onmicrosoft,DC=com"),
        &[
            ("displayName", Value::from(cn)),
            ("userPrincipalName", Value::from(upn)),
            (
                "proxyAddresses",
                Value::multi(proxies.iter().map(|p| Value::from(*p)).collect()),
            ),
            ("accountEnabled", Value::Bool(true)),
            ("sourceAnchor", Value::bin([1, 2, 3])),
        ],
    )
}

fn anchor(result: &ExportResult) -> String {
    match result {
        ExportResult::Done { anchor: Some(a) } => a.clone(),
        other => panic!("an anchor expected, got {other:?}"),
    }
}

fn failure(result: &ExportResult) -> FailureClass {
    match result {
        ExportResult::Failed { class, .. } => *class,
        ExportResult::Duplicate { .. } => FailureClass::DuplicateAttribute,
        other => panic!("a failure expected, got {other:?}"),
    }
}

fn find<'a>(entries: &'a [ImportEntry], anchor: &str) -> &'a ImportEntry {
    entries
        .iter()
        .find(|e| e.anchor.as_deref() == Some(anchor))
        .unwrap()
}

#[tokio::test]
async fn exports_are_read_back_by_the_confirming_import() {
    let dir = tempfile::tempdir().unwrap();
    let mut target = FileTarget::new("Entra", dir.path());
    let empty = target.full_import().await.unwrap();
    assert!(empty.entries.is_empty());
    let mark = empty.watermark.unwrap();
    assert!(
        mark.starts_with("file-target:2:") && mark.ends_with(":0"),
        "{mark}"
    );

    let results = target
        .export(&[
            user("Jane Doe", "jane@contoso.com", &["SMTP:jane@contoso.com"]),
            user(
                "John Smith",
                "john@contoso.com",
                &["SMTP:john@contoso.com", "smtp:js@contoso.com"],
            ),
        ])
        .await
        .unwrap();
    let jane = anchor(&results[0]);
    let john = anchor(&results[1]);
    assert_ne!(jane, john);

    let batch = target.full_import().await.unwrap();
    assert_eq!(batch.entries.len(), 2);
    let entry = find(&batch.entries, &jane);
    assert_eq!(entry.change, Change::Present);
    assert_eq!(
        entry.dn.as_str(),
        "CN=Jane Doe,OU=Users,DC=contoso,DC=onmicrosoft,DC=com"
    );
    assert_eq!(entry.object_type, "user");
    assert_eq!(entry.attributes["accountEnabled"], Value::Bool(true));
    assert_eq!(entry.attributes["sourceAnchor"], Value::bin([1, 2, 3]));
    assert_eq!(
        entry.attributes["proxyAddresses"],
        Value::from("SMTP:jane@contoso.com")
    );
    assert_eq!(
        find(&batch.entries, &john).attributes["proxyAddresses"]
            .values()
            .len(),
        2
    );

    // Another target given the same exports assigns the same anchors.
    let other = tempfile::tempdir().unwrap();
    let mut twin = FileTarget::new("Entra", other.path());
    let again = twin
        .export(&[user("Jane Doe", "jane@contoso.com", &[])])
        .await
        .unwrap();
    assert_eq!(anchor(&again[0]), jane);
}

journal_and_snapshot!(updates_renames_and_deletes);

async fn updates_renames_and_deletes(compacting: bool) {
    let dir = tempfile::tempdir().unwrap();
    let mut target = open(dir.path(), compacting);
    let added = target
        .export(&[user(
            "Jane Doe",
            "jane@contoso.com",
            &["SMTP:jane@contoso.com"],
        )])
        .await
        .unwrap();
    let jane = anchor(&added[0]);
    let dn = "CN=Jane Doe,OU=Users,DC=contoso,DC=onmicrosoft,DC=com";

    let mut by_anchor = change(
        ExportOp::Update,
        "CN=Ignored when the anchor is known,DC=x",
        &[("jobTitle", "CTO".into()), ("proxyAddresses", Value::Null)],
    );
    by_anchor.anchor = Some(jane.clone());
    let mut rename = change(
        ExportOp::Rename,
        "CN=Jane Roe,OU=Users,DC=contoso,DC=onmicrosoft,DC=com",
        &[("displayName", "Jane Roe".into())],
    );
    rename.old_dn = Some(Dn::parse(dn).unwrap());
    let results = target
        .export(&[
            change(
                ExportOp::Update,
                dn,
                &[("department", "Engineering".into())],
            ),
            by_anchor,
            rename,
            change(ExportOp::Update, "CN=Nobody,DC=x", &[("a", "b".into())]),
            change(ExportOp::Delete, "CN=Nobody,DC=x", &[]),
            user("Jane Roe", "roe@contoso.com", &[]),
        ])
        .await
        .unwrap();
    assert_eq!(results[0], ExportResult::Done { anchor: None });
    assert_eq!(results[1], ExportResult::Done { anchor: None });
    assert_eq!(results[2], ExportResult::Done { anchor: None });
    assert_eq!(failure(&results[3]), FailureClass::NoSuchObject);
    assert_eq!(failure(&results[4]), FailureClass::NoSuchObject);
    assert_eq!(failure(&results[5]), FailureClass::Other);

    let batch = target.full_import().await.unwrap();
    let entry = find(&batch.entries, &jane);
    assert_eq!(
        entry.dn.as_str(),
        "CN=Jane Roe,OU=Users,DC=contoso,DC=onmicrosoft,DC=com"
    );
    assert_eq!(entry.attributes["jobTitle"], Value::from("CTO"));
    assert_eq!(entry.attributes["department"], Value::from("Engineering"));
    assert_eq!(entry.attributes["displayName"], Value::from("Jane Roe"));
    assert!(!entry.attributes.contains_key("proxyAddresses"));

    let mut delete = change(ExportOp::Delete, "", &[]);
    delete.anchor = Some(jane);
    let results = target.export(&[delete]).await.unwrap();
    assert_eq!(results[0], ExportResult::Done { anchor: None });
    assert!(target.full_import().await.unwrap().entries.is_empty());
}

journal_and_snapshot!(unique_values_are_enforced_ignoring_case);

async fn unique_values_are_enforced_ignoring_case(compacting: bool) {
    let dir = tempfile::tempdir().unwrap();
    let mut target = open(dir.path(), compacting);
    let results = target
        .export(&[
            user("Jane Doe", "jane@contoso.com", &["SMTP:jane@contoso.com"]),
            user("Jane Doe 2", "JANE@Contoso.com", &[]),
            user("Jane Dupe", "dupe@contoso.com", &["smtp:Jane@contoso.com"]),
            user("Jane Fine", "fine@contoso.com", &["SMTP:fine@contoso.com"]),
        ])
        .await
        .unwrap();
    let jane = anchor(&results[0]);
    assert_eq!(failure(&results[1]), FailureClass::DuplicateAttribute);
    let ExportResult::Duplicate {
        attribute,
        value,
        holder,
        message,
    } = &results[2]
    else {
        panic!("a duplicate expected, got {:?}", results[2])
    };
    // Who holds the value, for the engine to report both objects.
    assert_eq!(
        (attribute.as_str(), value.as_str(), holder.as_str()),
        (
            "proxyAddresses",
            "smtp:Jane@contoso.com",
            "CN=Jane Doe,OU=Users,DC=contoso,DC=onmicrosoft,DC=com"
        )
    );
    assert_eq!(
        message,
        "the `proxyAddresses` value `smtp:Jane@contoso.com` is already used by \
         `CN=Jane Doe,OU=Users,DC=contoso,DC=onmicrosoft,DC=com`"
    );
    let fine = anchor(&results[3]);
    assert_eq!(target.full_import().await.unwrap().entries.len(), 2);

    // Taking another's value fails; keeping one's own is fine; a freed value can be reused.
    let mut steal = change(
        ExportOp::Update,
        "",
        &[("userPrincipalName", "Jane@contoso.com".into())],
    );
    steal.anchor = Some(fine.clone());
    let mut keep = change(
        ExportOp::Update,
        "",
        &[("userPrincipalName", "JANE@contoso.com".into())],
    );
    keep.anchor = Some(jane.clone());
    let mut free = change(ExportOp::Update, "", &[("proxyAddresses", Value::Null)]);
    free.anchor = Some(jane.clone());
    let mut reuse = change(
        ExportOp::Update,
        "",
        &[("proxyAddresses", "SMTP:jane@contoso.com".into())],
    );
    reuse.anchor = Some(fine.clone());
    let results = target.export(&[steal, keep, free, reuse]).await.unwrap();
    assert_eq!(failure(&results[0]), FailureClass::DuplicateAttribute);
    assert_eq!(
        results[1..],
        [
            ExportResult::Done { anchor: None },
            ExportResult::Done { anchor: None },
            ExportResult::Done { anchor: None }
        ]
    );

    // The index survives a reload from the folder.
    drop(target);
    let mut reopened = open(dir.path(), compacting);
    let again = reopened
        .export(&[user("Copy", "x@contoso.com", &["smtp:JANE@CONTOSO.COM"])])
        .await
        .unwrap();
    assert_eq!(failure(&again[0]), FailureClass::DuplicateAttribute);

    drop(reopened);
    let mut relaxed = FileTarget::new("Entra", dir.path()).with_unique_attributes(["mail"]);
    let results = relaxed
        .export(&[user("Copy", "jane@contoso.com", &[])])
        .await
        .unwrap();
    anchor(&results[0]);
}

journal_and_snapshot!(delta_imports_return_the_changes_since_the_watermark);

async fn delta_imports_return_the_changes_since_the_watermark(compacting: bool) {
    let dir = tempfile::tempdir().unwrap();
    let mut target = open(dir.path(), compacting);
    let results = target
        .export(&[
            user("A", "a@contoso.com", &[]),
            user("B", "b@contoso.com", &[]),
        ])
        .await
        .unwrap();
    let (a, b) = (anchor(&results[0]), anchor(&results[1]));
    let mark = target.full_import().await.unwrap().watermark.unwrap();
    assert!(target.delta_import(&mark).await.unwrap().entries.is_empty());

    let mut update = change(
        ExportOp::Update,
        "",
        &[("jobTitle", "x".into()), ("displayName", Value::Null)],
    );
    update.anchor = Some(a.clone());
    let mut update_again = change(ExportOp::Update, "", &[("jobTitle", "y".into())]);
    update_again.anchor = Some(a.clone());
    let mut delete = change(ExportOp::Delete, "", &[]);
    delete.anchor = Some(b.clone());
    let results = target
        .export(&[
            update,
            user("C", "c@contoso.com", &[]),
            update_again,
            delete,
        ])
        .await
        .unwrap();
    let c = anchor(&results[1]);

    let batch = target.delta_import(&mark).await.unwrap();
    let got: Vec<_> = batch
        .entries
        .iter()
        .map(|e| (e.change, e.anchor.clone().unwrap()))
        .collect();
    assert_eq!(
        got,
        [(Change::Modify, a), (Change::Add, c), (Change::Delete, b)]
    );
    let modify = &batch.entries[0];
    assert_eq!(modify.attributes["jobTitle"], Value::from("y"));
    assert_eq!(modify.attributes["displayName"], Value::Null);
    assert_eq!(
        batch.entries[2].dn.as_str(),
        "CN=B,OU=Users,DC=contoso,DC=onmicrosoft,DC=com"
    );

    let next = batch.watermark.unwrap();
    assert!(next.ends_with(":6"), "{next}");
    assert!(target.delta_import(&next).await.unwrap().entries.is_empty());
    let ahead = next.replace(":6", ":99");
    let other_epoch = format!("file-target:2:0123456789abcdef:{}", 3);
    for bad in [
        ahead.as_str(),
        other_epoch.as_str(),
        "file-target:1:3",
        "ldif:1:0:0:0:0",
        "",
    ] {
        assert!(matches!(
            target.delta_import(bad).await,
            Err(ConnectorError::WatermarkExpired { .. })
        ));
    }
}

#[tokio::test]
async fn invalid_adds_are_invalid_values() {
    let dir = tempfile::tempdir().unwrap();
    let mut target = FileTarget::new("Entra", dir.path());
    let mut nameless = user("A", "a@contoso.com", &[]);
    nameless.dn = Dn::default();
    let mut typeless = user("B", "b@contoso.com", &[]);
    typeless.object_type = String::new();
    let results = target.export(&[nameless, typeless]).await.unwrap();
    assert_eq!(failure(&results[0]), FailureClass::InvalidValue);
    assert_eq!(failure(&results[1]), FailureClass::InvalidValue);
}
