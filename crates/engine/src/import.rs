//! Applying an import to a connector space: new objects, changes, renames and deletes
//! become pending imports for the next sync; exported values seen back are confirmed.
//!
//! Entries are matched to existing objects by anchor first, then by DN. A full import
//! marks every object it does not mention as deleted, except objects the engine
//! provisioned that the directory has not confirmed yet.

use std::collections::HashSet;

use indexmap::IndexMap;
use syncrules_lang::Value;

use crate::connector::{Change, ImportBatch, ImportEntry};
use crate::model::{ConnectorSpace, CsId, CsObject, PendingImport};
use crate::sync::outbound_same as same;

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Entries read.
    pub read: usize,
    /// New objects.
    pub adds: usize,
    /// Changed objects (attributes or DN).
    pub updates: usize,
    /// Deleted objects.
    pub deletes: usize,
    /// Exported values the import confirmed.
    pub confirmed: usize,
    /// The objects it added, changed or marked deleted, for the store to write.
    pub changed: Vec<CsId>,
}

fn find(space: &ConnectorSpace, e: &ImportEntry) -> Option<CsId> {
    e.anchor
        .as_ref()
        .and_then(|a| space.by_anchor.get(a).copied())
        .or_else(|| {
            let dn = e.old_dn.as_deref().unwrap_or(&e.dn);
            space.find_dn(dn).map(|o| o.id)
        })
}

fn mark(o: &mut CsObject, p: PendingImport) {
    o.pending_import = Some(match (o.pending_import, p) {
        (Some(PendingImport::Add), PendingImport::Update) => PendingImport::Add,
        (_, p) => p,
    });
}

/// Confirms exported values the directory now holds; values it holds differently are no
/// longer unconfirmed either, so the next outbound sync exports them again.
fn confirm(o: &mut CsObject, report: &mut ImportReport) {
    let unconfirmed = std::mem::take(&mut o.unconfirmed);
    for (k, v) in unconfirmed {
        if same(&v, o.attributes.get(&k).unwrap_or(&Value::Null)) {
            report.confirmed += 1;
        }
    }
}

/// Applies a batch; `full` marks unmentioned objects deleted.
pub fn apply(space: &mut ConnectorSpace, batch: ImportBatch, full: bool) -> ImportReport {
    let mut report = ImportReport::default();
    let mut seen: HashSet<CsId> = HashSet::new();
    for e in batch.entries {
        report.read += 1;
        let existing = find(space, &e);
        match (e.change, existing) {
            (Change::Delete, Some(id)) => {
                if let Some(o) = space.objects.get_mut(&id) {
                    mark(o, PendingImport::Delete);
                    report.deletes += 1;
                    report.changed.push(id);
                }
                seen.insert(id);
            }
            (Change::Delete, None) => {}
            // A change to an object the space does not hold yet: taken as an add.
            (Change::Present | Change::Add | Change::Modify, None) => {
                let id = space.insert(CsObject {
                    dn: e.dn,
                    anchor: e.anchor,
                    object_type: e.object_type,
                    attributes: e
                        .attributes
                        .into_iter()
                        .filter(|(_, v)| !v.is_null())
                        .collect(),
                    pending_import: Some(PendingImport::Add),
                    ..CsObject::default()
                });
                seen.insert(id);
                report.adds += 1;
                report.changed.push(id);
            }
            (change, Some(id)) => {
                seen.insert(id);
                if space
                    .objects
                    .get(&id)
                    .is_some_and(|o| !o.dn.eq_ignore_ascii_case(&e.dn))
                {
                    space.rename(id, &e.dn);
                    if let Some(o) = space.objects.get_mut(&id) {
                        mark(o, PendingImport::Update);
                    }
                    report.updates += 1;
                    report.changed.push(id);
                }
                let Some(o) = space.objects.get_mut(&id) else {
                    continue;
                };
                // Anything stored that differs: a new anchor, held values (even ones
                // `same` takes as equal), values waiting for confirmation.
                let mut differs = !o.unconfirmed.is_empty();
                if o.anchor.is_none() && e.anchor.is_some() {
                    o.anchor.clone_from(&e.anchor);
                    differs = true;
                }
                let mut changed = false;
                let new_attrs: IndexMap<String, Value> = match change {
                    Change::Modify => {
                        let mut attrs = o.attributes.clone();
                        for (k, v) in e.attributes {
                            if v.is_null() {
                                attrs.shift_remove(&k);
                            } else {
                                attrs.insert(k, v);
                            }
                        }
                        attrs
                    }
                    _ => e
                        .attributes
                        .into_iter()
                        .filter(|(_, v)| !v.is_null())
                        .collect(),
                };
                if new_attrs.len() != o.attributes.len()
                    || new_attrs
                        .iter()
                        .any(|(k, v)| !o.attributes.get(k).is_some_and(|old| same(old, v)))
                {
                    changed = true;
                }
                differs |= new_attrs != o.attributes;
                o.attributes = new_attrs;
                confirm(o, &mut report);
                if changed {
                    mark(o, PendingImport::Update);
                    report.updates += 1;
                }
                if differs || changed {
                    report.changed.push(id);
                }
                if let Some(a) = o.anchor.clone() {
                    space.by_anchor.insert(a, id);
                }
            }
        }
    }
    if full {
        let gone: Vec<CsId> = space
            .objects
            .values()
            .filter(|o| !(seen.contains(&o.id) || (o.provisioned && o.anchor.is_none())))
            .map(|o| o.id)
            .collect();
        for id in gone {
            if let Some(o) = space.objects.get_mut(&id) {
                mark(o, PendingImport::Delete);
                report.deletes += 1;
                report.changed.push(id);
            }
        }
    }
    if batch.watermark.is_some() {
        space.watermark = batch.watermark;
    }
    report
}
