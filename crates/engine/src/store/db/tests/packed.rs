//! Records packed with a dictionary the state holds.

use super::*;
use crate::store::pack::{PACKED, TRAIN_MIN};

/// `n` objects of connector `AD` from id `from`, each linked to a metaverse object.
fn add_users(state: &mut State, from: u64, n: u64) {
    for i in from..from + n {
        let mv = state.metaverse.create("person");
        let id = state.space("AD").insert(CsObject {
            link: Some(mv),
            attributes: IndexMap::from([
                ("cn".to_owned(), Value::from(format!("user{i}"))),
                (
                    "department".to_owned(),
                    Value::from(["Sales", "IT"][(i % 2) as usize]),
                ),
            ]),
            ..sample_cs(CsId::new(i))
        });
        if let Some(o) = state.metaverse.objects.get_mut(&mv) {
            o.attributes =
                IndexMap::from([("displayName".to_owned(), Value::from(format!("User {i}")))]);
            o.links.insert("AD".into(), id);
        }
    }
}

/// The first byte of every stored object record, and the rows of `dicts`.
fn stored_layouts(store: &Store) -> (BTreeSet<u8>, usize) {
    let txn = store.db.begin_read().unwrap();
    let mut firsts = BTreeSet::new();
    for row in txn.open_table(CS).unwrap().iter().unwrap() {
        firsts.insert(row.unwrap().1.value()[0]);
    }
    for row in txn.open_table(MV).unwrap().iter().unwrap() {
        firsts.insert(row.unwrap().1.value()[0]);
    }
    let dicts = txn.open_table(DICTS).unwrap().iter().unwrap().count();
    (firsts, dicts)
}

#[test]
fn a_large_commit_trains_a_dictionary_and_packs_every_record_from_then_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = State::default();
    {
        let store = Store::open(dir.path()).unwrap();
        add_users(&mut state, 0, 10);
        let dirty = Dirty::all(&state);
        store
            .commit(&mut state.clone(), &dirty, &JoinKeys::default())
            .unwrap();
        assert_eq!(stored_layouts(&store), (BTreeSet::from([2]), 0));

        // A commit of many objects, the first ten unchanged among them.
        add_users(&mut state, 10, TRAIN_MIN as u64);
        let dirty = Dirty::all(&state);
        store
            .commit(&mut state.clone(), &dirty, &JoinKeys::default())
            .unwrap();
        assert_eq!(stored_layouts(&store), (BTreeSet::from([PACKED]), 1));
        assert_eq!(store.load().unwrap(), state);
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.load().unwrap(), state);
    let verified = store.verify().unwrap();
    assert_eq!(verified, (TRAIN_MIN + 10, TRAIN_MIN + 10));

    // A later change is packed with the stored dictionary, and read back.
    let id = CsId::new(3);
    if let Some(o) = state.space("AD").objects.get_mut(&id) {
        o.attributes.insert("title".into(), Value::from("Engineer"));
    }
    let mut step = Dirty::default();
    step.cs("AD", id);
    store
        .commit(&mut state.clone(), &step, &JoinKeys::default())
        .unwrap();
    assert_eq!(stored_layouts(&store), (BTreeSet::from([PACKED]), 1));
    assert_eq!(
        store.reader().unwrap().cs("AD", id).unwrap().as_ref(),
        state.spaces["AD"].objects.get(&id)
    );
}

#[test]
fn a_damaged_dictionary_or_packed_record_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = State::default();
    add_users(&mut state, 0, TRAIN_MIN as u64);
    {
        let store = Store::open(dir.path()).unwrap();
        let dirty = Dirty::all(&state);
        store
            .commit(&mut state.clone(), &dirty, &JoinKeys::default())
            .unwrap();
        // One bit of one packed record flipped.
        let txn = store.db.begin_write().unwrap();
        {
            let mut cs = txn.open_table(CS).unwrap();
            let mut bytes = cs.get(("AD", 5)).unwrap().unwrap().value().to_vec();
            let last = bytes.len() - 1;
            bytes[last] ^= 1;
            cs.insert(("AD", 5), bytes.as_slice()).unwrap();
        }
        txn.commit().unwrap();
        let err = store.reader().unwrap().cs("AD", CsId::new(5)).unwrap_err();
        assert!(
            matches!(err, StoreError::Corrupt { ref key, ref message } if key == "cs/AD/5" && message.contains("checksum")),
            "{err}"
        );
        // The dictionary's last byte flipped.
        let txn = store.db.begin_write().unwrap();
        {
            let mut dicts = txn.open_table(DICTS).unwrap();
            let mut row = dicts.get(1).unwrap().unwrap().value().to_vec();
            let last = row.len() - 1;
            row[last] ^= 1;
            dicts.insert(1, row.as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let err = Store::open(dir.path()).unwrap_err();
    assert!(
        matches!(err, StoreError::Corrupt { ref key, .. } if key == "dicts/1"),
        "{err}"
    );
}

#[test]
fn layout_3_is_opened_as_layout_4() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let txn = store.db.begin_write().unwrap();
        txn.open_table(META)
            .unwrap()
            .insert("format", b"3".as_slice())
            .unwrap();
        txn.commit().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    let txn = store.db.begin_read().unwrap();
    let format = txn
        .open_table(META)
        .unwrap()
        .get("format")
        .unwrap()
        .unwrap();
    assert_eq!(format.value(), b"4");
}

#[test]
fn small_commits_train_a_dictionary_once_the_state_is_large_enough() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut state = State::default();
    let mut from = 0;
    let mut layouts = Vec::new();
    // Commits of 150 objects and their 150 metaverse objects.
    while from < TRAIN_MIN as u64 * 2 {
        let before = state.clone();
        add_users(&mut state, from, 150);
        let mut dirty = Dirty::default();
        for (id, _) in state.spaces["AD"].objects.iter() {
            if !before
                .spaces
                .get("AD")
                .is_some_and(|s| s.objects.contains_key(id))
            {
                dirty.cs("AD", *id);
            }
        }
        for id in state.metaverse.objects.keys() {
            if !before.metaverse.objects.contains_key(id) {
                dirty.mv.insert(*id);
            }
        }
        store
            .commit(&mut state, &dirty, &JoinKeys::default())
            .unwrap();
        layouts.push(stored_layouts(&store));
        from += 150;
    }
    // Plain until the state and the commit hold 1,000 objects, then a dictionary and
    // packed records beside the plain ones.
    assert_eq!(layouts[0], (BTreeSet::from([2]), 0));
    assert_eq!(layouts[1], (BTreeSet::from([2]), 0));
    assert_eq!(layouts[3], (BTreeSet::from([2, PACKED]), 1), "{layouts:?}");
    assert_eq!(layouts.last(), Some(&(BTreeSet::from([2, PACKED]), 1)));
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.load().unwrap(), state);
}
