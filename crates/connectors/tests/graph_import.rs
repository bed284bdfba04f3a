//! The Graph connector's imports of group owners (`managedBy`) against the Graph double:
//! a full import reads them from the group list with `$expand=owners`; a delta import
//! reads the owners of the groups its round reports, one request a group, or from the list
//! when the round reports many groups.

use serde_json::{Map, Value as Json, json};
use syncrules_connector::{Connector, ImportBatch};
use syncrules_connectors::graph::map::{self, Kind as MapKind};
use syncrules_connectors::graph::{GraphConnector, GraphSettings, Secret};
use syncrules_graph_double::{Config, GraphDouble, Kind};
use syncrules_lang::Value;

/// More groups than a delta import reads one by one.
const GROUPS: usize = 105;

fn props(pairs: &[(&str, Json)]) -> Map<String, Json> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn connector(double: &GraphDouble) -> GraphConnector {
    let c = Config::default();
    let mut s = GraphSettings::new(
        "contoso.onmicrosoft.com",
        &c.client_id,
        Secret::new(&c.client_secret),
    );
    s.token_url = double.base_url().to_owned();
    s.graph_url = double.base_url().to_owned();
    GraphConnector::new("entra", s)
}

/// Each group's `managedBy` in a batch, by group id.
fn managed_by(batch: &ImportBatch) -> Vec<(String, Option<Value>)> {
    let mut out: Vec<(String, Option<Value>)> = batch
        .entries
        .iter()
        .filter(|e| e.object_type == "group")
        .map(|e| {
            (
                e.anchor.clone().unwrap_or_default(),
                e.attributes.get("managedBy").cloned(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn owners_are_imported_from_the_list_or_group_by_group() {
    let double = GraphDouble::start(Config::default()).unwrap_or_else(|e| panic!("{e}"));
    let user = |name: &str, anchor: &str| {
        let id = double
            .seed(
                Kind::User,
                props(&[
                    ("userPrincipalName", json!(format!("{name}@contoso.com"))),
                    ("displayName", json!(name)),
                    ("mailNickname", json!(name)),
                    ("onPremisesImmutableId", json!(anchor)),
                ]),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let dn = map::dn_for(MapKind::User, Some(anchor), &id);
        (id, Value::Ref(dn.into()))
    };
    let (ann, ann_dn) = user("ann", "YW5u");
    let (bob, bob_dn) = user("bob", "Ym9i");
    let mut groups = Vec::new();
    for i in 0..GROUPS {
        let g = double
            .seed(
                Kind::Group,
                props(&[
                    ("displayName", json!(format!("G{i}"))),
                    ("mailNickname", json!(format!("g{i}"))),
                    ("mailEnabled", json!(false)),
                    ("securityEnabled", json!(true)),
                ]),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        double
            .with_directory(|d| d.add_owner(&g, &ann))
            .unwrap_or_else(|e| panic!("{e:?}"));
        groups.push(g);
    }
    groups.sort();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut c = connector(&double);

    // Full: every group's owner, from the list.
    let full = rt
        .block_on(c.full_import())
        .unwrap_or_else(|e| panic!("{e}"));
    let want: Vec<(String, Option<Value>)> = groups
        .iter()
        .map(|g| (g.clone(), Some(ann_dn.clone())))
        .collect();
    assert_eq!(managed_by(&full), want);
    let log = double.log();
    assert!(log.iter().any(|e| e.path.contains("$expand=owners")));
    assert!(!log.iter().any(|e| e.path.ends_with("/owners?$select=id")));

    // Every group changed, one of them changing owner: read from the list again.
    let first = groups.first().cloned().unwrap_or_default();
    double.with_directory(|d| {
        for g in &groups {
            d.update(Kind::Group, g, props(&[("description", json!("x"))]), false)
                .unwrap_or_else(|e| panic!("{e:?}"));
        }
        d.remove_owner(&first, &ann)
            .and_then(|()| d.add_owner(&first, &bob))
            .unwrap_or_else(|e| panic!("{e:?}"));
    });
    double.clear_log();
    let watermark = full.watermark.clone().unwrap_or_default();
    let delta = rt
        .block_on(c.delta_import(&watermark))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut want: Vec<(String, Option<Value>)> = groups
        .iter()
        .map(|g| (g.clone(), Some(ann_dn.clone())))
        .collect();
    if let Some(w) = want.first_mut() {
        w.1 = Some(bob_dn.clone());
    }
    assert_eq!(managed_by(&delta), want);
    let log = double.log();
    assert!(log.iter().any(|e| e.path.contains("$expand=owners")));
    assert!(!log.iter().any(|e| e.path.ends_with("/owners?$select=id")));

    // One group changed, its last owner removed: read alone; null removes managedBy.
    double.with_directory(|d| {
        d.update(
            Kind::Group,
            &first,
            props(&[("description", json!("y"))]),
            false,
        )
        .and_then(|()| d.remove_owner(&first, &bob))
        .unwrap_or_else(|e| panic!("{e:?}"));
    });
    double.clear_log();
    let watermark = delta.watermark.clone().unwrap_or_default();
    let one = rt
        .block_on(c.delta_import(&watermark))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(managed_by(&one), vec![(first.clone(), Some(Value::Null))]);
    let log = double.log();
    assert!(!log.iter().any(|e| e.path.contains("$expand")));
    assert!(
        log.iter()
            .any(|e| e.path == format!("/v1.0/groups/{first}/owners?$select=id"))
    );
}
