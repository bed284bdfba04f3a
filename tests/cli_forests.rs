//! Two forests into one tenant through the binary, on a copy of `examples/two-forests`:
//! the expected identities come from the generator's manifest (`forests.json`), never from
//! the test. Account-resource pairs become one Entra user, a member from the other forest
//! lands in the Entra group, the same person in both forests is Entra's duplicate-attribute
//! error, and a user migrated across runs stays the same Entra user.

#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]
#![allow(
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a missing object fails the test loudly"
)]

mod common;

use std::path::Path;

use common::{Scratch, append_to, example_config, repo, report_step, run, syncrules, text};
use serde_json::Value as Json;
use syncrules_connectors::file_target::FileTarget;
use syncrules_engine::connector::{Connector as _, ImportEntry};
use syncrules_lang::Value;

const SAMPLE: &[&str] = &[
    "contoso.com.ldif",
    "fabrikam.com.ldif",
    "contoso.com-delta.ldif",
    "fabrikam.com-delta.ldif",
    "forests.json",
];

/// A copy of the sample in a fresh [`Scratch`] folder, the rules by absolute path.
fn sample(name: &str) -> Scratch {
    let dir = Scratch::new(&format!("forests-{name}"));
    let from = repo().join("examples/two-forests");
    for f in SAMPLE {
        std::fs::copy(from.join(f), dir.join(f)).unwrap();
    }
    std::fs::write(dir.join("sync.yaml"), example_config("two-forests")).unwrap();
    dir
}

fn manifest(dir: &Path) -> Json {
    serde_json::from_slice(&std::fs::read(dir.join("forests.json")).unwrap()).unwrap()
}

/// What the Entra folder holds.
fn entra(dir: &Path) -> Vec<ImportEntry> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut t = FileTarget::new("contoso.onmicrosoft.com", dir.join("entra"));
        t.full_import().await.unwrap().entries
    })
}

/// An attribute's single text value.
fn one(e: &ImportEntry, attr: &str) -> Option<String> {
    match e.attributes.get(attr)?.values().first()? {
        Value::Str(s) | Value::Ref(s) => Some(s.to_string()),
        _ => None,
    }
}

/// The Entra objects with this source anchor.
fn by_anchor<'a>(objects: &'a [ImportEntry], anchor: &str) -> Vec<&'a ImportEntry> {
    objects
        .iter()
        .filter(|o| one(o, "sourceAnchor").as_deref() == Some(anchor))
        .collect()
}

/// A manifest object's field as text.
fn field(o: &Json, key: &str) -> String {
    o[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} of {o}"))
        .to_owned()
}

/// Appends a forest's generated changes to its connector's delta file.
fn append_delta(dir: &Path, domain: &str, connector_delta: &str) {
    let changes = std::fs::read_to_string(dir.join(format!("{domain}-delta.ldif"))).unwrap();
    append_to(dir, connector_delta, &changes);
}

fn export_to_entra(out: &std::process::Output) -> Json {
    report_step(out, "contoso.onmicrosoft.com", |s| s == "export")
}

#[test]
fn two_forests_sync_into_one_tenant_with_one_rule_set() {
    let dir = sample("initial");
    let config = dir.join("sync.yaml");
    let check = syncrules(&["check", "--config", config.to_str().unwrap(), "--plan"]);
    assert!(check.status.success(), "{}", text(&check.stderr));
    // Both forests' copies of the join rule, next to each other.
    let plan = text(&check.stdout);
    assert!(plan.contains("inbound fabrikam.com user"), "{plan}");

    initial_cycle_keeps_the_overlaps(&dir);
}

#[test]
fn a_larger_generated_pair_of_forests_keeps_every_overlap() {
    // Twenty account-resource pairs among 500 users a forest: SIDs of one domain are close
    // enough that a join comparing them loosely would take one for another.
    let dir = Scratch::new("forests-gen");
    let out_dir = dir.to_str().unwrap();
    let gen_out = syncrules(&[
        "gen",
        "--users",
        "500",
        "--groups",
        "25",
        "--seed",
        "11",
        "--forests",
        "2",
        "--out-dir",
        out_dir,
        "--account-resource",
        "20",
        "--duplicates",
        "5",
        "--cross-forest-members",
        "3",
    ]);
    assert!(gen_out.status.success(), "{}", text(&gen_out.stderr));
    std::fs::write(dir.join("sync.yaml"), example_config("two-forests")).unwrap();
    initial_cycle_keeps_the_overlaps(&dir);
}

/// Runs the initial cycle in `dir` and checks each overlap the manifest lists.
fn initial_cycle_keeps_the_overlaps(dir: &Path) {
    let out = run(dir, &["--cycle", "initial", "--format", "json"]);
    let export = export_to_entra(&out);
    let m = manifest(dir);
    let objects = entra(dir);

    // Account-resource: one user, the account's anchor and sign-in, the shadow's mailbox.
    let pairs = m["account_resource"].as_array().unwrap();
    assert!(!pairs.is_empty());
    for pair in pairs {
        let (account, resource) = (&pair["account"], &pair["resource"]);
        let users = by_anchor(&objects, &field(account, "anchor"));
        assert_eq!(users.len(), 1, "{pair}");
        let u = users[0];
        assert_eq!(
            one(u, "userPrincipalName"),
            Some(field(account, "userPrincipalName"))
        );
        assert_eq!(one(u, "mail"), Some(field(resource, "mail")));
        assert_eq!(u.attributes.get("accountEnabled"), Some(&Value::Bool(true)));
        assert!(
            by_anchor(&objects, &field(resource, "anchor")).is_empty(),
            "{pair}"
        );
    }

    // A member from the other forest is in the Entra group, beside the local members.
    for g in m["cross_forest_groups"].as_array().unwrap() {
        let group = by_anchor(&objects, &field(&g["group"], "anchor"));
        assert_eq!(group.len(), 1, "{g}");
        let members: Vec<String> = group[0]
            .attributes
            .get("member")
            .map(|v| {
                v.values()
                    .iter()
                    .filter_map(|v| match v {
                        Value::Ref(s) | Value::Str(s) => Some(s.to_lowercase()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let locals = g["local_members"].as_array().unwrap().len();
        let foreign = g["foreign_members"].as_array().unwrap();
        assert_eq!(members.len(), locals + foreign.len(), "{g}: {members:?}");
        for f in foreign {
            let user = by_anchor(&objects, &field(&f["user"], "anchor"));
            assert_eq!(user.len(), 1, "{f}");
            assert!(
                members.contains(&user[0].dn.to_string().to_lowercase()),
                "{f}: {members:?}"
            );
        }
    }

    // The same person in both forests without a matching option: one Entra user holds the
    // UPN, and the run reports Entra's duplicate-attribute error for both objects.
    let errors = export["errors"].as_array().unwrap();
    for d in m["duplicates"].as_array().unwrap() {
        let upn = field(&d["first"], "userPrincipalName");
        let holders = objects
            .iter()
            .filter(|o| one(o, "userPrincipalName").as_deref() == Some(upn.as_str()))
            .count();
        assert_eq!(holders, 1, "{d}");
        let about: Vec<&Json> = errors
            .iter()
            .filter(|e| e["message"].as_str().is_some_and(|t| t.contains(&upn)))
            .collect();
        // Both sides: the refused object and the one holding the value.
        let mut named: Vec<&str> = about
            .iter()
            .map(|e| e["object"].as_str().unwrap())
            .collect();
        named.sort_unstable();
        named.dedup();
        assert_eq!(named.len(), 2, "{d}: {about:?}");
        assert!(about.iter().all(|e| {
            e["message"]
                .as_str()
                .unwrap()
                .starts_with("duplicate-attribute")
        }));
    }
}

#[test]
fn the_preview_reports_both_sides_of_each_duplicate_before_anything_is_refused() {
    let dir = sample("preview");
    let config = dir.join("sync.yaml");
    let out = syncrules(&[
        "preview",
        "--config",
        config.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let preview: Json = serde_json::from_slice(&out.stdout).unwrap();
    let errors = preview["errors"].as_array().unwrap();
    let m = manifest(&dir);
    let mut sides: Vec<&str> = Vec::new();
    for d in m["duplicates"].as_array().unwrap() {
        let upn = field(&d["first"], "userPrincipalName");
        let mut named: Vec<&str> = errors
            .iter()
            .filter(|e| {
                e["connector"] == "contoso.onmicrosoft.com"
                    && e["message"].as_str().is_some_and(|t| {
                        t.starts_with("duplicate-attribute") && t.contains(&format!("`{upn}`"))
                    })
            })
            .map(|e| e["object"].as_str().unwrap())
            .collect();
        named.sort_unstable();
        named.dedup();
        assert_eq!(named.len(), 2, "{d}: {errors:?}");
        sides.extend(named);
    }
    // Nothing else collides: the account-resource pairs and the migrated users are one
    // person each, and the duplicates' other shared values (mail, proxy addresses) name
    // the same objects.
    for e in errors {
        if e["message"]
            .as_str()
            .is_some_and(|t| t.starts_with("duplicate-attribute"))
        {
            assert!(sides.contains(&e["object"].as_str().unwrap()), "{e}");
        }
    }
}

#[test]
fn a_user_migrated_across_runs_stays_one_entra_user() {
    let dir = sample("migration");
    let out = run(&dir, &["--cycle", "initial", "--format", "json"]);
    export_to_entra(&out);
    let m = manifest(&dir);
    let migrated = m["migrated"].as_array().unwrap();
    assert!(!migrated.is_empty());

    // The old forest deletes them first: held for the deletion window, nothing deleted.
    append_delta(&dir, "contoso.com", "contoso-delta.ldif");
    let out = run(&dir, &["--format", "json"]);
    assert_eq!(export_to_entra(&out)["deletes"], 0);
    let objects = entra(&dir);
    for u in migrated {
        assert_eq!(
            by_anchor(&objects, &field(u, "source_anchor")).len(),
            1,
            "{u}"
        );
    }

    // A run later the new forest creates them with the old anchor: the same Entra users,
    // updated; none added or deleted.
    append_delta(&dir, "fabrikam.com", "fabrikam-delta.ldif");
    let out = run(&dir, &["--format", "json"]);
    let export = export_to_entra(&out);
    assert_eq!(
        (export["adds"].clone(), export["deletes"].clone()),
        (Json::from(0), Json::from(0))
    );
    let objects = entra(&dir);
    for u in migrated {
        let users = by_anchor(&objects, &field(u, "source_anchor"));
        assert_eq!(users.len(), 1, "{u}");
        assert_eq!(
            one(users[0], "userPrincipalName"),
            Some(field(&u["to"], "userPrincipalName"))
        );
    }
}
