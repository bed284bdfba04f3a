//! The state store's working sets give the same result as the whole state: the same runs
//! over two copies of the sample, one reading each step's working set (the default), one
//! reading the whole state first, report the same steps and leave the same pending exports.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test setup fails loudly"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn syncrules(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_syncrules"))
        .args(args)
        .output()
        .unwrap()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the sample in a fresh folder.
fn sample(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("syncrules-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
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

fn append(dir: &Path, text: &str) {
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("contoso-delta.ldif"))
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

#[test]
fn working_sets_and_the_whole_state_give_the_same_runs() {
    let partial = sample("partial");
    let whole = sample("whole");
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
    let _ = std::fs::remove_dir_all(&partial);
    let _ = std::fs::remove_dir_all(&whole);
}
