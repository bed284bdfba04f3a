//! Bad input never becomes deletes: a truncated export stops at the deletion threshold with
//! the default settings, and a wrong `sync.yaml` or rule set is reported, located, before
//! anything runs. The binary, on copies of `examples/contoso`.

#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use common::Scratch;
use syncrules_engine::model::State;
use syncrules_engine::store::Store;

fn syncrules(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_syncrules"))
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of `examples/contoso` (its sync.yaml as shipped, the rules by absolute path) in
/// a fresh [`Scratch`] folder.
fn sample(name: &str) -> Scratch {
    let dir = Scratch::new(&format!("bad-{name}"));
    std::fs::copy(
        repo().join("examples/contoso/contoso.ldif"),
        dir.join("contoso.ldif"),
    )
    .unwrap();
    let config = std::fs::read_to_string(repo().join("examples/contoso/sync.yaml"))
        .unwrap()
        .replace(
            "rules: ../../rules",
            &format!("rules: {}", repo().join("rules").display()),
        );
    std::fs::write(dir.join("sync.yaml"), config).unwrap();
    dir
}

fn config(dir: &Path) -> String {
    dir.join("sync.yaml").to_string_lossy().into_owned()
}

/// Every file below a folder with its bytes, but the file target's `lock`, which holds the
/// process id of the last run that opened the folder.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != "lock") {
                out.push((
                    p.strip_prefix(dir).unwrap().to_owned(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn state(dir: &Path) -> State {
    Store::open(&dir.join("state")).unwrap().load().unwrap()
}

/// A connector space's objects as the engine believes the directory has them: DN, anchor,
/// type, and every value (imported, or exported and not yet confirmed by an import).
fn objects(state: &State, connector: &str) -> Vec<String> {
    let mut out: Vec<String> = state
        .spaces
        .get(connector)
        .unwrap()
        .objects
        .values()
        .map(|o| {
            let values: std::collections::BTreeMap<&syncrules_lang::Name, String> = o
                .attributes
                .keys()
                .chain(o.unconfirmed.keys())
                .map(|k| (k, format!("{:?}", o.current(k))))
                .collect();
            format!("{} {:?} {} {values:?}", o.dn, o.anchor, o.object_type)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_base_ldif_truncated_to_60_percent_stops_the_export_with_the_default_threshold() {
    let dir = sample("truncated");
    let o = syncrules(&["run", "--config", &config(&dir), "--cycle", "initial"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let entra_before = files(&dir.join("entra"));
    let before = state(&dir);
    let cloud = objects(&before, "contoso.onmicrosoft.com");
    assert_eq!(cloud.len(), 324);

    // A new export of AD replaces the base file and its change log, cut off at 60 % of its
    // records (a full disk, a timeout, a wrong search base).
    let ldif = std::fs::read_to_string(dir.join("contoso.ldif")).unwrap();
    let records: Vec<&str> = ldif.split("\n\n").collect();
    let kept = records.len() * 6 / 10;
    std::fs::write(
        dir.join("contoso.ldif"),
        format!("{}\n", records.get(..kept).unwrap().join("\n\n")),
    )
    .unwrap();
    std::fs::remove_file(dir.join("contoso-delta.ldif")).unwrap();

    let o = syncrules(&["run", "--config", &config(&dir), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let j: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    let steps = j["steps"].as_array().unwrap();
    let export = steps
        .iter()
        .find(|s| s["step"] == "export" && s["connector"] == "contoso.onmicrosoft.com")
        .unwrap();
    assert_eq!(
        export["status"], "stopped-deletion-threshold-exceeded",
        "{j}"
    );
    assert_eq!(export["objects"], 0, "{j}");
    let deletes = export["deletes"].as_u64().unwrap();
    // About 40 % of the objects: far under the count of 500, over the 10 %.
    assert!((100..200).contains(&deletes), "{deletes} deletes");
    let notes: Vec<&str> = export["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let head = notes.first().unwrap();
    assert!(
        head.starts_with(&format!(
            "{deletes} of 324 objects in `contoso.onmicrosoft.com` ("
        )) && head.contains("would be deleted, over the deletion threshold (500 objects, or 10 % from 3 on): nothing was exported; run with --allow-deletes"),
        "{head}"
    );
    // Where: by object type (Entra's DNs are flat), and names an operator recognises.
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("by object type: user (") && n.contains("group (")),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| n.starts_with("named ")), "{notes:?}");
    assert_eq!(
        notes
            .iter()
            .filter(|n| n.starts_with("pending delete: CN={"))
            .count(),
        10
    );
    // The export after it did not run.
    assert!(
        !steps
            .iter()
            .any(|s| s["connector"] == "contoso.com" && s["step"] == "export")
    );

    // Nothing reached Entra: its folder is unchanged byte for byte, and its connector space
    // still holds every object as the directory has it, the deletes only staged.
    assert!(files(&dir.join("entra")) == entra_before, "entra/ changed");
    let after = state(&dir);
    assert!(
        objects(&after, "contoso.onmicrosoft.com") == cloud,
        "the Entra connector space changed"
    );
    let staged = after
        .spaces
        .get("contoso.onmicrosoft.com")
        .unwrap()
        .objects
        .values()
        .filter(|o| o.pending_export.is_some())
        .count();
    assert_eq!(staged as u64, deletes);

    // The text report says the same.
    let o = syncrules(&["run", "--config", &config(&dir)]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(
        out.contains(&format!(
            "    {deletes} of 324 objects in `contoso.onmicrosoft.com`"
        )),
        "{out}"
    );
    assert!(files(&dir.join("entra")) == entra_before, "entra/ changed");
}

#[test]
fn a_wrong_sync_yaml_is_located_and_runs_nothing() {
    let dir = sample("config");
    let good = std::fs::read_to_string(dir.join("sync.yaml")).unwrap();
    for (from, to, expected) in [
        (
            "  percent: 10\n",
            "  percent: 150\n",
            "`percent` must be more than 0 and at most 100, found 150",
        ),
        (
            "  count: 500\n",
            "  count: 0\n",
            "`count` must be 1 or more, found 0",
        ),
        (
            "  percent: 10\n",
            "  precent: 10\n",
            "unknown key `precent` in `deletion-threshold`",
        ),
        (
            "    type: file\n",
            "    type: flie\n",
            "unknown connector type `flie`",
        ),
    ] {
        let bad = good.replacen(from, to, 1);
        assert_ne!(bad, good);
        std::fs::write(dir.join("sync.yaml"), &bad).unwrap();
        let (line, col) = bad
            .lines()
            .enumerate()
            .find_map(|(i, l)| {
                to.lines()
                    .last()
                    .filter(|t| l == *t)
                    .map(|t| (i + 1, t.find(':').unwrap() + 3))
            })
            .unwrap();
        for command in ["run", "preview"] {
            let o = syncrules(&[command, "--config", &config(&dir)]);
            assert_eq!(o.status.code(), Some(1), "{command} {to}");
            let err = text(&o.stderr);
            let located = format!("{}:{line}:", config(&dir));
            assert!(
                err.contains(&located) && err.contains(expected),
                "{command} {to}: {err}"
            );
            // The value is underlined.
            assert!(err.contains("| ") && err.contains('^'), "{err}");
            assert!(!dir.join("state").exists() && !dir.join("entra").exists());
        }
        let o = syncrules(&["check", "--config", &config(&dir), "--format", "json"]);
        assert_eq!(o.status.code(), Some(1));
        let findings: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
        let first = &findings[0];
        assert_eq!(
            (first["line"].as_u64(), first["severity"].as_str()),
            (Some(line as u64), Some("error")),
            "{findings}"
        );
        if !expected.starts_with("unknown key") {
            assert_eq!(first["column"].as_u64(), Some(col as u64), "{findings}");
        }
    }
}

#[test]
fn a_connector_no_rule_uses_is_a_warning_and_the_run_goes_on() {
    let dir = sample("unused");
    let good = std::fs::read_to_string(dir.join("sync.yaml")).unwrap();
    let with = good.replace(
        "deletion-threshold:",
        "  fabrikam.com:\n    type: file\n    path: fabrikam\ndeletion-threshold:",
    );
    std::fs::write(dir.join("sync.yaml"), with).unwrap();
    let o = syncrules(&["preview", "--config", &config(&dir), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("warning[W0601]: no rule uses connector `fabrikam.com`"),
        "{err}"
    );
    let o = syncrules(&["check", "--config", &config(&dir)]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stderr).contains("W0601"), "{}", text(&o.stderr));
    let o = syncrules(&["check", "--config", &config(&dir), "--deny-warnings"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_misspelt_inbound_attribute_is_a_warning_from_check_preview_and_run() {
    let dir = sample("typo");
    let rules = dir.join("rules");
    copy_dir(&repo().join("rules"), &rules);
    let file = rules.join("contoso.com/inbound/user-common.yaml");
    let original = std::fs::read_to_string(&file).unwrap();
    let typo = original.replacen("[givenName]", "[givenNmae]", 1);
    assert_ne!(typo, original);
    std::fs::write(&file, &typo).unwrap();
    let config_text = std::fs::read_to_string(dir.join("sync.yaml")).unwrap();
    let config_text = config_text.replace(
        &format!("rules: {}", repo().join("rules").display()),
        "rules: rules",
    );
    std::fs::write(dir.join("sync.yaml"), config_text).unwrap();
    let line = typo
        .lines()
        .position(|l| l.contains("[givenNmae]"))
        .unwrap()
        + 1;
    let col = typo
        .lines()
        .nth(line - 1)
        .unwrap()
        .find("[givenNmae]")
        .unwrap()
        + 1;
    let expected = format!(
        "{}:{line}:{col}: warning[W0105]: `givenNmae` is read but never imported: no object of connector `contoso.com` has it",
        file.display()
    );

    // Without the configuration there is nothing to compare with: no schema.
    let o = syncrules(&["check", rules.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        !text(&o.stderr).contains("givenNmae"),
        "{}",
        text(&o.stderr)
    );

    let o = syncrules(&["check", "--config", &config(&dir)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains(&expected), "{err}");
    assert!(err.contains("did you mean `givenName`?"), "{err}");
    // Attributes the sample leaves out and no near name: one summary, not a warning each.
    assert_eq!(err.matches("warning[W0105]").count(), 1, "{err}");
    assert_eq!(err.matches("warning[W0602]").count(), 1, "{err}");

    for args in [
        vec!["preview", "--config", &config(&dir)],
        vec![
            "run",
            "--config",
            &config(&dir),
            "--cycle",
            "initial",
            "--staging",
        ],
    ] {
        let o = syncrules(&args);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let err = text(&o.stderr);
        assert!(err.contains(&expected), "{args:?}: {err}");
        assert!(!err.contains("W0602"), "{args:?}: {err}");
    }
    // A delta run does not read the connectors' data for it: it costs what changed.
    let o = syncrules(&["run", "--config", &config(&dir), "--staging"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(!text(&o.stderr).contains("W0105"), "{}", text(&o.stderr));
}

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
