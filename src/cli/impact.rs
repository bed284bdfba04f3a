//! `syncrules impact --config FILE --base RULES [--rules RULES] [--format text|json|markdown]
//! [--exit-code]`: the connectors' data imported once, as `preview` does (staging, nothing
//! written), synced under the base rules and under the new ones, and the two sets of
//! exports compared ([`syncrules::Session::impact`]).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use syncrules::{ObjectError, Rules, Session};

use super::config::SyncConfig;
use super::sync::{fail, fail_with, progress_bars};
use super::{EXIT_EXTERNAL, EXIT_INPUT};

#[derive(Debug, clap::Args)]
pub struct ImpactArgs {
    /// The run configuration (its connectors' data is imported; nothing is written).
    #[arg(long)]
    config: PathBuf,
    /// The rules to compare with: a folder or file, or `REV:PATH` read from the git
    /// repository around the current directory (PATH relative to it, as `git show` reads
    /// `REV:./PATH`), e.g. `origin/main:rules`.
    #[arg(long)]
    base: String,
    /// The new rules (default: the configuration's `rules`).
    #[arg(long)]
    rules: Option<PathBuf>,
    /// `text`, `json` or `markdown` (a pull-request comment).
    #[arg(long, value_enum, default_value_t = ImpactFormat::Text)]
    format: ImpactFormat,
    /// Exit 1 when anything differs.
    #[arg(long)]
    exit_code: bool,
}

/// Output format of `impact`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ImpactFormat {
    /// Counts and a few examples.
    Text,
    /// The JSON of the CLI contract on stdout.
    Json,
    /// A pull-request comment.
    Markdown,
}

/// A rule set, instantiated for the configuration's connectors and checked as `syncrules
/// check` does; its findings are printed when there are errors.
fn rules_of(config: &SyncConfig, path: &Path, what: &str) -> Result<Rules, ExitCode> {
    checked(Rules::load_for(config, &[path]), what)
}

/// A rule set's check, its findings printed when there are errors.
fn checked(rules: Result<Rules, syncrules::Error>, what: &str) -> Result<Rules, ExitCode> {
    rules.map_err(|e| {
        if let syncrules::Error::Rules(report) = &e {
            eprint!("{}", report.render());
            return fail(EXIT_INPUT, &format!("the {what} rules do not check"));
        }
        fail_with(&e)
    })
}

fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Writes the files of `rev:path` (a tree or one file) below `dir`; `path` is relative to
/// the current directory, or absolute inside the repository.
fn checkout(rev: &str, path: &str, dir: &Path) -> Result<PathBuf, String> {
    let spec = if Path::new(path).is_absolute() {
        let top = String::from_utf8_lossy(&git(&["rev-parse", "--show-toplevel"])?)
            .trim()
            .to_owned();
        let rel = Path::new(path)
            .strip_prefix(&top)
            .map_err(|_| format!("{path} is not inside the git repository at {top}"))?;
        format!("{rev}:{}", rel.to_string_lossy())
    } else {
        format!("{rev}:./{path}")
    };
    let kind = git(&["cat-file", "-t", &spec])?;
    if kind.trim_ascii() == b"blob" {
        let name = Path::new(path)
            .file_name()
            .map_or_else(|| "rules.yaml".into(), |n| n.to_owned());
        let file = dir.join(name);
        std::fs::write(&file, git(&["cat-file", "blob", &spec])?)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        return Ok(file);
    }
    let listing = git(&["ls-tree", "-r", "-z", &spec])?;
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, name)) = entry.split_once('\t') else {
            continue;
        };
        let mut meta = meta.split(' ');
        let (Some(_mode), Some("blob"), Some(id)) = (meta.next(), meta.next(), meta.next()) else {
            continue;
        };
        let file = dir.join(name);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&file, git(&["cat-file", "blob", id])?)
            .map_err(|e| format!("{}: {e}", file.display()))?;
    }
    Ok(dir.to_owned())
}

/// The base rules' location: the path itself when it exists, else `REV:PATH` read from git
/// into `tmp`.
fn base_rules(base: &str, tmp: &Path) -> Result<PathBuf, String> {
    if Path::new(base).exists() {
        return Ok(PathBuf::from(base));
    }
    match base.split_once(':') {
        Some((rev, path)) if !rev.is_empty() => checkout(rev, path, tmp),
        _ => Err(format!(
            "--base {base}: no such file or folder (and not REV:PATH)"
        )),
    }
}

pub fn run(args: &ImpactArgs) -> ExitCode {
    let (config, set, loaded) = match SyncConfig::load_rules(&args.config, true) {
        Ok(c) => c,
        Err(e) => return fail(EXIT_INPUT, &e),
    };
    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => {
            return fail(
                EXIT_EXTERNAL,
                &format!("cannot create a temporary folder: {e}"),
            );
        }
    };
    let base_path = match base_rules(&args.base, tmp.path()) {
        Ok(p) => p,
        Err(e) => return fail(EXIT_INPUT, &e),
    };
    // The configuration's rules were read with it; other new rules are read now.
    let new = match &args.rules {
        Some(path) => rules_of(&config, path, "new"),
        None => checked(Rules::from_loaded(set, loaded), "new"),
    };
    let (base, new) = match (rules_of(&config, &base_path, "base"), new) {
        (Ok(b), Ok(n)) => (b, n),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    // The import is shared: it reads what either rule set uses.
    let builder = match Session::for_impact(&config, base, &new) {
        Ok(b) => b,
        Err(e) => return fail_with(&e),
    };
    let mut session = match progress_bars(builder).open() {
        Ok(s) => s,
        Err(e) => return fail_with(&e),
    };
    let report = match session.impact(new) {
        Ok(r) => r,
        Err(e @ syncrules::Error::ImportStopped(_)) => {
            if let syncrules::Error::ImportStopped(errors) = &e {
                eprint!("{}", errors_text(errors));
            }
            return fail_with(&e);
        }
        Err(e) => return fail_with(&e),
    };
    let (result, base_errors, new_errors) = (report.impact, report.base_errors, report.new_errors);
    if new_errors.len() != base_errors.len() {
        eprintln!(
            "note: {} object errors under the base rules, {} under the new ones (`syncrules preview` lists them)",
            base_errors.len(),
            new_errors.len()
        );
    }
    let text = match args.format {
        ImpactFormat::Json => format!("{}\n", result.to_json()),
        ImpactFormat::Text => result.render_text(),
        ImpactFormat::Markdown => result.render_markdown(),
    };
    // A closed pipe (`| head`) is not an error of the comparison.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if args.exit_code && !result.is_empty() {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}

fn errors_text(errors: &[ObjectError]) -> String {
    errors
        .iter()
        .take(20)
        .map(|e| format!("  {} {}: {}\n", e.connector, e.object, e.message))
        .collect()
}
