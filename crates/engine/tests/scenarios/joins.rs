//! Scoping, join groups, and the provision, sticky-join and join link lifecycles.

use crate::common::*;
use crate::{FLOWS, provision_person, user};
use syncrules_engine::model::State;
use syncrules_lang::Value;

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
                "CN=w1",
                "w1",
                "worker",
                &[("id", "1".into()), ("mail", "a@x".into())],
            ),
            obj(
                "CN=w2",
                "w2",
                "worker",
                &[("id", "2".into()), ("mail", "b@x".into())],
            ),
            obj(
                "CN=w3",
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
        vec![obj("CN=w", "w", "worker", &[("guid", "g1".into())])],
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
