//! The dictionaries records are packed with (see the `pack` and `train` modules): read
//! when a state is opened, and the stored records a new one is trained on.

use std::sync::Arc;

use redb::{ReadableTable, WriteTransaction};

use super::super::StoreError;
use super::super::pack::{Codec, Codecs, Kind, unpack};
use super::super::train::Trained;
use super::{CS, DICT_KINDS, DICTS, MV, Store, corrupt, cs_key, seal, unseal};
use crate::model::CsId;

impl Store {
    /// Reads the dictionaries records are packed with, and which kind each packs.
    pub(super) fn load_codecs(&self, txn: &WriteTransaction) -> Result<(), StoreError> {
        let kinds = txn
            .open_table(DICT_KINDS)
            .map_err(|e| self.err("open a table", e))?;
        let mut kind_of = std::collections::BTreeMap::new();
        for row in kinds.iter().map_err(|e| self.err("read", e))? {
            let (k, v) = row.map_err(|e| self.err("read", e))?;
            let kind = Kind::parse(k.value()).ok_or_else(|| {
                corrupt(
                    format!("dict_kinds/{}", k.value()),
                    "not a kind of record: the file is damaged",
                )
            })?;
            let (number, median) = v.value();
            kind_of.insert(number, (kind, median));
        }
        let dicts = txn
            .open_table(DICTS)
            .map_err(|e| self.err("open a table", e))?;
        let mut codecs = Codecs::default();
        for row in dicts.iter().map_err(|e| self.err("read", e))? {
            let (number, row) = row.map_err(|e| self.err("read", e))?;
            let number = number.value();
            let codec = unseal(row.value())
                .and_then(|dict| Codec::new(number, dict))
                .ok_or_else(|| {
                    corrupt(
                        format!("dicts/{number}"),
                        "the dictionary's checksum does not match: the file is damaged",
                    )
                })?;
            let kind = kind_of.remove(&number);
            codecs.add(
                kind.as_ref().map(|(k, median)| (k, *median)),
                Arc::new(codec),
            );
        }
        if let Some((number, (kind, _))) = kind_of.pop_first() {
            return Err(corrupt(
                format!("dict_kinds/{}", kind.key()),
                format!("names dictionary {number}, which the file does not hold: it is damaged"),
            ));
        }
        *self.codecs.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(codecs);
        Ok(())
    }

    /// The dictionaries records are packed with, as of the last commit.
    pub(super) fn codecs(&self) -> Arc<Codecs> {
        self.codecs
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Up to `n` plain records of a kind the state holds, for training a dictionary.
    pub(super) fn plain_records(
        &self,
        kind: &Kind,
        n: usize,
        codecs: &Codecs,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let txn = self
            .db
            .begin_read()
            .map_err(|e| self.err("start a transaction", e))?;
        let mut out = Vec::new();
        match kind {
            Kind::Cs(connector) => {
                let cs = txn
                    .open_table(CS)
                    .map_err(|e| self.err("open a table", e))?;
                let rows = cs
                    .range((connector.as_str(), 0)..=(connector.as_str(), u64::MAX))
                    .map_err(|e| self.err("read", e))?;
                for row in rows.take(n) {
                    let (k, v) = row.map_err(|e| self.err("read", e))?;
                    let id = CsId::new(k.value().1);
                    let plain =
                        unpack(v.value(), codecs).map_err(|m| corrupt(cs_key(connector, id), m))?;
                    out.push(plain.into_owned());
                }
            }
            Kind::Mv => {
                let mv = txn
                    .open_table(MV)
                    .map_err(|e| self.err("open a table", e))?;
                for row in mv.iter().map_err(|e| self.err("read", e))?.take(n) {
                    let (k, v) = row.map_err(|e| self.err("read", e))?;
                    let plain = unpack(v.value(), codecs)
                        .map_err(|m| corrupt(format!("mv/{}", k.value()), m))?;
                    out.push(plain.into_owned());
                }
            }
        }
        Ok(out)
    }

    /// Stores the dictionaries a commit trained, and the kind each packs.
    pub(super) fn write_dicts(
        &self,
        txn: &WriteTransaction,
        trained: &[Trained],
    ) -> Result<(), StoreError> {
        if trained.is_empty() {
            return Ok(());
        }
        let mut dicts = txn
            .open_table(DICTS)
            .map_err(|e| self.err("open a table", e))?;
        let mut kinds = txn
            .open_table(DICT_KINDS)
            .map_err(|e| self.err("open a table", e))?;
        for t in trained {
            dicts
                .insert(t.codec.number(), seal(&t.dict).as_slice())
                .map_err(|e| self.err("write", e))?;
            kinds
                .insert(t.kind.key().as_str(), (t.codec.number(), t.median))
                .map_err(|e| self.err("write", e))?;
        }
        Ok(())
    }
}
