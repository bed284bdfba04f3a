//! A delta import read a page at a time that expires after handing pages over: the full
//! import that follows supersedes those pages, so an object only they named, and the full
//! listing does not, is deleted as any object a full import does not mention.

use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};

use syncrules_engine::connector::{
    Change, Connector, ConnectorError, ExportChange, ExportResult, ImportBatch, ImportEntry, Page,
};
use syncrules_engine::model::PendingImport;
use syncrules_engine::run::{Cycle, Options, Step};
use syncrules_lang::Value;

use crate::{Source, connected, options, store_engine, user};

/// A source whose delta hands over one page, then finds its watermark expired.
#[derive(Clone)]
struct Lapsing {
    inner: Source,
    page: Vec<ImportEntry>,
}

#[async_trait::async_trait]
impl Connector for Lapsing {
    fn name(&self) -> &str {
        self.inner.name()
    }
    async fn full_import(&mut self) -> Result<ImportBatch, ConnectorError> {
        self.inner.full_import().await
    }
    async fn delta_import(&mut self, w: &str) -> Result<ImportBatch, ConnectorError> {
        self.inner.delta_import(w).await
    }
    async fn delta_import_paged(
        &mut self,
        _: &str,
        _: usize,
        page: &mut (dyn FnMut(Page) -> ControlFlow<()> + Send),
    ) -> Result<ImportBatch, ConnectorError> {
        let _ = page(Page {
            entries: self.page.clone(),
            total: None,
        });
        Err(ConnectorError::WatermarkExpired {
            connector: self.inner.name().to_owned(),
        })
    }
    async fn export(
        &mut self,
        changes: &[ExportChange],
    ) -> Result<Vec<ExportResult>, ConnectorError> {
        self.inner.export(changes).await
    }
}

#[tokio::test]
async fn a_delta_expiring_after_a_page_is_superseded_by_the_full_import() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target) = connected([user("a", "g1"), user("b", "g2")]);
    // The page: `a` modified. The directory, by the time of the full import: `b` only.
    let mut modified = user("a", "g1");
    modified.change = Change::Modify;
    modified.attributes = [("cn".into(), Value::from("a2"))].into_iter().collect();
    let lapsing = Lapsing {
        inner: source.clone(),
        page: vec![modified],
    };
    let mut e = store_engine(
        dir.path(),
        [Box::new(lapsing), Box::new(target.clone())],
        options(),
    );
    for step in e.cycle_steps(Cycle::Initial) {
        e.run_and_commit(&step).await.unwrap();
    }
    *source.objects.lock().unwrap() = vec![user("b", "g2")];
    let report = e
        .run_and_commit(&Step::DeltaImport("ad".into()))
        .await
        .unwrap();
    assert!(
        report.notes.iter().any(|n| n.contains("expired")),
        "{:?}",
        report.notes
    );
    assert_eq!(report.deletes, 1, "{report:?}");
    let reader = e.store.as_ref().unwrap().reader().unwrap();
    let a = reader.cs_by_anchor("ad", "g1").unwrap().unwrap();
    let a = reader.cs("ad", a).unwrap().unwrap();
    assert_eq!(
        a.pending_import,
        Some(PendingImport::Delete),
        "`a`, named only by the expired delta's page, is gone"
    );
}

#[tokio::test]
async fn a_paged_delta_tells_its_total_to_the_progress_bar() {
    let dir = tempfile::tempdir().unwrap();
    // Progress is told every 1,024 entries: two pages of 1,100 and 1,000.
    let users = (0..2100).map(|i| user(&format!("u{i}"), &format!("g{i}")));
    let (source, target) = connected(users);
    let mut e = store_engine(
        dir.path(),
        [Box::new(source.clone()), Box::new(target.clone())],
        Options {
            sync_batch: 1100,
            ..options()
        },
    );
    for step in e.cycle_steps(Cycle::Initial) {
        e.run_and_commit(&step).await.unwrap();
    }
    let exported = target.objects.lock().unwrap().len();
    assert_eq!(exported, 2100);
    let told = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&told);
    e.set_progress(Box::new(move |p| {
        log.lock().unwrap().push((p.step, p.done, p.total));
    }));
    // The target's delta is read whole by the default paging, which tells its total.
    e.run_and_commit(&Step::DeltaImport("cloud".into()))
        .await
        .unwrap();
    let told = told.lock().unwrap();
    assert!(!told.is_empty());
    for (step, done, total) in told.iter() {
        assert_eq!((*step, *total), ("delta-import", exported), "{told:?}");
        assert!(*done <= *total, "{told:?}");
    }
}
