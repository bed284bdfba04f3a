//! The synthetic Active Directory: deterministic, well-formed LDIF with the shapes a real
//! domain has, and consistent (unique names and addresses, references that resolve).

#![expect(
    clippy::unwrap_used,
    reason = "test setup fails loudly on broken fixtures"
)]

use std::collections::{HashMap, HashSet};
use std::path::Path;

use syncrules_connector::{Connector, ExportChange, ExportOp, ExportResult, ImportEntry};
use syncrules_connectors::adgen::{self, BUILTIN_GROUPS, BUILTIN_USERS};
use syncrules_connectors::ldif::{AttributeTyping, Snapshot, parse};
use syncrules_connectors::{FileTarget, LdifSource};
use syncrules_lang::Value;

/// Containers: the domain, `CN=Users`, and ten OUs.
const CONTAINERS: usize = 12;

fn ldif(users: usize, groups: usize, seed: u64) -> String {
    let mut out = Vec::new();
    adgen::write_ldif(users, groups, seed, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn entries(text: &str) -> Vec<ImportEntry> {
    let mut snapshot = Snapshot::new(AttributeTyping::default());
    for record in parse(text, Path::new("gen.ldif")).unwrap() {
        snapshot.apply(&record).unwrap();
    }
    snapshot.into_entries()
}

fn text(entry: &ImportEntry, name: &str) -> Option<String> {
    entry.attributes.get(name).map(ToString::to_string)
}

#[test]
fn same_seed_same_output_other_seed_other_output() {
    let a = ldif(300, 30, 42);
    assert_eq!(a, ldif(300, 30, 42));
    assert_ne!(a, ldif(300, 30, 43));
    assert!(
        a.starts_with("version: 1\n# syncrules gen: contoso.com, 300 users, 30 groups, seed 42\n")
    );
    assert!(a.lines().all(|l| l.len() <= 76));
    let records: Vec<_> = adgen::generate(300, 30, 42).collect();
    assert_eq!(
        records.len(),
        CONTAINERS + BUILTIN_USERS + BUILTIN_GROUPS + 330
    );
}

#[test]
fn the_output_parses_into_the_expected_objects() {
    let all = entries(&ldif(500, 60, 7));
    let count = |t: &str| all.iter().filter(|e| e.object_type == t).count();
    assert_eq!(count("user"), 500 + BUILTIN_USERS);
    assert_eq!(count("group"), 60 + BUILTIN_GROUPS);
    assert_eq!(count("organizationalUnit"), 10);
    assert_eq!(
        all.len(),
        CONTAINERS + 500 + BUILTIN_USERS + 60 + BUILTIN_GROUPS
    );

    let dns: HashSet<String> = all.iter().map(|e| e.dn.as_str().to_lowercase()).collect();
    assert_eq!(dns.len(), all.len(), "DNs are unique");
    let anchors: HashSet<_> = all.iter().filter_map(|e| e.anchor.clone()).collect();
    assert_eq!(
        anchors.len(),
        all.len(),
        "every object has its own objectGUID"
    );

    let users: Vec<_> = all.iter().filter(|e| e.object_type == "user").collect();
    let groups: Vec<_> = all.iter().filter(|e| e.object_type == "group").collect();
    let principals: Vec<_> = users.iter().chain(&groups).collect();

    let mut sams = HashSet::new();
    let mut sids = HashSet::new();
    for p in &principals {
        assert!(sams.insert(text(p, "sAMAccountName").unwrap().to_lowercase()));
        let Some(Value::Bin(sid)) = p.attributes.get("objectSid") else {
            panic!("{} has no binary objectSid", p.dn)
        };
        let sid = adgen::sid_string(sid).unwrap();
        assert!(sid.starts_with("S-1-5-21-"), "{sid}");
        assert_eq!(sid.split('-').count(), 8, "{sid}");
        assert!(sids.insert(sid));
    }

    let mut addresses = HashSet::new();
    for p in &principals {
        let upn = p
            .attributes
            .get("userPrincipalName")
            .map(ToString::to_string);
        for value in upn.into_iter().chain(
            p.attributes
                .get("proxyAddresses")
                .map(|v| {
                    v.values()
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        ) {
            assert!(addresses.insert(value.to_lowercase()), "{value} repeats");
        }
        if let Some(Value::Multi(proxies)) = p.attributes.get("proxyAddresses") {
            let primaries = proxies
                .iter()
                .filter(|v| v.to_string().starts_with("SMTP:"));
            assert_eq!(primaries.count(), 1, "{}", p.dn);
        }
    }

    let uac = |e: &&&ImportEntry| e.attributes.get("userAccountControl").cloned();
    let disabled = users
        .iter()
        .filter(|e| uac(e) == Some(Value::Num(514)))
        .count();
    let no_expiry = users
        .iter()
        .filter(|e| uac(e) == Some(Value::Num(66048)))
        .count();
    assert!((10..=45).contains(&disabled), "{disabled} disabled");
    assert!((25..=90).contains(&no_expiry), "{no_expiry} with 66048");
    let without_upn = users
        .iter()
        .filter(|e| !e.attributes.contains_key("userPrincipalName"))
        .count();
    assert!((BUILTIN_USERS + 5..=BUILTIN_USERS + 40).contains(&without_upn));

    let critical: Vec<_> = all
        .iter()
        .filter(|e| e.attributes.get("isCriticalSystemObject") == Some(&Value::Bool(true)))
        .map(|e| e.dn.as_str())
        .collect();
    for dn in [
        "CN=krbtgt,CN=Users,DC=contoso,DC=com",
        "CN=Administrator,CN=Users,DC=contoso,DC=com",
        "CN=Domain Admins,CN=Users,DC=contoso,DC=com",
    ] {
        assert!(critical.contains(&dn), "{dn} is critical");
    }
    assert!(users.iter().any(|u| u.dn.as_str().starts_with("CN=MSOL_")));
    let victims: Vec<_> = users
        .iter()
        .filter(|u| u.dn.as_str().contains(r"\0ACNF:"))
        .collect();
    assert_eq!(victims.len(), 1);
    assert!(
        text(victims[0], "sAMAccountName")
            .unwrap()
            .starts_with("$DUPLICATE-")
    );
    assert!(text(victims[0], "cn").unwrap().contains("\nCNF:"));

    // References resolve; managers come earlier; groups nest without cycles.
    let position: HashMap<String, usize> = all
        .iter()
        .enumerate()
        .map(|(i, e)| (e.dn.as_str().to_lowercase(), i))
        .collect();
    let managed = users
        .iter()
        .filter(|u| u.attributes.contains_key("manager"))
        .count();
    assert!(managed > 400, "{managed} users have a manager");
    let mut nested = 0;
    for (i, e) in all.iter().enumerate() {
        for name in ["manager", "member", "managedBy"] {
            for target in e
                .attributes
                .get(name)
                .map(Value::values)
                .unwrap_or_default()
            {
                let Value::Ref(dn) = target else {
                    panic!("{name} of {} is not a reference", e.dn)
                };
                let at = position.get(&dn.to_lowercase()).copied();
                assert!(at.is_some_and(|at| at < i), "{name} `{dn}` of {}", e.dn);
                if name == "member" && dn.contains("OU=Groups") {
                    nested += 1;
                }
            }
        }
    }
    assert!(nested > 0, "some groups are nested");

    let types: HashSet<String> = groups
        .iter()
        .map(|g| text(g, "groupType").unwrap())
        .collect();
    assert_eq!(
        types,
        HashSet::from(["-2147483646", "-2147483640", "2"].map(str::to_owned))
    );
    let everyone = groups
        .iter()
        .find(|g| g.dn.as_str().starts_with("CN=All Employees,"))
        .unwrap();
    assert_eq!(everyone.attributes["member"].values().len(), 500);
    assert!(
        groups
            .iter()
            .filter(|g| g.attributes.contains_key("mail"))
            .count()
            > 10
    );
}

#[test]
fn small_sizes_work() {
    for (users, groups) in [(0, 0), (1, 0), (0, 3), (2, 2)] {
        let all = entries(&ldif(users, groups, 1));
        assert_eq!(
            all.len(),
            CONTAINERS + BUILTIN_USERS + BUILTIN_GROUPS + users + groups
        );
    }
}

/// The generated directory goes through the LDIF source and exports cleanly into the file
/// target, whose unique-value checks it must pass.
#[tokio::test]
async fn a_generated_directory_flows_through_both_connectors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ad.ldif");
    adgen::write_ldif(200, 20, 99, std::fs::File::create(&path).unwrap()).unwrap();
    let mut source = LdifSource::new("AD", &path);
    let batch = source.full_import().await.unwrap();
    let changes: Vec<ExportChange> = batch
        .entries
        .iter()
        .filter(|e| e.object_type == "user" || e.object_type == "group")
        .map(|e| ExportChange {
            retry: false,
            op: ExportOp::Add,
            dn: e.dn.clone(),
            old_dn: None,
            anchor: None,
            object_type: e.object_type.clone(),
            attributes: e.attributes.clone(),
        })
        .collect();
    let mut target = FileTarget::new("Entra", dir.path().join("entra"));
    let results = target.export(&changes).await.unwrap();
    assert_eq!(results.len(), 200 + 20 + BUILTIN_USERS + BUILTIN_GROUPS);
    assert!(
        results
            .iter()
            .all(|r| matches!(r, ExportResult::Done { anchor: Some(_) })),
        "{:?}",
        results
            .iter()
            .find(|r| !matches!(r, ExportResult::Done { .. }))
    );
    let back = target.full_import().await.unwrap();
    assert_eq!(back.entries.len(), results.len());
}
