//! Rule sets as code: the YAML rule model, loading with locations, checking, and the
//! precedence-ordered plan. The format is described in `docs/rules.md`.
//!
//! Load, check and plan a rule set, the way `syncrules check` does:
//!
//! ```
//! use std::path::PathBuf;
//! use syncrules_lang::rules::{Plan, Report, lint::lint, load_rule_set};
//!
//! let rules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules");
//! let mut report = Report::default();
//! let set = load_rule_set(&[rules], &mut report);      // every file, every error
//! let plan = Plan::build(&set, &mut report);           // schemas, types, precedence
//! let plan = plan.expect("the default rules check");
//! lint(&set, &plan, &mut report);                       // warnings
//! assert_eq!(report.errors() + report.warnings(), 0, "{}", report.render());
//!
//! // Rules by direction, connector and source type, in precedence order.
//! let first = plan.groups.values().next().and_then(|g| g.rules.first());
//! assert!(first.is_some());
//! // Per target attribute, who contributes, highest precedence first.
//! let upn = plan.contributions.iter().find(|(k, _)| k.attribute == "userPrincipalName");
//! assert!(upn.is_some());
//! ```

mod comments;
pub mod config;
pub mod diff;
mod emit;
mod fields;
pub mod instance;
pub mod limits;
pub mod lint;
mod load;
pub mod model;
pub mod plan;
pub mod report;
pub mod set;
pub mod yaml;

pub use config::{Config, ConnectorDecl, ConnectorKind, MetaverseDecl, emit_config, load_config};
pub use emit::emit_rule;
pub use instance::{Instance, Instances, Matching, UserMatching, instantiate};
pub use limits::Limits;
pub use load::{load_rule, load_rule_within};
pub use model::*;
pub use plan::Plan;
pub use report::{Finding, Report};
pub use set::{RuleSet, load_rule_set};

#[cfg(test)]
mod tests;
