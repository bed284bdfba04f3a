//! The index writes of a commit, gathered while its objects are written and applied in key
//! order afterwards.
//!
//! A batch's objects come in id order, but the anchors, DNs and join values they index come
//! in no order at all: written as they come, each write lands on another page of a tree
//! far larger than the page cache, which is read back from the file again and again (at a
//! million users, the join index inserts alone were a fifth of a full sync). Written in
//! key order, consecutive writes share pages.
//!
//! Writes to one key keep their order (the sort is stable), and writes to different keys
//! do not depend on each other, so the tables end as if written as they came: a removal
//! that checks the row still names its object sees the writes before it.

use redb::ReadableTable as _;

use super::rows::{key_hash, point};

type Pairs<'t> = redb::Table<'t, (&'static str, &'static str), u64>;
type Hashed<'t> = redb::Table<'t, (u128, u64), ()>;

/// A write to a table of keys each naming one object (by anchor, by DN).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Point {
    /// The key names the object.
    Set,
    /// The key names nothing, if it still names the object.
    Unset,
}

/// The index writes of one commit, in the order they were asked for.
#[derive(Debug, Default)]
pub(super) struct IndexWrites<'c> {
    /// `(anchor hash, id)`.
    by_anchor: Vec<((u128, u64), Point)>,
    by_dn: Vec<((&'c str, String), u64, Point)>,
    /// `(join hash, id)`: `true` inserts the row, `false` removes it.
    cs_join: Vec<((u128, u64), bool)>,
    mv_join: Vec<((u128, u64), bool)>,
}

impl<'c> IndexWrites<'c> {
    /// A write to the anchor index of `connector`.
    pub(super) fn anchor(&mut self, connector: &str, anchor: &str, id: u64, how: Point) {
        self.by_anchor
            .push(((key_hash(&[connector, anchor]), id), how));
    }

    /// A write to the DN index of `connector` (`dn` a DN key).
    pub(super) fn dn(&mut self, connector: &'c str, dn: String, id: u64, how: Point) {
        self.by_dn.push(((connector, dn), id, how));
    }

    /// A row of the connector-space join index inserted (`true`) or removed.
    pub(super) fn cs_join(&mut self, connector: &'c str, row: (String, String), id: u64, on: bool) {
        let hash = key_hash(&[connector, &row.0, &row.1]);
        self.cs_join.push(((hash, id), on));
    }

    /// A row of the metaverse join index inserted (`true`) or removed.
    pub(super) fn mv_join(&mut self, row: (String, String), id: u64, on: bool) {
        self.mv_join.push(((key_hash(&[&row.0, &row.1]), id), on));
    }

    /// Applies the writes, each table's in key order.
    pub(super) fn apply<'t>(
        mut self,
        by_anchor: &mut Hashed<'t>,
        by_dn: &mut Pairs<'t>,
        cs_join: &mut Hashed<'t>,
        mv_join: &mut Hashed<'t>,
    ) -> Result<(), redb::StorageError> {
        // A hashed row names its object in its key: setting it adds it, unsetting it
        // removes it, whatever other objects the hash proposes. Every object a commit
        // writes sets its anchor: a row already there is not written again (an insert
        // copies its page even when nothing changes).
        self.by_anchor.sort_by_key(|w| w.0);
        for (key, how) in self.by_anchor.drain(..) {
            match how {
                Point::Set => {
                    if by_anchor.get(key)?.is_none() {
                        by_anchor.insert(key, ())?;
                    }
                }
                Point::Unset => {
                    by_anchor.remove(key)?;
                }
            }
        }
        self.by_dn.sort_by(|a, b| a.0.cmp(&b.0));
        for ((connector, key), id, how) in self.by_dn.iter() {
            let key = (*connector, key.as_str());
            match how {
                Point::Set => point(by_dn, key, *id)?,
                Point::Unset => {
                    if by_dn.get(key)?.map(|v| v.value()) == Some(*id) {
                        by_dn.remove(key)?;
                    }
                }
            }
        }
        self.apply_joins(cs_join, mv_join)
    }

    /// The join rows asked for and not applied yet.
    pub(super) fn joins(&self) -> usize {
        self.cs_join.len() + self.mv_join.len()
    }

    /// Applies the join rows asked for, each table's in key order, and forgets them.
    pub(super) fn apply_joins<'t>(
        &mut self,
        cs_join: &mut Hashed<'t>,
        mv_join: &mut Hashed<'t>,
    ) -> Result<(), redb::StorageError> {
        for (writes, table) in [(&mut self.cs_join, cs_join), (&mut self.mv_join, mv_join)] {
            writes.sort_by_key(|w| w.0);
            for (key, on) in writes.drain(..) {
                if on {
                    table.insert(key, ())?;
                } else {
                    table.remove(key)?;
                }
            }
        }
        Ok(())
    }
}
