//! `syncrules fmt [--check] PATH...`: rewrites rule files in canonical form.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::json;
use syncrules::lang::rules::config::CONFIG_FILE;
use syncrules::lang::rules::{Report, emit_rule, load_rule};

use super::{EXIT_INPUT, Format};

#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Rule files or folders.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Change nothing; exit 1 if any file is not in canonical form.
    #[arg(long)]
    check: bool,
    /// `text` or `json` (`{"changed": [...], "errors": [...]}` on stdout).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

fn rule_files(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_file() {
        out.push(path.to_owned());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        if p.is_dir() {
            rule_files(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml")
            && p.file_name().is_none_or(|n| n != CONFIG_FILE)
        {
            out.push(p);
        }
    }
    Ok(())
}

pub fn run(args: &FmtArgs) -> ExitCode {
    let mut report = Report::default();
    let mut files = Vec::new();
    for p in &args.paths {
        if let Err(e) = rule_files(p, &mut files) {
            eprintln!("error: cannot read {}: {e}", p.display());
            return ExitCode::from(EXIT_INPUT);
        }
    }
    let mut changed = Vec::new();
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", file.display());
                return ExitCode::from(EXIT_INPUT);
            }
        };
        report.add_source(file, &text);
        let rule = match load_rule(file, &text) {
            Ok(r) => r,
            Err(errors) => {
                report.extend(file, errors);
                continue;
            }
        };
        let canonical = emit_rule(&rule);
        if canonical == text {
            continue;
        }
        changed.push(file.clone());
        if !args.check
            && let Err(e) = std::fs::write(file, &canonical)
        {
            eprintln!("error: cannot write {}: {e}", file.display());
            return ExitCode::from(EXIT_INPUT);
        }
    }
    match args.format {
        Format::Json => {
            let changed: Vec<String> = changed
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "{}",
                json!({"changed": changed, "errors": report.to_json()})
            );
        }
        Format::Text => {
            eprint!("{}", report.render());
            let verb = if args.check {
                "would reformat"
            } else {
                "reformatted"
            };
            for f in &changed {
                println!("{verb} {}", f.display());
            }
        }
    }
    if report.errors() > 0 || (args.check && !changed.is_empty()) {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}
