//! The rules-repository template (templates/rules-repo): its CI steps, run locally by its
//! test script on a temporary git repository with two commits.

use std::process::Command;

#[test]
fn rules_repository_template_ci_steps() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("sh")
        .arg(format!("{root}/templates/rules-repo/test.sh"))
        .arg(env!("CARGO_BIN_EXE_syncrules"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("template test: ok"), "{stdout}");
}
