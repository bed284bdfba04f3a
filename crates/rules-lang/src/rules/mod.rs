//! Rule sets as code: the YAML rule model, loading with locations, checking, and the
//! precedence-ordered plan.

pub mod yaml;

#[cfg(test)]
mod tests;
