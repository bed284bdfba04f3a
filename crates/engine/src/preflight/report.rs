//! The findings as the CLI contract's JSON and as text.

use std::fmt::Write as _;

use indexmap::IndexMap;
use serde_json::{Value as Json, json};

use super::Finding;

/// The JSON of the CLI contract.
pub fn to_json(findings: &[Finding]) -> Json {
    let mut counts: IndexMap<&str, usize> = IndexMap::new();
    for f in findings {
        *counts.entry(f.code.as_str()).or_default() += 1;
    }
    let list: Vec<Json> = findings
        .iter()
        .map(|f| {
            json!({"connector": f.connector, "dn": f.dn, "attribute": f.attribute, "value": f.value,
                   "code": f.code.as_str(), "severity": if f.error { "error" } else { "warning" },
                   "message": f.message, "fix": f.fix})
        })
        .collect();
    json!({"findings": list, "counts": counts})
}

/// The findings as text, one a line, and the counts.
pub fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let severity = if f.error { "error" } else { "warning" };
        let _ = writeln!(
            out,
            "{severity}[{}] {} {}: {} {:?} {}; fix: {}",
            f.code.as_str(),
            f.connector,
            f.dn,
            f.attribute,
            f.value,
            f.message,
            f.fix
        );
    }
    let _ = writeln!(out, "{} findings", findings.len());
    out
}
