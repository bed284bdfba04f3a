//! Synchronization: connector space → metaverse (inbound) and metaverse → connector
//! spaces (outbound), as Entra Connect's declarative provisioning does it.
//!
//! A sync step processes connector-space objects of one connector: every object (full
//! sync) or the ones an import changed and the ones waiting for references (delta sync).
//! Each object's inbound processing decides its scope, join and the metaverse object's
//! attributes; every metaverse object it touched is then processed outbound to every
//! connector. One object's failure is recorded and the step goes on with the others.

pub(crate) mod desired;
pub mod eval;
mod hold;
pub(crate) mod inbound;
mod index;
pub(crate) mod outbound;
pub(crate) mod recompute;
pub mod resolve;
pub(crate) mod waits;

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use syncrules_lang::rules::plan::Plan;
use syncrules_lang::rules::{Direction, LinkType};

pub use index::JoinIndex;
pub(crate) use index::keys as join_keys;
pub use outbound::same as outbound_same;

use crate::model::{CsId, MvId, State};
use crate::store::{Dirty, Loader};

/// One object that failed, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectError {
    /// The connector of the object.
    pub connector: String,
    /// The object's DN (or the metaverse object's id as `mv:<id>`).
    pub object: String,
    /// The rule whose flow failed, if a rule did.
    pub rule: Option<String>,
    /// What happened (`Error("...")`'s text for a rule's error).
    pub message: String,
    /// The flow that failed.
    pub flow: Option<Box<FailedFlow>>,
}

/// The flow behind an object's error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedFlow {
    /// The flow's target attribute.
    pub target: String,
    /// The source text of the part of its expression that failed.
    pub part: String,
}

/// The flow that failed and the source text of the part of its expression that did.
pub(crate) fn failed_at(
    flow: &syncrules_lang::rules::plan::PlannedFlow,
    e: &syncrules_lang::EvalError,
) -> Box<FailedFlow> {
    let part = flow.text.get(e.span.range()).unwrap_or(&flow.text);
    Box::new(FailedFlow {
        target: flow.target.to_string(),
        part: part.to_owned(),
    })
}

/// `rule`'s `flow` failing with `e` on `object` (a DN, or `mv:<id>`) for `connector`.
pub(crate) fn flow_failed(
    connector: &str,
    object: String,
    rule: &syncrules_lang::rules::plan::PlannedRule,
    flow: &syncrules_lang::rules::plan::PlannedFlow,
    e: &syncrules_lang::EvalError,
) -> ObjectError {
    ObjectError {
        connector: connector.to_owned(),
        object,
        rule: Some(rule.name.to_string()),
        message: e.to_string(),
        flow: Some(failed_at(flow, e)),
    }
}

/// What a sync step did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Connector-space objects processed.
    pub visited: usize,
    /// Metaverse objects created (projections).
    pub projected: usize,
    /// Joins made.
    pub joined: usize,
    /// Links removed.
    pub disconnected: usize,
    /// Metaverse objects deleted.
    pub deleted: usize,
    /// Metaverse objects that lost their last source in this step and are held for the
    /// deletion window instead of deleted.
    pub held: usize,
    /// Metaverse objects whose attributes changed.
    pub mv_updated: usize,
    /// Objects that failed.
    pub errors: Vec<ObjectError>,
    /// The objects it added, changed or removed, for the store to write.
    pub changed: Dirty,
}

/// The metaverse objects a sync step touched, and the ones it created.
#[derive(Default)]
pub(crate) struct Touched {
    pub mv: BTreeSet<MvId>,
    pub created: BTreeSet<MvId>,
}

/// The rules of a plan by connector and name (a template's copies share a name):
/// direction and link type.
pub(crate) type RuleKinds = HashMap<String, HashMap<String, (Direction, LinkType)>>;

/// The [`RuleKinds`] of a plan.
pub(crate) fn rule_kinds(plan: &Plan) -> RuleKinds {
    let mut out = RuleKinds::new();
    for (k, g) in &plan.groups {
        let by_name = out.entry(k.connector.clone()).or_default();
        for r in &g.rules {
            by_name.insert(r.name.to_string(), (k.direction, r.link));
        }
    }
    out
}

/// Everything a sync step reads besides the state.
pub struct SyncContext<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// The time `Now()` returns, and the time this sync runs at.
    pub now: DateTime<Utc>,
    /// How long a metaverse object that lost its last source is held before it is
    /// deleted; `None` deletes it at once.
    pub deletion_window: Option<std::time::Duration>,
}

/// Runs a sync step over one connector's objects; `full` visits every object.
pub fn sync_connector(
    state: &mut State,
    ctx: &SyncContext<'_>,
    connector: &str,
    full: bool,
) -> SyncReport {
    sync_connector_with(state, ctx, connector, full, None, &|_, _| {})
}

/// [`sync_connector`] over a working set: `loader` reads from the store what the step
/// touches (for a full sync, everything) before and while it runs. `tick` is called with
/// the objects visited and the objects to visit every 1,024 objects.
pub fn sync_connector_with(
    state: &mut State,
    ctx: &SyncContext<'_>,
    connector: &str,
    full: bool,
    loader: Option<&Loader<'_>>,
    tick: &dyn Fn(usize, usize),
) -> SyncReport {
    let mut report = SyncReport::default();
    let mut ids: BTreeSet<CsId> = BTreeSet::new();
    if let Some(l) = loader {
        if full {
            if let Err(e) = l.reader().load_rest(state) {
                report.errors.push(ObjectError {
                    connector: connector.to_owned(),
                    object: String::new(),
                    rule: None,
                    message: e.to_string(),
                    flow: None,
                });
                return report;
            }
        } else {
            ids.extend(l.delta_sync(state, ctx.plan, connector));
        }
    }
    let Some(space) = state.spaces.get(connector) else {
        return report;
    };
    ids.extend(
        space
            .objects
            .values()
            .filter(|o| full || o.pending_import.is_some() || o.unresolved)
            .map(|o| o.id),
    );
    let ids: Vec<CsId> = ids.into_iter().collect();
    let (pass, _) = sync_pass(
        state,
        ctx,
        connector,
        &ids,
        Pass {
            full,
            last: true,
            loader,
            created: BTreeSet::new(),
        },
        tick,
    );
    pass
}

/// How one pass of a sync step runs.
pub(crate) struct Pass<'l> {
    /// Visits every given object; otherwise only those with a pending import or an
    /// unresolved reference.
    pub full: bool,
    /// The step's last pass: it also processes the metaverse objects waiting for
    /// references and the held ones whose window ended.
    pub last: bool,
    /// Reads from the store what the pass touches.
    pub loader: Option<&'l Loader<'l>>,
    /// Metaverse objects an earlier pass of the step created: their apply-once flows
    /// still apply, and their changes are not counted as updates.
    pub created: BTreeSet<MvId>,
}

/// Visits objects `ids` of `connector` (those [`Pass::full`] selects), then recomputes
/// and processes outbound every metaverse object they touched. `tick` is called with the
/// objects visited and the objects to visit every 1,024 objects. Returns the report and the metaverse objects
/// created, the earlier passes' included.
pub(crate) fn sync_pass(
    state: &mut State,
    ctx: &SyncContext<'_>,
    connector: &str,
    ids: &[CsId],
    pass: Pass<'_>,
    tick: &dyn Fn(usize, usize),
) -> (SyncReport, BTreeSet<MvId>) {
    let mut report = SyncReport::default();
    let Some(space) = state.spaces.get(connector) else {
        return (report, pass.created);
    };
    let full = pass.full;
    let ids: Vec<CsId> = ids
        .iter()
        .copied()
        .filter(|id| {
            space
                .objects
                .get(id)
                .is_some_and(|o| full || o.pending_import.is_some() || o.unresolved)
        })
        .collect();
    let mut index = JoinIndex::build(ctx.plan).with_loader(pass.loader);
    let kinds = rule_kinds(ctx.plan);
    let mut touched = Touched {
        mv: BTreeSet::new(),
        created: pass.created,
    };
    let total = ids.len();
    for id in ids {
        report.visited += 1;
        if report.visited.is_multiple_of(1024) {
            tick(report.visited, total);
        }
        report.changed.cs(connector, id);
        inbound::sync_object(
            state,
            ctx,
            &kinds,
            &mut index,
            connector,
            id,
            &mut touched,
            &mut report,
        );
    }
    let created = touched.created.clone();
    finish(state, ctx, &mut index, touched, &mut report, pass.last);
    (report, created)
}

/// The inbound half of a step over a store in batches: visits objects `ids` of
/// `connector` (scope, join, project, disconnect) and recomputes nothing, as a one-pass
/// step visits every object before it recomputes any. Returns the report (its `changed`
/// holds the visited objects and the touched metaverse objects) and what was touched.
pub(crate) fn inbound_pass(
    state: &mut State,
    ctx: &SyncContext<'_>,
    connector: &str,
    ids: &[CsId],
    full: bool,
    loader: &Loader<'_>,
    tick: &dyn Fn(usize, usize),
) -> (SyncReport, Touched) {
    let mut report = SyncReport::default();
    let mut touched = Touched::default();
    let Some(space) = state.spaces.get(connector) else {
        return (report, touched);
    };
    let ids: Vec<CsId> = ids
        .iter()
        .copied()
        .filter(|id| {
            space
                .objects
                .get(id)
                .is_some_and(|o| full || o.pending_import.is_some() || o.unresolved)
        })
        .collect();
    let mut index = JoinIndex::build(ctx.plan).with_loader(Some(loader));
    let kinds = rule_kinds(ctx.plan);
    let total = ids.len();
    for id in ids {
        report.visited += 1;
        if report.visited.is_multiple_of(1024) {
            tick(report.visited, total);
        }
        report.changed.cs(connector, id);
        inbound::sync_object(
            state,
            ctx,
            &kinds,
            &mut index,
            connector,
            id,
            &mut touched,
            &mut report,
        );
    }
    for mv in &touched.mv {
        report.changed.mv(*mv);
    }
    report.changed.meta = true;
    (report, touched)
}

/// The outbound half of a step over a store in batches: recomputes metaverse objects
/// `mvs` (touched by the inbound half; `created` those it created), deletes the ones
/// nothing keeps alive and processes them outbound; the `last` batch also processes the
/// objects waiting for references and the held ones.
pub(crate) fn finish_pass(
    state: &mut State,
    ctx: &SyncContext<'_>,
    mvs: &[MvId],
    created: &BTreeSet<MvId>,
    loader: &Loader<'_>,
    last: bool,
) -> SyncReport {
    let mut report = SyncReport::default();
    let mut index = JoinIndex::build(ctx.plan).with_loader(Some(loader));
    let touched = Touched {
        mv: mvs.iter().copied().collect(),
        created: mvs
            .iter()
            .copied()
            .filter(|m| created.contains(m))
            .collect(),
    };
    finish(state, ctx, &mut index, touched, &mut report, last);
    report
}

/// Recomputes the touched metaverse objects, deletes the ones nothing keeps alive, and
/// processes every touched metaverse object outbound. The computations run in parallel
/// over the unchanged state; their results are applied in id order, so the outcome does
/// not depend on scheduling.
pub(crate) fn finish(
    state: &mut State,
    ctx: &SyncContext<'_>,
    index: &mut JoinIndex,
    touched: Touched,
    report: &mut SyncReport,
    last: bool,
) {
    use rayon::prelude::*;
    // Every metaverse object the step may change: the touched ones now, the ones processed
    // outbound below; each is written with its links as they end up.
    let mut changed: BTreeSet<MvId> = touched.mv.clone();
    let mut alive = Vec::new();
    for mv in touched.mv {
        let keeps = state
            .metaverse
            .objects
            .get(&mv)
            .is_some_and(|m| !m.anchored_by.is_empty());
        if keeps {
            if state.held.remove(&mv).is_some() {
                report.changed.meta = true;
            }
            alive.push(mv);
        } else if state.metaverse.objects.contains_key(&mv) && !hold::holds(state, ctx, mv, report)
        {
            inbound::delete_mv(state, index, mv, report);
        }
    }
    if last {
        for mv in hold::expired(state, ctx, report) {
            changed.insert(mv);
            inbound::delete_mv(state, index, mv, report);
        }
    }
    let shared: &State = state;
    let computed: Vec<(MvId, Result<Option<recompute::Recomputed>, ObjectError>)> = alive
        .par_iter()
        .map(|mv| {
            (
                *mv,
                recompute::compute(shared, ctx, *mv, touched.created.contains(mv)),
            )
        })
        .collect();
    let mut outbound_ids = BTreeSet::new();
    for (mv, result) in computed {
        match result {
            Ok(Some(r)) => {
                if recompute::store(state, index, mv, r) && !touched.created.contains(&mv) {
                    report.mv_updated += 1;
                }
                outbound_ids.insert(mv);
            }
            Ok(None) => {}
            Err(e) => {
                if touched.created.contains(&mv) {
                    inbound::undo_projection(state, mv, report);
                    report.projected = report.projected.saturating_sub(1);
                }
                report.errors.push(e);
            }
        }
    }
    // Objects waiting for references from earlier steps, then every touched object; a
    // second pass picks up references to objects this pass provisioned.
    if last {
        // Those whose wait may be over: a referenced object touched in this sync, gone,
        // or now exported.
        let retry: Vec<MvId> = state
            .outbound_retry
            .iter()
            .copied()
            .filter(|mv| {
                // One a working set did not read stays waiting for the next sync.
                state.metaverse.objects.contains_key(mv)
                    && waits::wait_over(state, *mv, &outbound_ids)
            })
            .collect();
        outbound_ids.extend(retry);
    }
    let ids: Vec<MvId> = outbound_ids.into_iter().collect();
    outbound::sync_all(state, ctx, index, &ids, report);
    let again: Vec<MvId> = ids
        .iter()
        .copied()
        .filter(|id| state.outbound_retry.contains(id))
        .collect();
    outbound::sync_all(state, ctx, index, &again, report);
    changed.extend(ids);
    for mv in changed {
        report.changed.mv(mv);
        if let Some(m) = state.metaverse.objects.get(&mv) {
            for (connector, cs) in &m.links {
                report.changed.cs(connector, *cs);
            }
        }
    }
    // Watermarks, next ids, the retry list and the plan fingerprint.
    report.changed.meta = true;
}
