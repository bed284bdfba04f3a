//! Reading the last commit through its indexes: by DN, by anchor, by join key. The hashed
//! indexes only propose objects (see [`super::rows::key_hash`]); a DN or anchor is checked
//! against the candidate's record, a join key by the join's own comparison.

use syncrules_lang::dn::DnKey;

use super::super::StoreError;
use super::super::record::{decode_cs_anchor, decode_cs_dn};
use super::read::Reader;
use super::rows::key_hash;
use super::{BY_ANCHOR, BY_DN, CS, CS_JOIN, DN_WAS, MV_JOIN, corrupt, cs_key};
use crate::model::{CsId, MvId};

impl Reader<'_> {
    /// The object of a connector space with this DN (any case), or that had it before a
    /// rename: of the objects the hashed DN index proposes, the one whose record holds the
    /// DN; else the object the DNs from before renames name.
    pub fn cs_by_dn(&self, connector: &str, dn: &str) -> Result<Option<CsId>, StoreError> {
        let key = DnKey::new(dn);
        let table = self.txn.open_table(CS).map_err(|e| self.open(e))?;
        for id in self.cs_dn_candidates(connector, &key)? {
            let Some(v) = table.get((connector, id.get())).map_err(|e| self.read(e))? else {
                continue;
            };
            let held = self
                .plain(v.value())
                .and_then(|b| decode_cs_dn(&b))
                .map_err(|m| corrupt(cs_key(connector, id), m))?;
            if DnKey::new(&held) == key {
                return Ok(Some(id));
            }
        }
        self.cs_dn_was(connector, &key)
    }

    /// The objects of a connector space the hashed DN index proposes for a DN key,
    /// unchecked: the caller takes the one holding the DN (the working set's loader checks
    /// each once it has read it).
    pub(crate) fn cs_dn_candidates(
        &self,
        connector: &str,
        key: &DnKey,
    ) -> Result<Vec<CsId>, StoreError> {
        let index = self.txn.open_table(BY_DN).map_err(|e| self.open(e))?;
        let ids = self.hashed(&index, key_hash(&[connector, key.as_str()]))?;
        Ok(ids.into_iter().map(CsId::new).collect())
    }

    /// The object of a connector space that had this DN key before a rename, when no
    /// object has taken it since.
    pub(crate) fn cs_dn_was(
        &self,
        connector: &str,
        key: &DnKey,
    ) -> Result<Option<CsId>, StoreError> {
        let table = self.txn.open_table(DN_WAS).map_err(|e| self.open(e))?;
        Ok(table
            .get((connector, key.as_str()))
            .map_err(|e| self.read(e))?
            .map(|v| CsId::new(v.value())))
    }

    /// The objects of a connector space the hashed anchor index proposes for `anchor`,
    /// unchecked: the caller takes the one holding the anchor (the working set's loader
    /// checks each once it has read it).
    pub(crate) fn cs_anchor_candidates(
        &self,
        connector: &str,
        anchor: &str,
    ) -> Result<Vec<CsId>, StoreError> {
        let index = self.txn.open_table(BY_ANCHOR).map_err(|e| self.open(e))?;
        let ids = self.hashed(&index, key_hash(&[connector, anchor]))?;
        Ok(ids.into_iter().map(CsId::new).collect())
    }

    /// The object of a connector space with this anchor: of the objects the hashed index
    /// proposes, the one whose record holds it.
    pub fn cs_by_anchor(&self, connector: &str, anchor: &str) -> Result<Option<CsId>, StoreError> {
        let index = self.txn.open_table(BY_ANCHOR).map_err(|e| self.open(e))?;
        let cs = self.txn.open_table(CS).map_err(|e| self.open(e))?;
        for n in self.hashed(&index, key_hash(&[connector, anchor]))? {
            let id = CsId::new(n);
            let Some(v) = cs.get((connector, n)).map_err(|e| self.read(e))? else {
                continue;
            };
            let held = self
                .plain(v.value())
                .and_then(|b| decode_cs_anchor(&b))
                .map_err(|m| corrupt(cs_key(connector, id), m))?;
            if held.as_deref() == Some(anchor) {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// Metaverse objects whose `attr` held a value with join key `key` at the last commit.
    /// The index holds hashes: a search may name an object more, which the join's own
    /// comparison of the values leaves out.
    pub fn mv_join(&self, attr: &str, key: &str) -> Result<Vec<MvId>, StoreError> {
        let table = self.txn.open_table(MV_JOIN).map_err(|e| self.open(e))?;
        let ids = self.hashed(&table, key_hash(&[attr, key]))?;
        Ok(ids.into_iter().map(MvId::new).collect())
    }

    /// Connector-space objects of `connector` whose `attr` held a value with join key `key`
    /// at the last commit (hashed too, as [`Reader::mv_join`]).
    pub fn cs_join(&self, connector: &str, attr: &str, key: &str) -> Result<Vec<CsId>, StoreError> {
        let table = self.txn.open_table(CS_JOIN).map_err(|e| self.open(e))?;
        let ids = self.hashed(&table, key_hash(&[connector, attr, key]))?;
        Ok(ids.into_iter().map(CsId::new).collect())
    }

    /// The ids a join index holds under `hash`.
    fn hashed(
        &self,
        table: &redb::ReadOnlyTable<(u128, u64), ()>,
        hash: u128,
    ) -> Result<Vec<u64>, StoreError> {
        let mut out = Vec::new();
        for row in table
            .range((hash, 0)..=(hash, u64::MAX))
            .map_err(|e| self.read(e))?
        {
            out.push(row.map_err(|e| self.read(e))?.0.value().1);
        }
        Ok(out)
    }
}
