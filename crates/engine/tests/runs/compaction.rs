//! Compacting the store after a cycle: skipped for a state the cycle built from nothing,
//! done after a cycle that rewrote a state it began with.

use syncrules_engine::run::{CancelToken, Cycle};

use crate::{connected, options, store_engine, user};

#[tokio::test]
async fn a_cycle_compacts_only_a_state_it_did_not_build_from_nothing() {
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
    assert!(
        !e.compact_after(Cycle::Initial, &first).unwrap(),
        "the first cycle built the state from nothing"
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
