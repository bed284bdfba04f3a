//! What the current journal did to the snapshot, held in memory: for each object it touched,
//! its new DN and the attributes it replaced, and indexes of the DNs and unique values it
//! set. Lookups ask the overlay first and the snapshot's indexes after.
//!
//! A journal replayed when the folder is opened is read without decoding its values
//! ([`Head`]): an attribute the journal set is kept as the place of the line that set it
//! ([`Slot::Line`]) and decoded when its object is read, so opening a folder whose journal
//! holds 200,000 changes costs a scan of the file, not 200,000 objects decoded. Unique
//! attributes are decoded at once, as their index needs the values.

use std::collections::HashMap;
use syncrules_lang::name::{AttrMap, Name, NameMap};

use indexmap::IndexMap;
use syncrules_connector::{Change, ImportEntry};
use syncrules_lang::Value;
use syncrules_lang::dn::Dn;

use super::codec::{
    Head, LightChange, change_from_line, key_attribute, raw_attribute, raw_is_empty, unique_key,
};
use super::error::{LineError, StoreError};
use crate::ldif::dn_key;

/// Where a journal line is: its offset in the journal file and its length (no newline).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Span {
    /// The first byte's offset.
    pub offset: u64,
    /// The line's length, without its newline.
    pub len: u32,
}

/// A value the journal set: decoded, or to be read again from the line that set it.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Slot {
    /// The value (a null removes the attribute).
    Value(Value),
    /// The attribute of this name on the journal line here.
    Line(Span),
}

/// Reads a journal line back by its [`Span`].
pub(super) type Lines<'a> = &'a dyn Fn(Span) -> Result<Vec<u8>, StoreError>;

/// A journal line read back, decoded whole.
fn read_line(lines: Lines<'_>, span: Span) -> Result<ImportEntry, StoreError> {
    let bytes = lines(span)?;
    change_from_line(&bytes)
        .map(|(_, entry)| entry)
        .map_err(|m| StoreError::Data(format!("the journal at byte {}: {m}", span.offset)))
}

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
    /// The line that added it, when it was added by a replayed journal line: its attributes
    /// are the object's before `attributes`.
    pub added_line: Option<Span>,
    /// The attributes replaced (a null removed one), or every attribute of an object added
    /// by this process.
    pub attributes: NameMap<Slot>,
}

impl Pending {
    /// The object after the journal: `base` is its snapshot version (`None` when added);
    /// values kept as lines are read back through `lines`.
    pub fn apply(
        &self,
        anchor: &str,
        base: Option<ImportEntry>,
        lines: Lines<'_>,
    ) -> Result<Option<ImportEntry>, StoreError> {
        if self.deleted {
            return Ok(None);
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
                attributes: AttrMap::default(),
            },
        };
        if let (true, Some(span)) = (self.added, self.added_line) {
            let added = read_line(lines, span)?;
            entry.attributes = added.attributes;
            entry.attributes.retain(|_, v| !v.is_null());
        }
        if let Some(dn) = &self.dn {
            entry.dn.clone_from(dn);
        }
        let mut read: Vec<(Span, ImportEntry)> = Vec::new();
        for (name, slot) in &self.attributes {
            let value = match slot {
                Slot::Value(value) => value.clone(),
                Slot::Line(span) => {
                    if !read.iter().any(|(s, _)| s == span) {
                        read.push((*span, read_line(lines, *span)?));
                    }
                    read.iter()
                        .find(|(s, _)| s == span)
                        .and_then(|(_, line)| line.attributes.get(name.as_str()).cloned())
                        .unwrap_or(Value::Null)
                }
            };
            if value.is_null() {
                entry.attributes.shift_remove(name.as_str());
            } else {
                entry.attributes.insert(*name, value);
            }
        }
        Ok(Some(entry))
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
        let Some(anchor) = entry.anchor.as_deref() else {
            return;
        };
        let attributes = entry
            .attributes
            .iter()
            .map(|(name, value)| (name.as_str(), Slot::Value(value.clone())));
        let change = Logged {
            change: &entry.change,
            anchor,
            dn: &entry.dn,
            old_dn: entry.old_dn.as_ref(),
            object_type: &entry.object_type,
            added_line: None,
        };
        self.change(change, attributes);
    }

    /// Records one change of a replayed journal, read at `span` without its values: unique
    /// attributes are decoded, the others kept as the line's place.
    pub fn replay(&mut self, light: &LightChange<'_>, span: Span) -> Result<(), LineError> {
        let head: &Head<'_> = &light.head;
        let added = matches!(light.change, Change::Add | Change::Present);
        let mut attributes = Vec::new();
        for (name, raw) in &head.attributes {
            let unique = self.unique.contains(&name.to_ascii_lowercase());
            let slot = if unique {
                Slot::Value(raw_attribute(name, raw)?)
            } else if added {
                // In the line that added the object: read with it.
                continue;
            } else if raw_is_empty(raw) {
                Slot::Value(Value::Null)
            } else {
                Slot::Line(span)
            };
            attributes.push((name.as_ref(), slot));
        }
        let change = Logged {
            change: &light.change,
            anchor: &head.anchor,
            dn: &light.dn,
            old_dn: light.old_dn.as_ref(),
            object_type: &head.object_type,
            added_line: added.then_some(span),
        };
        self.change(change, attributes.into_iter());
        Ok(())
    }

    fn change<'a>(&mut self, c: Logged<'_>, attributes: impl Iterator<Item = (&'a str, Slot)>) {
        let anchor = c.anchor.to_owned();
        match c.change {
            Change::Add | Change::Present => {
                self.growth += 1;
                let mut pending = Pending {
                    added: true,
                    dn: Some(c.dn.clone()),
                    object_type: Some(c.object_type.to_owned()),
                    added_line: c.added_line,
                    ..Pending::default()
                };
                self.by_dn.insert(dn_key(c.dn.as_str()), anchor.clone());
                for (name, slot) in attributes {
                    self.set(&anchor, &mut pending, name, slot);
                }
                self.pending.insert(anchor, pending);
            }
            Change::Modify => {
                let mut pending = self.pending.shift_remove(&anchor).unwrap_or_default();
                if let Some(old) = c.old_dn {
                    let before = pending.dn.as_ref().unwrap_or(old).as_str();
                    self.unset_dn(&anchor, before);
                    pending.dn = Some(c.dn.clone());
                    self.by_dn.insert(dn_key(c.dn.as_str()), anchor.clone());
                }
                for (name, slot) in attributes {
                    self.set(&anchor, &mut pending, name, slot);
                }
                self.pending.insert(anchor, pending);
            }
            Change::Delete => {
                self.growth -= 1;
                let mut pending = self.pending.shift_remove(&anchor).unwrap_or_default();
                self.unset_dn(&anchor, pending.dn.as_ref().unwrap_or(c.dn).as_str());
                let names: Vec<Name> = pending.attributes.keys().copied().collect();
                for name in names {
                    self.set(&anchor, &mut pending, &name, Slot::Value(Value::Null));
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
    /// Unique attributes are always given as values.
    fn set(&mut self, anchor: &str, pending: &mut Pending, name: &str, slot: Slot) {
        if self.unique.contains(&name.to_ascii_lowercase()) {
            let old = pending
                .attributes
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .filter_map(|(n, slot)| match slot {
                    Slot::Value(v) => Some((n, v)),
                    Slot::Line(_) => None,
                })
                .flat_map(|(n, v)| v.values().iter().map(|v| unique_key(n, v)))
                .collect::<Vec<_>>();
            for key in old {
                if self.by_value.get(&key).is_some_and(|a| a == anchor) {
                    self.by_value.remove(&key);
                }
            }
            if let Slot::Value(value) = &slot {
                for v in value.values() {
                    if !v.is_null() {
                        self.by_value.insert(unique_key(name, v), anchor.to_owned());
                    }
                }
            }
        }
        let null = matches!(&slot, Slot::Value(v) if v.is_null());
        if pending.added && pending.added_line.is_none() && null {
            pending.attributes.shift_remove(name);
        } else {
            pending.attributes.insert(Name::new(name), slot);
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

/// One change as the overlay records it.
struct Logged<'a> {
    change: &'a Change,
    anchor: &'a str,
    dn: &'a Dn,
    old_dn: Option<&'a Dn>,
    object_type: &'a str,
    added_line: Option<Span>,
}
