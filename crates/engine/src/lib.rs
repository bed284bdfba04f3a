//! The sync engine: connector spaces, the metaverse, run profiles, staging and preview.

/// The connector interface (the `syncrules-connector` crate, which connectors depend on
/// without the engine's storage).
pub use syncrules_connector as connector;
mod dn_index;
pub mod explain;
pub mod impact;
pub mod import;
pub mod model;
pub mod preflight;
pub mod preview;
pub mod refs;
pub mod run;
pub mod store;
pub mod sync;

pub use connector::{
    Change, Connector, ConnectorError, ExportChange, ExportOp, ExportResult, FailureClass,
    ImportBatch, ImportEntry, ImportError, ValueChange, ValueOp,
};
