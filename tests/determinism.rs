//! Full sync runs in parallel; its results must not depend on scheduling.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use syncrules::lang::rules::{Plan, Report, load_rule_set};
use syncrules_connectors::adgen;
use syncrules_connectors::ldif::{AttributeTyping, entry_from_record};
use syncrules_engine::connector::ImportBatch;
use syncrules_engine::import::apply;
use syncrules_engine::model::State;
use syncrules_engine::sync::{SyncContext, sync_connector};

#[test]
fn parallel_full_sync_is_deterministic() {
    let mut report = Report::default();
    let set = load_rule_set(
        &[PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")],
        &mut report,
    );
    let plan = Plan::build(&set, &mut report).unwrap();
    let typing = AttributeTyping::active_directory();
    let entries: Vec<_> = adgen::generate(3000, 60, 9)
        .filter_map(|r| entry_from_record(&r, &typing).ok())
        .collect();
    let now = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let ctx = SyncContext {
        plan: &plan,
        now,
        deletion_window: None,
    };
    let run = || {
        let mut state = State::default();
        apply(
            state.space("contoso.com"),
            ImportBatch {
                errors: Vec::new(),
                entries: entries.clone(),
                watermark: None,
            },
            true,
        );
        let r = sync_connector(&mut state, &ctx, "contoso.com", true);
        (state, r)
    };
    let (a, ra) = run();
    let (b, rb) = run();
    assert_eq!(ra, rb);
    assert!(ra.projected > 2900, "{ra:?}");
    assert!(a == b, "two full syncs of the same directory differ");
    let exports = a.spaces["contoso.onmicrosoft.com"].objects.len();
    assert!(exports > 2900, "{exports}");
}
