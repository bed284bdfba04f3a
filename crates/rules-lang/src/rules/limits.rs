//! Limits on the size of a rule set, checked while it loads so that an oversized input is
//! refused before the expensive work (parsing, checking, compiling, planning): bytes per
//! YAML file, rules per rule set, flows per rule set (and per rule file).
//!
//! The defaults are far above real rule sets (Entra Connect's out-of-box rules are 62
//! rules with 391 expressions); `syncrules.yaml` may raise or lower them:
//!
//! ```yaml
//! limits:
//!   file-bytes: 16777216   # bytes per YAML file (the declarations file keeps the default)
//!   rules: 20000           # rules per rule set
//!   flows: 100000          # flows per rule set
//! ```

use std::fmt::Write as _;
use std::path::Path;

use super::fields::{Fields, integer};
use super::model::Rule;
use super::yaml::Node;
use crate::diag::Diagnostic;
use crate::span::Span;

/// The key of the limits in `syncrules.yaml`.
pub const LIMITS_KEY: &str = "limits";

/// The keys under [`LIMITS_KEY`].
const KEYS: &[&str] = &["file-bytes", "rules", "flows"];

/// How large a rule set may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes one YAML file may hold (`file-bytes`).
    pub file_bytes: u64,
    /// The most rules a rule set may hold (`rules`).
    pub rules: usize,
    /// The most flows a rule set may hold, all rules together (`flows`).
    pub flows: usize,
}

impl Limits {
    /// The default most bytes per YAML file: 8 MiB.
    pub const FILE_BYTES: u64 = 8 << 20;
    /// The default most rules per rule set.
    pub const RULES: usize = 10_000;
    /// The default most flows per rule set.
    pub const FLOWS: usize = 50_000;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            file_bytes: Limits::FILE_BYTES,
            rules: Limits::RULES,
            flows: Limits::FLOWS,
        }
    }
}

/// How to raise the limit `key` to at least `needed`.
fn raise(key: &str, needed: impl std::fmt::Display) -> String {
    format!("raise it in syncrules.yaml: `{LIMITS_KEY}: {{ {key}: {needed} }}`")
}

impl Limits {
    /// E0322 unless a file of `len` bytes is within [`Limits::file_bytes`]; located at the
    /// start of the file.
    pub fn check_file_len(&self, len: u64) -> Result<(), Diagnostic> {
        if len <= self.file_bytes {
            return Ok(());
        }
        Err(Diagnostic::error(
            "E0322",
            Span::new(0, 0),
            format!(
                "the file is {len} bytes, over the limit of {} bytes per YAML file (`{LIMITS_KEY}.file-bytes`)",
                self.file_bytes
            ),
        )
        .with_help(raise("file-bytes", len)))
    }

    /// [`Limits::check_file_len`] on the file at `path`, from its size on disk, before it
    /// is read. A file whose size cannot be read is let through (reading it reports why).
    pub fn check_file(&self, path: &Path) -> Result<(), Diagnostic> {
        match std::fs::metadata(path) {
            Ok(m) => self.check_file_len(m.len()),
            Err(_) => Ok(()),
        }
    }

    /// E0324 when one rule file's `flows` list alone is over [`Limits::flows`]: checked on
    /// the YAML tree, before the flows are read.
    pub(crate) fn check_rule_tree(&self, root: &Node) -> Result<(), Diagnostic> {
        let Node::Map(entries, _) = root else {
            return Ok(());
        };
        let flows = entries.iter().find_map(|(k, v)| match v {
            Node::Seq(items, _) if k.value == "flows" => Some((k.span, items.len())),
            _ => None,
        });
        match flows {
            Some((span, n)) if n > self.flows => Err(too_many_flows(span, n, self.flows)),
            _ => Ok(()),
        }
    }

    /// Reads the `limits:` mapping of `syncrules.yaml`; keys left out keep their defaults.
    pub(crate) fn read(node: &Node, errors: &mut Vec<Diagnostic>) -> Limits {
        let mut limits = Limits::default();
        let Ok(mut f) = Fields::new(node, "`limits`").map_err(|d| errors.push(d)) else {
            return limits;
        };
        let mut number = |key: &str| {
            let (_, v) = f.get(key)?;
            match integer(key, v) {
                Ok((n, _)) if n >= 1 => Some(n.unsigned_abs()),
                Ok((n, span)) => {
                    errors.push(Diagnostic::error(
                        "E0312",
                        span,
                        format!("`{LIMITS_KEY}.{key}` must be 1 or more, found {n}"),
                    ));
                    None
                }
                Err(d) => {
                    errors.push(d);
                    None
                }
            }
        };
        if let Some(n) = number("file-bytes") {
            limits.file_bytes = n;
        }
        let count = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        if let Some(n) = number("rules") {
            limits.rules = count(n);
        }
        if let Some(n) = number("flows") {
            limits.flows = count(n);
        }
        f.finish(KEYS, errors);
        limits
    }

    /// Writes the limits that differ from the defaults, for `syncrules.yaml`.
    pub(crate) fn emit(&self, out: &mut String) {
        let d = Limits::default();
        if *self == d {
            return;
        }
        out.push_str("limits:\n");
        if self.file_bytes != d.file_bytes {
            let _ = writeln!(out, "  file-bytes: {}", self.file_bytes);
        }
        if self.rules != d.rules {
            let _ = writeln!(out, "  rules: {}", self.rules);
        }
        if self.flows != d.flows {
            let _ = writeln!(out, "  flows: {}", self.flows);
        }
    }
}

fn too_many_flows(span: Span, n: usize, limit: usize) -> Diagnostic {
    Diagnostic::error(
        "E0324",
        span,
        format!("{n} flows, over the limit of {limit} flows per rule set (`{LIMITS_KEY}.flows`)"),
    )
    .with_help(raise("flows", n))
}

/// The rules and flows of a rule set counted as its rules load, against its [`Limits`].
#[derive(Debug)]
pub(crate) struct Budget {
    limits: Limits,
    rules: usize,
    flows: usize,
}

impl Budget {
    /// Nothing counted yet.
    pub(crate) fn new(limits: Limits) -> Self {
        Budget {
            limits,
            rules: 0,
            flows: 0,
        }
    }

    /// Counts `rule`: E0323 when it is one rule too many, E0324 when its flows take the
    /// rule set over the limit (located at its `name` or `flows` key).
    pub(crate) fn admit(&mut self, rule: &Rule) -> Result<(), Diagnostic> {
        self.rules = self.rules.saturating_add(1);
        self.flows = self.flows.saturating_add(rule.flows.len());
        let note = "; the rule files after this one were not loaded";
        if self.rules > self.limits.rules {
            let (_, span) = rule.at("name");
            return Err(Diagnostic::error(
                "E0323",
                span,
                format!(
                    "more than {} rules in the rule set, over the limit (`{LIMITS_KEY}.rules`){note}",
                    self.limits.rules
                ),
            )
            .with_help(raise("rules", self.rules.saturating_mul(2))));
        }
        if self.flows > self.limits.flows {
            let (_, span) = rule.at("flows");
            let mut d = too_many_flows(span, self.flows, self.limits.flows);
            d.message = format!("{} in the rule set so far{note}", d.message);
            return Err(d);
        }
        Ok(())
    }
}
