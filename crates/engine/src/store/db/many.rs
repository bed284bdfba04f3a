//! Reading many objects at once: their records fetched one after another through the one
//! read transaction, then unpacked and decoded on rayon's threads (unpacking and decoding
//! are most of a read). A batch of a full sync reads its objects this way, and the facts
//! references need of the objects a group's members name.

use std::collections::BTreeMap;

use rayon::prelude::*;
use syncrules_lang::name::Name;

use super::super::StoreError;
use super::super::pack::{Codecs, unpack};
use super::super::record::{Decoded, decode_cs, decode_cs_target, decode_mv, decode_mv_links};
use super::read::Reader;
use super::{CS, MV, corrupt, cs_key};
use crate::model::{CsId, CsObject, MvId, MvObject};
use crate::refs::RefTarget;

/// Records read together: each id with its decoded record or the damage that stops it.
pub(crate) type Many<I, T> = Vec<(I, Result<T, StoreError>)>;

/// Each record a reader fetched, with its id: unpacked and decoded on rayon's threads, in
/// order; damage is named by `at`.
fn decode_all<I, T>(
    stored: Vec<(I, Vec<u8>)>,
    codecs: &Codecs,
    decode: impl Fn(I, &[u8]) -> Decoded<T> + Sync,
    at: impl Fn(I) -> String + Sync,
) -> Many<I, T>
where
    I: Copy + Send + Sync,
    T: Send,
{
    stored
        .into_par_iter()
        .map(|(id, bytes)| {
            let decoded = unpack(&bytes, codecs)
                .and_then(|b| decode(id, &b))
                .map_err(|m| corrupt(at(id), m));
            (id, decoded)
        })
        .collect()
}

impl Reader<'_> {
    /// The records of `connector` among `ids`, as stored; an id with none is left out.
    fn cs_stored(&self, connector: &str, ids: &[CsId]) -> Result<Vec<(CsId, Vec<u8>)>, StoreError> {
        let table = self.txn.open_table(CS).map_err(|e| self.open(e))?;
        let mut stored = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(v) = table.get((connector, id.get())).map_err(|e| self.read(e))? {
                stored.push((*id, v.value().to_vec()));
            }
        }
        Ok(stored)
    }

    /// The metaverse records among `ids`, as stored; an id with none is left out.
    fn mv_stored(&self, ids: &[MvId]) -> Result<Vec<(MvId, Vec<u8>)>, StoreError> {
        let table = self.txn.open_table(MV).map_err(|e| self.open(e))?;
        let mut stored = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(v) = table.get(id.get()).map_err(|e| self.read(e))? {
                stored.push((*id, v.value().to_vec()));
            }
        }
        Ok(stored)
    }

    /// The objects of `connector` among `ids`, in their order, each decoded or its damage
    /// named; an id with no record is left out.
    pub(crate) fn cs_many(
        &self,
        connector: &str,
        ids: &[CsId],
    ) -> Result<Many<CsId, CsObject>, StoreError> {
        let stored = self.cs_stored(connector, ids)?;
        Ok(decode_all(stored, &self.codecs, decode_cs, |id| {
            cs_key(connector, id)
        }))
    }

    /// The metaverse objects among `ids`, as [`Reader::cs_many`] reads them.
    pub(crate) fn mv_many(&self, ids: &[MvId]) -> Result<Many<MvId, MvObject>, StoreError> {
        let stored = self.mv_stored(ids)?;
        Ok(decode_all(stored, &self.codecs, decode_mv, |id| {
            format!("mv/{id}")
        }))
    }

    /// What references need of the objects of `connector` among `ids` (see
    /// [`Reader::cs_target`]), as [`Reader::cs_many`] reads them.
    pub(crate) fn cs_targets(
        &self,
        connector: &str,
        ids: &[CsId],
    ) -> Result<Many<CsId, RefTarget>, StoreError> {
        let stored = self.cs_stored(connector, ids)?;
        Ok(decode_all(
            stored,
            &self.codecs,
            |_, b| decode_cs_target(b),
            |id| cs_key(connector, id),
        ))
    }

    /// The links of the metaverse objects among `ids`, as [`Reader::cs_many`] reads them.
    pub(crate) fn mv_links_many(
        &self,
        ids: &[MvId],
    ) -> Result<Many<MvId, BTreeMap<Name, CsId>>, StoreError> {
        let stored = self.mv_stored(ids)?;
        Ok(decode_all(
            stored,
            &self.codecs,
            |_, b| decode_mv_links(b),
            |id| format!("mv/{id}"),
        ))
    }
}
