//! Records packed with a dictionary the state holds.

use super::*;
use crate::store::pack::{Codec, PACKED, TRAIN_MIN};
use crate::store::record::encode_cs;

/// `n` objects of connector `AD` from id `from`, each linked to a metaverse object.
fn add_users(state: &mut State, from: u64, n: u64) {
    for i in from..from + n {
        let mv = state.metaverse.create("person");
        let id = state.space("AD").insert(CsObject {
            link: Some(mv),
            attributes: syncrules_lang::name::attrs([
                ("cn".to_owned(), Value::from(format!("user{i}"))),
                (
                    "department".to_owned(),
                    Value::from(["Sales", "IT"][(i % 2) as usize]),
                ),
            ]),
            ..sample_cs(CsId::new(i))
        });
        if let Some(o) = state.metaverse.objects.get_mut(&mv) {
            o.attributes = syncrules_lang::name::attrs([(
                "displayName".to_owned(),
                Value::from(format!("User {i}")),
            )]);
            o.links.insert("AD".into(), id);
        }
    }
}

/// The first byte of every stored object record, and the kinds `dict_kinds` names (each
/// checked to name a dictionary `dicts` holds).
fn stored_layouts(store: &Store) -> (BTreeSet<u8>, BTreeSet<String>) {
    let txn = store.db.begin_read().unwrap();
    let mut firsts = BTreeSet::new();
    for row in txn.open_table(CS).unwrap().iter().unwrap() {
        firsts.insert(row.unwrap().1.value()[0]);
    }
    for row in txn.open_table(MV).unwrap().iter().unwrap() {
        firsts.insert(row.unwrap().1.value()[0]);
    }
    let dicts = txn.open_table(DICTS).unwrap();
    let mut kinds = BTreeSet::new();
    for row in txn.open_table(DICT_KINDS).unwrap().iter().unwrap() {
        let (k, v) = row.unwrap();
        assert!(dicts.get(v.value().0).unwrap().is_some(), "{}", k.value());
        kinds.insert(k.value().to_owned());
    }
    (firsts, kinds)
}

/// The dictionary each packed record of `connector` (or of the metaverse, with `None`) names.
fn dict_numbers(store: &Store, connector: Option<&str>) -> BTreeSet<u8> {
    let txn = store.db.begin_read().unwrap();
    let mut numbers = BTreeSet::new();
    let mut note = |v: &[u8]| {
        if v[0] == PACKED {
            numbers.insert(v[5]);
        }
    };
    match connector {
        Some(c) => {
            for row in txn.open_table(CS).unwrap().iter().unwrap() {
                let (k, v) = row.unwrap();
                if k.value().0 == c {
                    note(v.value());
                }
            }
        }
        None => {
            for row in txn.open_table(MV).unwrap().iter().unwrap() {
                note(row.unwrap().1.value());
            }
        }
    }
    numbers
}

fn kinds<const N: usize>(names: [&str; N]) -> BTreeSet<String> {
    names.into_iter().map(str::to_owned).collect()
}

#[test]
fn a_large_commit_trains_a_dictionary_a_kind_and_packs_every_record_from_then_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = State::default();
    {
        let store = Store::open(dir.path()).unwrap();
        add_users(&mut state, 0, 10);
        commit_all(&store, &state);
        assert_eq!(stored_layouts(&store), (BTreeSet::from([2]), kinds([])));

        // A commit of many objects, the first ten unchanged among them.
        add_users(&mut state, 10, TRAIN_MIN as u64);
        commit_all(&store, &state);
        assert_eq!(
            stored_layouts(&store),
            (BTreeSet::from([PACKED]), kinds(["cs/AD", "mv"]))
        );
        // Each kind with its own.
        let (ad, mv) = (dict_numbers(&store, Some("AD")), dict_numbers(&store, None));
        assert!(ad.len() == 1 && mv.len() == 1 && ad != mv, "{ad:?} {mv:?}");
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
    assert_eq!(
        stored_layouts(&store),
        (BTreeSet::from([PACKED]), kinds(["cs/AD", "mv"]))
    );
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
        commit_all(&store, &state);
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
fn layouts_3_and_4_are_opened_as_layout_5() {
    for old in [b"3", b"4"] {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let txn = store.db.begin_write().unwrap();
            set_format(&txn, old);
            txn.commit().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(stored_format(&store), FORMAT.as_bytes());
    }
}

/// A layout-4 state has one dictionary, of no kind, trained on records of every kind: it
/// keeps packing each kind until the kind has a dictionary of its own, and the records it
/// packed stay readable.
#[test]
fn a_layout_4_dictionary_packs_until_each_kind_has_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = State::default();
    add_users(&mut state, 0, TRAIN_MIN as u64);
    {
        let store = Store::open(dir.path()).unwrap();
        let samples: Vec<Vec<u8>> = state.spaces["AD"].objects.values().map(encode_cs).collect();
        let dict = Codec::train(&samples).unwrap();
        let txn = store.db.begin_write().unwrap();
        txn.open_table(DICTS)
            .unwrap()
            .insert(1, seal(&dict).as_slice())
            .unwrap();
        set_format(&txn, b"4");
        txn.commit().unwrap();
    }
    let mut first = State::default();
    add_users(&mut first, 0, 10);
    {
        // Ten objects of each kind: too few for their own, packed with the shared one.
        let store = Store::open(dir.path()).unwrap();
        let dirty = Dirty::all(&first);
        store
            .commit(&mut first.clone(), &dirty, &JoinKeys::default())
            .unwrap();
        // (A record the dictionary would not make smaller stays plain.)
        assert_eq!(stored_layouts(&store).1, kinds([]));
        assert_eq!(dict_numbers(&store, Some("AD")), BTreeSet::from([1]));
        assert!(dict_numbers(&store, None).iter().all(|n| *n == 1));
    }
    // Then many more, the first ten unchanged: each kind gets its own, and the ten stay
    // as the shared dictionary packed them.
    let store = Store::open(dir.path()).unwrap();
    commit_all(&store, &state);
    assert_eq!(
        stored_layouts(&store),
        (BTreeSet::from([PACKED]), kinds(["cs/AD", "mv"]))
    );
    assert_eq!(dict_numbers(&store, Some("AD")), BTreeSet::from([1, 2]));
    let mv = dict_numbers(&store, None);
    assert!(
        mv.contains(&3) && mv.is_subset(&BTreeSet::from([1, 3])),
        "{mv:?}"
    );
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.load().unwrap(), state);
}

#[test]
fn a_kind_naming_a_missing_dictionary_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let txn = store.db.begin_write().unwrap();
        txn.open_table(DICT_KINDS)
            .unwrap()
            .insert("cs/AD", (4, 100))
            .unwrap();
        txn.commit().unwrap();
    }
    let err = Store::open(dir.path()).unwrap_err();
    assert!(
        matches!(err, StoreError::Corrupt { ref key, ref message } if key == "dict_kinds/cs/AD" && message.contains("dictionary 4")),
        "{err}"
    );
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
    // Plain until the state and the commit hold 1,000 objects of a kind (the seventh
    // commit), then a dictionary for each kind and packed records beside the plain ones.
    assert_eq!(layouts[0], (BTreeSet::from([2]), kinds([])));
    assert_eq!(layouts[5], (BTreeSet::from([2]), kinds([])));
    let both = (BTreeSet::from([2, PACKED]), kinds(["cs/AD", "mv"]));
    assert_eq!(layouts[6], both, "{layouts:?}");
    assert_eq!(layouts.last(), Some(&both));
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.load().unwrap(), state);
}

/// The own dictionary of each kind, from `dict_kinds`: kind → number.
fn own_dicts(store: &Store) -> BTreeMap<String, u32> {
    let txn = store.db.begin_read().unwrap();
    let kinds = txn.open_table(DICT_KINDS).unwrap();
    kinds
        .iter()
        .unwrap()
        .map(|r| {
            let (k, v) = r.unwrap();
            (k.value().to_owned(), v.value().0)
        })
        .collect()
}

/// Metaverse objects committed as skeletons (projected, before their attributes flow), then
/// whole: the second commit trains the metaverse a new dictionary, since its records are
/// many times those the first was trained on; a commit of records grown less, or of fewer
/// records, does not.
#[test]
fn a_kind_whose_records_grew_gets_a_new_dictionary() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut state = State::default();
    let n = TRAIN_MIN as u64 + 200;
    for _ in 0..n {
        state.metaverse.create("person");
    }
    let all = |state: &State| {
        let mut dirty = Dirty::default();
        dirty.mv.extend(state.metaverse.objects.keys().copied());
        dirty
    };
    let dirty = all(&state);
    store
        .commit(&mut state, &dirty, &JoinKeys::default())
        .unwrap();
    let skeleton = own_dicts(&store)["mv"];
    let fill = |state: &mut State, names: &[&str]| {
        for (i, o) in state.metaverse.objects.values_mut().enumerate() {
            for name in names {
                o.attributes
                    .insert((*name).into(), Value::from(format!("{name} of user {i}")));
            }
        }
    };
    fill(
        &mut state,
        &["displayName", "department", "title", "company", "mail"],
    );
    let dirty = all(&state);
    store
        .commit(&mut state, &dirty, &JoinKeys::default())
        .unwrap();
    let whole = own_dicts(&store)["mv"];
    assert_ne!(whole, skeleton);
    // One more attribute: grown, but not twice the size.
    fill(&mut state, &["info"]);
    let dirty = all(&state);
    store
        .commit(&mut state, &dirty, &JoinKeys::default())
        .unwrap();
    assert_eq!(own_dicts(&store)["mv"], whole);
    // Twice the size, but a commit of fewer than TRAIN_MIN records.
    fill(
        &mut state,
        &[
            "l",
            "c",
            "co",
            "streetAddress",
            "postalCode",
            "telephoneNumber",
            "mobile",
        ],
    );
    let mut few = Dirty::default();
    few.mv
        .extend(state.metaverse.objects.keys().take(TRAIN_MIN - 1).copied());
    store
        .commit(&mut state, &few, &JoinKeys::default())
        .unwrap();
    assert_eq!(own_dicts(&store)["mv"], whole);
    // Every record reads back, whichever dictionary packed it.
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    let loaded = store.load().unwrap().metaverse.objects;
    for id in &few.mv {
        assert!(loaded.get(id) == state.metaverse.objects.get(id), "{id}");
    }
    assert_eq!(loaded.len(), state.metaverse.objects.len());
}
