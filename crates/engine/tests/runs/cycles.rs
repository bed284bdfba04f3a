//! Full cycles: step order and exports, confirming exports on the next import, a rule
//! change forcing a full sync, and staging.

use crate::common::*;
use crate::{Source, Target, connected, engine, options, rules, run, user};
use syncrules_engine::connector::ExportOp;
use syncrules_engine::run::{Cycle, Options, Status};
use syncrules_lang::Value;

#[tokio::test]
async fn cycles_export_and_a_second_run_exports_nothing() {
    let (source, target) = connected([user("a", "g1"), user("b", "g2")]);
    let mut e = engine(&source, &target, options());
    let reports = run(&mut e, Cycle::Initial).await;
    let names: Vec<(&str, &str)> = reports
        .iter()
        .map(|r| (r.step, r.connector.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("full-import", "ad"),
            ("full-import", "cloud"),
            ("full-sync", "ad"),
            ("full-sync", "cloud"),
            ("export", "cloud"),
            ("export", "ad")
        ]
    );
    assert_eq!(reports[4].adds, 2);
    assert_eq!(target.objects.lock().unwrap().len(), 2);
    // The next cycle confirms the exports and finds nothing to do; so does the one after.
    for _ in 0..2 {
        target.exports.lock().unwrap().clear();
        for r in run(&mut e, Cycle::Delta).await {
            assert!(r.errors.is_empty(), "{r:?}");
        }
        assert_eq!(*target.exports.lock().unwrap(), []);
    }
}

#[tokio::test]
async fn an_unconfirmed_value_is_exported_again() {
    let source = Source {
        name: "ad".into(),
        ..Source::default()
    };
    let target = Target {
        name: "cloud".into(),
        mangle: Some("displayName"),
        ..Target::default()
    };
    source.objects.lock().unwrap().push(user("a", "g1"));
    let mut e = engine(&source, &target, options());
    run(&mut e, Cycle::Initial).await;
    target.exports.lock().unwrap().clear();
    run(&mut e, Cycle::Delta).await;
    // The import showed `mangled`, not what was exported: the value goes out again.
    assert_eq!(
        *target.exports.lock().unwrap(),
        [(ExportOp::Update, "CN=g1,OU=cloud".to_owned())]
    );
}

#[tokio::test]
async fn a_rule_change_makes_the_next_delta_sync_a_full_sync() {
    let (source, target) = connected([user("a", "g1")]);
    let mut e = engine(&source, &target, options());
    run(&mut e, Cycle::Initial).await;
    let mut changed = rules();
    changed[0] = changed[0].replace("Trim([cn])", "UCase([cn])");
    e.plan = scenario_plan(&changed);
    let notes: Vec<String> = run(&mut e, Cycle::Delta)
        .await
        .into_iter()
        .filter(|r| r.step == "delta-sync")
        .flat_map(|r| r.notes)
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("the rules changed (plan ") && n.ends_with("ran a full sync")),
        "{notes:?}"
    );
    let stored = target.objects.lock().unwrap();
    assert_eq!(
        stored.values().next().unwrap().attributes["displayName"],
        Value::from("A")
    );
}

#[tokio::test]
async fn staging_exports_nothing_and_keeps_exports_pending() {
    let (source, target) = connected([user("a", "g1")]);
    let mut e = engine(
        &source,
        &target,
        Options {
            staging: true,
            ..options()
        },
    );
    let statuses: Vec<_> = run(&mut e, Cycle::Initial)
        .await
        .into_iter()
        .map(|r| (r.step, r.status))
        .collect();
    assert_eq!(statuses[4], ("export", Status::SkippedStaging));
    assert!(target.objects.lock().unwrap().is_empty());
    assert_eq!(pending(&e.state, "cloud").len(), 1);
}

#[tokio::test]
async fn a_connector_hears_when_an_export_step_ends_and_its_failure_is_a_note() {
    for fails in [false, true] {
        let (source, mut target) = connected([user("a", "g1"), user("b", "g2")]);
        target.end_fails = fails;
        let mut e = engine(&source, &target, options());
        let reports = run(&mut e, Cycle::Initial).await;
        // Once, after both adds were sent; the source, sent nothing, is not told.
        assert_eq!(*target.ended.lock().unwrap(), [2]);
        let export = &reports[4];
        assert_eq!((export.step, export.adds), ("export", 2));
        assert_eq!(export.status, Status::Success);
        let noted = export
            .notes
            .iter()
            .any(|n| n.contains("after the export") && n.contains("tidying failed"));
        assert_eq!(noted, fails, "{:?}", export.notes);
        // A step with nothing to send does not call it.
        run(&mut e, Cycle::Delta).await;
        assert_eq!(target.ended.lock().unwrap().len(), 1);
    }
}
