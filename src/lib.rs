#![doc = include_str!("../README.md")]

/// The expression language: parse, check, compile and run attribute-flow expressions.
pub use syncrules_lang as lang;

pub mod config;
mod config_fields;
pub mod config_graph;
pub mod config_ldap;
mod config_parse;
mod config_secret;
