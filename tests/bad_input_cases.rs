//! More of "bad input never becomes deletes", replayed through the binary on copies of the
//! sample after an initial cycle: a torn append to the delta file, a stale delete record, a
//! target folder two state directories share, an oversized rule file, a user with 100,000
//! proxyAddresses. Each gives a clear error and the right exit code, and what it must not
//! change stays as it was.

#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::Path;

mod common;

use common::{Scratch, append, files, run, sample_ldif, sample_with, syncrules, text};
use syncrules_connectors::file_target::FileTarget;
use syncrules_engine::connector::Connector;

/// A run that succeeds, its JSON report.
fn run_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = extra.to_vec();
    args.extend(["--format", "json"]);
    let o = run(dir, &args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The errors of one step of a run report.
fn errors<'a>(
    report: &'a serde_json::Value,
    step: &str,
    connector: &str,
) -> &'a Vec<serde_json::Value> {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == step && s["connector"] == connector)
        .unwrap()["errors"]
        .as_array()
        .unwrap()
}

const MARGARET: &str = "CN=Margaret Mitchell,OU=Bangalore,OU=Employees,OU=Corp,DC=contoso,DC=com";

#[test]
fn a_torn_append_is_not_applied_until_it_is_whole() {
    let dir = sample_with("cases", "torn", &sample_ldif());
    run_json(&dir, &["--cycle", "initial"]);
    run_json(&dir, &[]);
    // A writer killed while appending: `replace: mS-` with nothing after.
    append(
        &dir,
        &format!("\ndn: {MARGARET}\nchangetype: modify\nreplace: mS-"),
    );
    let report = run_json(&dir, &[]);
    let e = errors(&report, "delta-import", "contoso.com");
    assert_eq!(e.len(), 1, "{report}");
    assert!(
        e[0]["message"]
            .as_str()
            .unwrap()
            .contains("contoso-delta.ldif:"),
        "{report}"
    );
    let entra = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "export" && s["connector"] == "contoso.onmicrosoft.com")
        .unwrap();
    assert_eq!(entra["objects"], 0, "nothing exported: {report}");
    // Completed, it is read once.
    append(&dir, "DS-ConsistencyGuid\n-\n");
    let report = run_json(&dir, &[]);
    assert!(
        errors(&report, "delta-import", "contoso.com").is_empty(),
        "{report}"
    );
}

#[test]
fn a_stale_delete_record_is_that_records_error_and_never_blocks() {
    let dir = sample_with("cases", "stale", &sample_ldif());
    run_json(&dir, &["--cycle", "initial"]);
    append(
        &dir,
        "\ndn: CN=Nobody,DC=contoso,DC=com\nchangetype: delete\n",
    );
    for cycle in [&[][..], &["--cycle", "initial"][..], &[][..]] {
        let report = run_json(&dir, cycle);
        let steps = report["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 6, "every step ran: {report}");
        let all: Vec<&serde_json::Value> = steps
            .iter()
            .flat_map(|s| s["errors"].as_array().unwrap())
            .collect();
        assert!(all.len() <= 1, "{report}");
        if let Some(e) = all.first() {
            assert!(
                e["message"].as_str().unwrap().contains("CN=Nobody"),
                "{report}"
            );
        }
    }
}

#[tokio::test]
async fn a_target_folder_in_use_is_refused_naming_its_holder() {
    let dir = sample_with("cases", "shared", &sample_ldif());
    run_json(&dir, &["--cycle", "initial"]);
    // Another run (here this process) holds the Entra folder.
    let mut holder = FileTarget::new("contoso.onmicrosoft.com", dir.join("entra"));
    holder.full_import().await.unwrap();
    let o = run(&dir, &[]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("in use by process"), "{err}");
    assert!(err.contains(&std::process::id().to_string()), "{err}");
    drop(holder);
    run_json(&dir, &[]);
}

#[test]
fn an_oversized_rule_file_is_refused_before_it_is_read() {
    let dir = Scratch::new("cases-huge");
    let file = dir.join("huge.yaml");
    let f = std::fs::File::create(&file).unwrap();
    f.set_len(9 << 20).unwrap();
    let o = syncrules(&["check", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("E0322") && err.contains("limits.file-bytes"),
        "{err}"
    );
}

#[test]
fn a_user_with_100000_proxy_addresses_previews_with_all_of_them() {
    let mut ldif = sample_ldif();
    let at = ldif.find(&format!("dn: {MARGARET}")).unwrap();
    let end = at + ldif[at..].find("\n\n").unwrap();
    let extra: String = (0..100_000)
        .map(|i| format!("\nproxyAddresses: smtp:alias{i}@contoso.com"))
        .collect();
    ldif.insert_str(end, &extra);
    let dir = sample_with("cases", "proxies", &ldif);
    let config = dir.join("sync.yaml");
    // The preview completes (a quadratic RemoveDuplicates would take minutes) and carries
    // every address to Entra.
    let o = syncrules(&[
        "preview",
        "--config",
        config.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let most = report["exports"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["attributes"]["proxyAddresses"].as_array())
        .map(Vec::len)
        .max()
        .unwrap();
    assert!(most >= 100_000, "{most}");
}

#[test]
fn restoring_a_truncated_export_cancels_the_deletes_it_staged() {
    let full = sample_ldif();
    let dir = sample_with("cases", "restore", &full);
    run_json(&dir, &["--cycle", "initial"]);
    run_json(&dir, &[]);
    let entra_before = files(&dir.join("entra"));
    // The export is cut to 60 %: the threshold holds the deletes back.
    let cut = full.get(..full.len() * 6 / 10).unwrap();
    let cut = cut.get(..cut.rfind('\n').unwrap() + 1).unwrap();
    std::fs::write(dir.join("contoso.ldif"), cut).unwrap();
    let _ = std::fs::remove_file(dir.join("contoso-delta.ldif"));
    let o = run(&dir, &["--cycle", "initial"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    // The whole export is back: the objects rejoin, the staged deletes go, nothing is
    // deleted or re-created.
    std::fs::write(dir.join("contoso.ldif"), &full).unwrap();
    let report = run_json(&dir, &["--cycle", "initial"]);
    for s in report["steps"].as_array().unwrap() {
        assert_eq!(s["deletes"], 0, "{report}");
        assert_ne!(
            s["status"], "stopped-deletion-threshold-exceeded",
            "{report}"
        );
    }
    let entra = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "export" && s["connector"] == "contoso.onmicrosoft.com")
        .unwrap();
    assert_eq!(entra["adds"], 0, "{report}");
    assert_eq!(
        files(&dir.join("entra")),
        entra_before,
        "Entra is as it was"
    );
}
