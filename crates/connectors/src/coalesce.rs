//! Folding several delta entries about one object into one, so that a batch's entries can be
//! applied in any order.

use std::collections::{HashMap, HashSet};
use syncrules_lang::dn::Dn;
use syncrules_lang::name::{AttrMap, Name, held_name};

use syncrules_connector::{Change, ImportEntry, ValueChange, ValueOp};
use syncrules_lang::Value;
use syncrules_lang::dn::DnKey;

use crate::ldif::{dn_key, from_values};

/// Folds the entries of a delta, given in the order they happened, into at most one entry
/// per object, kept at the place of the object's first entry. An entry follows an earlier
/// one by anchor, or by DN (its `old_dn` for a rename) when either has no anchor and their
/// anchors do not differ: a directory that names changes by DN (LDIF) gives an anchor only
/// to an add.
///
/// - add, then modify: an add with the modified values (value-level changes applied) and the
///   final DN;
/// - add, then delete: nothing;
/// - modify, then modify: one modify with the later value of each attribute, and `old_dn`
///   the DN before the first rename (none when the object ends where it started); value
///   changes are kept in order, except that a later value of an attribute drops the earlier
///   value changes of it;
/// - modify, then delete: a delete of the DN the object had before the delta;
/// - delete, then add of the same DN without anchors: both, in that order (a new object).
///
/// A later entry's empty object type or missing anchor does not erase an earlier one's.
pub fn coalesce(entries: impl IntoIterator<Item = ImportEntry>) -> Vec<ImportEntry> {
    let mut out: Vec<Option<ImportEntry>> = Vec::new();
    let mut by_anchor: HashMap<String, usize> = HashMap::new();
    let mut by_dn: HashMap<String, usize> = HashMap::new();
    for entry in entries {
        let before = dn_key(
            entry
                .old_dn
                .as_ref()
                .map(Dn::as_str)
                .unwrap_or(entry.dn.as_str()),
        );
        let found = entry
            .anchor
            .as_ref()
            .and_then(|a| by_anchor.get(a))
            .or_else(|| {
                by_dn.get(&before).filter(|&&i| {
                    let held = out.get(i).and_then(Option::as_ref);
                    held.is_some_and(|h| match (&h.anchor, &entry.anchor) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    })
                })
            })
            .copied();
        let (index, merged) = match found {
            Some(index) => {
                let previous = out.get_mut(index).and_then(Option::take);
                if let Some(p) = &previous {
                    forget(&mut by_anchor, &mut by_dn, p, index);
                }
                let merged = match previous {
                    Some(previous) => merge(previous, entry),
                    None => Some(entry),
                };
                (index, merged)
            }
            None => {
                out.push(None);
                (out.len() - 1, Some(entry))
            }
        };
        if let Some(merged) = merged {
            if merged.change != Change::Delete {
                if let Some(a) = &merged.anchor {
                    by_anchor.insert(a.clone(), index);
                }
                by_dn.insert(dn_key(merged.dn.as_str()), index);
            }
            if let Some(slot) = out.get_mut(index) {
                *slot = Some(merged);
            }
        }
    }
    out.into_iter().flatten().collect()
}

/// Drops the keys an entry was found by, when they still point at its slot.
fn forget(
    by_anchor: &mut HashMap<String, usize>,
    by_dn: &mut HashMap<String, usize>,
    entry: &ImportEntry,
    index: usize,
) {
    if let Some(a) = &entry.anchor
        && by_anchor.get(a) == Some(&index)
    {
        by_anchor.remove(a);
    }
    let key = dn_key(entry.dn.as_str());
    if by_dn.get(&key) == Some(&index) {
        by_dn.remove(&key);
    }
}

fn merge(previous: ImportEntry, next: ImportEntry) -> Option<ImportEntry> {
    let object_type = if next.object_type.is_empty() {
        previous.object_type.clone()
    } else {
        next.object_type.clone()
    };
    match (previous.change, next.change) {
        (Change::Add | Change::Present, Change::Modify) => {
            let mut merged = previous;
            for (name, value) in next.attributes {
                let key = stored_key(&merged.attributes, name);
                if value.is_null() {
                    merged.attributes.shift_remove(key.as_str());
                } else {
                    merged.attributes.insert(key, value);
                }
            }
            apply_values(&mut merged.attributes, next.value_changes);
            merged.dn = next.dn;
            merged.object_type = object_type;
            merged.anchor = merged.anchor.or(next.anchor);
            Some(merged)
        }
        (Change::Add, Change::Delete) => None,
        (Change::Modify, Change::Modify) => {
            let renamed = previous.old_dn.is_some() || next.old_dn.is_some();
            let original = previous.old_dn.unwrap_or(previous.dn);
            let mut attributes = previous.attributes;
            let mut value_changes = previous.value_changes;
            for (name, value) in next.attributes {
                value_changes.retain(|c| !c.attribute.eq_ignore_ascii_case(&name));
                let key = stored_key(&attributes, name);
                attributes.insert(key, value);
            }
            value_changes.extend(next.value_changes);
            Some(ImportEntry {
                value_changes,
                change: Change::Modify,
                old_dn: (renamed && original != next.dn).then_some(original),
                dn: next.dn,
                anchor: next.anchor.or(previous.anchor),
                object_type,
                attributes,
            })
        }
        (Change::Modify | Change::Present, Change::Delete) => Some(ImportEntry {
            dn: previous.old_dn.unwrap_or(previous.dn),
            old_dn: None,
            anchor: next.anchor.or(previous.anchor),
            attributes: AttrMap::default(),
            value_changes: Vec::new(),
            object_type,
            ..next
        }),
        _ => Some(next),
    }
}

/// The name an attribute is held under, ignoring ASCII case; else `name` itself.
fn stored_key(attributes: &AttrMap, name: Name) -> Name {
    held_name(attributes, &name).unwrap_or(name)
}

/// Applies value changes to the attributes of an add, as the engine applies them to the
/// values a connector space holds: an added value already held is not added twice, a removed
/// value not held is ignored, a remove without values drops the attribute; references
/// compare ignoring case, other values exactly.
fn apply_values(attributes: &mut AttrMap, changes: Vec<ValueChange>) {
    for change in changes {
        let key = stored_key(attributes, change.attribute);
        let mut values: Vec<Value> = attributes
            .get(key.as_str())
            .map(|v| v.values().to_vec())
            .unwrap_or_default();
        match change.op {
            ValueOp::Add => {
                let mut held: HashSet<String> = values.iter().map(value_key).collect();
                for v in change.values {
                    if !v.is_null() && held.insert(value_key(&v)) {
                        values.push(v);
                    }
                }
            }
            ValueOp::Remove if change.values.is_empty() => values.clear(),
            ValueOp::Remove => {
                let gone: HashSet<String> = change.values.iter().map(value_key).collect();
                values.retain(|v| !gone.contains(&value_key(v)));
            }
        }
        if values.is_empty() {
            attributes.shift_remove(key.as_str());
        } else {
            attributes.insert(key, from_values(values));
        }
    }
}

/// A value's identity for value-level changes (the engine's): references ignoring case.
fn value_key(v: &Value) -> String {
    match v {
        Value::Ref(dn) => format!("r:{}", DnKey::new(dn)),
        other => format!("{}:{other}", other.kind()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(change: Change, dn: &str, attrs: &[(&str, Value)]) -> ImportEntry {
        ImportEntry {
            value_changes: Vec::new(),
            change,
            dn: Dn::parse(dn).unwrap(),
            old_dn: None,
            anchor: None,
            object_type: "user".to_owned(),
            attributes: attrs
                .iter()
                .map(|(k, v)| ((*k).into(), v.clone()))
                .collect::<AttrMap>(),
        }
    }

    #[test]
    fn add_then_modify_then_rename_is_one_add() {
        let add = entry(
            Change::Add,
            "CN=a,DC=x",
            &[("mail", "a@x".into()), ("title", "t".into())],
        );
        let modify = entry(Change::Modify, "CN=a,DC=x", &[("title", Value::Null)]);
        let mut rename = entry(Change::Modify, "CN=b,DC=x", &[("cn", "b".into())]);
        rename.old_dn = Some(Dn::parse("cn=A,dc=x").unwrap());
        let out = coalesce([add, modify, rename]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].change, Change::Add);
        assert_eq!(out[0].dn.as_str(), "CN=b,DC=x");
        assert_eq!(out[0].old_dn, None);
        assert_eq!(out[0].attributes.keys().collect::<Vec<_>>(), ["mail", "cn"]);
    }

    #[test]
    fn add_then_delete_vanishes_and_delete_then_add_stays() {
        let add = entry(Change::Add, "CN=a,DC=x", &[]);
        let delete = entry(Change::Delete, "CN=a,DC=x", &[]);
        assert!(coalesce([add.clone(), delete.clone()]).is_empty());
        let out = coalesce([delete, add]);
        assert_eq!(
            out.iter().map(|e| e.change).collect::<Vec<_>>(),
            [Change::Delete, Change::Add]
        );
    }

    #[test]
    fn modifies_merge_and_keep_the_first_dn() {
        let mut first = entry(Change::Modify, "CN=b,DC=x", &[("cn", "b".into())]);
        first.old_dn = Some(Dn::parse("CN=a,DC=x").unwrap());
        first.anchor = Some("g".to_owned());
        let mut second = entry(Change::Modify, "CN=b,DC=x", &[("title", Value::Null)]);
        second.anchor = Some("g".to_owned());
        let other = entry(Change::Modify, "CN=c,DC=x", &[("title", "x".into())]);
        let out = coalesce([first.clone(), other, second]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].old_dn.as_ref().map(Dn::as_str), Some("CN=a,DC=x"));
        assert!(out[0].attributes["title"].is_null());
        let mut delete = entry(Change::Delete, "CN=b,DC=x", &[]);
        delete.anchor = Some("g".to_owned());
        let out = coalesce([first, delete]);
        assert_eq!(out.len(), 1);
        assert_eq!(
            (out[0].change, out[0].dn.as_str()),
            (Change::Delete, "CN=a,DC=x")
        );
    }

    #[test]
    fn renaming_back_is_no_rename() {
        let mut there = entry(Change::Modify, "CN=b,DC=x", &[]);
        there.old_dn = Some(Dn::parse("CN=a,DC=x").unwrap());
        let mut back = entry(Change::Modify, "CN=a,DC=x", &[]);
        back.old_dn = Some(Dn::parse("CN=b,DC=x").unwrap());
        let out = coalesce([there, back]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].old_dn, None);
    }

    fn values(attribute: &str, op: ValueOp, values: &[&str]) -> ValueChange {
        ValueChange {
            attribute: attribute.into(),
            op,
            values: values.iter().map(|v| Value::reference(*v)).collect(),
        }
    }

    #[test]
    fn changes_named_by_dn_follow_an_anchored_add() {
        let mut add = entry(
            Change::Add,
            "CN=g,DC=x",
            &[("member", Value::reference("CN=a"))],
        );
        add.anchor = Some("g".to_owned());
        let mut modify = entry(Change::Modify, "cn=G,DC=x", &[]);
        modify.object_type = String::new();
        modify.value_changes = vec![
            values("member", ValueOp::Add, &["cn=A", "CN=b"]),
            values("Member", ValueOp::Remove, &["CN=c"]),
        ];
        let mut rename = entry(Change::Modify, "CN=h,DC=x", &[]);
        rename.old_dn = Some(Dn::parse("CN=g,DC=x").unwrap());
        rename.object_type = String::new();
        let out = coalesce([add.clone(), modify, rename]);
        assert_eq!(out.len(), 1);
        assert_eq!(
            (
                out[0].change,
                out[0].dn.as_str(),
                out[0].object_type.as_str()
            ),
            (Change::Add, "CN=h,DC=x", "user")
        );
        assert_eq!(
            out[0].attributes["member"],
            Value::multi(vec![Value::reference("CN=a"), Value::reference("CN=b")])
        );
        assert!(out[0].value_changes.is_empty());
        // An entry with another anchor at the same DN is another object.
        let mut other = entry(Change::Delete, "CN=g,DC=x", &[]);
        other.anchor = Some("h".to_owned());
        assert_eq!(coalesce([add, other]).len(), 2);
    }

    #[test]
    fn a_later_value_supersedes_earlier_value_changes() {
        let mut first = entry(Change::Modify, "CN=g,DC=x", &[]);
        first.value_changes = vec![
            values("member", ValueOp::Add, &["CN=a"]),
            values("owner", ValueOp::Add, &["CN=o"]),
        ];
        let second = entry(
            Change::Modify,
            "CN=g,DC=x",
            &[("MEMBER", Value::reference("CN=z"))],
        );
        let mut third = entry(Change::Modify, "CN=g,DC=x", &[]);
        third.value_changes = vec![values("member", ValueOp::Remove, &["CN=z"])];
        let out = coalesce([first, second, third]);
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].attributes.iter().collect::<Vec<_>>(),
            [(&Name::new("MEMBER"), &Value::reference("CN=z"))]
        );
        assert_eq!(
            out[0].value_changes,
            [
                values("owner", ValueOp::Add, &["CN=o"]),
                values("member", ValueOp::Remove, &["CN=z"]),
            ]
        );
    }
}
