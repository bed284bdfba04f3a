//! Index rows written after the records, in key order: within one commit, an anchor, a DN
//! or a join value passing from one object to another names its new holder, whichever of
//! the two objects comes first; an index made anew holds every object's rows.

use super::*;
use crate::sync::join_keys;

fn keys() -> JoinKeys {
    JoinKeys {
        mv: BTreeSet::from(["employeeID".to_owned()]),
        cs: BTreeSet::from([("AD".to_owned(), "employeeID".to_owned())]),
        format: JOIN_KEY_FORMAT,
    }
}

/// Object `n` of `AD` (and metaverse object `n`) with this anchor, DN and employee id.
fn put(state: &mut State, n: u64, anchor: &str, cn: &str, employee: &str) {
    let id = CsId::new(n);
    let attributes = syncrules_lang::name::attrs([("employeeID", Value::from(employee))]);
    state.space("AD").objects.insert(
        id,
        CsObject {
            id,
            dn: format!("CN={cn},DC=x"),
            anchor: Some(anchor.to_owned()),
            object_type: "user".into(),
            attributes: attributes.clone(),
            ..CsObject::default()
        },
    );
    state.metaverse.objects.insert(
        MvId::new(n),
        MvObject {
            id: MvId::new(n),
            object_type: "person".into(),
            attributes,
            links: BTreeMap::new(),
            anchored_by: BTreeSet::new(),
        },
    );
}

fn key(employee: &str) -> String {
    join_keys(&Value::from(employee)).pop().unwrap()
}

#[test]
fn values_passed_between_objects_in_one_commit_name_their_new_holder() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut state = State::default();
    put(&mut state, 1, "a1", "one", "e1");
    put(&mut state, 2, "a2", "two", "e2");
    put(&mut state, 3, "a3", "three", "e3");
    store
        .commit(&mut state.clone(), &Dirty::all(&state), &keys())
        .unwrap();

    // One commit: 2 takes 1's anchor and employee id (the earlier object gives, the later
    // takes); 1 takes 3's (the later object gives); 3 is deleted and 1 takes its DN.
    put(&mut state, 1, "a3", "three", "e3");
    put(&mut state, 2, "a1", "two", "e1");
    state.space("AD").objects.remove(&CsId::new(3));
    state.metaverse.objects.remove(&MvId::new(3));
    let mut dirty = Dirty::default();
    for n in 1..=3 {
        dirty.cs("AD", CsId::new(n));
        dirty.mv(MvId::new(n));
    }
    store.commit(&mut state.clone(), &dirty, &keys()).unwrap();

    let r = store.reader().unwrap();
    let (one, two) = (CsId::new(1), CsId::new(2));
    assert_eq!(r.cs_by_anchor("AD", "a1").unwrap(), Some(two));
    assert_eq!(r.cs_by_anchor("AD", "a3").unwrap(), Some(one));
    assert_eq!(r.cs_by_anchor("AD", "a2").unwrap(), None);
    assert_eq!(r.cs_by_dn("AD", "cn=three,dc=x").unwrap(), Some(one));
    assert_eq!(r.cs_by_dn("AD", "CN=two,DC=x").unwrap(), Some(two));
    assert_eq!(r.cs_join("AD", "employeeID", &key("e1")).unwrap(), [two]);
    assert_eq!(r.cs_join("AD", "employeeID", &key("e3")).unwrap(), [one]);
    assert!(
        r.cs_join("AD", "employeeID", &key("e2"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(r.mv_join("employeeID", &key("e1")).unwrap(), [MvId::new(2)]);
    assert_eq!(r.mv_join("employeeID", &key("e3")).unwrap(), [MvId::new(1)]);
    assert!(r.mv_join("employeeID", &key("e2")).unwrap().is_empty());
}

#[test]
fn an_index_made_anew_holds_every_objects_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut state = State::default();
    for n in 1..=3 {
        put(
            &mut state,
            n,
            &format!("a{n}"),
            &format!("u{n}"),
            &format!("e{n}"),
        );
    }
    // Committed while the rules searched nothing; then they search employeeID.
    let none = JoinKeys {
        format: JOIN_KEY_FORMAT,
        ..JoinKeys::default()
    };
    store
        .commit(&mut state.clone(), &Dirty::all(&state), &none)
        .unwrap();
    assert!(
        store
            .reader()
            .unwrap()
            .cs_join("AD", "employeeID", &key("e2"))
            .unwrap()
            .is_empty()
    );
    let meta = Dirty {
        meta: true,
        ..Dirty::default()
    };
    store.commit(&mut state.clone(), &meta, &keys()).unwrap();
    let r = store.reader().unwrap();
    for n in 1..=3 {
        let e = key(&format!("e{n}"));
        assert_eq!(r.cs_join("AD", "employeeID", &e).unwrap(), [CsId::new(n)]);
        assert_eq!(r.mv_join("employeeID", &e).unwrap(), [MvId::new(n)]);
    }
}

/// Join index keys are XXH3-128 hashes of their parts, each preceded by its length: two
/// lists of parts that read alike when joined hash apart, and the hash is XXH3's (the
/// specification's test vector for no input), the same in every build that reads a state.
#[test]
fn key_hashes_are_xxh3_of_their_framed_parts() {
    use super::super::rows::key_hash;
    assert_eq!(key_hash(&[]), 0x99aa_06d3_0147_98d8_6001_c324_468d_497f);
    assert_ne!(key_hash(&["ab", "c"]), key_hash(&["a", "bc"]));
    assert_ne!(key_hash(&["a", "b", "c"]), key_hash(&["a", "bc"]));
    assert_ne!(key_hash(&["mail", "x"]), key_hash(&["mail", "X"]));
    assert_eq!(key_hash(&["mail", "x"]), key_hash(&["mail", "x"]));
}
