//! The export step: the deletion threshold, then one batch to the connector, and each
//! object's result applied.

use crate::connector::{ExportChange, ExportOp, ExportResult};
use crate::model::{CsId, ExportError};
use crate::sync::ObjectError;

use super::{Engine, RunError, Status, Step, StepReport};

impl Engine {
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
        let changes: Vec<ExportChange> = pending
            .iter()
            .filter_map(|id| space.objects.get(id))
            .filter_map(|o| {
                let p = o.pending_export.as_ref()?;
                Some(ExportChange {
                    op: p.op,
                    dn: o.dn.clone(),
                    old_dn: p.old_dn.clone(),
                    anchor: o.anchor.clone(),
                    object_type: o.object_type.clone(),
                    attributes: p.attributes.clone(),
                })
            })
            .collect();
        if changes.is_empty() {
            return Ok(report);
        }
        let connector = self
            .connectors
            .get_mut(name)
            .ok_or_else(|| RunError::UnknownConnector(name.to_owned()))?;
        let results = connector.export(&changes).await?;
        let space = self.state.space(name);
        for ((id, change), result) in pending.iter().zip(&changes).zip(results) {
            report.objects += 1;
            report.changed.cs(name, *id);
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
                    if let Some(o) = space.objects.get_mut(id) {
                        o.export_error = Some(ExportError {
                            class: class.as_str().to_owned(),
                            message: message.clone(),
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
                ExportResult::Retry { message } => {
                    report
                        .notes
                        .push(format!("{}: will retry: {message}", change.dn));
                }
            }
        }
        report.status = if report.errors.len() > self.options.error_limit {
            Status::StoppedErrorLimit
        } else if report.errors.is_empty() {
            Status::Success
        } else {
            Status::CompletedWithErrors
        };
        Ok(report)
    }
}
