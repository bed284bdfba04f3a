//! `syncrules check`, `fmt`, `diff` and `import`, run as processes.

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

fn corpus() -> PathBuf {
    let dir = repo().join("../shared/corpus/aadconnect-contoso");
    assert!(
        dir.join("SynchronizationRules").is_dir(),
        "the Entra Connect corpus is missing: expected it at {}",
        dir.display()
    );
    dir
}

/// A path `name` that does not exist yet in a fresh [`Scratch`] folder, which the caller
/// keeps for as long as it uses the path.
fn temp(name: &str) -> (Scratch, PathBuf) {
    let scratch = Scratch::new(&format!("cli-{name}"));
    let dir = scratch.join(name);
    (scratch, dir)
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

#[test]
fn default_rules_check_clean_with_deny_warnings() {
    let rules = repo().join("rules");
    let o = syncrules(&["check", rules.to_str().unwrap(), "--deny-warnings"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).ends_with("0 errors, 0 warnings\n"),
        "{}",
        text(&o.stderr)
    );
    let o = syncrules(&["check", rules.to_str().unwrap(), "--format", "json"]);
    assert_eq!(text(&o.stdout).trim(), "[]");
    let o = syncrules(&["fmt", "--check", rules.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "rules/ is not canonical: {}",
        text(&o.stdout)
    );
}

#[test]
fn check_reports_every_error_located_and_as_json() {
    let (_scratch, dir) = temp("check");
    copy_dir(&repo().join("rules"), &dir);
    let file = dir.join("contoso.com/inbound/user-common.yaml");
    let original = std::fs::read_to_string(&file).unwrap();
    let broken = original
        .replacen("Trim([givenName])", "Trimm([givenName])", 1)
        .replacen("precedence: 104", "precedence: 102", 1);
    std::fs::write(&file, &broken).unwrap();
    let o = syncrules(&["check", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    let line_of = |needle: &str| broken.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let trimm_line = line_of("Trimm([givenName])");
    let col = broken
        .lines()
        .nth(trimm_line - 1)
        .unwrap()
        .find("Trimm")
        .unwrap()
        + 1;
    let expected = format!(
        "{}:{trimm_line}:{col}: error[E0101]: unknown function `Trimm`",
        file.display()
    );
    assert!(err.contains(&expected), "{err}");
    // A shared precedence is reported on the rule loaded second (by path), naming the
    // first and where it is: the edited file is on screen whichever of the two it is.
    let sign_in = dir.join("contoso.com/inbound/user-sign-in.yaml");
    let sign_in_text = std::fs::read_to_string(&sign_in).unwrap();
    let at = |text: &str| text.lines().position(|l| l == "precedence: 102").unwrap() + 1;
    assert!(
        err.contains(&format!(
            "{}:{}:13: error[E0403]: precedence 102 is already taken by `In from AD - User Common` ({}:{}:13)",
            sign_in.display(),
            at(&sign_in_text),
            file.display(),
            at(&broken)
        )),
        "{err}"
    );
    assert!(err.ends_with("2 errors, 0 warnings\n"), "{err}");

    let o = syncrules(&["check", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    let first = &findings[0];
    assert_eq!(first["file"], file.to_str().unwrap());
    assert_eq!(first["severity"], "error");
    assert!(first["line"].is_u64() && first["column"].is_u64() && first["code"].is_string());
    assert_eq!(findings.as_array().unwrap().len(), 2);
}

#[test]
fn a_bad_declarations_file_is_the_only_error_reported() {
    let (_scratch, dir) = temp("bad-declarations");
    copy_dir(&repo().join("rules"), &dir);
    let file = dir.join("syncrules.yaml");
    let original = std::fs::read_to_string(&file).unwrap();
    for (from, to, code) in [
        // Broken YAML: a key where a value is.
        (
            "  contoso.com:\n",
            "  contoso.com:\n    kind active-directory: x\n  y",
            "E0300",
        ),
        // Valid YAML, a wrong value.
        ("kind: active-directory", "kind: active-directry", "E0313"),
    ] {
        let broken = original.replacen(from, to, 1);
        assert_ne!(broken, original);
        std::fs::write(&file, &broken).unwrap();
        let o = syncrules(&["check", dir.to_str().unwrap(), "--format", "json"]);
        assert_eq!(o.status.code(), Some(1));
        let findings: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
        let findings = findings.as_array().unwrap();
        // Not one `unknown connector` per rule (23 of them) before it.
        assert_eq!(findings.len(), 1, "{findings:?}");
        let first = &findings[0];
        assert_eq!(first["file"], file.to_str().unwrap());
        assert_eq!(first["code"], code, "{first}");
    }
    // A rule's own mistake shows once the declarations load again.
    std::fs::write(&file, &original).unwrap();
    let rule = dir.join("contoso.com/inbound/user-common.yaml");
    let text_ = std::fs::read_to_string(&rule).unwrap();
    std::fs::write(
        &rule,
        text_.replacen("connector: contoso.com", "connector: contoso.con", 1),
    )
    .unwrap();
    let o = syncrules(&["check", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("error[E0401]: unknown connector `contoso.con`"),
        "{err}"
    );
    assert!(err.ends_with("1 errors, 0 warnings\n"), "{err}");
}

#[test]
fn fmt_rewrites_to_canonical_form_and_check_mode_changes_nothing() {
    let (_scratch, dir) = temp("fmt");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("r.yaml");
    let messy = "# keep me\nprecedence: 5\nname: R\ntarget: person\nsource: user\nconnector: c\ndirection: INBOUND\nflows:\n- {target: a, expression: \"Trim([a])\"}\n";
    std::fs::write(&file, messy.replace("INBOUND", "Inbound")).unwrap();
    let o = syncrules(&["fmt", "--check", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("would reformat"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        messy.replace("INBOUND", "Inbound")
    );
    let o = syncrules(&["fmt", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let formatted = std::fs::read_to_string(&file).unwrap();
    // The comment stays with the key it stood above.
    assert!(
        formatted.starts_with("name: R\ndirection: inbound\n"),
        "{formatted}"
    );
    assert!(
        formatted.contains("link: join\n# keep me\nprecedence: 5\n"),
        "{formatted}"
    );
    assert!(
        formatted.contains("flows:\n  - target: a\n    expression: Trim([a])\n"),
        "{formatted}"
    );
    let o = syncrules(&["fmt", "--check", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text(&o.stdout)).unwrap(),
        serde_json::json!({"changed": [], "errors": []})
    );
    // A broken file is reported and left alone.
    std::fs::write(&file, "name: [\n").unwrap();
    let o = syncrules(&["fmt", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("r.yaml:2:1: error[E0300]: invalid YAML"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "name: [\n");
}

#[test]
fn diff_by_meaning() {
    let old = repo().join("rules");
    let (_scratch, new) = temp("diff");
    copy_dir(&old, &new);
    let file = new.join("contoso.com/inbound/user-common.yaml");
    let t = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, t.replacen("precedence: 104", "precedence: 99", 1)).unwrap();
    let o = syncrules(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let j: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(j["changed"], 1);
    assert_eq!(
        j["rules"][0]["details"][0],
        serde_json::json!({"kind": "precedence", "old": "104", "new": "99"})
    );
    let o = syncrules(&[
        "diff",
        old.to_str().unwrap(),
        old.to_str().unwrap(),
        "--exit-code",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(text(&o.stdout), "0 added, 0 removed, 0 changed\n");
    let o = syncrules(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--exit-code",
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn import_aadconnect_then_check_passes() {
    let (_scratch, out) = temp("import");
    let o = syncrules(&[
        "import",
        "aadconnect",
        corpus().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("imported 62 rules and 2 connectors"),
        "{}",
        text(&o.stderr)
    );
    let o = syncrules(&["check", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("checked 62 rules: 0 errors"),
        "{}",
        text(&o.stderr)
    );
    // The import is canonical already.
    let o = syncrules(&["fmt", "--check", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    // Importing into a folder that is not empty is refused and changes nothing.
    let o = syncrules(&[
        "import",
        "aadconnect",
        corpus().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn import_adsync_powershell() {
    let fixtures = repo().join("crates/rules-import/tests/fixtures/adsync-ps");
    // Into an empty folder: connectors are declared from the rules.
    let (_out_scratch, out) = temp("ps-new");
    let o = syncrules(&[
        "import",
        "adsync-ps",
        fixtures.join("two-rules.ps1").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = syncrules(&["check", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // Into an imported rule set: the connector GUID is named by its declared id.
    let (_set_scratch, set) = temp("ps-existing");
    let o = syncrules(&[
        "import",
        "aadconnect",
        corpus().to_str().unwrap(),
        "--out",
        set.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let inbound_before = std::fs::read_dir(set.join("rules/contoso-com/inbound"))
        .unwrap()
        .count();
    // (renamed, so its file does not collide with the imported default of that name)
    let script = std::fs::read_to_string(fixtures.join("inbound-user.ps1"))
        .unwrap()
        .replace(
            "-Name 'In from AD - User Join'",
            "-Name 'In from AD - User Join Custom'",
        );
    let (_ps_scratch, ps) = temp("ps-script");
    std::fs::create_dir_all(&ps).unwrap();
    let custom = ps.join("custom.ps1");
    std::fs::write(&custom, script).unwrap();
    let o = syncrules(&[
        "import",
        "adsync-ps",
        custom.to_str().unwrap(),
        "--out",
        set.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        set.join("rules/contoso-com/inbound/in-from-ad-user-join-custom.yaml")
            .is_file()
    );
    let inbound_after = std::fs::read_dir(set.join("rules/contoso-com/inbound"))
        .unwrap()
        .count();
    assert_eq!(inbound_after, inbound_before + 1);
    // Importing the same script again would overwrite: refused.
    let o = syncrules(&[
        "import",
        "adsync-ps",
        custom.to_str().unwrap(),
        "--out",
        set.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("exists already: nothing was written"),
        "{}",
        text(&o.stderr)
    );
    // A broken script: located errors, nothing written.
    let (_bad_scratch, bad) = temp("ps-bad");
    let o = syncrules(&[
        "import",
        "adsync-ps",
        fixtures.join("broken.ps1").to_str().unwrap(),
        "--out",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("broken.ps1:"),
        "{}",
        text(&o.stderr)
    );
    assert!(!bad.exists());
}
