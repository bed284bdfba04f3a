//! The Entra Connect Sync expression language: parse → check → compile → run.

pub mod functions;
pub mod span;
pub mod types;
pub mod value;

pub use span::Span;
pub use types::{Scalar, Ty};
pub use value::Value;
