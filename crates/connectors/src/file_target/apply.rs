//! Applying one export change to the directory, as Entra ID would: adds get a new anchor,
//! updates and renames need the object, unique values stay unique.

use syncrules_connector::{
    Change, ExportChange, ExportOp, ExportResult, FailureClass, ImportEntry,
};
use syncrules_lang::Value;
use syncrules_lang::name::{AttrMap, Name, held_name};

use super::codec::{anchor_for, unique_key};
use super::error::StoreError;
use super::store::Store;

fn failed(class: FailureClass, message: String) -> ExportResult {
    ExportResult::Failed { class, message }
}

impl Store {
    /// Applies one change (logging it for the batch); a failed change leaves the directory
    /// as it was. An error is the folder's, not the change's.
    pub(super) fn apply(&mut self, change: &ExportChange) -> Result<ExportResult, StoreError> {
        match change.op {
            ExportOp::Add => self.add(change),
            ExportOp::Update | ExportOp::Rename => self.update(change),
            ExportOp::Delete => self.delete(change),
        }
    }

    /// The object a change is about: by its anchor when known, else by DN.
    fn find(
        &self,
        change: &ExportChange,
        dn: &str,
    ) -> Result<Option<(String, ImportEntry)>, StoreError> {
        if let Some(anchor) = &change.anchor
            && let Some(object) = self.object(anchor)?
        {
            return Ok(Some((anchor.clone(), object)));
        }
        let Some(anchor) = self.anchor_by_dn(dn)? else {
            return Ok(None);
        };
        Ok(self.object(&anchor)?.map(|o| (anchor, o)))
    }

    fn add(&mut self, change: &ExportChange) -> Result<ExportResult, StoreError> {
        if change.dn.is_root() || change.object_type.trim().is_empty() {
            return Ok(failed(
                FailureClass::InvalidValue,
                "a new object needs a dn and an object type".to_owned(),
            ));
        }
        if let Some(existing) = self.anchor_by_dn(change.dn.as_str())? {
            // An add sent again after a run was killed once it was applied: the object is
            // the one added then; bring it to these attributes and report its anchor.
            if change.retry
                && let Some(current) = self.object(&existing)?
                && current.object_type == change.object_type
            {
                let again = ExportChange {
                    op: ExportOp::Update,
                    anchor: Some(existing.clone()),
                    ..change.clone()
                };
                return Ok(match self.update(&again)? {
                    ExportResult::Done { .. } => ExportResult::Done {
                        anchor: Some(existing),
                    },
                    other => other,
                });
            }
            return Ok(failed(
                FailureClass::Other,
                format!("`{}` already exists", change.dn),
            ));
        }
        let mut attributes = AttrMap::default();
        set_attributes(&mut attributes, &change.attributes);
        if let Some(duplicate) = self.duplicate(None, &attributes)? {
            return Ok(duplicate);
        }
        let anchor = anchor_for(self.next_id);
        self.log(ImportEntry {
            value_changes: Vec::new(),
            change: Change::Add,
            dn: change.dn.clone(),
            old_dn: None,
            anchor: Some(anchor.clone()),
            object_type: change.object_type.clone(),
            attributes,
        })?;
        Ok(ExportResult::Done {
            anchor: Some(anchor),
        })
    }

    /// An update, or a rename (from `old_dn`, or the anchor, to `dn`) with its attributes.
    fn update(&mut self, change: &ExportChange) -> Result<ExportResult, StoreError> {
        let rename = change.op == ExportOp::Rename;
        let from = match (&change.old_dn, rename) {
            (Some(old), true) => old.as_str(),
            _ => change.dn.as_str(),
        };
        let Some((anchor, current)) = self.find(change, from)? else {
            return Ok(failed(
                FailureClass::NoSuchObject,
                format!("`{from}` does not exist"),
            ));
        };
        let mut next = current.clone();
        let old_dn = (rename && current.dn != change.dn).then(|| current.dn.clone());
        if old_dn.is_some() {
            let holder = self.anchor_by_dn(change.dn.as_str())?;
            if holder.is_some_and(|h| h != anchor) {
                return Ok(failed(
                    FailureClass::Other,
                    format!("`{}` already exists", change.dn),
                ));
            }
            next.dn.clone_from(&change.dn);
        }
        let touched = set_attributes(&mut next.attributes, &change.attributes);
        let changed: AttrMap = touched
            .iter()
            .map(|n| {
                (
                    *n,
                    next.attributes
                        .get(n.as_str())
                        .cloned()
                        .unwrap_or(Value::Null),
                )
            })
            .collect();
        if let Some(duplicate) = self.duplicate(Some(&anchor), &changed)? {
            return Ok(duplicate);
        }
        self.log(ImportEntry {
            value_changes: Vec::new(),
            change: Change::Modify,
            dn: next.dn,
            old_dn,
            anchor: Some(anchor),
            object_type: next.object_type,
            attributes: changed,
        })?;
        Ok(ExportResult::Done { anchor: None })
    }

    fn delete(&mut self, change: &ExportChange) -> Result<ExportResult, StoreError> {
        let Some((anchor, gone)) = self.find(change, change.dn.as_str())? else {
            // A delete sent again after a run was killed once it was applied: done.
            if change.retry {
                return Ok(ExportResult::Done { anchor: None });
            }
            return Ok(failed(
                FailureClass::NoSuchObject,
                format!("`{}` does not exist", change.dn),
            ));
        };
        self.log(ImportEntry {
            change: Change::Delete,
            anchor: Some(anchor),
            attributes: AttrMap::default(),
            ..gone
        })?;
        Ok(ExportResult::Done { anchor: None })
    }

    /// Why these values of an object (`None` for a new one) would not be unique.
    fn duplicate(
        &self,
        anchor: Option<&String>,
        attributes: &AttrMap,
    ) -> Result<Option<ExportResult>, StoreError> {
        for (name, value) in attributes {
            if !self.overlay.unique.contains(&name.to_ascii_lowercase()) {
                continue;
            }
            for v in value.values() {
                let holder = self.holder(&unique_key(name, v))?;
                if let Some(holder) = holder.filter(|h| Some(h) != anchor) {
                    let message =
                        |dn: &str| format!("the `{name}` value `{v}` is already used by `{dn}`");
                    return Ok(Some(match self.object(&holder)? {
                        Some(o) => ExportResult::Duplicate {
                            attribute: name.to_string(),
                            value: v.to_string(),
                            message: message(o.dn.as_str()),
                            holder: o.dn,
                        },
                        None => failed(FailureClass::DuplicateAttribute, message("another object")),
                    }));
                }
            }
        }
        Ok(None)
    }
}

/// Sets each given attribute (a null or authoritative null removes it; `IgnoreThisFlow`
/// leaves it), and returns the names set or removed.
fn set_attributes(attributes: &mut AttrMap, given: &AttrMap) -> Vec<Name> {
    let mut touched = Vec::new();
    for (name, value) in given {
        let values: Vec<Value> = match value {
            Value::Ignore => continue,
            other => other
                .values()
                .iter()
                .filter(|v| !matches!(v, Value::Null | Value::Ignore | Value::AuthoritativeNull))
                .cloned()
                .collect(),
        };
        let stored = held_name(attributes, name).unwrap_or(*name);
        if values.is_empty() {
            attributes.shift_remove(stored.as_str());
        } else {
            attributes.insert(stored, crate::ldif::from_values(values));
        }
        touched.push(stored);
    }
    touched
}
