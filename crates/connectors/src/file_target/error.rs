//! What can go wrong with the folder.

use std::path::Path;

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
pub(super) fn data_error(path: &Path, line: Option<u64>, message: &str) -> StoreError {
    match line {
        Some(n) => StoreError::Data(format!("{}:{n}: {message}", path.display())),
        None => StoreError::Data(format!("{}: {message}", path.display())),
    }
}
