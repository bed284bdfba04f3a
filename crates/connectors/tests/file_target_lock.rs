//! `FileTarget`'s lock: one connector at a time on a folder.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and their helpers fail loudly on broken fixtures and unexpected results"
)]

mod file_target_common;

use file_target_common::user;
use syncrules_connector::{Connector, ConnectorError};
use syncrules_connectors::FileTarget;

#[tokio::test]
async fn a_second_connector_on_the_folder_fails_at_once_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("entra");
    std::fs::create_dir(&folder).unwrap();
    let mut first = FileTarget::new("Entra", &folder);
    first.full_import().await.unwrap();
    assert_eq!(
        std::fs::read_to_string(folder.join("lock")).unwrap().trim(),
        std::process::id().to_string()
    );

    let mut second = FileTarget::new("Entra", &folder);
    let err = second.full_import().await.unwrap_err();
    let ConnectorError::Unavailable { message, .. } = &err else {
        panic!("unavailable expected, got {err:?}")
    };
    assert_eq!(
        *message,
        format!(
            "{} is in use by process {}",
            folder.display(),
            std::process::id()
        )
    );
    assert!(matches!(
        second.export(&[user("A", "a@contoso.com")]).await,
        Err(ConnectorError::Unavailable { .. })
    ));
    // The holder goes on; the folder is free once it is dropped.
    first.export(&[user("A", "a@contoso.com")]).await.unwrap();
    drop(first);
    assert_eq!(second.full_import().await.unwrap().entries.len(), 1);
}

#[tokio::test]
async fn the_lock_is_taken_by_the_first_operation_on_the_folder_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("entra");
    let mut target = FileTarget::new("Entra", &folder);
    // An import of a missing folder reads it as empty and creates nothing.
    let mark = target.full_import().await.unwrap().watermark.unwrap();
    assert_eq!(mark, "file-target:2:none:0");
    assert!(target.delta_import(&mark).await.unwrap().entries.is_empty());
    assert!(!folder.exists());
    // The first export creates it, and takes the lock.
    target.export(&[user("A", "a@contoso.com")]).await.unwrap();
    assert!(folder.join("lock").is_file());
    // Between operations the lock stays: another connector cannot slip in.
    let mut other = FileTarget::new("Entra", &folder);
    assert!(matches!(
        other.delta_import(&mark).await,
        Err(ConnectorError::Unavailable { .. })
    ));
    // The watermark of the missing folder reads the new folder from its start.
    let batch = target.delta_import(&mark).await.unwrap();
    assert_eq!(batch.entries.len(), 1);
    assert!(batch.watermark.unwrap().ends_with(":1"));
}
