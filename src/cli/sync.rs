//! `syncrules preview` and `syncrules run`: the sync engine over the connectors of a
//! `sync.yaml`.

use std::collections::BTreeSet;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::json;
use syncrules::config_ldap::LdapConfig;
use syncrules::lang::rules::Plan;
use syncrules_connectors::file_target::FileTarget;
use syncrules_connectors::graph::GraphConnector;
use syncrules_connectors::ldap::LdapConnector;
use syncrules_connectors::ldif::LdifSource;
use syncrules_engine::connector::Connector;
use syncrules_engine::explain::explain;
use syncrules_engine::model::State;
use syncrules_engine::preview::preview;
use syncrules_engine::run::{Cycle, Engine, Options, Status, StepReport};
use syncrules_engine::store::Store;
use syncrules_engine::sync::{ObjectError, SyncContext};

use super::config::{ConnectorConfig, SyncConfig};
use super::{EXIT_EXTERNAL, EXIT_INPUT, Format};

#[derive(Debug, clap::Args)]
pub struct PreviewArgs {
    /// The run configuration.
    #[arg(long)]
    config: PathBuf,
    /// Report only this object (a DN or an anchor) and the objects joined with it: its
    /// exports in every connector.
    #[arg(long)]
    object: Option<String>,
    /// Explain the object: rules in and out of scope, the join, and each attribute's
    /// winning and outranked contributions (needs --object; without it, every export's
    /// values are listed).
    #[arg(long)]
    explain: bool,
    /// `text` or `json`.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CycleArg {
    /// Full imports and full syncs.
    Initial,
    /// Delta imports and delta syncs.
    Delta,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The run configuration.
    #[arg(long)]
    config: PathBuf,
    /// Which cycle.
    #[arg(long, value_enum, default_value_t = CycleArg::Delta)]
    cycle: CycleArg,
    /// Import and sync, but export nothing (the state is kept, exports stay pending).
    #[arg(long)]
    staging: bool,
    /// Let exports through the deletion threshold.
    #[arg(long)]
    allow_deletes: bool,
    /// `text` or `json`.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Read the whole state before the first step instead of each step's working set (a
    /// check that both give the same result; slower).
    #[arg(long, hide = true)]
    load_whole_state: bool,
}

/// A damaged or unreadable state is the input's fault (exit 1); anything else about the
/// store (locked, a failed write) is the system's (exit 3).
pub(super) fn store_exit(e: &syncrules_engine::store::StoreError) -> u8 {
    use syncrules_engine::store::StoreError;
    match e {
        StoreError::Damaged { .. } | StoreError::Corrupt { .. } => EXIT_INPUT,
        _ => EXIT_EXTERNAL,
    }
}

pub(super) fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}

/// The plan of the configuration's rules, checked as `syncrules check` does; the findings
/// are printed when there are errors.
pub(super) fn plan(config: &SyncConfig) -> Result<Plan, ExitCode> {
    let (plan, report, _) = super::check::check(std::slice::from_ref(&config.rules), false);
    match plan {
        Some(p) if report.errors() == 0 => Ok(p),
        _ => {
            eprint!("{}", report.render());
            Err(fail(EXIT_INPUT, "the rules do not check"))
        }
    }
}

/// The run configuration at `path` and the plan of its rules.
fn config_and_plan(path: &Path, scan: bool) -> Result<(SyncConfig, Plan), ExitCode> {
    let config = SyncConfig::load_with(path, scan).map_err(|e| fail(EXIT_INPUT, &e))?;
    let plan = plan(&config)?;
    Ok((config, plan))
}

/// The configuration's connectors. An LDAP connector without `attributes` reads those the
/// rules of `plans` use of it (every attribute when no rule uses it).
pub(super) fn connectors(config: &SyncConfig, plans: &[&Plan]) -> Vec<Box<dyn Connector>> {
    config
        .connectors
        .iter()
        .map(|(name, c)| -> Box<dyn Connector> {
            match c {
                ConnectorConfig::Ldif { path, delta } => {
                    let mut s = LdifSource::new(name.clone(), path.clone());
                    if let Some(d) = delta {
                        s = s.with_delta(d.clone());
                    }
                    Box::new(s)
                }
                ConnectorConfig::File { path } => {
                    Box::new(FileTarget::new(name.clone(), path.clone()))
                }
                // The password was read when the configuration was loaded.
                ConnectorConfig::Ldap(ldap) => {
                    let used: BTreeSet<String> = plans
                        .iter()
                        .flat_map(|p| p.connector_attributes(name))
                        .collect();
                    Box::new(ldap_connector(name, ldap, used))
                }
                // The secret was read when the configuration was loaded.
                ConnectorConfig::Graph(graph) => Box::new(GraphConnector::new(
                    name.clone(),
                    graph.settings().unwrap_or_else(|_| graph.settings.clone()),
                )),
            }
        })
        .collect()
}

/// An LDAP connector; without `attributes` in sync.yaml it reads `used` (every attribute
/// when `used` is empty). The password was read when the configuration was loaded.
pub(super) fn ldap_connector(
    name: &str,
    ldap: &LdapConfig,
    used: impl IntoIterator<Item = String>,
) -> LdapConnector {
    let mut settings = ldap.settings().unwrap_or_else(|_| ldap.settings.clone());
    let used: Vec<String> = used.into_iter().collect();
    if !ldap.attributes_given && !used.is_empty() {
        settings.attributes = used;
    }
    LdapConnector::new(name, settings)
}

pub(super) fn options(config: &SyncConfig, staging: bool, allow_deletes: bool) -> Options {
    Options {
        deletion_threshold: config.deletion_threshold.as_ref().map_or(500, |t| t.count),
        deletion_percent: config.deletion_threshold.as_ref().and_then(|t| t.percent),
        allow_deletes,
        error_limit: config.error_limit,
        values_per_attribute: config.values_per_attribute,
        staging,
        ..Options::default()
    }
}

pub(super) fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(EXIT_EXTERNAL, &format!("cannot start the runtime: {e}")))
}

/// A spinner on stderr for a step, when stderr is a terminal; it turns into a bar with
/// count, rate and ETA once the engine says how far the step is.
fn progress(step: &str, connector: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(format!("{step} {connector}"));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(bar)
}

/// Runs the steps of a cycle, each committed to the engine's store when it has one.
async fn run_cycle(
    engine: &mut Engine,
    cycle: Cycle,
) -> Result<Vec<(StepReport, std::time::Duration)>, ExitCode> {
    let steps = engine.cycle_steps(cycle);
    run_steps(engine, steps).await
}

/// Runs steps in order, each committed to the engine's store when it has one, until one
/// stops.
pub(super) async fn run_steps(
    engine: &mut Engine,
    steps: Vec<syncrules_engine::run::Step>,
) -> Result<Vec<(StepReport, std::time::Duration)>, ExitCode> {
    let mut reports = Vec::new();
    for step in steps {
        let bar = progress(step.name(), step.connector());
        if let Some(b) = &bar {
            let b = b.clone();
            engine.set_progress(Box::new(move |p| {
                if b.length().is_none()
                    && let Ok(style) = indicatif::ProgressStyle::with_template(
                        "{msg:36} [{bar:30}] {human_pos}/{human_len} {per_sec} ETA {eta}",
                    )
                {
                    b.set_style(style.progress_chars("=> "));
                }
                b.set_length(p.total as u64);
                b.set_position(p.done as u64);
            }));
        }
        let started = std::time::Instant::now();
        let report = engine.run_and_commit(&step).await;
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        let report = report.map_err(|e| {
            // Bad data (a malformed LDIF) is wrong input; anything else is the system's.
            let code = match &e {
                syncrules_engine::run::RunError::Connector(
                    syncrules_engine::ConnectorError::Data { .. },
                ) => EXIT_INPUT,
                _ => EXIT_EXTERNAL,
            };
            fail(code, &e.to_string())
        })?;
        let stop = report.status.stopped();
        reports.push((report, started.elapsed()));
        if stop {
            break;
        }
    }
    Ok(reports)
}

pub(super) fn errors_of(reports: &[(StepReport, std::time::Duration)]) -> Vec<ObjectError> {
    reports
        .iter()
        .flat_map(|(r, _)| r.errors.iter().cloned())
        .collect()
}

/// The state a preview starts from: the stored one when there is one (read, never
/// written), else an empty state.
pub(super) fn staged_state(config: &SyncConfig) -> Result<State, ExitCode> {
    if config
        .state
        .join(syncrules_engine::store::FILE_NAME)
        .is_file()
    {
        Store::open(&config.state)
            .and_then(|s| s.load())
            .map_err(|e| fail(store_exit(&e), &e.to_string()))
    } else {
        Ok(State::default())
    }
}

pub fn preview_cmd(args: &PreviewArgs) -> ExitCode {
    let (config, plan) = match config_and_plan(&args.config, true) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let state = match staged_state(&config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let names: Vec<String> = config.connectors.keys().cloned().collect();
    let connected = connectors(&config, &[&plan]);
    let mut engine = Engine::new(plan, connected, state, options(&config, true, false));
    let rt = match runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let reports = match rt.block_on(run_cycle(&mut engine, Cycle::Initial)) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let errors = errors_of(&reports);
    let ctx = SyncContext {
        plan: &engine.plan,
        now: engine.options.now,
    };
    // With --explain and --object, the object's full explanation rides along the report.
    let object = match (args.explain, &args.object) {
        (true, Some(id)) => match explain(&engine.state, &ctx, id) {
            None => {
                return fail(
                    EXIT_INPUT,
                    &format!("no object `{id}` in any connector space"),
                );
            }
            Some(Err(e)) => return fail(EXIT_INPUT, &format!("{}: {}", e.object, e.message)),
            Some(Ok(x)) => Some(x),
        },
        _ => None,
    };
    let mut p = preview(&engine.state, &errors, args.object.as_deref());
    if args.explain
        && let Err(e) = p.explain(&engine.state, &ctx)
    {
        return fail(EXIT_INPUT, &format!("{}: {}", e.object, e.message));
    }
    match args.format {
        Format::Json => {
            let mut j = p.to_json(&names);
            if let (Some(x), Some(obj)) = (&object, j.as_object_mut()) {
                obj.insert("object".into(), x.to_json());
            }
            println!("{j}");
        }
        Format::Text => {
            if let Some(x) = &object {
                println!("{}", x.render());
            }
            if args.explain || args.object.is_some() {
                print!("{}", p.render(&names, true));
            } else {
                let config = args.config.display().to_string();
                print!("{}", p.report(&engine.state, &names, &config));
            }
        }
    }
    ExitCode::SUCCESS
}

pub fn run_cmd(args: &RunArgs) -> ExitCode {
    // An initial cycle reads every object anyway; a delta run does not read the connectors'
    // data for the attribute names it has, so that it costs what changed.
    let scan = args.cycle == CycleArg::Initial;
    let (config, plan) = match config_and_plan(&args.config, scan) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let store = match Store::open(&config.state) {
        Ok(s) => s,
        Err(e) => return fail(store_exit(&e), &e.to_string()),
    };
    let connected = connectors(&config, &[&plan]);
    let mut engine = match Engine::with_store(
        plan,
        connected,
        store,
        options(&config, args.staging, args.allow_deletes),
    ) {
        Ok(e) => e,
        Err(e) => return fail(store_exit(&e), &e.to_string()),
    };
    if args.load_whole_state
        && let Some(store) = &engine.store
    {
        match store.load() {
            Ok(state) => engine.state = state,
            Err(e) => return fail(store_exit(&e), &e.to_string()),
        }
    }
    let rt = match runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let cycle = match args.cycle {
        CycleArg::Initial => Cycle::Initial,
        CycleArg::Delta => Cycle::Delta,
    };
    let reports = match rt.block_on(run_cycle(&mut engine, cycle)) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let stopped = reports.iter().any(|(r, _)| r.status.stopped());
    // Every step is committed: shrinking the file is housekeeping, and a failure to do it
    // changes nothing the run did. A commit writes new pages beside the old ones, so a run
    // that rewrote a large part of the state (a full cycle, the run confirming its exports)
    // leaves that much free space; a run that changed little leaves little, and compacting
    // would cost a pass over the file.
    let held: usize =
        engine.state.spaces.values().map(|s| s.len()).sum::<usize>() + engine.state.metaverse.len();
    let touched: usize = reports.iter().map(|(r, _)| r.objects).sum();
    if (cycle == Cycle::Initial || touched.saturating_mul(4) >= held)
        && let Some(store) = engine.store.as_mut()
        && let Err(e) = store.compact()
    {
        eprintln!("warning: {e}");
    }
    match args.format {
        Format::Json => {
            let steps: Vec<serde_json::Value> = reports
                .iter()
                .map(|(r, took)| {
                    json!({
                        "step": r.step, "connector": r.connector, "status": r.status.as_str(),
                        "seconds": took.as_secs_f64(),
                        "objects": r.objects, "adds": r.adds, "updates": r.updates,
                        "deletes": r.deletes, "renames": r.renames,
                        "errors": r.errors.iter().map(|e| json!({"connector": e.connector, "object": e.object, "rule": e.rule, "message": e.message})).collect::<Vec<_>>(),
                        "notes": r.notes,
                    })
                })
                .collect();
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", json!({"steps": steps}));
        }
        Format::Text => {
            for (r, took) in &reports {
                println!(
                    "{:<13} {:<28} {:<20} objects {:>6}  adds {:>5}  updates {:>5}  deletes {:>5}  renames {:>4}  errors {:>4}  {:>7.2}s",
                    r.step,
                    r.connector,
                    r.status.as_str(),
                    r.objects,
                    r.adds,
                    r.updates,
                    r.deletes,
                    r.renames,
                    r.errors.len(),
                    took.as_secs_f64()
                );
                for n in &r.notes {
                    println!("    {n}");
                }
                for e in r.errors.iter().take(20) {
                    let rule = e
                        .rule
                        .as_deref()
                        .map(|x| format!(" [{x}]"))
                        .unwrap_or_default();
                    println!("    error {}{rule}: {}", e.object, e.message);
                }
                if r.errors.len() > 20 {
                    println!("    ... and {} more errors", r.errors.len() - 20);
                }
            }
        }
    }
    if stopped
        || reports
            .iter()
            .any(|(r, _)| r.status == Status::StoppedErrorLimit)
    {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}
