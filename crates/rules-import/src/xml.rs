//! A small element tree read with quick-xml: what the importer walks. Each element keeps its
//! local name, attributes and text unescaped, and the byte offset of its `<` so a message can
//! name `file:line:col`.

use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::ImportError;
use syncrules_lang::schema::{Position, decode_text};

/// One element.
#[derive(Debug, Default)]
pub(super) struct Element {
    /// The local name (`dsml:name` → `name`).
    pub name: String,
    /// Attributes as written (qualified name, unescaped value), namespace declarations left out.
    pub attrs: Vec<(String, String)>,
    /// Child elements, in document order.
    pub children: Vec<Element>,
    /// The element's own text (not its children's), unescaped, CDATA included.
    pub text: String,
    /// The byte offset of the start tag's `<`.
    pub at: usize,
}

impl Element {
    /// The children named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The value of the attribute whose local name is `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| local(k) == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text of the first child named `name`, trimmed.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }
}

/// The local part of a qualified name.
pub(super) fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

/// A parsed file: its path, text (for positions) and root element.
#[derive(Debug)]
pub(super) struct Document {
    /// The file.
    pub path: PathBuf,
    /// The text it was parsed from.
    pub text: String,
    /// The root element.
    pub root: Element,
}

impl Document {
    /// Reads and parses a file (UTF-8, or UTF-16 with a byte-order mark).
    pub fn read(path: &Path) -> Result<Document, ImportError> {
        let text = read_text(path)?;
        let root = parse(&text).map_err(|(at, message)| ImportError::Xml {
            path: path.to_owned(),
            position: Position::of_offset(&text, at),
            message,
        })?;
        Ok(Document {
            path: path.to_owned(),
            text,
            root,
        })
    }

    /// Where `element` starts.
    pub fn position(&self, element: &Element) -> Position {
        Position::of_offset(&self.text, element.at)
    }

    /// `file:line:col` of `element`, for warnings.
    pub fn locate(&self, element: &Element) -> String {
        format!("{}:{}", self.path.display(), self.position(element))
    }

    /// An error about `element`'s content.
    pub fn invalid(&self, element: &Element, message: impl Into<String>) -> ImportError {
        ImportError::Invalid {
            path: self.path.clone(),
            position: Some(self.position(element)),
            message: message.into(),
        }
    }
}

/// A file's text: UTF-8 (a byte-order mark is skipped) or UTF-16 with a byte-order mark, as
/// Entra Connect's own export tools write.
pub(super) fn read_text(path: &Path) -> Result<String, ImportError> {
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        action: "read",
        path: path.to_owned(),
        source,
    })?;
    decode_text(bytes).map_err(|message| ImportError::Invalid {
        path: path.to_owned(),
        position: None,
        message: message.to_owned(),
    })
}

fn offset(position: u64) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

/// The offset of the `<` of the tag that ends at `after`.
fn tag_start(text: &str, after: usize) -> usize {
    let bytes = text.as_bytes().get(..after).unwrap_or(text.as_bytes());
    bytes.iter().rposition(|&b| b == b'<').unwrap_or(0)
}

fn element(e: &BytesStart<'_>, at: usize) -> Result<Element, (usize, String)> {
    let mut attrs = Vec::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| (at, err.to_string()))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = attr.unescape_value().map_err(|err| (at, err.to_string()))?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Element {
        name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
        attrs,
        at,
        ..Element::default()
    })
}

/// Parses a document into its root element; an error is a byte offset and a message.
fn parse(text: &str) -> Result<Element, (usize, String)> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    let mut close = |stack: &mut Vec<Element>, done: Element, at: usize| match stack.last_mut() {
        Some(parent) => {
            parent.children.push(done);
            Ok(())
        }
        None if root.is_none() => {
            root = Some(done);
            Ok(())
        }
        None => Err((at, "more than one root element".to_owned())),
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| (offset(reader.error_position()), e.to_string()))?;
        let after = offset(reader.buffer_position());
        match event {
            Event::Start(e) => stack.push(element(&e, tag_start(text, after))?),
            Event::Empty(e) => {
                let at = tag_start(text, after);
                let done = element(&e, at)?;
                close(&mut stack, done, at)?;
            }
            Event::End(_) => {
                if let Some(done) = stack.pop() {
                    close(&mut stack, done, tag_start(text, after))?;
                }
            }
            Event::Text(t) => {
                let start = after.saturating_sub(t.len());
                let unescaped = t.unescape().map_err(|e| (start, e.to_string()))?;
                match stack.last_mut() {
                    Some(current) => current.text.push_str(&unescaped),
                    None if unescaped.trim().is_empty() => {}
                    None => return Err((start, "text outside the root element".to_owned())),
                }
            }
            Event::CData(c) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&String::from_utf8_lossy(&c));
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err((
            text.len(),
            format!(
                "unexpected end of input: {} element(s) not closed",
                stack.len()
            ),
        ));
    }
    root.ok_or((0, "no root element".to_owned()))
}
