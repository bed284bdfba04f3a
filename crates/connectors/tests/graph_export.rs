//! The Graph connector's exports against the Graph double, one case at a time: soft match,
//! a retried create, a duplicate UPN, an object mastered on premises, 401 handling,
//! `$batch` limits, and a client secret that never shows.

#![expect(clippy::panic, clippy::unwrap_used, reason = "test setup fails loudly")]

use serde_json::{Map, Value as Json, json};
use syncrules_connector::{Connector, ExportChange, ExportOp, ExportResult, FailureClass};
use syncrules_connectors::graph::{GraphConnector, GraphSettings, Secret};
use syncrules_graph_double::{Config, Fault, FaultRule, GraphDouble, Kind};
use syncrules_lang::Value;
use syncrules_lang::dn::Dn;
use syncrules_lang::name::AttrMap;

const SECRET: &str = "connector-test-secret-9f3";

fn start() -> GraphDouble {
    let config = Config {
        client_secret: SECRET.into(),
        ..Config::default()
    };
    GraphDouble::start(config).unwrap_or_else(|e| panic!("{e}"))
}

fn connector(double: &GraphDouble) -> GraphConnector {
    let mut s = GraphSettings::new(
        "contoso.onmicrosoft.com",
        &Config::default().client_id,
        Secret::new(SECRET),
    );
    s.token_url = double.base_url().to_owned();
    s.graph_url = double.base_url().to_owned();
    s.writes_per_second = 500.0;
    GraphConnector::new("entra", s)
}

fn user(anchor: &str, upn: &str) -> ExportChange {
    let attrs: AttrMap = [
        ("sourceAnchor", Value::str(anchor)),
        ("userPrincipalName", Value::str(upn)),
        ("displayName", Value::str("Test User")),
        ("accountEnabled", Value::Bool(true)),
        ("title", Value::str("Tester")),
    ]
    .into_iter()
    .map(|(k, v)| (k.into(), v))
    .collect();
    ExportChange {
        op: ExportOp::Add,
        dn: Dn::parse(&format!(
            "CN={{{}}}",
            anchor
                .bytes()
                .map(|b| format!("{b:02X}"))
                .collect::<String>()
        ))
        .unwrap(),
        old_dn: None,
        anchor: None,
        object_type: "user".into(),
        attributes: attrs,
        retry: false,
    }
}

fn props(pairs: &[(&str, Json)]) -> Map<String, Json> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).into(), v.clone()))
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_create_sent_again_finds_its_object_instead_of_failing_or_duplicating() {
    let double = start();
    let mut c = connector(&double);
    let rt = runtime();
    let first = rt
        .block_on(c.export(&[user("QUJD", "ann@contoso.com")]))
        .unwrap_or_else(|e| panic!("{e}"));
    let Some(ExportResult::Done { anchor: Some(id) }) = first.first().cloned() else {
        panic!("{first:?}");
    };
    // The answer was lost; the engine sends the change again, marked as in doubt.
    let mut again = user("QUJD", "ann@contoso.com");
    again.retry = true;
    let mut c = connector(&double);
    let second = rt
        .block_on(c.export(&[again]))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        second,
        vec![ExportResult::Done {
            anchor: Some(id.clone())
        }]
    );
    assert_eq!(double.users().len(), 1);
    let log = double.log();
    assert!(
        log.iter()
            .any(|e| e.method == "POST" && e.path == "/v1.0/users" && e.status == 400)
    );
    assert!(
        log.iter()
            .any(|e| e.method == "GET" && e.path.contains("$filter=onPremisesImmutableId"))
    );
    assert!(
        log.iter()
            .any(|e| e.method == "PATCH" && e.path.ends_with(&id))
    );
}

#[test]
fn a_cloud_user_with_the_same_upn_is_soft_matched_and_a_taken_upn_is_the_objects_error() {
    let double = start();
    let cloud = double
        .seed(
            Kind::User,
            props(&[
                ("userPrincipalName", json!("bob@contoso.com")),
                ("displayName", json!("Bob")),
                ("mailNickname", json!("bob")),
                ("accountEnabled", json!(true)),
            ]),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    double
        .seed(
            Kind::User,
            props(&[
                ("userPrincipalName", json!("cy@contoso.com")),
                ("onPremisesImmutableId", json!("b3RoZXI=")),
                ("mailNickname", json!("cy")),
            ]),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    double
        .seed(
            Kind::User,
            props(&[
                ("userPrincipalName", json!("dee@contoso.com")),
                ("onPremisesImmutableId", json!("ZGVl")),
                ("onPremisesSyncEnabled", json!(true)),
                ("mailNickname", json!("dee")),
            ]),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let mut c = connector(&double);
    let mut mastered = user("ZGVl", "dee@contoso.com");
    mastered.op = ExportOp::Update;
    mastered.attributes = [("title".into(), Value::str("Boss"))].into_iter().collect();
    let dee = double
        .users()
        .into_iter()
        .find(|u| u.props["userPrincipalName"] == "dee@contoso.com");
    mastered.anchor = dee.map(|u| u.id);
    let results = runtime()
        .block_on(c.export(&[
            user("Qk9C", "bob@contoso.com"),
            user("Q1k=", "CY@contoso.com"),
            mastered,
        ]))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        results[0],
        ExportResult::Done {
            anchor: Some(cloud.clone())
        }
    );
    let bob = double
        .users()
        .into_iter()
        .find(|u| u.id == cloud)
        .unwrap_or_else(|| panic!("bob"));
    assert_eq!(bob.props["onPremisesImmutableId"], "Qk9C");
    assert_eq!(bob.props["jobTitle"], "Tester");
    assert!(
        matches!(&results[1], ExportResult::Failed { class: FailureClass::DuplicateAttribute, message } if message.contains("ObjectConflict") || message.contains("userPrincipalName")),
        "{:?}",
        results[1]
    );
    assert!(
        matches!(
            &results[2],
            ExportResult::Failed {
                class: FailureClass::Refused,
                ..
            }
        ),
        "{:?}",
        results[2]
    );
    // The refused write was not retried.
    let patches = double
        .log()
        .iter()
        .filter(|e| e.method == "PATCH" && e.status == 400)
        .count();
    assert_eq!(patches, 1);
}

#[test]
fn batches_hold_at_most_twenty_and_a_401_fetches_one_new_token() {
    let double = start();
    double.add_fault(FaultRule::new("POST", "/$batch", Fault::ExpireTokens).times(1));
    let mut c = connector(&double);
    let changes: Vec<ExportChange> = (0..45)
        .map(|i| user(&format!("dXNlcj{i:03}"), &format!("u{i}@contoso.com")))
        .collect();
    let results = runtime()
        .block_on(c.export(&changes))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        results
            .iter()
            .all(|r| matches!(r, ExportResult::Done { anchor: Some(_) })),
        "{results:?}"
    );
    assert_eq!(double.users().len(), 45);
    let log = double.log();
    let tokens = log.iter().filter(|e| e.path.contains("/oauth2/")).count();
    assert_eq!(tokens, 2, "one token, then one after the 401");
    // Batch items are logged with their id inside the batch: never more than 20 a batch.
    let most = log
        .iter()
        .filter_map(|e| {
            e.batch_item
                .as_deref()
                .and_then(|i| i.parse::<usize>().ok())
        })
        .max()
        .unwrap_or(0);
    assert!(most < 20, "a batch item numbered {most}");
}

#[test]
fn a_wrong_secret_is_an_error_that_does_not_show_it() {
    let double = start();
    let mut s = GraphSettings::new(
        "t",
        &Config::default().client_id,
        Secret::new("wrong-secret-xyz"),
    );
    s.token_url = double.base_url().to_owned();
    s.graph_url = double.base_url().to_owned();
    let mut c = GraphConnector::new("entra", s);
    let err = runtime()
        .block_on(c.full_import())
        .err()
        .unwrap_or_else(|| panic!("imported"));
    let text = format!("{err} {err:?} {c:?}");
    assert!(text.contains("refused the client credentials"), "{text}");
    assert!(!text.contains("wrong-secret-xyz"), "{text}");
}
