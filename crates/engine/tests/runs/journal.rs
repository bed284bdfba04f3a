//! The export journal: a run that dies after the connector applied a batch and before the
//! results were committed leaves the batch in the journal, and the next run sends it again
//! marked `retry`, once.

use std::sync::{Arc, Mutex};

use indexmap::IndexMap;
use syncrules_engine::connector::{
    Change, Connector, ConnectorError, ExportChange, ExportOp, ExportResult, ImportBatch,
    ImportEntry,
};
use syncrules_engine::run::{Cycle, Engine};

use crate::common::*;
use crate::{connected, options, store_engine, user};

/// A target that applies every batch, then (while `die` is set) fails as if the process had
/// been killed before the results came back; it honours `retry` for adds.
#[derive(Clone, Default)]
struct Dying {
    objects: Arc<Mutex<IndexMap<String, ImportEntry>>>,
    retries: Arc<Mutex<Vec<(ExportOp, bool)>>>,
    die: Arc<Mutex<bool>>,
}

#[async_trait::async_trait]
impl Connector for Dying {
    fn name(&self) -> &str {
        "cloud"
    }
    async fn full_import(&mut self) -> Result<ImportBatch, ConnectorError> {
        Ok(ImportBatch {
            entries: self.objects.lock().unwrap().values().cloned().collect(),
            watermark: Some("w".into()),
            errors: Vec::new(),
        })
    }
    /// Reports nothing: the engine learns of what it exported only from the results.
    async fn delta_import(&mut self, _: &str) -> Result<ImportBatch, ConnectorError> {
        Ok(ImportBatch {
            watermark: Some("w".into()),
            ..ImportBatch::default()
        })
    }
    async fn export(
        &mut self,
        changes: &[ExportChange],
    ) -> Result<Vec<ExportResult>, ConnectorError> {
        let mut objects = self.objects.lock().unwrap();
        let mut out = Vec::new();
        for c in changes {
            self.retries.lock().unwrap().push((c.op, c.retry));
            let existing = objects
                .iter()
                .find(|(_, e)| e.dn == c.dn)
                .map(|(a, _)| a.clone());
            let anchor = match (c.op, existing, c.retry) {
                (ExportOp::Add, Some(a), true) => a,
                (ExportOp::Add, Some(_), false) => {
                    out.push(ExportResult::Failed {
                        class: syncrules_engine::connector::FailureClass::Other,
                        message: "exists".into(),
                    });
                    continue;
                }
                (ExportOp::Add, None, _) => format!("t{}", objects.len() + 1),
                (_, Some(a), _) => a,
                (_, None, _) => c.anchor.clone().unwrap_or_default(),
            };
            let e = objects.entry(anchor.clone()).or_insert_with(|| {
                entry(Change::Present, c.dn.as_str(), &anchor, &c.object_type, &[])
            });
            for (k, v) in &c.attributes {
                e.attributes.insert(*k, v.clone());
            }
            out.push(ExportResult::Done {
                anchor: Some(anchor),
            });
        }
        if *self.die.lock().unwrap() {
            return Err(ConnectorError::Unavailable {
                connector: "cloud".into(),
                message: "killed".into(),
            });
        }
        Ok(out)
    }
}

async fn cycle(e: &mut Engine, cycle: Cycle) -> Result<(), String> {
    for step in e.cycle_steps(cycle) {
        e.run_and_commit(&step).await.map_err(|x| x.to_string())?;
    }
    Ok(())
}

#[tokio::test]
async fn a_batch_applied_but_not_committed_is_sent_again_once_marked_retry() {
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = connected([user("a", "g1"), user("b", "g2")]);
    let target = Dying::default();
    *target.die.lock().unwrap() = true;
    let mut e = store_engine(
        dir.path(),
        [Box::new(source.clone()), Box::new(target.clone())],
        options(),
    );
    let died = cycle(&mut e, Cycle::Initial).await;
    assert!(died.is_err_and(|m| m.contains("killed")));
    drop(e);
    assert_eq!(
        target.objects.lock().unwrap().len(),
        2,
        "the batch was applied"
    );
    assert!(target.retries.lock().unwrap().iter().all(|(_, r)| !r));

    *target.die.lock().unwrap() = false;
    target.retries.lock().unwrap().clear();
    let mut e = store_engine(
        dir.path(),
        [Box::new(source.clone()), Box::new(target.clone())],
        options(),
    );
    cycle(&mut e, Cycle::Delta).await.unwrap();
    assert_eq!(
        *target.retries.lock().unwrap(),
        [(ExportOp::Add, true), (ExportOp::Add, true)],
        "the journaled adds are sent again, marked"
    );
    assert_eq!(target.objects.lock().unwrap().len(), 2, "not added twice");
    // Committed now: nothing is in doubt any more, and nothing is sent again.
    target.retries.lock().unwrap().clear();
    cycle(&mut e, Cycle::Delta).await.unwrap();
    cycle(&mut e, Cycle::Delta).await.unwrap();
    assert!(
        target.retries.lock().unwrap().iter().all(|(_, r)| !r),
        "{:?}",
        target.retries.lock().unwrap()
    );
    assert_eq!(target.objects.lock().unwrap().len(), 2);
}
