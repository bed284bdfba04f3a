//! Run profiles and cycles: import, sync and export steps over the connectors, with the
//! safety features of Entra Connect (staging mode, deletion threshold, error limit).
//!
//! A delta cycle is a delta import on every connector, then a delta sync on every
//! connector, then an export on every connector in reverse order (import AD, import Entra,
//! sync AD, sync Entra, export Entra, export AD); an initial cycle uses full imports and
//! full syncs. A sync after the rules changed (a new plan fingerprint) runs as a full
//! sync, and its report says why.

mod export;
mod threshold;

use indexmap::IndexMap;
use syncrules_lang::rules::plan::Plan;

use crate::connector::{Connector, ConnectorError};
use crate::import::{ImportReport, apply_with_progress};
use crate::model::State;
use crate::store::{Dirty, JoinKeys, Loader, Store, StoreError};
use crate::sync::{ObjectError, SyncContext, SyncReport, sync_connector_with};

/// A step of a run profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Read every object of a connector.
    FullImport(String),
    /// Read what changed since the stored watermark.
    DeltaImport(String),
    /// Sync every object of a connector.
    FullSync(String),
    /// Sync the objects an import changed.
    DeltaSync(String),
    /// Write a connector's pending exports.
    Export(String),
}

impl Step {
    /// The step's name for reports.
    pub fn name(&self) -> &'static str {
        match self {
            Step::FullImport(_) => "full-import",
            Step::DeltaImport(_) => "delta-import",
            Step::FullSync(_) => "full-sync",
            Step::DeltaSync(_) => "delta-sync",
            Step::Export(_) => "export",
        }
    }

    /// The step's connector.
    pub fn connector(&self) -> &str {
        match self {
            Step::FullImport(c)
            | Step::DeltaImport(c)
            | Step::FullSync(c)
            | Step::DeltaSync(c)
            | Step::Export(c) => c,
        }
    }
}

/// Which cycle to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cycle {
    /// Full imports and full syncs.
    Initial,
    /// Delta imports and delta syncs.
    Delta,
}

/// How a step ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Done.
    Success,
    /// Done, with object errors.
    CompletedWithErrors,
    /// An export that would delete too many objects: nothing was exported.
    StoppedDeletionThreshold,
    /// Too many object errors: the run stopped.
    StoppedErrorLimit,
    /// Staging mode: nothing was exported.
    SkippedStaging,
}

impl Status {
    /// The status as Entra Connect's run history spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::CompletedWithErrors => "completed-with-errors",
            Status::StoppedDeletionThreshold => "stopped-deletion-threshold-exceeded",
            Status::StoppedErrorLimit => "stopped-error-limit",
            Status::SkippedStaging => "skipped-staging",
        }
    }

    /// True when the run must stop and exit 1.
    pub fn stopped(self) -> bool {
        matches!(
            self,
            Status::StoppedDeletionThreshold | Status::StoppedErrorLimit
        )
    }
}

/// What one step did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepReport {
    /// The step (`full-import`, ...).
    pub step: &'static str,
    /// The connector.
    pub connector: String,
    /// How it ended.
    pub status: Status,
    /// Objects read (imports) or visited (syncs) or written (exports).
    pub objects: usize,
    /// Adds.
    pub adds: usize,
    /// Updates.
    pub updates: usize,
    /// Deletes.
    pub deletes: usize,
    /// Renames.
    pub renames: usize,
    /// Object errors.
    pub errors: Vec<ObjectError>,
    /// Why the step ran as it did (a full sync after a rule change), or what it held back
    /// (the pending deletes of a stopped export).
    pub notes: Vec<String>,
    /// The objects the step added, changed or removed: what a store commits after it.
    pub changed: Dirty,
}

impl StepReport {
    pub(super) fn new(step: &Step) -> Self {
        StepReport {
            step: step.name(),
            connector: step.connector().to_owned(),
            status: Status::Success,
            objects: 0,
            adds: 0,
            updates: 0,
            deletes: 0,
            renames: 0,
            errors: Vec::new(),
            notes: Vec::new(),
            changed: Dirty::default(),
        }
    }
}

/// Where a long step is: `done` of `total` objects (entries read, objects visited, changes
/// exported).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress<'a> {
    /// The step (`full-import`, ...).
    pub step: &'static str,
    /// The step's connector.
    pub connector: &'a str,
    /// Objects done.
    pub done: usize,
    /// Objects to do.
    pub total: usize,
}

/// A callback told how long steps advance (a progress bar, a log line).
pub type ProgressHook = dyn Fn(Progress<'_>) + Send + Sync;

/// Safety settings.
#[derive(Clone, Debug)]
pub struct Options {
    /// An export deleting at least this many objects of a connector stops (default 500,
    /// Entra Connect's).
    pub deletion_threshold: usize,
    /// ... or at least this percentage of the objects the connector's directory holds
    /// (default [`DEFAULT_DELETION_PERCENT`]), counted from [`Options::deletion_floor`]
    /// deletes on; `None` checks the count only.
    pub deletion_percent: Option<f64>,
    /// The fewest deletes the percentage stops (default [`DEFAULT_DELETION_FLOOR`]), so a
    /// small directory losing one or two objects is not stopped for being small.
    pub deletion_floor: usize,
    /// Let the next export through the threshold.
    pub allow_deletes: bool,
    /// A step with more object errors than this stops the run (default 5,000).
    pub error_limit: usize,
    /// Staging mode: imports and syncs run, exports do not.
    pub staging: bool,
    /// The time `Now()` returns.
    pub now: chrono::DateTime<chrono::Utc>,
    /// The most values one attribute of an imported object may hold: an entry over it is
    /// that object's import error and is skipped (default 1,000,000).
    pub values_per_attribute: usize,
}

/// The default deletion threshold as a count: Entra Connect's 500 objects.
pub const DEFAULT_DELETION_COUNT: usize = 500;

/// The default deletion threshold as a percentage of a connector's objects. 500 objects
/// protect nothing below 500 objects and little below a few thousand; a tenth of the
/// directory is far above a day's leavers, and far below what a truncated export, a wrong
/// scope or a bad filter deletes. Above 5,000 objects the count decides first.
pub const DEFAULT_DELETION_PERCENT: f64 = 10.0;

/// The fewest deletes the percentage stops: below it, a 20-object directory could not lose
/// two objects (10 %) without an operator.
pub const DEFAULT_DELETION_FLOOR: usize = 3;

impl Default for Options {
    fn default() -> Self {
        Options {
            deletion_threshold: DEFAULT_DELETION_COUNT,
            deletion_percent: Some(DEFAULT_DELETION_PERCENT),
            deletion_floor: DEFAULT_DELETION_FLOOR,
            allow_deletes: false,
            error_limit: 5000,
            staging: false,
            now: chrono::Utc::now(),
            values_per_attribute: 1_000_000,
        }
    }
}

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
                    loader.cs_dn(&mut self.state, name, e.old_dn.as_deref().unwrap_or(&e.dn));
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
                let ctx = SyncContext {
                    plan: &self.plan,
                    now: self.options.now,
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
                let mut report = sync_report(step, r, self.options.error_limit);
                report.notes = notes;
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
