//! Helpers of the `file_target_*` tests.

#![allow(dead_code, reason = "each test file uses some of the helpers, not all")]

use std::path::{Path, PathBuf};
use syncrules_lang::dn::Dn;

use syncrules_connector::{ExportChange, ExportOp, ExportResult, FailureClass, ImportEntry};
use syncrules_lang::Value;

/// A change of a user.
pub fn change(op: ExportOp, dn: &str, attrs: &[(&str, Value)]) -> ExportChange {
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

/// A change of the user with this anchor.
pub fn change_of(op: ExportOp, anchor: &str, attrs: &[(&str, Value)]) -> ExportChange {
    let mut c = change(op, "", attrs);
    c.anchor = Some(anchor.to_owned());
    c
}

/// The DN of user `cn`.
pub fn dn(cn: &str) -> String {
    format!("CN={cn},OU=Users,DC=contoso,DC=onmicrosoft,DC=com")
}

/// The add of a user.
pub fn user(cn: &str, upn: &str) -> ExportChange {
    change(
        ExportOp::Add,
        &dn(cn),
        &[
            ("displayName", Value::from(cn)),
            ("userPrincipalName", Value::from(upn)),
        ],
    )
}

/// The anchor a successful add returned.
pub fn anchor(result: &ExportResult) -> String {
    match result {
        ExportResult::Done { anchor: Some(a) } => a.clone(),
        other => panic!("an anchor expected, got {other:?}"),
    }
}

/// The class of a failure.
pub fn failure(result: &ExportResult) -> FailureClass {
    match result {
        ExportResult::Failed { class, .. } => *class,
        ExportResult::Duplicate { .. } => FailureClass::DuplicateAttribute,
        other => panic!("a failure expected, got {other:?}"),
    }
}

/// The entry with this anchor.
pub fn find<'a>(entries: &'a [ImportEntry], anchor: &str) -> Option<&'a ImportEntry> {
    entries.iter().find(|e| e.anchor.as_deref() == Some(anchor))
}

/// The names in a folder, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The current journal: `journal.<generation>.jsonl` of the header's generation.
pub fn journal(dir: &Path) -> PathBuf {
    let header: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("target.json")).unwrap()).unwrap();
    let generation = header["generation"].as_u64().unwrap();
    dir.join(format!("journal.{generation}.jsonl"))
}

/// Copies a folder's files (not its lock) into `to`.
pub fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for name in files(from) {
        if name != "lock" {
            std::fs::copy(from.join(&name), to.join(&name)).unwrap();
        }
    }
}
