//! LDAP exports against the Samba AD DC: add, value-level modify, write-back, rename,
//! delete, retries, and failures per object with their result codes.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

mod ldap_common;

use ldap_common::ad_seed::{seed, settings};
use ldap_common::{ad, search_dns, values};
use syncrules_connector::{Connector, ExportChange, ExportOp, ExportResult, FailureClass};
use syncrules_connectors::ldap::LdapConnector;
use syncrules_lang::Value;
use syncrules_lang::dn::Dn;

fn change(op: ExportOp, dn: &str, attrs: &[(&str, Value)]) -> ExportChange {
    ExportChange {
        op,
        dn: Dn::parse(dn).unwrap(),
        old_dn: None,
        anchor: None,
        object_type: "user".to_owned(),
        attributes: attrs
            .iter()
            .map(|(k, v)| ((*k).into(), v.clone()))
            .collect(),
        retry: false,
    }
}

#[tokio::test]
async fn exports_land_and_fail_per_object() {
    let server = ad();
    let (ou, users, group) = seed(server, "export", 3);
    let mut c = LdapConnector::new("ad", settings(server, &ou));
    let tag = ou
        .rsplit_once('-')
        .unwrap()
        .1
        .split(',')
        .next()
        .unwrap()
        .to_owned();
    let sam = format!("ex{tag}");
    let new_dn = format!("CN={sam},{ou}");
    let guid = Value::bin([7u8; 16]);
    let mut retry_add = change(
        ExportOp::Add,
        &users[0],
        &[
            (
                "sAMAccountName",
                Value::from(users[0].split(['=', ',']).nth(1).unwrap()),
            ),
            ("department", Value::from("Retried")),
        ],
    );
    retry_add.retry = true;
    let mut rename = change(ExportOp::Rename, &format!("CN=moved,{ou}"), &[]);
    rename.old_dn = Some(Dn::parse(&users[2]).unwrap());
    let changes = vec![
        change(
            ExportOp::Add,
            &new_dn,
            &[
                ("sAMAccountName", Value::from(sam.as_str())),
                ("givenName", Value::from("Ex")),
            ],
        ),
        change(
            ExportOp::Update,
            &users[0],
            &[
                ("mS-DS-ConsistencyGuid", guid.clone()),
                ("department", Value::Null),
            ],
        ),
        change(
            ExportOp::Update,
            &group,
            &[(
                "member",
                Value::multi(vec![Value::reference(&users[0]), Value::reference(&new_dn)]),
            )],
        ),
        change(
            ExportOp::Update,
            &format!("CN=nobody,{ou}"),
            &[("department", Value::from("x"))],
        ),
        change(
            ExportOp::Update,
            &users[1],
            &[("userAccountControl", Value::from("not a number"))],
        ),
        retry_add,
        rename,
        change(ExportOp::Delete, &users[1], &[]),
    ];
    let results = c.export(&changes).await.expect("export");
    assert!(
        matches!(&results[0], ExportResult::Done { anchor: Some(a) } if a.len() == 24),
        "{results:?}"
    );
    assert_eq!(results[1], ExportResult::Done { anchor: None });
    assert_eq!(results[2], ExportResult::Done { anchor: None });
    assert!(
        matches!(&results[3], ExportResult::Failed { class: FailureClass::NoSuchObject, message } if message.contains("32")),
        "{:?}",
        results[3]
    );
    assert!(
        matches!(
            &results[4],
            ExportResult::Failed {
                class: FailureClass::InvalidValue | FailureClass::Other,
                ..
            }
        ),
        "{:?}",
        results[4]
    );
    assert!(
        matches!(&results[5], ExportResult::Done { anchor: Some(_) }),
        "{:?}",
        results[5]
    );
    assert_eq!(results[6], ExportResult::Done { anchor: None });
    assert_eq!(results[7], ExportResult::Done { anchor: None });
    // Visible through ldapsearch.
    assert_eq!(
        values(server, &users[0], "mS-DS-ConsistencyGuid"),
        vec!["BwcHBwcHBwcHBwcHBwcHBw==".to_owned()]
    );
    assert_eq!(
        values(server, &users[0], "department"),
        vec!["Retried".to_owned()]
    );
    let mut members = values(server, &group, "member");
    members.sort();
    let mut want = vec![users[0].clone(), new_dn.clone()];
    want.sort();
    assert_eq!(members, want);
    assert_eq!(search_dns(server, &ou, "(cn=moved)").len(), 1);
    assert!(
        search_dns(server, &ou, "(objectClass=user)")
            .iter()
            .all(|d| !d.eq_ignore_ascii_case(&users[1]))
    );
}
