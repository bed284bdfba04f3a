//! The Graph connector end to end, over real loopback HTTP to the Graph double: the sample
//! AD (examples/contoso) synchronised by `syncrules run` with the default rules.
//!
//! What the directory must hold is read from `syncrules preview` of the same configuration
//! (what the engine would export) and mapped with the connector's own name table, not
//! written down here.

#![expect(clippy::panic, reason = "test setup fails loudly")]

mod graph_common;

use std::collections::{BTreeMap, BTreeSet};

use graph_common::{
    ENTRA, SECRET, Setup, double, first, ldif_dn, picture, planned_adds, step, steps, writes,
};
use serde_json::Value;
use syncrules_connectors::graph::map::{self, Kind};
use syncrules_graph_double::{Fault, FaultRule, GraphDouble};

/// Every planned user and group that Graph can hold is there with its mapped
/// properties, manager and members; mail-enabled groups are not (each an error).
fn assert_provisioned(double: &GraphDouble, adds: &[(String, BTreeMap<String, Vec<Value>>)]) {
    let users = double.users();
    let groups = double.groups();
    let ext = graph_common::anchor_extension();
    let mut id_by_dn: BTreeMap<String, String> = BTreeMap::new();
    for (kind, attrs) in adds {
        let anchor = first(attrs, "sourceAnchor").unwrap_or_default();
        let found = users.iter().chain(&groups).find(|o| {
            o.props
                .get("onPremisesImmutableId")
                .or_else(|| o.props.get(&ext))
                == Some(&Value::String(anchor.clone()))
        });
        let mail_enabled =
            kind == "group" && (attrs.contains_key("mail") || attrs.contains_key("proxyAddresses"));
        if mail_enabled {
            assert!(
                found.is_none(),
                "a mail-enabled group was created: {anchor}"
            );
            continue;
        }
        let Some(o) = found else {
            panic!("{kind} with source anchor {anchor} is not in the double");
        };
        id_by_dn.insert(first(attrs, "dn").unwrap_or_default(), o.id.clone());
        let k = if kind == "user" {
            Kind::User
        } else {
            Kind::Group
        };
        for (name, values) in attrs {
            let Some(graph) = map::graph_name(k, name) else {
                continue;
            };
            let held = o.props.get(graph).cloned().unwrap_or(Value::Null);
            let want = match (graph, values.as_slice()) {
                ("businessPhones", v) => Value::Array(v.to_vec()),
                (_, [one]) => one.clone(),
                (_, []) => Value::Null,
                (_, v) => Value::Array(v.to_vec()),
            };
            assert_eq!(held, want, "{kind} {anchor}: `{name}` as `{graph}`");
        }
    }
    for (kind, attrs) in adds {
        let Some(id) = id_by_dn.get(&first(attrs, "dn").unwrap_or_default()) else {
            continue;
        };
        let o = users
            .iter()
            .chain(&groups)
            .find(|o| &o.id == id)
            .unwrap_or_else(|| panic!("{id}"));
        if kind == "user" {
            let want = first(attrs, "manager").and_then(|dn| id_by_dn.get(&dn).cloned());
            assert_eq!(o.manager, want, "manager of {id}");
        } else {
            let edge = |name: &str| -> BTreeSet<String> {
                attrs
                    .get(name)
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m.as_str().and_then(|dn| id_by_dn.get(dn).cloned()))
                    .collect()
            };
            assert_eq!(o.members, edge("member"), "members of group {id}");
            assert_eq!(o.owners, edge("managedBy"), "owners of group {id}");
        }
    }
}

#[test]
fn the_sample_ad_is_provisioned_then_a_second_run_writes_nothing_then_changes_flow() {
    let double = double(None);
    let setup = Setup::new(&double, 1000);
    let adds = planned_adds(&setup);
    assert!(adds.len() > 300, "the sample plans {} adds", adds.len());

    let (out, text) = setup.run("initial");
    assert!(out.status.success(), "{text}");
    let report = steps(&text);
    let export = step(&report, "export", ENTRA).unwrap_or_else(|| panic!("{text}"));
    let errors = export["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors.iter().all(|e| e["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not creatable through Graph")),
        "{errors:?}"
    );
    assert_provisioned(&double, &adds);
    // Writes went through $batch, members and managers by $ref.
    let log = double.log();
    assert!(log.iter().any(|e| e.path.ends_with("/$batch")));
    assert!(
        log.iter()
            .any(|e| e.method == "POST" && e.path.ends_with("/members/$ref"))
    );
    assert!(
        log.iter()
            .any(|e| e.method == "PUT" && e.path.ends_with("/manager/$ref"))
    );
    assert!(
        log.iter()
            .any(|e| e.method == "POST" && e.path.contains("extensionProperties"))
    );

    // Some group has a member Entra refuses (a distribution list or a contact, not
    // creatable through Graph): the import can never show it.
    let refused: BTreeSet<String> = adds
        .iter()
        .filter(|(kind, a)| {
            kind == "group" && (a.contains_key("mail") || a.contains_key("proxyAddresses"))
        })
        .filter_map(|(_, a)| first(a, "dn"))
        .collect();
    assert!(
        adds.iter().any(|(_, a)| a
            .get("member")
            .into_iter()
            .flatten()
            .any(|m| m.as_str().is_some_and(|dn| refused.contains(dn)))),
        "no group of the sample has a refused member"
    );
    // The delta run confirms what was exported: nothing to write, no update reported
    // (not even for the groups with refused members); nor has the next one.
    double.clear_log();
    let (out, text) = setup.run("delta");
    assert!(out.status.success(), "{text}");
    let report = steps(&text);
    let export = step(&report, "export", ENTRA).unwrap_or_else(|| panic!("{text}"));
    assert_eq!(export["updates"], 0, "{export}");
    assert_eq!(export["adds"], 0, "{export}");
    assert_eq!(
        writes(&double.log()).len(),
        0,
        "{:?}",
        writes(&double.log())
    );
    double.clear_log();
    let (out, text) = setup.run("delta");
    assert!(out.status.success(), "{text}");
    let log = double.log();
    assert_eq!(writes(&log).len(), 0, "{:?}", writes(&log));
    assert!(
        log.iter().any(|e| e.path.contains("$deltatoken=")),
        "no delta query"
    );

    // One changed property: one PATCH of that property alone.
    // The subject: a user with a title and a manager whose LDIF record has a plain DN
    // and its objectGUID as the source anchor.
    let ldif = std::fs::read_to_string(setup.path().join("contoso.ldif")).unwrap_or_default();
    let mut users = double.users();
    users.sort_by(|a, b| {
        a.props["userPrincipalName"]
            .to_string()
            .cmp(&b.props["userPrincipalName"].to_string())
    });
    let (subject, dn) = users
        .iter()
        .filter(|u| u.props.contains_key("jobTitle") && u.manager.is_some())
        .find_map(|u| {
            let anchor = u.props["onPremisesImmutableId"]
                .as_str()
                .unwrap_or_default();
            ldif_dn(&ldif, anchor).map(|dn| (u, dn))
        })
        .unwrap_or_else(|| panic!("no user with a title and a plain LDIF record"));
    setup.append_ldif(&format!(
        "dn: {dn}\nchangetype: modify\nreplace: title\ntitle: Chief Graph Tester\n-\n\n"
    ));
    double.clear_log();
    let (out, text) = setup.run("delta");
    assert!(out.status.success(), "{text}");
    let log = double.log();
    let w = writes(&log);
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].method, "PATCH");
    assert!(
        w[0].path.ends_with(&format!("/users/{}", subject.id)),
        "{}",
        w[0].path
    );
    let body: Value =
        serde_json::from_str(w[0].body.as_deref().unwrap_or("{}")).unwrap_or_default();
    assert_eq!(body, serde_json::json!({"jobTitle": "Chief Graph Tester"}));

    // A deletion in AD: one DELETE.
    setup.append_ldif(&format!("dn: {dn}\nchangetype: delete\n\n"));
    double.clear_log();
    let (out, text) = setup.run("delta");
    assert!(out.status.success(), "{text}");
    let log = double.log();
    let deletes: Vec<_> = writes(&log)
        .into_iter()
        .filter(|e| e.method == "DELETE")
        .collect();
    assert_eq!(deletes.len(), 1, "{deletes:?}");
    assert!(deletes[0].path.ends_with(&format!("/users/{}", subject.id)));
    assert!(double.users().iter().all(|u| u.id != subject.id));
    // The deleted manager is gone from its reports.
    assert!(
        double
            .users()
            .iter()
            .all(|u| u.manager.as_deref() != Some(subject.id.as_str()))
    );

    // No secret and no token anywhere in what the runs printed.
    for t in double
        .issued_tokens()
        .iter()
        .map(String::as_str)
        .chain([SECRET])
    {
        assert!(!text.contains(t));
    }
}

#[test]
fn under_a_fault_storm_the_directory_ends_as_without_faults_and_retry_after_is_honoured() {
    let calm = double(None);
    let calm_setup = Setup::new(&calm, 1000);
    let (out, text) = calm_setup.run("initial");
    assert!(out.status.success(), "{text}");
    let (out, text) = calm_setup.run("delta");
    assert!(out.status.success(), "{text}");

    let stormy = double(None);
    let throttle = |s: f64| Fault::Status {
        status: 429,
        retry_after: Some(s),
    };
    for (rule, p) in [
        (FaultRule::new("", "", throttle(0.2)), 0.1),
        (FaultRule::new("", "", throttle(0.05)), 0.05),
        (
            FaultRule::new(
                "",
                "",
                Fault::Status {
                    status: 429,
                    retry_after: None,
                },
            ),
            0.05,
        ),
        (
            FaultRule::new(
                "",
                "",
                Fault::Status {
                    status: 503,
                    retry_after: None,
                },
            ),
            0.03,
        ),
        (
            FaultRule::new(
                "",
                "",
                Fault::Status {
                    status: 504,
                    retry_after: Some(0.1),
                },
            ),
            0.02,
        ),
        (FaultRule::new("", "", throttle(0.15)).in_batch(), 0.15),
    ] {
        stormy.add_fault(rule.probability(p));
    }
    // Two batches are carried out and their answers lost: sent again, their creates meet
    // their own objects and update them.
    stormy.add_fault(FaultRule::new("POST", "/$batch", Fault::Drop).times(2));
    // The token expires once mid-run, after the first writes.
    stormy.add_fault(
        FaultRule::new("PUT", "/manager/$ref", Fault::ExpireTokens)
            .times(1)
            .in_batch(),
    );
    let setup = Setup::new(&stormy, 1000);
    let (out, text) = setup.run("initial");
    assert!(out.status.success(), "{text}");
    // The delta token expires: 410 Gone for users, syncStateNotFound later for groups.
    stormy.add_fault(FaultRule::new("GET", "/users/delta", Fault::DeltaGone).times(1));
    let (out, text) = setup.run("delta");
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("the delta watermark expired: ran a full import"),
        "{text}"
    );
    stormy.add_fault(FaultRule::new("GET", "/groups/delta", Fault::DeltaNotFound).times(1));
    let (out, text) = setup.run("delta");
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("the delta watermark expired: ran a full import"),
        "{text}"
    );

    assert_eq!(picture(&stormy), picture(&calm));

    let log = stormy.log();
    let throttled = log.iter().filter(|e| e.status == 429).count();
    let unavailable = log
        .iter()
        .filter(|e| e.status == 503 || e.status == 504)
        .count();
    let items = log
        .iter()
        .filter(|e| e.status == 429 && e.batch_item.is_some())
        .count();
    let unauthorized = log.iter().filter(|e| e.status == 401).count();
    assert_eq!(log.iter().filter(|e| e.dropped).count(), 2);
    let conflicts = log
        .iter()
        .filter(|e| e.method == "POST" && e.status == 400 && e.batch_item.is_some())
        .count();
    assert!(
        conflicts > 0,
        "no create met its own object after a dropped batch"
    );
    assert!(
        throttled > 20 && unavailable > 0 && items > 10 && unauthorized > 0,
        "the storm did not blow: {throttled} 429, {unavailable} 503/504, {items} item 429, {unauthorized} 401"
    );
    // No retry came before its Retry-After: the next request with the same
    // client-request-id arrived at least that long after the answered one.
    let mut checked = 0;
    for (i, e) in log.iter().enumerate() {
        let (Some(ra), Some(id)) = (e.retry_after, &e.request_id) else {
            continue;
        };
        if let Some(next) = log[i + 1..]
            .iter()
            .find(|n| n.request_id.as_ref() == Some(id))
        {
            assert!(
                next.at - e.at >= ra,
                "{} {} retried after {:.3}s, Retry-After {ra}",
                e.method,
                e.path,
                next.at - e.at
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} retries after a Retry-After");
    for t in stormy
        .issued_tokens()
        .iter()
        .map(String::as_str)
        .chain([SECRET])
    {
        assert!(!text.contains(t));
    }
}
