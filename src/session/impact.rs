//! What a rule change would do: the connectors' data imported once, synced under the base
//! rules and under the new ones, and the two sets of exports compared.

use syncrules_engine::impact::{Impact, Side, impact};
use syncrules_engine::preview::preview;
use syncrules_engine::run::{Cycle, Step};
use syncrules_engine::sync::{ObjectError, SyncContext};

use super::{Session, SessionBuilder};
use crate::config::SyncConfig;
use crate::{Error, Rules};

/// The exports under two rule sets, compared.
#[derive(Debug)]
pub struct ImpactReport {
    /// What differs, by connector and object.
    pub impact: Impact,
    /// The object errors of the sync under the base rules.
    pub base_errors: Vec<ObjectError>,
    /// The object errors of the sync under the new rules.
    pub new_errors: Vec<ObjectError>,
}

impl Session {
    /// A builder for [`Session::impact_async`]: the configuration's connectors reading what
    /// either rule set uses, over a snapshot of its state (nothing is written).
    pub fn for_impact(
        config: &SyncConfig,
        base: Rules,
        new: &Rules,
    ) -> Result<SessionBuilder, Error> {
        let builder = Session::configured(config, base, Some(new))?;
        Ok(builder.staging(true).snapshot_of(config.state.clone()))
    }

    /// Imports once, syncs under the session's rules and under `new`, and compares the
    /// pending exports; the session is left holding the new rules' result.
    pub async fn impact_async(&mut self, new: Rules) -> Result<ImpactReport, Error> {
        if self.engine.store.is_some() {
            return Err(Error::Usage(
                "an impact never writes the state: open the session with `snapshot_of`",
            ));
        }
        self.engine.options.staging = true;
        let (imports, syncs): (Vec<Step>, Vec<Step>) = self
            .engine
            .cycle_steps(Cycle::Initial)
            .into_iter()
            .filter(|s| !matches!(s, Step::Export(_)))
            .partition(|s| matches!(s, Step::FullImport(_)));
        let observer = self.observer.clone();
        let imported = self
            .engine
            .run_steps(imports, observer.clone(), &self.cancel)
            .await?;
        if imported.stopped() {
            return Err(Error::ImportStopped(imported.errors().cloned().collect()));
        }
        let start = self.engine.state.clone();
        let base = self
            .engine
            .run_steps(syncs.clone(), observer.clone(), &self.cancel)
            .await?;
        let base_state = std::mem::replace(&mut self.engine.state, start);
        self.engine.plan = new.into_plan();
        let after = self.engine.run_steps(syncs, observer, &self.cancel).await?;
        let base_errors: Vec<ObjectError> = base.errors().cloned().collect();
        let new_errors: Vec<ObjectError> = after.errors().cloned().collect();
        let base_preview = preview(&base_state, &base_errors, None);
        let new_preview = preview(&self.engine.state, &new_errors, None);
        let ctx = SyncContext {
            plan: &self.engine.plan,
            now: self.engine.options.now,
            deletion_window: self.engine.options.deletion_window,
        };
        let names = self.connector_names();
        let impact = impact(
            &Side {
                state: &base_state,
                preview: &base_preview,
            },
            &Side {
                state: &self.engine.state,
                preview: &new_preview,
            },
            &ctx,
            &names,
        )?;
        Ok(ImpactReport {
            impact,
            base_errors,
            new_errors,
        })
    }

    /// [`Session::impact_async`] on a runtime of its own.
    pub fn impact(&mut self, new: Rules) -> Result<ImpactReport, Error> {
        super::runtime()?.block_on(self.impact_async(new))
    }
}
