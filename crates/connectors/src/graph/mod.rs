//! [`GraphConnector`]: Microsoft Entra ID through Microsoft Graph, as a sync target.
//!
//! - **Auth**: OAuth2 client credentials against `{token-url}/{tenant}/oauth2/v2.0/token`
//!   (scope `https://graph.microsoft.com/.default` unless set), the token cached until
//!   shortly before it expires and fetched anew once on a 401. The secret and the token
//!   never reach a message.
//! - **Import**: a full import is the first round of `GET /v1.0/users/delta` and
//!   `/groups/delta` (every object, with `$select` of the mapped properties, the registered
//!   extensions, `manager` and `members`), following `@odata.nextLink` verbatim, only to the
//!   configured origin; the two `@odata.deltaLink`s are the watermark. A delta import GETs
//!   them: `@removed` objects are deletes (soft and hard alike), `members@delta` value
//!   changes, an object on several pages merged. A group's owners (its `managedBy`),
//!   which delta queries do not report, are read apart: all of them by a full import,
//!   those of the groups a round reports by a delta import. An expired delta token (410 Gone, or
//!   `syncStateNotFound` / `resyncRequired`) is [`ConnectorError::WatermarkExpired`]: the
//!   engine runs a full import and says so.
//! - **Export**: creates (`POST`), updates (`PATCH` of the changed properties only) and
//!   deletes of users and groups, members and owners by `/$ref`, managers by `manager/$ref`, all
//!   through `$batch` of at most 20 requests, several batches in flight, paced under
//!   `writes-per-second`; see [`export`](self) below and `docs/graph.md`.
//! - **Mapping**: [`map`]: the rules' attribute names to Graph properties and extension
//!   properties (registered on the application before their first write).

mod batch;
mod client;
mod export;
mod import;
pub mod map;
mod outcome;
mod owners;
mod refs;
mod resolve;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use syncrules_connector::{Connector, ConnectorError, ExportChange, ExportResult, ImportBatch};

pub use crate::ldap::Secret;
pub use client::BACKOFF_SCALE_ENV;
use map::{Kind, Registered};

/// The documented per-application write limit: 3,000 writes per 150 seconds.
pub const DEFAULT_WRITES_PER_SECOND: f64 = 20.0;

/// A Graph connector's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphSettings {
    /// The tenant (a domain or GUID).
    pub tenant: String,
    /// The application's client id.
    pub client_id: String,
    /// The client secret.
    pub secret: Secret,
    /// The authority (`https://login.microsoftonline.com`).
    pub token_url: String,
    /// Graph's base URL (`https://graph.microsoft.com`).
    pub graph_url: String,
    /// The token's scope.
    pub scope: String,
    /// Writes per second, at most.
    pub writes_per_second: f64,
    /// The timeout of one request.
    pub timeout: Duration,
    /// `$batch` requests in flight at once, at most.
    pub in_flight: usize,
}

impl GraphSettings {
    /// Settings with the defaults: Microsoft's authority and Graph, 20 writes a second.
    pub fn new(tenant: &str, client_id: &str, secret: Secret) -> Self {
        GraphSettings {
            tenant: tenant.to_owned(),
            client_id: client_id.to_owned(),
            secret,
            token_url: "https://login.microsoftonline.com".to_owned(),
            graph_url: "https://graph.microsoft.com".to_owned(),
            scope: "https://graph.microsoft.com/.default".to_owned(),
            writes_per_second: DEFAULT_WRITES_PER_SECOND,
            timeout: Duration::from_secs(60),
            in_flight: 4,
        }
    }

    /// Plain http is allowed: both URLs are on a loopback host.
    pub fn loopback_http(&self) -> bool {
        is_loopback(&self.token_url) && is_loopback(&self.graph_url)
    }
}

/// `url` is `https://...`, or `http://` on a loopback host.
pub fn url_allowed(url: &str) -> bool {
    url.starts_with("https://") || (url.starts_with("http://") && is_loopback(url))
}

fn is_loopback(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return false;
    };
    let host_port = rest.split('/').next().unwrap_or_default();
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|a| a.is_loopback())
}

/// Object ids by connector-space DN and back, learnt from imports and exports.
#[derive(Debug, Default)]
pub(crate) struct Ids {
    by_dn: HashMap<syncrules_lang::dn::DnKey, (Kind, String)>,
    by_id: HashMap<String, String>,
}

impl Ids {
    pub(crate) fn learn(&mut self, kind: Kind, dn: &str, id: &str) {
        self.by_dn
            .insert(syncrules_lang::dn::DnKey::new(dn), (kind, id.to_owned()));
        self.by_id.insert(id.to_owned(), dn.to_owned());
    }

    pub(crate) fn id(&self, dn: &str) -> Option<&(Kind, String)> {
        self.by_dn.get(&syncrules_lang::dn::DnKey::new(dn))
    }

    pub(crate) fn dn(&self, id: &str) -> Option<&String> {
        self.by_id.get(id)
    }
}

/// Microsoft Entra ID through Microsoft Graph; see the module documentation.
pub struct GraphConnector {
    name: String,
    settings: GraphSettings,
    client: Option<Arc<client::Client>>,
    ids: Ids,
    extensions: Option<Vec<Registered>>,
}

impl std::fmt::Debug for GraphConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphConnector")
            .field("name", &self.name)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl GraphConnector {
    /// A connector named `name`; nothing is sent until the first operation.
    pub fn new(name: impl Into<String>, settings: GraphSettings) -> Self {
        GraphConnector {
            name: name.into(),
            settings,
            client: None,
            ids: Ids::default(),
            extensions: None,
        }
    }

    fn unavailable(&self, message: impl Into<String>) -> ConnectorError {
        ConnectorError::Unavailable {
            connector: self.name.clone(),
            message: message.into(),
        }
    }

    /// A GET that must succeed: anything but a 2xx answer (after the client's retries) is
    /// the directory being unavailable, `what` naming what was read.
    async fn get_ok(&mut self, url: &str, what: &str) -> Result<client::Answer, ConnectorError> {
        let client = self.client()?;
        let a = client
            .call("GET", url, None)
            .await
            .map_err(|e| self.unavailable(e.to_string()))?;
        if a.ok() {
            Ok(a)
        } else {
            Err(self.unavailable(format!("{what}: {}", a.message())))
        }
    }

    fn client(&mut self) -> Result<Arc<client::Client>, ConnectorError> {
        if let Some(c) = &self.client {
            return Ok(Arc::clone(c));
        }
        for (key, url) in [
            ("token-url", &self.settings.token_url),
            ("graph-url", &self.settings.graph_url),
        ] {
            if !url_allowed(url) {
                return Err(self.unavailable(format!(
                    "`{key}` must be https:// (http:// only on a loopback host): `{url}`"
                )));
            }
        }
        let c = Arc::new(
            client::Client::new(self.settings.clone())
                .map_err(|e| self.unavailable(e.to_string()))?,
        );
        self.client = Some(Arc::clone(&c));
        Ok(c)
    }

    /// `{graph-url}/v1.0`.
    fn api(&self) -> String {
        format!("{}/v1.0", self.settings.graph_url.trim_end_matches('/'))
    }
}

#[async_trait::async_trait]
impl Connector for GraphConnector {
    fn name(&self) -> &str {
        &self.name
    }

    /// Entra ID's unique values (AttributeValueMustBeUnique).
    fn unique_attributes(&self) -> Vec<String> {
        vec!["userPrincipalName".to_owned(), "proxyAddresses".to_owned()]
    }

    async fn full_import(&mut self) -> Result<ImportBatch, ConnectorError> {
        self.import(None).await
    }

    async fn delta_import(&mut self, watermark: &str) -> Result<ImportBatch, ConnectorError> {
        self.import(Some(watermark)).await
    }

    /// Large batches: every batch ends waiting for its last throttled writes (their
    /// `Retry-After`), so fewer batches keep the write rate up. A killed run's changes in
    /// doubt are found again by the import or by a create that meets its own object.
    fn export_batch(&self) -> usize {
        20_000
    }

    async fn export(
        &mut self,
        changes: &[ExportChange],
    ) -> Result<Vec<ExportResult>, ConnectorError> {
        self.export_changes(changes).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback() {
        assert!(url_allowed("https://graph.microsoft.com"));
        assert!(url_allowed("http://127.0.0.1:8845"));
        assert!(url_allowed("http://localhost/x"));
        assert!(url_allowed("http://[::1]:80"));
        assert!(!url_allowed("http://graph.microsoft.com"));
        assert!(!url_allowed("http://10.0.0.1"));
        assert!(!url_allowed("ftp://127.0.0.1"));
    }

    #[test]
    fn settings_never_print_the_secret() {
        let s = GraphSettings::new("t", "c", Secret::new("hunter2-secret"));
        let c = GraphConnector::new("entra", s);
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
