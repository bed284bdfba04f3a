//! The sync engine: connector spaces, the metaverse, run profiles, staging and preview.

pub mod connector;
pub mod import;
pub mod model;
pub mod sync;

pub use connector::{
    Change, Connector, ConnectorError, ExportChange, ExportOp, ExportResult, FailureClass,
    ImportBatch, ImportEntry,
};
