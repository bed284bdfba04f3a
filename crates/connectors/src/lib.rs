//! Connectors for syncrules.
