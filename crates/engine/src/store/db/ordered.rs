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

use super::rows::point;

type Pairs<'t> = redb::Table<'t, (&'static str, &'static str), u64>;
type CsJoin<'t> = redb::MultimapTable<'t, (&'static str, &'static str, &'static str), u64>;
type MvJoin<'t> = redb::MultimapTable<'t, (&'static str, &'static str), u64>;

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
    by_anchor: Vec<((&'c str, String), u64, Point)>,
    by_dn: Vec<((&'c str, String), u64, Point)>,
    /// `true` inserts the row, `false` removes it.
    cs_join: Vec<((&'c str, String, String), u64, bool)>,
    mv_join: Vec<((String, String), u64, bool)>,
}

impl<'c> IndexWrites<'c> {
    /// A write to the anchor index of `connector`.
    pub(super) fn anchor(&mut self, connector: &'c str, anchor: &str, id: u64, how: Point) {
        self.by_anchor
            .push(((connector, anchor.to_owned()), id, how));
    }

    /// A write to the DN index of `connector` (`dn` a DN key).
    pub(super) fn dn(&mut self, connector: &'c str, dn: String, id: u64, how: Point) {
        self.by_dn.push(((connector, dn), id, how));
    }

    /// A row of the connector-space join index inserted (`true`) or removed.
    pub(super) fn cs_join(&mut self, connector: &'c str, row: (String, String), id: u64, on: bool) {
        self.cs_join.push(((connector, row.0, row.1), id, on));
    }

    /// A row of the metaverse join index inserted (`true`) or removed.
    pub(super) fn mv_join(&mut self, row: (String, String), id: u64, on: bool) {
        self.mv_join.push((row, id, on));
    }

    /// Applies the writes, each table's in key order.
    pub(super) fn apply<'t>(
        mut self,
        by_anchor: &mut Pairs<'t>,
        by_dn: &mut Pairs<'t>,
        cs_join: &mut CsJoin<'_>,
        mv_join: &mut MvJoin<'_>,
    ) -> Result<(), redb::StorageError> {
        for (writes, table) in [(&mut self.by_anchor, by_anchor), (&mut self.by_dn, by_dn)] {
            writes.sort_by(|a, b| a.0.cmp(&b.0));
            for ((connector, key), id, how) in writes.iter() {
                let key = (*connector, key.as_str());
                match how {
                    Point::Set => point(table, key, *id)?,
                    Point::Unset => {
                        if table.get(key)?.map(|v| v.value()) == Some(*id) {
                            table.remove(key)?;
                        }
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
    pub(super) fn apply_joins(
        &mut self,
        cs_join: &mut CsJoin<'_>,
        mv_join: &mut MvJoin<'_>,
    ) -> Result<(), redb::StorageError> {
        self.cs_join.sort_by(|a, b| a.0.cmp(&b.0));
        for ((connector, attr, value), id, on) in self.cs_join.drain(..) {
            let key = (connector, attr.as_str(), value.as_str());
            if on {
                cs_join.insert(key, id)?;
            } else {
                cs_join.remove(key, id)?;
            }
        }
        self.mv_join.sort_by(|a, b| a.0.cmp(&b.0));
        for ((attr, value), id, on) in self.mv_join.drain(..) {
            let key = (attr.as_str(), value.as_str());
            if on {
                mv_join.insert(key, id)?;
            } else {
                mv_join.remove(key, id)?;
            }
        }
        Ok(())
    }
}
