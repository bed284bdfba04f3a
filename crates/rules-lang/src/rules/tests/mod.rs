//! Tests of rule files: the located YAML reader, loading, and the canonical writer.

mod diff;
mod instance;
mod load;
mod yaml;
