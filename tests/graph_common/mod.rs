//! Shared by the Graph end-to-end tests: a temporary `sync.yaml` of the Contoso sample AD
//! and the default rules, with the Entra connector pointed at a Graph double on loopback;
//! the `syncrules` binary run over it; the double's directory read back in a form two runs
//! can be compared by.

#![allow(dead_code, reason = "each test binary uses a part of the helpers")]
#![expect(clippy::panic, reason = "test setup fails loudly")]
#![allow(
    clippy::indexing_slicing,
    reason = "JSON reports read by key (a missing key is null); not every test binary uses them"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use syncrules_graph_double::{Config, GraphDouble, LogEntry, Object};

/// The Entra connector's name.
pub const ENTRA: &str = "contoso.onmicrosoft.com";

/// The client secret the tests use.
pub const SECRET: &str = "s3cr3t-graph-e2e-value";
/// The client id.
pub const CLIENT_ID: &str = "11111111-2222-3333-4444-555555555555";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A double for the tests: small pages (paging always exercised), shuffled batches.
pub fn double(write_limit: Option<f64>) -> GraphDouble {
    let config = Config {
        client_id: CLIENT_ID.into(),
        client_secret: SECRET.into(),
        page_size: 40,
        members_per_entry: 7,
        write_limit,
        ..Config::default()
    };
    match GraphDouble::start(config) {
        Ok(d) => d,
        Err(e) => panic!("cannot start the Graph double: {e}"),
    }
}

/// A temporary sync folder: the sample LDIF (copied: the run writes its delta file
/// beside it), the secret in a file, and a `sync.yaml` naming the double.
pub struct Setup {
    pub dir: tempfile::TempDir,
}

impl Setup {
    pub fn new(double: &GraphDouble, writes_per_second: u32) -> Setup {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("no temp dir: {e}"),
        };
        let ldif = root().join("examples/contoso/contoso.ldif");
        std::fs::copy(&ldif, dir.path().join("contoso.ldif")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("secret.txt"), SECRET).unwrap_or_else(|e| panic!("{e}"));
        let yaml = format!(
            "rules: {rules}\nstate: state\nconnectors:\n  contoso.com:\n    type: ldif\n    path: contoso.ldif\n    delta: contoso-delta.ldif\n  contoso.onmicrosoft.com:\n    type: graph\n    tenant: contoso.onmicrosoft.com\n    client-id: {CLIENT_ID}\n    secret-file: secret.txt\n    token-url: {url}\n    graph-url: {url}\n    writes-per-second: {writes_per_second}\n",
            rules = root().join("rules").display(),
            url = double.base_url(),
        );
        std::fs::write(dir.path().join("sync.yaml"), yaml).unwrap_or_else(|e| panic!("{e}"));
        Setup { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_syncrules"));
        c.args(args)
            .arg("--config")
            .arg(self.path().join("sync.yaml"))
            // Test-only: backoff without Retry-After shrunk a hundredfold.
            .env("SYNCRULES_GRAPH_BACKOFF_SCALE", "0.01");
        c
    }

    /// Runs `syncrules run` (initial or delta); its output, stdout and stderr as text.
    pub fn run(&self, cycle: &str) -> (Output, String) {
        let out = self
            .command(&["run", "--cycle", cycle, "--format", "json"])
            .output()
            .unwrap_or_else(|e| panic!("cannot run syncrules: {e}"));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out, text)
    }

    /// Appends change records to the source's delta LDIF.
    pub fn append_ldif(&self, records: &str) {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path().join("contoso-delta.ldif"))
            .unwrap_or_else(|e| panic!("{e}"));
        f.write_all(records.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// The steps of a `run --format json` report.
pub fn steps(text: &str) -> Vec<Value> {
    let line = text
        .lines()
        .find(|l| l.starts_with("{\"steps\""))
        .unwrap_or("{}");
    serde_json::from_str::<Value>(line)
        .ok()
        .and_then(|v| v.get("steps").and_then(Value::as_array).cloned())
        .unwrap_or_default()
}

/// The report of one step of a connector.
pub fn step<'a>(steps: &'a [Value], name: &str, connector: &str) -> Option<&'a Value> {
    steps
        .iter()
        .find(|s| s["step"] == name && s["connector"] == connector)
}

/// The writes a log holds (no token requests, no `$batch` envelopes).
pub fn writes(log: &[LogEntry]) -> Vec<&LogEntry> {
    log.iter().filter(|e| e.is_write()).collect()
}

/// The name of a group's source-anchor extension.
pub fn anchor_extension() -> String {
    format!("extension_{}_sourceAnchor", CLIENT_ID.replace('-', ""))
}

/// A directory keyed by source anchor instead of ids: each object's properties, members
/// manager and owners by anchor. Two runs that made the same directory give the same picture.
pub fn picture(
    double: &GraphDouble,
) -> BTreeMap<String, (BTreeMap<String, Value>, BTreeSet<String>)> {
    let users = double.users();
    let groups = double.groups();
    let all: Vec<&Object> = users.iter().chain(&groups).collect();
    let ext = anchor_extension();
    let anchor = |o: &Object| -> String {
        o.props
            .get("onPremisesImmutableId")
            .or_else(|| o.props.get(&ext))
            .and_then(Value::as_str)
            .map_or_else(|| format!("cloud:{}", o.id), str::to_owned)
    };
    let by_id: BTreeMap<&str, String> = all.iter().map(|o| (o.id.as_str(), anchor(o))).collect();
    all.iter()
        .map(|o| {
            let props: BTreeMap<String, Value> = o
                .props
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let mut edges: BTreeSet<String> = o
                .members
                .iter()
                .filter_map(|m| by_id.get(m.as_str()).map(|a| format!("member:{a}")))
                .collect();
            if let Some(m) = o.manager.as_deref().and_then(|m| by_id.get(m)) {
                edges.insert(format!("manager:{m}"));
            }
            edges.extend(
                o.owners
                    .iter()
                    .filter_map(|m| by_id.get(m.as_str()).map(|a| format!("owner:{a}"))),
            );
            (anchor(o), (props, edges))
        })
        .collect()
}

/// The adds `preview` plans for Entra: (object type, attributes as JSON arrays).
pub fn planned_adds(setup: &Setup) -> Vec<(String, BTreeMap<String, Vec<Value>>)> {
    let out = setup
        .command(&["preview", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    report["exports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["connector"] == ENTRA && e["operation"] == "add")
        .map(|e| {
            let dn = e["dn"].as_str().unwrap_or_default();
            let kind = if e["attributes"].get("accountEnabled").is_some() {
                "user"
            } else {
                "group"
            };
            let attrs = e["attributes"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.as_array().cloned().unwrap_or_default()))
                .chain([("dn".to_owned(), vec![Value::String(dn.to_owned())])])
                .collect();
            (kind.to_owned(), attrs)
        })
        .collect()
}

pub fn first(attrs: &BTreeMap<String, Vec<Value>>, name: &str) -> Option<String> {
    attrs.get(name).and_then(|v| v.first()).and_then(|v| {
        v.as_str()
            .map(str::to_owned)
            .or_else(|| Some(v.to_string()))
    })
}

/// The DN of the LDIF record whose objectGUID is `anchor` (base64), written plain.
pub fn ldif_dn(ldif: &str, anchor: &str) -> Option<String> {
    ldif.split("\n\n")
        .find(|r| r.lines().any(|l| l == format!("objectGUID:: {anchor}")))
        .and_then(|r| r.lines().next())
        .and_then(|l| l.strip_prefix("dn: "))
        .map(str::to_owned)
}
