//! A group's owners, imported as its `managedBy`. Delta queries do not report owners, so
//! an import reads them apart: a full import from the group list with `$expand=owners`
//! (a group showing as many owners as `$expand` gives at most is read in full from
//! `/groups/{id}/owners`), a delta import from `/groups/{id}/owners` of each group the
//! round reports (from the list too when the round reports more than 100 groups).

use std::collections::HashMap;

use serde_json::Value as Json;
use syncrules_connector::{Change, ConnectorError, ImportEntry};
use syncrules_lang::Value;

use super::GraphConnector;
use super::map::Kind;

/// The most objects Graph's `$expand` gives of a directory object's relationship.
const EXPAND_MAX: usize = 20;

/// A delta round reporting more groups than this reads owners from the group list (a
/// page of up to 100 groups a request) rather than one request a group.
const LIST_ABOVE: usize = 100;

impl GraphConnector {
    /// Every group's owners' ids, from the group list with `$expand=owners`.
    async fn all_owners(&mut self) -> Result<HashMap<String, Vec<String>>, ConnectorError> {
        let mut url = format!(
            "{}/groups?$select=id&$expand=owners($select=id)",
            self.api()
        );
        let mut out = HashMap::new();
        let mut truncated = Vec::new();
        loop {
            let a = self.get_ok(&url, "reading owners").await?;
            for g in a.values() {
                let Some(id) = g.get("id").and_then(Json::as_str) else {
                    continue;
                };
                let owners: Vec<String> = g
                    .get("owners")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|o| o.get("id").and_then(Json::as_str).map(str::to_owned))
                    .collect();
                if owners.len() >= EXPAND_MAX {
                    truncated.push(id.to_owned());
                }
                out.insert(id.to_owned(), owners);
            }
            match a.body.get("@odata.nextLink").and_then(Json::as_str) {
                Some(n) => url = self.same_origin(n)?,
                None => break,
            }
        }
        for id in truncated {
            let all = self.edges(&id, "owners").await?;
            out.insert(id, all.into_iter().collect());
        }
        Ok(out)
    }

    /// Sets the `managedBy` of the groups among `entries` (their anchors are Graph ids):
    /// every group's for a full import (a group without owners has none), those of the
    /// groups a delta round reported for a delta import (a null removes it).
    pub(crate) async fn import_owners(
        &mut self,
        entries: &mut [ImportEntry],
        full: bool,
    ) -> Result<(), ConnectorError> {
        let groups = |e: &&mut ImportEntry| {
            e.object_type == Kind::Group.object_type() && e.change != Change::Delete
        };
        let count = entries.iter_mut().filter(groups).count();
        if count == 0 {
            return Ok(());
        }
        let listed = full || count > LIST_ABOVE;
        let mut owners = if listed {
            self.all_owners().await?
        } else {
            HashMap::new()
        };
        for e in entries.iter_mut().filter(groups) {
            let Some(id) = e.anchor.clone() else {
                continue;
            };
            let ids = match owners.remove(&id) {
                Some(ids) => ids,
                None if listed => Vec::new(),
                None => self.edges(&id, "owners").await?.into_iter().collect(),
            };
            let mut dns = Vec::new();
            for o in ids {
                if let Some(dn) = self.dn_of_id(&o).await? {
                    dns.push(Value::Ref(dn.into()));
                }
            }
            dns.sort_by_key(|v| v.to_string());
            let value = match dns.len() {
                0 => Value::Null,
                1 => dns.swap_remove(0),
                _ => Value::Multi(dns.into()),
            };
            if !(full && value.is_null()) {
                e.attributes.insert("managedBy".into(), value);
            }
        }
        Ok(())
    }
}
