//! `FileTarget` on a folder of the previous layout, one `directory.json`: converted on its
//! first open.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and their helpers fail loudly on broken fixtures and unexpected results"
)]

mod file_target_common;

use file_target_common::{anchor, change, dn, failure, files, find, user};
use serde_json::json;
use syncrules_connector::{
    Change, Connector, ConnectorError, ExportOp, ExportResult, FailureClass,
};
use syncrules_connectors::FileTarget;
use syncrules_lang::Value;

/// A `directory.json` as the previous layout wrote it: two objects, their change log.
fn previous_layout() -> serde_json::Value {
    let upn = |v: &str| json!([{"type": "string", "value": v}]);
    json!({
        "format": "syncrules-file-target", "version": 1,
        "next_id": 2, "seq": 3, "log_floor": 0,
        "objects": [
            {"anchor": "old-anchor-b", "dn": dn("B"), "object_type": "user",
             "attributes": {"userPrincipalName": upn("b@contoso.com"),
                            "accountEnabled": [{"type": "boolean", "value": true}]}},
            {"anchor": "old-anchor-a", "dn": dn("A"), "object_type": "user",
             "attributes": {"userPrincipalName": upn("a@contoso.com")}}
        ],
        "log": [
            {"seq": 1, "change": "add", "anchor": "old-anchor-b", "dn": dn("B"),
             "object_type": "user", "attributes": {}},
            {"seq": 2, "change": "add", "anchor": "old-anchor-a", "dn": dn("A"),
             "object_type": "user", "attributes": {}},
            {"seq": 3, "change": "modify", "anchor": "old-anchor-b", "dn": dn("B"),
             "object_type": "user", "attributes": {"accountEnabled": []}}
        ]
    })
}

#[tokio::test]
async fn a_folder_in_the_previous_layout_is_converted_on_first_open() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("directory.json"),
        serde_json::to_vec_pretty(&previous_layout()).unwrap(),
    )
    .unwrap();
    let mut target = FileTarget::new("Entra", dir.path());
    let batch = target.full_import().await.unwrap();
    assert!(!dir.path().join("directory.json").exists());
    assert!(files(dir.path()).contains(&"objects.1.jsonl".to_owned()));
    // A watermark of the previous layout asks for a full import.
    assert!(matches!(
        target.delta_import("file-target:1:3").await,
        Err(ConnectorError::WatermarkExpired { .. })
    ));
    assert_eq!(batch.entries.len(), 2);
    let b = find(&batch.entries, "old-anchor-b").unwrap();
    assert_eq!(b.change, Change::Present);
    assert_eq!(b.dn.as_str(), dn("B"));
    assert_eq!(b.attributes["accountEnabled"], Value::Bool(true));
    // The change counter goes on.
    let mark = batch.watermark.unwrap();
    assert!(mark.ends_with(":3"), "{mark}");

    // The unique index and the DN index hold the converted objects; the anchor counter goes
    // on: the next add gets the anchor a fresh folder gives its third object.
    let results = target
        .export(&[
            user("A", "x@contoso.com"),
            user("Copy", "A@contoso.com"),
            user("C", "c@contoso.com"),
        ])
        .await
        .unwrap();
    assert_eq!(failure(&results[0]), FailureClass::Other);
    assert_eq!(failure(&results[1]), FailureClass::DuplicateAttribute);
    let c = anchor(&results[2]);
    let fresh = tempfile::tempdir().unwrap();
    let mut twin = FileTarget::new("Entra", fresh.path());
    let three = twin
        .export(&[
            user("1", "1@contoso.com"),
            user("2", "2@contoso.com"),
            user("3", "3@contoso.com"),
        ])
        .await
        .unwrap();
    assert_eq!(anchor(&three[2]), c);

    let delta = target.delta_import(&mark).await.unwrap();
    assert_eq!(delta.entries.len(), 1);
    assert_eq!(delta.entries[0].anchor.as_deref(), Some(c.as_str()));

    // Reopened, the folder is the new layout.
    drop(target);
    let mut reopened = FileTarget::new("Entra", dir.path());
    assert_eq!(reopened.full_import().await.unwrap().entries.len(), 3);
}

#[tokio::test]
async fn a_damaged_previous_layout_is_a_data_error_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("directory.json");
    for text in ["{", "{\"format\": \"other\"}"] {
        std::fs::write(&file, text).unwrap();
        let mut target = FileTarget::new("Entra", dir.path());
        let err = target.full_import().await.unwrap_err();
        assert!(matches!(err, ConnectorError::Data { .. }), "{err:?}");
        assert!(err.to_string().contains("directory.json"), "{err}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
        assert!(!dir.path().join("target.json").exists());
    }
}

/// A folder of layout 2, whose DN index held the lowercased DN text, is read: its first
/// open rebuilds the index with the one DN key (escapes and separator spaces as AD compares
/// them) in a new generation of the current layout.
#[tokio::test]
async fn a_folder_of_layout_2_gets_its_dn_index_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let written = dn("Doe\\2C John");
    let mut target = FileTarget::new("Entra", dir.path()).with_compaction(1, 0);
    let results = target
        .export(&[change(
            ExportOp::Add,
            &written,
            &[("userPrincipalName", Value::from("jd@contoso.com"))],
        )])
        .await
        .unwrap();
    let doe = anchor(&results[0]);
    drop(target);

    // Make it what layout 2 wrote: the header's version, and DN rows keyed by the DN text
    // lowercased.
    let header_path = dir.path().join("target.json");
    let mut header: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&header_path).unwrap()).unwrap();
    assert_eq!(header["version"], 3);
    header["version"] = json!(2);
    std::fs::write(&header_path, serde_json::to_vec_pretty(&header).unwrap()).unwrap();
    let generation = header["generation"].as_u64().unwrap();
    let index = dir.path().join(format!("by-dn.{generation}.jsonl"));
    std::fs::write(
        &index,
        format!("{}\n", json!([written.to_ascii_lowercase(), doe])),
    )
    .unwrap();

    // The same DN written with the other escape of the comma names the same object.
    let mut reopened = FileTarget::new("Entra", dir.path());
    let update = change(
        ExportOp::Update,
        &dn("Doe\\, John"),
        &[("displayName", Value::from("John Doe"))],
    );
    let results = reopened.export(&[update]).await.unwrap();
    assert_eq!(results[0], ExportResult::Done { anchor: None });
    let header: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&header_path).unwrap()).unwrap();
    assert_eq!(header["version"], 3, "converted");
    let entries = reopened.full_import().await.unwrap().entries;
    assert_eq!(entries.len(), 1);
    assert_eq!(
        find(&entries, &doe).unwrap().attributes["displayName"],
        Value::from("John Doe")
    );
}

#[tokio::test]
async fn a_folder_of_an_unknown_layout_is_refused_saying_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let mut target = FileTarget::new("Entra", dir.path());
    target.export(&[user("A", "a@contoso.com")]).await.unwrap();
    drop(target);
    let header_path = dir.path().join("target.json");
    let mut header: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&header_path).unwrap()).unwrap();
    header["version"] = json!(9);
    let text = serde_json::to_vec_pretty(&header).unwrap();
    std::fs::write(&header_path, &text).unwrap();
    let err = FileTarget::new("Entra", dir.path())
        .full_import()
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Data { .. }), "{err:?}");
    assert!(err.to_string().contains("move the folder aside"), "{err}");
    assert_eq!(std::fs::read(&header_path).unwrap(), text, "left as it was");
}
