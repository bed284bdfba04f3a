//! The library facade: sessions over a sync.yaml and over connectors built in code, events,
//! cancellation, and the same results as the binary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::sync::{Arc, Mutex};

use common::{Scratch, run, sample_ldif, sample_with, syncrules, text};
use syncrules::{
    CancelToken, Connector, ConnectorError, Cycle, Error, Event, ExportChange, ExportResult,
    ImportBatch, Rules, Session, SyncConfig,
};

fn sample(name: &str) -> (Scratch, SyncConfig) {
    let dir = sample_with("facade", name, &sample_ldif());
    let config = SyncConfig::load(&dir.join("sync.yaml")).unwrap();
    (dir, config)
}

/// The sample's Entra stand-in as read back by its connector: type, DN and attributes of
/// every object, sorted.
fn entra(dir: &std::path::Path) -> Vec<String> {
    use syncrules::connectors::file_target::FileTarget;
    let mut target = FileTarget::new("contoso.onmicrosoft.com", dir.join("entra"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let batch = rt.block_on(target.full_import()).unwrap();
    let mut out: Vec<String> = batch
        .entries
        .iter()
        .map(|e| format!("{} {} {:?}", e.object_type, e.dn, e.attributes))
        .collect();
    out.sort();
    assert!(out.len() > 300, "{}", out.len());
    out
}

#[test]
fn a_session_over_a_config_syncs_as_the_binary_does() {
    let (by_lib, config) = sample("lib");
    let rules = Rules::load(&[&config.rules]).unwrap();
    let mut session = Session::from_config(&config, rules)
        .unwrap()
        .open()
        .unwrap();
    let report = session.run(Cycle::Initial).unwrap();
    assert!(!report.stopped(), "{report:?}");
    assert_eq!(report.errors().count(), 0);
    drop(session);

    let (by_cli, _) = sample("cli");
    let out = run(&by_cli, &["--cycle", "initial", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps = json["steps"].as_array().unwrap();
    assert_eq!(steps.len(), report.steps.len());
    for (cli, lib) in steps.iter().zip(&report.steps) {
        assert_eq!(cli["step"], lib.report.step);
        assert_eq!(cli["connector"], lib.report.connector.as_str());
        for (key, n) in [
            ("objects", lib.report.objects),
            ("adds", lib.report.adds),
            ("updates", lib.report.updates),
            ("deletes", lib.report.deletes),
        ] {
            assert_eq!(
                cli[key], n,
                "{key} of {} {}",
                lib.report.step, lib.report.connector
            );
        }
    }
    // The target folders hold the same directory (anchors are the target's own, random).
    assert_eq!(entra(&by_lib), entra(&by_cli));
}

#[test]
fn a_preview_by_the_facade_is_the_binarys() {
    let (dir, config) = sample("preview");
    let rules = Rules::load(&[&config.rules]).unwrap();
    let mut session = Session::from_config(&config, rules)
        .unwrap()
        .snapshot_of(&config.state)
        .open()
        .unwrap();
    let preview = session.preview(None).unwrap();
    let ours = preview.to_json(&session.connector_names());
    let config_path = dir.join("sync.yaml");
    let out = syncrules(&[
        "preview",
        "--config",
        config_path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ours, theirs);
    assert!(!dir.join("state").exists(), "a preview writes no state");
}

#[test]
fn events_come_in_order_and_a_cancelled_cycle_goes_on_later() {
    let (_dir, config) = sample("cancel");
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let cancel = CancelToken::new();
    let (log, stop) = (Arc::clone(&seen), cancel.clone());
    let rules = Rules::load(&[&config.rules]).unwrap();
    let mut session = Session::from_config(&config, rules)
        .unwrap()
        .cancel_token(cancel.clone())
        .on_event(move |e| {
            let mut log = log.lock().unwrap();
            match e {
                Event::StepStarted(s) => log.push(format!("start {}", s.name())),
                Event::Progress(p) => assert!(p.done <= p.total, "{p:?}"),
                Event::StepFinished(o) => {
                    log.push(format!("end {}", o.report.step));
                    // Stop once both connectors are imported.
                    if log.iter().filter(|l| *l == "end full-import").count() == 2 {
                        stop.cancel();
                    }
                }
            }
        })
        .open()
        .unwrap();
    let first = session.run(Cycle::Initial).unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "start full-import",
            "end full-import",
            "start full-import",
            "end full-import"
        ]
    );
    assert_eq!(first.steps.len(), 2);
    assert_eq!(
        first.cancelled_before.as_deref(),
        Some("full-sync contoso.com")
    );
    drop(session);

    // The imports were committed: a new session picks up from there, and its delta cycle
    // syncs and exports the whole sample (the rules have not been synced yet).
    let rules = Rules::load(&[&config.rules]).unwrap();
    let mut session = Session::from_config(&config, rules)
        .unwrap()
        .open()
        .unwrap();
    let second = session.run(Cycle::Delta).unwrap();
    let export = second
        .steps
        .iter()
        .find(|s| s.report.step == "export" && s.report.connector == "contoso.onmicrosoft.com")
        .unwrap();
    assert!(export.report.adds > 300, "{:?}", export.report);
    assert!(second.cancelled_before.is_none());
}

#[test]
fn a_state_folder_is_never_previewed_and_held_by_one_session() {
    let (_dir, config) = sample("usage");
    let open = || {
        let rules = Rules::load(&[&config.rules]).unwrap();
        Session::from_config(&config, rules).unwrap().open()
    };
    let mut session = open().unwrap();
    assert!(matches!(session.preview(None), Err(Error::Usage(_))));
    let second = open().err().expect("the folder is locked");
    assert!(!second.is_input(), "a held state is the system's: {second}");
}

#[test]
fn rules_that_do_not_check_carry_their_findings() {
    let dir = Scratch::new("facade-bad");
    std::fs::write(
        dir.join("bad.yaml"),
        "name: Bad\ndirection: inbound\nconnector: hr\nsource: person\ntarget: person\nprecedence: 1\nflows:\n  - target: displayName\n    expression: Trim([givenName]\n",
    )
    .unwrap();
    let Err(e) = Rules::load(&[&dir]) else {
        panic!("bad rules loaded")
    };
    assert!(e.is_input());
    let Error::Rules(report) = &e else {
        panic!("{e}")
    };
    let rendered = report.render();
    // Located (file:line:col) and underlined.
    assert!(rendered.contains("bad.yaml:3:12: error"), "{rendered}");
    assert!(rendered.contains("^^"), "{rendered}");
    assert!(report.errors() >= 1);
}

/// A source whose import fails as a whole.
struct Down;

#[syncrules::async_trait]
impl Connector for Down {
    fn name(&self) -> &str {
        "contoso.com"
    }
    async fn full_import(&mut self) -> Result<ImportBatch, ConnectorError> {
        Err(ConnectorError::Unavailable {
            connector: "contoso.com".into(),
            message: "no route".into(),
        })
    }
    async fn delta_import(&mut self, _: &str) -> Result<ImportBatch, ConnectorError> {
        self.full_import().await
    }
    async fn export(&mut self, c: &[ExportChange]) -> Result<Vec<ExportResult>, ConnectorError> {
        Ok(vec![ExportResult::Done { anchor: None }; c.len()])
    }
}

#[test]
fn a_failing_connector_of_the_embedder_is_the_systems_fault() {
    let rules = Rules::load(&[common::repo().join("rules")]).unwrap();
    let mut session = Session::builder(rules).connector(Down).open().unwrap();
    let e = session.run(Cycle::Initial).unwrap_err();
    assert!(!e.is_input(), "{e}");
    assert!(e.to_string().contains("no route"), "{e}");
}

#[test]
fn a_secret_that_went_away_is_an_error_never_an_empty_password() {
    let dir = Scratch::new("facade-secret");
    std::fs::write(dir.join("pw"), "s3cret-value\n").unwrap();
    std::fs::write(
        dir.join("sync.yaml"),
        format!(
            "rules: {}\nstate: state\nconnectors:\n  contoso.com:\n    type: ldap\n    url: ldap://127.0.0.1:1\n    bind-dn: CN=svc,DC=contoso,DC=com\n    password-file: pw\n    base: DC=contoso,DC=com\n  contoso.onmicrosoft.com:\n    type: file\n    path: entra\n",
            common::repo().join("rules").display()
        ),
    )
    .unwrap();
    let config = SyncConfig::load(&dir.join("sync.yaml")).unwrap();
    std::fs::remove_file(dir.join("pw")).unwrap();
    let rules = Rules::load(&[&config.rules]).unwrap();
    let Err(e) = Session::from_config(&config, rules) else {
        panic!("a session without its bind password")
    };
    assert!(matches!(e, Error::Secret(_)), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains("password-file") && !text.contains("s3cret"),
        "{text}"
    );
}
