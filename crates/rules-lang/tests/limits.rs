//! Limits on a rule set's size: oversized input is refused while loading, with an error
//! located in the file that names the limit, the value and how to raise it; `limits:` in
//! `syncrules.yaml` raises or lowers them.

#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use syncrules_lang::rules::{
    Config, Limits, Plan, Report, emit_config, load_config, load_rule, load_rule_set,
};

const CONFIG: &str = "\
metaverse:
  object-types: [person]
connectors:
  contoso.com:
    kind: active-directory
    object-types: [user]
";

/// A rule with `flows` flows, padded with a description of `pad` bytes.
fn rule(name: &str, precedence: i64, flows: usize, pad: usize) -> String {
    let mut r = format!(
        "name: {name}\ndescription: {}\ndirection: inbound\nconnector: contoso.com\nsource: user\ntarget: person\nprecedence: {precedence}\n",
        "x".repeat(pad.max(1))
    );
    if flows > 0 {
        r.push_str("flows:\n");
    }
    for i in 0..flows {
        let _ = write!(r, "  - target: a{i}\n    expression: Trim([a{i}])\n");
    }
    r
}

/// A fresh folder holding `files`, removed on drop.
struct Folder(PathBuf);

impl Folder {
    fn new(tag: &str, files: &[(&str, &str)]) -> Folder {
        let dir =
            std::env::temp_dir().join(format!("syncrules-limits-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (path, text) in files {
            std::fs::write(dir.join(path), text).unwrap();
        }
        Folder(dir)
    }

    /// Loads and plans the folder: the number of rules loaded, `(file, code)` of every
    /// finding, and the rendered report.
    fn check(&self) -> (usize, Vec<(String, &'static str)>, String) {
        let mut report = Report::default();
        let set = load_rule_set(std::slice::from_ref(&self.0), &mut report);
        let _ = Plan::build(&set, &mut report);
        report.sort();
        let found = report
            .findings()
            .iter()
            .map(|f| {
                let name = f.file.strip_prefix(&self.0).unwrap_or(&f.file);
                (name.to_string_lossy().into_owned(), f.diagnostic.code)
            })
            .collect();
        let rendered = report.render().replace(&*self.0.to_string_lossy(), "DIR");
        (set.rules.len(), found, rendered)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn f(name: &str, code: &'static str) -> (String, &'static str) {
    (name.to_owned(), code)
}

#[test]
fn an_oversized_rule_file_is_refused_with_a_located_error() {
    let big = rule("Big", 20, 1, (Limits::FILE_BYTES as usize) + 10);
    let len = big.len();
    let small = rule("Small", 10, 1, 1);
    let folder = Folder::new(
        "bytes",
        &[
            ("syncrules.yaml", CONFIG),
            ("big.yaml", &big),
            ("small.yaml", &small),
        ],
    );
    let (rules, found, rendered) = folder.check();
    assert_eq!(found, [f("big.yaml", "E0322")]);
    assert_eq!(rules, 1, "the other rule still loads");
    let expected = format!(
        "DIR/big.yaml:1:1: error[E0322]: the file is {len} bytes, over the limit of 8388608 bytes per YAML file (`limits.file-bytes`)"
    );
    assert!(rendered.contains(&expected), "{rendered}");
    assert!(
        rendered.contains(&format!(
            "help: raise it in syncrules.yaml: `limits: {{ file-bytes: {len} }}`"
        )),
        "{rendered}"
    );

    // Raised in `syncrules.yaml`, the same file loads.
    let raised = format!("{CONFIG}limits:\n  file-bytes: 16777216\n");
    let folder = Folder::new(
        "bytes-raised",
        &[
            ("syncrules.yaml", &raised),
            ("big.yaml", &big),
            ("small.yaml", &small),
        ],
    );
    let (rules, found, rendered) = folder.check();
    assert_eq!(found, [], "{rendered}");
    assert_eq!(rules, 2);
}

/// The file of the measured problem: 50 MB, 740,000 flows. Refused by its length alone,
/// before YAML parsing; nothing here depends on how fast the machine is.
#[test]
fn a_huge_rule_file_is_refused_before_parsing() {
    let huge = rule("Huge", 10, 740_000, 1);
    assert!(huge.len() > 30 << 20, "{}", huge.len());
    let errors = load_rule(Path::new("huge.yaml"), &huge).unwrap_err();
    let codes: Vec<_> = errors.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["E0322"]);
    assert_eq!(errors[0].span.start, 0);
}

#[test]
fn flows_are_limited_per_file_and_per_rule_set() {
    // One file alone over the limit: refused on its YAML tree, at its `flows` key.
    let limited = format!("{CONFIG}limits:\n  flows: 10\n");
    let eleven = rule("Eleven", 10, 11, 1);
    let folder = Folder::new(
        "flows-file",
        &[("syncrules.yaml", &limited), ("eleven.yaml", &eleven)],
    );
    let (rules, found, rendered) = folder.check();
    assert_eq!(found, [f("eleven.yaml", "E0324")]);
    assert_eq!(rules, 0);
    assert!(
        rendered.contains("DIR/eleven.yaml:8:1: error[E0324]: 11 flows, over the limit of 10 flows per rule set (`limits.flows`)"),
        "{rendered}"
    );
    assert!(
        rendered.contains("raise it in syncrules.yaml: `limits: { flows: 11 }`"),
        "{rendered}"
    );

    // Two files together over the limit: the second is refused and loading stops.
    let (a, b, c) = (
        rule("A", 10, 6, 1),
        rule("B", 20, 6, 1),
        rule("C", 30, 1, 1),
    );
    let folder = Folder::new(
        "flows-set",
        &[
            ("syncrules.yaml", &limited),
            ("a.yaml", &a),
            ("b.yaml", &b),
            ("c.yaml", &c),
        ],
    );
    let (rules, found, rendered) = folder.check();
    assert_eq!(found, [f("b.yaml", "E0324")], "{rendered}");
    assert_eq!(rules, 1);
    assert!(
        rendered.contains("12 flows, over the limit of 10 flows per rule set (`limits.flows`) in the rule set so far; the rule files after this one were not loaded"),
        "{rendered}"
    );

    // The default limit admits them all.
    let folder = Folder::new(
        "flows-default",
        &[
            ("syncrules.yaml", CONFIG),
            ("a.yaml", &a),
            ("b.yaml", &b),
            ("c.yaml", &c),
        ],
    );
    let (rules, found, rendered) = folder.check();
    assert_eq!(found, [], "{rendered}");
    assert_eq!(rules, 3);
}

#[test]
fn rules_are_limited_per_rule_set() {
    let limited = format!("{CONFIG}limits:\n  rules: 2\n");
    let files: Vec<(String, String)> = (1..=4)
        .map(|i| (format!("r{i}.yaml"), rule(&format!("R{i}"), i * 10, 1, 1)))
        .collect();
    let mut all: Vec<(&str, &str)> = vec![("syncrules.yaml", &limited)];
    all.extend(files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    let folder = Folder::new("rules", &all);
    let (rules, found, rendered) = folder.check();
    assert_eq!(found, [f("r3.yaml", "E0323")], "{rendered}");
    assert_eq!(rules, 2);
    assert!(
        rendered.contains("DIR/r3.yaml:1:7: error[E0323]: more than 2 rules in the rule set, over the limit (`limits.rules`)"),
        "{rendered}"
    );
}

#[test]
fn limits_in_syncrules_yaml() {
    let config = load_config(&format!(
        "{CONFIG}limits:\n  file-bytes: 1048576\n  flows: 500\n"
    ))
    .unwrap();
    assert_eq!(
        config.limits,
        Limits {
            file_bytes: 1 << 20,
            rules: Limits::RULES,
            flows: 500
        }
    );
    // Written back only when they differ from the defaults, and read back the same.
    let text = emit_config(&config);
    assert!(
        text.contains("limits:\n  file-bytes: 1048576\n  flows: 500\n"),
        "{text}"
    );
    assert_eq!(load_config(&text).unwrap(), config);
    assert!(!emit_config(&Config::default()).contains("limits"));

    let errors = load_config("limits:\n  flows: 0\n  rule: 3\n  file-bytes: many\n").unwrap_err();
    let codes: Vec<_> = errors.iter().map(|d| (d.code, d.message.clone())).collect();
    assert_eq!(
        codes,
        [
            (
                "E0312",
                "`file-bytes` must be a whole number, found `many`".to_owned()
            ),
            (
                "E0312",
                "`limits.flows` must be 1 or more, found 0".to_owned()
            ),
            ("E0310", "unknown key `rule` in `limits`".to_owned()),
        ]
    );
}
