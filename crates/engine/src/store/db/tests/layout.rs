//! Older layouts of the state file.

use super::*;

/// Layout 2 keyed the DN index by the DN lowercased; opened, its rows are keyed by the one
/// DN key, so a DN written with other escapes or separator spaces finds its object.
#[test]
fn layout_2_gets_its_dn_index_rekeyed() {
    let dir = tempfile::tempdir().unwrap();
    let written = "CN=Doe\\2C John, OU=People,DC=contoso,DC=com";
    {
        let store = Store::open(dir.path()).unwrap();
        let mut state = State::default();
        let ad = state.space("AD");
        ad.insert(CsObject {
            dn: written.to_owned(),
            ..sample_cs(CsId::new(0))
        });
        let dirty = Dirty::all(&state);
        store
            .commit(&mut state, &dirty, &JoinKeys::default())
            .unwrap();
        // What layout 2 wrote.
        let txn = store.db.begin_write().unwrap();
        {
            let mut by_dn = txn.open_table(BY_DN).unwrap();
            let rows: Vec<(String, String, u64)> = by_dn
                .iter()
                .unwrap()
                .map(|r| {
                    let (k, v) = r.unwrap();
                    let (c, d) = k.value();
                    (c.to_owned(), d.to_owned(), v.value())
                })
                .collect();
            assert_eq!(rows.len(), 1);
            for (c, d, _) in &rows {
                by_dn.remove((c.as_str(), d.as_str())).unwrap();
            }
            for (c, _, id) in &rows {
                by_dn
                    .insert((c.as_str(), written.to_ascii_lowercase().as_str()), *id)
                    .unwrap();
            }
            txn.open_table(META)
                .unwrap()
                .insert("format", b"2".as_slice())
                .unwrap();
        }
        txn.commit().unwrap();
        let lowercased = written.to_ascii_lowercase();
        let old = store.reader().unwrap().cs_by_dn("AD", &lowercased).unwrap();
        assert_eq!(old, None, "layout 2's rows are not found by the new key");
    }
    let store = Store::open(dir.path()).unwrap();
    let reader = store.reader().unwrap();
    for dn in [written, "cn=doe\\, john,ou=people,dc=contoso,dc=com"] {
        assert!(reader.cs_by_dn("AD", dn).unwrap().is_some(), "{dn}");
    }
    let txn = store.db.begin_read().unwrap();
    let format = txn
        .open_table(META)
        .unwrap()
        .get("format")
        .unwrap()
        .unwrap();
    assert_eq!(format.value(), FORMAT.as_bytes());
}
