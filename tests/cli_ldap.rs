//! `type: ldap` through the `syncrules` binary: configuration errors, and a cycle from a
//! real Samba AD DC to the file target with the default rules (write-back included).

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
use ldap_common::{ad, fresh_ou, modify, values};

fn config(dir: &std::path::Path, url: &str, ou: &str, extra: &str) -> std::path::PathBuf {
    let server = ad();
    let yaml = format!(
        "rules: {}\nstate: state\nconnectors:\n  contoso.com:\n    type: ldap\n    url: {url}\n    bind-dn: {}\n    password-file: pw.txt\n    base: {}\n    containers:\n      include:\n        - {ou}\n{extra}  contoso.onmicrosoft.com:\n    type: file\n    path: entra\n",
        repo().join("rules").display(),
        server.bind_dn,
        server.base,
    );
    std::fs::write(dir.join("pw.txt"), format!("{}\n", server.password)).unwrap();
    std::fs::write(dir.join("sync.yaml"), yaml).unwrap();
    dir.join("sync.yaml")
}

#[test]
fn a_missing_password_names_the_key_not_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = "rules: r\nstate: s\nconnectors:\n  ad:\n    type: ldap\n    url: ldap://127.0.0.1\n    bind-dn: CN=a\n    password-env: SYNCRULES_TEST_UNSET_VAR\n    base: DC=x\n    page-sise: 3\n";
    std::fs::create_dir(dir.path().join("r")).unwrap();
    std::fs::write(dir.path().join("sync.yaml"), yaml).unwrap();
    let out = syncrules(&[
        "run",
        "--config",
        dir.path().join("sync.yaml").to_str().unwrap(),
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("page-size"),
        "did-you-mean for the typo: {err}"
    );
    let yaml = yaml.replace("    page-sise: 3\n", "");
    std::fs::write(dir.path().join("sync.yaml"), yaml).unwrap();
    let out = syncrules(&[
        "run",
        "--config",
        dir.path().join("sync.yaml").to_str().unwrap(),
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("password-env") && err.contains("SYNCRULES_TEST_UNSET_VAR"),
        "{err}"
    );
}

#[test]
fn samba_to_the_file_target_with_write_back() {
    let server = ad();
    let ou = fresh_ou(server, &server.base, "cli");
    let tag = ou
        .rsplit_once('-')
        .unwrap()
        .1
        .split(',')
        .next()
        .unwrap()
        .to_owned();
    let mut ldif = String::new();
    let mut users = Vec::new();
    for i in 0..3 {
        let cn = format!("c{i}x{tag}");
        users.push(format!("CN={cn},{ou}"));
        ldif.push_str(&format!(
            "dn: CN={cn},{ou}\nchangetype: add\nobjectClass: user\nsAMAccountName: {cn}\nuserPrincipalName: {cn}@test.local\ngivenName: G{i}\nsn: S{i}\ndisplayName: User {i}\nuserAccountControl: 512\n\n"
        ));
    }
    modify(server, &ldif);
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &server.url, &ou, "");
    let cfg = cfg.to_str().unwrap();
    let first = syncrules(&[
        "run", "--config", cfg, "--cycle", "initial", "--format", "json",
    ]);
    assert!(
        first.status.success(),
        "{}\n{}",
        text(&first.stdout),
        text(&first.stderr)
    );
    // Every user exported to the file target got its anchor written back to AD.
    for u in &users {
        let guid = values(server, u, "objectGUID");
        assert_eq!(values(server, u, "mS-DS-ConsistencyGuid"), guid, "{u}");
    }
    // A second run exports nothing.
    let second = syncrules(&["run", "--config", cfg, "--format", "json"]);
    assert!(second.status.success(), "{}", text(&second.stderr));
    let exported = |out: &std::process::Output, connector: &str| -> u64 {
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["step"] == "export" && s["connector"] == connector)
            .map(|s| {
                ["adds", "updates", "deletes", "renames"]
                    .iter()
                    .map(|k| s[*k].as_u64().unwrap())
                    .sum::<u64>()
            })
            .sum()
    };
    assert_eq!(
        exported(&first, "contoso.onmicrosoft.com"),
        users.len() as u64
    );
    assert_eq!(exported(&second, "contoso.onmicrosoft.com"), 0);
    assert_eq!(exported(&second, "contoso.com"), 0);
    // A change in AD arrives by DirSync and is exported; a user deleted outside the
    // containers (DirSync reports the whole domain's tombstones) is no error.
    let elsewhere = fresh_ou(server, &server.base, "cli-out");
    let other = format!("CN=o{tag},{elsewhere}");
    modify(
        server,
        &format!("dn: {other}\nchangetype: add\nobjectClass: user\nsAMAccountName: o{tag}\n"),
    );
    let between = syncrules(&["run", "--config", cfg, "--format", "json"]);
    assert!(between.status.success(), "{}", text(&between.stderr));
    modify(
        server,
        &format!(
            "dn: {}\nchangetype: modify\nreplace: displayName\ndisplayName: Renamed\n\ndn: {other}\nchangetype: delete\n",
            users[0]
        ),
    );
    let third = syncrules(&["run", "--config", cfg, "--format", "json"]);
    assert!(third.status.success(), "{}", text(&third.stderr));
    assert_eq!(exported(&third, "contoso.onmicrosoft.com"), 1);
    let import = common::report_step(&third, "contoso.com", |s| s == "delta-import");
    assert_eq!(import["errors"], serde_json::json!([]), "{import}");
    let entra = common::files(&dir.path().join("entra"));
    assert!(entra.iter().any(|(_, b)| text(b).contains("Renamed")));
}

/// `preflight` reads an LDAP source too: a mail address held twice (case apart; the DC itself
/// refuses a duplicate UPN) and a UPN with a space, seeded in a fresh OU of the Samba DC, are
/// found, and nothing else in that OU.
#[test]
fn preflight_reads_the_ldap_source() {
    let server = ad();
    let ou = fresh_ou(server, &server.base, "preflight");
    let tag = ou.rsplit_once('-').unwrap().1.split(',').next().unwrap();
    let upns = [
        format!("a{tag}@contoso.com"),
        format!("b{tag}@contoso.com"),
        format!("with space{tag}@contoso.com"),
        format!("fine{tag}@contoso.com"),
    ];
    let mails = [
        format!("same{tag}@contoso.com"),
        format!("SAME{tag}@contoso.com"),
        format!("c{tag}@contoso.com"),
        format!("d{tag}@contoso.com"),
    ];
    let mut ldif = String::new();
    let mut dns = Vec::new();
    for (i, (upn, mail)) in upns.iter().zip(&mails).enumerate() {
        let cn = format!("p{i}x{tag}");
        dns.push(format!("CN={cn},{ou}"));
        ldif.push_str(&format!(
            "dn: CN={cn},{ou}\nchangetype: add\nobjectClass: user\nsAMAccountName: {cn}\nuserPrincipalName: {upn}\nmail: {mail}\ndisplayName: User {i}\n\n"
        ));
    }
    modify(server, &ldif);
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &server.url, &ou, "");
    let out = syncrules(&[
        "preflight",
        "--config",
        cfg.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["dn"].as_str().unwrap().ends_with(&ou))
        .map(|f| {
            (
                f["dn"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    let mut want = vec![
        (dns[0].clone(), "duplicate".to_owned()),
        (dns[1].clone(), "duplicate".to_owned()),
        (dns[2].clone(), "character".to_owned()),
    ];
    want.sort();
    assert_eq!(found, want, "{report}");
    // The bind password is read from its file and never shown.
    assert!(!text(&out.stdout).contains(&server.password));
    assert!(!text(&out.stderr).contains(&server.password));
}

/// A directory that cannot be reached is exit 3 (an external system failed), after the
/// connector's retries, and nothing is exported.
#[test]
fn an_unreachable_directory_is_exit_3() {
    let server = ad();
    let dir = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ldap://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let cfg = config(dir.path(), &url, &server.base, "");
    for command in ["run", "preview", "preflight"] {
        let out = syncrules(&[command, "--config", cfg.to_str().unwrap()]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{command}: {err}");
        assert!(err.contains("unavailable"), "{command}: {err}");
        assert!(!err.contains(&server.password), "{command}: {err}");
    }
    assert!(!dir.path().join("entra").exists());
}

/// The same directory read from Samba and from an LDIF export of it (`ldapsearch`) gives
/// the same preview: every Entra add, update and delete with the same attributes, whatever
/// the source. Users (enabled, disabled, with mail and proxy addresses), groups (one
/// nested in another) and a contact.
#[test]
fn samba_and_its_ldif_export_preview_the_same() {
    let server = ad();
    let ou = fresh_ou(server, &server.base, "same");
    let tag = ou.rsplit_once('-').unwrap().1.split(',').next().unwrap();
    let mut ldif = String::new();
    for i in 0..4 {
        let cn = format!("s{i}x{tag}");
        let uac = if i == 3 { 514 } else { 512 };
        ldif.push_str(&format!(
            "dn: CN={cn},{ou}\nchangetype: add\nobjectClass: user\nsAMAccountName: {cn}\n\
             userPrincipalName: {cn}@contoso.com\ngivenName: G{i}\nsn: S{i}\ndisplayName: User {i}\n\
             mail: {cn}@contoso.com\nproxyAddresses: SMTP:{cn}@contoso.com\n\
             proxyAddresses: smtp:{cn}@contoso.mail.onmicrosoft.com\ndepartment: D{i}\n\
             userAccountControl: {uac}\n\n"
        ));
    }
    ldif.push_str(&format!(
        "dn: CN=inner{tag},{ou}\nchangetype: add\nobjectClass: group\nsAMAccountName: inner{tag}\n\
         member: CN=s0x{tag},{ou}\nmember: CN=s1x{tag},{ou}\n\n\
         dn: CN=outer{tag},{ou}\nchangetype: add\nobjectClass: group\nsAMAccountName: outer{tag}\n\
         groupType: -2147483646\nmember: CN=inner{tag},{ou}\nmember: CN=s2x{tag},{ou}\n\n\
         dn: CN=contact{tag},{ou}\nchangetype: add\nobjectClass: contact\ndisplayName: Contact\n\
         mail: contact{tag}@fabrikam.com\n\n"
    ));
    modify(server, &ldif);

    // The LDIF export: every attribute of every object below the OU, as ldapsearch writes it.
    let export = std::process::Command::new("ldapsearch")
        .args(["-LLL", "-o", "ldif-wrap=no", "-x", "-H", &server.url])
        .args(["-D", &server.bind_dn, "-w", &server.password, "-b", &ou])
        .args([
            "(|(objectClass=user)(objectClass=group)(objectClass=contact))",
            "*",
        ])
        .output()
        .unwrap();
    assert!(export.status.success(), "{}", text(&export.stderr));
    let from_ldap = tempfile::tempdir().unwrap();
    let from_ldif = tempfile::tempdir().unwrap();
    std::fs::write(from_ldif.path().join("ad.ldif"), &export.stdout).unwrap();
    let ldap_cfg = config(from_ldap.path(), &server.url, &ou, "");
    let ldif_yaml = format!(
        "rules: {}\nstate: state\nconnectors:\n  contoso.com:\n    type: ldif\n    path: ad.ldif\n  contoso.onmicrosoft.com:\n    type: file\n    path: entra\n",
        repo().join("rules").display()
    );
    std::fs::write(from_ldif.path().join("sync.yaml"), ldif_yaml).unwrap();
    let preview = |cfg: &std::path::Path| -> serde_json::Value {
        let out = syncrules(&[
            "preview",
            "--config",
            cfg.to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let a = preview(&ldap_cfg);
    let b = preview(&from_ldif.path().join("sync.yaml"));
    let shown = a.to_string();
    for present in [
        format!("s0x{tag}@contoso.com"),
        format!("outer{tag}"),
        format!("contact{tag}@fabrikam.com"),
    ] {
        assert!(shown.contains(&present), "{present} provisioned: {a}");
    }
    assert_eq!(a, b);
}
