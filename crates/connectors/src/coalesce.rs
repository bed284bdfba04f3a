//! Folding several delta entries about one object into one, so that a batch's entries can be
//! applied in any order.

use std::collections::HashMap;

use crate::ldif::dn_key;
use syncrules_engine::{Change, ImportEntry};

/// Folds the entries of a delta, given in the order they happened, into at most one entry
/// per object, kept at the place of the object's first entry. Objects are followed by anchor,
/// else by DN (through renames).
///
/// - add, then modify: an add with the modified values and the final DN;
/// - add, then delete: nothing;
/// - modify, then modify: one modify with the later value of each attribute, and `old_dn`
///   the DN before the first rename (none when the object ends where it started);
/// - modify, then delete: a delete of the DN the object had before the delta;
/// - delete, then add of the same DN without anchors: both, in that order (a new object).
pub fn coalesce(entries: impl IntoIterator<Item = ImportEntry>) -> Vec<ImportEntry> {
    let mut out: Vec<Option<ImportEntry>> = Vec::new();
    let mut live: HashMap<String, usize> = HashMap::new();
    for entry in entries {
        let before = identity(&entry, entry.old_dn.as_deref().unwrap_or(&entry.dn));
        let merged = match live.remove(&before) {
            Some(index) => {
                let previous = out.get_mut(index).and_then(Option::take);
                let merged = match previous {
                    Some(previous) => merge(previous, entry),
                    None => Some(entry),
                };
                merged.map(|m| (index, m))
            }
            None => {
                out.push(None);
                Some((out.len() - 1, entry))
            }
        };
        if let Some((index, merged)) = merged {
            if merged.change != Change::Delete {
                live.insert(identity(&merged, &merged.dn), index);
            }
            if let Some(slot) = out.get_mut(index) {
                *slot = Some(merged);
            }
        }
    }
    out.into_iter().flatten().collect()
}

fn identity(entry: &ImportEntry, dn: &str) -> String {
    match &entry.anchor {
        Some(anchor) => format!("anchor:{anchor}"),
        None => format!("dn:{}", dn_key(dn)),
    }
}

fn merge(previous: ImportEntry, next: ImportEntry) -> Option<ImportEntry> {
    match (previous.change, next.change) {
        (Change::Add | Change::Present, Change::Modify) => {
            let mut merged = previous;
            for (name, value) in next.attributes {
                if value.is_null() {
                    merged.attributes.shift_remove(&name);
                } else {
                    merged.attributes.insert(name, value);
                }
            }
            merged.dn = next.dn;
            merged.object_type = next.object_type;
            Some(merged)
        }
        (Change::Add, Change::Delete) => None,
        (Change::Modify, Change::Modify) => {
            let renamed = previous.old_dn.is_some() || next.old_dn.is_some();
            let original = previous.old_dn.unwrap_or(previous.dn);
            let mut attributes = previous.attributes;
            for (name, value) in next.attributes {
                attributes.insert(name, value);
            }
            Some(ImportEntry {
                value_changes: Vec::new(),
                change: Change::Modify,
                old_dn: (renamed && original != next.dn).then_some(original),
                dn: next.dn,
                anchor: next.anchor.or(previous.anchor),
                object_type: next.object_type,
                attributes,
            })
        }
        (Change::Modify | Change::Present, Change::Delete) => Some(ImportEntry {
            dn: previous.old_dn.unwrap_or(previous.dn),
            old_dn: None,
            anchor: next.anchor.or(previous.anchor),
            attributes: Default::default(),
            ..next
        }),
        _ => Some(next),
    }
}

#[cfg(test)]
mod tests {
    use indexmap::IndexMap;
    use syncrules_lang::Value;

    use super::*;

    fn entry(change: Change, dn: &str, attrs: &[(&str, Value)]) -> ImportEntry {
        ImportEntry {
            value_changes: Vec::new(),
            change,
            dn: dn.to_owned(),
            old_dn: None,
            anchor: None,
            object_type: "user".to_owned(),
            attributes: attrs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<IndexMap<_, _>>(),
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
        rename.old_dn = Some("cn=A,dc=x".to_owned());
        let out = coalesce([add, modify, rename]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].change, Change::Add);
        assert_eq!(out[0].dn, "CN=b,DC=x");
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
        first.old_dn = Some("CN=a,DC=x".to_owned());
        first.anchor = Some("g".to_owned());
        let mut second = entry(Change::Modify, "CN=b,DC=x", &[("title", Value::Null)]);
        second.anchor = Some("g".to_owned());
        let other = entry(Change::Modify, "CN=c,DC=x", &[("title", "x".into())]);
        let out = coalesce([first.clone(), other, second]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].old_dn.as_deref(), Some("CN=a,DC=x"));
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
        there.old_dn = Some("CN=a,DC=x".to_owned());
        let mut back = entry(Change::Modify, "CN=a,DC=x", &[]);
        back.old_dn = Some("CN=b,DC=x".to_owned());
        let out = coalesce([there, back]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].old_dn, None);
    }
}
