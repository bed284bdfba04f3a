//! What references need of objects a working set does not hold.
//!
//! A group names its members; processing it resolves each member's DN to the metaverse
//! object joined to it (inbound) and each member's metaverse object to the DN of its object
//! in the target connector (outbound). Neither reads the members' attributes, so a working
//! set read from a store holds, for objects that are only referred to, these few facts
//! ([`RefTargets`]) instead of whole objects: a group of 100,000 members costs a few
//! megabytes, not the whole directory. Objects in memory always take precedence; the facts
//! are those of the last commit, and go with the working set ([`State::evict`]).

use std::collections::{BTreeMap, HashMap};
use syncrules_lang::name::Name;

use rustc_hash::FxHashMap;

use syncrules_lang::dn::DnKey;

use crate::model::{CsId, CsObject, MvId, State};

/// What a reference needs of a connector-space object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefTarget {
    /// Its DN.
    pub dn: String,
    /// The metaverse object it is joined to.
    pub link: Option<MvId>,
    /// The directory refused to create it ([`CsObject::refused`]).
    pub refused: bool,
}

/// Facts about objects only referred to, read from the store for a working set.
#[derive(Clone, Debug, Default)]
pub struct RefTargets {
    /// Connector-space objects by connector and id.
    pub cs: HashMap<String, FxHashMap<CsId, RefTarget>>,
    /// Their ids by connector and DN (or a DN they had before a rename).
    pub cs_by_dn: HashMap<String, FxHashMap<DnKey, CsId>>,
    /// Metaverse objects' links.
    pub mv: FxHashMap<MvId, BTreeMap<Name, CsId>>,
}

impl PartialEq for RefTargets {
    /// Bookkeeping of a working set, not state: two states with the same objects are equal
    /// whatever they know of the objects they refer to.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl CsObject {
    /// The directory refused to create the object: it has no anchor, and its add, still
    /// pending, failed.
    pub fn refused(&self) -> bool {
        self.anchor.is_none()
            && self.export_error.is_some()
            && self
                .pending_export
                .as_ref()
                .is_some_and(|p| p.op == crate::connector::ExportOp::Add)
    }
}

impl State {
    /// The metaverse object joined to the object of `connector` a reference (a DN) names:
    /// `None` when no such object is known or it is not joined.
    pub fn reference_link(&self, connector: &str, dn: &str) -> Option<MvId> {
        self.reference_link_key(connector, &DnKey::new(dn))
    }

    /// [`State::reference_link`] of a DN already made a key (a group's members are
    /// resolved by the million: each DN is parsed once).
    pub fn reference_link_key(&self, connector: &str, key: &DnKey) -> Option<MvId> {
        let space = self.spaces.get(connector)?;
        if let Some(o) = space.resolve_key(key) {
            return o.link;
        }
        let id = *self.refs.cs_by_dn.get(connector)?.get(key)?;
        if space.residency.removed.contains(&id) {
            return None;
        }
        match space.objects.get(&id) {
            Some(o) => o.link,
            None => self.refs.cs.get(connector)?.get(&id)?.link,
        }
    }

    /// The links of metaverse object `id`; `None` when it is not known (deleted).
    pub fn mv_links(&self, id: MvId) -> Option<&BTreeMap<Name, CsId>> {
        if let Some(m) = self.metaverse.objects.get(&id) {
            return Some(&m.links);
        }
        if self.metaverse.residency.removed.contains(&id) {
            return None;
        }
        self.refs.mv.get(&id)
    }

    /// The DN of object `id` of `connector`, and whether the directory refused it.
    pub fn target_dn(&self, connector: &str, id: CsId) -> Option<(&str, bool)> {
        let space = self.spaces.get(connector)?;
        if let Some(o) = space.objects.get(&id) {
            return Some((o.dn.as_str(), o.refused()));
        }
        if space.residency.removed.contains(&id) {
            return None;
        }
        let t = self.refs.cs.get(connector)?.get(&id)?;
        Some((t.dn.as_str(), t.refused))
    }
}
