//! Reading many objects at once: what one by one would read, in order, a damaged record
//! named without losing the others.

use super::*;

/// Commits `n` objects of `AD`, each with a metaverse object; their ids.
fn committed(store: &Store, n: u64) -> (State, Vec<CsId>) {
    let mut state = State::default();
    let mut ids = Vec::new();
    for i in 0..n {
        let mut o = sample_cs(CsId::new(0));
        o.dn = format!("CN=user{i},DC=x");
        o.anchor = Some(format!("anchor-{i}"));
        let id = state.space("AD").insert(o);
        let mv = MvId::new(i + 1);
        state.metaverse.objects.insert(
            mv,
            MvObject {
                id: mv,
                ..sample_state()
                    .metaverse
                    .objects
                    .into_values()
                    .next()
                    .unwrap()
            },
        );
        ids.push(id);
    }
    commit_all(store, &state);
    (state, ids)
}

#[test]
fn many_objects_read_as_one_by_one_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (_, ids) = committed(&store, 3_000);
    let r = store.reader().unwrap();
    // Out of order, with an id nothing has.
    let mut asked: Vec<CsId> = ids.iter().rev().copied().collect();
    asked.insert(7, CsId::new(999_999));
    let read = r.cs_many("AD", &asked).unwrap();
    assert_eq!(read.len(), ids.len(), "the missing id is left out");
    let expected: Vec<CsId> = asked
        .iter()
        .copied()
        .filter(|id| *id != CsId::new(999_999))
        .collect();
    for ((id, o), want) in read.into_iter().zip(expected) {
        assert_eq!(id, want);
        assert_eq!(o.unwrap(), r.cs("AD", id).unwrap().unwrap());
        let target = r.cs_target("AD", id).unwrap().unwrap();
        let many = r.cs_targets("AD", &[id]).unwrap();
        assert_eq!(many.len(), 1);
        assert_eq!(many.into_iter().next().unwrap().1.unwrap(), target);
    }
    let mv_ids: Vec<MvId> = (1..=3_000).map(MvId::new).collect();
    for (id, o) in r.mv_many(&mv_ids).unwrap() {
        assert_eq!(o.unwrap(), r.mv(id).unwrap().unwrap());
    }
    for (id, links) in r.mv_links_many(&mv_ids[..10]).unwrap() {
        assert_eq!(links.unwrap(), r.mv_links(id).unwrap().unwrap());
    }
}

#[test]
fn a_damaged_record_among_many_is_named_and_the_others_read() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (_, ids) = committed(&store, 10);
    let txn = store.db.begin_write().unwrap();
    {
        let mut cs = txn.open_table(CS).unwrap();
        let mut bad = crate::store::record::encode_cs(&sample_cs(ids[4]));
        let n = bad.len();
        if let Some(b) = bad.get_mut(n / 2) {
            *b ^= 0x10;
        }
        cs.insert(("AD", ids[4].get()), bad.as_slice()).unwrap();
    }
    txn.commit().unwrap();
    let r = store.reader().unwrap();
    let read = r.cs_many("AD", &ids).unwrap();
    assert_eq!(read.len(), ids.len());
    for (id, o) in read {
        if id == ids[4] {
            let err = o.unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("the state is corrupt at cs/AD/{id}")),
                "{err}"
            );
        } else {
            assert_eq!(o.unwrap().id, id);
        }
    }
    // A working set's loader keeps the others and reports the damage when it finishes.
    let loader = crate::store::Loader::new(store.reader().unwrap());
    let mut working = State::default();
    loader.cs_many(&mut working, "AD", &ids);
    assert_eq!(working.spaces["AD"].objects.len(), ids.len() - 1);
    assert!(loader.finish().is_err());
}
