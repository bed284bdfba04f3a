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
//! # Layout (version 6)
//!
//! - `cs2`: key `(connector, id)` → one [`CsObject`](crate::model::CsObject) record;
//! - `mv2`: key `id` → one [`MvObject`](crate::model::MvObject) record;
//! - `by_anchor3`: `(hash of (connector, anchor), id)`, a row proposing its object, whose
//!   anchor is checked once it is read;
//! - `by_dn2`: `(hash of (connector, DN key), id)` for the DN each object holds (see
//!   `syncrules_lang::dn::DnKey`), a row proposing its object, whose DN is checked once it
//!   is read;
//! - `dn_was`: `(connector, DN key)` → id of a DN an object had before a rename, until
//!   another object takes it;
//! - `to_sync`, `to_export`: the `(connector, id)` work lists of delta syncs and exports;
//! - `to_recompute`: metaverse ids a batched sync killed between its halves left to
//!   recompute (a table older files get when opened);
//! - `mv_join3`, `cs_join3`: hashes of the values of the attributes join rules search,
//!   with the ids of the objects holding them;
//! - `dicts`: the zstd dictionaries records are packed with, one for each kind of record
//!   (a connector space's, the metaverse's) once a commit wrote enough of it to train one
//!   (see the `pack` and `train` modules); `dict_kinds`: which one packs each kind now;
//! - `meta`: `format`, `spaces` (connectors in order, each one's watermark, next id and
//!   object count), `mv_next_id`, `mv_count`, `plan_fingerprint`, `outbound_retry`, `outbound_waits`,
//!   `held` (the metaverse objects in their deletion window, with the time each was held),
//!   `join_keys`, as JSON: a few hundred bytes, plus a few bytes for each object waiting
//!   for a reference or held, lists that are read and rewritten whole by every commit.
//!
//! Records are a version byte, a CRC-32 and a compact binary body (see the `record`
//! module), stored packed with their kind's zstd dictionary once it has one (a quarter of
//! the bytes). So a delta step reads the objects it touches by key and index — never the whole
//! state — and a commit rewrites only their records and index rows (see the engine's
//! working set, [`crate::run`]). A full cycle or a preview still reads everything
//! ([`Store::load`]).
//!
//! # Damage
//!
//! An empty file, a file that is not a redb file, one redb cannot open (truncated), a
//! record whose checksum fails, or a layout this build does not read is refused with
//! [`StoreError::Damaged`] or [`StoreError::Corrupt`], naming the recovery: restore a backup,
//! or move the file aside (`syncrules state reset`) and run an initial cycle. Nothing
//! damaged is ever overwritten or taken as a new state.

mod db;
mod pack;
pub mod record;
mod train;
mod working;

use std::collections::BTreeSet;
use std::path::PathBuf;

use syncrules_lang::rules::Direction;
use syncrules_lang::rules::plan::Plan;

use crate::model::{CsId, MvId, State};

pub use db::{FILE_NAME, Reader, Store};
pub use working::Loader;

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
    /// Exports whose results this commit stores: their export-journal entries go.
    pub exported: BTreeSet<(String, CsId)>,
    /// Metaverse objects a batched sync step must still recompute (its inbound half
    /// touched them).
    pub recompute: BTreeSet<MvId>,
    /// Metaverse objects it has recomputed.
    pub recomputed: BTreeSet<MvId>,
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
        self.cs.is_empty()
            && self.mv.is_empty()
            && !self.meta
            && self.exported.is_empty()
            && self.recompute.is_empty()
            && self.recomputed.is_empty()
    }

    /// Adds what another set marks.
    pub fn merge(&mut self, other: Dirty) {
        self.cs.extend(other.cs);
        self.mv.extend(other.mv);
        self.meta |= other.meta;
        self.exported.extend(other.exported);
        self.recompute.extend(other.recompute);
        self.recomputed.extend(other.recomputed);
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
            ..Dirty::default()
        }
    }
}

/// How join index keys are made: 1 folded every value's text to lower case, 2 keeps bytes
/// exact (their base64 is case-sensitive), 3 stores each key as a 128-bit hash in a row of
/// fixed width (a table, where 1 and 2 kept the text in multimaps). A state indexed
/// otherwise is indexed anew, and its next sync is a full one.
pub const JOIN_KEY_FORMAT: u64 = 3;

/// The attributes join rules search, whose values the store indexes: metaverse attributes
/// of inbound joins, `(connector, attribute)` of outbound joins; and how the keys are made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinKeys {
    /// Metaverse attributes.
    pub mv: BTreeSet<String>,
    /// Connector-space attributes by connector.
    pub cs: BTreeSet<(String, String)>,
    /// The [`JOIN_KEY_FORMAT`] the keys were made with.
    pub format: u64,
}

impl Default for JoinKeys {
    fn default() -> Self {
        JoinKeys {
            mv: BTreeSet::new(),
            cs: BTreeSet::new(),
            format: JOIN_KEY_FORMAT,
        }
    }
}

impl JoinKeys {
    /// The attributes the join conditions of `plan` search.
    pub fn of(plan: &Plan) -> Self {
        let mut keys = JoinKeys::default();
        for (key, group) in &plan.groups {
            for cond in group.rules.iter().flat_map(|r| r.join.iter().flatten()) {
                match key.direction {
                    Direction::Inbound => {
                        keys.mv.insert(cond.target.clone());
                    }
                    Direction::Outbound => {
                        keys.cs.insert((key.connector.clone(), cond.target.clone()));
                    }
                }
            }
        }
        keys
    }

    pub(crate) fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"mv": self.mv, "cs": self.cs.iter().map(|(c, a)| [c, a]).collect::<Vec<_>>(), "format": self.format})
    }

    pub(crate) fn from_json(j: &serde_json::Value) -> Option<Self> {
        let mv = j
            .get("mv")?
            .as_array()?
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<BTreeSet<String>>>()?;
        let cs = j
            .get("cs")?
            .as_array()?
            .iter()
            .map(|p| {
                Some((
                    p.get(0)?.as_str()?.to_owned(),
                    p.get(1)?.as_str()?.to_owned(),
                ))
            })
            .collect::<Option<BTreeSet<(String, String)>>>()?;
        // Written before the format was recorded: format 1.
        let format = match j.get("format") {
            None => 1,
            Some(f) => f.as_u64()?,
        };
        Some(JoinKeys { mv, cs, format })
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
    /// The state file is damaged or of a layout this build does not read: refused, left as
    /// it is, with what to do.
    #[error("{}: {message}", path.display())]
    Damaged {
        /// The state file.
        path: PathBuf,
        /// What is wrong and how to recover.
        message: String,
    },
    /// A stored entry cannot be decoded (or an object cannot be encoded).
    #[error(
        "the state is corrupt at {key}: {message}; restore the state directory from a backup, \
         or move the file aside (`syncrules state reset --config FILE`) and run `--cycle initial`"
    )]
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
        a.cs("AD", CsId::new(1));
        a.cs("AD", CsId::new(1));
        assert!(!a.is_empty());
        let mut b = Dirty::default();
        b.mv(MvId::new(7));
        b.cs("HR", CsId::new(2));
        b.meta = true;
        a.merge(b);
        assert_eq!(a.cs.len(), 2);
        assert_eq!(a.mv, BTreeSet::from([MvId::new(7)]));
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
        assert_eq!(all.cs, BTreeSet::from([("AD".to_owned(), CsId::new(1))]));
        assert_eq!(all.mv, BTreeSet::from([mv]));
        assert!(all.meta);
    }

    #[test]
    fn errors_read_well() {
        let e = StoreError::Corrupt {
            key: "cs/AD/3".into(),
            message: "`dn` must be a string".into(),
        };
        let text = e.to_string();
        assert!(
            text.starts_with("the state is corrupt at cs/AD/3: `dn` must be a string; "),
            "{text}"
        );
        assert!(text.contains("syncrules state reset"), "{text}");
    }
}
