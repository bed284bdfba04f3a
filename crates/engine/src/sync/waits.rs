//! Metaverse objects waiting for references: an outbound reference to an object not (yet)
//! in the target connector is left out and the referring object waits
//! ([`State::outbound_retry`]). What it waits for is kept ([`State::outbound_waits`]) so a
//! delta sync processes it again only when that may have changed, instead of recomputing a
//! group of a million members every run because one member is never exported.

use std::collections::BTreeSet;

use crate::model::{MvId, State};

/// What an object's outbound processing could not finish: references to objects with no
/// exportable object in a connector, and whether it waits for anything else.
#[derive(Debug, Default)]
pub(crate) struct Waits {
    /// `(connector, referenced metaverse object)` of each reference left out.
    pub refs: BTreeSet<(String, MvId)>,
    /// It waits for something else (a join another object took in the same pass).
    pub other: bool,
}

/// Whether waiting object `mv` must be processed outbound again: what it waits for is not
/// known, or an object it refers to was `touched`, is gone, or now has an object in the
/// connector the directory did not refuse. Objects it refers to must be known to the state
/// (resident, or their links and target objects in [`State::refs`]); one that is not is
/// taken as gone, so the object is processed.
pub(crate) fn wait_over(state: &State, mv: MvId, touched: &BTreeSet<MvId>) -> bool {
    let Some(waits) = state.outbound_waits.get(&mv) else {
        return true;
    };
    waits.iter().any(|(connector, r)| {
        touched.contains(r)
            || state.mv_links(*r).is_none_or(|links| {
                links
                    .get(connector.as_str())
                    .and_then(|cs| state.target_dn(connector, *cs))
                    .is_some_and(|(_, refused)| !refused)
            })
    })
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::wait_over;
    use crate::model::{CsObject, MvId, MvObject, State};

    fn mv(state: &mut State, id: u64) -> MvId {
        let id = MvId::new(id);
        state.metaverse.objects.insert(
            id,
            MvObject {
                id,
                object_type: "person".into(),
                attributes: Default::default(),
                links: BTreeMap::new(),
                anchored_by: BTreeSet::new(),
            },
        );
        id
    }

    /// Joins metaverse object `mv` to a new object of `connector` at `dn`.
    fn join(state: &mut State, mv: MvId, connector: &str, dn: &str) {
        let cs = state.space(connector).insert(CsObject {
            dn: dn.into(),
            ..CsObject::default()
        });
        if let Some(o) = state.metaverse.objects.get_mut(&mv) {
            o.links.insert(connector.into(), cs);
        }
    }

    #[test]
    fn a_wait_is_over_when_the_referenced_object_is_touched_exported_or_gone() {
        let mut state = State::default();
        let (group, member) = (mv(&mut state, 1), mv(&mut state, 2));
        let none = BTreeSet::new();
        // Nothing known of what it waits for: processed every time.
        assert!(wait_over(&state, group, &none));
        state
            .outbound_waits
            .insert(group, [("cloud".to_owned(), member)].into_iter().collect());
        // The member has no object in the cloud: it still waits.
        assert!(!wait_over(&state, group, &none));
        // ... unless this sync touches the member.
        assert!(wait_over(&state, group, &[member].into_iter().collect()));
        // An object in another connector changes nothing.
        join(&mut state, member, "ad", "CN=m,DC=x");
        assert!(!wait_over(&state, group, &none));
        // Provisioned into the cloud: over.
        join(&mut state, member, "cloud", "CN=m,OU=cloud");
        assert!(wait_over(&state, group, &none));
        // Gone: over too (the reference is dropped for good).
        state.metaverse.objects.remove(&member);
        state.metaverse.residency.removed.insert(member);
        assert!(wait_over(&state, group, &none));
    }
}
