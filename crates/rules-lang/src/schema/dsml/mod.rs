//! Streaming reader for DSML schemas and the connector (`ma-data`) files that embed them.
//!
//! One pass over the events keeps a stack of the open elements (as `Elem`s, by local name)
//! and acts on the paths it knows (`elements`); everything else is skipped. Ids are interned as
//! they are read, and references (`#id`) resolved once the whole schema has been read
//! (`resolve`), since the metaverse lists its classes before the attribute types they refer
//! to. Errors point into the text (`source`). Apart from the schema's own strings, reading
//! allocates only for each distinct id.

mod elements;
mod resolve;
mod source;
#[cfg(test)]
mod tests;

use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::connector::{ConnectorFields, PartitionDef};
use super::{Schema, SchemaError};
use elements::Elem;
use resolve::{Interner, PendingClass, PendingRule, PendingType};
use source::{Source, escape_error};

/// What one pass over a document found.
pub(super) struct Document {
    /// The schema, when the document has a `directory-schema`.
    pub schema: Option<Schema>,
    /// The `ma-data` fields, when the document's root is `ma-data`.
    pub connector: Option<ConnectorFields>,
}

/// The reader's state in its one pass over a document.
struct Parser<'a> {
    src: Source<'a>,
    /// The open elements, outermost first.
    stack: Vec<Elem>,
    /// The text of the innermost open element, when it is one whose text is kept.
    text: String,
    /// True once a `directory-schema` has started.
    schema_seen: bool,
    ids: Interner,
    types: Vec<PendingType>,
    classes: Vec<PendingClass>,
    rules: Vec<PendingRule>,
    connector: Option<ConnectorFields>,
    /// The `ma-data` partition being read.
    partition: Option<PartitionDef>,
}

/// Reads the schema of a document that must contain a `directory-schema`.
pub(super) fn schema_from_xml(xml: &str, path: Option<&Path>) -> Result<Schema, SchemaError> {
    parse(xml, path)?.schema.ok_or_else(|| {
        SchemaError::invalid(path, "no dsml:directory-schema element found".to_owned())
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
    /// True when the innermost open element is one whose text is kept.
    fn keeps_text(&self) -> bool {
        self.stack.last().is_some_and(|e| e.has_text())
    }

    /// Reads every event, then checks that every element was closed.
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
                Event::Text(t) if self.keeps_text() => {
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
                Event::CData(c) if self.keeps_text() => {
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
}

/// A reader position as a byte offset.
fn offset(position: u64) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}
