//! A YAML document as a tree whose every node knows its byte span in the file, so rule
//! errors point at file:line:col and an expression's error at the token inside its scalar,
//! block scalars included.
//!
//! Anchors, aliases and tags are rejected: rule files are data written for review, and an
//! alias would make one flow's text appear at another's place.

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span as YamlSpan};

use crate::diag::Diagnostic;
use crate::span::Span;

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `key: value`
    Plain,
    /// `'value'`
    SingleQuoted,
    /// `"value"`
    DoubleQuoted,
    /// `|` block
    Literal,
    /// `>` block
    Folded,
}

/// A scalar with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    /// The value, after YAML's quoting, escaping and folding.
    pub value: String,
    /// How it was written.
    pub style: Style,
    /// Where it was written, indicators and quotes included.
    pub span: Span,
}

/// A node of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A scalar.
    Scalar(Scalar),
    /// A sequence.
    Seq(Vec<Node>, Span),
    /// A mapping, in file order.
    Map(Vec<(Scalar, Node)>, Span),
}

impl Node {
    /// The node's span.
    pub fn span(&self) -> Span {
        match self {
            Node::Scalar(s) => s.span,
            Node::Seq(_, span) | Node::Map(_, span) => *span,
        }
    }

    /// What kind of node this is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Scalar(s) if s.style == Style::Plain && is_null(&s.value) => "null",
            Node::Scalar(_) => "a scalar",
            Node::Seq(..) => "a list",
            Node::Map(..) => "a mapping",
        }
    }
}

/// True for the plain scalars YAML reads as null.
pub fn is_null(plain: &str) -> bool {
    matches!(plain, "" | "~" | "null" | "Null" | "NULL")
}

/// Byte offsets of character indices (saphyr's markers count characters).
struct CharIndex {
    bytes: Vec<usize>,
}

impl CharIndex {
    fn new(text: &str) -> Self {
        let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        bytes.push(text.len());
        CharIndex { bytes }
    }

    fn byte(&self, char_index: usize) -> usize {
        self.bytes
            .get(char_index)
            .copied()
            .unwrap_or_else(|| self.bytes.last().copied().unwrap_or(0))
    }

    fn span(&self, s: &YamlSpan) -> Span {
        Span::new(self.byte(s.start.index()), self.byte(s.end.index()))
    }
}

/// Parses one YAML document. An empty document is an empty mapping.
pub fn parse(text: &str) -> Result<Node, Diagnostic> {
    if let Some(at) = lone_carriage_return(text) {
        return Err(Diagnostic::error(
            "E0300",
            Span::new(at, at + 1),
            "invalid YAML: a carriage return (CR) that does not end a line",
        )
        .with_help(
            "end lines with LF or CR LF; YAML parsers disagree on where a lone CR breaks a line",
        ));
    }
    let index = CharIndex::new(text);
    let mut events = Vec::new();
    for item in Parser::new_from_str(text) {
        match item {
            Ok(e) => events.push(e),
            Err(e) => return Err(scan_error(&index, &e)),
        }
    }
    let mut it = events.into_iter().peekable();
    let mut root = None;
    while let Some((event, span)) = it.next() {
        match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                if root.is_some() {
                    return Err(Diagnostic::error(
                        "E0301",
                        index.span(&span),
                        "a rule file holds one YAML document",
                    )
                    .with_help("split the documents into separate files"));
                }
                let node = match it.peek() {
                    Some((Event::DocumentEnd, _)) | None => {
                        Node::Map(Vec::new(), index.span(&span))
                    }
                    _ => node(&mut it, &index, text)?,
                };
                root = Some(node);
            }
            _ => return Err(unsupported(&index, &span)),
        }
    }
    Ok(root.unwrap_or(Node::Map(Vec::new(), Span::new(0, 0))))
}

/// The byte offset of the first CR not followed by LF. YAML counts a lone CR as a line
/// break, but a comment runs on past it in the scanner, so the same text would mean one
/// thing to the loader and another once written back (found by fuzzing).
fn lone_carriage_return(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .find(|&(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
        .map(|(i, _)| i)
}

fn scan_error(index: &CharIndex, e: &ScanError) -> Diagnostic {
    let at = index.byte(e.marker().index());
    Diagnostic::error(
        "E0300",
        Span::new(at, at + 1),
        format!("invalid YAML: {}", e.info()),
    )
}

fn unsupported(index: &CharIndex, span: &YamlSpan) -> Diagnostic {
    Diagnostic::error(
        "E0302",
        index.span(span),
        "YAML anchors, aliases and tags are not supported in rule files",
    )
    .with_help("write the value out in full")
}

type Events<'a> = std::iter::Peekable<std::vec::IntoIter<(Event<'a>, YamlSpan)>>;

fn node(it: &mut Events<'_>, index: &CharIndex, text: &str) -> Result<Node, Diagnostic> {
    let Some((event, span)) = it.next() else {
        return Err(Diagnostic::error(
            "E0300",
            Span::new(text.len(), text.len()),
            "invalid YAML: unexpected end",
        ));
    };
    match event {
        Event::Scalar(value, style, anchor, tag) => {
            if anchor != 0 || tag.is_some() {
                return Err(unsupported(index, &span));
            }
            Ok(Node::Scalar(scalar(
                value.into_owned(),
                style,
                index.span(&span),
            )))
        }
        Event::SequenceStart(anchor, tag) => {
            if anchor != 0 || tag.is_some() {
                return Err(unsupported(index, &span));
            }
            let start = index.span(&span);
            let mut items = Vec::new();
            loop {
                if let Some((Event::SequenceEnd, end)) = it.peek() {
                    let end = index.span(end);
                    it.next();
                    return Ok(Node::Seq(items, start.to(end)));
                }
                items.push(node(it, index, text)?);
            }
        }
        Event::MappingStart(anchor, tag) => {
            if anchor != 0 || tag.is_some() {
                return Err(unsupported(index, &span));
            }
            let start = index.span(&span);
            let mut entries: Vec<(Scalar, Node)> = Vec::new();
            loop {
                if let Some((Event::MappingEnd, end)) = it.peek() {
                    let end = index.span(end);
                    it.next();
                    return Ok(Node::Map(entries, start.to(end)));
                }
                let key = match node(it, index, text)? {
                    Node::Scalar(k) => k,
                    other => {
                        return Err(Diagnostic::error(
                            "E0303",
                            other.span(),
                            "mapping keys must be plain names",
                        ));
                    }
                };
                if let Some((first, _)) = entries.iter().find(|(k, _)| k.value == key.value) {
                    let (line, _) = crate::diag::line_col(text, first.span.start as usize);
                    return Err(Diagnostic::error(
                        "E0304",
                        key.span,
                        format!("duplicate key `{}`", key.value),
                    )
                    .with_help(format!("it is already set on line {line}")));
                }
                let value = node(it, index, text)?;
                entries.push((key, value));
            }
        }
        _ => Err(unsupported(index, &span)),
    }
}

fn scalar(value: String, style: ScalarStyle, span: Span) -> Scalar {
    let style = match style {
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
        _ => Style::Plain,
    };
    // A block scalar's span starts at its content's first character (saphyr's marker).
    Scalar { value, style, span }
}

impl Scalar {
    /// The byte offset in the file of byte `offset` of [`Scalar::value`]: how an error in
    /// an expression finds its token in the file. Quotes, escapes, block indentation and
    /// folded line breaks are walked past.
    pub fn file_offset(&self, text: &str, offset: usize) -> usize {
        let start = self.span.start as usize;
        let end = (self.span.end as usize).min(text.len());
        let raw = text.get(start..end).unwrap_or("");
        // Where the content starts: after the opening quote; a block scalar's span
        // already starts at its content.
        let skip = match self.style {
            Style::SingleQuoted | Style::DoubleQuoted => 1,
            _ => 0,
        };
        let base = start + skip;
        let mut raw_chars = raw.get(skip..).unwrap_or("").char_indices();
        let mut after_last = base;
        for (i, c) in self.value.char_indices() {
            // The raw character that produced `c`: the same character, or a line break
            // that folding turned into a space; anything between (indentation, quotes,
            // escape backslashes) produced nothing.
            let found = raw_chars
                .by_ref()
                .find(|&(_, rc)| {
                    rc == c || (c == ' ' && rc == '\n' && self.style != Style::Literal)
                })
                .map(|(ri, rc)| (base + ri, rc.len_utf8()));
            let Some((at, width)) = found else {
                return end;
            };
            if offset < i + c.len_utf8() {
                return at;
            }
            after_last = at + width;
        }
        after_last
    }

    /// The file span of `span`, a span of [`Scalar::value`].
    pub fn file_span(&self, text: &str, span: Span) -> Span {
        let s = self.file_offset(text, span.start as usize);
        let e = match self
            .value
            .get(..span.end as usize)
            .and_then(|v| v.char_indices().last())
        {
            // The end of the span's last character.
            Some((last, c)) if span.end > span.start => self.file_offset(text, last) + c.len_utf8(),
            _ => s,
        };
        Span::new(s, e.max(s))
    }
}
