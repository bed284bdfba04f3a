//! The Entra Connect Sync expression language: parse → check → compile → run.
//!
//! ```
//! use indexmap::IndexMap;
//! use syncrules_lang::{AttrMap, Env, Expression, Untyped, Value, Vm};
//!
//! let expr = Expression::compile(
//!     r#"IIF(IsPresent([userPrincipalName]), [userPrincipalName], [sAMAccountName] & "@" & %Domain.FQDN%)"#,
//!     &Untyped,
//! )?;
//! let mut attrs = AttrMap::default();
//! attrs.insert("sAMAccountName".into(), Value::from("jdoe"));
//! let record = expr.record(&attrs);
//! let params = expr.parameters(&IndexMap::from([("Domain.FQDN".to_owned(), "contoso.com".to_owned())]));
//! let value = expr.eval(&mut Vm::new(), &Env::new(&record, &params))?;
//! assert_eq!(value, Value::from("jdoe@contoso.com"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod ast;
pub mod check;
pub mod compile;
pub mod diag;
pub mod dn;
pub mod env;
pub mod error;
mod expression;
pub mod functions;
pub mod ir;
pub mod json;
pub mod name;
pub mod ops;
pub mod parse;
pub mod reference;
pub mod rules;
pub mod schema;
pub mod span;
pub mod types;
pub mod value;
pub mod vm;

pub use check::{AttributeTypes, Untyped};
pub use compile::Program;
pub use diag::{Diagnostic, Diagnostics, Severity};
pub use env::{Attributes, Env, Record};
pub use error::{EvalError, EvalErrorKind};
pub use expression::{Expression, compile};
pub use ir::{Checked, Slots};
pub use name::{AttrMap, Name};
pub use schema::Schema;
pub use span::Span;
pub use types::{Scalar, Ty};
pub use value::Value;
pub use vm::Vm;
