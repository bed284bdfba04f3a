//! The schema as read, its references still ids, and the resolving of them into names.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::mem;

use super::Parser;
use crate::schema::{AttributeDef, ObjectClassDef, Schema, SchemaError, scalar_for_syntax};
use crate::types::Scalar;

/// An interned id (an attribute type's or class's `id`, or a `#id` reference without `#`).
pub(super) type Id = usize;

/// Distinct ids, each stored once. Ids are kept as the bytes of the (UTF-8) text: they are
/// only compared, and decoded only for error messages.
#[derive(Default)]
pub(super) struct Interner {
    index: HashMap<Box<[u8]>, Id, BuildHasherDefault<Fnv>>,
}

impl Interner {
    /// The id of `id`, a new one the first time it is seen.
    pub(super) fn intern(&mut self, id: &[u8]) -> Id {
        if let Some(&n) = self.index.get(id) {
            return n;
        }
        let n = self.index.len();
        self.index.insert(id.into(), n);
        n
    }

    /// The id of a reference, `#id` or `id`.
    pub(super) fn intern_ref(&mut self, reference: &[u8]) -> Id {
        self.intern(reference.strip_prefix(b"#").unwrap_or(reference))
    }

    fn len(&self) -> usize {
        self.index.len()
    }

    /// The id's text, for error messages (a linear search).
    fn get(&self, id: Id) -> Cow<'_, str> {
        let found = self.index.iter().find(|&(_, &n)| n == id);
        String::from_utf8_lossy(found.map_or(&[], |(text, _)| text))
    }
}

/// FNV-1a: ids are short and come from a local configuration file, so a fast hash beats a
/// collision-resistant one.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.step(u64::from(b));
        }
    }

    /// A byte slice's length prefix: one step rather than eight.
    fn write_usize(&mut self, n: usize) {
        self.step(n as u64);
    }
}

impl Fnv {
    fn step(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x0100_0000_01b3);
    }
}

/// An `attribute-type` being read.
pub(super) struct PendingType {
    pub(super) id: Option<Id>,
    pub(super) name: String,
    pub(super) syntax: Option<String>,
    pub(super) multi: bool,
    pub(super) indexable: bool,
    pub(super) offset: usize,
}

/// A `class` being read.
pub(super) struct PendingClass {
    pub(super) id: Option<Id>,
    pub(super) name: String,
    pub(super) superior: Option<Id>,
    /// `(attribute type, is anchor, byte offset)`.
    pub(super) refs: Vec<(Id, bool, usize)>,
    pub(super) offset: usize,
}

/// A `dit-content-rule`: the auxiliary classes and further attributes of the structural class
/// whose id it bears.
pub(super) struct PendingRule {
    pub(super) id: Id,
    pub(super) offset: usize,
    pub(super) aux: Vec<(Id, usize)>,
    pub(super) refs: Vec<(Id, usize)>,
}

impl Parser<'_> {
    /// Builds the schema, turning references into names.
    pub(super) fn resolve(&mut self) -> Result<Schema, SchemaError> {
        let classes = self.resolve_classes()?;
        let mut schema = Schema::new();
        for def in mem::take(&mut self.types) {
            if def.indexable {
                schema.set_indexable(&def.name);
            }
            let scalar = def.syntax.as_deref().and_then(scalar_for_syntax);
            schema.add_attribute(AttributeDef {
                name: def.name,
                scalar: scalar.unwrap_or(Scalar::Str),
                multi: def.multi,
                syntax: def.syntax,
            });
        }
        for def in classes {
            schema.add_class(def);
        }
        Ok(schema)
    }

    /// The classes, with their references resolved; checks that everything has a name.
    fn resolve_classes(&self) -> Result<Vec<ObjectClassDef>, SchemaError> {
        let src = self.src;
        let types = self.types.iter().map(|t| (t.id, t.name.as_str(), t.offset));
        let type_of = self.names_by_id("attribute type", types)?;
        let classes = self
            .classes
            .iter()
            .map(|c| (c.id, c.name.as_str(), c.offset));
        let class_of = self.names_by_id("class", classes)?;
        let mut rule_of: Vec<Option<&PendingRule>> = vec![None; self.ids.len()];
        for rule in &self.rules {
            if class_of.get(rule.id).copied().flatten().is_none() {
                let message = format!("content rule `{}` names no class", self.ids.get(rule.id));
                return Err(src.invalid(rule.offset, message));
            }
            if let Some(slot) = rule_of.get_mut(rule.id) {
                *slot = Some(rule);
            }
        }
        let mut classes = Vec::with_capacity(self.classes.len());
        for class in &self.classes {
            let find = |table: &[Option<&str>], id: Id, what: &str, at: usize| {
                if let Some(name) = table.get(id).copied().flatten() {
                    return Ok(name.to_owned());
                }
                let id = self.ids.get(id);
                let message = format!("class `{}` refers to unknown {what} `#{id}`", class.name);
                Err(src.invalid(at, message))
            };
            let mut def = ObjectClassDef::new(class.name.clone(), Vec::new());
            def.attributes.reserve_exact(class.refs.len());
            for &(id, anchor, at) in &class.refs {
                let name = find(&type_of, id, "attribute type", at)?;
                if anchor {
                    def.anchors.push(name.clone());
                }
                def.attributes.push(name);
            }
            if let Some(superior) = class.superior {
                def.superior = Some(find(&class_of, superior, "class", class.offset)?);
            }
            let rule = class.id.and_then(|id| rule_of.get(id).copied().flatten());
            if let Some(rule) = rule {
                def.auxiliary.reserve_exact(rule.aux.len());
                for &(id, at) in &rule.aux {
                    def.auxiliary.push(find(&class_of, id, "class", at)?);
                }
                def.auxiliary_attributes.reserve_exact(rule.refs.len());
                for &(id, at) in &rule.refs {
                    def.auxiliary_attributes
                        .push(find(&type_of, id, "attribute type", at)?);
                }
            }
            classes.push(def);
        }
        Ok(classes)
    }

    /// Interned id → the name of the attribute type or class (`what`) that bears it, from
    /// `(id, name, byte offset)`s; fails on the first without a name.
    fn names_by_id<'p>(
        &self,
        what: &str,
        items: impl Iterator<Item = (Option<Id>, &'p str, usize)>,
    ) -> Result<Vec<Option<&'p str>>, SchemaError> {
        let mut table = vec![None; self.ids.len()];
        for (id, name, at) in items {
            if name.is_empty() {
                let message = match id {
                    Some(id) => format!("{what} `{}` has no name", self.ids.get(id)),
                    None => format!("{what} has no name"),
                };
                return Err(self.src.invalid(at, message));
            }
            if let Some(slot) = id.and_then(|id| table.get_mut(id)) {
                *slot = Some(name);
            }
        }
        Ok(table)
    }
}
