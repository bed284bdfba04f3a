//! A batched sync commits its inbound half before its outbound half. A run killed in
//! between has visited objects (their pending imports are gone) whose metaverse objects
//! are not recomputed yet: the store keeps those, and the next sync, even a delta sync
//! with nothing else to do, recomputes them and exports what follows.

use syncrules_engine::model::MvId;
use syncrules_engine::run::{Cycle, Engine};
use syncrules_engine::store::{Dirty, JoinKeys, Store};
use syncrules_lang::Value;

use crate::common::*;
use crate::{Target, connected, options, rules, store_engine, user};

async fn cycle(e: &mut Engine, cycle: Cycle) {
    for step in e.cycle_steps(cycle) {
        e.run_and_commit(&step).await.unwrap();
    }
}

fn display_names(target: &Target) -> Vec<Value> {
    let mut names: Vec<Value> = target
        .objects
        .lock()
        .unwrap()
        .values()
        .filter_map(|e| e.attributes.get("displayName").cloned())
        .collect();
    names.sort_by_key(ToString::to_string);
    names
}

#[tokio::test]
async fn a_sync_killed_between_its_halves_is_finished_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target) = connected([user("a", "g1"), user("b", "g2")]);
    let mut e = store_engine(
        dir.path(),
        [Box::new(source.clone()), Box::new(target.clone())],
        options(),
    );
    cycle(&mut e, Cycle::Initial).await;
    drop(e);
    assert_eq!(display_names(&target), [Value::from("a"), Value::from("b")]);

    // The directory renames `a`'s cn; a run imports it and its sync commits the inbound
    // half (the object visited, its pending import cleared) and is killed: the metaverse
    // object keeps the old displayName, and nothing waits in the delta sync's work list.
    *source.objects.lock().unwrap() = vec![user("a2", "g1"), user("b", "g2")];
    let store = Store::open(dir.path()).unwrap();
    let reader = store.reader().unwrap();
    let id = reader.cs_by_anchor("ad", "g1").unwrap().unwrap();
    let mut object = reader.cs("ad", id).unwrap().unwrap();
    let mut state = reader.meta_state().unwrap();
    drop(reader);
    object.attributes.insert("cn".into(), Value::from("a2"));
    object.pending_import = None;
    let mv: MvId = object.link.unwrap();
    state.space("ad").load(object);
    let mut killed = Dirty {
        meta: true,
        ..Dirty::default()
    };
    killed.cs("ad", id);
    killed.recompute.insert(mv);
    let keys = JoinKeys::of(&scenario_plan(&rules()));
    store.commit(&mut state, &killed, &keys).unwrap();
    assert!(store.reader().unwrap().to_sync("ad").unwrap().is_empty());
    drop(store);

    let mut e = store_engine(
        dir.path(),
        [Box::new(source.clone()), Box::new(target.clone())],
        options(),
    );
    cycle(&mut e, Cycle::Delta).await;
    drop(e);
    assert_eq!(
        display_names(&target),
        [Value::from("a2"), Value::from("b")]
    );
    let store = Store::open(dir.path()).unwrap();
    assert!(store.reader().unwrap().to_recompute().unwrap().is_empty());
}
