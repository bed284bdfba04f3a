//! Replaying records: a set of objects that content and change records are applied to, each
//! application giving the delta entry the engine imports.

use indexmap::IndexMap;
use syncrules_connector::{Change, ImportEntry};
use syncrules_lang::Value;
use syncrules_lang::dn::Dn;
use syncrules_lang::name::{AttrMap, Name, held_name};

use super::dn::{dn_key, parent_dn, rdn_parts, split_rdn};
use super::entry::{entry_from_record, from_values, object_type};
use super::{AttributeTyping, LdifRecord, LdifValue, ModOp, Modification, RecordError, RecordKind};

/// Objects by DN (matched ignoring case), built by applying records in order.
///
/// A content record is applied as an add. Applying a record that does not fit the objects
/// (adding an existing DN, changing or deleting a missing one, deleting a value the object
/// lacks, adding one it has) is an error, as it is for an LDAP server, and leaves the objects
/// as they were. Renaming an object
/// does not rename the objects below it, nor references to it.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    typing: AttributeTyping,
    objects: IndexMap<String, ImportEntry>,
}

impl Snapshot {
    /// No objects; values typed by `typing`.
    pub fn new(typing: AttributeTyping) -> Self {
        Snapshot {
            typing,
            objects: IndexMap::new(),
        }
    }

    /// The number of objects.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// True when there are no objects.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The object at `dn` (ignoring case), as a [`Change::Present`] entry.
    pub fn get(&self, dn: &str) -> Option<&ImportEntry> {
        self.objects.get(&dn_key(dn))
    }

    /// Every object as a [`Change::Present`] entry, in the order they were added.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = &ImportEntry> {
        self.objects.values()
    }

    /// Every object as a [`Change::Present`] entry, in the order they were added.
    pub fn into_entries(self) -> Vec<ImportEntry> {
        self.objects.into_values().collect()
    }

    /// Applies one record and returns what changed: an [`Change::Add`] with every attribute,
    /// a [`Change::Modify`] with the new values of each attribute the record touched
    /// ([`Value::Null`] for one it removed; a rename sets `old_dn`), or a [`Change::Delete`].
    pub fn apply(&mut self, record: &LdifRecord) -> Result<ImportEntry, RecordError> {
        let key = dn_key(&record.dn);
        let missing = || RecordError::new(record.line, format!("`{}` does not exist", record.dn));
        match &record.kind {
            RecordKind::Content(_) | RecordKind::Add(_) => {
                if self.objects.contains_key(&key) {
                    return Err(RecordError::new(
                        record.line,
                        format!("`{}` already exists", record.dn),
                    ));
                }
                let mut entry = entry_from_record(record, &self.typing)?;
                entry.change = Change::Present;
                self.objects.insert(key, entry.clone());
                entry.change = Change::Add;
                Ok(entry)
            }
            RecordKind::Delete => {
                let mut entry = self.objects.shift_remove(&key).ok_or_else(missing)?;
                entry.change = Change::Delete;
                entry.attributes.clear();
                Ok(entry)
            }
            RecordKind::Modify(mods) => {
                let mut object = self.objects.get(&key).cloned().ok_or_else(missing)?;
                let entry = modify(&mut object, mods, &self.typing, record.line)?;
                self.objects.insert(key, object);
                Ok(entry)
            }
            RecordKind::ModDn {
                new_rdn,
                delete_old_rdn,
                new_superior,
            } => {
                let mut object = self.objects.get(&key).cloned().ok_or_else(missing)?;
                let parent = new_superior
                    .as_deref()
                    .unwrap_or_else(|| parent_dn(object.dn.as_str()));
                let new_dn = if parent.trim().is_empty() {
                    new_rdn.trim().to_owned()
                } else {
                    format!("{},{}", new_rdn.trim(), parent.trim())
                };
                let new_key = dn_key(&new_dn);
                let new_dn = RecordError::dn(record.line, &new_dn)?;
                if new_key != key && self.objects.contains_key(&new_key) {
                    return Err(RecordError::new(
                        record.line,
                        format!("cannot rename to `{new_dn}`: it already exists"),
                    ));
                }
                let mut touched = Vec::new();
                let old_rdn = rdn_parts(split_rdn(object.dn.as_str()).0);
                if let Some((attr, value)) = old_rdn.filter(|_| *delete_old_rdn) {
                    let name = stored_name(&object.attributes, attr);
                    let mut values = current(&object.attributes, &name);
                    values.retain(|v| !same_value(v, &Value::str(&value)));
                    store(&mut object.attributes, &name, values);
                    touched.push(name);
                }
                if let Some((attr, value)) = rdn_parts(new_rdn) {
                    let name = match touched.iter().find(|t| t.eq_ignore_ascii_case(attr)) {
                        Some(old_name) => *old_name,
                        None => stored_name(&object.attributes, attr),
                    };
                    let typed = self
                        .typing
                        .value(&name, &LdifValue::Text(value))
                        .map_err(|e| RecordError::new(record.line, e.to_string()))?;
                    let mut values = current(&object.attributes, &name);
                    if !values.iter().any(|v| same_value(v, &typed)) {
                        values.push(typed);
                    }
                    store(&mut object.attributes, &name, values);
                    if !touched.contains(&name) {
                        touched.push(name);
                    }
                }
                let old_dn = std::mem::replace(&mut object.dn, new_dn);
                let entry = changed(&object, &touched, Some(old_dn));
                self.objects.shift_remove(&key);
                self.objects.insert(new_key, object);
                Ok(entry)
            }
        }
    }
}

fn modify(
    object: &mut ImportEntry,
    mods: &[Modification],
    typing: &AttributeTyping,
    line: usize,
) -> Result<ImportEntry, RecordError> {
    let mut touched: Vec<Name> = Vec::new();
    for m in mods {
        let name = stored_name(&object.attributes, &m.attribute);
        let mut values = current(&object.attributes, &name);
        let given = m
            .values
            .iter()
            .map(|a| {
                typing
                    .value(&name, &a.value)
                    .map(|v| (a.line, v))
                    .map_err(|e| RecordError::new(a.line, e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        match m.op {
            ModOp::Replace => values = given.into_iter().map(|(_, v)| v).collect(),
            ModOp::Add => {
                for (at, value) in given {
                    if values.iter().any(|v| same_value(v, &value)) {
                        return Err(RecordError::new(
                            at,
                            format!("`{name}` already has the value `{value}`"),
                        ));
                    }
                    values.push(value);
                }
            }
            ModOp::Delete if given.is_empty() => {
                if values.is_empty() {
                    return Err(RecordError::new(
                        m.line,
                        format!("`{name}` has no values to delete"),
                    ));
                }
                values.clear();
            }
            ModOp::Delete => {
                for (at, value) in given {
                    let Some(pos) = values.iter().position(|v| same_value(v, &value)) else {
                        return Err(RecordError::new(
                            at,
                            format!("`{name}` has no value `{value}`"),
                        ));
                    };
                    values.remove(pos);
                }
            }
        }
        store(&mut object.attributes, &name, values);
        if !touched.contains(&name) {
            touched.push(name);
        }
    }
    if touched
        .iter()
        .any(|n| n.eq_ignore_ascii_case("objectClass"))
    {
        object.object_type = object_type(&object.attributes).ok_or_else(|| {
            RecordError::new(
                line,
                format!("the change leaves `{}` without `objectClass`", object.dn),
            )
        })?;
    }
    Ok(changed(object, &touched, None))
}

/// The delta entry of a changed object: each touched attribute's values, null when gone.
fn changed(object: &ImportEntry, touched: &[Name], old_dn: Option<Dn>) -> ImportEntry {
    ImportEntry {
        value_changes: Vec::new(),
        change: Change::Modify,
        dn: object.dn.clone(),
        old_dn,
        anchor: object.anchor.clone(),
        object_type: object.object_type.clone(),
        attributes: touched
            .iter()
            .map(|n| {
                (
                    *n,
                    object
                        .attributes
                        .get(n.as_str())
                        .cloned()
                        .unwrap_or(Value::Null),
                )
            })
            .collect(),
    }
}

/// The attribute's name as the object spells it, else as given.
fn stored_name(attributes: &AttrMap, name: &str) -> Name {
    held_name(attributes, name).unwrap_or_else(|| Name::new(name))
}

fn current(attributes: &AttrMap, name: &str) -> Vec<Value> {
    attributes
        .get(name)
        .map(|v| v.values().to_vec())
        .unwrap_or_default()
}

fn store(attributes: &mut AttrMap, name: &str, values: Vec<Value>) {
    if values.is_empty() {
        attributes.shift_remove(name);
    } else {
        attributes.insert(Name::new(name), from_values(values));
    }
}

/// Directory equality: strings and DNs ignoring ASCII case, anything else exactly.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x) | Value::Ref(x), Value::Str(y) | Value::Ref(y)) => x.eq_ignore_ascii_case(y),
        _ => a == b,
    }
}

#[cfg(test)]
#[path = "replay_tests.rs"]
mod tests;
