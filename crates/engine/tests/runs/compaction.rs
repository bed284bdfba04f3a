//! Compacting the store after a cycle: done after every initial cycle (one that built the
//! state from nothing included) and a cycle that touched much of the state, skipped after
//! one that changed little.

use syncrules_engine::run::{CancelToken, Cycle, CycleReport, Engine};
use syncrules_engine::store::Store;

use crate::{Source, Target, connected, options, store_engine, user};

/// `n` users in the source, and an engine over the state in `dir`.
fn engine_over(dir: &std::path::Path, n: usize) -> (Engine, Source, Target) {
    let users = (0..n).map(|i| user(&format!("u{i}"), &format!("g{i}")));
    let (source, target) = connected(users);
    let e = reopen(dir, &source, &target);
    (e, source, target)
}

/// A new engine over the state in `dir`, with the same connectors.
fn reopen(dir: &std::path::Path, source: &Source, target: &Target) -> Engine {
    store_engine(
        dir,
        [Box::new(source.clone()), Box::new(target.clone())],
        options(),
    )
}

#[tokio::test]
async fn initial_cycles_compact_and_a_cycle_that_changed_nothing_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let (mut e, source, target) = engine_over(dir.path(), 50);
    let cancel = CancelToken::new();
    let first = e.run_cycle(Cycle::Initial, None, &cancel).await.unwrap();
    assert_eq!(target.objects.lock().unwrap().len(), 50);
    // The first cycle built the state from nothing, writing each object at every step.
    assert!(e.compact_after(Cycle::Initial, &first).unwrap());
    // The delta cycle confirming the exports touches every object (these test connectors
    // report every object on a delta import); a delta cycle that touched nothing leaves
    // nothing to give back.
    let confirming = e.run_cycle(Cycle::Delta, None, &cancel).await.unwrap();
    assert!(confirming.objects() * 4 >= 150, "{confirming:?}");
    assert!(e.compact_after(Cycle::Delta, &confirming).unwrap());
    let nothing = CycleReport::default();
    assert!(!e.compact_after(Cycle::Delta, &nothing).unwrap());
    // A second initial cycle reads and rewrites the whole state it began with.
    let second = e.run_cycle(Cycle::Initial, None, &cancel).await.unwrap();
    assert!(e.compact_after(Cycle::Initial, &second).unwrap());
    // So does a new engine over the state running the cycle's steps itself.
    drop(e);
    let mut e = reopen(dir.path(), &source, &target);
    let steps = e.cycle_steps(Cycle::Initial);
    let third = e.run_steps(steps, None, &cancel).await.unwrap();
    assert!(e.compact_after(Cycle::Initial, &third).unwrap());
}

#[tokio::test]
async fn a_compacted_state_is_the_state_the_cycle_left() {
    let dir = tempfile::tempdir().unwrap();
    let (mut e, _source, _target) = engine_over(dir.path(), 200);
    let cancel = CancelToken::new();
    let first = e.run_cycle(Cycle::Initial, None, &cancel).await.unwrap();
    let before = e.store.as_ref().unwrap().load().unwrap();
    assert!(e.compact_after(Cycle::Initial, &first).unwrap());
    drop(e);
    // Read back from the compacted file, whole.
    let after = Store::open(dir.path()).unwrap().load().unwrap();
    assert_eq!(after.spaces, before.spaces);
    assert_eq!(after.metaverse.objects, before.metaverse.objects);
    assert_eq!(after.spaces["ad"].objects.len(), 200);
}
