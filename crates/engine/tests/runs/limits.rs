//! Runs stopped by a limit: the deletion threshold (count and percentage) and the error
//! limit.

use crate::common::*;
use crate::{connected, engine, options, rules, run, user};
use syncrules_engine::model::State;
use syncrules_engine::run::{Cycle, Engine, Options, Status};

#[tokio::test]
async fn the_deletion_threshold_stops_an_export_until_deletes_are_allowed() {
    let (source, target) = connected([user("a", "g1"), user("b", "g2"), user("c", "g3")]);
    let mut e = engine(
        &source,
        &target,
        Options {
            deletion_threshold: 2,
            ..options()
        },
    );
    run(&mut e, Cycle::Initial).await;
    source.objects.lock().unwrap().truncate(1);
    let mut stopped = None;
    for step in e.cycle_steps(Cycle::Delta) {
        let r = e.run_step(&step).await.unwrap();
        if r.status.stopped() {
            stopped = Some(r);
            break;
        }
    }
    let r = stopped.unwrap();
    assert_eq!(
        (r.status, r.connector.as_str(), r.deletes),
        (Status::StoppedDeletionThreshold, "cloud", 2)
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n == "pending delete: CN=g2,OU=cloud"),
        "{:?}",
        r.notes
    );
    assert_eq!(
        target.objects.lock().unwrap().len(),
        3,
        "nothing was exported"
    );
    e.options.allow_deletes = true;
    run(&mut e, Cycle::Delta).await;
    assert_eq!(target.objects.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn the_error_limit_stops_a_run() {
    let (source, target) = connected([user("a", "g1"), user("b", "g2"), user("c", "g3")]);
    // An Error(...) flow makes every object fail.
    let mut failing = rules();
    failing[0] = failing[0].replace("expression: Trim([cn])", "expression: Error(\"no\")");
    let plan = scenario_plan(&failing);
    let mut e = Engine::new(
        plan,
        vec![Box::new(source.clone()), Box::new(target.clone())],
        State::default(),
        Options {
            error_limit: 2,
            ..options()
        },
    );
    let mut stopped = None;
    for step in e.cycle_steps(Cycle::Initial) {
        let r = e.run_step(&step).await.unwrap();
        if r.status.stopped() {
            stopped = Some(r);
            break;
        }
    }
    let r = stopped.unwrap();
    assert_eq!(
        (r.step, r.status, r.errors.len()),
        ("full-sync", Status::StoppedErrorLimit, 3)
    );
    assert!(target.objects.lock().unwrap().is_empty());
}

#[tokio::test]
async fn the_deletion_threshold_as_a_percentage() {
    let (source, target) = connected((0..10).map(|i| user(&format!("u{i}"), &format!("g{i}"))));
    let mut e = engine(
        &source,
        &target,
        Options {
            deletion_threshold: 1000,
            deletion_percent: Some(25.0),
            ..options()
        },
    );
    run(&mut e, Cycle::Initial).await;
    // Two of ten (20%) go through; three of the remaining eight (37.5%) stop.
    source.objects.lock().unwrap().truncate(8);
    let statuses: Vec<Status> = run(&mut e, Cycle::Delta)
        .await
        .into_iter()
        .map(|r| r.status)
        .collect();
    assert!(statuses.iter().all(|s| !s.stopped()), "{statuses:?}");
    assert_eq!(target.objects.lock().unwrap().len(), 8);
    source.objects.lock().unwrap().truncate(5);
    let stopped = run(&mut e, Cycle::Delta)
        .await
        .iter()
        .any(|r| r.status == Status::StoppedDeletionThreshold);
    assert!(stopped);
    assert_eq!(target.objects.lock().unwrap().len(), 8);
}

#[tokio::test]
async fn an_outbound_dn_that_does_not_parse_is_that_objects_export_error() {
    // The outbound rule names objects "CN=<objectGUID>,OU=cloud": a backslash not followed
    // by two hex digits or a special character makes the DN invalid.
    let (source, target) = connected([user("a", "g1"), user("b", r"bad\4"), user("c", "g3")]);
    let mut e = engine(&source, &target, options());
    let reports = run(&mut e, Cycle::Initial).await;
    let export = reports
        .iter()
        .find(|r| r.step == "export" && r.connector == "cloud")
        .unwrap();
    assert_eq!(export.status, Status::CompletedWithErrors);
    assert_eq!(export.adds, 2);
    assert_eq!(export.errors.len(), 1, "{:?}", export.errors);
    let error = &export.errors[0];
    assert_eq!(error.object, r"CN=bad\4,OU=cloud");
    assert!(
        error.message.starts_with("invalid-value: not a valid DN: "),
        "{}",
        error.message
    );
    let exported: Vec<String> = target
        .exports
        .lock()
        .unwrap()
        .iter()
        .map(|(_, dn)| dn.clone())
        .collect();
    assert_eq!(exported, ["CN=g1,OU=cloud", "CN=g3,OU=cloud"]);
}
