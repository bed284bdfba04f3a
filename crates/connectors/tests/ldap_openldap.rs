//! The LDAP connector against a fresh OpenLDAP slapd (its own port and folder): paged full
//! import past the server's size limit, entryUUID anchors, scope, exports.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

mod ldap_common;

use ldap_common::{modify, search_dns, slapd};
use syncrules_connectors::ldap::{LdapConnector, LdapSettings, Secret};
use syncrules_engine::{
    Connector, ConnectorError, ExportChange, ExportOp, ExportResult, FailureClass,
};
use syncrules_lang::Value;

#[tokio::test]
async fn openldap_full_import_and_export() {
    let d = slapd();
    let s = &d.server;
    let people = format!("ou=people,{}", s.base);
    let mut ldif = String::new();
    for i in 0..7 {
        ldif.push_str(&format!(
            "dn: uid=p{i},{people}\nchangetype: add\nobjectClass: inetOrgPerson\nuid: p{i}\ncn: P {i}\nsn: S{i}\n\n"
        ));
    }
    ldif.push_str(&format!(
        "dn: cn=team,ou=groups,{}\nchangetype: add\nobjectClass: groupOfNames\ncn: team\nmember: uid=p0,{people}\nmember: uid=p1,{people}\n",
        s.base
    ));
    modify(s, &ldif);
    let mut settings =
        LdapSettings::new(&s.url, &s.bind_dn, Secret::new(s.password.clone()), &s.base);
    settings.page_size = 3;
    settings.exclude = vec![format!("uid=p6,{people}")];
    let mut c = LdapConnector::new("ldap", settings);
    let batch = c.full_import().await.expect("full import");
    let expected = search_dns(
        s,
        &s.base,
        "(|(objectClass=inetOrgPerson)(objectClass=groupOfNames))",
    );
    assert_eq!(
        batch.entries.len(),
        expected.len() - 1,
        "all but the excluded one"
    );
    let p0 = batch
        .entries
        .iter()
        .find(|e| e.dn == format!("uid=p0,{people}"))
        .expect("p0");
    assert_eq!(p0.anchor.as_deref().map(str::len), Some(36), "entryUUID");
    assert_eq!(p0.object_type, "inetOrgPerson");
    let team = batch
        .entries
        .iter()
        .find(|e| e.object_type == "groupOfNames")
        .expect("group");
    assert_eq!(team.attributes["member"].values().len(), 2);
    assert_eq!(
        batch.watermark, None,
        "no DirSync: delta runs are full imports"
    );
    assert!(matches!(
        c.delta_import("anything").await,
        Err(ConnectorError::WatermarkExpired { .. })
    ));
    let results = c
        .export(&[
            ExportChange {
                op: ExportOp::Update,
                dn: format!("uid=p0,{people}"),
                old_dn: None,
                anchor: None,
                object_type: "inetOrgPerson".to_owned(),
                attributes: [("mail".to_owned(), Value::from("p0@example.org"))]
                    .into_iter()
                    .collect(),
                retry: false,
            },
            ExportChange {
                op: ExportOp::Delete,
                dn: format!("uid=nobody,{people}"),
                old_dn: None,
                anchor: None,
                object_type: "inetOrgPerson".to_owned(),
                attributes: Default::default(),
                retry: false,
            },
        ])
        .await
        .expect("export");
    assert_eq!(results[0], ExportResult::Done { anchor: None });
    assert!(matches!(
        results[1],
        ExportResult::Failed {
            class: FailureClass::NoSuchObject,
            ..
        }
    ));
    assert_eq!(
        ldap_common::values(s, &format!("uid=p0,{people}"), "mail"),
        vec!["p0@example.org".to_owned()]
    );
}
