//! Streaming reader for DSML schemas and the connector (`ma-data`) files that embed them.
//!
//! One pass over the events keeps a stack of the open elements (as [`Elem`]s, by local name)
//! and acts on the paths it knows; everything else is skipped. Ids are interned as they are
//! read, and references (`#id`) resolved once the whole schema has been read, since the
//! metaverse lists its classes before the attribute types they refer to. Apart from the
//! schema's own strings, reading allocates only for each distinct id.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::mem;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::escape::EscapeError;
use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};

use super::connector::{ConnectorFields, PartitionDef};
use super::{AttributeDef, ObjectClassDef, Position, Schema, SchemaError, scalar_for_syntax};
use crate::types::Scalar;

/// The elements the reader acts on, by local name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Elem {
    DirectorySchema,
    AttributeType,
    Class,
    Name,
    Syntax,
    Attribute,
    DitContentRule,
    AuxClass,
    MaData,
    Id,
    Category,
    Subtype,
    MaListname,
    MaPartitionData,
    Partition,
    Selected,
    Filter,
    ObjectClasses,
    ObjectClass,
    Containers,
    Inclusions,
    Inclusion,
    Exclusions,
    Exclusion,
    AttributeInclusion,
    Other,
}

impl Elem {
    fn of(local_name: &[u8]) -> Elem {
        match local_name {
            b"directory-schema" => Elem::DirectorySchema,
            b"attribute-type" => Elem::AttributeType,
            b"class" => Elem::Class,
            b"name" => Elem::Name,
            b"syntax" => Elem::Syntax,
            b"attribute" => Elem::Attribute,
            b"dit-content-rule" => Elem::DitContentRule,
            b"aux-class" => Elem::AuxClass,
            b"ma-data" => Elem::MaData,
            b"id" => Elem::Id,
            b"category" => Elem::Category,
            b"subtype" => Elem::Subtype,
            b"ma-listname" => Elem::MaListname,
            b"ma-partition-data" => Elem::MaPartitionData,
            b"partition" => Elem::Partition,
            b"selected" => Elem::Selected,
            b"filter" => Elem::Filter,
            b"object-classes" => Elem::ObjectClasses,
            b"object-class" => Elem::ObjectClass,
            b"containers" => Elem::Containers,
            b"inclusions" => Elem::Inclusions,
            b"inclusion" => Elem::Inclusion,
            b"exclusions" => Elem::Exclusions,
            b"exclusion" => Elem::Exclusion,
            b"attribute-inclusion" => Elem::AttributeInclusion,
            _ => Elem::Other,
        }
    }

    /// True for the elements whose text the reader may keep.
    fn has_text(self) -> bool {
        matches!(
            self,
            Elem::Name
                | Elem::Syntax
                | Elem::Attribute
                | Elem::Id
                | Elem::Category
                | Elem::Subtype
                | Elem::MaListname
                | Elem::Selected
                | Elem::ObjectClass
                | Elem::Inclusion
                | Elem::Exclusion
        )
    }
}

/// An interned id (an attribute type's or class's `id`, or a `#id` reference without `#`).
type Id = usize;

/// Distinct ids, each stored once.
#[derive(Default)]
struct Interner {
    index: HashMap<Box<str>, Id, BuildHasherDefault<Fnv>>,
}

impl Interner {
    fn intern(&mut self, id: &str) -> Id {
        if let Some(&n) = self.index.get(id) {
            return n;
        }
        let n = self.index.len();
        self.index.insert(id.into(), n);
        n
    }

    fn len(&self) -> usize {
        self.index.len()
    }

    /// The id's text, for error messages (a linear search).
    fn get(&self, id: Id) -> &str {
        let found = self.index.iter().find(|&(_, &n)| n == id);
        found.map_or("", |(text, _)| text)
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
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// An `attribute-type` being read.
struct PendingType {
    id: Option<Id>,
    name: String,
    syntax: Option<String>,
    multi: bool,
    indexable: bool,
    offset: usize,
}

/// A `class` being read.
struct PendingClass {
    id: Option<Id>,
    name: String,
    superior: Option<Id>,
    /// `(attribute type, is anchor, byte offset)`.
    refs: Vec<(Id, bool, usize)>,
    offset: usize,
}

/// A `dit-content-rule`: the auxiliary classes and further attributes of the structural class
/// whose id it bears.
struct PendingRule {
    id: Id,
    offset: usize,
    aux: Vec<(Id, usize)>,
    refs: Vec<(Id, usize)>,
}

/// What one pass over a document found.
pub(super) struct Document {
    /// The schema, when the document has a `directory-schema`.
    pub schema: Option<Schema>,
    /// The `ma-data` fields, when the document's root is `ma-data`.
    pub connector: Option<ConnectorFields>,
}

/// The text being read and where it comes from, for error messages.
#[derive(Clone, Copy)]
struct Source<'a> {
    xml: &'a str,
    path: Option<&'a Path>,
}

impl Source<'_> {
    /// A malformed attribute in the start tag that ends at byte `tag_end`.
    fn attr_error(self, tag_end: usize, err: &AttrError) -> SchemaError {
        let (at, message) = match *err {
            AttrError::ExpectedEq(at) => (at, "an attribute name must be followed by `=`"),
            AttrError::ExpectedValue(at) => (at, "`=` must be followed by an attribute value"),
            AttrError::UnquotedValue(at) => (at, "attribute values must be quoted"),
            AttrError::ExpectedQuote(at, _) => (at, "attribute value without a closing quote"),
            AttrError::Duplicated(at, _) => (at, "duplicated attribute"),
        };
        // `at` counts from the byte after the tag's `<`.
        let start = tag_start(self.xml, tag_end).saturating_add(1);
        self.xml_error(start.saturating_add(at), message)
    }

    /// A malformed-XML error at byte `at`.
    fn xml_error(self, at: usize, message: &str) -> SchemaError {
        SchemaError::Xml {
            path: self.path.map(Path::to_path_buf),
            position: Position::of_offset(self.xml, at),
            message: message.to_owned(),
        }
    }

    /// An error about the element whose start tag ends at byte `tag_end`.
    fn invalid(self, tag_end: usize, message: String) -> SchemaError {
        SchemaError::Invalid {
            path: self.path.map(Path::to_path_buf),
            position: Some(Position::of_offset(self.xml, tag_start(self.xml, tag_end))),
            message,
        }
    }

    /// An XML boolean: `true`/`false` (any case) or `1`/`0`.
    fn flag(self, value: &str, at: usize) -> Result<bool, SchemaError> {
        match value.trim() {
            v if v.eq_ignore_ascii_case("true") || v == "1" => Ok(true),
            v if v.eq_ignore_ascii_case("false") || v == "0" => Ok(false),
            v => Err(self.invalid(at, format!("`{v}` is not a boolean (true or false)"))),
        }
    }

    /// Calls `f` with the local name and unescaped value of each attribute named in `wanted`
    /// of the element whose start tag ends at byte `at`. (Other values are left undecoded: most
    /// of a schema's attributes are `required="false"`.)
    fn each_attribute(
        self,
        e: &BytesStart<'_>,
        at: usize,
        wanted: &[&[u8]],
        mut f: impl FnMut(&[u8], &str) -> Result<(), SchemaError>,
    ) -> Result<(), SchemaError> {
        for attr in e.attributes() {
            let attr = attr.map_err(|err| self.attr_error(at, &err))?;
            let key = attr.key.local_name();
            if wanted.contains(&key.as_ref()) {
                let value = attr.unescape_value().map_err(|err| {
                    self.xml_error(tag_start(self.xml, at), &escape_error(&err).1)
                })?;
                f(key.as_ref(), &value)?;
            }
        }
        Ok(())
    }

    /// The interned id of attribute `name`'s value (without a leading `#`), if present.
    fn id_attribute(
        self,
        e: &BytesStart<'_>,
        at: usize,
        name: &[u8],
        ids: &mut Interner,
    ) -> Result<Option<Id>, SchemaError> {
        let mut found = None;
        self.each_attribute(e, at, &[name], |_, value| {
            found = Some(ids.intern(value.strip_prefix('#').unwrap_or(value)));
            Ok(())
        })?;
        Ok(found)
    }
}

struct Parser<'a> {
    src: Source<'a>,
    stack: Vec<Elem>,
    text: String,
    schema_seen: bool,
    ids: Interner,
    types: Vec<PendingType>,
    classes: Vec<PendingClass>,
    rules: Vec<PendingRule>,
    connector: Option<ConnectorFields>,
    partition: Option<PartitionDef>,
}

/// Reads the schema of a document that must contain a `directory-schema`.
pub(super) fn schema_from_xml(xml: &str, path: Option<&Path>) -> Result<Schema, SchemaError> {
    parse(xml, path)?
        .schema
        .ok_or_else(|| SchemaError::Invalid {
            path: path.map(Path::to_path_buf),
            position: None,
            message: "no dsml:directory-schema element found".to_owned(),
        })
}

/// Reads a whole document in one pass.
pub(super) fn parse(xml: &str, path: Option<&Path>) -> Result<Document, SchemaError> {
    let mut parser = Parser {
        src: Source { xml, path },
        stack: Vec::with_capacity(16),
        text: String::new(),
        schema_seen: false,
        ids: Interner::default(),
        types: Vec::new(),
        classes: Vec::new(),
        rules: Vec::new(),
        connector: None,
        partition: None,
    };
    parser.run()?;
    let schema = if parser.schema_seen {
        Some(parser.resolve()?)
    } else {
        None
    };
    Ok(Document {
        schema,
        connector: parser.connector,
    })
}

impl Parser<'_> {
    fn run(&mut self) -> Result<(), SchemaError> {
        let src = self.src;
        let mut reader = Reader::from_str(src.xml);
        reader.config_mut().trim_text(true);
        loop {
            let event = reader
                .read_event()
                .map_err(|e| src.xml_error(offset(reader.error_position()), &e.to_string()))?;
            let after = offset(reader.buffer_position());
            match event {
                Event::Start(e) => self.start(&e, after)?,
                Event::Empty(e) => {
                    self.start(&e, after)?;
                    self.end();
                }
                Event::End(_) => self.end(),
                Event::Text(t) if self.stack.last().is_some_and(|e| e.has_text()) => {
                    let text = t.unescape().map_err(|e| {
                        // The reader stops after the next tag's `<`; the text ends before it
                        // and before the trailing white space that was trimmed.
                        let before = src.xml.get(..after).unwrap_or(src.xml);
                        let end = before.strip_suffix('<').unwrap_or(before).trim_end().len();
                        let (at, message) = escape_error(&e);
                        src.xml_error(end.saturating_sub(t.len()).saturating_add(at), &message)
                    })?;
                    self.text.push_str(&text);
                }
                Event::CData(c) if self.stack.last().is_some_and(|e| e.has_text()) => {
                    self.text.push_str(&String::from_utf8_lossy(&c));
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if self.stack.is_empty() {
            Ok(())
        } else {
            let message = format!(
                "unexpected end of input: {} element(s) not closed",
                self.stack.len()
            );
            Err(src.xml_error(offset(reader.buffer_position()), &message))
        }
    }

    /// Handles a start tag that ends at byte `at`. Offsets are kept as tag ends; the tag's
    /// `<` is found only when an error needs a position.
    fn start(&mut self, e: &BytesStart<'_>, at: usize) -> Result<(), SchemaError> {
        let src = self.src;
        let elem = Elem::of(e.local_name().as_ref());
        self.text.clear();
        match (self.stack.as_slice(), elem) {
            (_, Elem::DirectorySchema) => self.schema_seen = true,
            ([.., Elem::DirectorySchema], Elem::AttributeType) => {
                let (mut id, mut multi, mut indexable) = (None, true, false);
                let ids = &mut self.ids;
                src.each_attribute(
                    e,
                    at,
                    &[b"id", b"single-value", b"indexable"],
                    |key, value| {
                        match key {
                            b"id" => id = Some(ids.intern(value)),
                            b"single-value" => multi = !src.flag(value, at)?,
                            b"indexable" => indexable = src.flag(value, at)?,
                            _ => {}
                        }
                        Ok(())
                    },
                )?;
                self.types.push(PendingType {
                    id,
                    name: String::new(),
                    syntax: None,
                    multi,
                    indexable,
                    offset: at,
                });
            }
            ([.., Elem::DirectorySchema], Elem::Class) => {
                let (mut id, mut superior) = (None, None);
                let ids = &mut self.ids;
                src.each_attribute(e, at, &[b"id", b"superior"], |key, value| {
                    match key {
                        b"id" => id = Some(ids.intern(value)),
                        b"superior" => {
                            superior = Some(ids.intern(value.strip_prefix('#').unwrap_or(value)));
                        }
                        _ => {}
                    }
                    Ok(())
                })?;
                self.classes.push(PendingClass {
                    id,
                    name: String::new(),
                    superior,
                    refs: Vec::new(),
                    offset: at,
                });
            }
            ([.., Elem::DirectorySchema, Elem::Class], Elem::Attribute) => {
                let (mut id, mut anchor) = (None, false);
                let ids = &mut self.ids;
                src.each_attribute(e, at, &[b"ref", b"isAnchor"], |key, value| {
                    match key {
                        b"ref" => id = Some(ids.intern(value.strip_prefix('#').unwrap_or(value))),
                        b"isAnchor" => anchor = src.flag(value, at)?,
                        _ => {}
                    }
                    Ok(())
                })?;
                let id =
                    id.ok_or_else(|| src.invalid(at, "`attribute` without `ref`".to_owned()))?;
                if let Some(class) = self.classes.last_mut() {
                    class.refs.push((id, anchor, at));
                }
            }
            ([.., Elem::DirectorySchema], Elem::DitContentRule) => {
                let id = src.id_attribute(e, at, b"id", &mut self.ids)?;
                let message = "`dit-content-rule` without `id`";
                let id = id.ok_or_else(|| src.invalid(at, message.to_owned()))?;
                self.rules.push(PendingRule {
                    id,
                    offset: at,
                    aux: Vec::new(),
                    refs: Vec::new(),
                });
            }
            (
                [.., Elem::DirectorySchema, Elem::DitContentRule],
                Elem::AuxClass | Elem::Attribute,
            ) => {
                let id = src.id_attribute(e, at, b"ref", &mut self.ids)?;
                let message = format!(
                    "`{}` without `ref`",
                    String::from_utf8_lossy(e.local_name().as_ref())
                );
                let id = id.ok_or_else(|| src.invalid(at, message))?;
                if let Some(rule) = self.rules.last_mut() {
                    let list = if elem == Elem::AuxClass {
                        &mut rule.aux
                    } else {
                        &mut rule.refs
                    };
                    list.push((id, at));
                }
            }
            ([], Elem::MaData) => self.connector = Some(ConnectorFields::default()),
            ([Elem::MaData, Elem::MaPartitionData], Elem::Partition) => {
                self.partition = Some(PartitionDef::default());
            }
            _ => {}
        }
        self.stack.push(elem);
        Ok(())
    }

    fn end(&mut self) {
        use Elem::{
            Attribute, AttributeInclusion, AttributeType, Class, Containers, DirectorySchema,
            Exclusion, Exclusions, Filter, Inclusion, Inclusions, MaData, MaPartitionData, Name,
            ObjectClass, ObjectClasses, Partition, Syntax,
        };
        let text = self.text.trim();
        match self.stack.as_slice() {
            [.., DirectorySchema, AttributeType, Name] => {
                if let Some(def) = self.types.last_mut() {
                    text.clone_into(&mut def.name);
                }
            }
            [.., DirectorySchema, AttributeType, Syntax] => {
                if let Some(def) = self.types.last_mut() {
                    def.syntax = Some(text.to_owned());
                }
            }
            [.., DirectorySchema, Class, Name] => {
                if let Some(def) = self.classes.last_mut() {
                    text.clone_into(&mut def.name);
                }
            }
            [MaData, field] => {
                if let Some(c) = self.connector.as_mut() {
                    let slot = match field {
                        Elem::Id => Some(&mut c.id),
                        Name => Some(&mut c.name),
                        Elem::Category => Some(&mut c.category),
                        Elem::Subtype => Some(&mut c.subtype),
                        Elem::MaListname => Some(&mut c.listname),
                        _ => None,
                    };
                    if let Some(slot) = slot {
                        text.clone_into(slot);
                    }
                }
            }
            [MaData, MaPartitionData, Partition, field] => {
                if let Some(p) = self.partition.as_mut() {
                    match field {
                        Elem::Id => text.clone_into(&mut p.id),
                        Name => text.clone_into(&mut p.name),
                        Elem::Selected => p.selected = text == "1" || text == "true",
                        _ => {}
                    }
                }
            }
            [
                MaData,
                MaPartitionData,
                Partition,
                Filter,
                ObjectClasses,
                ObjectClass,
            ] => {
                if let Some(p) = self.partition.as_mut() {
                    p.object_classes.push(text.to_owned());
                }
            }
            [.., Partition, Filter, Containers, Inclusions, Inclusion] if !text.is_empty() => {
                if let Some(p) = self.partition.as_mut() {
                    p.included_ous.push(text.to_owned());
                }
            }
            [.., Partition, Filter, Containers, Exclusions, Exclusion] if !text.is_empty() => {
                if let Some(p) = self.partition.as_mut() {
                    p.excluded_ous.push(text.to_owned());
                }
            }
            [MaData, MaPartitionData, Partition] => {
                if let (Some(p), Some(c)) = (self.partition.take(), self.connector.as_mut()) {
                    c.partitions.push(p);
                }
            }
            [MaData, AttributeInclusion, Attribute] if !text.is_empty() => {
                if let Some(c) = self.connector.as_mut() {
                    c.attribute_inclusion.push(text.to_owned());
                }
            }
            _ => {}
        }
        self.text.clear();
        self.stack.pop();
    }

    /// Builds the schema, turning references into names.
    fn resolve(&mut self) -> Result<Schema, SchemaError> {
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
        // Interned id → the name of the attribute type / class that bears it.
        let mut type_of: Vec<Option<&str>> = vec![None; self.ids.len()];
        let mut class_of: Vec<Option<&str>> = vec![None; self.ids.len()];
        let unnamed = |what: &str, id: Option<Id>, at: usize| {
            let message = match id {
                Some(id) => format!("{what} `{}` has no name", self.ids.get(id)),
                None => format!("{what} has no name"),
            };
            src.invalid(at, message)
        };
        for def in &self.types {
            if def.name.is_empty() {
                return Err(unnamed("attribute type", def.id, def.offset));
            }
            if let Some(slot) = def.id.and_then(|id| type_of.get_mut(id)) {
                *slot = Some(def.name.as_str());
            }
        }
        for class in &self.classes {
            if class.name.is_empty() {
                return Err(unnamed("class", class.id, class.offset));
            }
            if let Some(slot) = class.id.and_then(|id| class_of.get_mut(id)) {
                *slot = Some(class.name.as_str());
            }
        }
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
}

/// The byte offset of the `<` of the tag that ends just before byte `after`.
fn tag_start(xml: &str, after: usize) -> usize {
    let bytes = xml.as_bytes().get(..after).unwrap_or(xml.as_bytes());
    bytes.iter().rposition(|&b| b == b'<').unwrap_or(0)
}

/// A bad entity or character reference: its offset in the escaped text, and a message.
fn escape_error(err: &quick_xml::Error) -> (usize, String) {
    match err {
        quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(range, name)) => {
            // The range is the entity's name, after its `&`.
            let at = range.start.saturating_sub(1);
            (at, format!("unrecognized entity `&{name};`"))
        }
        quick_xml::Error::Escape(EscapeError::UnterminatedEntity(range)) => {
            (range.start, "`&` without a closing `;`".to_owned())
        }
        other => (0, other.to_string()),
    }
}

fn offset(position: u64) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::super::{ConnectorDef, ConnectorKind};
    use super::*;
    use crate::types::{Scalar, Ty};

    /// The Active Directory connector's form: DSML as the default namespace, short ids,
    /// `superior` and `m:dit-content-rule`.
    const AD_STYLE: &str = r##"<ma-data><id>{AE4DB4CC-0000}</id><name>contoso.com</name>
<category>AD</category><schema><dsml xmlns="http://www.dsml.org/DSML" xmlns:m="http://www.microsoft.com/MMS/DSML"><directory-schema>
<attribute-type id="A0" m:range-upper="256"><name>member</name><syntax>1.3.6.1.4.1.1466.115.121.1.12</syntax></attribute-type>
<attribute-type id="A1" single-value="true"><name>objectGUID</name><syntax>1.3.6.1.4.1.1466.115.121.1.40</syntax></attribute-type>
<attribute-type id="A2" single-value="true"><name>cn</name><syntax>1.3.6.1.4.1.1466.115.121.1.15</syntax></attribute-type>
<class id="C0" type="abstract"><name>top</name><attribute ref="#A1" required="true" /></class>
<class id="C1" superior="#C0" type="structural"><name>group</name><attribute ref="#A0" required="false" /><attribute ref="#A2" required="false" /></class>
<class id="C2" superior="#C0" type="auxiliary"><name>mailRecipient</name></class>
<attribute-type id="A3"><name>proxyAddresses</name><syntax>1.3.6.1.4.1.1466.115.121.1.15</syntax></attribute-type>
<m:dit-content-rule id="C1"><attribute ref="#A3" required="false" /><m:aux-class ref="#C2" /></m:dit-content-rule>
</directory-schema></dsml></schema>
<ma-partition-data><partition><id>{P1}</id><name>DC=contoso,DC=com</name><selected>1</selected>
<filter><object-classes><object-class>user</object-class><object-class>group</object-class></object-classes>
<containers><exclusions><exclusion>DC=contoso,DC=com</exclusion></exclusions>
<inclusions><inclusion>OU=CORP,DC=contoso,DC=com</inclusion><inclusion /></inclusions></containers></filter>
<custom-data><adma-partition-data><name>contoso.com</name></adma-partition-data></custom-data></partition></ma-partition-data>
<attribute-inclusion><attribute>cn</attribute><attribute>member</attribute></attribute-inclusion>
</ma-data>"##;

    #[test]
    fn reads_the_default_namespace_form_with_ids() {
        let schema = Schema::from_dsml(AD_STYLE).unwrap();
        assert_eq!(schema.attribute_type("member"), Ty::MVREF);
        assert_eq!(schema.attribute_type("objectGUID"), Ty::BIN);
        assert_eq!(schema.attribute_type("A2"), Ty::Var, "ids are not names");
        let group = schema.class("group").unwrap();
        assert_eq!(group.attributes, ["member", "cn"]);
        assert_eq!(group.superior.as_deref(), Some("top"));
        assert_eq!(group.auxiliary, ["mailRecipient"]);
        assert_eq!(group.auxiliary_attributes, ["proxyAddresses"]);
        let all = schema.class_attributes("group").unwrap();
        assert_eq!(all, ["member", "cn", "proxyAddresses", "objectGUID"]);
    }

    #[test]
    fn reads_a_connector() {
        let c = ConnectorDef::from_xml(AD_STYLE).unwrap();
        assert_eq!(
            (c.id.as_str(), c.name.as_str()),
            ("{AE4DB4CC-0000}", "contoso.com")
        );
        assert_eq!(c.kind, ConnectorKind::ActiveDirectory);
        assert!(c.has_id("{ae4db4cc-0000}") && c.has_id("AE4DB4CC-0000") && !c.has_id("{x}"));
        assert_eq!(c.attribute_inclusion, ["cn", "member"]);
        let [p] = c.partitions.as_slice() else {
            panic!("one partition expected: {:?}", c.partitions)
        };
        assert_eq!(
            (p.id.as_str(), p.name.as_str(), p.selected),
            ("{P1}", "DC=contoso,DC=com", true)
        );
        assert_eq!(p.object_classes, ["user", "group"]);
        assert_eq!(p.included_ous, ["OU=CORP,DC=contoso,DC=com"]);
        assert_eq!(p.excluded_ous, ["DC=contoso,DC=com"]);
    }

    #[test]
    fn classifies_connectors() {
        use ConnectorKind::{ActiveDirectory, EntraId, Other};
        let aad = "Windows Azure Active Directory (Microsoft)";
        assert_eq!(ConnectorKind::classify("AD", "", ""), ActiveDirectory);
        assert_eq!(ConnectorKind::classify("Extensible2", aad, aad), EntraId);
        assert_eq!(ConnectorKind::classify("AAD", "", ""), EntraId);
        assert_eq!(
            ConnectorKind::classify("Extensible2", "", "Microsoft Entra ID"),
            EntraId
        );
        assert_eq!(
            ConnectorKind::classify("Extensible2", "Generic LDAP", ""),
            Other("Generic LDAP".into())
        );
        assert_eq!(ConnectorKind::classify("SQL", "", ""), Other("SQL".into()));
    }

    fn xml_error(xml: &str) -> (Position, String) {
        match Schema::from_dsml(xml) {
            Err(SchemaError::Xml {
                position,
                message,
                path: None,
            }) => (position, message),
            other => panic!("expected an xml error, got {other:?}"),
        }
    }

    fn invalid(xml: &str) -> (Option<Position>, String) {
        match Schema::from_dsml(xml) {
            Err(SchemaError::Invalid {
                position,
                message,
                path: None,
            }) => (position, message),
            other => panic!("expected an invalid-schema error, got {other:?}"),
        }
    }

    #[test]
    fn malformed_xml_reports_a_position() {
        let (pos, message) =
            xml_error("<directory-schema>\n  <class id=\"a\">\n</directory-schema>");
        assert_eq!(pos.line, 3, "{message}");
        assert!(message.contains("class"), "{message}");

        let (pos, message) =
            xml_error("<directory-schema>\n  <attribute-type id=\"a\" single-value=true>");
        assert_eq!(
            pos,
            Position {
                line: 2,
                column: 39
            }
        );
        assert_eq!(message, "attribute values must be quoted");

        let (pos, message) =
            xml_error("<directory-schema><name>a &bogus; b  </name></directory-schema>");
        assert_eq!(
            pos,
            Position {
                line: 1,
                column: 27
            }
        );
        assert_eq!(message, "unrecognized entity `&bogus;`");

        let (pos, message) =
            xml_error("<directory-schema>\n <attribute-type id=\"a&b\"/></directory-schema>");
        assert_eq!(pos, Position { line: 2, column: 2 });
        assert_eq!(message, "`&` without a closing `;`");

        let (pos, message) = xml_error("<directory-schema><class id='a' id='b'/>");
        assert_eq!(
            pos,
            Position {
                line: 1,
                column: 33
            }
        );
        assert_eq!(message, "duplicated attribute");

        let (pos, message) = xml_error("<directory-schema>\n<class>");
        assert_eq!(pos, Position { line: 2, column: 8 });
        assert_eq!(message, "unexpected end of input: 2 element(s) not closed");

        let err = Schema::from_dsml("<a><b></a>").unwrap_err().to_string();
        assert!(
            err.starts_with("1:") && err.contains("malformed xml"),
            "{err}"
        );
    }

    #[test]
    fn invalid_schemas_report_the_element() {
        let (pos, message) = invalid("<x/>");
        assert_eq!(
            (pos, message.as_str()),
            (None, "no dsml:directory-schema element found")
        );

        let xml = "<directory-schema>\n<class id=\"c\"><name>person</name>\n  <attribute ref=\"#nope\"/></class></directory-schema>";
        let (pos, message) = invalid(xml);
        assert_eq!(pos, Some(Position { line: 3, column: 3 }));
        assert_eq!(
            message,
            "class `person` refers to unknown attribute type `#nope`"
        );

        let xml = "<directory-schema><class id=\"c\" superior=\"#d\"><name>p</name></class></directory-schema>";
        assert_eq!(invalid(xml).1, "class `p` refers to unknown class `#d`");

        let xml = "<directory-schema>\n <attribute-type id=\"a\"><syntax>1</syntax></attribute-type></directory-schema>";
        let (pos, message) = invalid(xml);
        assert_eq!(pos, Some(Position { line: 2, column: 2 }));
        assert_eq!(message, "attribute type `a` has no name");

        let xml = "<directory-schema><attribute-type id=\"a\" single-value=\"yes\"><name>a</name></attribute-type></directory-schema>";
        assert_eq!(invalid(xml).1, "`yes` is not a boolean (true or false)");

        let xml = "<directory-schema><attribute-type><syntax>1</syntax></attribute-type></directory-schema>";
        assert_eq!(invalid(xml).1, "attribute type has no name");

        let xml = "<directory-schema><class id=\"c\"><name>p</name>\n<attribute required=\"true\"/></class></directory-schema>";
        let (pos, message) = invalid(xml);
        assert_eq!(
            (pos, message.as_str()),
            (
                Some(Position { line: 2, column: 1 }),
                "`attribute` without `ref`"
            )
        );

        let xml = "<directory-schema><m:dit-content-rule id=\"x\" xmlns:m=\"urn:m\"><m:aux-class ref=\"#y\"/></m:dit-content-rule></directory-schema>";
        assert_eq!(invalid(xml).1, "content rule `x` names no class");

        let xml = "<directory-schema><class id=\"x\"><name>p</name></class><dit-content-rule id=\"x\"><aux-class/></dit-content-rule></directory-schema>";
        assert_eq!(invalid(xml).1, "`aux-class` without `ref`");

        let xml = "<directory-schema><class id=\"x\"><name>p</name></class><dit-content-rule id=\"x\"><aux-class ref=\"#q\"/></dit-content-rule></directory-schema>";
        assert_eq!(invalid(xml).1, "class `p` refers to unknown class `#q`");

        // An attribute type without an id is still read; it just cannot be referred to.
        let xml = "<directory-schema><attribute-type single-value=\"true\"><name>n</name></attribute-type></directory-schema>";
        assert_eq!(Schema::from_dsml(xml).unwrap().attribute_type("n"), Ty::STR);
    }

    #[test]
    fn connector_errors() {
        let err = ConnectorDef::from_xml("<directory-schema/>")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "not a connector: the root element is not `ma-data`");
        let err =
            ConnectorDef::from_xml("<ma-data><id>{x}</id><name>n</name></ma-data>").unwrap_err();
        assert_eq!(
            err.to_string(),
            "connector `n` has no dsml:directory-schema"
        );
        let err = ConnectorDef::from_xml("<ma-data><name>n</name><directory-schema/></ma-data>");
        assert_eq!(err.unwrap_err().to_string(), "the connector has no `id`");
    }

    #[test]
    fn entities_and_cdata_are_decoded() {
        let xml = "<directory-schema><attribute-type id=\"a&amp;b\"><name>a&amp;b</name><syntax><![CDATA[1.3.6.1.4.1.1466.115.121.1.27]]></syntax></attribute-type>\
                   <class id=\"k\"><name>k</name><attribute ref=\"#a&amp;b\"/></class></directory-schema>";
        let schema = Schema::from_dsml(xml).unwrap();
        assert_eq!(schema.attribute_type("a&b"), Ty::Many(Scalar::Num));
        assert_eq!(schema.class("k").unwrap().attributes, ["a&b"]);
    }
}
