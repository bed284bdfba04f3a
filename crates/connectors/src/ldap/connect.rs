//! Connecting and binding: `ldap://`, `ldaps://` or StartTLS, certificates verified against
//! a `ca-file` or the system roots (or not at all with `tls-insecure`), retried with backoff.

use std::sync::Arc;
use std::time::Duration;

use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, LdapError};
use rustls::RootCertStore;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;

use super::{LdapFailure, LdapSettings};

/// Connection attempts before the directory counts as unavailable.
pub(crate) const ATTEMPTS: u32 = 3;

/// The delay after failed attempt `n` (from 1): 500 ms, 1 s, 2 s...
pub(crate) fn backoff(n: u32) -> Duration {
    Duration::from_millis(250u64 << n.min(6))
}

/// The rustls configuration: the `ca-file`'s certificates, or the system roots when none.
fn tls_config(settings: &LdapSettings) -> Result<Arc<rustls::ClientConfig>, LdapFailure> {
    let mut roots = RootCertStore::empty();
    match &settings.ca_file {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| LdapFailure::Config(format!("ca-file {}: {e}", path.display())))?;
            if certs.is_empty() {
                return Err(LdapFailure::Config(format!(
                    "ca-file {}: no certificate in it",
                    path.display()
                )));
            }
            for cert in certs {
                roots
                    .add(cert)
                    .map_err(|e| LdapFailure::Config(format!("ca-file {}: {e}", path.display())))?;
            }
        }
        None => {
            let native = rustls_native_roots();
            roots.add_parsable_certificates(native);
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| LdapFailure::Config(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The system's trusted roots (the Debian bundle), empty when unreadable.
fn rustls_native_roots() -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter("/etc/ssl/certs/ca-certificates.crt")
        .map(|it| it.filter_map(Result::ok).collect())
        .unwrap_or_default()
}

/// A connection, bound as the configured account. Network errors and busy or unavailable
/// servers are retried [`ATTEMPTS`] times with [`backoff`]; a refused bind is not retried.
pub(crate) async fn connect(settings: &LdapSettings) -> Result<Ldap, LdapFailure> {
    let mut last = String::new();
    for attempt in 1..=ATTEMPTS {
        match connect_once(settings).await {
            Ok(ldap) => return Ok(ldap),
            Err(LdapFailure::Unavailable(m)) => last = m,
            Err(other) => return Err(other),
        }
        if attempt < ATTEMPTS {
            tokio::time::sleep(backoff(attempt)).await;
        }
    }
    Err(LdapFailure::Unavailable(format!(
        "{}: {last} (after {ATTEMPTS} attempts)",
        settings.url
    )))
}

async fn connect_once(settings: &LdapSettings) -> Result<Ldap, LdapFailure> {
    let mut conn = LdapConnSettings::new()
        .set_conn_timeout(settings.timeout)
        .set_starttls(settings.start_tls);
    if settings.tls_insecure {
        conn = conn.set_no_tls_verify(true);
    } else if settings.url.starts_with("ldaps://") || settings.start_tls {
        conn = conn.set_config(tls_config(settings)?);
    }
    let (driver, mut ldap) = LdapConnAsync::with_settings(conn, &settings.url)
        .await
        .map_err(|e| unavailable(&e))?;
    ldap3::drive!(driver);
    ldap.with_timeout(settings.timeout);
    let result = ldap
        .simple_bind(&settings.bind_dn, settings.password.expose())
        .await
        .map_err(|e| unavailable(&e))?;
    match result.rc {
        0 => Ok(ldap),
        51 | 52 => Err(LdapFailure::Unavailable(format!(
            "bind: result code {}",
            result.rc
        ))),
        rc => Err(LdapFailure::Bind(format!(
            "bind as `{}` refused: result code {rc} {}",
            settings.bind_dn,
            result.text.trim()
        ))),
    }
}

/// A transport-level error as a message (ldap3's errors never hold the password).
pub(crate) fn unavailable(e: &LdapError) -> LdapFailure {
    LdapFailure::Unavailable(e.to_string())
}
