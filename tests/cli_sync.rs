//! `syncrules gen`, `preview` and `run`, as processes, on the Contoso sample.

#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use common::Scratch;

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

/// A copy of the sample in a fresh [`Scratch`] folder (so runs do not touch the
/// repository), with `extra` appended to its sync.yaml.
fn sample(name: &str, extra: &str) -> Scratch {
    let dir = Scratch::new(&format!("sync-{name}"));
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
        )
        .replace("deletion-threshold:\n  count: 500\n  percent: 10\n", "");
    std::fs::write(dir.join("sync.yaml"), format!("{config}{extra}")).unwrap();
    dir
}

fn config(dir: &Path) -> String {
    dir.join("sync.yaml").to_string_lossy().into_owned()
}

#[test]
fn gen_is_deterministic_for_a_seed() {
    let dir = Scratch::new("gen");
    let write = |name: &str, seed: &str| {
        let path = dir.join(name);
        let o = syncrules(&[
            "gen",
            "--users",
            "50",
            "--groups",
            "5",
            "--seed",
            seed,
            "--out",
            path.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        std::fs::read(path).unwrap()
    };
    let (a, b, c) = (
        write("a.ldif", "3"),
        write("b.ldif", "3"),
        write("c.ldif", "4"),
    );
    assert_eq!(a, b);
    assert_ne!(a, c);
    let ldif = text(&a);
    assert!(
        ldif.contains("objectGUID::") && ldif.contains("isCriticalSystemObject: TRUE"),
        "not AD-shaped"
    );
}

#[test]
fn gen_writes_one_file_per_forest_and_a_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let generate = |extra: &[&str]| {
        let mut args = vec!["gen", "--users", "80", "--groups", "6", "--seed", "5"];
        args.extend_from_slice(extra);
        syncrules(&args)
    };
    let single = dir.join("single.ldif");
    let o = generate(&["--out", single.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = dir.join("forests");
    let o = generate(&[
        "--forests",
        "2",
        "--migrated",
        "2",
        "--account-resource",
        "2",
        "--duplicates",
        "2",
        "--cross-forest-members",
        "2",
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "contoso.com-delta.ldif",
            "contoso.com.ldif",
            "fabrikam.com-delta.ldif",
            "fabrikam.com.ldif",
            "forests.json"
        ]
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("forests.json")).unwrap()).unwrap();
    assert_eq!(manifest["forests"][1]["domain"], "fabrikam.com");
    for key in ["migrated", "account_resource", "duplicates"] {
        assert_eq!(manifest[key].as_array().unwrap().len(), 2, "{key}");
    }
    let fabrikam = text(&std::fs::read(out.join("fabrikam.com.ldif")).unwrap());
    assert!(fabrikam.contains("\nmsExchRecipientTypeDetails: 2\n"));
    assert!(fabrikam.contains("\nmsExchMasterAccountSid:: "));
    assert!(fabrikam.contains("CN=ForeignSecurityPrincipals,DC=fabrikam,DC=com"));
    // A migrated user comes back in fabrikam carrying its contoso anchor.
    let delta = text(&std::fs::read(out.join("fabrikam.com-delta.ldif")).unwrap());
    for m in manifest["migrated"].as_array().unwrap() {
        let anchor = m["source_anchor"].as_str().unwrap();
        assert_eq!(m["from"]["anchor"], anchor);
        assert!(delta.contains(&format!("\nmS-DS-ConsistencyGuid:: {anchor}\n")));
    }

    // One forest in a folder is the one file, byte for byte.
    let one = dir.join("one");
    let o = generate(&["--forests", "1", "--out-dir", one.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        std::fs::read(one.join("contoso.com.ldif")).unwrap(),
        std::fs::read(&single).unwrap()
    );
    // Overlaps need two forests; --out is one forest.
    let o = generate(&["--migrated", "1", "--out-dir", one.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("need --forests 2"));
    let o = generate(&["--forests", "2", "--out", single.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
}

#[test]
fn preview_reports_every_pending_export_as_json() {
    let dir = sample("preview", "");
    let o = syncrules(&["preview", "--config", &config(&dir), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let j: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    let exports = j["exports"].as_array().unwrap();
    let adds = exports
        .iter()
        .filter(|e| e["connector"] == "contoso.onmicrosoft.com" && e["operation"] == "add")
        .count();
    assert!(adds > 250, "{adds} adds");
    assert_eq!(j["connectors"]["contoso.onmicrosoft.com"]["add"], adds);
    assert_eq!(j["errors"], serde_json::json!([]));
    // Every Entra add carries the identity the default rules compute.
    let user = exports
        .iter()
        .find(|e| e["operation"] == "add" && e["attributes"]["userPrincipalName"].is_array())
        .unwrap();
    assert_eq!(
        user["attributes"]["accountEnabled"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        user["attributes"]["userPrincipalName"][0]
            .as_str()
            .unwrap()
            .contains('@')
    );
    // The preview wrote nothing.
    assert!(!dir.join("state").exists() && !dir.join("entra").exists());
}

#[test]
fn preview_explains_one_object() {
    let dir = sample("explain", "");
    let dn = "CN=Ana Chen,OU=Seattle,OU=Employees,OU=Corp,DC=contoso,DC=com";
    let o = syncrules(&[
        "preview",
        "--config",
        &config(&dir),
        "--object",
        dn,
        "--explain",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let j: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    let x = &j["object"];
    assert_eq!(x["dn"], dn);
    assert!(
        x["join"]
            .as_str()
            .unwrap()
            .starts_with("joined to metaverse person")
    );
    let upn = x["metaverse"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["attribute"] == "userPrincipalName")
        .unwrap();
    assert_eq!(upn["winner"], "In from AD - User Sign-in");
    assert!(!x["outbound"].as_array().unwrap().is_empty());
    // The report holds what happens to her in every connector: her AD object's own update
    // (the consistency-guid writeback) and the add of the Entra object joined to the same
    // person; nobody else's export is listed.
    let exports = j["exports"].as_array().unwrap();
    assert_eq!(exports.len(), 2, "{exports:?}");
    let own = exports.iter().find(|e| e["dn"] == dn).unwrap();
    assert_eq!(own["connector"], x["connector"]);
    let cloud = exports.iter().find(|e| e["dn"] != dn).unwrap();
    assert_eq!(cloud["operation"], "add");
    assert_ne!(cloud["connector"], x["connector"]);
    let mv_upn = upn["value"][0].as_str().unwrap();
    assert_eq!(cloud["attributes"]["userPrincipalName"][0], mv_upn);
    let o = syncrules(&[
        "preview",
        "--config",
        &config(&dir),
        "--object",
        "CN=Nobody,DC=x",
        "--explain",
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn preview_explain_names_the_rule_behind_each_exported_attribute() {
    let dir = sample("explain-all", "");
    let o = syncrules(&[
        "preview",
        "--config",
        &config(&dir),
        "--explain",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let j: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    let exports = j["exports"].as_array().unwrap();
    let adds: Vec<_> = exports
        .iter()
        .filter(|e| e["operation"] == "add" && e["attributes"].get("userPrincipalName").is_some())
        .collect();
    assert!(!adds.is_empty());
    for e in adds {
        let explain = e["explain"].as_object().unwrap();
        for attr in e["attributes"].as_object().unwrap().keys() {
            assert!(explain[attr]["rule"].is_string(), "{attr} has no rule: {e}");
        }
    }
    // Without --explain the report keeps the documented shape.
    let o = syncrules(&["preview", "--config", &config(&dir), "--format", "json"]);
    let j: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert!(
        j["exports"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e.get("explain").is_none())
    );
}

#[test]
fn run_persists_state_and_a_second_run_exports_nothing() {
    let dir = sample("run", "");
    let o = syncrules(&[
        "run",
        "--config",
        &config(&dir),
        "--cycle",
        "initial",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let first: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    let export = |j: &serde_json::Value, c: &str| {
        j["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == "export" && s["connector"] == c)
            .unwrap()
            .clone()
    };
    assert!(
        export(&first, "contoso.onmicrosoft.com")["adds"]
            .as_u64()
            .unwrap()
            > 250
    );
    assert!(dir.join("state").is_dir() && dir.join("entra").is_dir());
    for _ in 0..2 {
        let o = syncrules(&["run", "--config", &config(&dir), "--format", "json"]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let j: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
        // The exported values are read back and confirmed; nothing more goes out.
        assert_eq!(export(&j, "contoso.onmicrosoft.com")["objects"], 0, "{j}");
        assert_eq!(export(&j, "contoso.com")["objects"], 0, "{j}");
    }
}

#[test]
fn the_deletion_threshold_stops_the_export_until_deletes_are_allowed() {
    let dir = sample("threshold", "deletion-threshold:\n  count: 5\n");
    let o = syncrules(&["run", "--config", &config(&dir), "--cycle", "initial"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // Ten users are deleted in AD.
    let ldif = std::fs::read_to_string(dir.join("contoso.ldif")).unwrap();
    let users: Vec<&str> = ldif
        .lines()
        .filter_map(|l| l.strip_prefix("dn: "))
        .filter(|dn| dn.starts_with("CN=") && dn.contains("OU=Employees"))
        .take(10)
        .collect();
    let deletes: String = users
        .iter()
        .map(|dn| format!("dn: {dn}\nchangetype: delete\n\n"))
        .collect();
    let delta = dir.join("contoso-delta.ldif");
    let mut log = std::fs::read_to_string(&delta).unwrap_or_default();
    log.push_str(&deletes);
    std::fs::write(&delta, log).unwrap();
    let o = syncrules(&["run", "--config", &config(&dir)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let out = text(&o.stdout);
    assert!(out.contains("stopped-deletion-threshold-exceeded"), "{out}");
    assert!(
        out.contains("nothing was exported; run with --allow-deletes"),
        "{out}"
    );
    // Every deleted user that was provisioned to Entra is listed (filtered ones never were).
    let listed = out.matches("pending delete: CN=").count();
    assert!((5..=10).contains(&listed), "{out}");
    let o = syncrules(&["run", "--config", &config(&dir), "--allow-deletes"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    let out = text(&o.stdout);
    let export = out
        .lines()
        .find(|l| l.starts_with("export        contoso.onmicrosoft.com"))
        .unwrap();
    assert!(export.contains(&format!("deletes {listed:>5}")), "{out}");
}

#[test]
fn a_bad_ldif_is_located_and_imports_nothing() {
    let dir = sample("bad", "");
    std::fs::write(
        dir.join("contoso.ldif"),
        "version: 1\n\ndn: CN=a,DC=x\nobjectClass: user\ncn:: !!!notbase64\n",
    )
    .unwrap();
    let o = syncrules(&["run", "--config", &config(&dir), "--cycle", "initial"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("contoso.ldif:5:"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn run_in_staging_mode_exports_nothing_and_keeps_the_state() {
    let dir = sample("staging", "");
    let o = syncrules(&[
        "run",
        "--config",
        &config(&dir),
        "--cycle",
        "initial",
        "--staging",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let j: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    let exports: Vec<&serde_json::Value> = j["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["step"] == "export")
        .collect();
    assert_eq!(exports.len(), 2);
    assert!(
        exports.iter().all(|s| s["status"] == "skipped-staging"),
        "{j}"
    );
    assert!(dir.join("state").is_dir(), "the state is kept");
    assert!(!dir.join("entra").exists(), "nothing was exported");
    // What the staged run left pending is what a preview of the stored state shows.
    let o = syncrules(&["preview", "--config", &config(&dir), "--format", "json"]);
    let p: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert!(
        p["connectors"]["contoso.onmicrosoft.com"]["add"]
            .as_u64()
            .unwrap()
            > 250
    );
}
