//! `syncrules impact`: on rule changes of each kind (scope filter, flow expression,
//! precedence swap, disabled rule, join change) its result is the difference of two
//! `preview --format json` reports of the same data, computed here independently; nothing
//! is written; and a base read from git (`REV:PATH`) gives what the same folder gives.

#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]
#![expect(clippy::panic, reason = "a failed comparison names the object")]
#![expect(
    clippy::indexing_slicing,
    reason = "JSON fields the contract guarantees"
)]

mod common;
mod impact_oracle;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{Scratch, files, repo, sample_ldif, sample_with, syncrules, text};
use impact_oracle::expected;
use serde_json::{Value, json};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// A copy of the sample with two copies of the default rules, `base` and `new`, a
/// `sync.yaml` using `new` and a `base.yaml` using `base`.
fn setup(name: &str) -> Scratch {
    let dir = sample_with("impact", name, &sample_ldif());
    copy_dir(&repo().join("rules"), &dir.join("base"));
    copy_dir(&repo().join("rules"), &dir.join("new"));
    let config = std::fs::read_to_string(dir.join("sync.yaml")).unwrap();
    let rules = format!("rules: {}", repo().join("rules").display());
    assert!(config.contains(&rules));
    let with =
        |folder: &str| config.replace(&rules, &format!("rules: {}", dir.join(folder).display()));
    std::fs::write(dir.join("sync.yaml"), with("new")).unwrap();
    std::fs::write(dir.join("base.yaml"), with("base")).unwrap();
    dir
}

/// Replaces `from` (which must be there) by `to` in a rule file of a copy.
fn edit(dir: &Path, copy: &str, file: &str, from: &str, to: &str) {
    let path = dir.join(copy).join(file);
    let s = std::fs::read_to_string(&path).unwrap();
    assert!(s.contains(from), "{file} holds no {from:?}");
    std::fs::write(&path, s.replacen(from, to, 1)).unwrap();
}

fn json_of(args: &[&str]) -> Value {
    let out = syncrules(args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn preview(config: &Path) -> Value {
    json_of(&[
        "preview",
        "--config",
        config.to_str().unwrap(),
        "--format",
        "json",
    ])
}

fn impact(dir: &Path, base: &str) -> Value {
    let config = dir.join("sync.yaml");
    json_of(&[
        "impact",
        "--config",
        config.to_str().unwrap(),
        "--base",
        base,
        "--format",
        "json",
    ])
}

/// Runs impact with `base` and checks it against the two previews; returns the impact.
fn agrees(dir: &Path, base: &str) -> Value {
    let before = files(dir);
    let got = impact(dir, base);
    assert_eq!(files(dir), before, "impact wrote something");
    let want = expected(
        &preview(&dir.join("base.yaml")),
        &preview(&dir.join("sync.yaml")),
    );
    let objects = got["objects"].as_array().unwrap();
    let mut summary: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    for o in objects {
        let connector = o["connector"].as_str().unwrap().to_owned();
        let change = o["change"].as_str().unwrap();
        let i = ["added", "removed", "changed"]
            .iter()
            .position(|c| *c == change)
            .unwrap();
        summary.entry(connector.clone()).or_default()[i] += 1;
    }
    for (c, counts) in got["summary"].as_object().unwrap() {
        let s = summary.get(c).copied().unwrap_or_default();
        assert_eq!(
            counts,
            &json!({"added": s[0], "removed": s[1], "changed": s[2]}),
            "{c}"
        );
    }
    let mut seen = 0;
    for ((connector, key), (change, attrs)) in &want {
        let o = objects
            .iter()
            .find(|o| {
                &o["connector"] == connector && o["dn"].as_str().unwrap().eq_ignore_ascii_case(key)
            })
            .unwrap_or_else(|| panic!("impact lacks {change} {connector} {key}"));
        seen += 1;
        assert_eq!(o["change"], json!(change), "{key}");
        let got_attrs = o["attributes"].as_object().unwrap();
        for (a, (old, new)) in attrs {
            let g = got_attrs
                .get(a)
                .unwrap_or_else(|| panic!("{key}: impact lacks {a}"));
            if let Some(old) = old {
                assert_eq!(&g["old"], old, "{key} {a} old");
            }
            if let Some(new) = new {
                assert_eq!(&g["new"], new, "{key} {a} new");
            }
            assert!(g.get("rule").is_some(), "{key} {a}: no rule field");
        }
        for a in got_attrs.keys().filter(|a| *a != "dn") {
            assert!(
                attrs.contains_key(a),
                "{key}: impact lists {a}, the previews agree on it"
            );
        }
    }
    assert_eq!(
        seen,
        objects.len(),
        "impact reports objects the previews agree on"
    );
    got
}

fn count(got: &Value, change: &str) -> usize {
    got["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["change"] == change)
        .count()
}

#[test]
fn flow_expression() {
    let dir = setup("flow");
    edit(
        &dir,
        "new",
        "contoso.com/inbound/user-common.yaml",
        "expression: Trim([department])",
        "expression: UCase(Trim([department]))",
    );
    let got = agrees(&dir, dir.join("base").to_str().unwrap());
    assert!(count(&got, "changed") > 100, "{got}");
    let o = &got["objects"][0];
    assert_eq!(
        o["attributes"]["department"]["rule"],
        "Out to Entra - User Profile"
    );
}

#[test]
fn scope_filter() {
    let dir = setup("scope");
    edit(
        &dir,
        "new",
        "contoso.onmicrosoft.com/outbound/user-join.yaml",
        "    - attribute: sourceAnchor\n      operator: is-not-null\n",
        "    - attribute: sourceAnchor\n      operator: is-not-null\n    - attribute: department\n      operator: not-equal\n      value: Sales\n",
    );
    let got = agrees(&dir, dir.join("base").to_str().unwrap());
    assert!(count(&got, "removed") > 0, "{got}");
    // Back the other way: the same objects, added.
    let back = agrees_swapped(&dir);
    assert_eq!(count(&back, "added"), count(&got, "removed"));
}

/// The rule sets exchanged: `base` becomes the new rules.
fn agrees_swapped(dir: &Path) -> Value {
    std::fs::rename(dir.join("base"), dir.join("tmp")).unwrap();
    std::fs::rename(dir.join("new"), dir.join("base")).unwrap();
    std::fs::rename(dir.join("tmp"), dir.join("new")).unwrap();
    agrees(dir, dir.join("base").to_str().unwrap())
}

#[test]
fn precedence_swap() {
    let dir = setup("precedence");
    // Both rule sets have the sign-in rule contribute a department too; the new one swaps
    // its precedence with the common rule's, so the common rule's value wins.
    let extra = "flows:\n  - target: department\n    expression: '\"Head office\"'\n";
    for copy in ["base", "new"] {
        edit(
            &dir,
            copy,
            "contoso.com/inbound/user-sign-in.yaml",
            "flows:\n",
            extra,
        );
    }
    edit(
        &dir,
        "new",
        "contoso.com/inbound/user-sign-in.yaml",
        "precedence: 102",
        "precedence: 104",
    );
    edit(
        &dir,
        "new",
        "contoso.com/inbound/user-common.yaml",
        "precedence: 104",
        "precedence: 102",
    );
    let got = agrees(&dir, dir.join("base").to_str().unwrap());
    assert!(count(&got, "changed") > 100, "{got}");
}

#[test]
fn disabled_rule_and_exit_code() {
    let dir = setup("disabled");
    let config = dir.join("sync.yaml");
    let config = config.to_str().unwrap();
    let base = dir.join("base");
    let same = syncrules(&[
        "impact",
        "--config",
        config,
        "--base",
        base.to_str().unwrap(),
        "--exit-code",
    ]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stderr));
    assert!(text(&same.stdout).contains("no difference"));
    edit(
        &dir,
        "new",
        "contoso.onmicrosoft.com/outbound/user-profile.yaml",
        "enabled: true",
        "enabled: false",
    );
    let got = agrees(&dir, base.to_str().unwrap());
    assert!(count(&got, "changed") > 100, "{got}");
    let differs = syncrules(&[
        "impact",
        "--config",
        config,
        "--base",
        base.to_str().unwrap(),
        "--exit-code",
    ]);
    assert_eq!(differs.status.code(), Some(1));
    let md = syncrules(&[
        "impact",
        "--config",
        config,
        "--base",
        base.to_str().unwrap(),
        "--format",
        "markdown",
    ]);
    let md = text(&md.stdout);
    assert!(
        md.contains("| connector | added | removed | changed |"),
        "{md}"
    );
    assert!(
        md.contains(&format!("| {} |", count(&got, "changed"))),
        "{md}"
    );
    assert!(md.contains("<details>"), "{md}");
}

#[test]
fn join_change_over_a_populated_directory() {
    let dir = setup("join");
    // Entra already holds the users (a first run); the state is then lost, so the next
    // sync must join them again.
    let run = common::run(&dir, &["--cycle", "initial"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    std::fs::remove_dir_all(dir.join("state")).unwrap();
    for file in [
        "contoso.onmicrosoft.com/inbound/user-join.yaml",
        "contoso.onmicrosoft.com/outbound/user-join.yaml",
    ] {
        edit(
            &dir,
            "new",
            file,
            "  - - source: sourceAnchor\n      target: sourceAnchor",
            "  - - source: displayName\n      target: sourceAnchor",
        );
    }
    let got = agrees(&dir, dir.join("base").to_str().unwrap());
    assert!(count(&got, "added") > 100, "{got}");
}

fn git(repo: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(repo)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
}

#[test]
fn base_from_git() {
    let dir = setup("git");
    let work = dir.join("new");
    git(&work, &["init", "-q"]);
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "base"]);
    edit(
        &dir,
        "new",
        "contoso.com/inbound/user-common.yaml",
        "expression: Trim([title])",
        "expression: UCase(Trim([title]))",
    );
    git(&work, &["commit", "-q", "-am", "titles in capitals"]);
    let from_folder = agrees(&dir, dir.join("base").to_str().unwrap());
    assert!(count(&from_folder, "changed") > 0);
    let config = dir.join("sync.yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_syncrules"))
        .args([
            "impact",
            "--config",
            config.to_str().unwrap(),
            "--base",
            "HEAD~1:.",
            "--format",
            "json",
        ])
        .current_dir(&work)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let from_git: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(from_git, from_folder);
    let bad = Command::new(env!("CARGO_BIN_EXE_syncrules"))
        .args([
            "impact",
            "--config",
            config.to_str().unwrap(),
            "--base",
            "nosuchrev:.",
        ])
        .current_dir(&work)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
}
