//! What a run is made of and reports: steps, cycles, statuses, step reports, progress, and
//! the safety settings.

use crate::store::Dirty;
use crate::sync::ObjectError;

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
    /// Objects to do; 0 while not known (an import over a store is handed over a page at a
    /// time, and counts what it read, unless the connector tells the total with each page).
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
    /// How long a metaverse object whose last source object went away is held before it
    /// is deleted (`None`: deleted in the same sync). See [`crate::model::State::held`].
    pub deletion_window: Option<std::time::Duration>,
    /// The most values one attribute of an imported object may hold: an entry over it is
    /// that object's import error and is skipped (default 1,000,000).
    pub values_per_attribute: usize,
    /// How many connector-space objects a full sync over a store visits, commits and drops
    /// from memory at a time (default [`DEFAULT_SYNC_BATCH`]).
    pub sync_batch: usize,
}

/// The default [`Options::sync_batch`]: large enough that a batch's commit and its reads of
/// shared objects (groups, their members) are paid rarely, small enough that a batch's
/// working set stays a few hundred megabytes.
pub const DEFAULT_SYNC_BATCH: usize = 25_000;

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
            deletion_window: None,
            values_per_attribute: 1_000_000,
            sync_batch: DEFAULT_SYNC_BATCH,
        }
    }
}
