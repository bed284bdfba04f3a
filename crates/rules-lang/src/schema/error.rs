//! Errors of every stage: unreadable files, malformed XML, and XML that is no schema.

use std::fmt;
use std::path::{Path, PathBuf};

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

impl SchemaError {
    /// An [`SchemaError::Invalid`] about the document as a whole, with no position.
    pub(super) fn invalid(path: Option<&Path>, message: String) -> SchemaError {
        SchemaError::Invalid {
            path: path.map(Path::to_path_buf),
            position: None,
            message,
        }
    }
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
