use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;
use syncrules_lang::name::Name;

use syncrules_lang::Value;

use super::*;
use crate::connector::ExportOp;
use crate::model::{
    ConnectorSpace, CsId, ExportError, MvId, MvObject, MvRef, PendingExport, PendingImport,
};
use crate::model::{CsObject, State};
use crate::store::{Dirty, JOIN_KEY_FORMAT, JoinKeys, StoreError};
use chrono::DateTime;

mod atomic;
mod dn_index;
mod layout;
mod many;
mod ordered;
mod packed;
mod work_lists;

/// A connector-space object with every field set.
/// Commits every object of `state`, with no join keys.
pub(super) fn commit_all(store: &Store, state: &State) {
    let dirty = Dirty::all(state);
    store
        .commit(&mut state.clone(), &dirty, &JoinKeys::default())
        .unwrap();
}

/// Records `format` as the state's layout, as a state of that layout holds it.
pub(super) fn set_format(txn: &WriteTransaction, format: &[u8]) {
    txn.open_table(META)
        .unwrap()
        .insert("format", format)
        .unwrap();
}

/// The names of the state's tables.
pub(super) fn table_names(store: &Store) -> Vec<String> {
    let txn = store.db.begin_read().unwrap();
    txn.list_tables()
        .unwrap()
        .map(|t| redb::TableHandle::name(&t).to_owned())
        .collect()
}

/// The layout the state records.
pub(super) fn stored_format(store: &Store) -> Vec<u8> {
    let txn = store.db.begin_read().unwrap();
    let meta = txn.open_table(META).unwrap();
    meta.get("format").unwrap().unwrap().value().to_vec()
}

pub(super) fn sample_cs(id: CsId) -> CsObject {
    let when = DateTime::from_timestamp(1_325_458_800, 123_000_000).unwrap_or_default();
    CsObject {
        id,
        dn: format!("CN=user{id},OU=People,DC=contoso,DC=com"),
        anchor: Some(format!("anchor-{id}")),
        object_type: "user".into(),
        attributes: syncrules_lang::name::attrs([
            ("cn".to_owned(), Value::from(format!("user{id}"))),
            ("objectGUID".to_owned(), Value::bin([0, 1, 254, 255])),
            (
                "manager".to_owned(),
                Value::reference("CN=boss,DC=contoso,DC=com"),
            ),
            (
                "proxyAddresses".to_owned(),
                Value::multi(vec![Value::from("SMTP:a@x"), Value::from("smtp:b@x")]),
            ),
            ("whenCreated".to_owned(), Value::DateTime(when)),
            ("uac".to_owned(), Value::Num(-512)),
            ("enabled".to_owned(), Value::Bool(true)),
        ]),
        unconfirmed: syncrules_lang::name::attrs([("title".to_owned(), Value::from("CEO"))]),
        pending_import: Some(PendingImport::Update),
        pending_export: Some(PendingExport {
            op: ExportOp::Rename,
            attributes: syncrules_lang::name::attrs([
                ("title".to_owned(), Value::from("CEO")),
                ("info".to_owned(), Value::Null),
            ]),
            old_dn: Some("CN=old,DC=contoso,DC=com".into()),
        }),
        export_error: Some(ExportError {
            class: "duplicate-attribute".into(),
            message: "the UPN is taken".into(),
        }),
        link: Some(MvId::new(9)),
        link_rule: Some("In from AD - User Join".into()),
        provisioned: true,
        unresolved: true,
    }
}

/// Two connector spaces with objects, one empty one, a linked metaverse, watermarks.
pub(super) fn sample_state() -> State {
    let mut state = State::default();
    let people = state.metaverse.create("person");
    let boss = state.metaverse.create("person");
    let group = state.metaverse.create("group");
    let ad = state.space("AD");
    ad.watermark = Some("usn:100".into());
    let a1 = ad.insert(CsObject {
        link: Some(people),
        ..sample_cs(CsId::new(1))
    });
    let a2 = ad.insert(CsObject {
        link: Some(boss),
        pending_export: None,
        export_error: None,
        ..sample_cs(CsId::new(2))
    });
    // Provisioned, not yet confirmed: no anchor, a pending add.
    ad.insert(CsObject {
        anchor: None,
        link: Some(group),
        pending_import: None,
        ..sample_cs(CsId::new(3))
    });
    let hr = state.space("HR");
    hr.watermark = Some("2024-01-01T00:00:00Z".into());
    let h1 = hr.insert(CsObject {
        link: Some(people),
        pending_import: Some(PendingImport::Add),
        ..sample_cs(CsId::new(11))
    });
    hr.insert(CsObject {
        link: None,
        ..sample_cs(CsId::new(12))
    });
    state.space("Graph").watermark = Some("deltaLink".into());
    if let Some(p) = state.metaverse.objects.get_mut(&people) {
        p.attributes
            .insert("manager".into(), MvRef(boss).to_value());
        p.attributes.insert("photo".into(), Value::bin([1, 2, 3]));
        p.links = BTreeMap::from([(Name::new("AD"), a1), (Name::new("HR"), h1)]);
        p.anchored_by = BTreeSet::from([Name::new("HR")]);
    }
    if let Some(b) = state.metaverse.objects.get_mut(&boss) {
        b.links = BTreeMap::from([(Name::new("AD"), a2)]);
    }
    if let Some(g) = state.metaverse.objects.get_mut(&group) {
        g.attributes.insert(
            "member".into(),
            Value::multi(vec![MvRef(people).to_value(), MvRef(boss).to_value()]),
        );
    }
    state.plan_fingerprint = Some("sha1:0123abcd".into());
    state
}

#[test]
fn a_state_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.load().unwrap(), State::default());
    let state = sample_state();
    store
        .commit(
            &mut state.clone(),
            &Dirty::all(&state),
            &JoinKeys::default(),
        )
        .unwrap();
    let back = store.load().unwrap();
    assert_eq!(back, state);
    assert_eq!(
        back.spaces.keys().collect::<Vec<_>>(),
        ["AD", "HR", "Graph"]
    );
    let ad = &back.spaces["AD"];
    assert_eq!(ad.by_anchor["anchor-1"], CsId::new(1));
    assert_eq!(
        ad.find_dn("cn=USER2,ou=people,dc=contoso,dc=com")
            .map(|o| o.id),
        Some(CsId::new(2))
    );
}

#[test]
fn reopening_loads_the_committed_state() {
    let dir = tempfile::tempdir().unwrap();
    let state = sample_state();
    {
        let store = Store::open(dir.path()).unwrap();
        store
            .commit(
                &mut state.clone(),
                &Dirty::all(&state),
                &JoinKeys::default(),
            )
            .unwrap();
    }
    assert!(dir.path().join(FILE_NAME).is_file());
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.load().unwrap(), state);
}

#[test]
fn a_commit_writes_only_what_is_dirty() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut state = sample_state();
    store
        .commit(
            &mut state.clone(),
            &Dirty::all(&state),
            &JoinKeys::default(),
        )
        .unwrap();
    let committed = state.clone();
    // Change two objects and the watermark, mark one object only.
    let ad = state.space("AD");
    ad.watermark = Some("usn:200".into());
    for id in [CsId::new(1), CsId::new(2)] {
        if let Some(o) = ad.objects.get_mut(&id) {
            o.attributes.insert("title".into(), Value::from("changed"));
        }
    }
    let mut dirty = Dirty::default();
    dirty.cs("AD", CsId::new(1));
    store
        .commit(&mut state.clone(), &dirty, &JoinKeys::default())
        .unwrap();
    let back = store.load().unwrap();
    assert_eq!(
        back.spaces["AD"].objects[&CsId::new(1)],
        state.spaces["AD"].objects[&CsId::new(1)]
    );
    assert_eq!(
        back.spaces["AD"].objects[&CsId::new(2)],
        committed.spaces["AD"].objects[&CsId::new(2)]
    );
    assert_eq!(back.spaces["AD"].watermark.as_deref(), Some("usn:100"));
    assert_eq!(back.metaverse, committed.metaverse);
    // Now the meta.
    store
        .commit(
            &mut state.clone(),
            &Dirty {
                meta: true,
                ..Dirty::default()
            },
            &JoinKeys::default(),
        )
        .unwrap();
    assert_eq!(
        store.load().unwrap().spaces["AD"].watermark.as_deref(),
        Some("usn:200")
    );
}

#[test]
fn deleted_objects_and_spaces_go() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut state = sample_state();
    store
        .commit(
            &mut state.clone(),
            &Dirty::all(&state),
            &JoinKeys::default(),
        )
        .unwrap();
    let mut dirty = Dirty::default();
    state.space("AD").remove(CsId::new(2));
    dirty.cs("AD", CsId::new(2));
    state.metaverse.objects.remove(&MvId::new(3));
    dirty.mv(MvId::new(3));
    // A space dropped with its objects unmarked: the meta commit removes them.
    state.spaces.shift_remove("HR");
    dirty.meta = true;
    store
        .commit(&mut state.clone(), &dirty, &JoinKeys::default())
        .unwrap();
    let back = store.load().unwrap();
    assert_eq!(back, state);
    assert!(!back.spaces.contains_key("HR"));
    assert!(
        back.spaces["AD"]
            .find_dn("CN=user2,OU=People,DC=contoso,DC=com")
            .is_none()
    );
    // Next ids survive deletes: a new object never reuses an id.
    assert_eq!(back.spaces["AD"].next_id, CsId::new(3));
    assert_eq!(back.metaverse.next_id, MvId::new(3));
}

#[test]
fn next_ids_cover_objects_committed_without_meta() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut state = State::default();
    let id = state.space("New").insert(sample_cs(CsId::new(1)));
    let mv = state.metaverse.create("person");
    let mut dirty = Dirty::default();
    dirty.cs("New", id);
    dirty.mv(mv);
    store
        .commit(&mut state.clone(), &dirty, &JoinKeys::default())
        .unwrap();
    let back = store.load().unwrap();
    assert_eq!(back.spaces["New"].next_id, id);
    assert_eq!(back.metaverse.next_id, mv);
}

#[test]
fn a_file_in_the_way_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state");
    fs::write(&file, "x").unwrap();
    let err = Store::open(&file).unwrap_err();
    assert!(matches!(err, StoreError::Io { .. }), "{err}");
}

#[test]
fn a_corrupt_entry_is_named_without_its_value() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let state = sample_state();
    store
        .commit(
            &mut state.clone(),
            &Dirty::all(&state),
            &JoinKeys::default(),
        )
        .unwrap();
    let txn = store.db.begin_write().unwrap();
    {
        let mut cs = txn.open_table(CS).unwrap();
        let mut bad = crate::store::record::encode_cs(&CsObject {
            dn: "CN=secret".into(),
            ..sample_cs(CsId::new(1))
        });
        let n = bad.len();
        if let Some(b) = bad.get_mut(n / 2) {
            *b ^= 0x10;
        }
        cs.insert(("AD", 1), bad.as_slice()).unwrap();
    }
    txn.commit().unwrap();
    let err = store.load().unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("the state is corrupt at cs/AD/1: "),
        "{text}"
    );
    assert!(
        text.contains("checksum") && !text.contains("secret"),
        "{text}"
    );
}

#[test]
fn an_unknown_layout_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let txn = store.db.begin_write().unwrap();
        set_format(&txn, b"99");
        txn.commit().unwrap();
    }
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { ref key, .. } if key == "meta/format"));
}

/// 10,000 connector-space objects linked to 10,000 metaverse objects: commit and load times
/// are printed (run with `--nocapture`), not asserted.
#[test]
fn ten_thousand_objects() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut state = State::default();
    let mut space = ConnectorSpace::default();
    for i in 0..10_000 {
        let mv = state.metaverse.create("person");
        let id = space.insert(CsObject {
            link: Some(mv),
            ..sample_cs(CsId::new(i))
        });
        if let Some(o) = state.metaverse.objects.get_mut(&mv) {
            o.attributes = syncrules_lang::name::attrs([
                ("displayName".to_owned(), Value::from(format!("User {i}"))),
                (
                    "mail".to_owned(),
                    Value::from(format!("user{i}@contoso.com")),
                ),
            ]);
            o.links.insert("AD".into(), id);
            o.anchored_by.insert("AD".into());
        }
    }
    state.spaces.insert("AD".into(), space);
    let dirty = Dirty::all(&state);

    let t = Instant::now();
    store
        .commit(&mut state.clone(), &dirty, &JoinKeys::default())
        .unwrap();
    let commit = t.elapsed();
    let t = Instant::now();
    let back = store.load().unwrap();
    let load = t.elapsed();
    assert_eq!(back, state);

    let mut step = Dirty::default();
    for id in (1..=10_000).step_by(100).map(CsId::new) {
        if let Some(o) = state.space("AD").objects.get_mut(&id) {
            o.unconfirmed.insert("title".into(), Value::from("x"));
        }
        step.cs("AD", id);
    }
    let t = Instant::now();
    store
        .commit(&mut state.clone(), &step, &JoinKeys::default())
        .unwrap();
    let delta = t.elapsed();
    let size = fs::metadata(store.path()).map(|m| m.len()).unwrap_or(0);
    let mv_object: Option<&MvObject> = state.metaverse.objects.get(&MvId::new(1));
    assert!(mv_object.is_some());
    eprintln!(
        "10,000 cs + 10,000 mv objects: commit {commit:?}, load {load:?}; \
         a 100-object step {delta:?}; file {size} bytes"
    );
}

#[test]
fn compacting_gives_freed_pages_back_and_keeps_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut state = State::default();
    // Full rewrites, as initial cycles do: each commit writes new pages and frees the old
    // (every object changes each time: an unchanged one is not written again).
    for round in 0..4 {
        let ad = state.space("AD");
        for id in 1..=2_000 {
            let attributes = syncrules_lang::name::attrs([(
                "description".to_owned(),
                Value::from(format!("{round}{}", "x".repeat(400))),
            )]);
            match ad.objects.get_mut(&CsId::new(id)) {
                Some(o) => o.attributes = attributes,
                None => {
                    ad.insert(CsObject {
                        attributes,
                        ..sample_cs(CsId::new(id))
                    });
                }
            }
        }
        store
            .commit(
                &mut state.clone(),
                &Dirty::all(&state),
                &JoinKeys::default(),
            )
            .unwrap();
    }
    let size = |p: &Path| fs::metadata(p).unwrap().len();
    let before = size(store.path());
    assert!(store.compact().unwrap());
    let after = size(store.path());
    assert!(
        after < before,
        "{after} bytes after compacting, {before} before"
    );
    assert_eq!(store.load().unwrap(), state);
    drop(store);
    assert_eq!(Store::open(dir.path()).unwrap().load().unwrap(), state);
}

#[test]
fn a_join_index_of_an_older_key_format_is_made_anew() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut state = State::default();
    let mv = state.metaverse.create("person");
    let sid = Value::bin([0x68, 0, 0, 0]);
    if let Some(o) = state.metaverse.objects.get_mut(&mv) {
        o.attributes = syncrules_lang::name::attrs([("objectSid".to_owned(), sid.clone())]);
    }
    let keys = |format| JoinKeys {
        mv: BTreeSet::from(["objectSid".to_owned()]),
        format,
        ..JoinKeys::default()
    };
    // As an older build left it: format 1 recorded, its key folded to lower case.
    store
        .commit(&mut state.clone(), &Dirty::all(&state), &keys(1))
        .unwrap();
    {
        let txn = store.db.begin_write().unwrap();
        {
            // Its rows: a multimap keyed by the folded text, and no hashed table rows.
            txn.delete_table(MV_JOIN).unwrap();
            txn.open_table(MV_JOIN).unwrap();
            let mut t = txn.open_multimap_table(OLD_MV_JOIN).unwrap();
            t.insert(
                ("objectSid", sid.to_string().to_lowercase().as_str()),
                mv.get(),
            )
            .unwrap();
        }
        let legacy = serde_json::json!({"mv": ["objectSid"], "cs": []}).to_string();
        txn.open_table(META)
            .unwrap()
            .insert("join_keys", legacy.as_bytes())
            .unwrap();
        txn.commit().unwrap();
    }
    let stored = store.reader().unwrap().join_keys().unwrap().unwrap();
    assert_eq!(stored.format, 1);
    assert!(
        store
            .reader()
            .unwrap()
            .mv_join("objectSid", &sid.to_string())
            .unwrap()
            .is_empty()
    );

    // The next commit, whatever else it changes, indexes everything with today's keys.
    store
        .commit(
            &mut state.clone(),
            &Dirty {
                meta: true,
                ..Dirty::default()
            },
            &keys(JOIN_KEY_FORMAT),
        )
        .unwrap();
    let reader = store.reader().unwrap();
    assert_eq!(reader.join_keys().unwrap().unwrap().format, JOIN_KEY_FORMAT);
    assert_eq!(reader.mv_join("objectSid", &sid.to_string()).unwrap(), [mv]);
    // The older build's multimap is gone.
    let txn = store.db.begin_read().unwrap();
    assert_eq!(txn.list_multimap_tables().unwrap().count(), 0);
    assert!(
        reader
            .mv_join("objectSid", &sid.to_string().to_lowercase())
            .unwrap()
            .is_empty()
    );
}
