//! The text being read: where an error lies in it, and the attributes of its start tags.

use std::path::Path;

use quick_xml::escape::EscapeError;
use quick_xml::events::BytesStart;
use quick_xml::events::attributes::AttrError;

use super::resolve::{Id, Interner};
use crate::schema::{Position, SchemaError};

/// The text being read and where it comes from, for error messages.
#[derive(Clone, Copy)]
pub(super) struct Source<'a> {
    pub(super) xml: &'a str,
    pub(super) path: Option<&'a Path>,
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
    pub(super) fn xml_error(self, at: usize, message: &str) -> SchemaError {
        SchemaError::Xml {
            path: self.path.map(Path::to_path_buf),
            position: Position::of_offset(self.xml, at),
            message: message.to_owned(),
        }
    }

    /// An error about the element whose start tag ends at byte `tag_end`.
    pub(super) fn invalid(self, tag_end: usize, message: String) -> SchemaError {
        SchemaError::Invalid {
            path: self.path.map(Path::to_path_buf),
            position: Some(Position::of_offset(self.xml, tag_start(self.xml, tag_end))),
            message,
        }
    }

    /// An XML boolean: `true`/`false` (any case) or `1`/`0`.
    pub(super) fn flag(self, value: &[u8], at: usize) -> Result<bool, SchemaError> {
        match String::from_utf8_lossy(value).trim() {
            v if v.eq_ignore_ascii_case("true") || v == "1" => Ok(true),
            v if v.eq_ignore_ascii_case("false") || v == "0" => Ok(false),
            v => Err(self.invalid(at, format!("`{v}` is not a boolean (true or false)"))),
        }
    }

    /// Calls `f` with the local name and value of each attribute named in `wanted` of the
    /// element whose start tag ends at byte `at`. (Other values are left undecoded: most of a
    /// schema's attributes are `required="false"`.) A value is unescaped only when it holds an
    /// `&`, and is passed as bytes: the text is UTF-8 already, and ids are compared as bytes.
    pub(super) fn each_attribute(
        self,
        e: &BytesStart<'_>,
        at: usize,
        wanted: &[&[u8]],
        mut f: impl FnMut(&[u8], &[u8]) -> Result<(), SchemaError>,
    ) -> Result<(), SchemaError> {
        for attr in e.attributes() {
            let attr = attr.map_err(|err| self.attr_error(at, &err))?;
            let key = attr.key.local_name();
            if !wanted.contains(&key.as_ref()) {
                continue;
            }
            if attr.value.contains(&b'&') {
                let value = attr.unescape_value().map_err(|err| {
                    self.xml_error(tag_start(self.xml, at), &escape_error(&err).1)
                })?;
                f(key.as_ref(), value.as_bytes())?;
            } else {
                f(key.as_ref(), &attr.value)?;
            }
        }
        Ok(())
    }

    /// The interned id of attribute `name`'s value (without a leading `#`), if present.
    pub(super) fn id_attribute(
        self,
        e: &BytesStart<'_>,
        at: usize,
        name: &[u8],
        ids: &mut Interner,
    ) -> Result<Option<Id>, SchemaError> {
        let mut found = None;
        self.each_attribute(e, at, &[name], |_, value| {
            found = Some(ids.intern_ref(value));
            Ok(())
        })?;
        Ok(found)
    }
}

/// The byte offset of the `<` of the tag that ends just before byte `after`.
fn tag_start(xml: &str, after: usize) -> usize {
    let bytes = xml.as_bytes().get(..after).unwrap_or(xml.as_bytes());
    bytes.iter().rposition(|&b| b == b'<').unwrap_or(0)
}

/// A bad entity or character reference: its offset in the escaped text, and a message.
pub(super) fn escape_error(err: &quick_xml::Error) -> (usize, String) {
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
