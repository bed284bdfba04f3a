//! The facade's errors, and whose fault each one is.

use syncrules_engine::run::RunError;
use syncrules_engine::store::StoreError;

use crate::config::ConfigError;
use crate::lang::rules::Report;

/// Why a facade call failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The run configuration does not load (its diagnostics are in the error).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The rules do not check: every finding is in the report (render it with
    /// [`Report::render`]).
    #[error("the rules do not check ({} errors)", .0.errors())]
    Rules(Box<Report>),
    /// The state could not be opened, read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A step could not run (a connector failed as a whole, a state write failed).
    #[error(transparent)]
    Run(#[from] RunError),
    /// A connector failed as a whole outside a run (a directory unreachable, a malformed
    /// file).
    #[error(transparent)]
    Connector(#[from] syncrules_engine::ConnectorError),
    /// A connector's secret (bind password, client secret) could not be read; the text
    /// names the key, never the secret.
    #[error(transparent)]
    Secret(#[from] crate::config_ldap::SecretError),
    /// A preflight could not keep its working files.
    #[error(transparent)]
    Preflight(#[from] syncrules_engine::preflight::PreflightError),
    /// The async runtime of a blocking call could not start.
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    /// No connector space holds the named object.
    #[error("no object `{0}` in any connector space")]
    NoSuchObject(String),
    /// One object could not be explained or compared.
    #[error("{object}: {message}")]
    Object {
        /// The object.
        object: String,
        /// What went wrong.
        message: String,
    },
    /// An import stopped at the error limit, so nothing can be compared; its object
    /// errors.
    #[error("the import stopped (error limit): {} object errors", .0.len())]
    ImportStopped(Vec<syncrules_engine::sync::ObjectError>),
    /// The call does not fit how the session was built.
    #[error("{0}")]
    Usage(&'static str),
}

impl From<syncrules_engine::sync::ObjectError> for Error {
    fn from(e: syncrules_engine::sync::ObjectError) -> Self {
        Error::Object {
            object: e.object,
            message: e.message,
        }
    }
}

impl Error {
    /// Whether the input is at fault (a configuration, rules, a damaged state or malformed
    /// connector data) rather than a system outside (a directory unreachable, the state in
    /// use by another run, a failed write): the CLI exits 1 for the first, 3 for the other.
    pub fn is_input(&self) -> bool {
        match self {
            Error::Config(_)
            | Error::Rules(_)
            | Error::NoSuchObject(_)
            | Error::Object { .. }
            | Error::ImportStopped(_)
            | Error::Usage(_)
            | Error::Secret(_) => true,
            Error::Store(e) | Error::Run(RunError::Store(e)) => store_is_input(e),
            Error::Run(RunError::Connector(c)) | Error::Connector(c) => {
                matches!(c, syncrules_engine::ConnectorError::Data { .. })
            }
            Error::Run(_) | Error::Runtime(_) | Error::Preflight(_) => false,
        }
    }
}

/// A damaged or unreadable state is the input's fault; anything else about the store (in
/// use, a failed write) is the system's.
fn store_is_input(e: &StoreError) -> bool {
    matches!(e, StoreError::Damaged { .. } | StoreError::Corrupt { .. })
}
