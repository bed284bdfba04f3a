//! Run profiles end to end with in-memory connectors: cycles, export confirmation, the
//! deletion threshold, and a rule change forcing a full sync. The test doubles and the
//! shared rules live here; the tests are grouped in the modules.

#![expect(clippy::unwrap_used, reason = "test doubles fail loudly")]

#[path = "../common/mod.rs"]
mod common;

mod compaction;
mod cycles;
mod halves;
mod journal;
mod limits;
mod paged;

use std::sync::{Arc, Mutex};

use common::*;
use indexmap::IndexMap;
use syncrules_engine::connector::{
    Change, Connector, ConnectorError, ExportChange, ExportOp, ExportResult, ImportBatch,
    ImportEntry,
};
use syncrules_engine::model::State;
use syncrules_engine::run::{Cycle, Engine, Options, StepReport};
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
            errors: Vec::new(),
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
    /// The number of changes sent when each export step ended.
    ended: Arc<Mutex<Vec<usize>>>,
    /// The end of an export step fails.
    end_fails: bool,
}

#[async_trait::async_trait]
impl Connector for Target {
    fn name(&self) -> &str {
        &self.name
    }
    async fn full_import(&mut self) -> Result<ImportBatch, ConnectorError> {
        Ok(ImportBatch {
            errors: Vec::new(),
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
            self.exports.lock().unwrap().push((c.op, c.dn.to_string()));
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
                        entry(Change::Present, c.dn.as_str(), &anchor, &c.object_type, &[])
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
                            e.attributes.insert(*k, v);
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
    async fn end_export(&mut self) -> Result<(), ConnectorError> {
        let sent = self.exports.lock().unwrap().len();
        self.ended.lock().unwrap().push(sent);
        if self.end_fails {
            return Err(ConnectorError::Unavailable {
                connector: self.name.clone(),
                message: "tidying failed".into(),
            });
        }
        Ok(())
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

/// A source `ad` holding `users`, and an empty target `cloud`.
fn connected(users: impl IntoIterator<Item = ImportEntry>) -> (Source, Target) {
    let source = Source {
        name: "ad".into(),
        ..Source::default()
    };
    source.objects.lock().unwrap().extend(users);
    let target = Target {
        name: "cloud".into(),
        ..Target::default()
    };
    (source, target)
}

/// Runs every step of `cycle`, giving the steps' reports.
async fn run(e: &mut Engine, cycle: Cycle) -> Vec<StepReport> {
    let mut reports = Vec::new();
    for step in e.cycle_steps(cycle) {
        reports.push(e.run_step(&step).await.unwrap());
    }
    reports
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

/// An engine over a state in `dir` (a new one, or the one a test's earlier engine left),
/// with a source and a target.
fn store_engine(
    dir: &std::path::Path,
    connectors: [Box<dyn Connector>; 2],
    options: Options,
) -> Engine {
    Engine::with_store(
        scenario_plan(&rules()),
        connectors.into(),
        syncrules_engine::store::Store::open(dir).unwrap(),
        options,
    )
    .unwrap()
}

fn options() -> Options {
    Options {
        now: now(),
        ..Options::default()
    }
}
