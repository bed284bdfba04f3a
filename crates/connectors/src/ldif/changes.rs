//! From a change record to the delta entry the engine applies on its own, without the
//! object's current state: replaced attributes as values, added and deleted values as
//! value-level changes, a rename as the new DN.

use syncrules_connector::{Change, ImportEntry, ValueChange, ValueOp};
use syncrules_lang::Value;
use syncrules_lang::name::{AttrMap, Name, held_name};

use super::dn::{parent_dn, rdn_parts, split_rdn};
use super::entry::{entry_from_record, from_values, object_type};
use super::{AttributeTyping, LdifRecord, LdifValue, ModOp, Modification, RecordError, RecordKind};

/// The delta entry of one change record, typed by `typing`, from the record alone.
///
/// - a content or `add` record: a [`Change::Add`] with every attribute, its anchor and
///   object type ([`entry_from_record`]);
/// - `delete`: a [`Change::Delete`] of the DN;
/// - `modify`: a [`Change::Modify`] where each `replace:` sets the attribute in `attributes`
///   ([`Value::Null`] when it lists no values, which removes it) and each `add:` or
///   `delete:` is a [`ValueChange`] ([`ValueOp::Add`], [`ValueOp::Remove`]; a `delete:`
///   without values removes every value). A `replace:` drops the value changes to that
///   attribute listed before it in the record, so that applying `attributes` first and then
///   `value_changes` in order gives what the record says;
/// - `modrdn`/`moddn`: a [`Change::Modify`] with `old_dn` and the new DN. With
///   `deleteoldrdn: 1` and a new RDN of the same attribute, that attribute is set to the new
///   RDN value (exact for a single-valued naming attribute, as Active Directory's are); else
///   the new value is added, and with `deleteoldrdn: 1` the old one removed, as value
///   changes. A multi-valued RDN (`CN=a+UID=b`) changes the DN only.
///
/// Anchor and object type are left empty for anything but an add (the engine finds the
/// object by DN, or by `old_dn` for a rename), except that a `replace: objectClass` gives
/// the object type.
pub fn change_entry(
    record: &LdifRecord,
    typing: &AttributeTyping,
) -> Result<ImportEntry, RecordError> {
    let mut entry = ImportEntry {
        change: Change::Modify,
        dn: RecordError::dn(record.line, &record.dn)?,
        old_dn: None,
        anchor: None,
        object_type: String::new(),
        attributes: AttrMap::default(),
        value_changes: Vec::new(),
    };
    match &record.kind {
        RecordKind::Content(_) | RecordKind::Add(_) => {
            let mut add = entry_from_record(record, typing)?;
            add.change = Change::Add;
            return Ok(add);
        }
        RecordKind::Delete => entry.change = Change::Delete,
        RecordKind::Modify(mods) => modify(&mut entry, mods, typing)?,
        RecordKind::ModDn {
            new_rdn,
            delete_old_rdn,
            new_superior,
        } => rename(
            &mut entry,
            record,
            new_rdn,
            *delete_old_rdn,
            new_superior,
            typing,
        )?,
    }
    Ok(entry)
}

fn modify(
    entry: &mut ImportEntry,
    mods: &[Modification],
    typing: &AttributeTyping,
) -> Result<(), RecordError> {
    for m in mods {
        let values = m
            .values
            .iter()
            .map(|a| {
                typing
                    .value(&m.attribute, &a.value)
                    .map_err(|e| RecordError::new(a.line, e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        match m.op {
            ModOp::Replace => {
                entry
                    .value_changes
                    .retain(|c| !c.attribute.eq_ignore_ascii_case(&m.attribute));
                set(&mut entry.attributes, &m.attribute, from_values(values));
            }
            ModOp::Add => entry.value_changes.push(ValueChange {
                attribute: Name::new(&m.attribute),
                op: ValueOp::Add,
                values,
            }),
            ModOp::Delete => entry.value_changes.push(ValueChange {
                attribute: Name::new(&m.attribute),
                op: ValueOp::Remove,
                values,
            }),
        }
    }
    if let Some(class) = object_type(&entry.attributes) {
        entry.object_type = class;
    }
    Ok(())
}

fn rename(
    entry: &mut ImportEntry,
    record: &LdifRecord,
    new_rdn: &str,
    delete_old_rdn: bool,
    new_superior: &Option<String>,
    typing: &AttributeTyping,
) -> Result<(), RecordError> {
    let parent = new_superior
        .as_deref()
        .unwrap_or_else(|| parent_dn(&record.dn))
        .trim();
    let dn = if parent.is_empty() {
        new_rdn.trim().to_owned()
    } else {
        format!("{},{parent}", new_rdn.trim())
    };
    entry.dn = RecordError::dn(record.line, &dn)?;
    entry.old_dn = Some(RecordError::dn(record.line, &record.dn)?);
    let old = rdn_parts(split_rdn(&record.dn).0);
    let Some((attr, value)) = rdn_parts(new_rdn) else {
        return Ok(());
    };
    let attr = &naming_attribute(attr);
    let typed = typing
        .value(attr, &LdifValue::Text(value))
        .map_err(|e| RecordError::new(record.line, e.to_string()))?;
    match old.filter(|_| delete_old_rdn) {
        Some((old_attr, _)) if old_attr.eq_ignore_ascii_case(attr) => {
            set(&mut entry.attributes, attr, typed);
        }
        Some((old_attr, old_value)) => {
            let old_attr = &naming_attribute(old_attr);
            let old_typed = typing
                .value(old_attr, &LdifValue::Text(old_value))
                .map_err(|e| RecordError::new(record.line, e.to_string()))?;
            entry.value_changes.push(ValueChange {
                attribute: Name::new(old_attr),
                op: ValueOp::Remove,
                values: vec![old_typed],
            });
            entry.value_changes.push(add_value(attr, typed));
        }
        None => entry.value_changes.push(add_value(attr, typed)),
    }
    Ok(())
}

/// The attribute an RDN names, spelt as entries spell it: DNs write `CN=`, `OU=`, `DC=` and
/// entries `cn:`, `ou:`, `dc:`, and the engine matches attribute names exactly.
fn naming_attribute(rdn_attribute: &str) -> String {
    const LOWER: &[&str] = &["cn", "ou", "dc", "o", "l", "c", "st", "street", "uid"];
    let lower = rdn_attribute.to_ascii_lowercase();
    if LOWER.contains(&lower.as_str()) {
        lower
    } else {
        rdn_attribute.to_owned()
    }
}

fn add_value(attribute: &str, value: Value) -> ValueChange {
    ValueChange {
        attribute: Name::new(attribute),
        op: ValueOp::Add,
        values: vec![value],
    }
}

/// Sets an attribute, keeping the spelling of one already listed under another case.
fn set(attributes: &mut AttrMap, name: &str, value: Value) {
    let key = held_name(attributes, name).unwrap_or_else(|| Name::new(name));
    attributes.insert(key, value);
}

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;
