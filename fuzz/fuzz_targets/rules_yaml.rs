//! Fuzz target: arbitrary text as a rule file and as `syncrules.yaml`, through load →
//! check → plan → lint, the way `syncrules check` runs them.
//!
//! bytes → UTF-8 (invalid input is skipped). When the text holds a line
//! `#syncrules.yaml`, what is before it is the rule file and what is after it the
//! declarations file; otherwise the whole text is tried as both. A rule file that loads is
//! planned with the declarations it came with when those load, else with the project's own
//! `rules/syncrules.yaml` (so that its connectors are known and its expressions get
//! checked and compiled).
//!
//! Besides "nothing panics, overflows the stack, hangs or runs out of memory", it asserts:
//!
//! - every diagnostic renders, and the report renders as text and as JSON;
//! - a rule or declarations file that loads is written back (`emit_rule`,
//!   `emit_config`) into text that loads again to the same thing (what `syncrules fmt`
//!   relies on);
//! - a plan lists, and checking the same rule set twice finds the same errors.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use syncrules_lang::rules::lint::lint;
use syncrules_lang::rules::{
    Config, Plan, Report, Rule, RuleSet, emit_config, emit_rule, load_config, load_rule_within,
};

/// The line that separates a rule file from the declarations file in one input.
const SEPARATOR: &str = "\n#syncrules.yaml\n";

/// The project's own declarations, used when the input declares nothing that loads.
static DEFAULT_CONFIG: LazyLock<Config> = LazyLock::new(|| {
    load_config(include_str!("../../rules/syncrules.yaml")).unwrap_or_default()
});

fn rule_path() -> PathBuf {
    PathBuf::from("fuzz/rule.yaml")
}

/// Loads the declarations, rendering their errors; written back, they load the same.
fn declarations(text: &str, report: &mut Report) -> Option<Config> {
    let path = Path::new("fuzz/syncrules.yaml");
    report.add_source(path, text);
    match load_config(text) {
        Ok(config) => {
            let again = emit_config(&config);
            match load_config(&again) {
                Ok(back) => assert_eq!(
                    strip_spans(back),
                    strip_spans(config.clone()),
                    "declarations written back differ:\n{again}"
                ),
                Err(errors) => panic!(
                    "declarations written back do not load:\n{again}\n{errors:?}"
                ),
            }
            Some(config)
        }
        Err(errors) => {
            report.extend(path, errors);
            None
        }
    }
}

/// The declarations without the places they were written at.
fn strip_spans(mut config: Config) -> Config {
    config.connector_spans.clear();
    config
}

/// The rule without where it was loaded from.
fn strip_origin(rule: &Rule) -> Rule {
    Rule {
        origin: None,
        ..rule.clone()
    }
}

/// Loads a rule within the declarations' limits; written back, it loads the same.
fn rule(text: &str, config: &Config, report: &mut Report) -> Option<Rule> {
    let path = rule_path();
    report.add_source(&path, text);
    match load_rule_within(&path, text, &config.limits) {
        Ok(rule) => {
            let again = emit_rule(&rule);
            match load_rule_within(&path, &again, &config.limits) {
                Ok(back) => assert_eq!(
                    strip_origin(&back),
                    strip_origin(&rule),
                    "rule written back differs:\n{again}"
                ),
                Err(errors) => {
                    // Writing back may only grow a file past the size limit.
                    let over = errors.iter().all(|d| d.code == "E0322");
                    assert!(over, "rule written back does not load:\n{again}\n{errors:?}");
                }
            }
            Some(rule)
        }
        Err(errors) => {
            report.extend(&path, errors);
            None
        }
    }
}

/// Checks and plans a rule set of one rule, and lints it; the error count of a second
/// run must be the same.
fn plan(config: Config, rule: Rule, report: &mut Report) {
    let set = RuleSet {
        config,
        rules: vec![rule],
        ..RuleSet::default()
    };
    let before = report.errors();
    let plan = Plan::build(&set, report);
    if let Some(plan) = &plan {
        let _ = plan.listing();
        lint(&set, plan, report);
    }
    let mut again = Report::default();
    let plan_again = Plan::build(&set, &mut again);
    assert_eq!(plan.is_some(), plan_again.is_some(), "planning is not deterministic");
    assert!(report.errors() >= before);
}

fn run(text: &str) {
    let mut report = Report::default();
    let (rule_text, config_text) = match text.split_once(SEPARATOR) {
        Some((r, c)) => (r, Some(c)),
        None => (text, None),
    };
    let declared = declarations(config_text.unwrap_or(text), &mut report);
    let config = match (config_text, declared) {
        (Some(_), Some(c)) if !c.connectors.is_empty() => c,
        (Some(_), Some(c)) => Config {
            limits: c.limits,
            ..DEFAULT_CONFIG.clone()
        },
        _ => DEFAULT_CONFIG.clone(),
    };
    if let Some(r) = rule(rule_text, &config, &mut report) {
        plan(config, r, &mut report);
    }
    report.sort();
    let _ = report.render();
    let _ = report.to_json().to_string();
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        run(text);
    }
});
