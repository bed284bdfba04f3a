//! Import steps: reading the connector (a delta, or a full import when the delta cannot
//! be read), and applying the entries over a store in batches with bounded memory.

use std::collections::HashSet;

use super::{Engine, RunError, Step, StepReport, import_report, tell};
use crate::connector::{ConnectorError, ImportBatch};
use crate::import::{ImportReport, apply_entries, mark_gone};
use crate::store::{Dirty, Loader};

/// Adds a batch's counts and errors to a step's (its changed objects are committed apart).
fn absorb(sum: &mut ImportReport, r: ImportReport) {
    sum.read += r.read;
    sum.adds += r.adds;
    sum.updates += r.updates;
    sum.deletes += r.deletes;
    sum.confirmed += r.confirmed;
    sum.errors.extend(r.errors);
}

impl Engine {
    /// Reads an import step's entries from its connector: whether they are a full import's,
    /// and why a delta import ran full.
    pub(super) async fn fetch(
        &mut self,
        step: &Step,
    ) -> Result<(ImportBatch, bool, Option<String>), RunError> {
        let name = step.connector();
        let watermark = self.state.space(name).watermark.clone();
        let connector = self
            .connectors
            .get_mut(name)
            .ok_or_else(|| RunError::UnknownConnector(name.to_owned()))?;
        if matches!(step, Step::FullImport(_)) {
            return Ok((connector.full_import().await?, true, None));
        }
        Ok(match watermark {
            Some(w) => match connector.delta_import(&w).await {
                Ok(b) => (b, false, None),
                Err(ConnectorError::WatermarkExpired { .. }) => (
                    connector.full_import().await?,
                    true,
                    Some("the delta watermark expired: ran a full import".to_owned()),
                ),
                Err(e) => return Err(e.into()),
            },
            None => (
                connector.full_import().await?,
                true,
                Some("no watermark stored yet: ran a full import".to_owned()),
            ),
        })
    }

    /// Applies an import's entries [`super::Options::sync_batch`] at a time, each batch
    /// reading the objects its entries name from the last commit, committed and dropped
    /// from memory before the next; a full import then marks deleted, batch by batch, the
    /// stored objects no entry named. The watermark is committed last, with the step's
    /// end: a run killed in between reads the same entries again, and an entry applied
    /// twice changes nothing the second time.
    pub(super) fn import_in_batches(
        &mut self,
        step: &Step,
        batch: ImportBatch,
        full: bool,
        note: Option<String>,
    ) -> Result<StepReport, RunError> {
        let name = step.connector().to_owned();
        let Engine {
            state,
            options,
            store: Some(store),
            join_keys,
            progress,
            ..
        } = self
        else {
            return Err(RunError::UnknownConnector(name));
        };
        let hook = progress.as_deref();
        let size = options.sync_batch.max(1);
        let total = batch.entries.len();
        let watermark = batch.watermark;
        let mut sum = ImportReport {
            errors: batch.errors,
            ..ImportReport::default()
        };
        let mut seen = HashSet::new();
        // What the earlier steps left in memory is committed: start from nothing.
        state.evict();
        let mut entries = batch.entries.into_iter();
        loop {
            let chunk: Vec<_> = entries.by_ref().take(size).collect();
            if chunk.is_empty() {
                break;
            }
            let loader = Loader::new(store.reader()?);
            loader.entries(state, &name, &chunk);
            loader.finish()?;
            let mut part = ImportReport::default();
            let before = sum.read;
            let mut tick = |done| tell(hook, step, before + done, total);
            let space = state.space(&name);
            let limit = options.values_per_attribute;
            apply_entries(space, chunk, full, limit, &mut tick, &mut seen, &mut part);
            commit_part(store, state, &name, &mut part, join_keys)?;
            absorb(&mut sum, part);
        }
        if full {
            let unseen: Vec<_> = store
                .reader()?
                .cs_ids(&name)?
                .into_iter()
                .filter(|id| !seen.contains(id))
                .collect();
            for ids in unseen.chunks(size) {
                let loader = Loader::new(store.reader()?);
                for id in ids {
                    loader.cs(state, &name, *id);
                }
                loader.finish()?;
                let mut part = ImportReport::default();
                mark_gone(state.space(&name), ids, &seen, &mut part);
                commit_part(store, state, &name, &mut part, join_keys)?;
                absorb(&mut sum, part);
            }
        }
        if watermark.is_some() {
            state.space(&name).watermark = watermark;
        }
        let end = Dirty {
            meta: true,
            ..Dirty::default()
        };
        store.commit(state, &end, join_keys)?;
        let mut report = import_report(step, sum, options.error_limit);
        report.changed = Dirty::default();
        report.notes.extend(note);
        Ok(report)
    }

    /// Whether a delta sync runs in batches: it has more objects to visit than a batch
    /// holds, or a killed run left metaverse objects to recompute.
    pub(super) fn delta_in_batches(&self, step: &Step) -> Result<bool, RunError> {
        match &self.store {
            Some(store) => {
                let reader = store.reader()?;
                let n = reader.to_sync(step.connector())?.len();
                Ok(n > self.options.sync_batch.max(1) || !reader.to_recompute()?.is_empty())
            }
            None => Ok(false),
        }
    }
}

/// Commits one batch of an import (with the next ids its adds took) and drops it from
/// memory.
fn commit_part(
    store: &crate::store::Store,
    state: &mut crate::model::State,
    name: &str,
    part: &mut ImportReport,
    join_keys: &crate::store::JoinKeys,
) -> Result<(), RunError> {
    let mut dirty = Dirty {
        meta: true,
        ..Dirty::default()
    };
    for id in std::mem::take(&mut part.changed) {
        dirty.cs(name, id);
    }
    store.commit(state, &dirty, join_keys)?;
    state.evict();
    Ok(())
}
