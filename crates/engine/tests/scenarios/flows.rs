//! Inbound attribute flows: precedence with NULL, AuthoritativeNull and IgnoreThisFlow,
//! merge types, apply-once, and Error(...) flows failing their object.

use crate::common::*;
use crate::user;
use syncrules_engine::model::State;
use syncrules_lang::Value;

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
            vec![obj("CN=w", "w", "worker", &w)],
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
                "CN=w",
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
        Some(&syncrules_engine::sync::FailedFlow {
            target: "upn".to_owned(),
            part: "Error(\"AccountName is not present\")".to_owned()
        })
    );
    assert_eq!(
        mv_values(&state, "upn"),
        [Value::from("a@x"), Value::from("c@x")]
    );
}
