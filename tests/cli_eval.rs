//! `syncrules eval`, run as a process, per the CLI contract.

#![expect(
    clippy::unwrap_used,
    reason = "test setup fails loudly on broken fixtures"
)]

use std::path::PathBuf;
use std::process::{Command, Output};

mod common;

use common::Scratch;

fn syncrules(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_syncrules"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(o)).unwrap()
}

/// A file `name` holding `content` in a fresh [`Scratch`] folder, which the caller keeps
/// for as long as it uses the file.
fn temp_file(name: &str, content: &str) -> (Scratch, PathBuf) {
    let dir = Scratch::new("cli-eval");
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    (dir, path)
}

#[test]
fn upn_from_sam_account_name() {
    let (_dir, attrs) = temp_file("upn.json", r#"{"sAMAccountName": "jdoe"}"#);
    let o = syncrules(&[
        "eval",
        r#"IIF(IsPresent([userPrincipalName]),[userPrincipalName], IIF(IsPresent([sAMAccountName]),([sAMAccountName]&"@"&%Domain.FQDN%),Error("AccountName is not present")))"#,
        "--attrs",
        attrs.to_str().unwrap(),
        "--param",
        "Domain.FQDN=contoso.com",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        json(&o),
        serde_json::json!({"type": "string", "value": "jdoe@contoso.com"})
    );
}

#[test]
fn typed_attribute_values() {
    let (_dir, attrs) = temp_file(
        "typed.json",
        r#"{"objectGUID": {"binary": "AAECAwQFBgcICQoLDA0ODw=="},
            "pwdLastSet": 129699324000000000,
            "proxyAddresses": ["SMTP:jdoe@contoso.com", "smtp:j@contoso.com"],
            "manager": {"reference": "CN=Boss,DC=contoso,DC=com"}}"#,
    );
    let path = attrs.to_str().unwrap();
    let run = |expr: &str| {
        let o = syncrules(&["eval", expr, "--attrs", path]);
        assert_eq!(o.status.code(), Some(0), "{expr}: {}", stderr(&o));
        json(&o)
    };
    assert_eq!(
        run("ConvertToBase64([objectGUID])"),
        serde_json::json!({"type": "string", "value": "AAECAwQFBgcICQoLDA0ODw=="})
    );
    assert_eq!(
        run("DateFromNum([pwdLastSet])"),
        serde_json::json!({"type": "datetime", "value": "2012-01-01T23:00:00Z"})
    );
    assert_eq!(
        run("[manager]"),
        serde_json::json!({"type": "reference", "value": "CN=Boss,DC=contoso,DC=com"})
    );
    assert_eq!(
        run(r#"Where($p, [proxyAddresses], Left($p, 5) = "SMTP:")"#),
        serde_json::json!({"type": "multi", "value": [{"type": "string", "value": "SMTP:jdoe@contoso.com"}]})
    );
    assert_eq!(run("[objectGUID]")["type"], "binary");
    assert_eq!(run("[missing]"), serde_json::json!({"type": "null"}));
    assert_eq!(run("IgnoreThisFlow"), serde_json::json!({"type": "ignore"}));
    assert_eq!(
        run("AuthoritativeNull"),
        serde_json::json!({"type": "authoritative_null"})
    );
    assert_eq!(
        run("1 = 1"),
        serde_json::json!({"type": "boolean", "value": true})
    );
}

#[test]
fn compile_error_exits_1_with_located_diagnostic_and_no_stdout() {
    let o = syncrules(&["eval", "Trimm([givenName])"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    assert!(
        err.starts_with("<expression>:1:1: error[E0101]: unknown function `Trimm`"),
        "{err}"
    );
    assert!(err.contains("^^^^^"), "{err}");
    assert!(err.contains("did you mean `Trim`?"), "{err}");
}

#[test]
fn runtime_error_exits_1_with_the_message() {
    let o = syncrules(&["eval", r#"Error("AccountName is not present")"#]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("AccountName is not present"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(syncrules(&["eval"]).status.code(), Some(2));
    assert_eq!(
        syncrules(&["eval", "1", "--param", "novalue"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(syncrules(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn bad_attributes_file_exits_1() {
    let (_dir, attrs) = temp_file("bad.json", "{\"a\": 1.5}");
    let o = syncrules(&["eval", "[a]", "--attrs", attrs.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not a 64-bit integer"),
        "{}",
        stderr(&o)
    );
    let (_broken_dir, broken) = temp_file("broken.json", "{\"a\": ");
    let o = syncrules(&["eval", "[a]", "--attrs", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("broken.json:1:"), "{}", stderr(&o));
}

#[test]
fn now_is_settable_and_plan_is_listed() {
    let o = syncrules(&[
        "eval",
        r#"FormatDateTime(Now(), "yyyy-MM-dd")"#,
        "--now",
        "2030-05-06T07:08:09Z",
        "--plan",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        json(&o),
        serde_json::json!({"type": "string", "value": "2030-05-06"})
    );
    assert!(stderr(&o).contains("call       Now/0"), "{}", stderr(&o));
}
