//! The elements the reader acts on, and what it does at each one's start and end tag.

use quick_xml::events::BytesStart;

use super::Parser;
use super::resolve::{PendingClass, PendingRule, PendingType};
use crate::schema::SchemaError;
use crate::schema::connector::{ConnectorFields, PartitionDef};

/// The elements the reader acts on, by local name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Elem {
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
    pub(super) fn of(local_name: &[u8]) -> Elem {
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
    pub(super) fn has_text(self) -> bool {
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

impl Parser<'_> {
    /// Handles a start tag that ends at byte `at`. Offsets are kept as tag ends; the tag's
    /// `<` is found only when an error needs a position.
    pub(super) fn start(&mut self, e: &BytesStart<'_>, at: usize) -> Result<(), SchemaError> {
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
                        b"superior" => superior = Some(ids.intern_ref(value)),
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
                        b"ref" => id = Some(ids.intern_ref(value)),
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
                let aux = elem == Elem::AuxClass;
                let id = src.id_attribute(e, at, b"ref", &mut self.ids)?;
                let id = id.ok_or_else(|| {
                    let name = if aux { "aux-class" } else { "attribute" };
                    src.invalid(at, format!("`{name}` without `ref`"))
                })?;
                if let Some(rule) = self.rules.last_mut() {
                    let list = if aux { &mut rule.aux } else { &mut rule.refs };
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

    /// Handles an end tag, or the end of an empty element: files the text of the element it
    /// closes where it belongs.
    pub(super) fn end(&mut self) {
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
}
