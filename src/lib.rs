//! syncrules facade.
pub use syncrules_lang as lang;
