//! The sync semantics, one scenario each: rules + imported objects → metaverse and pending
//! exports.

mod common;

use common::*;
use syncrules_engine::connector::{Change, ExportOp};
use syncrules_engine::model::State;
use syncrules_lang::Value;

fn provision_person(extra: &str) -> String {
    rule(
        "In from AD",
        "inbound",
        "ad",
        "user",
        "person",
        10,
        &format!(
            "link: provision\njoin:\n  - - source: objectGUID\n      target: objectGUID\n{extra}"
        ),
    )
}

const FLOWS: &str = "flows:\n  - target: objectGUID\n    source: objectGUID\n  - target: displayName\n    expression: Trim([cn])\n";

fn user(cn: &str, guid: &str, attrs: &[(&str, Value)]) -> syncrules_engine::connector::ImportEntry {
    let mut all = vec![("cn", Value::from(cn)), ("objectGUID", Value::from(guid))];
    all.extend(attrs.iter().cloned());
    obj(&format!("CN={cn},DC=x"), guid, "user", &all)
}

#[test]
fn scoping_decides_which_objects_project() {
    let scope = "scope:\n  - - attribute: department\n      operator: equal\n      value: Sales\n  - - attribute: title\n      operator: starts-with\n      value: Chief\n";
    let plan = scenario_plan(&[provision_person(&format!("{scope}{FLOWS}"))]);
    let mut state = State::default();
    let r = import_and_sync(
        &mut state,
        &plan,
        "ad",
        vec![
            user("a", "g1", &[("department", "sales".into())]),
            user("b", "g2", &[("department", "IT".into())]),
            user("c", "g3", &[("title", "Chief Executive".into())]),
        ],
        true,
    );
    assert_eq!(r.projected, 2);
    assert_eq!(
        mv_values(&state, "displayName"),
        [Value::from("a"), Value::from("c")]
    );
}

#[test]
fn join_groups_are_tried_in_order_and_need_exactly_one_match() {
    let hr = rule(
        "In from HR",
        "inbound",
        "hr",
        "worker",
        "person",
        5,
        "link: provision\njoin:\n  - - source: id\n      target: employeeID\nflows:\n  - target: employeeID\n    source: id\n  - target: mail\n    source: mail\n",
    );
    let ad = rule(
        "In from AD",
        "inbound",
        "ad",
        "user",
        "person",
        10,
        "link: join\njoin:\n  - - source: employeeID\n      target: employeeID\n  - - source: mail\n      target: mail\nflows:\n  - target: displayName\n    source: cn\n",
    );
    let plan = scenario_plan(&[hr, ad]);
    let mut state = State::default();
    import_and_sync(
        &mut state,
        &plan,
        "hr",
        vec![
            obj(
                "w1",
                "w1",
                "worker",
                &[("id", "1".into()), ("mail", "a@x".into())],
            ),
            obj(
                "w2",
                "w2",
                "worker",
                &[("id", "2".into()), ("mail", "b@x".into())],
            ),
            obj(
                "w3",
                "w3",
                "worker",
                &[("id", "2".into()), ("mail", "c@x".into())],
            ),
        ],
        true,
    );
    assert_eq!(state.metaverse.objects.len(), 3);
    let r = import_and_sync(
        &mut state,
        &plan,
        "ad",
        vec![
            // First group: one person has employeeID 1.
            user("a", "g1", &[("employeeID", "1".into())]),
            // First group: two people have employeeID 2, so the second group decides.
            user(
                "c",
                "g3",
                &[("employeeID", "2".into()), ("mail", "C@X".into())],
            ),
            // No group matches: a join rule never projects.
            user("z", "g9", &[("employeeID", "9".into())]),
        ],
        true,
    );
    assert_eq!(r.joined, 2);
    assert_eq!(r.projected, 0);
    assert_eq!(
        mv_values(&state, "displayName"),
        [Value::from("a"), Value::Null, Value::from("c")]
    );
}

#[test]
fn two_join_rules_with_different_criteria_in_scope_fail_that_object_only() {
    let a = rule(
        "Join A",
        "inbound",
        "ad",
        "user",
        "person",
        10,
        "link: provision\njoin:\n  - - source: objectGUID\n      target: objectGUID\nflows:\n  - target: objectGUID\n    source: objectGUID\n",
    );
    let b = rule(
        "Join B",
        "inbound",
        "ad",
        "user",
        "person",
        20,
        "scope:\n  - - attribute: mail\n      operator: is-not-null\njoin:\n  - - source: mail\n      target: mail\n",
    );
    let plan = scenario_plan(&[a, b]);
    let mut state = State::default();
    let r = import_and_sync(
        &mut state,
        &plan,
        "ad",
        vec![
            user("a", "g1", &[("mail", "a@x".into())]),
            user("b", "g2", &[]),
        ],
        true,
    );
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].object, "CN=a,DC=x");
    assert!(
        r.errors[0].message.contains("join on different criteria"),
        "{:?}",
        r.errors
    );
    assert_eq!(r.projected, 1);
}

#[test]
fn provision_sticky_join_and_join_lifecycles() {
    let scoped = |name: &str, link: &str| {
        rule(
            name,
            "inbound",
            "ad",
            "user",
            "person",
            if link == "provision" { 10 } else { 11 },
            &format!(
                "link: {link}\nscope:\n  - - attribute: enabled\n      operator: equal\n      value: 'yes'\njoin:\n  - - source: objectGUID\n      target: objectGUID\n{FLOWS}"
            ),
        )
    };
    // Provision: leaving scope deletes the metaverse object.
    let plan = scenario_plan(&[scoped("P", "provision")]);
    let mut state = State::default();
    import_and_sync(
        &mut state,
        &plan,
        "ad",
        vec![user("a", "g1", &[("enabled", "yes".into())])],
        true,
    );
    assert_eq!(state.metaverse.objects.len(), 1);
    let r = import_and_sync(
        &mut state,
        &plan,
        "ad",
        vec![user("a", "g1", &[("enabled", "no".into())])],
        true,
    );
    assert_eq!((r.disconnected, r.deleted), (1, 1));
    assert!(state.metaverse.objects.is_empty());

    // Sticky join: once joined, the object lives until the source is deleted.
    let sticky = rule(
        "S",
        "inbound",
        "ad",
        "user",
        "person",
        11,
        "link: sticky-join\nscope:\n  - - attribute: enabled\n      operator: equal\n      value: 'yes'\njoin:\n  - - source: objectGUID\n      target: objectGUID\n",
    );
    let hr = rule(
        "H",
        "inbound",
        "hr",
        "worker",
        "person",
        5,
        "link: provision\njoin:\n  - - source: guid\n      target: objectGUID\nflows:\n  - target: objectGUID\n    source: guid\n",
    );
    let plan = scenario_plan(&[sticky, hr]);
    let mut state = State::default();
    import_and_sync(
        &mut state,
        &plan,
        "hr",
        vec![obj("w", "w", "worker", &[("guid", "g1".into())])],
        true,
    );
    import_and_sync(
        &mut state,
        &plan,
        "ad",
        vec![user("a", "g1", &[("enabled", "yes".into())])],
        true,
    );
    let m = state.metaverse.objects.values().next().unwrap();
    assert!(m.anchored_by.contains("ad"));
    // HR drops the worker: the sticky AD link keeps the person alive.
    import_and_sync(&mut state, &plan, "hr", vec![], true);
    assert_eq!(state.metaverse.objects.len(), 1);
    // Leaving the sticky rule's scope does not matter either; deleting the source does.
    import_and_sync(
        &mut state,
        &plan,
        "ad",
        vec![user("a", "g1", &[("enabled", "no".into())])],
        true,
    );
    assert_eq!(state.metaverse.objects.len(), 1);
    let r = import_and_sync(&mut state, &plan, "ad", vec![], true);
    assert_eq!(r.deleted, 1);
    assert!(state.metaverse.objects.is_empty());
}

#[test]
fn precedence_with_null_authoritative_null_and_ignore_this_flow() {
    let hr = rule(
        "HR",
        "inbound",
        "hr",
        "worker",
        "person",
        5,
        "link: provision\njoin:\n  - - source: guid\n      target: objectGUID\nflows:\n  - target: objectGUID\n    source: guid\n  - target: title\n    expression: IIF([title] = \"-\", AuthoritativeNull, IIF([title] = \"?\", IgnoreThisFlow, IIF(IsPresent([title]), [title], NULL)))\n",
    );
    let ad = rule(
        "AD",
        "inbound",
        "ad",
        "user",
        "person",
        10,
        "join:\n  - - source: objectGUID\n      target: objectGUID\nflows:\n  - target: title\n    source: title\n",
    );
    let plan = scenario_plan(&[hr, ad]);
    let run = |hr_title: Option<&str>, ad_title: &str| {
        let mut state = State::default();
        let mut w = vec![("guid", Value::from("g1"))];
        if let Some(t) = hr_title {
            w.push(("title", t.into()));
        }
        import_and_sync(
            &mut state,
            &plan,
            "hr",
            vec![obj("w", "w", "worker", &w)],
            true,
        );
        import_and_sync(
            &mut state,
            &plan,
            "ad",
            vec![user("a", "g1", &[("title", ad_title.into())])],
            true,
        );
        mv_values(&state, "title").remove(0)
    };
    // The higher-precedence HR value wins.
    assert_eq!(run(Some("Boss"), "Clerk"), Value::from("Boss"));
    // NULL lets the lower rule contribute.
    assert_eq!(run(None, "Clerk"), Value::from("Clerk"));
    // AuthoritativeNull removes the value and stops lower rules.
    assert_eq!(run(Some("-"), "Clerk"), Value::Null);
    // IgnoreThisFlow: as if the flow did not exist.
    assert_eq!(run(Some("?"), "Clerk"), Value::from("Clerk"));
}

#[test]
fn merge_types_union_contributions() {
    for (merge, expected) in [
        ("merge", vec!["SMTP:a@x", "smtp:b@x", "smtp:A@X"]),
        ("merge-case-insensitive", vec!["SMTP:a@x", "smtp:b@x"]),
        ("update", vec!["SMTP:a@x", "smtp:b@x"]),
        ("replace", vec!["SMTP:a@x", "smtp:b@x"]),
    ] {
        let hr = rule(
            "HR",
            "inbound",
            "hr",
            "worker",
            "person",
            5,
            &format!(
                "link: provision\njoin:\n  - - source: guid\n      target: objectGUID\nflows:\n  - target: objectGUID\n    source: guid\n  - target: proxyAddresses\n    source: proxyAddresses\n    merge: {merge}\n"
            ),
        );
        let ad = rule(
            "AD",
            "inbound",
            "ad",
            "user",
            "person",
            10,
            &format!(
                "join:\n  - - source: objectGUID\n      target: objectGUID\nflows:\n  - target: proxyAddresses\n    source: proxyAddresses\n    merge: {merge}\n"
            ),
        );
        let plan = scenario_plan(&[hr, ad]);
        let mut state = State::default();
        let mv = |v: &[&str]| Value::multi(v.iter().map(|s| Value::from(*s)).collect());
        import_and_sync(
            &mut state,
            &plan,
            "hr",
            vec![obj(
                "w",
                "w",
                "worker",
                &[
                    ("guid", "g1".into()),
                    ("proxyAddresses", mv(&["SMTP:a@x", "smtp:b@x"])),
                ],
            )],
            true,
        );
        import_and_sync(
            &mut state,
            &plan,
            "ad",
            vec![user(
                "a",
                "g1",
                &[("proxyAddresses", mv(&["smtp:A@X", "smtp:b@x"]))],
            )],
            true,
        );
        assert_eq!(
            mv_values(&state, "proxyAddresses"),
            [mv(&expected)],
            "{merge}"
        );
    }
}

#[test]
fn apply_once_sets_a_value_only_when_the_object_is_created() {
    let p = rule(
        "P",
        "inbound",
        "ad",
        "user",
        "person",
        10,
        "link: provision\njoin:\n  - - source: objectGUID\n      target: objectGUID\nflows:\n  - target: objectGUID\n    source: objectGUID\n  - target: createdTitle\n    source: title\n    apply-once: true\n  - target: title\n    source: title\n",
    );
    let plan = scenario_plan(&[p]);
    let mut state = State::default();
    import_and_sync(
        &mut state,
        &plan,
        "ad",
        vec![user("a", "g1", &[("title", "Clerk".into())])],
        true,
    );
    import_and_sync(
        &mut state,
        &plan,
        "ad",
        vec![user("a", "g1", &[("title", "Boss".into())])],
        true,
    );
    assert_eq!(mv_values(&state, "title"), [Value::from("Boss")]);
    assert_eq!(mv_values(&state, "createdTitle"), [Value::from("Clerk")]);
}

#[test]
fn error_flows_fail_their_object_and_the_others_proceed() {
    let p = rule(
        "P",
        "inbound",
        "ad",
        "user",
        "person",
        10,
        "link: provision\njoin:\n  - - source: objectGUID\n      target: objectGUID\nflows:\n  - target: objectGUID\n    source: objectGUID\n  - target: upn\n    expression: IIF(IsPresent([sAMAccountName]), [sAMAccountName] & \"@x\", Error(\"AccountName is not present\"))\n",
    );
    let plan = scenario_plan(&[p]);
    let mut state = State::default();
    let r = import_and_sync(
        &mut state,
        &plan,
        "ad",
        vec![
            user("a", "g1", &[("sAMAccountName", "a".into())]),
            user("b", "g2", &[]),
            user("c", "g3", &[("sAMAccountName", "c".into())]),
        ],
        true,
    );
    assert_eq!(r.projected, 2);
    assert_eq!(r.errors.len(), 1);
    let e = &r.errors[0];
    assert_eq!(
        (e.connector.as_str(), e.object.as_str(), e.rule.as_deref()),
        ("ad", "CN=b,DC=x", Some("P"))
    );
    assert_eq!(e.message, "AccountName is not present");
    assert_eq!(
        e.flow.as_deref(),
        Some(&(
            "upn".to_owned(),
            "Error(\"AccountName is not present\")".to_owned()
        ))
    );
    assert_eq!(
        mv_values(&state, "upn"),
        [Value::from("a@x"), Value::from("c@x")]
    );
}

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
    renamed.old_dn = Some("CN=a,DC=x".into());
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

#[test]
fn references_follow_renames_and_deletes() {
    let hr_like = rule(
        "In",
        "inbound",
        "ad",
        "user",
        "person",
        10,
        &format!(
            "link: provision\njoin:\n  - - source: objectGUID\n      target: objectGUID\n{FLOWS}"
        ),
    );
    let groups = rule(
        "In groups",
        "inbound",
        "ad",
        "group",
        "group",
        20,
        "link: provision\njoin:\n  - - source: objectGUID\n      target: objectGUID\nflows:\n  - target: objectGUID\n    source: objectGUID\n  - target: member\n    source: member\n",
    );
    let plan = scenario_plan(&[hr_like, groups]);
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
    renamed.old_dn = Some("CN=a,DC=x".into());
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
