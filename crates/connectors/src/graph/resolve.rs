//! Look-ups: the application's registered extension properties (registering the missing
//! ones), objects by a property's value (soft match, a retried create), and ids to DNs and
//! back for references the connector has not seen yet, and the members or owners a group
//! holds.

use std::collections::HashSet;

use serde_json::{Map, Value as Json, json};
use syncrules_connector::ConnectorError;

use super::GraphConnector;
use super::client::form_encode;
use super::map::{self, ExtensionSpec, Kind, Registered};

impl GraphConnector {
    fn extensions_url(&self) -> String {
        format!(
            "{}/applications(appId='{}')/extensionProperties",
            self.api(),
            self.settings.client_id
        )
    }

    /// The registered extension properties, read once.
    pub(crate) async fn registered(&mut self) -> Result<Vec<Registered>, ConnectorError> {
        if let Some(e) = &self.extensions {
            return Ok(e.clone());
        }
        let url = self.extensions_url();
        let a = self.get_ok(&url, "reading extension properties").await?;
        let prefix = map::extension_name(&self.settings.client_id, "");
        let list: Vec<Registered> = a
            .values()
            .filter_map(|e| {
                let full = e.get("name")?.as_str()?.to_owned();
                let short = full.strip_prefix(&prefix)?.to_owned();
                let data_type = e
                    .get("dataType")
                    .and_then(Json::as_str)
                    .unwrap_or("String")
                    .to_owned();
                Some(Registered {
                    full,
                    short,
                    data_type,
                })
            })
            .collect();
        self.extensions = Some(list.clone());
        Ok(list)
    }

    /// Registers the extensions in `specs` that are not registered yet.
    pub(crate) async fn register(&mut self, specs: &[ExtensionSpec]) -> Result<(), ConnectorError> {
        let known = self.registered().await?;
        let client = self.client()?;
        let mut added = Vec::new();
        for s in specs {
            if known
                .iter()
                .chain(&added)
                .any(|r: &Registered| r.short == s.name)
            {
                continue;
            }
            let body = json!({
                "name": s.name,
                "dataType": s.data_type,
                "isMultiValued": s.multi,
                "targetObjects": ["User", "Group"],
            });
            let a = client
                .call("POST", &self.extensions_url(), Some(&body))
                .await
                .map_err(|e| self.unavailable(e.to_string()))?;
            if !a.ok() {
                return Err(self.unavailable(format!(
                    "registering the extension property `{}`: {}",
                    s.name,
                    a.message()
                )));
            }
            added.push(Registered {
                full: map::extension_name(&self.settings.client_id, &s.name),
                short: s.name.clone(),
                data_type: s.data_type.to_owned(),
            });
        }
        if let Some(e) = &mut self.extensions {
            e.extend(added);
        }
        Ok(())
    }

    /// The first object of `kind` whose `prop` equals `value`, with `select`.
    pub(crate) async fn find_by(
        &mut self,
        kind: Kind,
        prop: &str,
        value: &str,
        select: &str,
    ) -> Result<Option<Map<String, Json>>, ConnectorError> {
        let filter = format!("{prop} eq '{}'", value.replace('\'', "''"));
        let url = format!(
            "{}/{}?$filter={}&$select={select}",
            self.api(),
            kind.segment(),
            form_encode(&filter)
        );
        let a = self.get_ok(&url, &format!("looking up {prop}")).await?;
        Ok(a.values().next().and_then(Json::as_object).cloned())
    }

    /// The property holding a kind's source anchor.
    pub(crate) fn anchor_prop(&self, kind: Kind) -> String {
        match kind {
            Kind::User => "onPremisesImmutableId".to_owned(),
            Kind::Group => map::extension_name(&self.settings.client_id, "sourceAnchor"),
        }
    }

    /// The object a DN names: learnt, else found by the source anchor the DN holds.
    pub(crate) async fn id_of_dn(
        &mut self,
        dn: &str,
    ) -> Result<Option<(Kind, String)>, ConnectorError> {
        if let Some(x) = self.ids.id(dn) {
            return Ok(Some(x.clone()));
        }
        if let Some(rest) = dn.strip_prefix("CN={").and_then(|r| r.strip_suffix('}'))
            && let Some((kind, id)) = rest.split_once('_')
            && let Some(kind) = [Kind::User, Kind::Group]
                .into_iter()
                .find(|k| k.title() == kind)
        {
            return Ok(Some((kind, id.to_owned())));
        }
        let Some(anchor) = map::anchor_of_dn(dn) else {
            return Ok(None);
        };
        for kind in [Kind::User, Kind::Group] {
            let prop = self.anchor_prop(kind);
            if self.registered().await?.iter().all(|r| r.full != prop) && kind == Kind::Group {
                continue;
            }
            if let Some(o) = self.find_by(kind, &prop, &anchor, "id").await?
                && let Some(id) = o.get("id").and_then(Json::as_str)
            {
                self.ids.learn(kind, dn, id);
                return Ok(Some((kind, id.to_owned())));
            }
        }
        Ok(None)
    }

    /// The DN of an object id: learnt, else read.
    pub(crate) async fn dn_of_id(&mut self, id: &str) -> Result<Option<String>, ConnectorError> {
        if let Some(dn) = self.ids.dn(id) {
            return Ok(Some(dn.clone()));
        }
        let client = self.client()?;
        for kind in [Kind::User, Kind::Group] {
            let prop = self.anchor_prop(kind);
            let url = format!("{}/{}/{id}?$select=id,{prop}", self.api(), kind.segment());
            let a = client
                .call("GET", &url, None)
                .await
                .map_err(|e| self.unavailable(e.to_string()))?;
            if a.ok() {
                let anchor = a.body.get(&prop).and_then(Json::as_str);
                let dn = map::dn_for(kind, anchor, id);
                self.ids.learn(kind, &dn, id);
                return Ok(Some(dn));
            }
        }
        Ok(None)
    }

    /// The ids of a group's `members` or `owners`, every page.
    pub(crate) async fn edges(
        &mut self,
        group: &str,
        edge: &str,
    ) -> Result<HashSet<String>, ConnectorError> {
        let mut url = format!("{}/groups/{group}/{edge}?$select=id", self.api());
        let mut out = HashSet::new();
        loop {
            let a = self.get_ok(&url, &format!("reading {edge}")).await?;
            for m in a.values() {
                if let Some(id) = m.get("id").and_then(Json::as_str) {
                    out.insert(id.to_owned());
                }
            }
            // A link elsewhere is an error, as on every other list: never a short list.
            match a.body.get("@odata.nextLink").and_then(Json::as_str) {
                Some(n) => url = self.same_origin(n)?,
                None => return Ok(out),
            }
        }
    }
}
