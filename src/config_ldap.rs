//! `type: ldap` connectors in `sync.yaml`: an Active Directory or OpenLDAP directory.
//!
//! ```yaml
//! connectors:
//!   contoso.com:
//!     type: ldap
//!     url: ldaps://dc1.contoso.com     # or ldap:// with `start-tls: true`
//!     bind-dn: CN=svc-sync,OU=Service,DC=contoso,DC=com
//!     password-env: SYNC_AD_PASSWORD   # or `password-file: PATH`
//!     ca-file: ca.pem                  # optional; `tls-insecure: true` skips verification
//!     base: DC=contoso,DC=com
//!     containers: {include: [...], exclude: [...]}   # optional
//!     object-classes: [user, group, contact]         # optional
//!     attributes: ["*"]                # optional: the attributes read
//!     page-size: 500                   # optional
//!     range-size: 1500                 # optional: values per ranged request
//!     timeout: 30                      # optional: seconds
//!     delta: auto                      # optional: auto, dirsync, usn or syncrepl
//! ```

use std::path::PathBuf;
use std::time::Duration;

use syncrules_connectors::ldap::{DeltaMethod, LdapSettings, Secret};
use syncrules_lang::diag::Diagnostic;
use syncrules_lang::rules::yaml::Node;
use syncrules_lang::span::Span;

use crate::config_fields::{Fields, plain_null, text, whole};
use crate::config_secret::{SecretKeys, parse_source};

/// The keys of a `type: ldap` connector.
pub(crate) const LDAP_KEYS: &[&str] = &[
    "type",
    "url",
    "start-tls",
    "bind-dn",
    "password-env",
    "password-file",
    "ca-file",
    "tls-insecure",
    "base",
    "containers",
    "object-classes",
    "attributes",
    "page-size",
    "range-size",
    "timeout",
    "delta",
];

pub use crate::config_secret::{PasswordSource, SecretError};

/// The keys of the bind password.
const PASSWORD: SecretKeys = SecretKeys {
    env: "password-env",
    file: "password-file",
    what: "the password",
};

/// A `type: ldap` connector's settings as written; [`LdapConfig::settings`] reads the
/// password.
#[derive(Clone, Debug, PartialEq)]
pub struct LdapConfig {
    /// The connector's settings, the password still empty.
    pub settings: LdapSettings,
    /// Where the password comes from.
    pub password: PasswordSource,
    /// Where `password-env` / `password-file` is written.
    pub password_span: Span,
    /// Whether `attributes` was given; when not, the commands read the attributes the rules
    /// use ([`syncrules_lang::rules::Plan::connector_attributes`]) instead of every one.
    pub attributes_given: bool,
}

impl LdapConfig {
    /// The settings with the password read; the error names the key, never the secret.
    pub fn settings(&self) -> Result<LdapSettings, SecretError> {
        let password = self.password.read(PASSWORD)?;
        let mut settings = self.settings.clone();
        settings.password = Secret::new(password);
        Ok(settings)
    }
}

fn flag(key: &str, node: &Node, errors: &mut Vec<Diagnostic>) -> Option<bool> {
    match node {
        Node::Scalar(s) if s.value.trim() == "true" => Some(true),
        Node::Scalar(s) if s.value.trim() == "false" => Some(false),
        other => {
            errors.push(Diagnostic::error(
                "E0603",
                other.span(),
                format!("`{key}` must be true or false, found {}", other.kind()),
            ));
            None
        }
    }
}

fn delta(node: &Node, errors: &mut Vec<Diagnostic>) -> Option<DeltaMethod> {
    let s = text("delta", node, errors)?;
    let name = s.value.trim();
    let method = DeltaMethod::parse(name);
    if method.is_none() {
        errors.push(Diagnostic::error(
            "E0603",
            s.span,
            format!(
                "`delta` must be one of {}, found `{name}`",
                DeltaMethod::NAMES.join(", ")
            ),
        ));
    }
    method
}

fn list(key: &str, node: &Node, errors: &mut Vec<Diagnostic>) -> Option<Vec<String>> {
    match node {
        Node::Seq(items, _) => items
            .iter()
            .map(|n| text(key, n, errors).map(|s| s.value.trim().to_owned()))
            .collect(),
        Node::Scalar(s) if plain_null(s) => Some(Vec::new()),
        other => {
            errors.push(Diagnostic::error(
                "E0603",
                other.span(),
                format!(
                    "`{key}` must be a list, one value a line, found {}",
                    other.kind()
                ),
            ));
            None
        }
    }
}

fn string(f: &mut Fields<'_>, key: &str, errors: &mut Vec<Diagnostic>) -> Option<Option<String>> {
    match f.get(key) {
        Some((_, n)) => text(key, n, errors).map(|s| Some(s.value.trim().to_owned())),
        None => Some(None),
    }
}

/// Reads a `type: ldap` connector's keys from `f` (its `type` taken); errors located.
pub(crate) fn parse(
    f: &mut Fields<'_>,
    what: &str,
    at: Span,
    errors: &mut Vec<Diagnostic>,
) -> Option<LdapConfig> {
    let req = |f: &mut Fields<'_>, key: &str, errors: &mut Vec<Diagnostic>| {
        f.required(key, what, at, errors)
            .and_then(|n| text(key, n, errors))
            .map(|s| (s.value.trim().to_owned(), s.span))
    };
    let url = req(f, "url", errors);
    let bind_dn = req(f, "bind-dn", errors);
    let base = req(f, "base", errors);
    if let Some((u, span)) = &url
        && !(u.starts_with("ldap://") || u.starts_with("ldaps://"))
    {
        errors.push(Diagnostic::error(
            "E0603",
            *span,
            format!("`url` must start with ldap:// or ldaps://, found `{u}`"),
        ));
    }
    let password = parse_source(f, PASSWORD, what, at, errors);
    let start_tls = f
        .get("start-tls")
        .map_or(Some(false), |(_, n)| flag("start-tls", n, errors));
    let insecure = f
        .get("tls-insecure")
        .map_or(Some(false), |(_, n)| flag("tls-insecure", n, errors));
    let ca_file = string(f, "ca-file", errors);
    let (mut include, mut exclude) = (Some(Vec::new()), Some(Vec::new()));
    if let Some((_, n)) = f.get("containers")
        && let Some(mut c) = Fields::new(n, "`containers`", errors)
    {
        include = c
            .get("include")
            .map_or(Some(Vec::new()), |(_, n)| list("include", n, errors));
        exclude = c
            .get("exclude")
            .map_or(Some(Vec::new()), |(_, n)| list("exclude", n, errors));
        c.finish(&["include", "exclude"], "`containers`", errors);
    }
    let classes = f
        .get("object-classes")
        .map(|(_, n)| list("object-classes", n, errors));
    let attributes = f
        .get("attributes")
        .map(|(_, n)| list("attributes", n, errors));
    let page = f
        .get("page-size")
        .map(|(_, n)| whole("page-size", n, 1, errors));
    let range = f
        .get("range-size")
        .map(|(_, n)| whole("range-size", n, 1, errors));
    let timeout = f
        .get("timeout")
        .map(|(_, n)| whole("timeout", n, 1, errors));
    let method = f.get("delta").map(|(_, n)| delta(n, errors));
    let ((url, _), (bind_dn, _), (base, _)) = (url?, bind_dn?, base?);
    let (password, password_span) = password?;
    let mut s = LdapSettings::new(&url, &bind_dn, Secret::new(""), &base);
    s.start_tls = start_tls?;
    s.tls_insecure = insecure?;
    s.ca_file = ca_file?.map(PathBuf::from);
    s.include = include?;
    s.exclude = exclude?;
    if let Some(c) = classes {
        s.object_classes = c?;
    }
    let attributes_given = attributes.is_some();
    if let Some(a) = attributes {
        s.attributes = a?;
    }
    if let Some(p) = page {
        s.page_size = i32::try_from(p?).unwrap_or(i32::MAX);
    }
    if let Some(r) = range {
        s.range_size = r?;
    }
    if let Some(t) = timeout {
        s.timeout = Duration::from_secs(t? as u64);
    }
    if let Some(m) = method {
        s.delta = m?;
    }
    Some(LdapConfig {
        settings: s,
        password,
        password_span,
        attributes_given,
    })
}
