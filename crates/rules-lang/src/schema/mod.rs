//! Attribute schemas: the object classes of a directory and the type of each attribute.
//!
//! The type checker asks a [`Schema`] for the static type of `[attribute]`; an attribute no
//! schema describes is `var`. Schemas are read from the DSML that Entra Connect Sync (and
//! FIM/MIIS before it) writes into its configuration exports:
//!
//! - `GlobalSettings/MV.xml`, the metaverse schema ([`Schema::from_mv_file`]),
//! - `Connectors/Connector_{guid}.xml`, one connector each ([`ConnectorDef::from_file`]): its
//!   id, name, kind, schema, partitions and attribute inclusion list.
//!
//! Both hold a `dsml:directory-schema` of `attribute-type` and `class` elements. The metaverse
//! and the Entra ID connector use the `dsml:` prefix and attribute-type ids equal to the names;
//! the Active Directory connector uses DSML as the default namespace, short ids (`A1pq`) that
//! classes refer to (`<attribute ref="#A1pq"/>`), `superior` class links and `m:dit-content-rule`
//! elements listing each structural class's auxiliary classes and the further attributes they
//! allow. References are resolved to names when the schema is read. Elements and attributes are
//! matched by local name, so any prefix works. An `attribute-type` without `single-value="true"`
//! is multi-valued, as DSML specifies.
//!
//! Microsoft extensions kept: `ms-dsml:indexable` on metaverse attribute types
//! ([`Schema::is_indexable`]) and `ms-dsml:isAnchor` on a class's attribute reference
//! ([`ObjectClassDef::anchors`]). Ignored: `m:range-lower`, `m:range-upper`,
//! `user-modification`, `m:export-only`, `m:encrypted`, `required`.
//!
//! Each attribute type's `syntax` OID gives its scalar type, as [`scalar_for_syntax`] tables.
//!
//! Reading goes in stages, a module each: `file` decodes a file's bytes to text, `dsml` reads
//! the text in one streaming pass (`dsml::elements`) and resolves the references it collected
//! (`dsml::resolve`), and `connector` makes a [`ConnectorDef`] of what an `ma-data` held.
//! Errors of every stage are [`SchemaError`]s.

mod connector;
mod dsml;
mod error;
mod file;
mod syntax;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::path::Path;

use indexmap::{IndexMap, IndexSet};

use crate::types::{Scalar, Ty};

pub use connector::{ConnectorDef, ConnectorKind, PartitionDef};
pub use error::{Position, SchemaError};
pub use file::decode_text;
pub use syntax::scalar_for_syntax;

/// One attribute's definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeDef {
    /// The attribute's name, as expressions spell it (case-sensitive).
    pub name: String,
    /// The type of one value.
    pub scalar: Scalar,
    /// True when the attribute may hold several values.
    pub multi: bool,
    /// The DSML syntax OID it was read from, if any.
    pub syntax: Option<String>,
}

impl AttributeDef {
    /// An attribute of the given type, with no syntax OID.
    pub fn new(name: impl Into<String>, scalar: Scalar, multi: bool) -> Self {
        AttributeDef {
            name: name.into(),
            scalar,
            multi,
            syntax: None,
        }
    }

    /// The attribute's static type: `str`, `mvstr`, `ref`, ...
    pub fn ty(&self) -> Ty {
        if self.multi {
            Ty::Many(self.scalar)
        } else {
            Ty::One(self.scalar)
        }
    }
}

/// One object class and the attributes it may hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectClassDef {
    /// The class's name (`person`, `user`, ...).
    pub name: String,
    /// The attributes the class itself declares, by name, in file order; inherited ones are
    /// not repeated here (see [`Schema::class_attributes`]).
    pub attributes: Vec<String>,
    /// The class it derives from (`superior` in DSML), by name.
    pub superior: Option<String>,
    /// The auxiliary classes a structural class may also carry (Active Directory's
    /// `m:dit-content-rule`), by name.
    pub auxiliary: Vec<String>,
    /// The further attributes the class's `m:dit-content-rule` allows (those its auxiliary
    /// classes bring), by name, in file order.
    pub auxiliary_attributes: Vec<String>,
    /// The attributes marked `ms-dsml:isAnchor="true"`: the class's anchor.
    pub anchors: Vec<String>,
}

impl ObjectClassDef {
    /// A class declaring `attributes`, with no superior, auxiliary classes or anchor.
    pub fn new(name: impl Into<String>, attributes: Vec<String>) -> Self {
        ObjectClassDef {
            name: name.into(),
            attributes,
            ..ObjectClassDef::default()
        }
    }
}

/// An attribute schema: object classes and attribute types. Unknown attributes are `var`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schema {
    attributes: IndexMap<String, AttributeDef>,
    classes: IndexMap<String, ObjectClassDef>,
    indexable: IndexSet<String>,
}

impl Schema {
    /// An empty schema: every attribute is `var`.
    pub fn new() -> Self {
        Schema::default()
    }

    /// Adds an attribute type, replacing one of the same name.
    pub fn add_attribute(&mut self, def: AttributeDef) {
        self.attributes.insert(def.name.clone(), def);
    }

    /// Adds an object class, replacing one of the same name.
    pub fn add_class(&mut self, def: ObjectClassDef) {
        self.classes.insert(def.name.clone(), def);
    }

    /// Marks an attribute indexable (`ms-dsml:indexable="true"` in the metaverse schema).
    pub fn set_indexable(&mut self, name: &str) {
        self.indexable.insert(name.to_owned());
    }

    /// True when the schema marks the attribute indexable.
    pub fn is_indexable(&self, name: &str) -> bool {
        self.indexable.contains(name)
    }

    /// The attribute of exactly this name (names are case-sensitive in expressions).
    pub fn attribute(&self, name: &str) -> Option<&AttributeDef> {
        self.attributes.get(name)
    }

    /// The first attribute whose name equals `name` ignoring ASCII case, for suggestions.
    pub fn attribute_ignore_case(&self, name: &str) -> Option<&AttributeDef> {
        self.attribute(name).or_else(|| {
            self.attributes
                .values()
                .find(|a| a.name.eq_ignore_ascii_case(name))
        })
    }

    /// The static type of `[name]`: `Ty::One`/`Ty::Many` of its scalar, `Ty::Var` when unknown.
    pub fn attribute_type(&self, name: &str) -> Ty {
        self.attribute(name).map_or(Ty::Var, AttributeDef::ty)
    }

    /// The object class of exactly this name.
    pub fn class(&self, name: &str) -> Option<&ObjectClassDef> {
        self.classes.get(name)
    }

    /// The object classes, in file order.
    pub fn classes(&self) -> impl ExactSizeIterator<Item = &ObjectClassDef> {
        self.classes.values()
    }

    /// The attribute types, in file order.
    pub fn attributes(&self) -> impl ExactSizeIterator<Item = &AttributeDef> {
        self.attributes.values()
    }

    /// True when the schema has neither attributes nor classes.
    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty() && self.classes.is_empty()
    }

    /// Every attribute an object of class `name` may hold, each once: the class's own and its
    /// content rule's first, then, breadth first, those of its superiors (up to `top`) and of
    /// its auxiliary classes and their superiors. This is a permissive union: an Active
    /// Directory content rule lists fewer attributes than its auxiliary classes declare.
    /// `None` when the class is unknown.
    pub fn class_attributes(&self, name: &str) -> Option<Vec<&str>> {
        let start = self.class(name)?;
        let mut seen: HashSet<&str> = HashSet::new();
        let mut names: IndexSet<&str> = IndexSet::new();
        let mut queue: Vec<&ObjectClassDef> = vec![start];
        let mut next = 0;
        while let Some(class) = queue.get(next).copied() {
            next += 1;
            if !seen.insert(class.name.as_str()) {
                continue;
            }
            names.extend(class.attributes.iter().map(String::as_str));
            names.extend(class.auxiliary_attributes.iter().map(String::as_str));
            let related = class.superior.iter().chain(&class.auxiliary);
            queue.extend(related.filter_map(|c| self.class(c)));
        }
        Some(names.into_iter().collect())
    }

    /// The known attribute name closest to `name`, for "did you mean": `name` itself if known,
    /// else one differing only in ASCII case, else the nearest by edit distance (ignoring case;
    /// a transposition counts 1) if within a third of the name's length, the first in schema
    /// order on a tie. `None` when nothing is close.
    pub fn attribute_names_like(&self, name: &str) -> Option<&str> {
        if let Some(def) = self.attribute_ignore_case(name) {
            return Some(def.name.as_str());
        }
        let len = name.chars().count();
        let limit = (len.max(3) / 3).max(1);
        let mut best: Option<(usize, &str)> = None;
        for candidate in self.attributes.keys() {
            if candidate.chars().count().abs_diff(len) > limit {
                continue;
            }
            let distance = edit_distance(name, candidate);
            if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
                best = Some((distance, candidate.as_str()));
            }
        }
        best.map(|(_, n)| n)
    }

    /// Reads the schema from any XML document containing a `dsml:directory-schema`.
    pub fn from_dsml(xml: &str) -> Result<Schema, SchemaError> {
        dsml::schema_from_xml(xml, None)
    }

    /// Reads the metaverse schema from an exported `MV.xml`.
    pub fn from_mv_file(path: &Path) -> Result<Schema, SchemaError> {
        let xml = file::read_xml_file(path)?;
        dsml::schema_from_xml(&xml, Some(path))
    }

    /// Adds `other`'s attributes and classes. Where both define an attribute, `self`'s
    /// definition stays; where both define a class, its attribute, auxiliary and anchor lists
    /// are united and a missing superior is taken from `other`.
    pub fn merge(&mut self, other: &Schema) {
        for def in other.attributes() {
            self.attributes
                .entry(def.name.clone())
                .or_insert_with(|| def.clone());
        }
        for def in other.classes() {
            let Some(mine) = self.classes.get_mut(&def.name) else {
                self.add_class(def.clone());
                continue;
            };
            union_into(&mut mine.attributes, &def.attributes);
            union_into(&mut mine.auxiliary, &def.auxiliary);
            union_into(&mut mine.auxiliary_attributes, &def.auxiliary_attributes);
            union_into(&mut mine.anchors, &def.anchors);
            if mine.superior.is_none() {
                mine.superior.clone_from(&def.superior);
            }
        }
        self.indexable.extend(other.indexable.iter().cloned());
    }
}

/// Appends the names of `from` that `to` lacks.
fn union_into(to: &mut Vec<String>, from: &[String]) {
    for name in from {
        if !to.contains(name) {
            to.push(name.clone());
        }
    }
}

/// Edit distance between `a` and `b` ignoring case: insertions, deletions, substitutions and
/// transpositions of adjacent characters cost 1 each (optimal string alignment).
fn edit_distance(a: &str, b: &str) -> usize {
    let lower = |s: &str| s.chars().flat_map(char::to_lowercase).collect::<String>();
    strsim::osa_distance(&lower(a), &lower(b))
}
