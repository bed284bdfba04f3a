//! `syncrules preview` and `syncrules run`: the sync engine over the connectors of a
//! `sync.yaml`.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use serde_json::json;
use syncrules::{Cycle, Error, Event, Rules, Session, SessionBuilder, StepOutcome};

use super::config::SyncConfig;
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

pub(super) fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}

/// A facade error: printed, and its exit code (1 for wrong input, 3 for a failing system).
pub(super) fn fail_with(e: &Error) -> ExitCode {
    if let Error::Rules(report) = e {
        eprint!("{}", report.render());
        return fail(EXIT_INPUT, "the rules do not check");
    }
    fail(
        if e.is_input() {
            EXIT_INPUT
        } else {
            EXIT_EXTERNAL
        },
        &e.to_string(),
    )
}

/// The run configuration at `path` and its rules, checked as `syncrules check` does; the
/// findings are printed when there are errors.
fn config_and_rules(path: &Path, scan: bool) -> Result<(SyncConfig, Rules), ExitCode> {
    let (config, set, report) =
        SyncConfig::load_rules(path, scan).map_err(|e| fail(EXIT_INPUT, &e))?;
    let rules = Rules::from_loaded(set, report).map_err(|e| fail_with(&e))?;
    Ok((config, rules))
}

/// Shows each step on stderr, when stderr is a terminal: a spinner that turns into a bar
/// with count, rate and ETA once the engine says how far the step is.
pub(super) fn progress_bars(builder: SessionBuilder) -> SessionBuilder {
    if !std::io::stderr().is_terminal() {
        return builder;
    }
    let bar: Mutex<Option<indicatif::ProgressBar>> = Mutex::new(None);
    builder.on_event(move |event| {
        let Ok(mut slot) = bar.lock() else {
            return;
        };
        match event {
            Event::StepStarted(step) => {
                let b = indicatif::ProgressBar::new_spinner();
                b.set_message(format!("{} {}", step.name(), step.connector()));
                b.enable_steady_tick(std::time::Duration::from_millis(120));
                *slot = Some(b);
            }
            Event::Progress(p) => {
                if let Some(b) = slot.as_ref() {
                    // A step that does not know its total (an import whose connector
                    // streams without counting first) counts on the spinner, styled at its
                    // first tick.
                    if p.total == 0 {
                        if p.done <= 1024
                            && let Ok(style) = indicatif::ProgressStyle::with_template(
                                "{msg:36} {spinner} {human_pos} {per_sec}",
                            )
                        {
                            b.set_style(style);
                        }
                    } else if b.length().is_none()
                        && let Ok(style) = indicatif::ProgressStyle::with_template(
                            "{msg:36} [{bar:30}] {human_pos}/{human_len} {per_sec} ETA {eta}",
                        )
                    {
                        b.set_style(style.progress_chars("=> "));
                    }
                    if p.total != 0 {
                        b.set_length(p.total as u64);
                    }
                    b.set_position(p.done as u64);
                }
            }
            Event::StepFinished(_) => {
                if let Some(b) = slot.take() {
                    b.finish_and_clear();
                }
            }
        }
    })
}

pub fn preview_cmd(args: &PreviewArgs) -> ExitCode {
    let (config, rules) = match config_and_rules(&args.config, true) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let builder = match Session::from_config(&config, rules) {
        Ok(b) => b.staging(true).snapshot_of(config.state.clone()),
        Err(e) => return fail_with(&e),
    };
    let mut session = match progress_bars(builder).open() {
        Ok(s) => s,
        Err(e) => return fail_with(&e),
    };
    let mut p = match session.preview(args.object.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail_with(&e),
    };
    // With --explain and --object, the object's full explanation rides along the report.
    let object = match (args.explain, &args.object) {
        (true, Some(id)) => match session.explain(id) {
            Ok(x) => Some(x),
            Err(e) => return fail_with(&e),
        },
        _ => None,
    };
    if args.explain
        && let Err(e) = session.explain_exports(&mut p)
    {
        return fail_with(&e);
    }
    let names = session.connector_names();
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
                print!(
                    "{}",
                    session.summary(&p, &args.config.display().to_string())
                );
            }
        }
    }
    ExitCode::SUCCESS
}

pub fn run_cmd(args: &RunArgs) -> ExitCode {
    // An initial cycle reads every object anyway; a delta run does not read the connectors'
    // data for the attribute names it has, so that it costs what changed.
    let scan = args.cycle == CycleArg::Initial;
    let (config, rules) = match config_and_rules(&args.config, scan) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let builder = match Session::from_config(&config, rules) {
        Ok(b) => b.staging(args.staging).allow_deletes(args.allow_deletes),
        Err(e) => return fail_with(&e),
    };
    let mut session = match progress_bars(builder).open() {
        Ok(s) => s,
        Err(e) => return fail_with(&e),
    };
    if args.load_whole_state
        && let Err(e) = session.load_whole_state()
    {
        return fail_with(&e);
    }
    let cycle = match args.cycle {
        CycleArg::Initial => Cycle::Initial,
        CycleArg::Delta => Cycle::Delta,
    };
    let report = match session.run(cycle) {
        Ok(r) => r,
        Err(e) => return fail_with(&e),
    };
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    match args.format {
        Format::Json => {
            let steps: Vec<serde_json::Value> = report
                .steps
                .iter()
                .map(|StepOutcome { report: r, took }| {
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
            for StepOutcome { report: r, took } in &report.steps {
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
    if report.stopped() {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}
