//! Training the dictionaries records are packed with (see the `pack` module): one for each
//! kind of record, trained by the first commit after which the state holds [`TRAIN_MIN`]
//! records or more of that kind, on a sample of them.
//!
//! The records a kind first has may be skeletons of what it holds later: an initial
//! cycle's first sync commits metaverse objects projected, before their attributes flow.
//! So a commit that writes [`TRAIN_MIN`] records or more of a kind whose sampled records are
//! [`GROWN`] times the size of those its dictionary was trained on (medians) trains it a new one;
//! records keep the dictionary they were packed with until they are written again.
//!
//! Why one a kind (docs/state-store.md, "Packed records"): layout 4's one dictionary was
//! trained on a state's first large commit, in an initial cycle the directory's import, and
//! had never seen the metaverse's or the cloud space's attributes. On the records of a
//! million-user state, each kind's own packs the cloud space's 45 % smaller, the
//! metaverse's 42 % and the directory's 16 %.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::db::EncodeCs;
use super::pack::{Codec, Codecs, Kind, SAMPLES, TRAIN_MIN};
use super::record::encode_mv;
use super::{Dirty, StoreError};
use crate::model::{CsId, State};

/// How many times larger than the records a kind's dictionary was trained on a commit's
/// records of the kind must be, on average, for the commit to train the kind a new one.
pub(crate) const GROWN: usize = 2;

/// Records a commit samples to see whether a kind's records grew.
const PROBE: usize = 101;

/// A dictionary a commit trained, to store and pack its kind's records with.
pub(crate) struct Trained {
    /// The records it packs.
    pub kind: Kind,
    /// The median size of the plain records it was trained on.
    pub median: u32,
    /// Its bytes, as the `dicts` table stores them (sealed).
    pub dict: Vec<u8>,
    /// The codec over it.
    pub codec: Arc<Codec>,
}

/// The dictionaries a commit of `dirty` trains, when zstd can train them: one for each kind
/// without one of its own (in `codecs`) of which the state, with the commit, holds
/// [`TRAIN_MIN`] records or more, and one for each kind of which the commit writes that many,
/// [`GROWN`] times the size of those its own dictionary was trained on. The sample is taken
/// evenly across the commit's records of the kind; a kind's first is topped up with plain
/// records of the kind the state holds (`stored`) when the commit writes fewer than
/// [`SAMPLES`].
pub(crate) fn train_on(
    state: &State,
    dirty: &Dirty,
    encode: EncodeCs<'_>,
    codecs: &Codecs,
    mut stored: impl FnMut(&Kind, usize) -> Result<Vec<Vec<u8>>, StoreError>,
) -> Result<Vec<Trained>, StoreError> {
    let mut out = Vec::new();
    let mut number = codecs.next_number();
    let mut by_connector: BTreeMap<&str, Vec<CsId>> = BTreeMap::new();
    for (connector, id) in &dirty.cs {
        by_connector.entry(connector).or_default().push(*id);
    }
    for (connector, ids) in by_connector {
        let Some(space) = state.spaces.get(connector) else {
            continue;
        };
        let kind = Kind::Cs(connector.to_owned());
        let sample = |step: usize| {
            let mut records = Vec::new();
            for id in ids.iter().step_by(step) {
                if let Some(o) = space.objects.get(id) {
                    let plain = encode(connector, o).map_err(|m| StoreError::Corrupt {
                        key: format!("cs/{connector}/{id}"),
                        message: m.to_string(),
                    })?;
                    records.push(plain);
                }
            }
            Ok(records)
        };
        let (writing, held) = (ids.len(), space.residency.stored);
        if let Some(t) = consider(kind, codecs, writing, held, number, sample, &mut stored)? {
            number = number.saturating_add(1);
            out.push(t);
        }
    }
    let sample = |step: usize| {
        Ok(dirty
            .mv
            .iter()
            .step_by(step)
            .filter_map(|id| state.metaverse.objects.get(id).map(encode_mv))
            .collect())
    };
    let (writing, held) = (dirty.mv.len(), state.metaverse.residency.stored);
    if let Some(t) = consider(Kind::Mv, codecs, writing, held, number, sample, &mut stored)? {
        out.push(t);
    }
    Ok(out)
}

/// The dictionary a commit writing `writing` records of `kind` (the state holding `held`)
/// trains for it, if any (see [`train_on`]); `sample(step)` encodes every `step`-th of the
/// commit's records of the kind. A kind with a dictionary of its own is checked on a probe
/// of about [`PROBE`] records, so that a commit whose records did not grow (nearly every
/// one) encodes a hundred records more, not a second copy of its sample.
fn consider(
    kind: Kind,
    codecs: &Codecs,
    writing: usize,
    held: usize,
    number: u32,
    sample: impl Fn(usize) -> Result<Vec<Vec<u8>>, StoreError>,
    stored: &mut impl FnMut(&Kind, usize) -> Result<Vec<Vec<u8>>, StoreError>,
) -> Result<Option<Trained>, StoreError> {
    let own = codecs.own(&kind);
    let enough = match own {
        None => writing.saturating_add(held) >= TRAIN_MIN,
        Some(_) => writing >= TRAIN_MIN,
    };
    if writing == 0 || !enough {
        return Ok(None);
    }
    let step = |n: usize| writing.div_ceil(n).max(1);
    if let Some(own) = own {
        let probe = sample(step(PROBE))?;
        if probe.is_empty() || median(&probe) < (own.median as usize).saturating_mul(GROWN) {
            return Ok(None);
        }
    }
    train(kind, sample(step(SAMPLES))?, own.is_none(), number, stored)
}

/// The median size of `records` (a few large groups among users do not move it).
fn median(records: &[Vec<u8>]) -> usize {
    let mut sizes: Vec<usize> = records.iter().map(Vec::len).collect();
    sizes.sort_unstable();
    sizes.get(sizes.len() / 2).copied().unwrap_or(0)
}

/// A dictionary for `kind` trained on `records`, topped up with stored ones when `top_up`
/// (a new dictionary for grown records is trained on the grown ones only); `None` when
/// zstd cannot train one on them (too few, too alike): the records then stay as they are
/// packed now, and a later commit tries again.
fn train(
    kind: Kind,
    mut records: Vec<Vec<u8>>,
    top_up: bool,
    number: u32,
    stored: &mut impl FnMut(&Kind, usize) -> Result<Vec<Vec<u8>>, StoreError>,
) -> Result<Option<Trained>, StoreError> {
    if top_up && records.len() < SAMPLES {
        records.extend(stored(&kind, SAMPLES - records.len())?);
    }
    let median = u32::try_from(median(&records)).unwrap_or(u32::MAX);
    Ok(Codec::train(&records).and_then(|dict| {
        let codec = Codec::new(number, &dict)?;
        Some(Trained {
            kind,
            median,
            dict,
            codec: Arc::new(codec),
        })
    }))
}
