//! A session: rules, connectors and a state, run as Entra Connect's scheduler runs them.

mod impact;

use std::path::PathBuf;
use std::sync::Arc;

use syncrules_engine::connector::Connector;
use syncrules_engine::explain::Explanation;
use syncrules_engine::model::State;
use syncrules_engine::preview::Preview;
use syncrules_engine::run::{CancelToken, Cycle, CycleReport, Engine, Event, Observer, Options};
use syncrules_engine::store::{FILE_NAME, Store};
use syncrules_engine::sync::SyncContext;

pub use impact::ImpactReport;

use crate::config::SyncConfig;
use crate::lang::rules::Plan;
use crate::{Error, Rules, connect};

/// Where a session's state lives.
#[derive(Clone, Debug)]
enum StateMode {
    /// In memory, gone with the session.
    Memory,
    /// In a state folder, locked while the session lives; each step commits.
    Dir(PathBuf),
    /// Read from a state folder when it has one, never written (preview, impact).
    Snapshot(PathBuf),
}

/// Builds a [`Session`]: the rules, then connectors, a state and settings.
pub struct SessionBuilder {
    rules: Rules,
    connectors: Vec<Box<dyn Connector>>,
    state: StateMode,
    options: Options,
    observer: Option<Arc<Observer>>,
    cancel: CancelToken,
}

impl SessionBuilder {
    /// Adds a connector (cycles run connectors in the order they were added).
    pub fn connector(self, connector: impl Connector + 'static) -> Self {
        self.boxed_connector(Box::new(connector))
    }

    /// Adds a boxed connector.
    pub fn boxed_connector(mut self, connector: Box<dyn Connector>) -> Self {
        self.connectors.push(connector);
        self
    }

    /// Keeps the state in a folder: opening locks it (a second session on the same folder
    /// is refused, naming the holder), each step reads the objects it touches and commits
    /// what it changed, so a run killed at any point goes on where it stopped.
    pub fn state_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state = StateMode::Dir(dir.into());
        self
    }

    /// Starts from the state in a folder (when it holds one) and never writes it: what a
    /// preview or an impact reads.
    pub fn snapshot_of(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state = StateMode::Snapshot(dir.into());
        self
    }

    /// Keeps the state in memory (the default).
    pub fn in_memory(mut self) -> Self {
        self.state = StateMode::Memory;
        self
    }

    /// Sets the safety settings.
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Staging mode: imports and syncs, exports nothing (they stay pending).
    pub fn staging(mut self, on: bool) -> Self {
        self.options.staging = on;
        self
    }

    /// Lets exports through the deletion threshold.
    pub fn allow_deletes(mut self, on: bool) -> Self {
        self.options.allow_deletes = on;
        self
    }

    /// Calls `observer` as steps start, advance and end.
    pub fn on_event(mut self, observer: impl Fn(Event<'_>) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Uses `token` to stop runs: cancelled, a run stops before its next step.
    pub fn cancel_token(mut self, token: CancelToken) -> Self {
        self.cancel = token;
        self
    }

    /// Opens the state and makes the session.
    pub fn open(self) -> Result<Session, Error> {
        let plan = self.rules.into_plan();
        let engine = match &self.state {
            StateMode::Memory => Engine::new(plan, self.connectors, State::default(), self.options),
            StateMode::Dir(dir) => {
                let store = Store::open(dir)?;
                Engine::with_store(plan, self.connectors, store, self.options)?
            }
            StateMode::Snapshot(dir) => {
                let state = if dir.join(FILE_NAME).is_file() {
                    Store::open(dir).and_then(|s| s.load())?
                } else {
                    State::default()
                };
                Engine::new(plan, self.connectors, state, self.options)
            }
        };
        Ok(Session {
            engine,
            observer: self.observer,
            cancel: self.cancel,
        })
    }
}

/// Rules, connectors and a state: runs cycles, previews and impacts.
///
/// ```no_run
/// use syncrules::{Cycle, Rules, Session, SyncConfig};
///
/// let config = SyncConfig::load("examples/contoso/sync.yaml".as_ref())?;
/// let rules = Rules::from_config(&config)?;
/// let mut session = Session::from_config(&config, rules)?.open()?;
/// let report = session.run(Cycle::Delta)?;
/// println!("{} steps, {} object errors", report.steps.len(), report.errors().count());
/// # Ok::<(), syncrules::Error>(())
/// ```
pub struct Session {
    engine: Engine,
    observer: Option<Arc<Observer>>,
    cancel: CancelToken,
}

impl Session {
    /// A builder over `rules`, with no connectors and the state in memory.
    pub fn builder(rules: Rules) -> SessionBuilder {
        SessionBuilder {
            rules,
            connectors: Vec::new(),
            state: StateMode::Memory,
            options: Options::default(),
            observer: None,
            cancel: CancelToken::new(),
        }
    }

    /// A builder with a configuration's connectors, safety settings and state folder;
    /// more connectors can be added. Fails when a connector's secret cannot be read.
    pub fn from_config(config: &SyncConfig, rules: Rules) -> Result<SessionBuilder, Error> {
        let builder = Session::configured(config, rules, None)?;
        Ok(builder.state_dir(config.state.clone()))
    }

    /// A builder with a configuration's connectors (reading what `rules` and `also` use)
    /// and safety settings.
    fn configured(
        config: &SyncConfig,
        rules: Rules,
        also: Option<&Rules>,
    ) -> Result<SessionBuilder, Error> {
        let mut plans = vec![rules.plan()];
        plans.extend(also.map(Rules::plan));
        let connectors = connect::connectors(config, &plans)?;
        let mut builder = Session::builder(rules).options(connect::options(config, false, false));
        builder.connectors = connectors;
        Ok(builder)
    }

    /// Runs a cycle: imports, syncs and exports on every connector, each step committed.
    /// A step's object errors are in its report; an error here means a step could not
    /// run at all (the steps before it stay committed).
    pub async fn run_async(&mut self, cycle: Cycle) -> Result<CycleReport, Error> {
        // `Now()` and the deletion window read the time the run starts, not the time the
        // session was opened: a long-lived session runs many cycles.
        self.engine.options.now = chrono::Utc::now();
        let mut report = self
            .engine
            .run_cycle(cycle, self.observer.clone(), &self.cancel)
            .await?;
        // Shrinking the file is housekeeping: a failure changes nothing the run did.
        if let Err(e) = self.engine.compact_after(cycle, &report) {
            report.warnings.push(e.to_string());
        }
        Ok(report)
    }

    /// [`Session::run_async`] on a runtime of its own (not from inside an async runtime).
    pub fn run(&mut self, cycle: Cycle) -> Result<CycleReport, Error> {
        runtime()?.block_on(self.run_async(cycle))
    }

    /// A full cycle in staging mode over a state snapshot: every pending export and object
    /// error (with the values two objects would hold where a target keeps them unique),
    /// nothing written; with `object` (a DN or an anchor), only that object's and
    /// those of the objects joined with it.
    pub async fn preview_async(&mut self, object: Option<&str>) -> Result<Preview, Error> {
        if self.engine.store.is_some() {
            return Err(Error::Usage(
                "a preview never writes the state: open the session with `snapshot_of`",
            ));
        }
        self.engine.options.staging = true;
        self.engine.options.now = chrono::Utc::now();
        let report = self
            .engine
            .run_cycle(Cycle::Initial, self.observer.clone(), &self.cancel)
            .await?;
        let mut errors: Vec<_> = report.errors().cloned().collect();
        // Values the targets keep unique that two objects would hold: the exports this
        // preview stands for would be refused.
        let unique: indexmap::IndexMap<String, Vec<String>> = self
            .engine
            .connectors
            .iter()
            .map(|(name, c)| (name.clone(), c.unique_attributes()))
            .filter(|(_, u)| !u.is_empty())
            .collect();
        errors.extend(syncrules_engine::preview::conflicts(
            &self.engine.state,
            &unique,
        ));
        Ok(syncrules_engine::preview::preview(
            &self.engine.state,
            &errors,
            object,
        ))
    }

    /// [`Session::preview_async`] on a runtime of its own.
    pub fn preview(&mut self, object: Option<&str>) -> Result<Preview, Error> {
        runtime()?.block_on(self.preview_async(object))
    }

    /// How the object with this DN or anchor is synced: the rules in and out of scope, its
    /// join and each attribute's winning and outranked contributions.
    pub fn explain(&self, object: &str) -> Result<Explanation, Error> {
        match syncrules_engine::explain::explain(&self.engine.state, &self.context(), object) {
            None => Err(Error::NoSuchObject(object.to_owned())),
            Some(x) => Ok(x?),
        }
    }

    /// Fills each export of `preview` with the rules its values come from.
    pub fn explain_exports(&self, preview: &mut Preview) -> Result<(), Error> {
        Ok(preview.explain(&self.engine.state, &self.context())?)
    }

    /// A preview's summary as `syncrules preview` prints it: counts per connector and
    /// examples; `config` names the configuration in the hints.
    pub fn summary(&self, preview: &Preview, config: &str) -> String {
        preview.report(&self.engine.state, &self.connector_names(), config)
    }

    /// The connectors' names, in cycle order.
    pub fn connector_names(&self) -> Vec<String> {
        self.engine.connectors.keys().cloned().collect()
    }

    /// The connector spaces and metaverse as the session holds them (with a state folder,
    /// the objects the last steps touched).
    pub fn state(&self) -> &State {
        &self.engine.state
    }

    /// The compiled rules.
    pub fn plan(&self) -> &Plan {
        &self.engine.plan
    }

    /// The token that stops this session's runs.
    pub fn cancel_token(&self) -> CancelToken {
        self.cancel.clone()
    }

    /// Reads the whole stored state now instead of each step's working set (a check that
    /// both give the same result; slower).
    pub fn load_whole_state(&mut self) -> Result<(), Error> {
        if let Some(store) = &self.engine.store {
            self.engine.state = store.load()?;
        }
        Ok(())
    }

    fn context(&self) -> SyncContext<'_> {
        SyncContext {
            plan: &self.engine.plan,
            now: self.engine.options.now,
            deletion_window: self.engine.options.deletion_window,
        }
    }
}

/// A runtime for a blocking call.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)
}
