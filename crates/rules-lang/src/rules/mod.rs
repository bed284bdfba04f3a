//! Rule sets as code: the YAML rule model, loading with locations, checking, and the
//! precedence-ordered plan.

mod comments;
pub mod config;
pub mod diff;
mod emit;
mod fields;
pub mod import;
pub mod lint;
mod load;
pub mod model;
pub mod plan;
pub mod report;
pub mod set;
pub mod yaml;

pub use config::{Config, ConnectorDecl, ConnectorKind, MetaverseDecl, emit_config, load_config};
pub use emit::emit_rule;
pub use load::load_rule;
pub use model::*;
pub use plan::Plan;
pub use report::{Finding, Report};
pub use set::{RuleSet, load_rule_set};

#[cfg(test)]
mod tests;
