//! Run-time errors of an evaluation: located at the span of the failing call or operator.

use crate::functions::FnError;
use crate::ops::OpError;
use crate::span::Span;

/// Why an evaluation failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EvalErrorKind {
    /// A function failed; `Error("...")` is [`FnError::User`] with the rule's message.
    #[error(transparent)]
    Function(#[from] FnError),
    /// An operator failed (a type mismatch or an overflow).
    #[error(transparent)]
    Operator(#[from] OpError),
    /// An expression that runs once per value of a multi-valued attribute (see
    /// [`crate::ir::EachValue`]) found two attributes holding several values where it
    /// expects one value each: which to run once per value of is ambiguous.
    #[error(
        "`{first}` and `{second}` both hold several values where one value is expected; \
         pick values of one with `Item`, `Join`, `Contains` or `Select`"
    )]
    SeveralMultiValued {
        /// The attribute the expression would run once per value of, as read (`[name]` or
        /// `ImportedValue("name")`).
        first: String,
        /// Another attribute holding several values, read where one value is expected.
        second: String,
    },
    /// The program is malformed (a compiler bug, never user input).
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// A located run-time error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct EvalError {
    /// The source of the failing call or operator.
    pub span: Span,
    /// What failed.
    pub kind: EvalErrorKind,
}

impl EvalError {
    /// The message of an `Error("...")` call, if that is what failed.
    pub fn user_message(&self) -> Option<&str> {
        match &self.kind {
            EvalErrorKind::Function(FnError::User(m)) => Some(m),
            _ => None,
        }
    }
}
