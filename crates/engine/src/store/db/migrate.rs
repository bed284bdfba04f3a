//! Opening a state of an older layout: its indexes converted in the transaction that records
//! the new layout, so a state is never half converted.

use std::collections::HashMap;

use redb::{ReadableTable, WriteTransaction};
use rustc_hash::FxHashSet;
use syncrules_lang::dn::DnKey;

use super::super::StoreError;
use super::super::pack::unpack;
use super::super::record::decode_cs_dn;
use super::rows::key_hash;
use super::{BY_ANCHOR, BY_DN, CS, DN_WAS, OLD_BY_ANCHOR, OLD_BY_DN, Store, corrupt, cs_key};
use crate::model::CsId;

impl Store {
    /// Layout 4 to 5: the anchor index's rows hashed into the new table, the old one deleted.
    pub(super) fn hash_anchor_index(&self, txn: &WriteTransaction) -> Result<(), StoreError> {
        let mut rows = Vec::new();
        {
            let old = txn
                .open_table(OLD_BY_ANCHOR)
                .map_err(|e| self.err("open a table", e))?;
            for row in old.iter().map_err(|e| self.err("read", e))? {
                let (k, v) = row.map_err(|e| self.err("read", e))?;
                let (connector, anchor) = k.value();
                rows.push((key_hash(&[connector, anchor]), v.value()));
            }
        }
        rows.sort_unstable();
        let mut new = txn
            .open_table(BY_ANCHOR)
            .map_err(|e| self.err("open a table", e))?;
        for key in rows {
            new.insert(key, ()).map_err(|e| self.err("write", e))?;
        }
        txn.delete_table(OLD_BY_ANCHOR)
            .map_err(|e| self.err("write", e))?;
        Ok(())
    }

    /// Layout 2 to 3: the DN index's rows keyed again by the DN key. A lowercased DN has the
    /// key of the DN it was made from, so every row, a DN from before a rename too, keeps
    /// pointing at its object.
    pub(super) fn rekey_dn_index(&self, txn: &WriteTransaction) -> Result<(), StoreError> {
        let mut by_dn = txn
            .open_table(OLD_BY_DN)
            .map_err(|e| self.err("open a table", e))?;
        let mut rows = Vec::new();
        for row in by_dn.iter().map_err(|e| self.err("read", e))? {
            let (k, v) = row.map_err(|e| self.err("read", e))?;
            let (connector, dn) = k.value();
            rows.push((connector.to_owned(), dn.to_owned(), v.value()));
        }
        for (connector, dn, id) in rows {
            let key = DnKey::new(&dn);
            if key.as_str() != dn {
                by_dn
                    .remove((connector.as_str(), dn.as_str()))
                    .map_err(|e| self.err("write", e))?;
                by_dn
                    .insert((connector.as_str(), key.as_str()), id)
                    .map_err(|e| self.err("write", e))?;
            }
        }
        Ok(())
    }

    /// Layout 5 to 6: the DN index split in two. Each object's record gives the DN it holds,
    /// hashed into [`BY_DN`]; a row of the old index naming an object that holds another DN
    /// is a DN it had before a rename, kept as text in [`DN_WAS`]; a row naming no object
    /// resolved to nothing and goes. The old table is deleted. Every record is read (at a
    /// million users, once, when the state is first opened by this build).
    pub(super) fn hash_dn_index(&self, txn: &WriteTransaction) -> Result<(), StoreError> {
        let codecs = self.codecs();
        let mut rows = Vec::new();
        let mut ids: HashMap<String, FxHashSet<u64>> = HashMap::new();
        {
            let cs = txn
                .open_table(CS)
                .map_err(|e| self.err("open a table", e))?;
            for entry in cs.iter().map_err(|e| self.err("read", e))? {
                let (k, v) = entry.map_err(|e| self.err("read", e))?;
                let (connector, n) = k.value();
                let dn = unpack(v.value(), &codecs)
                    .and_then(|b| decode_cs_dn(&b))
                    .map_err(|m| corrupt(cs_key(connector, CsId::new(n)), m))?;
                let key = DnKey::new(&dn);
                rows.push((key_hash(&[connector, key.as_str()]), n));
                if !ids.contains_key(connector) {
                    ids.insert(connector.to_owned(), FxHashSet::default());
                }
                if let Some(set) = ids.get_mut(connector) {
                    set.insert(n);
                }
            }
        }
        rows.sort_unstable();
        let mut was = Vec::new();
        {
            let old = txn
                .open_table(OLD_BY_DN)
                .map_err(|e| self.err("open a table", e))?;
            for row in old.iter().map_err(|e| self.err("read", e))? {
                let (k, v) = row.map_err(|e| self.err("read", e))?;
                let (connector, dn) = k.value();
                let id = v.value();
                let held = rows
                    .binary_search(&(key_hash(&[connector, dn]), id))
                    .is_ok();
                let exists = ids.get(connector).is_some_and(|s| s.contains(&id));
                if exists && !held {
                    was.push((connector.to_owned(), dn.to_owned(), id));
                }
            }
        }
        let mut by_dn = txn
            .open_table(BY_DN)
            .map_err(|e| self.err("open a table", e))?;
        for key in rows {
            by_dn.insert(key, ()).map_err(|e| self.err("write", e))?;
        }
        let mut dn_was = txn
            .open_table(DN_WAS)
            .map_err(|e| self.err("open a table", e))?;
        for (connector, dn, id) in was {
            dn_was
                .insert((connector.as_str(), dn.as_str()), id)
                .map_err(|e| self.err("write", e))?;
        }
        txn.delete_table(OLD_BY_DN)
            .map_err(|e| self.err("write", e))?;
        Ok(())
    }
}
