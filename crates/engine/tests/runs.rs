//! Run profiles end to end with in-memory connectors: cycles, export confirmation, the
//! deletion threshold, and a rule change forcing a full sync.

#![expect(clippy::unwrap_used, reason = "test doubles fail loudly")]

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use indexmap::IndexMap;
use syncrules_engine::connector::{
    Change, Connector, ConnectorError, ExportChange, ExportOp, ExportResult, ImportBatch,
    ImportEntry,
};
use syncrules_engine::model::State;
use syncrules_engine::run::{Cycle, Engine, Options, Status};
use syncrules_lang::Value;

/// A source whose objects the test sets.
#[derive(Clone, Default)]
struct Source {
    name: String,
    objects: Arc<Mutex<Vec<ImportEntry>>>,
}

#[async_trait::async_trait]
impl Connector for Source {
    fn name(&self) -> &str {
        &self.name
    }
    async fn full_import(&mut self) -> Result<ImportBatch, ConnectorError> {
        Ok(ImportBatch {
            entries: self.objects.lock().unwrap().clone(),
            watermark: Some("w".into()),
        })
    }
    async fn delta_import(&mut self, _: &str) -> Result<ImportBatch, ConnectorError> {
        // Delta as a full listing: the test source has no change log.
        Err(ConnectorError::WatermarkExpired {
            connector: self.name.clone(),
        })
    }
    async fn export(
        &mut self,
        changes: &[ExportChange],
    ) -> Result<Vec<ExportResult>, ConnectorError> {
        Ok(changes
            .iter()
            .map(|_| ExportResult::Failed {
                class: syncrules_engine::connector::FailureClass::Refused,
                message: "read-only".into(),
            })
            .collect())
    }
}

/// A target that stores what it is sent; `mangle` makes it keep a different value for
/// one attribute, as a directory that normalises values would.
#[derive(Clone, Default)]
struct Target {
    name: String,
    objects: Arc<Mutex<IndexMap<String, ImportEntry>>>,
    exports: Arc<Mutex<Vec<(ExportOp, String)>>>,
    mangle: Option<&'static str>,
}

#[async_trait::async_trait]
impl Connector for Target {
    fn name(&self) -> &str {
        &self.name
    }
    async fn full_import(&mut self) -> Result<ImportBatch, ConnectorError> {
        Ok(ImportBatch {
            entries: self.objects.lock().unwrap().values().cloned().collect(),
            watermark: Some("w".into()),
        })
    }
    async fn delta_import(&mut self, _: &str) -> Result<ImportBatch, ConnectorError> {
        self.full_import().await
    }
    async fn export(
        &mut self,
        changes: &[ExportChange],
    ) -> Result<Vec<ExportResult>, ConnectorError> {
        let mut objects = self.objects.lock().unwrap();
        let mut out = Vec::new();
        for c in changes {
            self.exports.lock().unwrap().push((c.op, c.dn.clone()));
            let anchor = c
                .anchor
                .clone()
                .unwrap_or_else(|| format!("t{}", objects.len() + 1));
            match c.op {
                ExportOp::Delete => {
                    objects.shift_remove(&anchor);
                }
                _ => {
                    let e = objects.entry(anchor.clone()).or_insert_with(|| {
                        entry(Change::Present, &c.dn, &anchor, &c.object_type, &[])
                    });
                    e.dn.clone_from(&c.dn);
                    for (k, v) in &c.attributes {
                        let v = if Some(k.as_str()) == self.mangle {
                            Value::from("mangled")
                        } else {
                            v.clone()
                        };
                        if v.is_null() {
                            e.attributes.shift_remove(k);
                        } else {
                            e.attributes.insert(k.clone(), v);
                        }
                    }
                }
            }
            out.push(ExportResult::Done {
                anchor: Some(anchor),
            });
        }
        Ok(out)
    }
}

fn rules() -> Vec<String> {
    vec![
        rule(
            "In",
            "inbound",
            "ad",
            "user",
            "person",
            10,
            "link: provision\njoin:\n  - - source: objectGUID\n      target: objectGUID\nflows:\n  - target: objectGUID\n    source: objectGUID\n  - target: displayName\n    expression: Trim([cn])\n",
        ),
        rule(
            "Out",
            "outbound",
            "cloud",
            "person",
            "user",
            50,
            "link: provision\njoin:\n  - - source: objectGUID\n      target: immutableId\nflows:\n  - target: dn\n    expression: '\"CN=\" & [objectGUID] & \",OU=cloud\"'\n  - target: immutableId\n    source: objectGUID\n  - target: displayName\n    source: displayName\n",
        ),
    ]
}

fn user(cn: &str, guid: &str) -> ImportEntry {
    obj(
        &format!("CN={cn},DC=x"),
        guid,
        "user",
        &[("cn", cn.into()), ("objectGUID", guid.into())],
    )
}

fn engine(source: &Source, target: &Target, options: Options) -> Engine {
    let plan = scenario_plan(&rules());
    Engine::new(
        plan,
        vec![Box::new(source.clone()), Box::new(target.clone())],
        State::default(),
        options,
    )
}

fn options() -> Options {
    Options {
        now: now(),
        ..Options::default()
    }
}

#[tokio::test]
async fn cycles_export_and_a_second_run_exports_nothing() {
    let source = Source {
        name: "ad".into(),
        ..Source::default()
    };
    let target = Target {
        name: "cloud".into(),
        ..Target::default()
    };
    source
        .objects
        .lock()
        .unwrap()
        .extend([user("a", "g1"), user("b", "g2")]);
    let mut e = engine(&source, &target, options());
    let mut reports = Vec::new();
    for step in e.cycle_steps(Cycle::Initial) {
        reports.push(e.run_step(&step).await.unwrap());
    }
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
        for step in e.cycle_steps(Cycle::Delta) {
            let r = e.run_step(&step).await.unwrap();
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
    for step in e.cycle_steps(Cycle::Initial) {
        e.run_step(&step).await.unwrap();
    }
    target.exports.lock().unwrap().clear();
    for step in e.cycle_steps(Cycle::Delta) {
        e.run_step(&step).await.unwrap();
    }
    // The import showed `mangled`, not what was exported: the value goes out again.
    assert_eq!(
        *target.exports.lock().unwrap(),
        [(ExportOp::Update, "CN=g1,OU=cloud".to_owned())]
    );
}

#[tokio::test]
async fn the_deletion_threshold_stops_an_export_until_deletes_are_allowed() {
    let source = Source {
        name: "ad".into(),
        ..Source::default()
    };
    let target = Target {
        name: "cloud".into(),
        ..Target::default()
    };
    source
        .objects
        .lock()
        .unwrap()
        .extend([user("a", "g1"), user("b", "g2"), user("c", "g3")]);
    let mut e = engine(
        &source,
        &target,
        Options {
            deletion_threshold: 2,
            ..options()
        },
    );
    for step in e.cycle_steps(Cycle::Initial) {
        e.run_step(&step).await.unwrap();
    }
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
    for step in e.cycle_steps(Cycle::Delta) {
        e.run_step(&step).await.unwrap();
    }
    assert_eq!(target.objects.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_rule_change_makes_the_next_delta_sync_a_full_sync() {
    let source = Source {
        name: "ad".into(),
        ..Source::default()
    };
    let target = Target {
        name: "cloud".into(),
        ..Target::default()
    };
    source.objects.lock().unwrap().push(user("a", "g1"));
    let mut e = engine(&source, &target, options());
    for step in e.cycle_steps(Cycle::Initial) {
        e.run_step(&step).await.unwrap();
    }
    let mut changed = rules();
    changed[0] = changed[0].replace("Trim([cn])", "UCase([cn])");
    e.plan = scenario_plan(&changed);
    let mut notes = Vec::new();
    for step in e.cycle_steps(Cycle::Delta) {
        let r = e.run_step(&step).await.unwrap();
        if r.step == "delta-sync" {
            notes.extend(r.notes);
        }
    }
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
    let source = Source {
        name: "ad".into(),
        ..Source::default()
    };
    let target = Target {
        name: "cloud".into(),
        ..Target::default()
    };
    source.objects.lock().unwrap().push(user("a", "g1"));
    let mut e = engine(
        &source,
        &target,
        Options {
            staging: true,
            ..options()
        },
    );
    let mut statuses = Vec::new();
    for step in e.cycle_steps(Cycle::Initial) {
        let r = e.run_step(&step).await.unwrap();
        statuses.push((r.step, r.status));
    }
    assert_eq!(statuses[4], ("export", Status::SkippedStaging));
    assert!(target.objects.lock().unwrap().is_empty());
    assert_eq!(pending(&e.state, "cloud").len(), 1);
}

#[tokio::test]
async fn the_error_limit_stops_a_run() {
    let source = Source {
        name: "ad".into(),
        ..Source::default()
    };
    let target = Target {
        name: "cloud".into(),
        ..Target::default()
    };
    // An Error(...) flow makes every object fail.
    let mut failing = rules();
    failing[0] = failing[0].replace("expression: Trim([cn])", "expression: Error(\"no\")");
    source
        .objects
        .lock()
        .unwrap()
        .extend([user("a", "g1"), user("b", "g2"), user("c", "g3")]);
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
    let source = Source {
        name: "ad".into(),
        ..Source::default()
    };
    let target = Target {
        name: "cloud".into(),
        ..Target::default()
    };
    source
        .objects
        .lock()
        .unwrap()
        .extend((0..10).map(|i| user(&format!("u{i}"), &format!("g{i}"))));
    let mut e = engine(
        &source,
        &target,
        Options {
            deletion_threshold: 1000,
            deletion_percent: Some(25.0),
            ..options()
        },
    );
    for step in e.cycle_steps(Cycle::Initial) {
        e.run_step(&step).await.unwrap();
    }
    // Two of ten (20%) go through; three of the remaining eight (37.5%) stop.
    source.objects.lock().unwrap().truncate(8);
    let mut statuses = Vec::new();
    for step in e.cycle_steps(Cycle::Delta) {
        statuses.push(e.run_step(&step).await.unwrap().status);
    }
    assert!(statuses.iter().all(|s| !s.stopped()), "{statuses:?}");
    assert_eq!(target.objects.lock().unwrap().len(), 8);
    source.objects.lock().unwrap().truncate(5);
    let mut stopped = false;
    for step in e.cycle_steps(Cycle::Delta) {
        stopped |= e.run_step(&step).await.unwrap().status == Status::StoppedDeletionThreshold;
    }
    assert!(stopped);
    assert_eq!(target.objects.lock().unwrap().len(), 8);
}
