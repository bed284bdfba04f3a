//! The LDAP connector: Active Directory (and Samba AD DC) or OpenLDAP over `ldap3`.
//!
//! - `connect`: `ldap://`, `ldaps://` or StartTLS, certificates verified against a
//!   `ca-file` or the system roots, simple bind with a [`Secret`] password;
//! - `search`: paged searches (RFC 2696), ranged retrieval (`member;range=0-1499`),
//!   referrals skipped, entries typed by the LDIF connector's [`AttributeTyping`];
//! - `delta`: which delta method the directory offers, and the watermarks:
//!   - `dirsync`: AD delta imports by the DirSync control (cookie as watermark, membership
//!     changes as value-level changes, deletes by `isDeleted`);
//!   - `usn`: AD delta imports by `uSNChanged` when DirSync is not offered or refused
//!     (deleted objects by the Show Deleted control);
//!   - `syncrepl`: OpenLDAP delta imports by RFC 4533 content sync (refreshOnly, cookie);
//! - `export`: add, modify, delete and rename, each change's failure its own;
//! - [`escape`]: RFC 4515 filter values and RFC 4514 DN values.
//!
//! Objects are kept to `containers.include` minus `containers.exclude` (DN suffixes); the
//! anchor is `objectGUID` (base64) on AD, `entryUUID` on OpenLDAP.

mod connect;
mod delta;
mod dirsync;
pub mod escape;
mod export;
mod search;
mod secret;
mod syncrepl;
mod usn;

use std::path::PathBuf;
use std::time::Duration;

use ldap3::Scope;
use syncrules_connector::{
    Change, Connector, ConnectorError, ExportChange, ExportResult, ImportBatch, ImportEntry,
    ImportError,
};

pub use secret::Secret;

use crate::ldif::dn::dn_key;
use crate::ldif::{AttributeTyping, entry_from_record};
use search::Found;

/// The object classes read unless configured.
pub const DEFAULT_OBJECT_CLASSES: &[&str] =
    &["user", "group", "contact", "inetOrgPerson", "groupOfNames"];

/// How delta imports learn what changed (`delta` in sync.yaml).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeltaMethod {
    /// DirSync when offered and allowed, else RFC 4533 content sync when offered, else
    /// `uSNChanged` on AD; else none (each delta run is a full import).
    #[default]
    Auto,
    /// Active Directory's DirSync control only.
    DirSync,
    /// Active Directory's `uSNChanged` (with the Show Deleted control for deletes) only.
    Usn,
    /// RFC 4533 content sync (OpenLDAP's syncprov) only.
    ContentSync,
}

impl DeltaMethod {
    /// The method named `name` as written in sync.yaml (`auto`, `dirsync`, `usn`,
    /// `syncrepl`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "auto" => Some(DeltaMethod::Auto),
            "dirsync" => Some(DeltaMethod::DirSync),
            "usn" => Some(DeltaMethod::Usn),
            "syncrepl" => Some(DeltaMethod::ContentSync),
            _ => None,
        }
    }

    /// The names [`DeltaMethod::parse`] takes.
    pub const NAMES: &'static [&'static str] = &["auto", "dirsync", "usn", "syncrepl"];

    /// Whether a connector set to this method may use `method` (`auto` may use any).
    pub fn allows(self, method: DeltaMethod) -> bool {
        self == DeltaMethod::Auto || self == method
    }
}

/// The settings of an LDAP connector (`type: ldap` in sync.yaml).
#[derive(Clone, Debug, PartialEq)]
pub struct LdapSettings {
    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    pub url: String,
    /// StartTLS on an `ldap://` URL.
    pub start_tls: bool,
    /// The account bound as.
    pub bind_dn: String,
    /// Its password.
    pub password: Secret,
    /// PEM file of the certificates trusted for TLS (else the system roots).
    pub ca_file: Option<PathBuf>,
    /// Skip certificate verification (tests only).
    pub tls_insecure: bool,
    /// The naming context searched.
    pub base: String,
    /// Containers in scope (DNs; empty: all of `base`).
    pub include: Vec<String>,
    /// Containers out of scope inside the included ones.
    pub exclude: Vec<String>,
    /// Object classes read (any of them).
    pub object_classes: Vec<String>,
    /// Attributes read (`*` for all user attributes); anchors and `objectClass` are added.
    pub attributes: Vec<String>,
    /// Multi-valued attributes asked for by range (`member`).
    pub ranged: Vec<String>,
    /// Entries per page.
    pub page_size: i32,
    /// Values per range request (AD's cap is 1500).
    pub range_size: usize,
    /// Timeout of a connection and of each operation.
    pub timeout: Duration,
    /// How delta imports learn what changed.
    pub delta: DeltaMethod,
}

impl LdapSettings {
    /// Settings with the defaults: every attribute, the default object classes, pages of
    /// 500, ranges of 1500 values of `member`, 30 s timeouts, the delta method chosen by
    /// what the directory offers.
    pub fn new(url: &str, bind_dn: &str, password: Secret, base: &str) -> Self {
        LdapSettings {
            url: url.to_owned(),
            start_tls: false,
            bind_dn: bind_dn.to_owned(),
            password,
            ca_file: None,
            tls_insecure: false,
            base: base.to_owned(),
            include: Vec::new(),
            exclude: Vec::new(),
            object_classes: DEFAULT_OBJECT_CLASSES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            attributes: vec!["*".to_owned()],
            ranged: vec!["member".to_owned()],
            page_size: 500,
            range_size: 1500,
            timeout: Duration::from_secs(30),
            delta: DeltaMethod::Auto,
        }
    }

    /// Whether `dn` is in scope: under `base` and an included container, and under no
    /// excluded one.
    pub fn in_scope(&self, dn: &str) -> bool {
        let key = dn_key(dn);
        let under = |container: &str| {
            let c = dn_key(container);
            key.strip_suffix(c.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.ends_with(','))
        };
        under(&self.base)
            && (self.include.is_empty() || self.include.iter().any(|c| under(c)))
            && !self.exclude.iter().any(|c| under(c))
    }

    /// The search filter: any of the object classes, each value escaped.
    pub fn filter(&self) -> String {
        match self.object_classes.as_slice() {
            [] => "(objectClass=*)".to_owned(),
            [one] => escape::equality("objectClass", one),
            many => {
                let parts: String = many
                    .iter()
                    .map(|c| escape::equality("objectClass", c))
                    .collect();
                format!("(|{parts})")
            }
        }
    }

    /// The attributes asked for: the configured ones, anchors and `objectClass`, and each
    /// ranged attribute's first range.
    fn requested(&self) -> Vec<String> {
        let mut out = self.attributes.clone();
        for a in ["objectClass", "objectGUID", "entryUUID"] {
            if !out.iter().any(|x| x.eq_ignore_ascii_case(a)) {
                out.push(a.to_owned());
            }
        }
        for r in &self.ranged {
            out.push(format!("{r};range=0-{}", self.range_size.max(1) - 1));
        }
        out
    }
}

/// Why an LDAP operation failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LdapFailure {
    /// The server cannot be reached, or is busy or unavailable.
    #[error("{0}")]
    Unavailable(String),
    /// The bind was refused.
    #[error("{0}")]
    Bind(String),
    /// The settings are wrong (a bad ca-file).
    #[error("{0}")]
    Config(String),
    /// An operation's result code.
    #[error("`{dn}`: result code {rc} {text}")]
    Result {
        /// The result code.
        rc: u32,
        /// The server's message.
        text: String,
        /// The object.
        dn: String,
    },
}

impl LdapFailure {
    fn from_result(rc: u32, text: &str, dn: &str) -> Self {
        match rc {
            51 | 52 => {
                LdapFailure::Unavailable(format!("`{dn}`: result code {rc} {}", text.trim()))
            }
            _ => LdapFailure::Result {
                rc,
                text: text.trim().to_owned(),
                dn: dn.to_owned(),
            },
        }
    }
}

/// A connector over an LDAP directory. See the [module](self) documentation.
#[derive(Debug)]
pub struct LdapConnector {
    name: String,
    settings: LdapSettings,
    typing: AttributeTyping,
    range_requests: usize,
}

impl LdapConnector {
    /// A connector named `name`, typed as Active Directory.
    pub fn new(name: impl Into<String>, settings: LdapSettings) -> Self {
        LdapConnector {
            name: name.into(),
            settings,
            typing: AttributeTyping::active_directory(),
            range_requests: 0,
        }
    }

    /// The settings.
    pub fn settings(&self) -> &LdapSettings {
        &self.settings
    }

    /// Range requests sent after the first range of an attribute, since created.
    pub fn range_requests(&self) -> usize {
        self.range_requests
    }

    fn error(&self, failure: LdapFailure) -> ConnectorError {
        match failure {
            LdapFailure::Unavailable(message) => ConnectorError::Unavailable {
                connector: self.name.clone(),
                message,
            },
            other => ConnectorError::Data {
                connector: self.name.clone(),
                message: other.to_string(),
            },
        }
    }

    /// The bases searched: each included container, else `base`.
    fn bases(&self) -> Vec<String> {
        if self.settings.include.is_empty() {
            vec![self.settings.base.clone()]
        } else {
            self.settings.include.clone()
        }
    }

    /// An entry read, typed; `None` out of scope.
    fn typed(&self, found: &Found, change: Change) -> Option<Result<ImportEntry, ImportError>> {
        if !self.settings.in_scope(&found.dn) {
            return None;
        }
        Some(
            entry_from_record(&found.record(), &self.typing)
                .map(|mut e| {
                    e.change = change;
                    e
                })
                .map_err(|e| ImportError {
                    dn: Some(found.dn.clone()),
                    message: format!("`{}`: {}", found.dn, e.message),
                }),
        )
    }

    /// Types `found` as `change` into `batch` (an entry, or that object's error); false when
    /// it is out of scope and nothing was added.
    pub(crate) fn push_typed(
        &self,
        found: &Found,
        change: Change,
        batch: &mut ImportBatch,
    ) -> bool {
        match self.typed(found, change) {
            Some(Ok(e)) => batch.entries.push(e),
            Some(Err(e)) => batch.errors.push(e),
            None => return false,
        }
        true
    }

    /// A paged search below `base` for the attributes read, its ranged retrievals counted.
    pub(crate) async fn search_requested(
        &mut self,
        ldap: &mut ldap3::Ldap,
        base: &str,
        scope: Scope,
        filter: &str,
    ) -> Result<Vec<Found>, LdapFailure> {
        let mut ranges = 0;
        let found = search::paged_search(
            ldap,
            base,
            scope,
            filter,
            &self.settings.requested(),
            self.settings.page_size,
            self.settings.range_size,
            &mut ranges,
        )
        .await?;
        self.range_requests += ranges;
        Ok(found)
    }

    async fn read_all(&mut self) -> Result<ImportBatch, LdapFailure> {
        let mut ldap = connect::connect(&self.settings).await?;
        let watermark = delta::start_watermark(&mut ldap, &self.settings).await?;
        let mut batch = ImportBatch {
            watermark,
            ..ImportBatch::default()
        };
        let filter = self.settings.filter();
        let mut seen = std::collections::HashSet::new();
        for base in self.bases() {
            let found = self
                .search_requested(&mut ldap, &base, Scope::Subtree, &filter)
                .await?;
            for f in found {
                if seen.insert(dn_key(&f.dn)) {
                    self.push_typed(&f, Change::Present, &mut batch);
                }
            }
        }
        let _ = ldap.unbind().await;
        Ok(batch)
    }
}

#[async_trait::async_trait]
impl Connector for LdapConnector {
    fn name(&self) -> &str {
        &self.name
    }

    async fn full_import(&mut self) -> Result<ImportBatch, ConnectorError> {
        self.read_all().await.map_err(|e| self.error(e))
    }

    async fn delta_import(&mut self, watermark: &str) -> Result<ImportBatch, ConnectorError> {
        match self.read_changes(watermark).await {
            Ok(Some(batch)) => Ok(batch),
            Ok(None) => Err(ConnectorError::WatermarkExpired {
                connector: self.name.clone(),
            }),
            Err(e) => Err(self.error(e)),
        }
    }

    async fn export(
        &mut self,
        changes: &[ExportChange],
    ) -> Result<Vec<ExportResult>, ConnectorError> {
        export::export(&self.settings, changes)
            .await
            .map_err(|e| self.error(e))
    }
}
