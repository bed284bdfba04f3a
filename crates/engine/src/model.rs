//! The engine's stores: one connector space per connector, and the metaverse.
//!
//! Metaverse references (`member`, `manager`) are links to metaverse objects, held as
//! [`Value::Ref`] values of the form `mv:<id>` (no DN contains no `=`-less text like that),
//! so a rename or delete of the referenced object resolves wherever it is read. Connector
//! spaces hold references as the directory reports them: DNs, which the directory itself
//! keeps current on renames.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use indexmap::IndexMap;
use rustc_hash::{FxHashMap, FxHashSet};
use syncrules_lang::Value;
use syncrules_lang::dn::DnKey;
use syncrules_lang::name::{AttrMap, Name};

use crate::connector::ExportOp;
pub use crate::dn_index::DnIndex;

/// Declares an object id: a `u64` of its own type, so one kind of id is never taken for
/// another.
macro_rules! object_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u64);

        impl $name {
            /// The id of this number.
            pub const fn new(n: u64) -> $name {
                $name(n)
            }

            /// The id's number.
            pub const fn get(self) -> u64 {
                self.0
            }

            /// The id after this one: what a store assigns next.
            fn next(self) -> $name {
                $name(self.0 + 1)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl From<u64> for $name {
            fn from(n: u64) -> $name {
                $name(n)
            }
        }

        impl From<$name> for u64 {
            fn from(id: $name) -> u64 {
                id.0
            }
        }
    };
}

object_id! {
    /// A connector-space object's id, unique within its connector space. Assigned from 1
    /// up; the default (0) is no object's.
    ///
    /// ```
    /// use syncrules_engine::model::CsId;
    ///
    /// assert_eq!(CsId::new(7).get(), 7);
    /// assert_eq!(CsId::from(7).to_string(), "7");
    /// ```
    CsId
}

object_id! {
    /// A metaverse object's id. Assigned from 1 up; the default (0) is no object's. Not a
    /// [`CsId`]: the one is never passed where the other is meant.
    ///
    /// ```
    /// use syncrules_engine::model::MvId;
    ///
    /// assert_eq!(MvId::new(42).get(), 42);
    /// assert_eq!(u64::from(MvId::new(42)), 42);
    /// ```
    MvId
}

/// A reference to a metaverse object: the text `mv:<id>` ([`fmt::Display`],
/// [`MvRef::parse`]), held in metaverse attributes as a [`Value::Ref`]
/// ([`MvRef::to_value`], [`MvRef::from_value`]). Nothing else writes or reads that form.
///
/// ```
/// use syncrules_engine::model::{MvId, MvRef};
///
/// let r = MvRef(MvId::new(42));
/// assert_eq!(r.to_string(), "mv:42");
/// assert_eq!(MvRef::parse("mv:42"), Some(r));
/// assert_eq!(MvRef::parse("CN=mv:42"), None);
/// assert_eq!(MvRef::from_value(&r.to_value()), Some(r));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MvRef(pub MvId);

impl MvRef {
    /// What the text form starts with.
    const PREFIX: &'static str = "mv:";

    /// The reference written as `text`, if it is one.
    pub fn parse(text: &str) -> Option<MvRef> {
        text.strip_prefix(Self::PREFIX)?
            .parse()
            .ok()
            .map(|n| MvRef(MvId(n)))
    }

    /// The reference a value holds, if it holds one.
    pub fn from_value(v: &Value) -> Option<MvRef> {
        match v {
            Value::Ref(s) => MvRef::parse(s),
            _ => None,
        }
    }

    /// The reference as a value.
    pub fn to_value(self) -> Value {
        Value::reference(self.to_string())
    }

    /// The metaverse object's id.
    pub fn id(self) -> MvId {
        self.0
    }
}

impl fmt::Display for MvRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", Self::PREFIX, self.0)
    }
}

/// What the last import said happened to an object, not yet processed by a sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PendingImport {
    /// A new object.
    Add,
    /// Changed attributes or DN.
    Update,
    /// Deleted in the directory.
    Delete,
}

/// A change waiting to be exported.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingExport {
    /// Add, update, rename or delete.
    pub op: ExportOp,
    /// Attributes to write: every attribute for an add, the changed ones for an update (null
    /// removes).
    pub attributes: AttrMap,
    /// The DN before a rename.
    pub old_dn: Option<String>,
}

/// The last export's failure, kept until the export succeeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportError {
    /// The failure class (`duplicate-attribute`, ...).
    pub class: String,
    /// The directory's message.
    pub message: String,
}

/// An object in a connector space. The default has no DN, type or values, no pending
/// import or export and no link: set what an object has and default the rest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CsObject {
    /// Its id.
    pub id: CsId,
    /// Its DN.
    pub dn: String,
    /// Its anchor, once imported (an object provisioned by the engine has none until the
    /// directory confirms it).
    pub anchor: Option<String>,
    /// Its object type.
    pub object_type: String,
    /// The values last imported (confirmed by the directory).
    pub attributes: AttrMap,
    /// Values exported but not yet seen on import.
    pub unconfirmed: AttrMap,
    /// What the last import changed, until a sync processes it.
    pub pending_import: Option<PendingImport>,
    /// What an export should do.
    pub pending_export: Option<PendingExport>,
    /// The last export error.
    pub export_error: Option<ExportError>,
    /// The metaverse object it is joined to.
    pub link: Option<MvId>,
    /// The rule that made the link (its name).
    pub link_rule: Option<Name>,
    /// True when the engine created the object through an outbound provisioning rule.
    pub provisioned: bool,
    /// True when a reference of the object could not be resolved yet (its target is not
    /// joined): delta syncs visit it again until it resolves.
    pub unresolved: bool,
}

impl CsObject {
    /// The value of an attribute as the engine believes it is: exported values not yet
    /// confirmed over the imported ones.
    pub fn current(&self, attr: &str) -> &Value {
        self.unconfirmed
            .get(attr)
            .or_else(|| self.attributes.get(attr))
            .unwrap_or(&Value::Null)
    }
}

/// Which objects of a connector space or the metaverse are in memory, when the state is a
/// working set read from a store (a delta step reads only what it touches). Bookkeeping,
/// not state: two states with the same objects are equal whatever their residency.
#[derive(Clone, Debug)]
pub struct Residency<Id> {
    /// Every stored object is in memory: lookups need not ask the store.
    pub complete: bool,
    /// Objects removed in memory since they were read: the store's copy is stale until the
    /// next commit deletes it.
    pub removed: FxHashSet<Id>,
    /// How many objects the store held at the last commit.
    pub stored: usize,
}

impl<Id> Default for Residency<Id> {
    fn default() -> Self {
        Residency {
            complete: false,
            removed: FxHashSet::default(),
            stored: 0,
        }
    }
}

impl<Id> PartialEq for Residency<Id> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// One connector's objects, with indexes by anchor and DN.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConnectorSpace {
    /// Objects by id.
    pub objects: BTreeMap<CsId, CsObject>,
    /// Ids by anchor.
    pub by_anchor: FxHashMap<String, CsId>,
    /// Ids by DN, and by DNs objects had before a rename.
    pub by_dn: DnIndex,
    /// Where the next delta import starts.
    pub watermark: Option<String>,
    /// The next id to assign.
    pub next_id: CsId,
    /// Which objects are in memory.
    pub residency: Residency<CsId>,
}

impl ConnectorSpace {
    /// Adds an object (assigning its id) and indexes it.
    pub fn insert(&mut self, mut object: CsObject) -> CsId {
        self.next_id = self.next_id.next();
        let id = self.next_id;
        object.id = id;
        self.index(&object);
        self.objects.insert(id, object);
        id
    }

    /// Indexes an object by anchor and DN.
    pub fn index(&mut self, object: &CsObject) {
        if let Some(a) = &object.anchor {
            self.by_anchor.insert(a.clone(), object.id);
        }
        self.by_dn.insert(DnKey::new(&object.dn), object.id);
    }

    /// Removes an object and its index entries.
    pub fn remove(&mut self, id: CsId) -> Option<CsObject> {
        let object = self.objects.remove(&id)?;
        self.residency.removed.insert(id);
        if let Some(a) = &object.anchor
            && self.by_anchor.get(a) == Some(&id)
        {
            self.by_anchor.remove(a);
        }
        let dn = DnKey::new(&object.dn);
        if self.by_dn.get(&dn) == Some(&id) {
            self.by_dn.remove(&dn);
        }
        Some(object)
    }

    /// Changes an object's DN. The old DN stays in the index until another object takes
    /// it, so references a directory has not rewritten yet still resolve
    /// ([`ConnectorSpace::resolve_reference`]).
    pub fn rename(&mut self, id: CsId, dn: &str) {
        let Some(object) = self.objects.get_mut(&id) else {
            return;
        };
        object.dn = dn.to_owned();
        self.by_dn.insert(DnKey::new(dn), id);
    }

    /// The number of objects: in memory, or at the last commit for a working set (so a
    /// deletion threshold's percentage is of the whole connector space).
    pub fn len(&self) -> usize {
        if self.residency.complete {
            self.objects.len()
        } else {
            self.residency.stored.max(self.objects.len())
        }
    }

    /// True when there are no objects.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Puts an object read from a store in memory, with its id, and indexes it.
    pub fn load(&mut self, object: CsObject) {
        self.index(&object);
        self.next_id = self.next_id.max(object.id);
        self.objects.insert(object.id, object);
    }

    /// The object whose DN is this (as [`DnKey`] compares DNs), not one it had before a
    /// rename.
    pub fn find_dn(&self, dn: &str) -> Option<&CsObject> {
        let key = DnKey::new(dn);
        self.by_dn
            .get(&key)
            .and_then(|id| self.objects.get(id))
            .filter(|o| syncrules_lang::dn::same(&o.dn, dn))
    }

    /// The object a reference names: by its DN, or by a DN it had before a rename.
    pub fn resolve_reference(&self, dn: &str) -> Option<&CsObject> {
        self.resolve_key(&DnKey::new(dn))
    }

    /// [`ConnectorSpace::resolve_reference`] of a DN already made a key.
    pub fn resolve_key(&self, key: &DnKey) -> Option<&CsObject> {
        self.by_dn.get(key).and_then(|id| self.objects.get(id))
    }
}

/// A metaverse object.
#[derive(Clone, Debug, PartialEq)]
pub struct MvObject {
    /// Its id.
    pub id: MvId,
    /// Its object type.
    pub object_type: String,
    /// Its attributes (references as `mv:<id>`).
    pub attributes: AttrMap,
    /// The connector-space object joined in each connector.
    pub links: BTreeMap<Name, CsId>,
    /// The connectors whose link keeps the object alive (joined through an inbound
    /// provision or sticky-join rule).
    pub anchored_by: BTreeSet<Name>,
}

/// The metaverse.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metaverse {
    /// Objects by id.
    pub objects: BTreeMap<MvId, MvObject>,
    /// The next id to assign.
    pub next_id: MvId,
    /// Which objects are in memory.
    pub residency: Residency<MvId>,
}

impl Metaverse {
    /// Removes an object.
    pub fn remove(&mut self, id: MvId) -> Option<MvObject> {
        let object = self.objects.remove(&id)?;
        self.residency.removed.insert(id);
        Some(object)
    }

    /// The number of objects: in memory, or at the last commit for a working set.
    pub fn len(&self) -> usize {
        if self.residency.complete {
            self.objects.len()
        } else {
            self.residency.stored.max(self.objects.len())
        }
    }

    /// True when there are no objects.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Creates an object of a type.
    pub fn create(&mut self, object_type: &str) -> MvId {
        self.next_id = self.next_id.next();
        let id = self.next_id;
        self.objects.insert(
            id,
            MvObject {
                id,
                object_type: object_type.to_owned(),
                attributes: AttrMap::default(),
                links: BTreeMap::new(),
                anchored_by: BTreeSet::new(),
            },
        );
        id
    }
}

/// Everything the engine keeps between runs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    /// Connector spaces by connector name.
    pub spaces: IndexMap<String, ConnectorSpace>,
    /// The metaverse.
    pub metaverse: Metaverse,
    /// The fingerprint of the plan the last full sync ran with.
    pub plan_fingerprint: Option<String>,
    /// Metaverse objects with references that could not be exported yet (the referenced
    /// object is not in the target connector): every sync processes them again.
    pub outbound_retry: BTreeSet<MvId>,
    /// For objects of `outbound_retry`, the references they could not export: the
    /// connector and the referenced metaverse object. A sync processes such an object again
    /// only when one of them was touched, is gone, or now has an object in that connector.
    /// An object of `outbound_retry` without an entry (it also waited for something else, or
    /// the state predates this list) is processed by every sync.
    pub outbound_waits: BTreeMap<MvId, BTreeSet<(String, MvId)>>,
    /// Metaverse objects whose last source object went away, held (not deleted) since
    /// this time for the deletion window: an object that joins one within the window (a
    /// user migrated to another forest, its anchor in mS-DS-ConsistencyGuid) keeps its
    /// identity, and the target objects are never deleted and added again.
    pub held: BTreeMap<MvId, chrono::DateTime<chrono::Utc>>,
    /// What references need of objects a working set does not hold (see
    /// [`crate::refs`]).
    pub refs: crate::refs::RefTargets,
}

impl State {
    /// The connector space of a connector, created empty if new.
    pub fn space(&mut self, connector: &str) -> &mut ConnectorSpace {
        self.spaces.entry(connector.to_owned()).or_default()
    }

    /// Drops every object from memory, keeping what is not an object (watermarks, next ids,
    /// stored counts, the retry and held lists, the plan fingerprint). For a working set
    /// just committed to its store: what a step reads next comes from that commit. The
    /// maps are replaced, not cleared, so their memory is given back.
    pub fn evict(&mut self) {
        // Freeing a batch's objects takes a while: a thread of rayon's, idle while the
        // next batch is read and committed, frees them instead.
        let mut garbage = Vec::with_capacity(self.spaces.len());
        for space in self.spaces.values_mut() {
            garbage.push((
                std::mem::take(&mut space.objects),
                std::mem::take(&mut space.by_anchor),
                std::mem::take(&mut space.by_dn),
                std::mem::take(&mut space.residency.removed),
            ));
            space.residency.complete = false;
        }
        let refs = std::mem::take(&mut self.refs);
        let mv = &mut self.metaverse;
        let mv_objects = std::mem::take(&mut mv.objects);
        mv.residency.complete = false;
        mv.residency.removed = FxHashSet::default();
        rayon::spawn(move || drop((garbage, refs, mv_objects)));
    }
}
