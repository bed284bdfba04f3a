//! A damaged state file is refused with a clear message and left as it is; `syncrules
//! state check` finds damage a run has not read yet; `syncrules state reset` moves it aside
//! so an initial cycle rebuilds the state.

#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

use common::{Scratch, files as listing, run, sample_ldif, sample_with, syncrules};

/// A copy of the sample after one initial cycle.
fn synced(name: &str) -> Scratch {
    let dir = sample_with("badstate", name, &sample_ldif());
    let out = run(&dir, &["--cycle", "initial"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn state_cmd(dir: &Path, what: &str) -> Output {
    let config = dir.join("sync.yaml");
    syncrules(&["state", what, "--config", config.to_str().unwrap()])
}

fn state_file(dir: &Path) -> PathBuf {
    dir.join("state/state.redb")
}

/// Runs with the state file damaged by `damage`: exit 1, a message containing `says` and
/// the recovery, and the state file and the target folder exactly as they were.
fn refused(name: &str, damage: impl Fn(&Path), says: &str) {
    let dir = synced(name);
    damage(&state_file(&dir));
    let before = std::fs::read(state_file(&dir)).unwrap();
    let entra_before = listing(&dir.join("entra"));
    let out = run(&dir, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{name}: {err}");
    assert!(err.contains(says), "{name}: {err}");
    assert!(err.contains("syncrules state reset"), "{name}: {err}");
    assert_eq!(std::fs::read(state_file(&dir)).unwrap(), before, "{name}");
    assert_eq!(listing(&dir.join("entra")), entra_before, "{name}");
}

#[test]
fn an_empty_state_file_is_refused() {
    refused(
        "empty",
        |f| std::fs::write(f, b"").unwrap(),
        "empty (0 bytes)",
    );
}

#[test]
fn a_truncated_state_file_is_refused() {
    refused(
        "truncated",
        |f| {
            let n = std::fs::metadata(f).unwrap().len();
            let file = std::fs::OpenOptions::new().write(true).open(f).unwrap();
            file.set_len(n / 2).unwrap();
        },
        "damaged",
    );
}

#[test]
fn a_file_of_another_kind_is_refused() {
    refused(
        "garbage",
        |f| std::fs::write(f, b"SQLite format 3\0 and more").unwrap(),
        "not a syncrules state file",
    );
}

#[test]
fn flipped_bits_are_found_by_state_check_and_reset_recovers() {
    let dir = synced("flip");
    let file = state_file(&dir);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the state file is private");
    }
    let ok = state_cmd(&dir, "check");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    // Flip a bit inside a stored record: the display name of a user, in every copy the
    // file holds (a page a later commit replaced keeps its old bytes until reused, so the
    // first copy need not be the live one).
    let mut bytes = std::fs::read(&file).unwrap();
    let needle = b"Margaret Mitchell";
    let found: Vec<usize> = bytes
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(at, _)| at)
        .collect();
    assert!(!found.is_empty(), "the user's name is stored");
    for at in found {
        bytes[at + 3] ^= 0x01;
    }
    std::fs::write(&file, &bytes).unwrap();
    let bad = state_cmd(&dir, "check");
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(1), "{err}");
    assert!(err.contains("checksum") || err.contains("damaged"), "{err}");
    assert!(!err.contains("Margaret"), "no values in errors: {err}");
    let reset = state_cmd(&dir, "reset");
    assert!(
        reset.status.success(),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );
    assert!(!file.exists());
    let kept = std::fs::read_dir(dir.join("state"))
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("state.redb.damaged-")
        });
    assert!(kept, "the damaged file is kept beside");
    let again = run(&dir, &["--cycle", "initial"]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(state_cmd(&dir, "check").status.success());
}
