//! The engine's persistent state: connector spaces, the metaverse, links and watermarks in a
//! state directory, each step committed atomically.
//!
//! # Why redb
//!
//! The state lives in one [redb](https://docs.rs/redb) file, `<dir>/state.redb`. redb is an
//! embedded key-value store written in pure Rust (no C library, no server, nothing to install
//! beside the binary) with ACID transactions. Its commits are copy-on-write: a write
//! transaction builds new B-tree pages beside the committed ones and a commit switches the
//! file's root to them only after the pages are durable (`fsync`), so a crash, a kill or an
//! error at any point before that switch leaves the previous commit as it was, and a write
//! transaction dropped without a commit is aborted.
//!
//! [`Store::commit`] writes one step's changes (the objects in a [`Dirty`] set and, when asked,
//! the watermarks, next ids, connector list and plan fingerprint) in **one** write transaction:
//! either all of a step is stored or none of it, so an interrupted run reloads the last
//! committed state. Only what a step marked dirty is written, so a delta step costs what it
//! changed, not the size of the state.
//!
//! redb also locks the file (an exclusive `flock` on Unix, `LockFile` on Windows) for as long
//! as the [`Store`] is open, so two runs cannot share one state directory: the second
//! [`Store::open`] fails with an error saying the state is in use.
//!
//! # Layout
//!
//! Three tables:
//! - `cs`: key `(connector, id)` → one [`CsObject`](crate::model::CsObject), encoded;
//! - `mv`: key `id` → one [`MvObject`](crate::model::MvObject), encoded;
//! - `meta`: `format` (the layout version), `spaces` (the connectors in order with each one's
//!   watermark and next id), `mv_next_id`, `plan_fingerprint`.
//!
//! Objects are compact JSON written by hand (see the `codec` module), attribute values in the
//! typed shape of [`syncrules_lang::json::to_typed`]. The indexes by anchor and by DN are not
//! stored: [`Store::load`] rebuilds them.

mod codec;
mod db;

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::model::{CsId, MvId, State};

pub use db::{FILE_NAME, Store};

/// What a step changed, so a commit writes only that.
#[derive(Default, Debug, Clone, PartialEq, Eq)]
pub struct Dirty {
    /// Connector-space objects added, changed or removed, as `(connector, id)`.
    pub cs: BTreeSet<(String, CsId)>,
    /// Metaverse objects added, changed or removed.
    pub mv: BTreeSet<MvId>,
    /// True when the watermarks, next ids, connector list or plan fingerprint changed (any
    /// step that adds objects or a connector space changes a next id).
    pub meta: bool,
}

impl Dirty {
    /// Marks a connector-space object.
    pub fn cs(&mut self, connector: &str, id: CsId) {
        self.cs.insert((connector.to_owned(), id));
    }

    /// Marks a metaverse object.
    pub fn mv(&mut self, id: MvId) {
        self.mv.insert(id);
    }

    /// True when nothing is marked.
    pub fn is_empty(&self) -> bool {
        self.cs.is_empty() && self.mv.is_empty() && !self.meta
    }

    /// Adds what another set marks.
    pub fn merge(&mut self, other: Dirty) {
        self.cs.extend(other.cs);
        self.mv.extend(other.mv);
        self.meta |= other.meta;
    }

    /// Everything a state holds, with its meta: what a first save writes. Objects stored
    /// earlier and absent from `state` are not marked, so they stay.
    pub fn all(state: &State) -> Dirty {
        Dirty {
            cs: state
                .spaces
                .iter()
                .flat_map(|(name, space)| space.objects.keys().map(|id| (name.clone(), *id)))
                .collect(),
            mv: state.metaverse.objects.keys().copied().collect(),
            meta: true,
        }
    }
}

/// Why the state could not be opened, read or written. Messages never hold attribute values,
/// which may be sensitive.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The state directory or file could not be created or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// The database refused an operation (the state is in use by another run, a failed
    /// commit).
    #[error("{message}")]
    Database {
        /// What happened.
        message: String,
    },
    /// A stored entry cannot be decoded (or an object cannot be encoded).
    #[error("the state is corrupt at {key}: {message}")]
    Corrupt {
        /// The entry: `cs/<connector>/<id>`, `mv/<id>` or `meta/<name>`.
        key: String,
        /// What is wrong (never the value).
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirty_marks_and_merges() {
        let mut a = Dirty::default();
        assert!(a.is_empty());
        a.cs("AD", 1);
        a.cs("AD", 1);
        assert!(!a.is_empty());
        let mut b = Dirty::default();
        b.mv(7);
        b.cs("HR", 2);
        b.meta = true;
        a.merge(b);
        assert_eq!(a.cs.len(), 2);
        assert_eq!(a.mv, BTreeSet::from([7]));
        assert!(a.meta);
        let c = Dirty {
            meta: true,
            ..Dirty::default()
        };
        assert!(!c.is_empty());
    }

    #[test]
    fn dirty_all_marks_every_object() {
        let mut state = State::default();
        state.space("AD").insert(crate::model::CsObject {
            dn: "CN=a".into(),
            object_type: "user".into(),
            ..Default::default()
        });
        state.space("HR");
        let mv = state.metaverse.create("person");
        let all = Dirty::all(&state);
        assert_eq!(all.cs, BTreeSet::from([("AD".to_owned(), 1)]));
        assert_eq!(all.mv, BTreeSet::from([mv]));
        assert!(all.meta);
    }

    #[test]
    fn errors_read_well() {
        let e = StoreError::Corrupt {
            key: "cs/AD/3".into(),
            message: "`dn` must be a string".into(),
        };
        assert_eq!(
            e.to_string(),
            "the state is corrupt at cs/AD/3: `dn` must be a string"
        );
    }
}
