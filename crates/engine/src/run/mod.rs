//! Run profiles and cycles: import, sync and export steps over the connectors, with the
//! safety features of Entra Connect (staging mode, deletion threshold, error limit).
//!
//! A delta cycle is a delta import on every connector, then a delta sync on every
//! connector, then an export on every connector in reverse order (import AD, import Entra,
//! sync AD, sync Entra, export Entra, export AD); an initial cycle uses full imports and
//! full syncs. A sync after the rules changed (a new plan fingerprint) runs as a full
//! sync, and its report says why.

mod cycle;
mod export;
mod steps;
mod threshold;

pub use cycle::{CancelToken, CycleReport, Event, Observer, StepOutcome};
pub use steps::{
    Cycle, DEFAULT_DELETION_COUNT, DEFAULT_DELETION_FLOOR, DEFAULT_DELETION_PERCENT, Options,
    Progress, ProgressHook, Status, Step, StepReport,
};

use indexmap::IndexMap;
use syncrules_lang::rules::plan::Plan;

use crate::connector::{Connector, ConnectorError};
use crate::import::{ImportReport, apply_with_progress};
use crate::model::State;
use crate::store::{Dirty, JoinKeys, Loader, Store, StoreError};
use crate::sync::{ObjectError, SyncContext, SyncReport, sync_connector_with};

/// Why a run could not go on.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A connector failed as a whole.
    #[error(transparent)]
    Connector(#[from] ConnectorError),
    /// The state could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The step names a connector the engine does not have.
    #[error("no connector named `{0}`")]
    UnknownConnector(String),
}

/// The engine: a plan, connectors, and the state they share.
pub struct Engine {
    /// The compiled rules.
    pub plan: Plan,
    /// Connectors in cycle order.
    pub connectors: IndexMap<String, Box<dyn Connector>>,
    /// Connector spaces and metaverse.
    pub state: State,
    /// Safety settings.
    pub options: Options,
    /// Where the state lives between runs, when it does: each step reads the objects it
    /// touches from it and commits what it changed.
    pub store: Option<Store>,
    /// The attributes the plan's joins search, which the store indexes.
    join_keys: JoinKeys,
    /// Told how long steps advance.
    progress: Option<Box<ProgressHook>>,
}

fn tell(hook: Option<&ProgressHook>, step: &Step, done: usize, total: usize) {
    if let Some(hook) = hook {
        hook(Progress {
            step: step.name(),
            connector: step.connector(),
            done,
            total,
        });
    }
}

fn import_report(step: &Step, r: ImportReport, limit: usize) -> StepReport {
    let connector = step.connector();
    let errors: Vec<ObjectError> = r
        .errors
        .into_iter()
        .map(|e| ObjectError {
            connector: connector.to_owned(),
            object: e.dn.unwrap_or_default(),
            rule: None,
            message: e.message,
            flow: None,
        })
        .collect();
    let status = if errors.len() > limit {
        Status::StoppedErrorLimit
    } else if errors.is_empty() {
        Status::Success
    } else {
        Status::CompletedWithErrors
    };
    let mut changed = Dirty {
        meta: true,
        ..Dirty::default()
    };
    for id in r.changed {
        changed.cs(connector, id);
    }
    StepReport {
        changed,
        status,
        errors,
        objects: r.read,
        adds: r.adds,
        updates: r.updates,
        deletes: r.deletes,
        ..StepReport::new(step)
    }
}

fn sync_report(step: &Step, r: SyncReport, limit: usize) -> StepReport {
    let status = if r.errors.len() > limit {
        Status::StoppedErrorLimit
    } else if r.errors.is_empty() {
        Status::Success
    } else {
        Status::CompletedWithErrors
    };
    StepReport {
        status,
        objects: r.visited,
        adds: r.projected,
        updates: r.mv_updated,
        deletes: r.deleted,
        errors: r.errors,
        changed: r.changed,
        ..StepReport::new(step)
    }
}

impl Engine {
    /// An engine over a state (empty, or loaded from a store).
    pub fn new(
        plan: Plan,
        connectors: Vec<Box<dyn Connector>>,
        state: State,
        options: Options,
    ) -> Self {
        let connectors = connectors
            .into_iter()
            .map(|c| (c.name().to_owned(), c))
            .collect();
        let join_keys = JoinKeys::of(&plan);
        Engine {
            plan,
            connectors,
            state,
            options,
            store: None,
            join_keys,
            progress: None,
        }
    }

    /// Calls `hook` as long steps advance.
    pub fn set_progress(&mut self, hook: Box<ProgressHook>) {
        self.progress = Some(hook);
    }

    /// An engine over the state in `store`: only the connector list, watermarks and
    /// counters are read now; each step reads the objects it touches (a full step, all of
    /// them) and commits its changes, so a delta run costs what changed.
    pub fn with_store(
        plan: Plan,
        connectors: Vec<Box<dyn Connector>>,
        store: Store,
        options: Options,
    ) -> Result<Self, StoreError> {
        let state = store.reader()?.meta_state()?;
        let mut engine = Engine::new(plan, connectors, state, options);
        engine.store = Some(store);
        Ok(engine)
    }

    /// Runs one step and, with a store, commits what it changed (a step's changes are
    /// stored whole or not at all).
    pub async fn run_and_commit(&mut self, step: &Step) -> Result<StepReport, RunError> {
        let report = self.run_step(step).await?;
        if let Some(store) = &self.store {
            store.commit(&mut self.state, &report.changed, &self.join_keys)?;
        }
        Ok(report)
    }

    /// Reads what an import's entries touch into the working set.
    fn load_for_import(
        &mut self,
        name: &str,
        batch: &crate::connector::ImportBatch,
        full: bool,
    ) -> Result<(), RunError> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        let loader = Loader::new(store.reader()?);
        if full {
            loader.reader().load_space(&mut self.state, name)?;
        } else {
            for e in &batch.entries {
                let found = e
                    .anchor
                    .as_deref()
                    .and_then(|a| loader.cs_anchor(&mut self.state, name, a));
                if found.is_none() {
                    loader.cs_dn(
                        &mut self.state,
                        name,
                        e.old_dn.as_ref().unwrap_or(&e.dn).as_str(),
                    );
                }
            }
        }
        loader.finish()?;
        Ok(())
    }

    /// The steps of a cycle, in order.
    pub fn cycle_steps(&self, cycle: Cycle) -> Vec<Step> {
        let names: Vec<String> = self.connectors.keys().cloned().collect();
        let mut steps = Vec::new();
        for n in &names {
            steps.push(match cycle {
                Cycle::Initial => Step::FullImport(n.clone()),
                Cycle::Delta => Step::DeltaImport(n.clone()),
            });
        }
        for n in &names {
            steps.push(match cycle {
                Cycle::Initial => Step::FullSync(n.clone()),
                Cycle::Delta => Step::DeltaSync(n.clone()),
            });
        }
        for n in names.iter().rev() {
            steps.push(Step::Export(n.clone()));
        }
        steps
    }

    /// Runs one step.
    pub async fn run_step(&mut self, step: &Step) -> Result<StepReport, RunError> {
        let name = step.connector().to_owned();
        let connector = self
            .connectors
            .get_mut(&name)
            .ok_or_else(|| RunError::UnknownConnector(name.clone()))?;
        match step {
            Step::FullImport(_) => {
                let batch = connector.full_import().await?;
                self.load_for_import(&name, &batch, true)?;
                let total = batch.entries.len();
                let hook = self.progress.as_deref();
                let mut tick = |done| tell(hook, step, done, total);
                let limit = self.options.values_per_attribute;
                let r = apply_with_progress(self.state.space(&name), batch, true, limit, &mut tick);
                Ok(import_report(step, r, self.options.error_limit))
            }
            Step::DeltaImport(_) => {
                let watermark = self.state.space(&name).watermark.clone();
                let (batch, full, note) = match watermark {
                    Some(w) => match connector.delta_import(&w).await {
                        Ok(b) => (b, false, None),
                        Err(ConnectorError::WatermarkExpired { .. }) => (
                            connector.full_import().await?,
                            true,
                            Some("the delta watermark expired: ran a full import".to_owned()),
                        ),
                        Err(e) => return Err(e.into()),
                    },
                    None => (
                        connector.full_import().await?,
                        true,
                        Some("no watermark stored yet: ran a full import".to_owned()),
                    ),
                };
                self.load_for_import(&name, &batch, full)?;
                let total = batch.entries.len();
                let hook = self.progress.as_deref();
                let mut tick = |done| tell(hook, step, done, total);
                let limit = self.options.values_per_attribute;
                let r = apply_with_progress(self.state.space(&name), batch, full, limit, &mut tick);
                let mut report = import_report(step, r, self.options.error_limit);
                report.notes.extend(note);
                Ok(report)
            }
            Step::FullSync(_) | Step::DeltaSync(_) => {
                let mut full = matches!(step, Step::FullSync(_));
                let mut notes = Vec::new();
                let changed =
                    self.state.plan_fingerprint.as_deref() != Some(self.plan.fingerprint.as_str());
                if !full && changed {
                    full = true;
                    notes.push(match &self.state.plan_fingerprint {
                        Some(old) => format!(
                            "the rules changed (plan {old} -> {}): ran a full sync",
                            self.plan.fingerprint
                        ),
                        None => "no sync has run with these rules yet: ran a full sync".to_owned(),
                    });
                }
                // A join index made with other keys (an older build's) is not searched by a
                // delta sync: the full sync reads everything, and its commit indexes anew.
                if !full && let Some(store) = &self.store {
                    let stored = store.reader()?.join_keys()?;
                    if stored
                        .as_ref()
                        .is_some_and(|k| k.format != self.join_keys.format)
                    {
                        full = true;
                        notes.push(
                            "the state's join index was made by an older build: ran a full sync, which indexes it anew"
                                .to_owned(),
                        );
                    }
                }
                let ctx = SyncContext {
                    plan: &self.plan,
                    now: self.options.now,
                    deletion_window: self.options.deletion_window,
                };
                let loader = match &self.store {
                    Some(store) => Some(Loader::new(store.reader()?)),
                    None => None,
                };
                let hook = self.progress.as_deref();
                let tick = |done, total| tell(hook, step, done, total);
                let r =
                    sync_connector_with(&mut self.state, &ctx, &name, full, loader.as_ref(), &tick);
                if let Some(l) = loader {
                    l.finish()?;
                }
                if full && self.is_last_sync(&name) {
                    self.state.plan_fingerprint = Some(self.plan.fingerprint.clone());
                }
                let held = r.held;
                let mut report = sync_report(step, r, self.options.error_limit);
                report.notes = notes;
                if held > 0 {
                    report.notes.push(format!(
                        "{held} metaverse objects lost their last source and are held for the deletion window: an object joining one keeps its identity; {} held in all",
                        self.state.held.len()
                    ));
                }
                if !full && !self.state.outbound_retry.is_empty() {
                    report.notes.push(format!(
                        "{} metaverse objects wait for referenced objects to be exported and were synced outbound again",
                        self.state.outbound_retry.len()
                    ));
                }
                Ok(report)
            }
            Step::Export(_) => {
                if let Some(store) = &self.store {
                    let loader = Loader::new(store.reader()?);
                    loader.exports(&mut self.state, &name);
                    loader.finish()?;
                }
                self.export(step, &name).await
            }
        }
    }

    /// Whether `connector` is the last connector synced in a cycle (the plan fingerprint is
    /// recorded when every connector has been synced with it).
    fn is_last_sync(&self, connector: &str) -> bool {
        self.connectors
            .keys()
            .last()
            .is_some_and(|c| c == connector)
    }
}
