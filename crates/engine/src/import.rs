//! Applying an import to a connector space: new objects, changes, renames and deletes
//! become pending imports for the next sync; exported values seen back are confirmed.
//!
//! Entries are matched to existing objects by anchor first, then by DN. A full import
//! marks every object it does not mention as deleted, except objects the engine
//! provisioned that the directory has not confirmed yet.

use std::collections::HashSet;
use syncrules_lang::name::{AttrMap, Name};

use syncrules_lang::Value;
use syncrules_lang::dn::{self, DnKey};

use crate::connector::{Change, ImportBatch, ImportEntry, ImportError, ValueChange, ValueOp};
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
    /// Records skipped: the connector's [`ImportBatch::errors`], and deletes of objects the
    /// connector space does not hold.
    pub errors: Vec<ImportError>,
}

fn find(space: &ConnectorSpace, e: &ImportEntry) -> Option<CsId> {
    e.anchor
        .as_ref()
        .and_then(|a| space.by_anchor.get(a).copied())
        .or_else(|| {
            let dn = e.old_dn.as_ref().unwrap_or(&e.dn);
            space.find_dn(dn.as_str()).map(|o| o.id)
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
        if same(&v, o.attributes.get(k.as_str()).unwrap_or(&Value::Null)) {
            report.confirmed += 1;
        }
    }
}

/// Applies value-level changes to an object's attributes: adds skip values already held
/// (as [`same`] compares them), removes drop the values held, a remove without values drops
/// the attribute. Linear in the values held and changed.
fn apply_values(attrs: &mut AttrMap, changes: Vec<ValueChange>) {
    for mut c in changes {
        c.attribute = held_name(attrs, c.attribute);
        let held = attrs
            .get(c.attribute.as_str())
            .map(Value::values)
            .unwrap_or_default();
        let mut out: Vec<Value> = held.to_vec();
        match c.op {
            ValueOp::Add => {
                let mut keys: HashSet<String> = out.iter().map(value_key).collect();
                for v in c.values {
                    if !v.is_null() && keys.insert(value_key(&v)) {
                        out.push(v);
                    }
                }
            }
            ValueOp::Remove if c.values.is_empty() => out.clear(),
            ValueOp::Remove => {
                let gone: HashSet<String> = c.values.iter().map(value_key).collect();
                out.retain(|v| !gone.contains(&value_key(v)));
            }
        }
        if out.is_empty() {
            attrs.shift_remove(c.attribute.as_str());
        } else if out.len() == 1 {
            attrs.insert(c.attribute, out.swap_remove(0));
        } else {
            attrs.insert(c.attribute, Value::multi(out));
        }
    }
}

/// A value's identity for value-level changes: references compare without regard to case,
/// as directories compare DNs.
fn value_key(v: &Value) -> String {
    match v {
        Value::Ref(dn) => format!("r:{}", DnKey::new(dn)),
        // Directory strings match without regard to case (proxyAddresses, mail, ...).
        Value::Str(s) => format!("s:{}", s.to_lowercase()),
        other => format!("{}:{other}", other.kind()),
    }
}

/// The name an attribute is held under, when the object holds it under another case
/// (directories compare attribute names without regard to case); else `name`.
fn held_name(attrs: &AttrMap, name: Name) -> Name {
    syncrules_lang::name::held_name(attrs, &name).unwrap_or(name)
}

/// Attributes that hold secrets (passwords and their hashes, managed-account passwords):
/// an import drops them, so they are never kept in a connector space or written to the
/// state. Compared without regard to case.
pub const SECRET_ATTRIBUTES: &[&str] = &[
    "userPassword",
    "unicodePwd",
    "dBCSPwd",
    "ntPwdHistory",
    "lmPwdHistory",
    "supplementalCredentials",
    "msDS-ManagedPassword",
    "msDS-KeyCredentialLink",
    "msFVE-RecoveryPassword",
    "ms-Mcs-AdmPwd",
    "msLAPS-Password",
    "msLAPS-EncryptedPassword",
];

/// True for an attribute in [`SECRET_ATTRIBUTES`].
pub fn is_secret(attr: &str) -> bool {
    SECRET_ATTRIBUTES
        .iter()
        .any(|s| s.eq_ignore_ascii_case(attr))
}

/// The error of an entry with an attribute over `max` values (added ones counted too).
fn too_many_values(e: &ImportEntry, max: usize) -> Option<ImportError> {
    let over = e
        .attributes
        .iter()
        .map(|(k, v)| (k.as_str(), v.values().len()))
        .chain(
            e.value_changes
                .iter()
                .map(|c| (c.attribute.as_str(), c.values.len())),
        )
        .find(|(_, n)| *n > max)?;
    Some(ImportError {
        dn: Some(e.dn.to_string()),
        message: format!(
            "`{}` holds {} values, over the limit of {max} (values-per-attribute in sync.yaml): the object was not imported",
            over.0, over.1
        ),
    })
}

/// Drops the secret attributes of an entry.
fn without_secrets(mut e: ImportEntry) -> ImportEntry {
    if e.attributes.keys().any(|k| is_secret(k)) {
        e.attributes.retain(|k, _| !is_secret(k));
    }
    e.value_changes.retain(|c| !is_secret(&c.attribute));
    e
}

/// Applies a batch; `full` marks unmentioned objects deleted.
pub fn apply(space: &mut ConnectorSpace, batch: ImportBatch, full: bool) -> ImportReport {
    apply_with_progress(space, batch, full, usize::MAX, &mut |_| {})
}

/// [`apply`], skipping (as that object's error) an entry with an attribute of more than
/// `max_values` values, and calling `tick` with the number of entries applied every 1,024
/// entries.
pub fn apply_with_progress(
    space: &mut ConnectorSpace,
    batch: ImportBatch,
    full: bool,
    max_values: usize,
    tick: &mut dyn FnMut(usize),
) -> ImportReport {
    let mut report = ImportReport {
        errors: batch.errors,
        ..ImportReport::default()
    };
    let mut seen: HashSet<CsId> = HashSet::new();
    apply_entries(
        space,
        batch.entries,
        full,
        max_values,
        tick,
        &mut seen,
        &mut report,
    );
    if full {
        let gone: Vec<CsId> = space.objects.keys().copied().collect();
        mark_gone(space, &gone, &seen, &mut report);
    }
    if batch.watermark.is_some() {
        space.watermark = batch.watermark;
    }
    report
}

/// Applies entries (part of a batch) to a space, adding to `report` and to `seen`, the
/// objects the entries name; `full` takes them as a full import's (a delete or a change of
/// an object the space does not hold is not an error). `tick` is called with the entries
/// read so far (`report.read`) every 1,024 entries.
pub(crate) fn apply_entries(
    space: &mut ConnectorSpace,
    entries: impl IntoIterator<Item = ImportEntry>,
    full: bool,
    max_values: usize,
    tick: &mut dyn FnMut(usize),
    seen: &mut HashSet<CsId>,
    report: &mut ImportReport,
) {
    for e in entries {
        let e = without_secrets(e);
        report.read += 1;
        if report.read.is_multiple_of(1024) {
            tick(report.read);
        }
        if let Some(error) = too_many_values(&e, max_values) {
            // Not applied, and not taken as gone by a full import either.
            if let Some(id) = find(space, &e) {
                seen.insert(id);
            }
            report.errors.push(error);
            continue;
        }
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
            // A delete known by anchor alone (no DN): a directory that reports deletes by
            // identifier (RFC 4533's syncIdSet, objects moved out of scope) reports objects
            // this space never held too; those are nothing to do.
            (Change::Delete, None) if e.dn.is_root() => {}
            (Change::Delete, None) => {
                if !full {
                    report.errors.push(ImportError {
                        message: format!(
                            "`{}`: no such object to delete; the change was skipped",
                            e.dn
                        ),
                        dn: Some(e.dn.into_string()),
                    });
                }
            }
            // A delta's change to an object the space does not hold: it cannot be applied
            // (its other attributes and its type are unknown), so it is that record's error.
            (Change::Modify, None) if !full && e.object_type.is_empty() => {
                report.errors.push(ImportError {
                    message: format!(
                        "`{}`: no such object to modify; the change was skipped",
                        e.dn
                    ),
                    dn: Some(e.dn.into_string()),
                });
            }
            // A change to an object the space does not hold yet: taken as an add.
            (Change::Present | Change::Add | Change::Modify, None) => {
                let mut attributes: AttrMap = e
                    .attributes
                    .into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .collect();
                apply_values(&mut attributes, e.value_changes);
                let id = space.insert(CsObject {
                    dn: e.dn.into_string(),
                    anchor: e.anchor,
                    object_type: e.object_type,
                    attributes,
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
                    .is_some_and(|o| !dn::same(&o.dn, e.dn.as_str()))
                {
                    space.rename(id, e.dn.as_str());
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
                let new_attrs: AttrMap = match change {
                    Change::Modify => {
                        let mut attrs = o.attributes.clone();
                        for (k, v) in e.attributes {
                            let k = held_name(&attrs, k);
                            if v.is_null() {
                                attrs.shift_remove(k.as_str());
                            } else {
                                attrs.insert(k, v);
                            }
                        }
                        apply_values(&mut attrs, e.value_changes);
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
                confirm(o, report);
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
}

/// After a full import: marks deleted the objects among `ids` (in memory) that its entries
/// did not name, but those provisioned and never exported (the directory cannot know them).
pub(crate) fn mark_gone(
    space: &mut ConnectorSpace,
    ids: &[CsId],
    seen: &HashSet<CsId>,
    report: &mut ImportReport,
) {
    for id in ids {
        if seen.contains(id) {
            continue;
        }
        if let Some(o) = space.objects.get_mut(id)
            && !(o.provisioned && o.anchor.is_none())
        {
            mark(o, PendingImport::Delete);
            report.deletes += 1;
            report.changed.push(*id);
        }
    }
}

#[cfg(test)]
mod tests;
