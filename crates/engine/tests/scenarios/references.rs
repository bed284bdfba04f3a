//! Reference attributes (group members) following renames and deletes of what they name.

use crate::common::*;
use crate::{FLOWS, user};
use syncrules_engine::connector::Change;
use syncrules_engine::model::State;
use syncrules_lang::Value;
use syncrules_lang::dn::Dn;

#[test]
fn references_follow_renames_and_deletes() {
    let plan = scenario_plan(&ad_rules());
    let mut state = State::default();
    let group = |members: &[&str]| {
        obj(
            "CN=g,DC=x",
            "grp",
            "group",
            &[
                ("objectGUID", "grp".into()),
                (
                    "member",
                    Value::multi(members.iter().map(Value::reference).collect()),
                ),
            ],
        )
    };
    import_and_sync(
        &mut state,
        &plan,
        "ad",
        vec![
            user("a", "g1", &[]),
            user("b", "g2", &[]),
            group(&["CN=a,DC=x", "CN=b,DC=x"]),
        ],
        true,
    );
    let members = |state: &State| {
        let g = state
            .metaverse
            .objects
            .values()
            .find(|m| m.object_type == "group")
            .unwrap();
        g.attributes["member"].values().len()
    };
    assert_eq!(members(&state), 2);
    // a is renamed; the directory has not rewritten the group's member value yet.
    let mut renamed = user("a2", "g1", &[]);
    renamed.change = Change::Modify;
    renamed.old_dn = Some(Dn::parse("CN=a,DC=x").unwrap());
    import_and_sync(&mut state, &plan, "ad", vec![renamed], false);
    let mut touched_group = group(&["CN=a,DC=x", "CN=b,DC=x"]);
    touched_group.change = Change::Modify;
    import_and_sync(&mut state, &plan, "ad", vec![touched_group], false);
    assert_eq!(
        members(&state),
        2,
        "the old DN still names the renamed user"
    );
    // b is deleted: the reference goes with it.
    let mut gone = user("b", "g2", &[]);
    gone.change = Change::Delete;
    let mut touched_group = group(&["CN=a2,DC=x", "CN=b,DC=x"]);
    touched_group.change = Change::Modify;
    import_and_sync(&mut state, &plan, "ad", vec![gone, touched_group], false);
    assert_eq!(members(&state), 1);
}

/// The source's inbound rules: users and groups projected, joined by objectGUID, members
/// flowing.
fn ad_rules() -> Vec<String> {
    vec![
        rule(
            "In",
            "inbound",
            "ad",
            "user",
            "person",
            10,
            &format!(
                "link: provision\njoin:\n  - - source: objectGUID\n      target: objectGUID\n{FLOWS}"
            ),
        ),
        rule(
            "In groups",
            "inbound",
            "ad",
            "group",
            "group",
            20,
            "link: provision\njoin:\n  - - source: objectGUID\n      target: objectGUID\nflows:\n  - target: objectGUID\n    source: objectGUID\n  - target: member\n    source: member\n",
        ),
    ]
}

/// The target's outbound rules for users and groups, members flowing.
fn cloud_rules() -> Vec<String> {
    let provision = |name: &str, source: &str, target: &str, p: i64, flows: &str| {
        rule(
            name,
            "outbound",
            "cloud",
            source,
            target,
            p,
            &format!(
                "link: provision\njoin:\n  - - source: objectGUID\n      target: anchor\nflows:\n  - target: dn\n    expression: '\"CN=\" & [objectGUID] & \",OU=cloud\"'\n  - target: anchor\n    source: objectGUID\n{flows}"
            ),
        )
    };
    vec![
        provision("Out users", "person", "user", 50, ""),
        provision(
            "Out groups",
            "group",
            "group",
            60,
            "  - target: member\n    source: member\n",
        ),
    ]
}

#[test]
fn a_member_the_target_refused_to_create_stays_out_of_the_group_until_it_exists() {
    use syncrules_engine::connector::ExportOp;
    use syncrules_engine::model::ExportError;
    let mut rules = ad_rules();
    rules.extend(cloud_rules());
    let plan = scenario_plan(&rules);
    let mut state = State::default();
    let group = obj(
        "CN=g,DC=x",
        "grp",
        "group",
        &[
            ("objectGUID", "grp".into()),
            (
                "member",
                Value::multi(vec![
                    Value::reference("CN=a,DC=x"),
                    Value::reference("CN=b,DC=x"),
                ]),
            ),
        ],
    );
    import_and_sync(
        &mut state,
        &plan,
        "ad",
        vec![user("a", "ga", &[]), user("b", "gb", &[]), group],
        true,
    );
    let dn = |guid: &str| format!("CN={guid},OU=cloud");
    let mut adds = pending(&state, "cloud");
    adds.sort();
    assert_eq!(
        adds,
        vec![
            (ExportOp::Add, dn("ga")),
            (ExportOp::Add, dn("gb")),
            (ExportOp::Add, dn("grp"))
        ]
    );
    // The export: a and the group are created, the group without b, whose create the
    // directory refused (its add stays pending, with its error).
    let space = state.space("cloud");
    for o in space.objects.values_mut() {
        if o.dn == dn("gb") {
            o.export_error = Some(ExportError {
                class: "refused".into(),
                message: "not creatable".into(),
            });
            continue;
        }
        let p = o.pending_export.take().unwrap();
        o.unconfirmed = p.attributes;
        o.anchor = Some(format!("id-{}", o.dn));
    }
    // The confirming import: the group holds a alone.
    let confirmed = |members: &[&str]| {
        let mut g = obj(
            &dn("grp"),
            &format!("id-{}", dn("grp")),
            "group",
            &[
                ("anchor", "grp".into()),
                (
                    "member",
                    Value::multi(members.iter().map(|m| Value::reference(dn(m))).collect()),
                ),
            ],
        );
        g.change = Change::Modify;
        g
    };
    import_and_sync(&mut state, &plan, "cloud", vec![confirmed(&["ga"])], false);
    import_and_sync(&mut state, &plan, "ad", Vec::new(), false);
    // Nothing to export for the group: only b's add, still pending.
    assert_eq!(pending(&state, "cloud"), vec![(ExportOp::Add, dn("gb"))]);

    // b is created at last: the group, synced again while it waited, gets b.
    let space = state.space("cloud");
    for o in space.objects.values_mut().filter(|o| o.dn == dn("gb")) {
        o.pending_export = None;
        o.export_error = None;
        o.anchor = Some("id-b".into());
    }
    import_and_sync(&mut state, &plan, "ad", Vec::new(), false);
    let group = state
        .spaces
        .get("cloud")
        .and_then(|s| s.objects.values().find(|o| o.dn == dn("grp")))
        .and_then(|o| o.pending_export.clone())
        .unwrap();
    assert_eq!(group.op, ExportOp::Update);
    let members: Vec<String> = group.attributes["member"]
        .values()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(members, vec![dn("ga"), dn("gb")]);
}
