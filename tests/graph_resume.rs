//! A run killed in the middle of its export to Graph resumes without duplicates: the
//! engine's export journal hands the changes in doubt to the connector again; objects the
//! killed run created are found (by the next import, or by a create that meets its own
//! object and looks it up) and updated, never created twice.

mod graph_common;

use std::time::{Duration, Instant};

use graph_common::{Setup, double, picture, writes};

#[test]
fn a_killed_export_resumes_without_duplicates() {
    let calm = double(None);
    let calm_setup = Setup::new(&calm, 1000);
    let (out, text) = calm_setup.run("initial");
    assert!(out.status.success(), "{text}");
    let (out, text) = calm_setup.run("delta");
    assert!(out.status.success(), "{text}");

    // Slow enough (60 writes a second) to be killed part way.
    let killed = double(None);
    let setup = Setup::new(&killed, 60);
    let mut child = setup
        .command(&["run", "--cycle", "initial"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let created = || {
        killed
            .log()
            .iter()
            .filter(|e| e.method == "POST" && e.path.ends_with("/users") && e.status == 201)
            .count()
    };
    let started = Instant::now();
    while created() < 100 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap_or_else(|e| panic!("{e}"));
    let _ = child.wait();
    let before = created();
    assert!(
        before >= 100 && before < killed.users().len() + 1,
        "killed after {before} creates"
    );
    assert!(
        killed.users().len() < calm.users().len(),
        "the run finished before the kill"
    );

    killed.clear_log();
    let (out, text) = setup.run("delta");
    assert!(out.status.success(), "{text}");
    let (out, text) = setup.run("delta");
    assert!(out.status.success(), "{text}");
    // Every user was created once: the creates before the kill and after it add up to the
    // users there are (the resumed run found the created ones, by import or by a create
    // that met its own object, and updated them instead).
    let after = created();
    assert_eq!(
        before + after,
        killed.users().len(),
        "{:?}",
        writes(&killed.log()).len()
    );
    assert!(!text.contains("duplicate-attribute"), "{text}");
    assert_eq!(picture(&killed), picture(&calm));
}
