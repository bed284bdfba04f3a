//! `syncrules eval EXPR [--attrs FILE.json] [--param NAME=VALUE]...`

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use syncrules::lang::functions::CallCtx;
use syncrules::lang::{Diagnostic, Env, Expression, Untyped, Vm, json};

use super::EXIT_INPUT;

/// The name diagnostics give the expression on the command line.
const SOURCE_NAME: &str = "<expression>";

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// The expression, e.g. `Trim([givenName])`.
    expr: String,
    /// A JSON object of attribute values (see the README).
    #[arg(long, value_name = "FILE.json")]
    attrs: Option<PathBuf>,
    /// A parameter value, e.g. `--param Domain.FQDN=contoso.com`; repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    params: Vec<(String, String)>,
    /// The time `Now()` returns (RFC 3339); the current time by default.
    #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
    now: Option<DateTime<Utc>>,
    /// Print the compiled program listing to stderr before the value.
    #[arg(long)]
    plan: bool,
}

fn parse_param(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("`{s}` is not NAME=VALUE")),
    }
}

fn parse_now(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| format!("`{s}` is not an RFC 3339 date: {e}"))
}

fn input_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_INPUT)
}

pub fn run(args: &EvalArgs) -> ExitCode {
    let attributes = match &args.attrs {
        None => syncrules_lang::AttrMap::default(),
        Some(path) => {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => return input_error(&format!("cannot read {}: {e}", path.display())),
            };
            let doc: serde_json::Value = match serde_json::from_str(&text) {
                Ok(d) => d,
                Err(e) => {
                    return input_error(&format!(
                        "{}:{}:{}: {e}",
                        path.display(),
                        e.line(),
                        e.column()
                    ));
                }
            };
            match json::attributes(&doc) {
                Ok(a) => a,
                Err(e) => return input_error(&format!("{}: {e}", path.display())),
            }
        }
    };
    let expr = match Expression::compile(&args.expr, &Untyped) {
        Ok(e) => e,
        Err(diags) => {
            eprint!("{}", diags.render(SOURCE_NAME, &args.expr));
            return ExitCode::from(EXIT_INPUT);
        }
    };
    if args.plan {
        eprint!("{}", expr.listing());
    }
    let params: IndexMap<String, String> = args.params.iter().cloned().collect();
    let record = expr.record(&attributes);
    let param_values = expr.parameters(&params);
    let env = Env {
        attributes: &record,
        parameters: &param_values,
        ctx: CallCtx {
            now: args.now.unwrap_or_else(Utc::now),
        },
    };
    match expr.eval(&mut Vm::new(), &env) {
        Ok(v) => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", json::to_typed(&v));
            ExitCode::SUCCESS
        }
        Err(e) => {
            let d = Diagnostic::error("E0200", e.span, e.to_string())
                .with_label("evaluating this failed");
            eprint!("{}", d.render(SOURCE_NAME, &args.expr));
            ExitCode::from(EXIT_INPUT)
        }
    }
}
