//! Real directories for the LDAP tests: the Samba AD DC (one per host, started once by
//! `scripts/ldap/start-ad.sh` under its lock, or reused when `.ci/run` started it) and a
//! fresh OpenLDAP slapd per test binary (own port and folder, stopped by PID on drop).
//! A server that cannot be started fails the test with the script's message: never a skip.

#![allow(dead_code, reason = "each test binary uses part of the harness")]
#![allow(clippy::expect_used, clippy::panic, reason = "test harness")]

pub mod ad_seed;

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use syncrules_connector::ImportEntry;

/// The scripts folder of the repository.
pub fn scripts() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .map(|d| d.join("scripts/ldap"))
        .find(|d| d.is_dir())
        .unwrap_or_else(|| panic!("no scripts/ldap above {}", here.display()))
}

fn run_script(script: &str, env: &[(&str, String)]) -> HashMap<String, String> {
    let out = Command::new("bash")
        .arg(scripts().join(script))
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
    assert!(
        out.status.success(),
        "{script} could not start the server (install the packages as .ci/run does):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// A directory server's coordinates.
#[derive(Clone, Debug)]
pub struct Server {
    /// `ldap://127.0.0.1:PORT`.
    pub url: String,
    /// `ldaps://...` when offered.
    pub ldaps: Option<String>,
    /// The naming context.
    pub base: String,
    /// The admin DN.
    pub bind_dn: String,
    /// Its password.
    pub password: String,
    /// The CA certificate of its TLS certificate.
    pub ca: Option<PathBuf>,
    /// The PID to stop (slapd only; the DC is shared).
    pub pid: Option<u32>,
}

/// The Samba AD DC, started once per host.
pub fn ad() -> &'static Server {
    static AD: OnceLock<Server> = OnceLock::new();
    AD.get_or_init(|| {
        let kv = run_script("start-ad.sh", &[]);
        let get = |k: &str| {
            kv.get(k)
                .cloned()
                .unwrap_or_else(|| panic!("start-ad.sh printed no {k}"))
        };
        Server {
            url: get("AD_LDAP_URL"),
            ldaps: Some(get("AD_LDAPS_URL")),
            base: get("AD_BASE_DN"),
            bind_dn: get("AD_BIND_DN"),
            password: get("AD_BIND_PASSWORD"),
            ca: Some(PathBuf::from(get("AD_CA_CERT"))),
            pid: None,
        }
    })
}

/// A slapd of this test binary, stopped when dropped.
pub struct Slapd {
    /// Its coordinates.
    pub server: Server,
    _dir: tempfile::TempDir,
}

impl Drop for Slapd {
    fn drop(&mut self) {
        if let Some(pid) = self.server.pid {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

/// Starts a fresh slapd on a free port.
pub fn slapd() -> Slapd {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let kv = run_script(
        "start-slapd.sh",
        &[
            ("LDAP_DIR", dir.path().display().to_string()),
            ("LDAP_PORT", port.to_string()),
        ],
    );
    let get = |k: &str| {
        kv.get(k)
            .cloned()
            .unwrap_or_else(|| panic!("start-slapd.sh printed no {k}"))
    };
    Slapd {
        server: Server {
            url: get("LDAP_URL"),
            ldaps: None,
            base: get("LDAP_BASE_DN"),
            bind_dn: get("LDAP_BIND_DN"),
            password: get("LDAP_BIND_PASSWORD"),
            ca: None,
            pid: get("LDAP_PID").parse().ok(),
        },
        _dir: dir,
    }
}

/// Runs `ldapadd`/`ldapmodify`-like `tool` with `ldif` on stdin; panics with its output.
pub fn ldap_tool(server: &Server, tool: &str, ldif: &str) {
    let mut child = Command::new(tool)
        .args([
            "-x",
            "-H",
            &server.url,
            "-D",
            &server.bind_dn,
            "-w",
            &server.password,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {tool}: {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(ldif.as_bytes())
        .expect("write ldif");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{tool} failed: {}\n{ldif}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Applies change records (`ldapmodify`, which also takes `changetype: add`).
pub fn modify(server: &Server, ldif: &str) {
    ldap_tool(server, "ldapmodify", ldif);
}

/// The DNs `ldapsearch` finds under `base` for `filter`.
pub fn search_dns(server: &Server, base: &str, filter: &str) -> Vec<String> {
    let out = Command::new("ldapsearch")
        .args([
            "-LLL",
            "-o",
            "ldif-wrap=no",
            "-x",
            "-H",
            &server.url,
            "-D",
            &server.bind_dn,
        ])
        .args(["-w", &server.password, "-b", base, filter, "1.1"])
        .output()
        .expect("ldapsearch");
    assert!(
        out.status.success(),
        "ldapsearch: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("dn: "))
        .map(str::to_owned)
        .collect()
}

/// One attribute's values as `ldapsearch` prints them (base64 ones as written).
pub fn values(server: &Server, dn: &str, attr: &str) -> Vec<String> {
    let out = Command::new("ldapsearch")
        .args([
            "-LLL",
            "-o",
            "ldif-wrap=no",
            "-x",
            "-H",
            &server.url,
            "-D",
            &server.bind_dn,
        ])
        .args([
            "-w",
            &server.password,
            "-b",
            dn,
            "-s",
            "base",
            "(objectClass=*)",
            attr,
        ])
        .output()
        .expect("ldapsearch");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(attr)
                .then(|| v.trim_start_matches(':').trim().to_owned())
        })
        .collect()
}

/// A fresh OU under `parent` for one test (its own name, so tests sharing the DC do not
/// see each other's objects); `ou_attr` is `OU` on AD and `ou` on OpenLDAP.
pub fn fresh_ou(server: &Server, parent: &str, label: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!(
        "{label}-{}-{}-{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let dn = format!("OU={name},{parent}");
    modify(
        server,
        &format!("dn: {dn}\nchangetype: add\nobjectClass: organizationalUnit\nou: {name}\n"),
    );
    dn
}

/// The entries with this anchor.
pub fn anchored<'a>(entries: &'a [ImportEntry], anchor: &Option<String>) -> Vec<&'a ImportEntry> {
    entries.iter().filter(|e| &e.anchor == anchor).collect()
}
