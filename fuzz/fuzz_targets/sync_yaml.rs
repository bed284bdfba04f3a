//! Fuzz target: arbitrary text as a `sync.yaml`, through `syncrules::config::SyncConfig::parse`.
//!
//! bytes → UTF-8 (invalid input is skipped) → parse → on success, the configuration's
//! invariants; on failure, every diagnostic rendered.
//!
//! Besides "nothing panics, overflows the stack, hangs or runs out of memory", it asserts:
//!
//! - a failure has at least one diagnostic, every diagnostic is an error whose span lies in
//!   the text, on character boundaries, and they come in file order;
//! - a success has at least one connector, a deletion threshold within its documented
//!   range (count at least 1, percentage more than 0 and at most 100), a connector name span
//!   for every connector and an LDIF path span for every LDIF connector;
//! - parsing is deterministic: the same text gives the same result.

#![no_main]

use libfuzzer_sys::fuzz_target;
use syncrules::config::{ConfigError, ConnectorConfig, SyncConfig};
use syncrules::lang::Severity;

/// The file name diagnostics are rendered with.
const FILE: &str = "sync.yaml";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let first = SyncConfig::parse(text);
    match &first {
        Ok(config) => {
            assert!(!config.connectors.is_empty(), "no connectors accepted");
            let threshold = config.deletion_threshold.expect("the threshold is always set");
            assert!(threshold.count >= 1, "count {} accepted", threshold.count);
            if let Some(p) = threshold.percent {
                assert!(p > 0.0 && p <= 100.0, "percent {p} accepted");
            }
            for (name, connector) in &config.connectors {
                let span = config.spans.connectors.get(name).expect("a name span");
                assert!(text.get(span.range()).is_some(), "name span {span:?} outside");
                if let ConnectorConfig::Ldif { .. } = connector {
                    let span = config.spans.files.get(name).expect("a path span");
                    assert!(text.get(span.range()).is_some(), "path span {span:?} outside");
                }
            }
        }
        Err(e) => {
            assert!(!e.diagnostics.is_empty(), "a failure without a diagnostic");
            let mut last = 0;
            for d in &e.diagnostics {
                assert_eq!(d.severity, Severity::Error, "{d:?}");
                assert!(text.get(d.span.range()).is_some(), "span {:?} outside or mid-character", d.span);
                assert!(d.span.start >= last, "diagnostics out of file order");
                last = d.span.start;
                let rendered = d.render(FILE, text);
                assert!(rendered.starts_with("sync.yaml:"), "{rendered}");
            }
            let error = ConfigError::Invalid {
                path: FILE.into(),
                text: text.to_owned(),
                diagnostics: e.diagnostics.clone(),
            };
            let _ = error.to_string();
        }
    }
    let again = SyncConfig::parse(text);
    match (&first, &again) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "parse is not deterministic"),
        (Err(a), Err(b)) => assert_eq!(a.diagnostics, b.diagnostics, "parse is not deterministic"),
        _ => panic!("parse is not deterministic"),
    }
});
