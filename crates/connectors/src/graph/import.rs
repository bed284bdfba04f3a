//! Imports: delta rounds of users and groups, pages followed verbatim to the configured
//! origin, entries of one object merged, then mapped to import entries; groups' owners
//! read apart ([`super::owners`]).

use indexmap::IndexMap;
use serde_json::{Map, Value as Json, json};
use syncrules_connector::{
    Change, ConnectorError, ImportBatch, ImportEntry, ImportError, ValueChange, ValueOp,
};
use syncrules_lang::Value;
use syncrules_lang::dn::Dn;

use super::GraphConnector;
use super::map::{self, Kind, Registered};

/// The watermark's prefix; the rest is JSON `{"users": deltaLink, "groups": deltaLink,
/// "extensions": [the extension properties selected]}`.
const WATERMARK: &str = "graph:1:";

/// One object as a round saw it, its entries merged.
#[derive(Default)]
struct Seen {
    props: Map<String, Json>,
    removed: bool,
    members: IndexMap<String, bool>,
    manager: Option<Option<String>>,
}

/// A round's objects in first-seen order, and its deltaLink.
struct Round {
    objects: IndexMap<String, Seen>,
    delta_link: String,
}

impl GraphConnector {
    fn origin(&self) -> String {
        let g = self.settings.graph_url.trim_end_matches('/');
        format!("{g}/")
    }

    /// One delta round from `url` until a page carries `@odata.deltaLink`.
    async fn round(&mut self, mut url: String, delta: bool) -> Result<Round, ConnectorError> {
        let client = self.client()?;
        let mut objects: IndexMap<String, Seen> = IndexMap::new();
        loop {
            let a = client
                .call("GET", &url, None)
                .await
                .map_err(|e| self.unavailable(e.to_string()))?;
            if !a.ok() {
                let code = a.code().to_ascii_lowercase();
                let expired =
                    a.status == 410 || code == "syncstatenotfound" || code == "resyncrequired";
                if delta && expired {
                    return Err(ConnectorError::WatermarkExpired {
                        connector: self.name.clone(),
                    });
                }
                return Err(self.unavailable(format!(
                    "GET {}: {}",
                    super::client::path_of(&url),
                    a.message()
                )));
            }
            for item in a.values() {
                merge(&mut objects, item);
            }
            let next = a.body.get("@odata.nextLink").and_then(Json::as_str);
            let last = a.body.get("@odata.deltaLink").and_then(Json::as_str);
            match (next, last) {
                (Some(n), _) => url = self.same_origin(n)?,
                (None, Some(d)) => {
                    return Ok(Round {
                        objects,
                        delta_link: self.same_origin(d)?,
                    });
                }
                (None, None) => {
                    return Err(ConnectorError::Data {
                        connector: self.name.clone(),
                        message: format!(
                            "GET {}: a delta page with neither nextLink nor deltaLink",
                            super::client::path_of(&url)
                        ),
                    });
                }
            }
        }
    }

    pub(crate) fn same_origin(&self, link: &str) -> Result<String, ConnectorError> {
        if link.starts_with(&self.origin()) {
            Ok(link.to_owned())
        } else {
            Err(ConnectorError::Data {
                connector: self.name.clone(),
                message: format!("a link outside `graph-url` was not followed: {link}"),
            })
        }
    }

    /// A full import (`None`) or a delta import from a watermark.
    pub(crate) async fn import(
        &mut self,
        watermark: Option<&str>,
    ) -> Result<ImportBatch, ConnectorError> {
        let exts = self.registered().await?;
        let names: Vec<String> = exts.iter().map(|e| e.full.clone()).collect();
        let links = match watermark {
            None => None,
            Some(w) => Some(self.parse_watermark(w, &names)?),
        };
        let full = links.is_none();
        let (users_url, groups_url) = match links {
            Some(l) => l,
            None => (
                format!(
                    "{}/users/delta?$select={}",
                    self.api(),
                    map::select(Kind::User, &exts)
                ),
                format!(
                    "{}/groups/delta?$select={}",
                    self.api(),
                    map::select(Kind::Group, &exts)
                ),
            ),
        };
        let users = self.round(users_url, !full).await?;
        let groups = self.round(groups_url, !full).await?;
        // Every object's DN first, so that references among them resolve without reads.
        for (kind, round) in [(Kind::User, &users), (Kind::Group, &groups)] {
            for (id, seen) in &round.objects {
                if seen.removed {
                    continue;
                }
                let anchor = seen
                    .props
                    .get(&self.anchor_prop(kind))
                    .and_then(Json::as_str);
                if seen.props.contains_key(&self.anchor_prop(kind)) || full {
                    let dn = map::dn_for(kind, anchor, id);
                    self.ids.learn(kind, &dn, id);
                }
            }
        }
        let mut entries = Vec::new();
        let mut errors = Vec::new();
        for (kind, round) in [(Kind::User, &users), (Kind::Group, &groups)] {
            for (id, seen) in &round.objects {
                match self.entry(kind, id, seen, full, &exts).await? {
                    Ok(entry) => entries.push(entry),
                    Err(error) => errors.push(error),
                }
            }
        }
        // Owners are not in delta rounds: read apart.
        self.import_owners(&mut entries, full).await?;
        let watermark =
            json!({"users": users.delta_link, "groups": groups.delta_link, "extensions": names});
        Ok(ImportBatch {
            entries,
            watermark: Some(format!("{WATERMARK}{watermark}")),
            errors,
        })
    }

    /// The deltaLinks of a watermark. A deltaLink keeps the `$select` of its first round:
    /// when extension properties were registered since, the watermark is expired so that
    /// a full import reads them.
    fn parse_watermark(
        &self,
        w: &str,
        extensions: &[String],
    ) -> Result<(String, String), ConnectorError> {
        let links = w
            .strip_prefix(WATERMARK)
            .and_then(|j| serde_json::from_str::<Json>(j).ok())
            .filter(|j| {
                let selected: Vec<&str> = j
                    .get("extensions")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Json::as_str)
                    .collect();
                extensions.iter().all(|e| selected.contains(&e.as_str()))
            })
            .and_then(|j| {
                let u = j.get("users")?.as_str()?.to_owned();
                let g = j.get("groups")?.as_str()?.to_owned();
                Some((u, g))
            });
        match links {
            Some((u, g)) if u.starts_with(&self.origin()) && g.starts_with(&self.origin()) => {
                Ok((u, g))
            }
            // Another format, or another tenant's URL: start over.
            _ => Err(ConnectorError::WatermarkExpired {
                connector: self.name.clone(),
            }),
        }
    }

    async fn entry(
        &mut self,
        kind: Kind,
        id: &str,
        seen: &Seen,
        full: bool,
        exts: &[Registered],
    ) -> Result<Result<ImportEntry, ImportError>, ConnectorError> {
        let dn = match self.ids.dn(id) {
            Some(dn) => dn.clone(),
            None => self
                .dn_of_id(id)
                .await?
                .unwrap_or_else(|| map::dn_for(kind, None, id)),
        };
        // The object's error, not the import's: the rest goes on.
        let dn = match Dn::from_string(dn) {
            Ok(dn) => dn,
            Err(e) => {
                return Ok(Err(ImportError {
                    dn: None,
                    message: format!("object `{id}`: its DN is not valid: {e}"),
                }));
            }
        };
        let mut entry = ImportEntry {
            change: if full {
                Change::Present
            } else {
                Change::Modify
            },
            dn,
            old_dn: None,
            anchor: Some(id.to_owned()),
            object_type: kind.object_type().to_owned(),
            attributes: syncrules_lang::AttrMap::default(),
            value_changes: Vec::new(),
        };
        if seen.removed {
            entry.change = Change::Delete;
            return Ok(Ok(entry));
        }
        let mut attrs = map::attributes_of(kind, &seen.props, exts);
        if let Some(m) = &seen.manager {
            let v = match m {
                Some(mid) => match self.dn_of_id(mid).await? {
                    Some(dn) => Value::Ref(dn.into()),
                    None => Value::Null,
                },
                None => Value::Null,
            };
            attrs.insert("manager".into(), v);
        }
        let mut added = Vec::new();
        let mut removed = Vec::new();
        for (mid, is_added) in &seen.members {
            let Some(dn) = self.dn_of_id(mid).await? else {
                continue;
            };
            if *is_added {
                added.push(Value::Ref(dn.into()));
            } else {
                removed.push(Value::Ref(dn.into()));
            }
        }
        if full {
            if !added.is_empty() {
                attrs.insert("member".into(), Value::Multi(added.into()));
            }
        } else {
            for (op, values) in [(ValueOp::Add, added), (ValueOp::Remove, removed)] {
                if !values.is_empty() {
                    entry.value_changes.push(ValueChange {
                        attribute: "member".into(),
                        op,
                        values,
                    });
                }
            }
        }
        entry.attributes = attrs;
        Ok(Ok(entry))
    }
}

/// Merges one delta entry into the round's objects: properties (a later page's win),
/// members' additions and removals in order, `@removed`.
fn merge(objects: &mut IndexMap<String, Seen>, item: &Json) {
    let Some(o) = item.as_object() else { return };
    let Some(id) = o.get("id").and_then(Json::as_str) else {
        return;
    };
    let seen = objects.entry(id.to_owned()).or_default();
    if o.contains_key("@removed") {
        seen.removed = true;
        return;
    }
    seen.removed = false;
    for (k, v) in o {
        match k.as_str() {
            "members@delta" => {
                for m in v.as_array().into_iter().flatten() {
                    if let Some(mid) = m.get("id").and_then(Json::as_str) {
                        seen.members
                            .insert(mid.to_owned(), m.get("@removed").is_none());
                    }
                }
            }
            "manager@delta" => {
                let first = v
                    .as_array()
                    .and_then(|a| a.iter().find(|m| m.get("@removed").is_none()))
                    .and_then(|m| m.get("id"))
                    .and_then(Json::as_str)
                    .map(str::to_owned);
                seen.manager = Some(first);
            }
            k if k.starts_with('@') || k.contains("@odata") => {}
            _ => {
                seen.props.insert(k.to_owned(), v.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_object_on_two_pages_is_merged() {
        let mut objects = IndexMap::new();
        merge(
            &mut objects,
            &json!({"id": "g", "displayName": "G", "members@delta": [{"id": "a"}, {"id": "b"}]}),
        );
        merge(
            &mut objects,
            &json!({"id": "g", "members@delta": [{"id": "c"}, {"id": "a", "@removed": {"reason": "deleted"}}]}),
        );
        merge(
            &mut objects,
            &json!({"id": "u", "@removed": {"reason": "changed"}}),
        );
        let g = &objects["g"];
        assert_eq!(g.props["displayName"], "G");
        let members: Vec<(&str, bool)> = g.members.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(members, vec![("a", false), ("b", true), ("c", true)]);
        assert!(objects["u"].removed);
    }
}
