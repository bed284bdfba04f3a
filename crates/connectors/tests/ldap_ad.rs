//! The LDAP connector against a real Samba AD DC: full import (paging, ranged retrieval,
//! typing, scope), DirSync deltas, exports, escaping, TLS and the password kept secret.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

mod ldap_common;

use ldap_common::ad_seed::{by_dn, seed, settings, user};
use ldap_common::{ad, fresh_ou, modify, search_dns};
use syncrules_connector::{Change, Connector, ConnectorError, ValueOp};
use syncrules_connectors::ldap::{LdapConnector, Secret};
use syncrules_lang::Value;

#[tokio::test]
async fn full_import_pages_ranges_and_types() {
    let server = ad();
    let (ou, users, group) = seed(server, "full", 12);
    let mut c = LdapConnector::new("ad", settings(server, &ou));
    let batch = c.full_import().await.expect("full import");
    assert!(batch.errors.is_empty(), "{:?}", batch.errors);
    // The same objects as ldapsearch finds.
    let expected = search_dns(server, &ou, "(|(objectClass=user)(objectClass=group))");
    assert_eq!(batch.entries.len(), expected.len());
    assert_eq!(expected.len(), users.len() + 1);
    let g = by_dn(&batch.entries, &group);
    assert_eq!(g.object_type, "group");
    assert_eq!(g.change, Change::Present);
    let members = g.attributes["member"].values().to_vec();
    assert_eq!(
        members.len(),
        users.len(),
        "every member read across ranges"
    );
    assert!(members.iter().all(|m| matches!(m, Value::Ref(_))));
    // 12 members in ranges of 5: two more range requests after the first.
    assert_eq!(c.range_requests(), 2);
    let u = by_dn(&batch.entries, &users[0]);
    assert_eq!(u.object_type, "user");
    let Value::Bin(guid) = &u.attributes["objectGUID"] else {
        panic!("objectGUID not binary")
    };
    assert_eq!(guid.len(), 16);
    assert!(matches!(&u.attributes["objectSid"], Value::Bin(b) if b.len() == 28));
    assert!(matches!(u.attributes["userAccountControl"], Value::Num(_)));
    assert_eq!(
        u.anchor.as_deref().map(str::len),
        Some(24),
        "objectGUID as base64"
    );
    assert!(
        batch
            .watermark
            .as_deref()
            .is_some_and(|w| w.starts_with("ldap:dirsync:"))
    );
}

#[tokio::test]
async fn containers_exclude_and_moves_across_the_boundary() {
    let server = ad();
    let (ou, users, _) = seed(server, "scope", 2);
    let inner = fresh_ou(server, &ou, "excl");
    let mut s = settings(server, &ou);
    s.exclude = vec![inner.clone()];
    let mut c = LdapConnector::new("ad", s);
    let full = c.full_import().await.expect("full import");
    assert_eq!(full.entries.len(), 3);
    let anchor = by_dn(&full.entries, &users[0]).anchor.clone();
    let rdn = users[0].split(',').next().unwrap();
    modify(
        server,
        &format!(
            "dn: {}\nchangetype: modrdn\nnewrdn: {rdn}\ndeleteoldrdn: 1\nnewsuperior: {inner}\n",
            users[0]
        ),
    );
    let delta = c
        .delta_import(full.watermark.as_deref().unwrap())
        .await
        .expect("delta");
    let gone: Vec<_> = delta
        .entries
        .iter()
        // Other tests share the DC: only this OU's objects count.
        .filter(|e| e.change == Change::Delete && full.entries.iter().any(|f| f.anchor == e.anchor))
        .collect();
    assert_eq!(gone.len(), 1, "{:?}", delta.entries);
    assert_eq!(gone[0].anchor, anchor);
    // Moved back in: it appears again, whole.
    let back = format!("{rdn},{inner}");
    modify(
        server,
        &format!(
            "dn: {back}\nchangetype: modrdn\nnewrdn: {rdn}\ndeleteoldrdn: 1\nnewsuperior: {ou}\n"
        ),
    );
    let again = c
        .delta_import(delta.watermark.as_deref().unwrap())
        .await
        .expect("delta");
    let e = by_dn(&again.entries, &users[0]);
    assert_eq!(e.anchor, anchor);
    assert_eq!(e.object_type, "user");
}

#[tokio::test]
async fn dirsync_deltas_carry_every_kind_of_change() {
    let server = ad();
    let (ou, users, group) = seed(server, "delta", 4);
    let mut c = LdapConnector::new("ad", settings(server, &ou));
    let full = c.full_import().await.expect("full import");
    let anchor_of = |dn: &str| by_dn(&full.entries, dn).anchor.clone();
    let nothing = c
        .delta_import(full.watermark.as_deref().unwrap())
        .await
        .expect("delta");
    // Other tests share the DC: only this OU's objects count.
    let ours: Vec<_> = nothing
        .entries
        .iter()
        .filter(|e| full.entries.iter().any(|f| f.anchor == e.anchor))
        .collect();
    assert!(ours.is_empty(), "{ours:?}");
    // An attribute, a membership removal and addition, a rename, a delete, an add.
    let renamed = format!("CN=renamed{},{ou}", users.len());
    let tag = ou
        .rsplit_once('-')
        .unwrap()
        .1
        .split(',')
        .next()
        .unwrap()
        .to_owned();
    let added = user(&ou, &format!("new{tag}"));
    modify(
        server,
        &format!(
            "dn: {}\nchangetype: modify\nreplace: department\ndepartment: Ops\n\ndn: {group}\nchangetype: modify\ndelete: member\nmember: {}\n\ndn: {}\nchangetype: modrdn\nnewrdn: CN=renamed{}\ndeleteoldrdn: 1\n\ndn: {}\nchangetype: delete\n\n{added}",
            users[0],
            users[1],
            users[2],
            users.len(),
            users[3]
        ),
    );
    let d = c
        .delta_import(nothing.watermark.as_deref().unwrap())
        .await
        .expect("delta");
    let changed = by_dn(&d.entries, &users[0]);
    assert_eq!(changed.attributes["department"], Value::from("Ops"));
    let g = d
        .entries
        .iter()
        .find(|e| e.anchor == anchor_of(&group))
        .expect("group change");
    assert_eq!(g.change, Change::Modify);
    assert_eq!(g.value_changes.len(), 1);
    assert_eq!(g.value_changes[0].op, ValueOp::Remove);
    assert_eq!(g.value_changes[0].values, vec![Value::reference(&users[1])]);
    let r = by_dn(&d.entries, &renamed);
    assert_eq!(
        r.anchor,
        anchor_of(&users[2]),
        "the anchor stays across a rename"
    );
    let del = d
        .entries
        .iter()
        .find(|e| e.anchor == anchor_of(&users[3]))
        .expect("delete");
    assert_eq!(del.change, Change::Delete);
    assert!(
        d.entries
            .iter()
            .any(|e| e.dn.as_str().starts_with("CN=new"))
    );
    // Membership added.
    modify(
        server,
        &format!(
            "dn: {group}\nchangetype: modify\nadd: member\nmember: {}\n",
            users[1]
        ),
    );
    let m = c
        .delta_import(d.watermark.as_deref().unwrap())
        .await
        .expect("delta");
    let g = m
        .entries
        .iter()
        .find(|e| e.anchor == anchor_of(&group))
        .expect("group change");
    assert_eq!(g.value_changes[0].op, ValueOp::Add);
    // A cookie the server rejects: a full import is needed.
    let bad = c.delta_import("ldap:dirsync:AAAA").await;
    assert!(
        matches!(bad, Err(ConnectorError::WatermarkExpired { .. })),
        "{bad:?}"
    );
}

/// A DirSync cookie only brings what changed after it: when the attributes read change (a
/// rule now reads one more), the old watermark is refused and the engine reads in full.
#[tokio::test]
async fn a_watermark_taken_with_other_attributes_is_expired() {
    let server = ad();
    let (ou, _, _) = seed(server, "attrs", 2);
    let mut narrow = settings(server, &ou);
    narrow.attributes = vec!["displayName".to_owned()];
    let mut c = LdapConnector::new("ad", narrow.clone());
    let full = c.full_import().await.expect("full import");
    let mark = full.watermark.expect("a DirSync watermark");
    // The same attributes: the watermark serves, in any order or case.
    narrow.attributes = vec!["DISPLAYNAME".to_owned()];
    let mut same = LdapConnector::new("ad", narrow.clone());
    assert!(same.delta_import(&mark).await.is_ok());
    // One more attribute: expired.
    narrow.attributes.push("department".to_owned());
    let mut wider = LdapConnector::new("ad", narrow);
    let again = wider.delta_import(&mark).await;
    assert!(
        matches!(again, Err(ConnectorError::WatermarkExpired { .. })),
        "{again:?}"
    );
}

#[tokio::test]
async fn filter_values_cannot_inject() {
    let server = ad();
    let (ou, _, _) = seed(server, "inject", 2);
    let mut s = settings(server, &ou);
    s.object_classes = vec!["*)(objectClass=*".to_owned()];
    assert_eq!(s.filter(), r"(objectClass=\2a\29\28objectClass=\2a)");
    let batch = LdapConnector::new("ad", s)
        .full_import()
        .await
        .expect("import");
    assert!(
        batch.entries.is_empty(),
        "the injected filter matched {}",
        batch.entries.len()
    );
}

#[tokio::test]
async fn ldaps_is_verified_against_the_ca_file() {
    let server = ad();
    let (ou, _, _) = seed(server, "tls", 1);
    let mut s = settings(server, &ou);
    s.url = server.ldaps.clone().unwrap();
    s.ca_file = server.ca.clone();
    let ok = LdapConnector::new("ad", s.clone())
        .full_import()
        .await
        .expect("ldaps with ca-file");
    assert_eq!(ok.entries.len(), 2);
    s.ca_file = None; // the system roots do not know the test CA
    s.timeout = std::time::Duration::from_secs(5);
    let err = LdapConnector::new("ad", s.clone())
        .full_import()
        .await
        .expect_err("unverified");
    assert!(matches!(err, ConnectorError::Unavailable { .. }), "{err}");
    s.tls_insecure = true;
    assert!(LdapConnector::new("ad", s).full_import().await.is_ok());
}

/// StartTLS on the plain port: verified against the CA file like ldaps, refused without it.
#[tokio::test]
async fn start_tls_is_verified_against_the_ca_file() {
    let server = ad();
    let (ou, _, _) = seed(server, "starttls", 1);
    let mut s = settings(server, &ou);
    s.start_tls = true;
    s.ca_file = server.ca.clone();
    let ok = LdapConnector::new("ad", s.clone())
        .full_import()
        .await
        .expect("StartTLS with ca-file");
    assert_eq!(ok.entries.len(), 2);
    s.ca_file = None;
    s.timeout = std::time::Duration::from_secs(5);
    let err = LdapConnector::new("ad", s)
        .full_import()
        .await
        .expect_err("unverified");
    assert!(matches!(err, ConnectorError::Unavailable { .. }), "{err}");
}

/// A directory that does not answer is retried, then unavailable, with the attempts named.
#[tokio::test]
async fn an_unreachable_directory_is_retried_then_unavailable() {
    let server = ad();
    let mut s = settings(server, &server.base);
    // A loopback port nothing listens on: every connection is refused at once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    s.url = format!("ldap://127.0.0.1:{port}");
    let started = std::time::Instant::now();
    let err = LdapConnector::new("ad", s)
        .full_import()
        .await
        .expect_err("nothing listens");
    assert!(matches!(err, ConnectorError::Unavailable { .. }), "{err}");
    assert!(err.to_string().contains("attempts"), "{err}");
    // The backoff between the three attempts was waited for (500 ms, then 1 s).
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(1400),
        "{:?}",
        started.elapsed()
    );
    assert!(!err.to_string().contains(&server.password));
}

#[tokio::test]
async fn the_password_never_shows() {
    let server = ad();
    let mut s = settings(server, &server.base);
    let secret = "Wr0ng!Secret-Passw0rd";
    s.password = Secret::new(secret);
    let c = LdapConnector::new("ad", s.clone());
    assert!(!format!("{s:?} {c:?}").contains(secret));
    let mut c = c;
    let err = c.full_import().await.expect_err("bad password");
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("49"), "{shown}");
    assert!(!shown.contains(secret), "{shown}");
    assert!(!shown.contains(&server.password));
}
