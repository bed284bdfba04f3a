//! The LDAP connector against a fresh OpenLDAP slapd (its own port and folder): paged full
//! import past the server's size limit, entryUUID anchors, scope, exports, and deltas by
//! RFC 4533 content sync.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

mod ldap_common;

use ldap_common::{anchored, modify, search_dns, slapd};
use syncrules_connector::{
    Change, Connector, ConnectorError, ExportChange, ExportOp, ExportResult, FailureClass,
};
use syncrules_connectors::ldap::{LdapConnector, LdapSettings, Secret};
use syncrules_lang::Value;
use syncrules_lang::dn::Dn;

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
        .find(|e| e.dn.as_str() == format!("uid=p0,{people}"))
        .expect("p0");
    assert_eq!(p0.anchor.as_deref().map(str::len), Some(36), "entryUUID");
    assert_eq!(p0.object_type, "inetOrgPerson");
    let team = batch
        .entries
        .iter()
        .find(|e| e.object_type == "groupOfNames")
        .expect("group");
    assert_eq!(team.attributes["member"].values().len(), 2);
    assert!(
        batch
            .watermark
            .as_deref()
            .is_some_and(|w| w.starts_with("ldap:syncrepl:")),
        "syncprov offers content sync: {:?}",
        batch.watermark
    );
    assert!(matches!(
        c.delta_import("anything").await,
        Err(ConnectorError::WatermarkExpired { .. })
    ));
    let results = c
        .export(&[
            ExportChange {
                op: ExportOp::Update,
                dn: Dn::parse(&format!("uid=p0,{people}")).unwrap(),
                old_dn: None,
                anchor: None,
                object_type: "inetOrgPerson".to_owned(),
                attributes: [("mail".into(), Value::from("p0@example.org"))]
                    .into_iter()
                    .collect(),
                retry: false,
            },
            ExportChange {
                op: ExportOp::Delete,
                dn: Dn::parse(&format!("uid=nobody,{people}")).unwrap(),
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

fn person(dn: &str, uid: &str) -> String {
    format!(
        "dn: {dn}\nchangetype: add\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid}\nsn: S{uid}\n\n"
    )
}

/// Every kind of change arrives through a content sync delta: an attribute, a rename, a
/// move out of the containers and back in, a delete, an add and membership changes; the
/// values are those `ldapsearch` reads. A cookie the server cannot use is a full import.
#[tokio::test]
async fn content_sync_deltas_carry_every_kind_of_change() {
    let d = slapd();
    let s = &d.server;
    let people = format!("ou=people,{}", s.base);
    let out = format!("ou=out,{}", s.base);
    let team = format!("cn=team,ou=groups,{}", s.base);
    let dn = |i: usize| format!("uid=p{i},{people}");
    let mut ldif =
        format!("dn: {out}\nchangetype: add\nobjectClass: organizationalUnit\nou: out\n\n");
    for i in 0..5 {
        ldif.push_str(&person(&dn(i), &format!("p{i}")));
    }
    ldif.push_str(&format!(
        "dn: {team}\nchangetype: add\nobjectClass: groupOfNames\ncn: team\nmember: {}\nmember: {}\n",
        dn(0),
        dn(1)
    ));
    modify(s, &ldif);
    let mut settings =
        LdapSettings::new(&s.url, &s.bind_dn, Secret::new(s.password.clone()), &s.base);
    settings.exclude = vec![out.clone()];
    let mut c = LdapConnector::new("ldap", settings);
    let full = c.full_import().await.expect("full import");
    let mark = full.watermark.clone().expect("a content sync watermark");
    assert!(mark.starts_with("ldap:syncrepl:"), "{mark}");
    let anchor = |dn: &str| {
        full.entries
            .iter()
            .find(|e| e.dn.as_str() == dn)
            .unwrap_or_else(|| panic!("{dn} imported"))
            .anchor
            .clone()
    };
    // Nothing changed: nothing arrives.
    let nothing = c.delta_import(&mark).await.expect("delta");
    assert!(nothing.entries.is_empty(), "{:?}", nothing.entries);
    let mark = nothing.watermark.expect("watermark");

    modify(
        s,
        &format!(
            "dn: {}\nchangetype: modify\nreplace: mail\nmail: p0@example.org\n\n\
             dn: {}\nchangetype: modrdn\nnewrdn: uid=p1b\ndeleteoldrdn: 0\n\n\
             dn: {}\nchangetype: modrdn\nnewrdn: uid=p2\ndeleteoldrdn: 1\nnewsuperior: {out}\n\n\
             dn: {}\nchangetype: delete\n\n\
             dn: {team}\nchangetype: modify\ndelete: member\nmember: {}\n-\nadd: member\nmember: {}\n\n{}",
            dn(0),
            dn(1),
            dn(2),
            dn(3),
            dn(0),
            dn(4),
            person(&dn(5), "p5"),
        ),
    );
    let delta = c.delta_import(&mark).await.expect("delta");
    assert!(delta.errors.is_empty(), "{:?}", delta.errors);
    let e = &delta.entries;
    let p0 = anchored(e, &anchor(&dn(0)));
    assert_eq!(p0.len(), 1, "{e:?}");
    assert_eq!(
        p0[0].attributes["mail"].to_string(),
        ldap_common::values(s, &dn(0), "mail").join(",")
    );
    let renamed = format!("uid=p1b,{people}");
    let p1 = anchored(e, &anchor(&dn(1)));
    assert_eq!(p1.len(), 1, "{e:?}");
    assert_eq!(
        p1[0].dn.as_str(),
        renamed,
        "the anchor stays across a rename"
    );
    for gone in [dn(2), dn(3)] {
        let g = anchored(e, &anchor(&gone));
        assert_eq!(g.len(), 1, "{gone}: {e:?}");
        assert_eq!(g[0].change, Change::Delete, "{gone}");
    }
    let t = anchored(e, &anchor(&team));
    assert_eq!(t.len(), 1, "{e:?}");
    let mut members: Vec<String> = t[0].attributes["member"]
        .values()
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut expected = ldap_common::values(s, &team, "member");
    members.sort();
    expected.sort();
    assert_eq!(members, expected);
    assert!(
        e.iter()
            .any(|x| x.dn.as_str() == dn(5) && x.change == Change::Add),
        "{e:?}"
    );
    // Moved back into the containers: it arrives whole, the same anchor.
    modify(
        s,
        &format!(
            "dn: uid=p2,{out}\nchangetype: modrdn\nnewrdn: uid=p2\ndeleteoldrdn: 1\nnewsuperior: {people}\n"
        ),
    );
    let back = c
        .delta_import(delta.watermark.as_deref().expect("watermark"))
        .await
        .expect("delta");
    let p2 = anchored(&back.entries, &anchor(&dn(2)));
    assert_eq!(p2.len(), 1, "{:?}", back.entries);
    assert_eq!(
        (p2[0].change, p2[0].dn.as_str()),
        (Change::Add, dn(2).as_str())
    );
    assert_eq!(p2[0].object_type, "inetOrgPerson");
    // A cookie the server cannot use, and a watermark that is no cookie: full imports.
    let tag = mark.split(':').nth(2).expect("tag");
    for bad in [
        format!("ldap:syncrepl:{tag}:Z2FyYmFnZQ=="),
        format!(
            "ldap:syncrepl:{tag}:cmlkPTAwMSxjc249MjAwMDAxMDEwMDAwMDAuMDAwMDAwWiMwMDAwMDAjMDAwIzAwMDAwMA=="
        ),
        // A cookie from before the session log: syncprov answers with a present phase.
        format!(
            "ldap:syncrepl:{tag}:cmlkPTAwMCxjc249MjAwMDAxMDEwMDAwMDAuMDAwMDAwWiMwMDAwMDAjMDAwIzAwMDAwMA=="
        ),
        "ldap:syncrepl:nonsense".to_owned(),
    ] {
        let r = c.delta_import(&bad).await;
        assert!(
            matches!(r, Err(ConnectorError::WatermarkExpired { .. })),
            "{bad}: {r:?}"
        );
    }
}
