//! Sync steps: deciding whether a delta sync must run full, a step in one pass over a state
//! in memory, and a full sync over a store in batches with bounded memory.

use std::collections::BTreeSet;

use super::{Engine, RunError, Step, StepReport, sync_report, tell};
use crate::model::MvId;
use crate::store::Loader;
use crate::sync::{SyncContext, SyncReport, finish_pass, inbound_pass, sync_connector_with};

/// Adds a pass's counts and errors to a step's (its `changed` is committed apart).
fn absorb(sum: &mut SyncReport, r: SyncReport) {
    sum.visited += r.visited;
    sum.projected += r.projected;
    sum.joined += r.joined;
    sum.disconnected += r.disconnected;
    sum.deleted += r.deleted;
    sum.held += r.held;
    sum.mv_updated += r.mv_updated;
    sum.errors.extend(r.errors);
}

impl Engine {
    /// Whether a sync step runs full, and why a delta sync does: the rules changed since
    /// the last full sync, or the stored join index was made by an older build.
    pub(super) fn sync_mode(&self, step: &Step) -> Result<(bool, Vec<String>), RunError> {
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
        // A join index made with other keys (an older build's) is not searched by a delta
        // sync: the full sync reads everything, and its commit indexes anew.
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
        Ok((full, notes))
    }

    /// A sync step in one pass (a full sync reads the whole state into memory).
    pub(super) fn sync_step(&mut self, step: &Step, name: &str) -> Result<StepReport, RunError> {
        let (full, notes) = self.sync_mode(step)?;
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
        let r = sync_connector_with(&mut self.state, &ctx, name, full, loader.as_ref(), &tick);
        if let Some(l) = loader {
            l.finish()?;
        }
        Ok(self.sync_ended(step, name, full, r, notes))
    }

    /// A full sync over the store (or a delta sync of more objects than a batch), in two
    /// halves committed batch by batch, as a one-pass step runs them: first every object
    /// to visit (a delta's: those waiting for it) goes inbound, [`super::Options::sync_batch`]
    /// at a time (scope, join, project, disconnect; each batch reads its objects and their
    /// metaverse objects, and join candidates as searched); then every metaverse object
    /// they touched is recomputed, deleted if nothing keeps it, and processed outbound, as
    /// many at a time (each batch reads their joined objects, and of the objects their
    /// references name only DNs and joins, see [`crate::refs`]); the last batch also
    /// processes the objects waiting for references and the held ones. Each batch is
    /// committed and dropped from memory before the next: memory follows the batch, not
    /// the directory. A run killed between batches has committed whole batches; the
    /// objects not visited yet keep their pending imports, and the rules' fingerprint is
    /// recorded only by the last commit, so the next run syncs again.
    pub(super) fn sync_in_batches(
        &mut self,
        step: &Step,
        full: bool,
        notes: Vec<String>,
    ) -> Result<StepReport, RunError> {
        let name = step.connector().to_owned();
        let Engine {
            plan,
            state,
            options,
            store: Some(store),
            join_keys,
            progress,
            ..
        } = self
        else {
            return self.sync_step(step, &name);
        };
        let ctx = SyncContext {
            plan,
            now: options.now,
            deletion_window: options.deletion_window,
        };
        let hook = progress.as_deref();
        let ids = if full {
            store.reader()?.cs_ids(&name)?
        } else {
            store.reader()?.to_sync(&name)?
        };
        let total = ids.len();
        let size = options.sync_batch.max(1);
        // What the earlier steps left in memory is committed: start from nothing.
        state.evict();
        let mut sum = SyncReport::default();
        // What a run killed between the halves left.
        let mut touched: BTreeSet<MvId> = store.reader()?.to_recompute()?.into_iter().collect();
        let mut created = BTreeSet::new();
        let mut done = 0;
        // Inbound: every object visited (scope, join, project, disconnect) before any
        // metaverse object is recomputed, as in one pass.
        for batch in ids.chunks(size) {
            let loader = Loader::new(store.reader()?);
            loader.inbound(state, plan, &name, batch);
            let tick = |d, _| tell(hook, step, done + d, total);
            let (mut r, t) = inbound_pass(state, &ctx, &name, batch, full, &loader, &tick);
            loader.finish()?;
            // Durably: a run killed before the outbound half recomputes them next time.
            r.changed.recompute.clone_from(&t.mv);
            store.commit(state, &r.changed, join_keys)?;
            state.evict();
            touched.extend(t.mv);
            created.extend(t.created);
            done += batch.len();
            tell(hook, step, done, total);
            absorb(&mut sum, r);
        }
        // Then every touched metaverse object: recomputed, deleted if nothing keeps it,
        // processed outbound; the last batch also the objects waiting for references and
        // the held ones.
        let touched: Vec<MvId> = touched.into_iter().collect();
        let mut batches: Vec<&[MvId]> = touched.chunks(size).collect();
        if batches.is_empty() {
            batches.push(&[]);
        }
        let count = batches.len();
        let mut last = SyncReport::default();
        for (i, batch) in batches.into_iter().enumerate() {
            let end = i + 1 == count;
            let loader = Loader::new(store.reader()?);
            loader.outbound(state, plan, batch);
            if end {
                loader.waiting(state, &batch.iter().copied().collect());
            }
            let mut r = finish_pass(state, &ctx, batch, &created, &loader, end);
            loader.finish()?;
            r.changed.recomputed = batch.iter().copied().collect();
            if end {
                last = r;
                break;
            }
            store.commit(state, &r.changed, join_keys)?;
            state.evict();
            absorb(&mut sum, r);
        }
        let mut dirty = std::mem::take(&mut last.changed);
        dirty.meta = true;
        absorb(&mut sum, last);
        // The plan fingerprint and the step's last changes, committed together.
        let report = self.sync_ended(step, &name, full, sum, notes);
        if let Some(store) = &self.store {
            store.commit(&mut self.state, &dirty, &self.join_keys)?;
        }
        Ok(report)
    }

    /// A sync step's report, with its notes; records the plan fingerprint after a full
    /// sync of the last connector.
    fn sync_ended(
        &mut self,
        step: &Step,
        name: &str,
        full: bool,
        r: SyncReport,
        notes: Vec<String>,
    ) -> StepReport {
        if full && self.is_last_sync(name) {
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
                "{} metaverse objects wait for referenced objects to be exported: each is synced outbound again once one of those is touched, exported or gone",
                self.state.outbound_retry.len()
            ));
        }
        report
    }
}
