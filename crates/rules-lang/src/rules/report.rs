//! Findings about the files of a rule set, rendered as `file:line:col` text with the
//! offending text underlined, or as JSON for tools.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::json;

use crate::diag::{Diagnostic, Severity, line_col};

/// One finding in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The file.
    pub file: PathBuf,
    /// What was found.
    pub diagnostic: Diagnostic,
}

/// The findings of a run, with the text of every file they point into.
#[derive(Clone, Debug, Default)]
pub struct Report {
    sources: IndexMap<PathBuf, String>,
    findings: Vec<Finding>,
}

impl Report {
    /// Remembers a file's text, so findings in it can be rendered.
    pub fn add_source(&mut self, file: &Path, text: &str) {
        self.sources
            .entry(file.to_owned())
            .or_insert_with(|| text.to_owned());
    }

    /// Adds a finding.
    pub fn push(&mut self, file: &Path, diagnostic: Diagnostic) {
        self.findings.push(Finding {
            file: file.to_owned(),
            diagnostic,
        });
    }

    /// Adds findings.
    pub fn extend(&mut self, file: &Path, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        for d in diagnostics {
            self.push(file, d);
        }
    }

    /// The findings, in the order found.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The number of errors.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// The number of warnings.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, s: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.diagnostic.severity == s)
            .count()
    }

    /// Turns every warning into an error (`--deny-warnings`).
    pub fn deny_warnings(&mut self) {
        for f in &mut self.findings {
            f.diagnostic.severity = Severity::Error;
        }
    }

    /// Sorts findings by file, then position.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (&a.file, a.diagnostic.span.start).cmp(&(&b.file, b.diagnostic.span.start))
        });
    }

    /// Every finding as text.
    pub fn render(&self) -> String {
        self.findings
            .iter()
            .map(|f| {
                let text = self.sources.get(&f.file).map_or("", String::as_str);
                f.diagnostic.render(&f.file.to_string_lossy(), text)
            })
            .collect()
    }

    /// Every finding as JSON: `[{"file","line","column","severity","code","message"}]`.
    pub fn to_json(&self) -> serde_json::Value {
        let items: Vec<serde_json::Value> = self
            .findings
            .iter()
            .map(|f| {
                let text = self.sources.get(&f.file).map_or("", String::as_str);
                let (line, column) = line_col(text, f.diagnostic.span.start as usize);
                let mut item = json!({
                    "file": f.file.to_string_lossy(),
                    "line": line,
                    "column": column,
                    "severity": f.diagnostic.severity.as_str(),
                    "code": f.diagnostic.code,
                    "message": f.diagnostic.message,
                });
                if let (Some(help), Some(obj)) = (&f.diagnostic.help, item.as_object_mut()) {
                    obj.insert("help".to_owned(), json!(help));
                }
                item
            })
            .collect();
        serde_json::Value::Array(items)
    }
}
