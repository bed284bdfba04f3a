//! The export step: the deletion threshold, then the changes to the connector in journaled
//! batches, each batch's results applied and committed.

use std::collections::HashSet;

use syncrules_lang::dn::Dn;

use crate::connector::{ExportChange, ExportOp, ExportResult, FailureClass};
use crate::model::{ConnectorSpace, CsId, ExportError};
use crate::store::Dirty;
use crate::sync::ObjectError;

use super::{Engine, RunError, Status, Step, StepReport};

/// Changes handed to a connector at once, at most, whatever it asks for
/// ([`Connector::export_batch`](crate::connector::Connector::export_batch)).
const EXPORT_BATCH_MAX: usize = 100_000;

/// The changes of objects `ids` of `space` with a pending export, in order, and the
/// objects whose DN (computed by an outbound rule) does not parse: that object's export
/// error, never handed to the connector. `in_doubt`: objects a killed run handed over
/// without storing the results, sent again marked so that the connector makes them
/// idempotent.
fn prepare(
    space: &ConnectorSpace,
    ids: &[CsId],
    in_doubt: &HashSet<CsId>,
) -> (Vec<CsId>, Vec<ExportChange>, Vec<(CsId, String)>) {
    let mut out_ids: Vec<CsId> = Vec::with_capacity(ids.len());
    let mut changes: Vec<ExportChange> = Vec::with_capacity(ids.len());
    let mut invalid: Vec<(CsId, String)> = Vec::new();
    for o in ids.iter().filter_map(|id| space.objects.get(id)) {
        let Some(p) = o.pending_export.as_ref() else {
            continue;
        };
        let parsed = Dn::parse(&o.dn).and_then(|dn| {
            let old_dn = p.old_dn.as_deref().map(Dn::parse).transpose()?;
            Ok((dn, old_dn))
        });
        match parsed {
            Ok((dn, old_dn)) => {
                out_ids.push(o.id);
                changes.push(ExportChange {
                    op: p.op,
                    dn,
                    old_dn,
                    anchor: o.anchor.clone(),
                    object_type: o.object_type.clone(),
                    attributes: p.attributes.clone(),
                    retry: in_doubt.contains(&o.id),
                });
            }
            Err(e) => invalid.push((o.id, format!("not a valid DN: {e}"))),
        }
    }
    (out_ids, changes, invalid)
}

impl Engine {
    /// The export step over the objects in memory (with a store, those with a pending
    /// export, read in by the caller).
    pub(super) async fn export(&mut self, step: &Step, name: &str) -> Result<StepReport, RunError> {
        let mut report = StepReport::new(step);
        if self.options.staging {
            report.status = Status::SkippedStaging;
            return Ok(report);
        }
        let space = self.state.space(name);
        let pending: Vec<CsId> = space
            .objects
            .values()
            .filter(|o| o.pending_export.is_some())
            .map(|o| o.id)
            .collect();
        if let Some(stop) = super::threshold::exceeded(&self.options, name, space, &pending) {
            report.status = Status::StoppedDeletionThreshold;
            report.deletes = stop.deletes;
            report.notes = stop.notes;
            return Ok(report);
        }
        let in_doubt: HashSet<CsId> = match &self.store {
            Some(store) => store.reader()?.in_doubt(name)?.into_iter().collect(),
            None => HashSet::new(),
        };
        let (ids, changes, invalid) = prepare(self.state.space(name), &pending, &in_doubt);
        let total = changes.len();
        self.send(step, name, &ids, &changes, invalid, &mut report, (0, total))
            .await?;
        self.end_export(name, total, &mut report).await;
        report.status = self.export_status(&report);
        Ok(report)
    }

    /// The export step over a store, [`super::Options::sync_batch`] pending exports at a
    /// time: the deletion threshold first counts every pending export (a batch at a time),
    /// then each batch is read, sent and committed, and dropped from memory.
    pub(super) async fn export_in_batches(
        &mut self,
        step: &Step,
        name: &str,
    ) -> Result<StepReport, RunError> {
        let mut report = StepReport::new(step);
        if self.options.staging {
            report.status = Status::SkippedStaging;
            return Ok(report);
        }
        let Some(store) = &self.store else {
            return self.export(step, name).await;
        };
        let reader = store.reader()?;
        let pending = reader.to_export(name)?;
        let in_doubt: HashSet<CsId> = reader.in_doubt(name)?.into_iter().collect();
        drop(reader);
        let size = self.options.sync_batch.max(1);
        // What the earlier steps left in memory is committed: start from nothing.
        self.state.evict();
        if !self.options.allow_deletes {
            let mut tally = super::threshold::Tally::default();
            for batch in pending.chunks(size) {
                self.load(name, batch)?;
                tally.add(self.state.space(name), batch);
                // One batch stays in memory for the export that follows.
                if pending.len() > size {
                    self.state.evict();
                }
            }
            let stored = self.state.space(name).len();
            if let Some(stop) = super::threshold::exceeded_by(&self.options, name, stored, &tally) {
                report.status = Status::StoppedDeletionThreshold;
                report.deletes = stop.deletes;
                report.notes = stop.notes;
                return Ok(report);
            }
        }
        let total = pending.len();
        let mut done = 0;
        for batch in pending.chunks(size) {
            self.load(name, batch)?;
            let (ids, changes, invalid) = prepare(self.state.space(name), batch, &in_doubt);
            done = self
                .send(
                    step,
                    name,
                    &ids,
                    &changes,
                    invalid,
                    &mut report,
                    (done, total),
                )
                .await?;
            self.state.evict();
        }
        self.end_export(name, total, &mut report).await;
        report.status = self.export_status(&report);
        Ok(report)
    }

    /// Tells the connector the step handed over its last batch, when it handed over any;
    /// what fails then is a note (every change is written already).
    async fn end_export(&mut self, name: &str, sent: usize, report: &mut StepReport) {
        if sent == 0 {
            return;
        }
        if let Some(connector) = self.connectors.get_mut(name)
            && let Err(e) = connector.end_export().await
        {
            report
                .notes
                .push(format!("after the export, the connector reported: {e}"));
        }
    }

    /// Makes objects `ids` of `name` resident.
    fn load(&mut self, name: &str, ids: &[CsId]) -> Result<(), RunError> {
        if let Some(store) = &self.store {
            let loader = crate::store::Loader::new(store.reader()?);
            loader.cs_many(&mut self.state, name, ids);
            loader.finish()?;
        }
        Ok(())
    }

    fn export_status(&self, report: &StepReport) -> Status {
        if report.errors.len() > self.options.error_limit {
            Status::StoppedErrorLimit
        } else if report.errors.is_empty() {
            Status::Success
        } else {
            Status::CompletedWithErrors
        }
    }

    /// Records the invalid DNs' errors, then hands `changes` to the connector in its
    /// batches: each is journaled before the connector sees it and its results are
    /// committed with the journal entries' removal, so a kill re-sends at most one batch,
    /// marked as possibly applied. `progress` is the changes done before and in all; the
    /// changes done after is returned.
    #[allow(
        clippy::too_many_arguments,
        reason = "the step, its connector, the batch and where it stands in the step"
    )]
    async fn send(
        &mut self,
        step: &Step,
        name: &str,
        ids: &[CsId],
        changes: &[ExportChange],
        invalid: Vec<(CsId, String)>,
        report: &mut StepReport,
        progress: (usize, usize),
    ) -> Result<usize, RunError> {
        let (mut done, total) = progress;
        if !invalid.is_empty() {
            let mut changed = Dirty::default();
            let space = self.state.space(name);
            for (id, message) in invalid {
                report.objects += 1;
                changed.cs(name, id);
                let class = FailureClass::InvalidValue;
                record_failure(space, name, id, class, &message, report);
            }
            match &self.store {
                Some(store) => store.commit(&mut self.state, &changed, &self.join_keys)?,
                None => report.changed.merge(changed),
            }
        }
        if changes.is_empty() {
            return Ok(done);
        }
        let connector = self
            .connectors
            .get_mut(name)
            .ok_or_else(|| RunError::UnknownConnector(name.to_owned()))?;
        let size = connector.export_batch().clamp(1, EXPORT_BATCH_MAX);
        for (ids, chunk) in ids.chunks(size).zip(changes.chunks(size)) {
            if let Some(store) = &self.store {
                store.journal(name, ids)?;
            }
            let results = connector.export(chunk).await?;
            let mut changed = Dirty::default();
            apply_results(
                self.state.space(name),
                name,
                ids.iter().zip(chunk).zip(results),
                report,
                &mut changed,
            );
            changed.exported = ids.iter().map(|id| (name.to_owned(), *id)).collect();
            match &self.store {
                Some(store) => store.commit(&mut self.state, &changed, &self.join_keys)?,
                None => report.changed.merge(changed),
            }
            done += chunk.len();
            if let Some(hook) = &self.progress {
                hook(super::Progress {
                    step: step.name(),
                    connector: name,
                    done,
                    total,
                });
            }
        }
        Ok(done)
    }
}

/// Applies one batch's results to the connector space: done exports become unconfirmed
/// values (or remove the object, for a delete), failures the object's export error.
fn apply_results<'a>(
    space: &mut ConnectorSpace,
    name: &str,
    results: impl Iterator<Item = ((&'a CsId, &'a ExportChange), ExportResult)>,
    report: &mut StepReport,
    changed: &mut Dirty,
) {
    for ((id, change), result) in results {
        report.objects += 1;
        changed.cs(name, *id);
        match result {
            ExportResult::Done { anchor } => {
                match change.op {
                    ExportOp::Add => report.adds += 1,
                    ExportOp::Update => report.updates += 1,
                    ExportOp::Rename => report.renames += 1,
                    ExportOp::Delete => report.deletes += 1,
                }
                if change.op == ExportOp::Delete {
                    space.remove(*id);
                    continue;
                }
                if let Some(o) = space.objects.get_mut(id) {
                    if let Some(p) = o.pending_export.take() {
                        for (k, v) in p.attributes {
                            o.unconfirmed.insert(k, v);
                        }
                    }
                    o.export_error = None;
                    if o.anchor.is_none() {
                        o.anchor = anchor;
                    }
                }
                if let Some(o) = space.objects.get(id).cloned() {
                    space.index(&o);
                }
            }
            ExportResult::Failed { class, message } => {
                record_failure(space, name, *id, class, &message, report);
            }
            ExportResult::Duplicate {
                attribute,
                value,
                holder,
                message,
            } => {
                let class = FailureClass::DuplicateAttribute;
                record_failure(space, name, *id, class, &message, report);
                // The other side of the conflict: the object already holding the value,
                // so that both people behind it are found from the report.
                report.errors.push(ObjectError {
                    connector: name.to_owned(),
                    object: holder.into_string(),
                    rule: None,
                    message: format!(
                        "{}: holds the `{attribute}` value `{value}` that `{}` also needs, which was refused; change the value on one of them",
                        class.as_str(),
                        change.dn
                    ),
                    flow: None,
                });
            }
            ExportResult::Retry { message } => {
                report
                    .notes
                    .push(format!("{}: will retry: {message}", change.dn));
            }
        }
    }
}

/// Records a failed export as the object's export error and the step's error.
fn record_failure(
    space: &mut ConnectorSpace,
    name: &str,
    id: CsId,
    class: FailureClass,
    message: &str,
    report: &mut StepReport,
) {
    if let Some(o) = space.objects.get_mut(&id) {
        o.export_error = Some(ExportError {
            class: class.as_str().to_owned(),
            message: message.to_owned(),
        });
        report.errors.push(ObjectError {
            connector: name.to_owned(),
            object: o.dn.clone(),
            rule: None,
            message: format!("{}: {message}", class.as_str()),
            flow: None,
        });
    }
}
