//! Older layouts of the state file.

use super::*;

/// Layout 2 keyed the DN index by the DN lowercased; opened, its rows are keyed by the one
/// DN key, so a DN written with other escapes or separator spaces finds its object — a DN
/// the object had before a rename too, which only the old index knew.
#[test]
fn layout_2_gets_its_dn_index_rekeyed() {
    let dir = tempfile::tempdir().unwrap();
    let written = "CN=Doe\\2C John, OU=People,DC=contoso,DC=com";
    let now = "CN=Someone Else,OU=People,DC=contoso,DC=com";
    let id;
    {
        let store = Store::open(dir.path()).unwrap();
        let mut state = State::default();
        id = state.space("AD").insert(CsObject {
            dn: now.to_owned(),
            ..sample_cs(CsId::new(0))
        });
        commit_all(&store, &state);
        // What layout 2 wrote: the DN the object holds and the one it had, lowercased.
        let txn = store.db.begin_write().unwrap();
        {
            txn.delete_table(BY_DN).unwrap();
            txn.open_table(BY_DN).unwrap();
            let mut by_dn = txn.open_table(OLD_BY_DN).unwrap();
            for dn in [now, written] {
                by_dn
                    .insert(("AD", dn.to_ascii_lowercase().as_str()), id.get())
                    .unwrap();
            }
            set_format(&txn, b"2");
        }
        txn.commit().unwrap();
        let lowercased = written.to_ascii_lowercase();
        let old = store.reader().unwrap().cs_by_dn("AD", &lowercased).unwrap();
        assert_eq!(old, None, "layout 2's rows are not found by the new key");
    }
    let store = Store::open(dir.path()).unwrap();
    let reader = store.reader().unwrap();
    for dn in [written, "cn=doe\\, john,ou=people,dc=contoso,dc=com", now] {
        assert_eq!(reader.cs_by_dn("AD", dn).unwrap(), Some(id), "{dn}");
    }
    assert_eq!(stored_format(&store), FORMAT.as_bytes());
}

/// Layout 4 keyed the anchor index by text; opened, its rows are hashed into the new index
/// and the old table goes, so every object is found by its anchor as before.
#[test]
fn layout_4_gets_its_anchor_index_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = State::default();
    for n in 1..=3 {
        state.space("AD").insert(sample_cs(CsId::new(n)));
    }
    {
        let store = Store::open(dir.path()).unwrap();
        commit_all(&store, &state);
        // What layout 4 held.
        let txn = store.db.begin_write().unwrap();
        {
            txn.delete_table(BY_ANCHOR).unwrap();
            txn.open_table(BY_ANCHOR).unwrap();
            let mut old = txn.open_table(OLD_BY_ANCHOR).unwrap();
            for (id, o) in &state.spaces["AD"].objects {
                old.insert(("AD", o.anchor.as_deref().unwrap()), id.get())
                    .unwrap();
            }
            set_format(&txn, b"4");
        }
        txn.commit().unwrap();
        let none = store.reader().unwrap().cs_by_anchor("AD", "anchor-2");
        assert_eq!(
            none.unwrap(),
            None,
            "layout 4's rows are not read as they are"
        );
    }
    let store = Store::open(dir.path()).unwrap();
    let reader = store.reader().unwrap();
    for (id, o) in &state.spaces["AD"].objects {
        let found = reader.cs_by_anchor("AD", o.anchor.as_deref().unwrap());
        assert_eq!(found.unwrap(), Some(*id));
    }
    let names = table_names(&store);
    assert!(!names.contains(&"by_anchor".to_owned()), "{names:?}");
}

/// A row of the hashed anchor index only proposes its object: one whose record holds
/// another anchor is not taken for it, neither by the reader nor by a working set's loader.
#[test]
fn an_anchor_row_is_checked_against_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut state = State::default();
    let id = state.space("AD").insert(sample_cs(CsId::new(0)));
    let anchor = state.spaces["AD"].objects[&id].anchor.clone().unwrap();
    commit_all(&store, &state);
    // A row proposing the object for another anchor, as a hash collision would.
    let txn = store.db.begin_write().unwrap();
    txn.open_table(BY_ANCHOR)
        .unwrap()
        .insert((rows::key_hash(&["AD", "other"]), id.get()), ())
        .unwrap();
    txn.commit().unwrap();
    let reader = store.reader().unwrap();
    assert_eq!(reader.cs_by_anchor("AD", "other").unwrap(), None);
    assert_eq!(reader.cs_by_anchor("AD", &anchor).unwrap(), Some(id));
    let loader = crate::store::Loader::new(store.reader().unwrap());
    let mut working = State::default();
    assert_eq!(loader.cs_anchor(&mut working, "AD", "other"), None);
    assert_eq!(loader.cs_anchor(&mut working, "AD", &anchor), Some(id));
    assert!(loader.finish().is_ok());
}
