//! Atomicity: a step that fails or is killed midway leaves the last commit; a state is
//! never shared by two runs.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use syncrules_lang::Value;

use super::super::*;
use super::sample_cs;
use super::sample_state;
use crate::model::{CsId, CsObject, MvId};
use crate::store::{Dirty, JoinKeys, StoreError};

/// Commits a state, then a step (objects changed and deleted, meta) whose encoding fails at
/// its third object (`HR` 1).
#[test]
fn a_failed_step_leaves_the_last_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let committed = sample_state();
    store
        .commit(
            &mut committed.clone(),
            &Dirty::all(&committed),
            &JoinKeys::default(),
        )
        .unwrap();

    let mut state = committed.clone();
    let mut dirty = Dirty::default();
    for (name, space) in state.spaces.iter_mut() {
        for o in space.objects.values_mut() {
            o.attributes.insert("title".into(), Value::from("step 2"));
            dirty.cs(name, o.id);
        }
    }
    state.space("AD").remove(CsId::new(3));
    state.metaverse.objects.remove(&MvId::new(1));
    dirty.mv(MvId::new(1));
    state.space("AD").watermark = Some("usn:999".into());
    dirty.meta = true;

    let failing = |connector: &str, o: &CsObject| {
        if connector == "HR" && o.id == CsId::new(1) {
            Err("injected failure".into())
        } else {
            Ok(crate::store::record::encode_cs(o))
        }
    };
    let err = store
        .commit_with(&mut state.clone(), &dirty, &JoinKeys::default(), &failing)
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("the state is corrupt at cs/HR/1: injected failure;"),
        "{err}"
    );
    assert_eq!(store.load().unwrap(), committed);

    // The store stays usable, and survives a reopen unchanged.
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.load().unwrap(), committed);
    store
        .commit(&mut state.clone(), &dirty, &JoinKeys::default())
        .unwrap();
    assert_eq!(store.load().unwrap(), state);
}

const CRASH_DIR: &str = "SYNCRULES_STORE_CRASH_DIR";

/// The child of [`a_killed_run_leaves_the_last_commit`]: commits a step and aborts the process
/// in the middle of it. Does nothing in an ordinary test run.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os(CRASH_DIR) else {
        return;
    };
    let store = Store::open(Path::new(&dir)).unwrap();
    let mut state = store.load().unwrap();
    let mut dirty = Dirty::default();
    for i in 0..2_000 {
        let id = state.space("AD").insert(sample_cs(CsId::new(1_000 + i)));
        dirty.cs("AD", id);
    }
    dirty.meta = true;
    let calls = AtomicUsize::new(0);
    let aborting = |_connector: &str, o: &CsObject| {
        if calls.fetch_add(1, Ordering::SeqCst) + 1 == 1_500 {
            std::process::abort();
        }
        Ok(crate::store::record::encode_cs(o))
    };
    let _never = store.commit_with(&mut state.clone(), &dirty, &JoinKeys::default(), &aborting);
}

/// A process killed in the middle of a commit (after writing a chunk of 1,024 objects of a
/// step in its transaction, while preparing the next) leaves the state of the last commit,
/// and the lock is released with it.
#[test]
fn a_killed_run_leaves_the_last_commit() {
    let dir = tempfile::tempdir().unwrap();
    let committed = sample_state();
    {
        let store = Store::open(dir.path()).unwrap();
        store
            .commit(
                &mut committed.clone(),
                &Dirty::all(&committed),
                &JoinKeys::default(),
            )
            .unwrap();
    }
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store::db::tests::atomic::crash_child",
            "--test-threads=1",
        ])
        .env(CRASH_DIR, dir.path())
        .output()
        .unwrap()
        .status;
    assert!(!status.success(), "the child should have aborted");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        // SIGABRT: the child reached the abort, not a panic (exit code 101) before it.
        assert_eq!(status.signal(), Some(6), "{status}");
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.load().unwrap(), committed);
}

#[test]
fn a_state_cannot_be_opened_twice() {
    let dir = tempfile::tempdir().unwrap();
    let first = Store::open(dir.path()).unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::Database { .. }));
    assert!(
        err.to_string()
            .ends_with("the state is in use by another run (its file is locked)"),
        "{err}"
    );
    drop(first);
    assert!(Store::open(dir.path()).is_ok());
}
