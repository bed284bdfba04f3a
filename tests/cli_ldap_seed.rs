//! A cycle from the Samba AD DC to the file target with the default rules, over a directory
//! seeded as the issue asks: users enabled and disabled, Samba's own critical system objects
//! (Administrator, krbtgt, Guest in `CN=Users`), groups with nested membership and a
//! contact. The critical system objects are read and never provisioned; `accountEnabled`
//! follows `userAccountControl` as `ldapsearch` reads it.

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
use ldap_common::{ad, fresh_ou, modify, search_dns, values};

#[test]
fn critical_system_objects_stay_out_and_account_enabled_follows_the_directory() {
    let server = ad();
    let ou = fresh_ou(server, &server.base, "seed");
    let tag = ou.rsplit_once('-').unwrap().1.split(',').next().unwrap();
    let users_container = format!("CN=Users,{}", server.base);
    let mut ldif = String::new();
    let mut users = Vec::new();
    for (i, uac) in [512, 514, 512].into_iter().enumerate() {
        let cn = format!("k{i}x{tag}");
        users.push((format!("CN={cn},{ou}"), cn.clone()));
        ldif.push_str(&format!(
            "dn: CN={cn},{ou}\nchangetype: add\nobjectClass: user\nsAMAccountName: {cn}\n\
             userPrincipalName: {cn}@contoso.com\ngivenName: G{i}\nsn: S{i}\ndisplayName: Seed {i}\n\
             userAccountControl: {uac}\n\n"
        ));
    }
    ldif.push_str(&format!(
        "dn: CN=inner{tag},{ou}\nchangetype: add\nobjectClass: group\nsAMAccountName: inner{tag}\n\
         member: {}\n\n\
         dn: CN=outer{tag},{ou}\nchangetype: add\nobjectClass: group\nsAMAccountName: outer{tag}\n\
         groupType: -2147483646\nmember: CN=inner{tag},{ou}\nmember: {}\n\n\
         dn: CN=contact{tag},{ou}\nchangetype: add\nobjectClass: contact\ndisplayName: Contact\n\
         mail: contact{tag}@fabrikam.com\n\n",
        users[0].0, users[1].0
    ));
    modify(server, &ldif);
    // The critical system objects, as the directory says.
    let critical = search_dns(
        server,
        &users_container,
        "(&(objectClass=user)(isCriticalSystemObject=TRUE))",
    );
    assert!(
        critical
            .iter()
            .any(|d| d.to_ascii_lowercase().starts_with("cn=administrator,")),
        "{critical:?}"
    );
    let critical_names: Vec<String> = critical
        .iter()
        .flat_map(|d| values(server, d, "sAMAccountName"))
        .collect();

    let dir = tempfile::tempdir().unwrap();
    let yaml = format!(
        "rules: {}\nstate: state\nconnectors:\n  contoso.com:\n    type: ldap\n    url: {}\n    bind-dn: {}\n    password-file: pw.txt\n    base: {}\n    containers:\n      include:\n        - {ou}\n        - {users_container}\n  contoso.onmicrosoft.com:\n    type: file\n    path: entra\n",
        repo().join("rules").display(),
        server.url,
        server.bind_dn,
        server.base,
    );
    std::fs::write(dir.path().join("pw.txt"), format!("{}\n", server.password)).unwrap();
    std::fs::write(dir.path().join("sync.yaml"), yaml).unwrap();
    let out = syncrules(&[
        "run",
        "--config",
        dir.path().join("sync.yaml").to_str().unwrap(),
        "--cycle",
        "initial",
        "--format",
        "json",
    ]);
    let import = common::report_step(&out, "contoso.com", |s| s == "full-import");
    let read = import["objects"].as_u64().unwrap();
    assert!(
        read as usize >= critical.len() + users.len() + 3,
        "the critical objects were read: {import}"
    );
    // The file target's records, one JSON object a line; an attribute's first value.
    let entra: String = common::files(&dir.path().join("entra"))
        .iter()
        .map(|(_, b)| text(b))
        .collect();
    let records: Vec<serde_json::Value> = entra
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(!records.is_empty(), "{entra}");
    let first = |r: &serde_json::Value, attr: &str| r["attributes"][attr][0]["value"].clone();
    let sam_names: Vec<String> = records
        .iter()
        .filter_map(|r| {
            first(r, "onPremisesSamAccountName")
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    for name in &critical_names {
        assert!(
            !sam_names.iter().any(|n| n.eq_ignore_ascii_case(name)),
            "critical system object {name} provisioned: {sam_names:?}"
        );
    }
    // Each seeded user is provisioned, enabled as its userAccountControl says.
    for (dn, cn) in &users {
        let uac: u32 = values(server, dn, "userAccountControl")[0].parse().unwrap();
        let record = records
            .iter()
            .rfind(|r| first(r, "onPremisesSamAccountName") == serde_json::json!(cn))
            .unwrap_or_else(|| panic!("{cn} provisioned:\n{entra}"));
        assert_eq!(
            first(record, "accountEnabled"),
            serde_json::json!(uac & 2 == 0),
            "{cn} (userAccountControl {uac}): {record}"
        );
    }
    assert!(entra.contains(&format!("outer{tag}")), "{entra}");
    assert!(
        entra.contains(&format!("contact{tag}@fabrikam.com")),
        "{entra}"
    );
}
