//! A whole cycle: the steps in order, each committed, with events for an observer, a
//! cancellation check between steps, and the store's housekeeping at the end.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{Engine, RunError};
use crate::run::{Cycle, Progress, Step, StepReport};
use crate::store::StoreError;

/// Asks a running cycle to stop. Clones share one flag; the cycle looks at it before each
/// step, so a cancelled cycle stops between steps and every step it ran stays committed
/// (the next run goes on from there).
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token nobody has cancelled yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the cycle to stop before its next step.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// What a cycle tells its observer.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// A step starts.
    StepStarted(&'a Step),
    /// A long step advanced.
    Progress(Progress<'a>),
    /// A step ended (and was committed, with a store).
    StepFinished(&'a StepOutcome),
}

/// Told of a cycle's [`Event`]s; it may be called from the thread that runs the step.
pub type Observer = dyn Fn(Event<'_>) + Send + Sync;

/// One step's report and how long it took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepOutcome {
    /// What the step did.
    pub report: StepReport,
    /// Its wall time.
    pub took: Duration,
}

/// What a cycle did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CycleReport {
    /// The steps that ran, in order.
    pub steps: Vec<StepOutcome>,
    /// The cycle was cancelled before this step (its name and connector).
    pub cancelled_before: Option<String>,
    /// What went wrong after the steps without undoing any of them (the state file could
    /// not be compacted).
    pub warnings: Vec<String>,
}

impl CycleReport {
    /// A step stopped the cycle (deletion threshold, error limit).
    pub fn stopped(&self) -> bool {
        self.steps.iter().any(|s| s.report.status.stopped())
    }

    /// Every object error of every step, in order.
    pub fn errors(&self) -> impl Iterator<Item = &crate::sync::ObjectError> {
        self.steps.iter().flat_map(|s| s.report.errors.iter())
    }

    /// Objects the steps read, visited or wrote, summed.
    pub fn objects(&self) -> usize {
        self.steps.iter().map(|s| s.report.objects).sum()
    }
}

impl Engine {
    /// Runs `steps` in order, each committed to the store when the engine has one, until
    /// one stops the cycle or `cancel` is set; `observer` hears each step start, advance
    /// and end.
    pub async fn run_steps(
        &mut self,
        steps: Vec<Step>,
        observer: Option<Arc<Observer>>,
        cancel: &CancelToken,
    ) -> Result<CycleReport, RunError> {
        let mut report = CycleReport::default();
        for step in steps {
            if cancel.is_cancelled() {
                report.cancelled_before = Some(format!("{} {}", step.name(), step.connector()));
                break;
            }
            if let Some(o) = &observer {
                o(Event::StepStarted(&step));
                let o = Arc::clone(o);
                self.set_progress(Box::new(move |p| o(Event::Progress(p))));
            }
            let started = Instant::now();
            let result = self.run_and_commit(&step).await;
            self.progress = None;
            let outcome = StepOutcome {
                report: result?,
                took: started.elapsed(),
            };
            if let Some(o) = &observer {
                o(Event::StepFinished(&outcome));
            }
            let stop = outcome.report.status.stopped();
            report.steps.push(outcome);
            if stop {
                break;
            }
        }
        Ok(report)
    }

    /// Runs a cycle's steps ([`Engine::cycle_steps`]) as [`Engine::run_steps`] does.
    /// [`Engine::compact_after`] then gives the store back the space the cycle freed.
    pub async fn run_cycle(
        &mut self,
        cycle: Cycle,
        observer: Option<Arc<Observer>>,
        cancel: &CancelToken,
    ) -> Result<CycleReport, RunError> {
        let steps = self.cycle_steps(cycle);
        self.run_steps(steps, observer, cancel).await
    }

    /// The objects in every connector space and the metaverse (at the last commit).
    fn held(&self) -> usize {
        self.state.spaces.values().map(|s| s.len()).sum::<usize>() + self.state.metaverse.len()
    }

    /// Shrinks the store's file after an initial cycle, or a cycle that touched a large part
    /// of the state: a commit writes new pages beside the old ones, so a full cycle (or the
    /// run confirming its exports) leaves that much free space, while a run that changed
    /// little leaves little and compacting would cost a pass over the file. A state an
    /// initial cycle built from nothing has free space too: each object is written again,
    /// larger, by every step, so the pages of its earlier records are freed while the file
    /// grows (after an initial cycle of 100,000 users, compacting took the file from 515 to
    /// 361 MiB in under a second). Returns whether it compacted; a failure changes nothing
    /// the run did.
    pub fn compact_after(
        &mut self,
        cycle: Cycle,
        report: &CycleReport,
    ) -> Result<bool, StoreError> {
        let held = self.held();
        let touched = report.objects();
        match self.store.as_mut() {
            Some(store) if cycle == Cycle::Initial || touched.saturating_mul(4) >= held => {
                store.compact()?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}
