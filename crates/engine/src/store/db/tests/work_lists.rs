//! The work lists follow each object's flags through its commits: a commit writes a list's
//! row only when the flags change, so what it skips must already be right.

use super::*;

fn lists(store: &Store) -> (Vec<CsId>, Vec<CsId>) {
    let r = store.reader().unwrap();
    (r.to_sync("AD").unwrap(), r.to_export("AD").unwrap())
}

fn commit_one(store: &Store, state: &State, id: CsId) {
    let mut dirty = Dirty::default();
    dirty.cs("AD", id);
    store
        .commit(&mut state.clone(), &dirty, &JoinKeys::default())
        .unwrap();
}

#[test]
fn the_work_lists_follow_the_flags_through_commits() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut state = State::default();
    let mut o = sample_cs(CsId::new(0));
    o.pending_import = Some(PendingImport::Add);
    o.pending_export = None;
    o.unresolved = false;
    let id = state.space("AD").insert(o);
    let other = state.space("AD").insert(sample_cs(CsId::new(0)));
    commit_all(&store, &state);
    assert_eq!(lists(&store), (vec![id, other], vec![other]));

    let set = |state: &mut State, f: &dyn Fn(&mut CsObject)| {
        f(state.space("AD").objects.get_mut(&id).unwrap());
    };
    // Synced: off to_sync.
    set(&mut state, &|o| o.pending_import = None);
    commit_one(&store, &state, id);
    assert_eq!(lists(&store), (vec![other], vec![other]));
    // Another attribute changes, the flags do not: the lists stay.
    set(&mut state, &|o| {
        o.attributes.insert("title".into(), Value::from("changed"));
    });
    commit_one(&store, &state, id);
    assert_eq!(lists(&store), (vec![other], vec![other]));
    // A pending export, then an unresolved reference.
    set(&mut state, &|o| {
        o.pending_export = Some(PendingExport {
            op: ExportOp::Update,
            attributes: syncrules_lang::name::AttrMap::default(),
            old_dn: None,
        });
    });
    commit_one(&store, &state, id);
    assert_eq!(lists(&store), (vec![other], vec![id, other]));
    set(&mut state, &|o| o.unresolved = true);
    commit_one(&store, &state, id);
    assert_eq!(lists(&store), (vec![id, other], vec![id, other]));
    // Exported and resolved: off both.
    set(&mut state, &|o| {
        o.pending_export = None;
        o.unresolved = false;
    });
    commit_one(&store, &state, id);
    assert_eq!(lists(&store), (vec![other], vec![other]));
    // Deleted: off both.
    state.space("AD").remove(other);
    commit_one(&store, &state, other);
    assert_eq!(lists(&store), (vec![], vec![]));
}
