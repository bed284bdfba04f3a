//! The state store's working sets give the same result as the whole state: the same runs
//! over two copies of the sample, one reading each step's working set (the default), one
//! reading the whole state first, report the same steps and leave the same pending exports.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test setup fails loudly"
)]

use std::path::{Path, PathBuf};

mod common;

use common::{Scratch, append, example_config, sample_ldif, sample_with, syncrules};

use syncrules_connectors::file_target::FileTarget;
use syncrules_engine::connector::Connector;

/// A run's JSON report without the timings, which differ between runs.
fn run(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let config = dir.join("sync.yaml");
    let mut args = vec![
        "run",
        "--config",
        config.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = syncrules(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for step in report["steps"].as_array_mut().unwrap() {
        step.as_object_mut().unwrap().remove("seconds");
    }
    report
}

/// What the Entra folder holds, as comparable text sorted by DN (anchors left out: the
/// target numbers objects in the order they were added).
fn entra_objects(dir: &Path) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let entries = rt.block_on(async {
        let mut t = FileTarget::new("contoso.onmicrosoft.com", dir.join("entra"));
        t.full_import().await.unwrap().entries
    });
    let mut out: Vec<String> = entries
        .into_iter()
        .map(|e| {
            let mut attrs: Vec<String> = e
                .attributes
                .iter()
                .map(|(k, v)| format!("{k}={v:?}"))
                .collect();
            attrs.sort();
            format!("{}|{}", e.dn.as_str().to_ascii_lowercase(), attrs.join(";"))
        })
        .collect();
    out.sort();
    out
}

fn preview(dir: &Path) -> serde_json::Value {
    let config = dir.join("sync.yaml");
    let out = syncrules(&[
        "preview",
        "--config",
        config.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const CHANGES: &str = "
dn: CN=Margaret Mitchell,OU=Bangalore,OU=Employees,OU=Corp,DC=contoso,DC=com
changetype: modify
replace: title
title: Director
-
replace: displayName
displayName: Margaret Mitchell-Lee
-

dn: CN=Pablo Wagner,OU=London,OU=Employees,OU=Corp,DC=contoso,DC=com
changetype: delete

dn: CN=SG-IT-Contributors,OU=Groups,OU=Corp,DC=contoso,DC=com
changetype: modify
add: member
member: CN=John Garcia,OU=Tokyo,OU=Employees,OU=Corp,DC=contoso,DC=com
-

dn: CN=Amara Hernandez,OU=Bangalore,OU=Employees,OU=Corp,DC=contoso,DC=com
changetype: modrdn
newrdn: CN=Amara Hernandez-Ito
deleteoldrdn: 1
";

#[test]
fn working_sets_and_the_whole_state_give_the_same_runs() {
    let partial = sample_with("store", "partial", &sample_ldif());
    let whole = sample_with("store", "whole", &sample_ldif());
    let both = |extra: &[&str]| {
        let mut whole_args = extra.to_vec();
        whole_args.push("--load-whole-state");
        let a = run(&partial, extra);
        let b = run(&whole, &whole_args);
        assert_eq!(a, b);
        a
    };
    both(&["--cycle", "initial"]);
    // Confirms the write-back, then nothing to do.
    both(&[]);
    let quiet = both(&[]);
    for step in quiet["steps"].as_array().unwrap() {
        assert_eq!(step["objects"], 0, "{quiet}");
    }
    append(&partial, CHANGES);
    append(&whole, CHANGES);
    let changed = both(&[]);
    let entra = changed["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "export" && s["connector"] == "contoso.onmicrosoft.com")
        .unwrap()
        .clone();
    // The title and name change, the rename and the membership: updates; the delete.
    assert!(entra["updates"].as_u64().unwrap() >= 2, "{changed}");
    assert_eq!(entra["deletes"], 1, "{changed}");
    both(&[]);
    assert_eq!(preview(&partial), preview(&whole));
    assert!(
        entra_objects(&partial) == entra_objects(&whole),
        "the Entra folders differ"
    );
}

/// The DN line (with its continuation lines) of each record of `ldif` holding `marker`.
fn dns<'a>(ldif: &'a str, marker: &'a str) -> impl Iterator<Item = String> + 'a {
    ldif.split("\n\n")
        .filter(move |r| r.contains(marker))
        .filter_map(|r| {
            let mut lines = r.lines().skip_while(|l| !l.starts_with("dn:"));
            let first = lines.next()?;
            let rest: Vec<&str> = lines.take_while(|l| l.starts_with(' ')).collect();
            Some(
                std::iter::once(first)
                    .chain(rest)
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        })
}

/// Modify records for every `step`-th user of a generated LDIF: a new title; every tenth of
/// those users is deleted instead, every seventh gets a new department, and every eleventh
/// joins a group (a group's `member` changes, so references are resolved again).
fn generated_changes(ldif: &str, step: usize) -> String {
    let mut out = String::new();
    let groups: Vec<String> = dns(ldif, "objectClass: group").collect();
    let users = ldif
        .split("\n\n")
        .filter(|r| r.contains("objectClass: user") && r.contains("sAMAccountName"))
        .filter_map(|r| {
            // The DN line and its continuation lines.
            let mut lines = r.lines().skip_while(|l| !l.starts_with("dn:"));
            let first = lines.next()?;
            let rest: Vec<&str> = lines.take_while(|l| l.starts_with(' ')).collect();
            Some(
                std::iter::once(first)
                    .chain(rest)
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        });
    for (i, dn) in users.step_by(step).enumerate() {
        if i % 11 == 5
            && let Some(group) = groups.get(i % groups.len().max(1))
            && let Some(member) = dn.strip_prefix("dn: ")
        {
            out.push_str(&format!(
                "\n{group}\nchangetype: modify\nadd: member\nmember: {member}\n-\n"
            ));
        }
        if i % 10 == 9 {
            out.push_str(&format!("\n{dn}\nchangetype: delete\n"));
        } else if i % 7 == 6 {
            out.push_str(&format!(
                "\n{dn}\nchangetype: modify\nreplace: department\ndepartment: Moved {i}\n-\n"
            ));
        } else {
            out.push_str(&format!(
                "\n{dn}\nchangetype: modify\nreplace: title\ntitle: Changed {i}\n-\n"
            ));
        }
    }
    out
}

#[test]
fn working_sets_and_the_whole_state_agree_on_a_generated_directory() {
    let root = Scratch::new("store-gen");
    let ldif = root.join("gen.ldif");
    let generated = syncrules(&[
        "gen",
        "--users",
        "3000",
        "--groups",
        "150",
        "--seed",
        "11",
        "--out",
        ldif.to_str().unwrap(),
    ]);
    assert!(generated.status.success());
    let text = std::fs::read_to_string(&ldif).unwrap();
    let dirs: Vec<PathBuf> = ["partial", "whole"]
        .iter()
        .map(|name| {
            let dir = root.join(name);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("contoso.ldif"), &text).unwrap();
            std::fs::write(dir.join("sync.yaml"), example_config("contoso")).unwrap();
            dir
        })
        .collect();
    let both = |extra: &[&str]| {
        let mut whole_args = extra.to_vec();
        whole_args.push("--load-whole-state");
        let a = run(&dirs[0], extra);
        let b = run(&dirs[1], &whole_args);
        assert_eq!(a, b);
        a
    };
    both(&["--cycle", "initial"]);
    both(&[]);
    let changes = generated_changes(&text, 13);
    assert!(changes.matches("changetype").count() > 200);
    for dir in &dirs {
        append(dir, &changes);
    }
    let changed = both(&["--allow-deletes"]);
    let updates: u64 = changed["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["step"] == "export")
        .map(|s| s["updates"].as_u64().unwrap() + s["deletes"].as_u64().unwrap())
        .sum();
    assert!(updates > 200, "{changed}");
    both(&[]);
    assert_eq!(preview(&dirs[0]), preview(&dirs[1]));
    assert!(
        entra_objects(&dirs[0]) == entra_objects(&dirs[1]),
        "the Entra folders differ"
    );
}
