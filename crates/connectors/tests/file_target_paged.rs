//! `FileTarget::delta_import_paged`: the journals after a watermark handed over a page at a
//! time, to the same effect as the whole delta.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and their helpers fail loudly on broken fixtures and unexpected results"
)]

mod file_target_common;

use std::ops::ControlFlow;
use std::path::Path;

use file_target_common::{anchor, change_of, user};
use syncrules_connector::{Connector, ConnectorError, ExportOp, ImportEntry};
use syncrules_connectors::{FileTarget, coalesce};
use syncrules_lang::Value;

/// A folder with 12 adds, updates of some of them (one updated twice, in other exports)
/// and a delete, compacted along the way so that the changes span several journals.
/// Returns the watermark before the first change and one after the adds.
async fn history(dir: &Path) -> (String, String) {
    let mut target = FileTarget::new("Entra", dir).with_compaction(9, 100);
    let start = target.full_import().await.unwrap().watermark.unwrap();
    let mut anchors = Vec::new();
    for batch in 0..3 {
        let adds: Vec<_> = (0..4)
            .map(|i| {
                let n = batch * 4 + i;
                user(&format!("U{n}"), &format!("u{n}@contoso.com"))
            })
            .collect();
        anchors.extend(target.export(&adds).await.unwrap().iter().map(anchor));
    }
    let middle = target
        .delta_import(&start)
        .await
        .unwrap()
        .watermark
        .unwrap();
    for round in 0..2 {
        let updates: Vec<_> = anchors
            .iter()
            .take(5)
            .map(|a| {
                change_of(
                    ExportOp::Update,
                    a,
                    &[("jobTitle", Value::from(format!("T{round}")))],
                )
            })
            .collect();
        target.export(&updates).await.unwrap();
    }
    target
        .export(&[change_of(ExportOp::Delete, &anchors[3], &[])])
        .await
        .unwrap();
    (start, middle)
}

/// The folder's journal files.
fn journals(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("journal.")
        })
        .collect()
}

/// The pages `delta_import_paged` hands over, and its watermark.
async fn pages(
    dir: &Path,
    mark: &str,
    size: usize,
) -> Result<(Vec<Vec<ImportEntry>>, String), ConnectorError> {
    let mut target = FileTarget::new("Entra", dir);
    let mut pages = Vec::new();
    let batch = target
        .delta_import_paged(mark, size, &mut |page| {
            pages.push(page);
            ControlFlow::Continue(())
        })
        .await?;
    assert!(batch.entries.is_empty());
    let watermark = batch.watermark.unwrap();
    // Every page tells the number of changes after `mark`, as the watermarks count them:
    // at least the entries, which fold an object's changes into one.
    let changes = seq(&watermark) - seq(mark);
    for page in &pages {
        assert_eq!(page.total, Some(changes as usize), "from {mark}");
    }
    let entries: usize = pages.iter().map(|p| p.entries.len()).sum();
    assert!(
        entries <= changes as usize,
        "{entries} entries, {changes} changes"
    );
    Ok((pages.into_iter().map(|p| p.entries).collect(), watermark))
}

/// The change number a watermark (`file-target:2:<epoch>:<seq>`) ends with.
fn seq(mark: &str) -> u64 {
    mark.rsplit(':').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn pages_applied_in_order_have_the_effect_of_the_whole_delta() {
    let dir = tempfile::tempdir().unwrap();
    let (start, middle) = history(dir.path()).await;
    let journals = journals(dir.path()).len();
    assert!(journals > 2, "the changes span {journals} journals");
    for mark in [&start, &middle] {
        let whole = FileTarget::new("Entra", dir.path())
            .delta_import(mark)
            .await
            .unwrap();
        for size in [1, 2, 3, 5, 1000] {
            let (pages, watermark) = pages(dir.path(), mark, size).await.unwrap();
            assert_eq!(Some(&watermark), whole.watermark.as_ref());
            assert!(
                pages.iter().all(|p| !p.is_empty() && p.len() <= size),
                "{size}"
            );
            if size < 5 {
                assert!(pages.len() > 1, "size {size}: {} pages", pages.len());
            }
            let read: Vec<ImportEntry> = pages.into_iter().flatten().collect();
            assert_eq!(
                coalesce(read),
                whole.entries,
                "from {mark}, pages of {size}"
            );
        }
    }
}

#[tokio::test]
async fn a_gap_in_the_journal_expires_the_watermark_before_any_page_is_handed_over() {
    let dir = tempfile::tempdir().unwrap();
    let (start, _) = history(dir.path()).await;
    // A line in the middle of the longest journal removed by hand.
    let path = journals(dir.path())
        .into_iter()
        .max_by_key(|p| std::fs::read_to_string(p).unwrap().lines().count())
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 3, "{} lines", lines.len());
    let kept: Vec<&str> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, l)| *l)
        .collect();
    std::fs::write(&path, kept.join("\n") + "\n").unwrap();
    let result = pages(dir.path(), &start, 2).await;
    assert!(
        matches!(result, Err(ConnectorError::WatermarkExpired { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_page_answering_break_stops_the_import() {
    let dir = tempfile::tempdir().unwrap();
    let (start, _) = history(dir.path()).await;
    let mut target = FileTarget::new("Entra", dir.path());
    let mut handed = 0;
    target
        .delta_import_paged(&start, 2, &mut |_| {
            handed += 1;
            ControlFlow::Break(())
        })
        .await
        .unwrap();
    assert_eq!(handed, 1);
}
