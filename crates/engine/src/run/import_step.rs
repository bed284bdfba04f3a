//! Import steps: reading the connector (a delta, or a full import when the delta cannot
//! be read), and applying the entries over a store in batches with bounded memory.

use std::collections::HashSet;
use std::ops::ControlFlow;

use super::{Engine, RunError, Step, StepReport, import_report, tell};
use crate::connector::{Connector, ConnectorError, ImportBatch, ImportEntry, Page};
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
        let mut entries = Vec::new();
        let read = read_delta(
            connector.as_mut(),
            step,
            watermark,
            usize::MAX,
            &mut |page| {
                entries.extend(page.entries);
                ControlFlow::Continue(())
            },
        )
        .await?;
        Ok(match read {
            Ok(mut batch) => {
                batch.entries = entries;
                (batch, false, None)
            }
            Err(note) => (connector.full_import().await?, true, note),
        })
    }

    /// Runs an import step over the store: a delta import's entries are applied
    /// [`super::Options::sync_batch`] at a time; a full import (asked for, or run because
    /// the delta cannot be read) is read a page of that size at a time
    /// ([`Connector::full_import_paged`](crate::connector::Connector::full_import_paged)), so
    /// the directory is never whole in memory. Each batch reads the objects its entries name
    /// from the last commit, and is committed and dropped from memory before the next; a
    /// full import then marks deleted, batch by batch, the stored objects no entry named.
    /// The watermark is committed last, with the step's end: a run killed in between reads
    /// the same entries again, and an entry applied twice changes nothing the second time.
    pub(super) async fn import_with_store(&mut self, step: &Step) -> Result<StepReport, RunError> {
        let name = step.connector().to_owned();
        let watermark = self.state.space(&name).watermark.clone();
        let Engine {
            state,
            options,
            store: Some(store),
            join_keys,
            progress,
            connectors,
            ..
        } = self
        else {
            return Err(RunError::UnknownConnector(name));
        };
        let connector = connectors
            .get_mut(&name)
            .ok_or_else(|| RunError::UnknownConnector(name.clone()))?;
        // What the earlier steps left in memory is committed: start from nothing.
        state.evict();
        let mut pager = Pager {
            step,
            state,
            store,
            join_keys,
            hook: progress.as_deref(),
            size: options.sync_batch.max(1),
            limit: options.values_per_attribute,
            full: false,
            total: 0,
            seen: HashSet::new(),
            sum: ImportReport::default(),
        };
        let mut failed = None;
        let size = pager.size;
        let read = read_delta(
            connector.as_mut(),
            step,
            watermark,
            size,
            &mut feed(&mut pager, &mut failed),
        )
        .await;
        if let Some(e) = failed {
            return Err(e);
        }
        let note = match read? {
            Ok(batch) => return pager.finish(batch.watermark, batch.errors, None, options),
            Err(note) => note,
        };
        // Pages of an expired delta may be applied: the full import supersedes them, and
        // its objects alone count as seen.
        pager.seen.clear();
        pager.full = true;
        let mut failed = None;
        let batch = connector
            .full_import_paged(size, &mut feed(&mut pager, &mut failed))
            .await?;
        if let Some(e) = failed {
            return Err(e);
        }
        pager.finish(batch.watermark, batch.errors, note, options)
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

/// Reads a delta import a page at a time when the step is one and the watermark allows
/// it: the import's batch (watermark and errors), or else the full import to run, with why
/// when the step asked for a delta. Pages of a delta whose watermark expires midway may
/// have been handed over.
async fn read_delta(
    connector: &mut dyn Connector,
    step: &Step,
    watermark: Option<String>,
    page_size: usize,
    page: &mut (dyn FnMut(Page) -> ControlFlow<()> + Send),
) -> Result<Result<ImportBatch, Option<String>>, RunError> {
    if matches!(step, Step::FullImport(_)) {
        return Ok(Err(None));
    }
    let Some(mark) = watermark else {
        return Ok(Err(Some(
            "no watermark stored yet: ran a full import".to_owned(),
        )));
    };
    match connector.delta_import_paged(&mark, page_size, page).await {
        Ok(batch) => Ok(Ok(batch)),
        Err(ConnectorError::WatermarkExpired { .. }) => Ok(Err(Some(
            "the delta watermark expired: ran a full import".to_owned(),
        ))),
        Err(e) => Err(e.into()),
    }
}

/// A paged import's page handler: each page applied by the pager; the first failure is
/// kept in `failed` and stops the import.
fn feed<'p>(
    pager: &'p mut Pager<'_>,
    failed: &'p mut Option<RunError>,
) -> impl FnMut(Page) -> ControlFlow<()> + Send + 'p {
    move |page| {
        pager.total = page.total.unwrap_or(0);
        match pager.page(page.entries) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                *failed = Some(e);
                ControlFlow::Break(())
            }
        }
    }
}

/// An import step over the store, applying entries a batch at a time.
struct Pager<'a> {
    step: &'a Step,
    state: &'a mut crate::model::State,
    store: &'a crate::store::Store,
    join_keys: &'a crate::store::JoinKeys,
    hook: Option<&'a super::ProgressHook>,
    /// Entries applied and committed at once.
    size: usize,
    /// Values kept per attribute.
    limit: usize,
    /// A full import: stored objects no entry names are deleted at the end.
    full: bool,
    /// Entries the step hands over in all, as the connector's pages tell it (0: not known,
    /// an import read as it goes).
    total: usize,
    /// The objects the entries named.
    seen: HashSet<crate::model::CsId>,
    sum: ImportReport,
}

impl Pager<'_> {
    /// Applies `entries`, a batch at a time, each committed and dropped from memory.
    fn page(&mut self, entries: Vec<ImportEntry>) -> Result<(), RunError> {
        let name = self.step.connector();
        let mut entries = entries.into_iter();
        loop {
            let chunk: Vec<_> = entries.by_ref().take(self.size).collect();
            if chunk.is_empty() {
                return Ok(());
            }
            let loader = Loader::new(self.store.reader()?);
            loader.entries(self.state, name, &chunk);
            loader.finish()?;
            let mut part = ImportReport::default();
            let before = self.sum.read;
            let (hook, step, total) = (self.hook, self.step, self.total);
            let mut tick = |done| tell(hook, step, before + done, total);
            let space = self.state.space(name);
            apply_entries(
                space,
                chunk,
                self.full,
                self.limit,
                &mut tick,
                &mut self.seen,
                &mut part,
            );
            commit_part(self.store, self.state, name, &mut part, self.join_keys)?;
            absorb(&mut self.sum, part);
        }
    }

    /// Ends the step: a full import deletes the stored objects no entry named; then the
    /// watermark is committed. The connector's own errors come first in the report, as
    /// they were read before the entries.
    fn finish(
        mut self,
        watermark: Option<String>,
        errors: Vec<crate::connector::ImportError>,
        note: Option<String>,
        options: &super::Options,
    ) -> Result<StepReport, RunError> {
        let name = self.step.connector();
        if self.full {
            let unseen: Vec<_> = self
                .store
                .reader()?
                .cs_ids(name)?
                .into_iter()
                .filter(|id| !self.seen.contains(id))
                .collect();
            for ids in unseen.chunks(self.size) {
                let loader = Loader::new(self.store.reader()?);
                loader.cs_many(self.state, name, ids);
                loader.finish()?;
                let mut part = ImportReport::default();
                mark_gone(self.state.space(name), ids, &self.seen, &mut part);
                commit_part(self.store, self.state, name, &mut part, self.join_keys)?;
                absorb(&mut self.sum, part);
            }
        }
        if watermark.is_some() {
            self.state.space(name).watermark = watermark;
        }
        let end = Dirty {
            meta: true,
            ..Dirty::default()
        };
        self.store.commit(self.state, &end, self.join_keys)?;
        self.sum.errors.splice(0..0, errors);
        let mut report = import_report(self.step, self.sum, options.error_limit);
        report.changed = Dirty::default();
        report.notes.extend(note);
        Ok(report)
    }
}
