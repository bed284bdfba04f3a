//! `FileTarget`'s lock: one connector at a time on a folder.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and their helpers fail loudly on broken fixtures and unexpected results"
)]

mod file_target_common;

use file_target_common::user;
use syncrules_connectors::FileTarget;
use syncrules_engine::{Connector, ConnectorError};

#[tokio::test]
async fn a_second_connector_on_the_folder_fails_at_once_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("entra");
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
async fn the_lock_is_taken_by_the_first_operation_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("entra");
    let mut target = FileTarget::new("Entra", &folder);
    assert!(
        !folder.exists(),
        "nothing is touched before the first operation"
    );
    let mark = target.full_import().await.unwrap().watermark.unwrap();
    assert!(folder.join("lock").is_file());
    // Between operations the lock stays: another connector cannot slip in.
    let mut other = FileTarget::new("Entra", &folder);
    assert!(other.delta_import(&mark).await.is_err());
    assert!(target.delta_import(&mark).await.is_ok());
}
