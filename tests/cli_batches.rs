//! A full sync over the state runs in batches (`batch-size`), each committed and dropped
//! from memory before the next. Its outcome must not depend on the batch size: a generated
//! directory (its groups and managers read before the users they name) run with batches
//! of 100 objects ends exactly as one run in a single batch,
//! through the initial cycle, the run confirming its exports, and a run after changes that
//! cross batches (a group's members, a user's manager, a rename, a delete), and a full
//! import that finds a user gone.

#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]
#![expect(
    clippy::panic,
    reason = "a generated directory without users fails the test"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Scratch, directories, repo, text};
use syncrules::lang::rules::{Plan, Report, load_rule_set};
use syncrules_connectors::file_target::FileTarget;
use syncrules_connectors::ldif::LdifSource;
use syncrules_engine::connector::Connector;
use syncrules_engine::model::State;
use syncrules_engine::run::{CancelToken, Cycle, CycleReport, Engine, Options};
use syncrules_engine::store::Store;

fn setup(root: &Path, name: &str, ldif: &Path, batch: usize) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(ldif, dir.join("ad.ldif")).unwrap();
    std::fs::write(
        dir.join("sync.yaml"),
        format!(
            "rules: {}\nstate: state\nconnectors:\n  contoso.com:\n    type: ldif\n    path: ad.ldif\n    delta: ad-delta.ldif\n  contoso.onmicrosoft.com:\n    type: file\n    path: entra\nbatch-size: {batch}\n",
            repo().join("rules").display()
        ),
    )
    .unwrap();
    dir
}

/// Runs `syncrules run` in `dir`; its report.
fn run(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_syncrules"))
        .arg("run")
        .arg("--config")
        .arg(dir.join("sync.yaml"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        dir.display(),
        text(&out.stderr)
    );
    text(&out.stdout).replace(&dir.display().to_string(), "DIR")
}

/// The reports' lines without their durations.
fn counts(report: &str) -> Vec<String> {
    report
        .lines()
        .map(|l| match l.rfind(char::is_whitespace) {
            Some(i) if l.ends_with('s') => l[..i].trim_end().to_owned(),
            _ => l.to_owned(),
        })
        .collect()
}

/// Changes to the generated directory, appended to the delta file: the first group loses
/// its first member and gains the last user, the first user gets the last user as manager,
/// the second user is renamed and the third deleted.
fn changes(ldif: &str) -> String {
    let ldif = ldif.replace("\n ", "");
    let dns: Vec<&str> = ldif
        .split("\n\n")
        .filter(|r| r.contains("objectClass: user"))
        .filter_map(|r| r.lines().find_map(|l| l.strip_prefix("dn: ")))
        .collect();
    let group = ldif
        .split("\n\n")
        .find(|r| r.contains("objectClass: group") && r.contains("\nmember: "))
        .unwrap();
    let group_dn = group.lines().find_map(|l| l.strip_prefix("dn: ")).unwrap();
    let member = group
        .lines()
        .find_map(|l| l.strip_prefix("member: "))
        .unwrap();
    let last = dns.last().unwrap();
    let [first, second, third, ..] = dns[..] else {
        panic!("a generated directory of three users or more")
    };
    let (rdn, _) = second.split_once(',').unwrap();
    format!(
        "\ndn: {group_dn}\nchangetype: modify\ndelete: member\nmember: {member}\n-\nadd: member\nmember: {last}\n-\n\n\
         dn: {first}\nchangetype: modify\nreplace: manager\nmanager: {last}\n-\n\n\
         dn: {second}\nchangetype: modrdn\nnewrdn: {rdn}x\ndeleteoldrdn: 1\n\n\
         dn: {third}\nchangetype: delete\n"
    )
}

/// A generated directory in `root/ad.ldif` whose references point forward, to objects a
/// later batch reads first: the groups before the users, and the users in reverse order
/// (managers after their reports). Returns its path and text.
fn generate(root: &Path) -> (PathBuf, String) {
    let ldif = root.join("ad.ldif");
    let generated = Command::new(env!("CARGO_BIN_EXE_syncrules"))
        .args([
            "gen", "--users", "600", "--groups", "30", "--seed", "3", "--out",
        ])
        .arg(&ldif)
        .output()
        .unwrap();
    assert!(generated.status.success());
    let generated = std::fs::read_to_string(&ldif).unwrap();
    let records: Vec<&str> = generated.trim_end().split("\n\n").collect();
    let is = |r: &&str, class: &str| r.contains(&format!("\nobjectClass: {class}\n"));
    let mut base: Vec<&str> = records
        .iter()
        .filter(|r| !is(r, "group") && !is(r, "user"))
        .copied()
        .collect();
    base.extend(records.iter().filter(|r| is(r, "group")));
    base.extend(records.iter().rev().filter(|r| is(r, "user")));
    let base = base.join("\n\n") + "\n";
    std::fs::write(&ldif, &base).unwrap();

    (ldif, base)
}

#[test]
fn batches_end_as_one_batch_does() {
    let root = Scratch::new("batches");
    let (ldif, base) = generate(&root);
    let one = setup(&root, "one", &ldif, 1_000_000);
    let many = setup(&root, "many", &ldif, 50);
    for args in [&["--cycle", "initial"][..], &[]] {
        let (a, b) = (run(&one, args), run(&many, args));
        assert_eq!(counts(&a), counts(&b), "the reports differ");
        assert_eq!(directories(&one), directories(&many));
    }
    let (target, _) = directories(&one);
    assert!(target.len() > 600, "the target holds users and groups");
    assert!(
        target.iter().any(|o| o.contains("manager=")),
        "managers flow: references between users cross batches"
    );

    // The same changes to both; the rules' fingerprint is kept, so this is a delta sync,
    // and then a full sync of the changed state (`--cycle initial`).
    for dir in [&one, &many] {
        let mut delta = std::fs::read_to_string(dir.join("ad-delta.ldif")).unwrap_or_default();
        delta.push_str(&changes(&base));
        std::fs::write(dir.join("ad-delta.ldif"), delta).unwrap();
    }
    let compare = |args: &[&str]| {
        let (a, b) = (run(&one, args), run(&many, args));
        assert_eq!(counts(&a), counts(&b), "the reports differ");
        assert_eq!(directories(&one), directories(&many));
        a
    };
    let report = compare(&[]);
    assert!(!report.contains("completed-with-errors"), "{report}");
    // A user gone from the base file, not through the delta: only a full import's sweep
    // of the objects no entry named finds it.
    let gone = base
        .split("\n\n")
        .filter(|r| r.contains("\nobjectClass: user\n"))
        .nth(10)
        .unwrap();
    for dir in [&one, &many] {
        std::fs::write(
            dir.join("ad.ldif"),
            base.replace(&format!("{gone}\n\n"), ""),
        )
        .unwrap();
    }
    // (Its write-back in the delta file now names an object that does not exist: that
    // record's error, in both.)
    let report = compare(&["--cycle", "initial"]);
    let import = report.lines().next().unwrap();
    assert!(import.contains("deletes     1"), "{import}");
    compare(&[]);
}

/// A step's counts, for comparing runs.
fn summary(report: &CycleReport) -> Vec<String> {
    report
        .steps
        .iter()
        .map(|s| {
            let r = &s.report;
            format!(
                "{} {} {:?} {} {} {} {} {} {}",
                r.step,
                r.connector,
                r.status,
                r.objects,
                r.adds,
                r.updates,
                r.deletes,
                r.renames,
                r.errors.len()
            )
        })
        .collect()
}

fn connectors(dir: &Path) -> Vec<Box<dyn Connector>> {
    vec![
        Box::new(
            LdifSource::new("contoso.com", dir.join("ad.ldif"))
                .with_delta(dir.join("ad-delta.ldif")),
        ),
        Box::new(FileTarget::new(
            "contoso.onmicrosoft.com",
            dir.join("entra"),
        )),
    ]
}

/// The batched steps over a store against the one pass over a state in memory (the
/// engine without a store, as an embedder may run it): the same directories and counts
/// after the initial cycle, the confirming run, a run after changes, and an initial cycle
/// that finds 70 users gone, which the deletion threshold stops with the same notes.
#[test]
fn batches_end_as_one_pass_in_memory_does() {
    let root = Scratch::new("one-pass");
    let (ldif, base) = generate(&root);
    let (memory, stored) = (root.join("memory"), root.join("stored"));
    for dir in [&memory, &stored] {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::copy(&ldif, dir.join("ad.ldif")).unwrap();
    }
    let mut report = Report::default();
    let set = load_rule_set(&[repo().join("rules")], &mut report);
    let plan = Plan::build(&set, &mut report).unwrap();
    let options = Options {
        now: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        sync_batch: 40,
        ..Options::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    // 70 users gone: over the deletion threshold's 10 %, counted over two export batches.
    let users: Vec<&str> = base
        .split("\n\n")
        .filter(|r| r.contains("\nobjectClass: user\n"))
        .skip(20)
        .take(70)
        .collect();
    let mut fewer = base.clone();
    for u in &users {
        fewer = fewer.replace(&format!("{u}\n\n"), "");
    }
    let mut state = State::default();
    let cycles = [Cycle::Initial, Cycle::Delta, Cycle::Delta, Cycle::Initial];
    for (i, cycle) in cycles.into_iter().enumerate() {
        if i == 2 {
            for dir in [&memory, &stored] {
                let mut delta = std::fs::read_to_string(dir.join("ad-delta.ldif")).unwrap();
                delta.push_str(&changes(&base));
                std::fs::write(dir.join("ad-delta.ldif"), delta).unwrap();
            }
        }
        if i == 3 {
            for dir in [&memory, &stored] {
                std::fs::write(dir.join("ad.ldif"), &fewer).unwrap();
            }
        }
        let cancel = CancelToken::new();
        let mut one = Engine::new(plan.clone(), connectors(&memory), state, options.clone());
        let a = rt.block_on(one.run_cycle(cycle, None, &cancel)).unwrap();
        state = std::mem::take(&mut one.state);
        drop(one);
        let store = Store::open(&stored.join("state")).unwrap();
        let mut batched =
            Engine::with_store(plan.clone(), connectors(&stored), store, options.clone()).unwrap();
        let b = rt
            .block_on(batched.run_cycle(cycle, None, &cancel))
            .unwrap();
        drop(batched);
        assert_eq!(summary(&a), summary(&b), "cycle {i}: the reports differ");
        if i == 3 {
            let export = &a
                .steps
                .iter()
                .find(|s| s.report.step == "export")
                .unwrap()
                .report;
            assert_eq!(export.deletes, 70, "{export:?}");
            assert!(a.stopped(), "{:?}", summary(&a));
            assert_eq!(
                a.steps.iter().map(|s| &s.report.notes).collect::<Vec<_>>(),
                b.steps.iter().map(|s| &s.report.notes).collect::<Vec<_>>()
            );
        } else {
            assert!(a.errors().next().is_none(), "{:?}", a.errors().next());
        }
        assert_eq!(directories(&memory), directories(&stored), "cycle {i}");
    }
}
