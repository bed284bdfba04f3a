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
mod import_step;
mod steps;
mod sync_step;
mod threshold;

pub use cycle::{CancelToken, CycleReport, Event, Observer, StepOutcome};
pub use steps::{
    Cycle, DEFAULT_DELETION_COUNT, DEFAULT_DELETION_FLOOR, DEFAULT_DELETION_PERCENT,
    DEFAULT_SYNC_BATCH, Options, Progress, ProgressHook, Status, Step, StepReport,
};

use indexmap::IndexMap;
use syncrules_lang::rules::plan::Plan;

use crate::connector::{Connector, ConnectorError};
use crate::import::{ImportReport, apply_with_progress};
use crate::model::State;
use crate::store::{Dirty, JoinKeys, Loader, Store, StoreError};
use crate::sync::{ObjectError, SyncReport};

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
    ///
    /// With a store, an import applies its entries, a full sync (or a delta sync with more
    /// objects to visit than a batch) visits the connector's objects, and an export sends
    /// the pending exports, in batches of
    /// [`Options::sync_batch`], committing each and keeping in memory only what one batch
    /// touches.
    pub async fn run_and_commit(&mut self, step: &Step) -> Result<StepReport, RunError> {
        if self.store.is_some() {
            match step {
                Step::FullSync(_) | Step::DeltaSync(_) => {
                    let (full, notes) = self.sync_mode(step)?;
                    if full || self.delta_in_batches(step)? {
                        return self.sync_in_batches(step, full, notes);
                    }
                }
                Step::FullImport(_) | Step::DeltaImport(_) => {
                    return self.import_with_store(step).await;
                }
                Step::Export(_) => {
                    return self.export_in_batches(step, step.connector()).await;
                }
            }
        }
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
            loader.entries(&mut self.state, name, &batch.entries);
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
        if !self.connectors.contains_key(&name) {
            return Err(RunError::UnknownConnector(name));
        }
        match step {
            Step::FullImport(_) | Step::DeltaImport(_) => {
                let (batch, full, note) = self.fetch(step).await?;
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
            Step::FullSync(_) | Step::DeltaSync(_) => self.sync_step(step, &name),
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
