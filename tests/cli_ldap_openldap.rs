//! `type: ldap` over OpenLDAP through the `syncrules` binary: a delta run picks up the
//! directory's changes by RFC 4533 content sync (no full import), and a bad `delta` value
//! is an error where it is written.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

mod common;
#[path = "../crates/connectors/tests/ldap_common/mod.rs"]
mod ldap_common;

use common::{repo, syncrules, text};
use ldap_common::{Server, modify, search_dns, slapd};

fn config(dir: &std::path::Path, s: &Server, delta: &str) -> std::path::PathBuf {
    let yaml = format!(
        "rules: {}\nstate: state\nconnectors:\n  contoso.com:\n    type: ldap\n    url: {}\n    bind-dn: {}\n    password-file: pw.txt\n    base: {}\n    attributes: [\"*\"]\n    delta: {delta}\n  contoso.onmicrosoft.com:\n    type: file\n    path: entra\n",
        repo().join("rules").display(),
        s.url,
        s.bind_dn,
        s.base,
    );
    std::fs::write(dir.join("pw.txt"), format!("{}\n", s.password)).unwrap();
    std::fs::write(dir.join("sync.yaml"), yaml).unwrap();
    dir.join("sync.yaml")
}

/// The import step of the source in a run's JSON report.
fn import_step(out: &std::process::Output) -> serde_json::Value {
    common::report_step(out, "contoso.com", |s| s.contains("import"))
}

#[test]
fn a_delta_run_picks_up_openldap_changes_by_content_sync() {
    let d = slapd();
    let s = &d.server;
    let people = format!("ou=people,{}", s.base);
    let person = |uid: &str| {
        format!(
            "dn: uid={uid},{people}\nchangetype: add\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid}\nsn: S{uid}\n\n"
        )
    };
    modify(s, &format!("{}{}{}", person("a"), person("b"), person("c")));
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), s, "syncrepl");
    let cfg = cfg.to_str().unwrap();
    let first = import_step(&syncrules(&[
        "run", "--config", cfg, "--cycle", "initial", "--format", "json",
    ]));
    let people_now = search_dns(s, &people, "(objectClass=inetOrgPerson)");
    assert_eq!(first["adds"], people_now.len(), "{first}");
    modify(
        s,
        &format!(
            "dn: uid=a,{people}\nchangetype: modify\nreplace: sn\nsn: Changed\n\n\
             dn: uid=b,{people}\nchangetype: delete\n\n{}",
            person("d")
        ),
    );
    let delta = import_step(&syncrules(&["run", "--config", cfg, "--format", "json"]));
    assert_eq!(delta["step"], "delta-import", "{delta}");
    assert_eq!(
        delta["notes"],
        serde_json::json!([]),
        "no full import: {delta}"
    );
    assert_eq!(
        (&delta["adds"], &delta["updates"], &delta["deletes"]),
        (
            &serde_json::json!(1),
            &serde_json::json!(1),
            &serde_json::json!(1)
        ),
        "{delta}"
    );
    // Nothing changed since: nothing read.
    let quiet = import_step(&syncrules(&["run", "--config", cfg, "--format", "json"]));
    assert_eq!(quiet["objects"], 0, "{quiet}");
}

#[test]
fn a_bad_delta_method_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server {
        url: "ldap://127.0.0.1:1".into(),
        ldaps: None,
        base: "dc=example,dc=org".into(),
        bind_dn: "cn=admin,dc=example,dc=org".into(),
        password: "unused".into(),
        ca: None,
        pid: None,
    };
    let cfg = config(dir.path(), &s, "dirsinc");
    let out = syncrules(&["run", "--config", cfg.to_str().unwrap()]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("sync.yaml:11:"), "located: {err}");
    assert!(
        err.contains("`delta` must be one of auto, dirsync, usn, syncrepl, found `dirsinc`"),
        "{err}"
    );
}
