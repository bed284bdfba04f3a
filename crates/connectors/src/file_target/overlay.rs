//! What the current journal did to the snapshot, held in memory: for each object it touched,
//! its new DN and the attributes it replaced, and indexes of the DNs and unique values it
//! set. Lookups ask the overlay first and the snapshot's indexes after.

use std::collections::HashMap;

use indexmap::IndexMap;
use syncrules_connector::{Change, ImportEntry};
use syncrules_lang::Value;
use syncrules_lang::dn::Dn;

use super::codec::{key_attribute, unique_key};
use crate::ldif::dn_key;

/// What the journal did to one object.
#[derive(Clone, Debug, Default)]
pub(super) struct Pending {
    /// Deleted.
    pub deleted: bool,
    /// Added by the journal (not in the snapshot): `attributes` are all it has.
    pub added: bool,
    /// Its DN when added or renamed.
    pub dn: Option<Dn>,
    /// Its type when added.
    pub object_type: Option<String>,
    /// The attributes replaced (a null removed one), or every attribute of an added object.
    pub attributes: IndexMap<String, Value>,
}

impl Pending {
    /// The object after the journal: `base` is its snapshot version (`None` when added).
    pub fn apply(&self, anchor: &str, base: Option<ImportEntry>) -> Option<ImportEntry> {
        if self.deleted {
            return None;
        }
        let mut entry = match base {
            Some(base) if !self.added => base,
            _ => ImportEntry {
                value_changes: Vec::new(),
                change: Change::Present,
                dn: Dn::default(),
                old_dn: None,
                anchor: Some(anchor.to_owned()),
                object_type: self.object_type.clone().unwrap_or_default(),
                attributes: IndexMap::new(),
            },
        };
        if let Some(dn) = &self.dn {
            entry.dn.clone_from(dn);
        }
        for (name, value) in &self.attributes {
            if value.is_null() {
                entry.attributes.shift_remove(name);
            } else {
                entry.attributes.insert(name.clone(), value.clone());
            }
        }
        Some(entry)
    }

    /// Whether the journal replaced this attribute (lowercase name).
    pub fn replaced(&self, attribute: &str) -> bool {
        self.attributes
            .keys()
            .any(|n| n.eq_ignore_ascii_case(attribute))
    }
}

/// The journal's effect, in memory.
#[derive(Debug, Default)]
pub(super) struct Overlay {
    /// Objects the journal touched, in the order it first touched them.
    pub pending: IndexMap<String, Pending>,
    /// Anchors by DN key, for the objects the journal added or renamed.
    pub by_dn: HashMap<String, String>,
    /// Anchors by unique value key, for the unique attributes the journal set.
    pub by_value: HashMap<String, String>,
    /// The attributes whose values must be unique, lowercase.
    pub unique: Vec<String>,
    /// Objects added minus objects deleted.
    pub growth: i64,
}

impl Overlay {
    /// An empty overlay enforcing `unique`.
    pub fn new(unique: &[String]) -> Overlay {
        Overlay {
            unique: unique.to_vec(),
            ..Overlay::default()
        }
    }

    /// Records one logged change (its anchor is required; one without is ignored).
    pub fn record(&mut self, entry: &ImportEntry) {
        let Some(anchor) = entry.anchor.clone() else {
            return;
        };
        match entry.change {
            Change::Add | Change::Present => {
                self.growth += 1;
                let mut pending = Pending {
                    added: true,
                    dn: Some(entry.dn.clone()),
                    object_type: Some(entry.object_type.clone()),
                    ..Pending::default()
                };
                self.by_dn.insert(dn_key(entry.dn.as_str()), anchor.clone());
                for (name, value) in &entry.attributes {
                    self.set(&anchor, &mut pending, name, value);
                }
                self.pending.insert(anchor, pending);
            }
            Change::Modify => {
                let mut pending = self.pending.shift_remove(&anchor).unwrap_or_default();
                if let Some(old) = &entry.old_dn {
                    let before = pending.dn.as_ref().unwrap_or(old).as_str();
                    self.unset_dn(&anchor, before);
                    pending.dn = Some(entry.dn.clone());
                    self.by_dn.insert(dn_key(entry.dn.as_str()), anchor.clone());
                }
                for (name, value) in &entry.attributes {
                    self.set(&anchor, &mut pending, name, value);
                }
                self.pending.insert(anchor, pending);
            }
            Change::Delete => {
                self.growth -= 1;
                let mut pending = self.pending.shift_remove(&anchor).unwrap_or_default();
                self.unset_dn(&anchor, pending.dn.as_ref().unwrap_or(&entry.dn).as_str());
                let names: Vec<String> = pending.attributes.keys().cloned().collect();
                for name in names {
                    self.set(&anchor, &mut pending, &name, &Value::Null);
                }
                if !pending.added {
                    // An object the snapshot holds stays, marked deleted; one the journal
                    // added is simply forgotten.
                    self.pending.insert(
                        anchor,
                        Pending {
                            deleted: true,
                            ..Pending::default()
                        },
                    );
                }
            }
        }
    }

    /// Sets (a null removes) one attribute of a pending object, keeping the value index.
    fn set(&mut self, anchor: &str, pending: &mut Pending, name: &str, value: &Value) {
        if self.unique.contains(&name.to_ascii_lowercase()) {
            let old = pending
                .attributes
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .flat_map(|(n, v)| v.values().iter().map(|v| unique_key(n, v)))
                .collect::<Vec<_>>();
            for key in old {
                if self.by_value.get(&key).is_some_and(|a| a == anchor) {
                    self.by_value.remove(&key);
                }
            }
            for v in value.values() {
                if !v.is_null() {
                    self.by_value.insert(unique_key(name, v), anchor.to_owned());
                }
            }
        }
        if pending.added && value.is_null() {
            pending.attributes.shift_remove(name);
        } else {
            pending.attributes.insert(name.to_owned(), value.clone());
        }
    }

    fn unset_dn(&mut self, anchor: &str, dn: &str) {
        let key = dn_key(dn);
        if self.by_dn.get(&key).is_some_and(|a| a == anchor) {
            self.by_dn.remove(&key);
        }
    }

    /// Whether a snapshot index row mapping `dn_key` to `anchor` still holds.
    pub fn dn_row_holds(&self, anchor: &str) -> bool {
        self.pending
            .get(anchor)
            .is_none_or(|p| !p.deleted && p.dn.is_none())
    }

    /// Whether a snapshot index row mapping the unique value `key` to `anchor` still holds.
    pub fn value_row_holds(&self, key: &str, anchor: &str) -> bool {
        self.pending
            .get(anchor)
            .is_none_or(|p| !p.deleted && !p.replaced(key_attribute(key)))
    }
}
