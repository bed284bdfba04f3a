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
//! # Syntax OIDs
//!
//! Each attribute type's `syntax` OID gives its scalar type. `1.3.6.1.4.1.1466.115.121.1.` is
//! abbreviated `…121.1.` and `1.2.840.113556.1.4.` (Active Directory's own syntaxes) `…1.4.`.
//!
//! | OID | syntax | scalar |
//! | --- | --- | --- |
//! | `…121.1.15` | Directory String | `str` |
//! | `…121.1.26` | IA5 String | `str` |
//! | `…121.1.44` | Printable String | `str` |
//! | `…121.1.36` | Numeric String | `str` |
//! | `…121.1.38` | OID | `str` |
//! | `…121.1.11` | Country String | `str` |
//! | `…121.1.50` | Telephone Number | `str` |
//! | `…121.1.22` | Facsimile Telephone Number | `str` |
//! | `…121.1.43` | Presentation Address | `str` |
//! | `…121.1.2` | Access Point | `str` |
//! | `…121.1.34` | Name and Optional UID | `str` |
//! | `…1.4.905` | String(Teletex) | `str` |
//! | `…1.4.1362` | String(Case) | `str` |
//! | `…1.4.903` | Object(DN-Binary): `B:<count>:<hex>:<dn>` | `str` |
//! | `…1.4.904` | Object(DN-String): `S:<count>:<string>:<dn>` | `str` |
//! | `…121.1.12` | DN | `ref` |
//! | `…1.4.1221` | Object(OR-Name): a DN (`authOrig`, `dLMemSubmitPerms`) | `ref` |
//! | `…121.1.27` | Integer (and AD Enumeration) | `num` |
//! | `…1.4.906` | Large Integer (`pwdLastSet`, `accountExpires`) | `num` |
//! | `…121.1.7` | Boolean | `bool` |
//! | `…121.1.40` | Octet String | `bin` |
//! | `…121.1.5` | Binary (the metaverse's binary type) | `bin` |
//! | `…121.1.4` | Audio | `bin` |
//! | `…121.1.8` | Certificate | `bin` |
//! | `…121.1.9` | Certificate List | `bin` |
//! | `…121.1.10` | Certificate Pair | `bin` |
//! | `…121.1.28` | JPEG | `bin` |
//! | `…1.4.907` | String(NT-Sec-Desc) | `bin` |
//! | `…121.1.24` | Generalized Time | `dt` |
//! | `…121.1.53` | UTC Time | `dt` |
//! | anything else, or no `syntax` | | `str` ([`scalar_for_syntax`] gives `None`) |
//!
//! Note: the Sync Service's own connector-space and metaverse types are only string, integer,
//! binary, boolean and reference; it holds an Active Directory Generalized Time as a string
//! such as `20160426114009.0Z` (the metaverse declares `msExchELCExpirySuspensionEnd` a
//! Directory String while the AD connector declares it Generalized Time, and a rule flows one
//! into the other directly). The two time syntaxes are mapped to `dt` here nonetheless; a
//! checker that compares a direct flow's source and target types should let `dt` flow to `str`.

mod connector;
mod dsml;

use std::collections::HashSet;
use std::fmt;
use std::mem;
use std::path::{Path, PathBuf};

use indexmap::{IndexMap, IndexSet};

use crate::types::{Scalar, Ty};

pub use connector::{ConnectorDef, ConnectorKind, PartitionDef};

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
        let xml = read_xml_file(path)?;
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
    let at = |row: &[usize], j: usize| row.get(j).copied().unwrap_or(usize::MAX);
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    let mut before_prev: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut prev_char: Option<char> = None;
    for (i, ca) in a.chars().flat_map(char::to_lowercase).enumerate() {
        let mut cur: Vec<usize> = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, &cb) in b.iter().enumerate() {
            let substitute = at(&prev, j).saturating_add(usize::from(ca != cb));
            let delete = at(&prev, j + 1).saturating_add(1);
            let insert = at(&cur, j).saturating_add(1);
            let mut best = substitute.min(delete).min(insert);
            let swapped = j > 0 && prev_char == Some(cb) && b.get(j - 1) == Some(&ca);
            if swapped {
                best = best.min(at(&before_prev, j - 1).saturating_add(1));
            }
            cur.push(best);
        }
        before_prev = mem::replace(&mut prev, cur);
        prev_char = Some(ca);
    }
    prev.last().copied().unwrap_or(0)
}

/// The scalar type of a DSML syntax OID (see the table in the module documentation), `None`
/// for an OID not in the table (such attributes are read as `str`).
pub fn scalar_for_syntax(oid: &str) -> Option<Scalar> {
    const LDAP: &str = "1.3.6.1.4.1.1466.115.121.1.";
    const AD: &str = "1.2.840.113556.1.4.";
    let oid = oid.trim();
    if let Some(n) = oid.strip_prefix(LDAP) {
        return match n {
            "2" | "11" | "15" | "22" | "26" | "34" | "36" | "38" | "43" | "44" | "50" => {
                Some(Scalar::Str)
            }
            "12" => Some(Scalar::Ref),
            "27" => Some(Scalar::Num),
            "7" => Some(Scalar::Bool),
            "4" | "5" | "8" | "9" | "10" | "28" | "40" => Some(Scalar::Bin),
            "24" | "53" => Some(Scalar::Dt),
            _ => None,
        };
    }
    match oid.strip_prefix(AD)? {
        "903" | "904" | "905" | "1362" => Some(Scalar::Str),
        "1221" => Some(Scalar::Ref),
        "906" => Some(Scalar::Num),
        "907" => Some(Scalar::Bin),
        _ => None,
    }
}

/// Reads an XML file as text: UTF-8 (with or without a byte-order mark) or UTF-16 with one.
fn read_xml_file(path: &Path) -> Result<String, SchemaError> {
    let bytes = std::fs::read(path).map_err(|source| SchemaError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |message: &str| SchemaError::Invalid {
        path: Some(path.to_path_buf()),
        position: None,
        message: message.to_owned(),
    };
    let utf16 = |rest: &[u8], from: fn([u8; 2]) -> u16| {
        let units = rest
            .chunks(2)
            .map(|c| <[u8; 2]>::try_from(c).map_or(0xFFFD, from));
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| invalid("the file is not valid utf-16"))
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        utf16(rest, u16::from_be_bytes)
    } else {
        let rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        String::from_utf8(rest.to_vec()).map_err(|_| invalid("the file is not valid utf-8"))
    }
}

/// A line and column (both 1-based; the column counts characters) in an XML document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` of `text`.
    pub fn of_offset(text: &str, offset: usize) -> Position {
        let before = text.as_bytes().get(..offset).unwrap_or(text.as_bytes());
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_prefix = before.get(line_start..).unwrap_or_default();
        Position {
            line: before.iter().filter(|&&b| b == b'\n').count() + 1,
            column: line_prefix.iter().filter(|&&b| b & 0xC0 != 0x80).count() + 1,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Why a schema or connector file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The text is not well-formed XML.
    #[error("{}malformed xml: {message}", location(.path.as_deref(), Some(*.position)))]
    Xml {
        /// The file, when reading one.
        path: Option<PathBuf>,
        /// Where the XML parser stopped.
        position: Position,
        /// The XML parser's message.
        message: String,
    },
    /// The XML is well-formed but not a schema or connector this module understands.
    #[error("{}{message}", location(.path.as_deref(), *.position))]
    Invalid {
        /// The file, when reading one.
        path: Option<PathBuf>,
        /// The offending element, when there is one.
        position: Option<Position>,
        /// What is wrong.
        message: String,
    },
}

/// `path:line:column: `, `path: `, `line:column: ` or nothing.
fn location(path: Option<&Path>, position: Option<Position>) -> String {
    match (path, position) {
        (Some(path), Some(p)) => format!("{}:{p}: ", path.display()),
        (Some(path), None) => format!("{}: ", path.display()),
        (None, Some(p)) => format!("{p}: "),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LDAP: &str = "1.3.6.1.4.1.1466.115.121.1.";
    const AD: &str = "1.2.840.113556.1.4.";

    #[test]
    fn syntax_oids_map_to_scalars() {
        let table: &[(&str, &str, Scalar)] = &[
            (LDAP, "15", Scalar::Str),
            (LDAP, "26", Scalar::Str),
            (LDAP, "44", Scalar::Str),
            (LDAP, "36", Scalar::Str),
            (LDAP, "38", Scalar::Str),
            (LDAP, "11", Scalar::Str),
            (LDAP, "50", Scalar::Str),
            (LDAP, "22", Scalar::Str),
            (LDAP, "43", Scalar::Str),
            (LDAP, "2", Scalar::Str),
            (LDAP, "34", Scalar::Str),
            (AD, "905", Scalar::Str),
            (AD, "1362", Scalar::Str),
            (AD, "903", Scalar::Str),
            (AD, "904", Scalar::Str),
            (LDAP, "12", Scalar::Ref),
            (AD, "1221", Scalar::Ref),
            (LDAP, "27", Scalar::Num),
            (AD, "906", Scalar::Num),
            (LDAP, "7", Scalar::Bool),
            (LDAP, "40", Scalar::Bin),
            (LDAP, "5", Scalar::Bin),
            (LDAP, "4", Scalar::Bin),
            (LDAP, "8", Scalar::Bin),
            (LDAP, "9", Scalar::Bin),
            (LDAP, "10", Scalar::Bin),
            (LDAP, "28", Scalar::Bin),
            (AD, "907", Scalar::Bin),
            (LDAP, "24", Scalar::Dt),
            (LDAP, "53", Scalar::Dt),
        ];
        for (prefix, n, scalar) in table {
            let oid = format!("{prefix}{n}");
            assert_eq!(scalar_for_syntax(&oid), Some(*scalar), "{oid}");
        }
        assert_eq!(
            scalar_for_syntax(" 1.3.6.1.4.1.1466.115.121.1.7 "),
            Some(Scalar::Bool)
        );
        for unknown in [
            "1.3.6.1.4.1.1466.115.121.1.99",
            "1.2.840.113556.1.4.1",
            "2.5.5.12",
            "",
        ] {
            assert_eq!(scalar_for_syntax(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn unknown_syntax_reads_as_str_and_keeps_the_oid() {
        let xml = r#"<dsml:directory-schema xmlns:dsml="http://www.dsml.org/DSML">
            <dsml:attribute-type id="x" single-value="true"><dsml:name>x</dsml:name>
            <dsml:syntax>1.2.3.4</dsml:syntax></dsml:attribute-type>
            <dsml:attribute-type id="y"><dsml:name>y</dsml:name></dsml:attribute-type>
            </dsml:directory-schema>"#;
        let schema = Schema::from_dsml(xml).unwrap();
        let x = schema.attribute("x").unwrap();
        assert_eq!(
            (x.scalar, x.multi, x.syntax.as_deref()),
            (Scalar::Str, false, Some("1.2.3.4"))
        );
        let y = schema.attribute("y").unwrap();
        assert_eq!(
            (y.scalar, y.multi, y.syntax.as_deref()),
            (Scalar::Str, true, None)
        );
    }

    #[test]
    fn unknown_attributes_are_var() {
        assert_eq!(Schema::new().attribute_type("anything"), Ty::Var);
        let mut schema = Schema::new();
        schema.add_attribute(AttributeDef::new("mail", Scalar::Str, false));
        schema.add_attribute(AttributeDef::new("member", Scalar::Ref, true));
        assert_eq!(schema.attribute_type("mail"), Ty::STR);
        assert_eq!(schema.attribute_type("member"), Ty::MVREF);
        assert_eq!(
            schema.attribute_type("Mail"),
            Ty::Var,
            "names are case-sensitive"
        );
        assert_eq!(schema.attribute_type("nope"), Ty::Var);
    }

    #[test]
    fn lookups_ignoring_case_and_suggestions() {
        let mut schema = Schema::new();
        for name in [
            "accountEnabled",
            "proxyAddresses",
            "mail",
            "mailNickname",
            "cn",
        ] {
            schema.add_attribute(AttributeDef::new(name, Scalar::Str, false));
        }
        assert!(schema.attribute("accountenabled").is_none());
        let found = schema.attribute_ignore_case("accountenabled").unwrap();
        assert_eq!(found.name, "accountEnabled");
        assert_eq!(
            schema.attribute_names_like("ACCOUNTENABLED"),
            Some("accountEnabled")
        );
        assert_eq!(
            schema.attribute_names_like("acountEnabled"),
            Some("accountEnabled")
        );
        assert_eq!(
            schema.attribute_names_like("proxyAdresses"),
            Some("proxyAddresses")
        );
        assert_eq!(schema.attribute_names_like("mial"), Some("mail"));
        assert_eq!(
            schema.attribute_names_like("mailNickName"),
            Some("mailNickname")
        );
        assert_eq!(schema.attribute_names_like("department"), None);
        assert_eq!(schema.attribute_names_like("xy"), None);
        assert_eq!(Schema::new().attribute_names_like("mail"), None);
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("Mail", "mail"), 0);
        assert_eq!(edit_distance("mial", "mail"), 1);
        assert_eq!(edit_distance("ca", "abc"), 3);
        assert_eq!(edit_distance("abcdef", "abdcef"), 1);
    }

    #[test]
    fn merge_keeps_own_definitions_and_unites_classes() {
        let mut a = Schema::new();
        a.add_attribute(AttributeDef::new("x", Scalar::Str, false));
        a.add_class(ObjectClassDef::new("person", vec!["x".to_owned()]));
        let mut b = Schema::new();
        b.add_attribute(AttributeDef::new("x", Scalar::Num, true));
        b.add_attribute(AttributeDef::new("y", Scalar::Bool, false));
        b.add_class(ObjectClassDef::new(
            "person",
            vec!["y".to_owned(), "x".to_owned()],
        ));
        b.add_class(ObjectClassDef::new("group", vec![]));
        b.set_indexable("y");
        a.merge(&b);
        assert_eq!(a.attribute_type("x"), Ty::STR);
        assert_eq!(a.attribute_type("y"), Ty::BOOL);
        assert!(a.is_indexable("y") && !a.is_indexable("x"));
        assert_eq!(a.class("person").unwrap().attributes, ["x", "y"]);
        let names: Vec<&str> = a.classes().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["person", "group"]);
    }

    #[test]
    fn class_attributes_follow_superiors_and_auxiliaries() {
        let mut schema = Schema::new();
        let mut top = ObjectClassDef::new("top", vec!["objectClass".to_owned()]);
        top.superior = Some("top".to_owned());
        schema.add_class(top);
        let mut person = ObjectClassDef::new("person", vec!["sn".to_owned(), "cn".to_owned()]);
        person.superior = Some("top".to_owned());
        schema.add_class(person);
        schema.add_class(ObjectClassDef::new(
            "mailRecipient",
            vec!["mail".to_owned()],
        ));
        let mut user = ObjectClassDef::new("user", vec!["cn".to_owned(), "upn".to_owned()]);
        user.superior = Some("person".to_owned());
        user.auxiliary = vec!["mailRecipient".to_owned(), "missing".to_owned()];
        user.auxiliary_attributes = vec!["mail".to_owned(), "sam".to_owned()];
        schema.add_class(user);
        let all = schema.class_attributes("user").unwrap();
        assert_eq!(all, ["cn", "upn", "mail", "sam", "sn", "objectClass"]);
        assert!(schema.class_attributes("nope").is_none());
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\ncé\nxyz";
        assert_eq!(
            Position::of_offset(text, 0),
            Position { line: 1, column: 1 }
        );
        assert_eq!(
            Position::of_offset(text, 3),
            Position { line: 2, column: 1 }
        );
        assert_eq!(
            Position::of_offset(text, 6),
            Position { line: 2, column: 3 }
        );
        assert_eq!(
            Position::of_offset(text, 7),
            Position { line: 3, column: 1 }
        );
        assert_eq!(
            Position::of_offset(text, 99),
            Position { line: 3, column: 4 }
        );
    }

    #[test]
    fn error_messages_are_lowercase_with_location() {
        let err = SchemaError::Invalid {
            path: Some(PathBuf::from("MV.xml")),
            position: Some(Position { line: 3, column: 7 }),
            message: "class `person` has no name".to_owned(),
        };
        assert_eq!(err.to_string(), "MV.xml:3:7: class `person` has no name");
        let err = SchemaError::Xml {
            path: None,
            position: Position { line: 1, column: 2 },
            message: "boom".to_owned(),
        };
        assert_eq!(err.to_string(), "1:2: malformed xml: boom");
    }

    #[test]
    fn files_in_utf8_with_bom_and_utf16_read_alike() {
        let dir = std::env::temp_dir().join(format!("syncrules-schema-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let xml = r#"<directory-schema><attribute-type id="a" single-value="true"><name>é</name><syntax>1.3.6.1.4.1.1466.115.121.1.7</syntax></attribute-type></directory-schema>"#;
        let mut utf8 = b"\xEF\xBB\xBF".to_vec();
        utf8.extend_from_slice(xml.as_bytes());
        let mut le = b"\xFF\xFE".to_vec();
        le.extend(xml.encode_utf16().flat_map(u16::to_le_bytes));
        let mut be = b"\xFE\xFF".to_vec();
        be.extend(xml.encode_utf16().flat_map(u16::to_be_bytes));
        for (name, bytes) in [("utf8.xml", utf8), ("le.xml", le), ("be.xml", be)] {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            let schema = Schema::from_mv_file(&path).unwrap();
            assert_eq!(schema.attribute_type("é"), Ty::BOOL, "{name}");
        }
        let path = dir.join("bad.xml");
        std::fs::write(&path, b"<a>\xFF</a>").unwrap();
        let err = Schema::from_mv_file(&path).unwrap_err().to_string();
        assert!(
            err.ends_with("bad.xml: the file is not valid utf-8"),
            "{err}"
        );
        let missing = dir.join("missing.xml");
        let err = Schema::from_mv_file(&missing).unwrap_err();
        assert!(matches!(err, SchemaError::Io { .. }), "{err}");
        assert!(err.to_string().starts_with("cannot read "), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
