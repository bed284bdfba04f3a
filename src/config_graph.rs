//! `type: graph` connectors in `sync.yaml`: Microsoft Entra ID through Microsoft Graph.
//!
//! ```yaml
//! connectors:
//!   contoso.onmicrosoft.com:
//!     type: graph
//!     tenant: contoso.onmicrosoft.com   # or the tenant's GUID
//!     client-id: 11111111-2222-3333-4444-555555555555
//!     secret-env: SYNC_GRAPH_SECRET     # or `secret-file: PATH`; never the secret itself
//!     token-url: https://login.microsoftonline.com   # optional: the authority
//!     graph-url: https://graph.microsoft.com         # optional; http only on loopback
//!     scope: https://graph.microsoft.com/.default    # optional
//!     writes-per-second: 20            # optional: the documented per-app write limit
//!     timeout: 60                      # optional: seconds per request
//! ```
//!
//! A URL that is not https (plain http is allowed on a loopback host only) is E0608; a
//! `writes-per-second` that is not a number above 0 is E0609; a secret that cannot be read
//! when the file is loaded is E0607 at its key, naming the key, never the secret.

use std::time::Duration;

use syncrules_connectors::graph::{GraphSettings, Secret, url_allowed};
use syncrules_lang::diag::Diagnostic;
use syncrules_lang::rules::yaml::Node;
use syncrules_lang::span::Span;

use crate::config_fields::{Fields, text, whole};
use crate::config_secret::{PasswordSource, SecretError, SecretKeys, parse_source};

/// The keys of the client secret.
const SECRET: SecretKeys = SecretKeys {
    env: "secret-env",
    file: "secret-file",
    what: "the client secret",
};

/// The keys of a `type: graph` connector.
pub(crate) const GRAPH_KEYS: &[&str] = &[
    "type",
    "tenant",
    "client-id",
    "secret-env",
    "secret-file",
    "token-url",
    "graph-url",
    "scope",
    "writes-per-second",
    "timeout",
];

/// A `type: graph` connector's settings as written; [`GraphConfig::settings`] reads the
/// secret.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphConfig {
    /// The connector's settings, the secret still empty.
    pub settings: GraphSettings,
    /// Where the secret comes from (an environment variable or a file).
    pub secret: PasswordSource,
    /// Where `secret-env` / `secret-file` is written.
    pub secret_span: Span,
}

impl GraphConfig {
    /// The settings with the secret read; the error names the key, never the secret.
    pub fn settings(&self) -> Result<GraphSettings, SecretError> {
        let secret = self.secret.read(SECRET)?;
        let mut settings = self.settings.clone();
        settings.secret = Secret::new(secret);
        Ok(settings)
    }
}

fn url(f: &mut Fields<'_>, key: &str, errors: &mut Vec<Diagnostic>) -> Option<Option<String>> {
    let Some((_, n)) = f.get(key) else {
        return Some(None);
    };
    let s = text(key, n, errors)?;
    let value = s.value.trim().trim_end_matches('/').to_owned();
    if url_allowed(&value) {
        return Some(Some(value));
    }
    errors.push(
        Diagnostic::error(
            "E0608",
            s.span,
            format!(
                "`{key}` must be an https:// URL, found `{}`",
                s.value.trim()
            ),
        )
        .with_help(
            "plain http:// is allowed only on a loopback host (127.0.0.1, localhost, [::1])",
        ),
    );
    None
}

fn rate(node: &Node, errors: &mut Vec<Diagnostic>) -> Option<f64> {
    let Node::Scalar(s) = node else {
        errors.push(Diagnostic::error(
            "E0603",
            node.span(),
            format!(
                "`writes-per-second` must be a number, found {}",
                node.kind()
            ),
        ));
        return None;
    };
    match s.value.trim().parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Some(r),
        _ => {
            errors.push(
                Diagnostic::error(
                    "E0609",
                    s.span,
                    format!(
                        "`writes-per-second` must be a number above 0, found `{}`",
                        s.value
                    ),
                )
                .with_help("Graph allows an application 20 writes a second (3,000 per 150 s)"),
            );
            None
        }
    }
}

/// Reads a `type: graph` connector's keys from `f` (its `type` taken); errors located.
pub(crate) fn parse(
    f: &mut Fields<'_>,
    what: &str,
    at: Span,
    errors: &mut Vec<Diagnostic>,
) -> Option<GraphConfig> {
    let mut req = |key: &str, errors: &mut Vec<Diagnostic>| {
        f.required(key, what, at, errors)
            .and_then(|n| text(key, n, errors))
            .map(|s| s.value.trim().to_owned())
    };
    let tenant = req("tenant", errors);
    let client_id = req("client-id", errors);
    let secret = parse_source(f, SECRET, what, at, errors);
    let token_url = url(f, "token-url", errors);
    let graph_url = url(f, "graph-url", errors);
    let scope = match f.get("scope") {
        Some((_, n)) => text("scope", n, errors).map(|s| Some(s.value.trim().to_owned())),
        None => Some(None),
    };
    let writes = f.get("writes-per-second").map(|(_, n)| rate(n, errors));
    let timeout = f
        .get("timeout")
        .map(|(_, n)| whole("timeout", n, 1, errors));
    let (tenant, client_id) = (tenant?, client_id?);
    let (secret, secret_span) = secret?;
    let mut s = GraphSettings::new(&tenant, &client_id, Secret::new(""));
    if let Some(u) = token_url? {
        s.token_url = u;
    }
    if let Some(u) = graph_url? {
        s.graph_url = u;
    }
    if let Some(sc) = scope? {
        s.scope = sc;
    }
    if let Some(w) = writes {
        s.writes_per_second = w?;
    }
    if let Some(t) = timeout {
        s.timeout = Duration::from_secs(t? as u64);
    }
    Some(GraphConfig {
        settings: s,
        secret,
        secret_span,
    })
}
