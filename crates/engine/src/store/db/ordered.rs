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
//! that checks the row still names its object sees the writes before it. The DNs objects
//! had before a rename are the exception: their writes to one DN apply in the order [`Was`]
//! gives, whatever the order of the objects that asked for them.

use redb::ReadableTable as _;

use super::rows::{key_hash, point};

type Pairs<'t> = redb::Table<'t, (&'static str, &'static str), u64>;
type Hashed<'t> = redb::Table<'t, (u128, u64), ()>;

/// A write to a hashed table of keys each naming one object (by anchor, by DN).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Point {
    /// The key names the object.
    Set,
    /// The key names nothing, if it still names the object.
    Unset,
}

/// A write to the DNs objects had before a rename. Writes to one DN in one commit apply in
/// this order (an object taking a DN another object left in the same commit holds it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Was {
    /// The object with this id had the DN and was renamed.
    Keep(u64),
    /// An object holds the DN now: it names no object that had it.
    Taken,
    /// The object with this id is gone: the DN names nothing, if it still named it.
    Gone(u64),
}

/// The index writes of one commit, in the order they were asked for.
#[derive(Debug, Default)]
pub(super) struct IndexWrites<'c> {
    /// `(anchor hash, id)`.
    by_anchor: Vec<((u128, u64), Point)>,
    /// `(DN hash, id)`.
    by_dn: Vec<((u128, u64), Point)>,
    /// DNs objects had before a rename: `Some(id)` keeps the DN for the object, `None`
    /// forgets it (another object took it, or the object it names is gone).
    dn_was: Vec<((&'c str, String), Was)>,
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

    /// A write to the DN index of `connector` (`dn` a DN key the object holds, or held
    /// until now).
    pub(super) fn dn(&mut self, connector: &str, dn: &str, id: u64, how: Point) {
        self.by_dn.push(((key_hash(&[connector, dn]), id), how));
    }

    /// A write to the DNs objects of `connector` had before a rename (`dn` a DN key).
    pub(super) fn dn_was(&mut self, connector: &'c str, dn: String, how: Was) {
        self.dn_was.push(((connector, dn), how));
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
        by_dn: &mut Hashed<'t>,
        dn_was: &mut Pairs<'t>,
        cs_join: &mut Hashed<'t>,
        mv_join: &mut Hashed<'t>,
    ) -> Result<(), redb::StorageError> {
        // A hashed row names its object in its key: setting it adds it, unsetting it
        // removes it, whatever other objects the hash proposes. A row already there is not
        // written again (an insert copies its page even when nothing changes).
        for (writes, table) in [(&mut self.by_anchor, by_anchor), (&mut self.by_dn, by_dn)] {
            writes.sort_by_key(|w| w.0);
            for (key, how) in writes.drain(..) {
                match how {
                    Point::Set => {
                        if table.get(key)?.is_none() {
                            table.insert(key, ())?;
                        }
                    }
                    Point::Unset => {
                        table.remove(key)?;
                    }
                }
            }
        }
        self.dn_was.sort();
        for ((connector, dn), how) in self.dn_was.iter() {
            let key = (*connector, dn.as_str());
            match how {
                Was::Keep(id) => point(dn_was, key, *id)?,
                Was::Taken => {
                    if dn_was.get(key)?.is_some() {
                        dn_was.remove(key)?;
                    }
                }
                Was::Gone(id) => {
                    if dn_was.get(key)?.map(|v| v.value()) == Some(*id) {
                        dn_was.remove(key)?;
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
