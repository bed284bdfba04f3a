//! A connector space's index of objects by DN.

use std::collections::hash_map::Entry;
use std::ops::{Deref, DerefMut};

use rustc_hash::FxHashMap;
use syncrules_lang::dn::DnKey;

use crate::model::CsId;

/// Connector-space ids by DN, keyed by [`DnKey`] so a DN finds its object however its case,
/// spaces and escapes are written. A map otherwise ([`Deref`] to the [`FxHashMap`]).
///
/// ```
/// use syncrules_engine::model::{CsId, DnIndex};
/// use syncrules_lang::dn::DnKey;
///
/// let mut index = DnIndex::default();
/// index.entry("CN=A, OU=B").or_insert(CsId::new(1));
/// assert_eq!(index.get(&DnKey::new("cn=a,ou=b")), Some(&CsId::new(1)));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DnIndex(FxHashMap<DnKey, CsId>);

impl DnIndex {
    /// The entry of a DN, given as its key or as text (normalised to its key).
    pub fn entry(&mut self, dn: impl Into<DnKey>) -> Entry<'_, DnKey, CsId> {
        self.0.entry(dn.into())
    }
}

impl Deref for DnIndex {
    type Target = FxHashMap<DnKey, CsId>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for DnIndex {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{ConnectorSpace, CsId, CsObject, MvId, MvRef};

    fn space() -> (ConnectorSpace, CsId) {
        let mut space = ConnectorSpace::default();
        let id = space.insert(CsObject {
            dn: "CN=A, OU=B".to_owned(),
            ..CsObject::default()
        });
        (space, id)
    }

    /// A reference written with other case, separator spaces or escapes resolves to the
    /// object (the engine once lowercased DNs, so `cn=a,ou=b` missed `CN=A, OU=B`).
    #[test]
    fn references_resolve_as_directories_compare_dns() {
        let (mut space, id) = space();
        for dn in ["cn=a,ou=b", "CN=A, OU=B", r"cn=\41 , ou = b"] {
            assert_eq!(space.resolve_reference(dn).map(|o| o.id), Some(id), "{dn}");
            assert_eq!(space.find_dn(dn).map(|o| o.id), Some(id), "{dn}");
        }
        assert!(space.find_dn("cn=a2,ou=b").is_none());
        space.rename(id, "CN=C,OU=B");
        assert_eq!(space.resolve_reference("cn=a,ou=b").map(|o| o.id), Some(id));
        assert!(space.find_dn("cn=a,ou=b").is_none());
        assert_eq!(space.find_dn("cn=c, ou=b").map(|o| o.id), Some(id));
        space.remove(id);
        assert!(space.find_dn("cn=c,ou=b").is_none());
    }

    #[test]
    fn metaverse_references_round_trip() {
        let r = MvRef(MvId::new(12));
        assert_eq!(MvRef::from_value(&r.to_value()), Some(r));
        assert_eq!(r.to_string(), "mv:12");
        assert_eq!(MvRef::parse("mv:x"), None);
        assert_eq!(MvRef::from_value(&syncrules_lang::Value::str("mv:1")), None);
    }
}
