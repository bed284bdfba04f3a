//! What can go wrong with the folder.

use std::fmt;
use std::path::Path;

use syncrules_lang::json::JsonError;

use super::lock::LockError;

/// Why the folder cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub(super) enum StoreError {
    /// A file cannot be read or written: the message says which and why.
    #[error("{0}")]
    Io(String),
    /// A file holds something that is not this format: the message locates it.
    #[error("{0}")]
    Data(String),
    /// The folder is locked by another connector, or the lock file cannot be taken.
    #[error(transparent)]
    Lock(#[from] LockError),
}

/// An I/O error on `path`.
pub(super) fn io_error(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::Io(format!("{}: {e}", path.display()))
}

/// Bad data in `path`, at a line when known.
pub(super) fn data_error(path: &Path, line: Option<u64>, message: impl fmt::Display) -> StoreError {
    match line {
        Some(n) => StoreError::Data(format!("{}:{n}: {message}", path.display())),
        None => StoreError::Data(format!("{}: {message}", path.display())),
    }
}

/// Why a line of the folder's files (an object, a logged change, an index row), or an object
/// of the previous layout, cannot be read.
#[derive(Debug, thiserror::Error)]
pub(super) enum LineError {
    /// The line is not JSON.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// A field that must be a string is missing or is not one.
    #[error("`{key}` must be a string")]
    NotAString {
        /// The field.
        key: &'static str,
    },
    /// A field that must be a number is missing or is not one.
    #[error("`{key}` must be a number")]
    NotANumber {
        /// The field.
        key: &'static str,
    },
    /// A field that must be a DN does not parse as one.
    #[error("`{key}` is not a valid DN: {error}")]
    Dn {
        /// The field.
        key: &'static str,
        /// Why.
        error: syncrules_lang::dn::DnError,
    },
    /// A logged change's `change` is none of the three.
    #[error("`change` must be `add`, `modify` or `delete`")]
    Change,
    /// `attributes` is missing or not an object.
    #[error("`attributes` must be an object")]
    Attributes,
    /// An attribute's values are not an array.
    #[error("attribute `{name}` must be an array of typed values")]
    NotAnArray {
        /// The attribute.
        name: String,
    },
    /// An attribute's value is not a typed value.
    #[error("attribute `{name}`: {}", .error.message)]
    Value {
        /// The attribute.
        name: String,
        /// What is wrong with the value.
        #[source]
        error: JsonError,
    },
    /// An index row that is not an array.
    #[error("an index row must be an array")]
    RowNotAnArray,
    /// An index row that does not start with its key.
    #[error("an index row must start with its key")]
    RowKey,
}
