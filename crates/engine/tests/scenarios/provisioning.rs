//! Outbound provisioning to the cloud: deprovisioning and metaverse deletion, renames,
//! and hard-matching an existing cloud object.

use crate::common::*;
use crate::{FLOWS, provision_person, user};
use syncrules_engine::connector::{Change, ExportOp};
use syncrules_engine::model::State;
use syncrules_lang::Value;
use syncrules_lang::dn::Dn;

fn cloud_rules(extra_scope: &str) -> Vec<String> {
    vec![
        provision_person(&format!(
            "{FLOWS}  - target: department\n    source: department\n"
        )),
        rule(
            "Out to cloud",
            "outbound",
            "cloud",
            "person",
            "user",
            50,
            &format!(
                "link: provision\n{extra_scope}join:\n  - - source: objectGUID\n      target: immutableId\nflows:\n  - target: dn\n    expression: '\"CN=\" & [displayName] & \",OU=cloud\"'\n  - target: immutableId\n    source: objectGUID\n  - target: displayName\n    source: displayName\n"
            ),
        ),
    ]
}

#[test]
fn provisioning_deprovisioning_and_metaverse_deletion() {
    let scope =
        "scope:\n  - - attribute: department\n      operator: not-equal\n      value: Gone\n";
    let plan = scenario_plan(&cloud_rules(scope));
    let mut state = State::default();
    import_and_sync(
        &mut state,
        &plan,
        "ad",
        vec![user("a", "g1", &[]), user("b", "g2", &[])],
        true,
    );
    assert_eq!(
        pending(&state, "cloud"),
        [
            (ExportOp::Add, "CN=a,OU=cloud".into()),
            (ExportOp::Add, "CN=b,OU=cloud".into())
        ]
    );
    // Pretend the adds were exported and confirmed.
    for o in state.space("cloud").objects.values_mut() {
        o.pending_export = None;
        o.anchor = Some(format!("cloud-{}", o.id));
    }
    // b leaves the outbound rule's scope: deprovisioned; a is deleted in AD: the person
    // goes, and so does what was provisioned from it.
    let r = import_and_sync(
        &mut state,
        &plan,
        "ad",
        vec![user("b", "g2", &[("department", "Gone".into())])],
        true,
    );
    assert_eq!(r.deleted, 1);
    let mut p = pending(&state, "cloud");
    p.sort();
    assert_eq!(
        p,
        [
            (ExportOp::Delete, "CN=a,OU=cloud".into()),
            (ExportOp::Delete, "CN=b,OU=cloud".into())
        ]
    );
}

#[test]
fn renames_flow_through() {
    let plan = scenario_plan(&cloud_rules(""));
    let mut state = State::default();
    import_and_sync(&mut state, &plan, "ad", vec![user("a", "g1", &[])], true);
    for o in state.space("cloud").objects.values_mut() {
        o.pending_export = None;
        o.anchor = Some("c1".into());
    }
    // AD renames the object: same anchor, new DN and cn.
    let mut renamed = user("a2", "g1", &[]);
    renamed.change = Change::Modify;
    renamed.old_dn = Some(Dn::parse("CN=a,DC=x").unwrap());
    let r = import_and_sync(&mut state, &plan, "ad", vec![renamed], false);
    assert_eq!(r.visited, 1);
    assert_eq!(state.spaces["ad"].objects.len(), 1);
    assert_eq!(
        state.spaces["ad"].objects.values().next().unwrap().dn,
        "CN=a2,DC=x"
    );
    assert_eq!(
        pending(&state, "cloud"),
        [(ExportOp::Rename, "CN=a2,OU=cloud".into())]
    );
    let o = state.spaces["cloud"].objects.values().next().unwrap();
    assert_eq!(
        o.pending_export.as_ref().unwrap().old_dn.as_deref(),
        Some("CN=a,OU=cloud")
    );
}

#[test]
fn outbound_join_hard_matches_an_existing_cloud_object() {
    let plan = scenario_plan(&cloud_rules(""));
    let mut state = State::default();
    // The cloud already has the user (hard match on the anchor value).
    syncrules_engine::import::apply(
        state.space("cloud"),
        syncrules_engine::connector::ImportBatch {
            errors: Vec::new(),
            entries: vec![obj(
                "CN=a,OU=cloud",
                "c1",
                "user",
                &[("immutableId", "g1".into()), ("displayName", "old".into())],
            )],
            watermark: None,
        },
        true,
    );
    import_and_sync(&mut state, &plan, "ad", vec![user("a", "g1", &[])], true);
    assert_eq!(
        pending(&state, "cloud"),
        [(ExportOp::Update, "CN=a,OU=cloud".into())]
    );
    let o = state.spaces["cloud"].objects.values().next().unwrap();
    assert!(!o.provisioned);
    assert_eq!(
        o.pending_export.as_ref().unwrap().attributes["displayName"],
        Value::from("a")
    );
}
