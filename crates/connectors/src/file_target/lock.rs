//! The folder's lock: an exclusive advisory lock on `<dir>/lock`, held while a connector has
//! the folder open, with the holder's process id written in the file for the message another
//! process gets.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use fs4::TryLockError;

/// The lock file's name.
pub(super) const LOCK_FILE: &str = "lock";

/// Why the folder could not be locked.
#[derive(Debug, thiserror::Error)]
pub(super) enum LockError {
    /// Another connector holds the lock.
    #[error("{} is in use by {holder}", dir.display())]
    Held {
        /// The folder.
        dir: PathBuf,
        /// Who holds it: `process <pid>` when the holder wrote its id.
        holder: String,
    },
    /// The lock file cannot be created or locked.
    #[error("cannot lock {}: {source}", path.display())]
    Io {
        /// The lock file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
}

/// A held lock; dropping it (closing the file) releases it.
#[derive(Debug)]
pub(super) struct FolderLock {
    _file: File,
}

impl FolderLock {
    /// Creates the folder when missing and takes its lock without waiting.
    pub fn acquire(dir: &Path) -> Result<FolderLock, LockError> {
        let path = dir.join(LOCK_FILE);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                // The holder may not have written its id yet: then it is unknown.
                let _ = file.read_to_string(&mut text);
                let holder = match text.trim().parse::<u32>() {
                    Ok(pid) => format!("process {pid}"),
                    Err(_) => "another process".to_owned(),
                };
                return Err(LockError::Held {
                    dir: dir.to_path_buf(),
                    holder,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        let written = (|| {
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            writeln!(file, "{}", std::process::id())?;
            file.flush()
        })();
        written.map_err(io)?;
        Ok(FolderLock { _file: file })
    }
}
