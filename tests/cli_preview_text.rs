//! `syncrules preview`'s text report: counts by connector, object type and operation that
//! agree with the JSON report, examples per kind of export, the object errors with their
//! rule, and the commands to try next.

mod common;

use common::{repo, sample_ldif, sample_with, syncrules, text};

#[test]
fn the_text_report_counts_shows_examples_errors_and_next_commands() {
    let dir = sample_with("preview-text", "report", &sample_ldif());
    // A rule set whose department flow fails for one department.
    let rules = dir.join("rules");
    std::process::Command::new("cp")
        .args([
            "-R",
            repo().join("rules").to_str().unwrap(),
            rules.to_str().unwrap(),
        ])
        .status()
        .unwrap()
        .success()
        .then_some(())
        .unwrap();
    let file = rules.join("contoso.com/inbound/user-common.yaml");
    let yaml = std::fs::read_to_string(&file).unwrap().replacen(
        "expression: Trim([department])",
        "expression: IIF([department] = \"Sales\", Error(\"no sales\"), Trim([department]))",
        1,
    );
    std::fs::write(&file, yaml).unwrap();
    let config = dir.join("sync.yaml");
    let yaml = std::fs::read_to_string(&config).unwrap();
    let yaml = yaml.replace(
        &format!("rules: {}", repo().join("rules").display()),
        &format!("rules: {}", rules.display()),
    );
    std::fs::write(&config, yaml).unwrap();
    let config = config.to_str().unwrap();

    let json = syncrules(&["preview", "--config", config, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let out = syncrules(&["preview", "--config", config]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);

    // The table's rows per connector add up to the JSON counts.
    for (connector, counts) in json["connectors"].as_object().unwrap() {
        let mut sums = [0u64; 4];
        for line in report
            .lines()
            .filter(|l| l.starts_with(&format!("{connector} ")))
        {
            let n: Vec<u64> = line
                .split_whitespace()
                .skip(2)
                .map(|x| x.parse().unwrap())
                .collect();
            assert_eq!(n.len(), 4, "{line}");
            for (s, x) in sums.iter_mut().zip(n) {
                *s += x;
            }
        }
        let want: Vec<u64> = ["add", "update", "delete", "rename"]
            .iter()
            .map(|k| counts[*k].as_u64().unwrap())
            .collect();
        assert_eq!(sums.to_vec(), want, "{connector}\n{report}");
    }
    assert!(
        report.contains("contoso.onmicrosoft.com      user "),
        "{report}"
    );
    assert!(
        report.contains("contoso.onmicrosoft.com      group "),
        "{report}"
    );
    assert!(
        report.contains("Examples: contoso.onmicrosoft.com add"),
        "{report}"
    );
    assert!(report.contains("userPrincipalName: \""), "{report}");
    // Updates show the current value and the new one.
    assert!(
        report.contains("mS-DS-ConsistencyGuid: (none) -> \""),
        "{report}"
    );
    let errors = json["errors"].as_array().unwrap();
    assert!(!errors.is_empty());
    assert!(
        report.contains(&format!("{} object errors:", errors.len())),
        "{report}"
    );
    assert!(
        report.contains("[rule: In from AD - User Common]: "),
        "{report}"
    );
    assert!(report.contains("no sales"), "{report}");
    for next in [
        "--object '",
        "--explain",
        "--format json",
        "syncrules impact --config",
    ] {
        assert!(report.contains(next), "{next}\n{report}");
    }
}
