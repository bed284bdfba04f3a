//! Sync benchmarks on a synthetic directory with the project's default rules: a full sync
//! of 100,000 users (with 1,000 groups), and a delta sync of 1,000 changed users.
//!
//! `cargo bench --bench sync`; `SYNC_BENCH_USERS` changes the directory's size.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs,
    reason = "benchmark setup; criterion generates the entry points"
)]

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use syncrules::lang::Value;
use syncrules::lang::rules::{Plan, Report, load_rule_set};
use syncrules_connectors::adgen;
use syncrules_connectors::ldif::{AttributeTyping, entry_from_record};
use syncrules_engine::connector::{ImportBatch, ImportEntry};
use syncrules_engine::import::apply;
use syncrules_engine::model::{CsId, PendingImport, State};
use syncrules_engine::sync::{SyncContext, sync_connector};

/// The allocator the `syncrules` binary uses (see src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const AD: &str = "contoso.com";

fn plan() -> Plan {
    let mut report = Report::default();
    let set = load_rule_set(
        &[PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")],
        &mut report,
    );
    Plan::build(&set, &mut report).expect("the default rules check")
}

fn directory(users: usize) -> Vec<ImportEntry> {
    let typing = AttributeTyping::active_directory();
    adgen::generate(users, users / 100, 42)
        .filter_map(|r| entry_from_record(&r, &typing).ok())
        .collect()
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn imported(entries: &[ImportEntry]) -> State {
    let mut state = State::default();
    apply(
        state.space(AD),
        ImportBatch {
            errors: Vec::new(),
            entries: entries.to_vec(),
            watermark: None,
        },
        true,
    );
    state
}

fn bench(c: &mut Criterion) {
    let users: usize = std::env::var("SYNC_BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let plan = plan();
    let entries = directory(users);
    let ctx = SyncContext {
        plan: &plan,
        now: now(),
        deletion_window: None,
    };

    let mut group = c.benchmark_group("sync");
    group.sample_size(10);
    group.bench_function(format!("full_sync_{users}_users"), |b| {
        b.iter_batched(
            || imported(&entries),
            |mut state| {
                let r = sync_connector(&mut state, &ctx, AD, true);
                assert!(r.errors.len() < 10, "{:?}", r.errors.first());
                state
            },
            BatchSize::LargeInput,
        );
    });

    // A synced directory in which 1,000 users changed their title.
    let mut synced = imported(&entries);
    sync_connector(&mut synced, &ctx, AD, true);
    let changed: Vec<CsId> = synced.spaces[AD]
        .objects
        .values()
        .filter(|o| o.object_type == "user" && o.link.is_some())
        .take(1000)
        .map(|o| o.id)
        .collect();
    assert_eq!(changed.len(), 1000);
    let mut with_changes = synced.clone();
    for id in &changed {
        let o = with_changes.space(AD).objects.get_mut(id).unwrap();
        o.attributes.insert("title".into(), Value::from("Changed"));
        o.pending_import = Some(PendingImport::Update);
    }
    group.bench_function("delta_sync_1000_changes", |b| {
        b.iter_batched(
            || with_changes.clone(),
            |mut state| {
                let r = sync_connector(&mut state, &ctx, AD, false);
                assert_eq!(r.visited, 1000);
                state
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
