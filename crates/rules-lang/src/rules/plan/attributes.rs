//! The attributes of a connector that a plan uses: what a connector has to read from its
//! directory, and no more.

use std::collections::BTreeSet;

use super::Plan;
use crate::rules::model::Direction;

impl Plan {
    /// The attributes of `connector` that the plan's (enabled) rules use: every attribute
    /// its inbound rules read (scoping clauses, join conditions, flows — every attribute
    /// slot of their groups) and every attribute its outbound rules write or join on, which
    /// an import reads back to compare. `dn` is left out: it is not an attribute.
    pub fn connector_attributes(&self, connector: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (key, group) in self.groups.iter().filter(|(k, _)| k.connector == connector) {
            let joins = group.rules.iter().flat_map(|r| r.join.iter().flatten());
            match key.direction {
                Direction::Inbound => {
                    out.extend(group.slots.attributes.iter().cloned());
                    out.extend(joins.map(|c| c.source.clone()));
                }
                Direction::Outbound => {
                    out.extend(joins.map(|c| c.target.clone()));
                    let flows = group.rules.iter().flat_map(|r| r.flows.iter());
                    out.extend(flows.map(|f| f.target.to_string()));
                }
            }
        }
        out.retain(|a| !a.eq_ignore_ascii_case("dn"));
        out
    }
}
