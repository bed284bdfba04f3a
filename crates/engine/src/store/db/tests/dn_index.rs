//! The DN index: hashed rows for the DNs objects hold, checked against their records, and
//! the DNs objects had before a rename kept apart as text.

use syncrules_lang::dn::DnKey;

use super::*;

/// An object of `AD` with this DN; its id.
fn add(state: &mut State, dn: &str) -> CsId {
    state.space("AD").insert(CsObject {
        dn: dn.to_owned(),
        ..sample_cs(CsId::new(0))
    })
}

/// Commits these objects of `AD` (deleted when `state` no longer has them).
fn commit_ids(store: &Store, state: &State, ids: &[CsId]) {
    let mut dirty = Dirty::default();
    for id in ids {
        dirty.cs("AD", *id);
    }
    store
        .commit(&mut state.clone(), &dirty, &JoinKeys::default())
        .unwrap();
}

/// The rows of the DNs objects had before a rename: `(connector, DN key, id)`.
fn dn_was_rows(store: &Store) -> Vec<(String, String, u64)> {
    let txn = store.db.begin_read().unwrap();
    let table = txn.open_table(DN_WAS).unwrap();
    table
        .iter()
        .unwrap()
        .map(|r| {
            let (k, v) = r.unwrap();
            let (c, d) = k.value();
            (c.to_owned(), d.to_owned(), v.value())
        })
        .collect()
}

fn key(dn: &str) -> String {
    DnKey::new(dn).into_string()
}

/// A DN an object left by a rename still finds it, until another object takes the DN; once
/// that object is gone too, the DN finds nothing (as the text index of layout 5 did).
#[test]
fn a_dn_left_by_a_rename_resolves_until_another_object_takes_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut state = State::default();
    let one = add(&mut state, "CN=a,DC=x");
    let two = add(&mut state, "CN=b,DC=x");
    commit_all(&store, &state);
    assert!(dn_was_rows(&store).is_empty());

    state.space("AD").rename(one, "CN=c,DC=x");
    commit_ids(&store, &state, &[one]);
    let r = store.reader().unwrap();
    assert_eq!(r.cs_by_dn("AD", "cn=a,dc=x").unwrap(), Some(one));
    assert_eq!(r.cs_by_dn("AD", "CN=c, DC=x").unwrap(), Some(one));
    assert_eq!(r.cs_by_dn("AD", "CN=b,DC=x").unwrap(), Some(two));
    drop(r);
    assert_eq!(
        dn_was_rows(&store),
        [("AD".to_owned(), key("CN=a,DC=x"), one.get())]
    );
    let loader = crate::store::Loader::new(store.reader().unwrap());
    let mut working = State::default();
    assert_eq!(loader.cs_dn(&mut working, "AD", "CN=a,DC=x"), Some(one));
    assert_eq!(loader.cs_dn(&mut working, "AD", "CN=c,DC=x"), Some(one));
    assert!(loader.finish().is_ok());

    let three = add(&mut state, "CN=A,DC=X");
    commit_ids(&store, &state, &[three]);
    assert_eq!(
        store.reader().unwrap().cs_by_dn("AD", "CN=a,DC=x").unwrap(),
        Some(three)
    );
    assert!(dn_was_rows(&store).is_empty());

    state.space("AD").remove(three);
    commit_ids(&store, &state, &[three]);
    assert_eq!(
        store.reader().unwrap().cs_by_dn("AD", "CN=a,DC=x").unwrap(),
        None
    );
}

/// In one commit an object takes a DN another leaves: the DN is the taker's, whichever of
/// the two the commit writes first, and no row keeps it for the one that left.
#[test]
fn a_dn_taken_in_the_commit_that_leaves_it_is_the_takers() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut state = State::default();
    // The taker has the lower id, so the commit writes it before the one leaving.
    let taker = add(&mut state, "CN=p,DC=x");
    let leaver = add(&mut state, "CN=a,DC=x");
    commit_all(&store, &state);
    state.space("AD").rename(taker, "CN=a,DC=x");
    state.space("AD").rename(leaver, "CN=q,DC=x");
    commit_ids(&store, &state, &[taker, leaver]);
    let r = store.reader().unwrap();
    assert_eq!(r.cs_by_dn("AD", "CN=a,DC=x").unwrap(), Some(taker));
    assert_eq!(r.cs_by_dn("AD", "CN=p,DC=x").unwrap(), Some(taker));
    assert_eq!(r.cs_by_dn("AD", "CN=q,DC=x").unwrap(), Some(leaver));
    drop(r);
    assert_eq!(
        dn_was_rows(&store),
        [("AD".to_owned(), key("CN=p,DC=x"), taker.get())]
    );
}

/// A row of the hashed DN index only proposes its object: one whose record holds another
/// DN is not taken for it, neither by the reader nor by a working set's loader.
#[test]
fn a_dn_row_is_checked_against_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut state = State::default();
    let id = add(&mut state, "CN=real,DC=x");
    commit_all(&store, &state);
    // A row proposing the object for another DN, as a hash collision would.
    let txn = store.db.begin_write().unwrap();
    txn.open_table(BY_DN)
        .unwrap()
        .insert(
            (rows::key_hash(&["AD", &key("CN=other,DC=x")]), id.get()),
            (),
        )
        .unwrap();
    txn.commit().unwrap();
    let reader = store.reader().unwrap();
    assert_eq!(reader.cs_by_dn("AD", "CN=other,DC=x").unwrap(), None);
    assert_eq!(reader.cs_by_dn("AD", "CN=real,DC=x").unwrap(), Some(id));
    let loader = crate::store::Loader::new(store.reader().unwrap());
    let mut working = State::default();
    assert_eq!(loader.cs_dn(&mut working, "AD", "CN=other,DC=x"), None);
    assert_eq!(loader.cs_dn(&mut working, "AD", "CN=real,DC=x"), Some(id));
    assert!(loader.finish().is_ok());
}

/// Layout 5 kept one text index of the DNs objects hold and held; opened, the DNs held are
/// hashed from the records, the ones held before a rename kept as text, rows naming no
/// object dropped, and the old table deleted.
#[test]
fn layout_5_gets_its_dn_index_split() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = State::default();
    let ids: Vec<CsId> = (1..=3)
        .map(|n| add(&mut state, &format!("CN=user{n},DC=x")))
        .collect();
    {
        let store = Store::open(dir.path()).unwrap();
        commit_all(&store, &state);
        state.space("AD").rename(ids[0], "CN=renamed,DC=x");
        commit_ids(&store, &state, &ids[..1]);
        // What layout 5 held.
        let txn = store.db.begin_write().unwrap();
        {
            txn.delete_table(BY_DN).unwrap();
            txn.open_table(BY_DN).unwrap();
            txn.delete_table(DN_WAS).unwrap();
            txn.open_table(DN_WAS).unwrap();
            let mut old = txn.open_table(OLD_BY_DN).unwrap();
            for (id, o) in &state.spaces["AD"].objects {
                old.insert(("AD", key(&o.dn).as_str()), id.get()).unwrap();
            }
            old.insert(("AD", key("CN=user1,DC=x").as_str()), ids[0].get())
                .unwrap();
            old.insert(("AD", key("CN=gone,DC=x").as_str()), 99)
                .unwrap();
            set_format(&txn, b"5");
        }
        txn.commit().unwrap();
        let none = store.reader().unwrap().cs_by_dn("AD", "CN=user2,DC=x");
        assert_eq!(
            none.unwrap(),
            None,
            "layout 5's rows are not read as they are"
        );
    }
    let store = Store::open(dir.path()).unwrap();
    let reader = store.reader().unwrap();
    for (id, o) in &state.spaces["AD"].objects {
        assert_eq!(reader.cs_by_dn("AD", &o.dn).unwrap(), Some(*id), "{}", o.dn);
    }
    assert_eq!(
        reader.cs_by_dn("AD", "CN=user1,DC=x").unwrap(),
        Some(ids[0])
    );
    assert_eq!(reader.cs_by_dn("AD", "CN=gone,DC=x").unwrap(), None);
    drop(reader);
    assert_eq!(
        dn_was_rows(&store),
        [("AD".to_owned(), key("CN=user1,DC=x"), ids[0].get())]
    );
    let names = table_names(&store);
    assert!(!names.contains(&"by_dn".to_owned()), "{names:?}");
    assert_eq!(stored_format(&store), FORMAT.as_bytes());
    // A whole space read from the migrated state resolves the old DN as well.
    let mut whole = State::default();
    store
        .reader()
        .unwrap()
        .load_space(&mut whole, "AD")
        .unwrap();
    assert_eq!(
        whole.spaces["AD"].by_dn.get(&DnKey::new("CN=user1,DC=x")),
        Some(&ids[0])
    );
}
