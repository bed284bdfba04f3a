//! Compacting the store after a cycle: done after every initial cycle (one that built the
//! state from nothing included) and a cycle that touched much of the state, skipped after
//! one that changed little.

use syncrules_engine::run::{CancelToken, Cycle, CycleReport};

use crate::{connected, options, store_engine, user};

#[tokio::test]
async fn initial_cycles_compact_and_a_cycle_that_changed_nothing_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let users = (0..50).map(|i| user(&format!("u{i}"), &format!("g{i}")));
    let (source, target) = connected(users);
    let mut e = store_engine(
        dir.path(),
        [Box::new(source.clone()), Box::new(target.clone())],
        options(),
    );
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
    assert!(
        !e.compact_after(Cycle::Delta, &CycleReport::default())
            .unwrap()
    );
    // A second initial cycle reads and rewrites the whole state it began with.
    let second = e.run_cycle(Cycle::Initial, None, &cancel).await.unwrap();
    assert!(e.compact_after(Cycle::Initial, &second).unwrap());
    // So does a new engine over the state running the cycle's steps itself.
    drop(e);
    let mut e = store_engine(
        dir.path(),
        [Box::new(source.clone()), Box::new(target.clone())],
        options(),
    );
    let steps = e.cycle_steps(Cycle::Initial);
    let third = e.run_steps(steps, None, &cancel).await.unwrap();
    assert!(e.compact_after(Cycle::Initial, &third).unwrap());
}

#[tokio::test]
async fn a_compacted_state_is_the_state_the_cycle_left() {
    let dir = tempfile::tempdir().unwrap();
    let users = (0..200).map(|i| user(&format!("u{i}"), &format!("g{i}")));
    let (source, target) = connected(users);
    let mut e = store_engine(
        dir.path(),
        [Box::new(source.clone()), Box::new(target.clone())],
        options(),
    );
    let cancel = CancelToken::new();
    let first = e.run_cycle(Cycle::Initial, None, &cancel).await.unwrap();
    let before = e.store.as_ref().unwrap().load().unwrap();
    assert!(e.compact_after(Cycle::Initial, &first).unwrap());
    drop(e);
    // Read back from the compacted file, whole.
    let mut e = store_engine(
        dir.path(),
        [Box::new(source.clone()), Box::new(target.clone())],
        options(),
    );
    e.state = e.store.as_ref().unwrap().load().unwrap();
    assert_eq!(e.state.spaces, before.spaces);
    assert_eq!(e.state.metaverse.objects, before.metaverse.objects);
    assert_eq!(e.state.spaces["ad"].objects.len(), 200);
}
