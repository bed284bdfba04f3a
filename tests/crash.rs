//! A run killed (SIGKILL) at any point and started again ends with exactly the directories an
//! uninterrupted run leaves: nothing lost, nothing applied twice. The real binary is killed
//! at evenly spread points of an initial cycle over a generated directory, then run again;
//! both directories are then read back and compared with those of a run never killed.
//! Full syncs run in batches of 200 objects, so kills fall between batches' commits too.

#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{Scratch, directories};

const USERS: &str = "1500";
const GROUPS: &str = "75";
/// Kill points, evenly spread over the uninterrupted run's duration.
const KILLS: u32 = 8;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_syncrules")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A folder with the generated directory and its sync.yaml.
fn setup(root: &Path, name: &str, ldif: &Path) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(ldif, dir.join("ad.ldif")).unwrap();
    std::fs::write(
        dir.join("sync.yaml"),
        format!(
            "rules: {}\nstate: state\nconnectors:\n  contoso.com:\n    type: ldif\n    path: ad.ldif\n    delta: ad-delta.ldif\n  contoso.onmicrosoft.com:\n    type: file\n    path: entra\nbatch-size: 200\n",
            repo().join("rules").display()
        ),
    )
    .unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.arg("run")
        .arg("--config")
        .arg(dir.join("sync.yaml"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

fn run_ok(dir: &Path, args: &[&str]) {
    let out = run(dir, args).output().unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_run_killed_anywhere_and_run_again_ends_as_an_uninterrupted_run() {
    let root = Scratch::new("crash");
    let ldif = root.join("ad.ldif");
    let generated = Command::new(bin())
        .args([
            "gen", "--users", USERS, "--groups", GROUPS, "--seed", "5", "--out",
        ])
        .arg(&ldif)
        .output()
        .unwrap();
    assert!(generated.status.success());

    let clean = setup(&root, "clean", &ldif);
    let started = Instant::now();
    run_ok(&clean, &["--cycle", "initial"]);
    let took = started.elapsed();
    run_ok(&clean, &[]);
    let expected = directories(&clean);
    assert!(expected.0.len() > 1000, "the target holds the users");

    for k in 1..=KILLS {
        let dir = setup(&root, &format!("kill-{k}"), &ldif);
        let mut child = run(&dir, &["--cycle", "initial"]).spawn().unwrap();
        std::thread::sleep(took.mul_f64(f64::from(k) / f64::from(KILLS + 1)));
        // SIGKILL: no handler runs, nothing is flushed.
        let _ = child.kill();
        let _ = child.wait();
        run_ok(&dir, &["--cycle", "initial"]);
        run_ok(&dir, &[]);
        let got = directories(&dir);
        assert!(
            got.0 == expected.0,
            "kill {k} at {:?}: the target differs from an uninterrupted run's",
            took.mul_f64(f64::from(k) / f64::from(KILLS + 1))
        );
        assert!(
            got.1 == expected.1,
            "kill {k}: the source's write-backs differ from an uninterrupted run's"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(took > Duration::ZERO);
}
