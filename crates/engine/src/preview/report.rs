//! The text report `syncrules preview` prints by default, the first thing a new user sees:
//! counts by connector, object type and operation; a few example objects per connector and
//! operation with their key attributes and the values that would change; the object errors
//! with their rule; and the commands to try next.

use std::fmt::Write as _;

use indexmap::IndexMap;
use syncrules_lang::{Name, Value};

use super::{PlannedExport, Preview, listed};
use crate::connector::ExportOp;
use crate::model::State;

/// Example objects shown per connector and operation.
const EXAMPLES: usize = 3;
/// Attributes shown per example.
const SHOWN: usize = 6;
/// Object errors listed before the rest is counted.
const ERRORS: usize = 20;
/// Attributes that name an object, shown first.
const NAMING: &[&str] = &[
    "displayName",
    "userPrincipalName",
    "mail",
    "sAMAccountName",
    "accountEnabled",
];

fn text(v: &Value) -> String {
    let s = if v.values().is_empty() {
        "(none)".to_owned()
    } else {
        listed(v)
    };
    if s.chars().count() > 70 {
        format!("{}...", s.chars().take(67).collect::<String>())
    } else {
        s
    }
}

impl Preview {
    /// The summary report: `config` is the configuration's path as the user gave it, for
    /// the suggested commands.
    pub fn report(&self, state: &State, connectors: &[String], config: &str) -> String {
        let mut out = String::from("Preview: a full cycle in staging mode, nothing written.\n\n");
        for (c, [a, u, d, r]) in self.counts(connectors) {
            let _ = writeln!(
                out,
                "{c}: {a} to add, {u} to update, {d} to delete, {r} to rename"
            );
        }
        let type_of = |e: &PlannedExport| {
            state
                .spaces
                .get(&e.connector)
                .and_then(|s| s.find_dn(&e.dn))
                .map_or_else(|| "?".to_owned(), |o| o.object_type.clone())
        };
        let mut table: IndexMap<(String, String), [usize; 4]> = IndexMap::new();
        for e in &self.exports {
            let row = table.entry((e.connector.clone(), type_of(e))).or_default();
            if let Some(n) = row.get_mut(op_index(e.op)) {
                *n += 1;
            }
        }
        if !table.is_empty() {
            let _ = writeln!(
                out,
                "\n{:<28} {:<16} {:>7} {:>7} {:>7} {:>7}",
                "connector", "object type", "add", "update", "delete", "rename"
            );
            for ((c, t), [a, u, d, r]) in &table {
                let _ = writeln!(out, "{c:<28} {t:<16} {a:>7} {u:>7} {d:>7} {r:>7}");
            }
        }
        self.examples(state, &mut out);
        if !self.errors.is_empty() {
            let _ = writeln!(out, "\n{} object errors:", self.errors.len());
            for e in self.errors.iter().take(ERRORS) {
                let rule = e
                    .rule
                    .as_deref()
                    .map(|r| format!(" [rule: {r}]"))
                    .unwrap_or_default();
                let _ = writeln!(out, "  {} {}{rule}: {}", e.connector, e.object, e.message);
            }
            if self.errors.len() > ERRORS {
                let _ = writeln!(
                    out,
                    "  ... and {} more (--format json lists them all)",
                    self.errors.len() - ERRORS
                );
            }
        }
        let example = self
            .exports
            .first()
            .map_or("<DN or anchor>", |e| e.dn.as_str());
        let _ = writeln!(out, "\nNext:");
        let _ = writeln!(
            out,
            "  syncrules preview --config {config} --object '{example}' --explain\n      why each value of one object is what it is (rules in scope, join, winners)"
        );
        let _ = writeln!(
            out,
            "  syncrules preview --config {config} --format json\n      every export with its values, machine-readable"
        );
        let _ = writeln!(
            out,
            "  syncrules impact --config {config} --base <rules folder or REV:PATH>\n      what a rule change would do, compared with other rules"
        );
        out
    }

    /// A few example objects per connector and operation.
    fn examples(&self, state: &State, out: &mut String) {
        let mut shown: IndexMap<(&str, ExportOp), usize> = IndexMap::new();
        for e in &self.exports {
            let n = shown.entry((e.connector.as_str(), e.op)).or_default();
            *n += 1;
            if *n > EXAMPLES {
                continue;
            }
            if *n == 1 {
                let _ = writeln!(out, "\nExamples: {} {}", e.connector, e.op.as_str());
            }
            let current = state
                .spaces
                .get(&e.connector)
                .and_then(|s| s.find_dn(&e.dn));
            let _ = writeln!(out, "  {} {}", e.op.as_str(), e.dn);
            if let Some(old) = &e.old_dn {
                let _ = writeln!(out, "      from {old}");
            }
            let mut attrs: Vec<(&Name, &Value)> = NAMING
                .iter()
                .filter_map(|k| e.attributes.get_key_value(*k))
                .collect();
            attrs.extend(
                e.attributes
                    .iter()
                    .filter(|(k, _)| !NAMING.contains(&k.as_str())),
            );
            for (k, v) in attrs.iter().take(SHOWN) {
                match (e.op, current) {
                    (ExportOp::Update | ExportOp::Rename, Some(o)) => {
                        let _ = writeln!(out, "      {k}: {} -> {}", text(o.current(k)), text(v));
                    }
                    _ => {
                        let _ = writeln!(out, "      {k}: {}", text(v));
                    }
                }
            }
            if attrs.len() > SHOWN {
                let _ = writeln!(out, "      ... and {} more attributes", attrs.len() - SHOWN);
            }
        }
    }
}

fn op_index(op: ExportOp) -> usize {
    match op {
        ExportOp::Add => 0,
        ExportOp::Update => 1,
        ExportOp::Delete => 2,
        ExportOp::Rename => 3,
    }
}
