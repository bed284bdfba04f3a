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
use crate::import::{ImportReport, apply};
use crate::model::State;
use crate::store::Dirty;
use crate::sync::{ObjectError, SyncContext, SyncReport, sync_connector};

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
        }
    }
}

/// Why a run could not go on.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A connector failed as a whole.
    #[error(transparent)]
    Connector(#[from] ConnectorError),
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
        Engine {
            plan,
            connectors,
            state,
            options,
        }
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
                let r = apply(self.state.space(&name), batch, true);
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
                let r = apply(self.state.space(&name), batch, full);
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
                let r = sync_connector(&mut self.state, &ctx, &name, full);
                if full && self.is_last_sync(&name) {
                    self.state.plan_fingerprint = Some(self.plan.fingerprint.clone());
                }
                let mut report = sync_report(step, r, self.options.error_limit);
                report.notes = notes;
                Ok(report)
            }
            Step::Export(_) => self.export(step, &name).await,
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
