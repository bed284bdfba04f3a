//! Group owners and the delta watermark end to end, over loopback HTTP to the Graph
//! double: the sample AD's `managedBy` flows to the Entra groups' owners (the default
//! rules' "Out to Entra - Group Identity"); a changed `managedBy` is one owner removed and
//! one added, then nothing; a full import is a fresh delta round whose deltaLink makes the
//! next delta run read only what changed.

#![expect(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test setup fails loudly"
)]

mod graph_common;

use graph_common::{ENTRA, Setup, anchor_extension, double, ldif_dn, step, steps, writes};
use serde_json::{Value, json};
use syncrules_graph_double::{GraphDouble, Kind, LogEntry};

/// Runs a cycle that must succeed; its step reports.
fn run(setup: &Setup, cycle: &str) -> Vec<Value> {
    let (out, text) = setup.run(cycle);
    assert!(out.status.success(), "{text}");
    steps(&text)
}

fn count(report: &[Value], name: &str, field: &str) -> u64 {
    step(report, name, ENTRA)
        .and_then(|s| s[field].as_u64())
        .unwrap_or_else(|| panic!("no {name} {field} in {report:?}"))
}

fn gets(log: &[LogEntry]) -> Vec<&str> {
    log.iter()
        .filter(|e| e.method == "GET")
        .map(|e| e.path.as_str())
        .collect()
}

/// A group with exactly one owner and a plain LDIF DN, and a user with a plain LDIF DN
/// that does not own it: (group id, group DN, owner id, new owner id, new owner DN).
fn subjects(double: &GraphDouble, ldif: &str) -> (String, String, String, String, String) {
    let ext = anchor_extension();
    let (group, group_dn, owner) = double
        .groups()
        .into_iter()
        .filter(|g| g.owners.len() == 1)
        .find_map(|g| {
            let anchor = g.props.get(&ext)?.as_str()?.to_owned();
            let dn = ldif_dn(ldif, &anchor)?;
            let owner = g.owners.iter().next()?.clone();
            Some((g.id, dn, owner))
        })
        .unwrap_or_else(|| panic!("no group with one owner and a plain LDIF record"));
    let mut users = double.users();
    users.sort_by_key(|u| u.props["userPrincipalName"].to_string());
    let (user, user_dn) = users
        .into_iter()
        .filter(|u| u.id != owner)
        .find_map(|u| {
            let anchor = u.props.get("onPremisesImmutableId")?.as_str()?.to_owned();
            Some((u.id, ldif_dn(ldif, &anchor)?))
        })
        .unwrap_or_else(|| panic!("no user with a plain LDIF record"));
    (group, group_dn, owner, user, user_dn)
}

#[test]
fn managed_by_flows_to_owners_and_a_full_import_leaves_a_cheap_delta() {
    let double = double(None);
    let setup = Setup::new(&double, 1000);
    run(&setup, "initial");
    run(&setup, "delta");
    let owned = double
        .groups()
        .iter()
        .filter(|g| !g.owners.is_empty())
        .count();
    assert!(owned > 1, "{owned} groups with owners");

    // A changed managedBy: the old owner removed, the new one added, nothing else.
    let ldif = std::fs::read_to_string(setup.path().join("contoso.ldif")).unwrap_or_default();
    let (group, group_dn, old, new, new_dn) = subjects(&double, &ldif);
    setup.append_ldif(&format!(
        "dn: {group_dn}\nchangetype: modify\nreplace: managedBy\nmanagedBy: {new_dn}\n-\n\n"
    ));
    double.clear_log();
    let report = run(&setup, "delta");
    assert_eq!(count(&report, "export", "updates"), 1);
    let log = double.log();
    let mut w: Vec<(String, String, Option<String>)> = writes(&log)
        .into_iter()
        .map(|e| (e.method.clone(), e.path.clone(), e.body.clone()))
        .collect();
    w.sort();
    let body: Option<Value> = w
        .get(1)
        .and_then(|x| x.2.as_deref())
        .and_then(|b| serde_json::from_str(b).ok());
    assert_eq!(w.len(), 2, "{w:?}");
    assert_eq!(
        (w[0].0.as_str(), w[0].1.as_str()),
        (
            "DELETE",
            format!("/v1.0/groups/{group}/owners/{old}/$ref").as_str()
        )
    );
    assert_eq!(
        (w[1].0.as_str(), w[1].1.as_str()),
        ("POST", format!("/v1.0/groups/{group}/owners/$ref").as_str())
    );
    assert_eq!(
        body,
        Some(json!({"@odata.id": format!("{}/v1.0/users/{new}", double.base_url())}))
    );
    let owners = double.with_directory(|d| d.get(Kind::Group, &group).map(|g| g.owners.clone()));
    assert_eq!(owners, Some([new.clone()].into()));

    // Nothing changed: nothing written, no update.
    double.clear_log();
    let report = run(&setup, "delta");
    assert_eq!(count(&report, "export", "updates"), 0);
    assert_eq!(writes(&double.log()).len(), 0);

    // A full import: a delta round from scratch (no token; owners from the group list),
    // every object read, and nothing to write: the owners it reads are the ones written.
    double.clear_log();
    let report = run(&setup, "initial");
    let objects = double.users().len() + double.groups().len();
    assert_eq!(count(&report, "full-import", "objects"), objects as u64);
    assert_eq!(count(&report, "export", "updates"), 0);
    let log = double.log();
    assert_eq!(writes(&log).len(), 0, "{:?}", writes(&log));
    let g = gets(&log);
    assert!(
        g.iter()
            .any(|p| p.starts_with("/v1.0/users/delta?$select=")),
        "{g:?}"
    );
    assert!(
        g.iter()
            .any(|p| p.starts_with("/v1.0/groups/delta?$select=")),
        "{g:?}"
    );
    assert!(g.iter().all(|p| !p.contains("$deltatoken=")), "{g:?}");
    assert!(g.iter().any(|p| p.contains("$expand=owners")), "{g:?}");

    // One property changed in Entra: the delta run after the full import reads that user
    // alone (its deltaLinks, one page each, no list), and puts the value back.
    let (user, title) = double
        .users()
        .into_iter()
        .find_map(|u| Some((u.id.clone(), u.props.get("jobTitle")?.clone())))
        .unwrap_or_else(|| panic!("no user with a title"));
    double
        .admin_update(
            Kind::User,
            &user,
            [("jobTitle".to_owned(), json!("Drifted"))]
                .into_iter()
                .collect(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    double.clear_log();
    let report = run(&setup, "delta");
    assert_eq!(count(&report, "delta-import", "objects"), 1);
    let log = double.log();
    let g = gets(&log);
    let rounds: Vec<&&str> = g.iter().filter(|p| p.contains("/delta")).collect();
    assert_eq!(rounds.len(), 2, "{g:?}");
    assert!(rounds.iter().all(|p| p.contains("$deltatoken=")), "{g:?}");
    assert!(
        g.iter()
            .all(|p| !p.contains("$skiptoken=") && !p.contains("$expand")),
        "{g:?}"
    );
    let w = writes(&log);
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].path, format!("/v1.0/users/{user}"));
    let body: Value =
        serde_json::from_str(w[0].body.as_deref().unwrap_or("{}")).unwrap_or_default();
    assert_eq!(body, json!({ "jobTitle": title }));
}
