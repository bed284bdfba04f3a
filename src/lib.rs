#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

/// The expression language and rule sets: parse, check, compile and run.
pub use syncrules_lang as lang;

/// Importers of other tools' rules (an Entra Connect configuration export, the
/// Synchronization Rules Editor's PowerShell) into rule sets.
pub use syncrules_import as import;

/// The sync engine underneath the facade: connector spaces, metaverse, steps, state store.
pub use syncrules_engine as engine;

/// The built-in connectors: LDIF files, a file-backed target, LDAP, Microsoft Graph.
pub use syncrules_connectors as connectors;

/// Implementing [`Connector`] needs this attribute on the `impl` block.
pub use async_trait::async_trait;

pub use config::{ConfigError, ConnectorConfig, SyncConfig};
pub use error::Error;
pub use preflight::preflight;
pub use ruleset::Rules;
pub use session::{ImpactReport, Session, SessionBuilder};
pub use syncrules_engine::connector::{
    Change, Connector, ConnectorError, ExportChange, ExportOp, ExportResult, FailureClass,
    ImportBatch, ImportEntry, ImportError, ValueChange, ValueOp,
};
pub use syncrules_engine::explain::Explanation;
pub use syncrules_engine::impact::Impact;
pub use syncrules_engine::model::State;
pub use syncrules_engine::preview::Preview;
pub use syncrules_engine::run::{
    CancelToken, Cycle, CycleReport, Event, Options, Progress, Status, Step, StepOutcome,
    StepReport,
};
pub use syncrules_engine::sync::ObjectError;
pub use syncrules_lang::Value;
pub use syncrules_lang::dn::{Dn, DnError};
pub use syncrules_lang::name::{AttrMap, Name};

pub mod config;
mod config_fields;
pub mod config_graph;
pub mod config_ldap;
mod config_parse;
mod config_secret;
mod config_templates;
pub mod connect;
mod error;
mod preflight;
mod ruleset;
mod session;
