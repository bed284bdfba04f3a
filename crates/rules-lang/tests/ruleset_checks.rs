//! Checking rule sets: plan errors and lints, each located in its file.

#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::{Path, PathBuf};

use syncrules_lang::rules::lint::lint;
use syncrules_lang::rules::{Plan, Report, load_rule_set};

const CONFIG: &str = "\
metaverse:
  object-types: [person, group]
connectors:
  contoso.com:
    kind: active-directory
    object-types: [user, group, contact]
    parameters:
      Domain.FQDN: contoso.com
";

/// Writes files into a fresh folder and checks it; returns `(file, line, code)` of every
/// finding, and the rendered report.
fn check(files: &[(&str, &str)]) -> (Vec<(String, usize, &'static str)>, String) {
    let dir = std::env::temp_dir().join(format!(
        "syncrules-ruleset-{}-{}",
        std::process::id(),
        files.iter().map(|(p, t)| p.len() + t.len()).sum::<usize>()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let mut report = Report::default();
    let set = load_rule_set(std::slice::from_ref(&dir), &mut report);
    if let Some(plan) = Plan::build(&set, &mut report) {
        lint(&set, &plan, &mut report);
    }
    report.sort();
    let found = report
        .findings()
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f.file).unwrap_or_default();
            let (line, _) = syncrules_lang::diag::line_col(&text, f.diagnostic.span.start as usize);
            let name = f
                .file
                .strip_prefix(&dir)
                .unwrap_or(&f.file)
                .to_string_lossy()
                .into_owned();
            (name, line, f.diagnostic.code)
        })
        .collect();
    let rendered = report.render().replace(&*dir.to_string_lossy(), "DIR");
    let _ = std::fs::remove_dir_all(&dir);
    (found, rendered)
}

fn rule(name: &str, precedence: i64, extra: &str) -> String {
    format!(
        "name: {name}\ndirection: inbound\nconnector: contoso.com\nsource: user\ntarget: person\nprecedence: {precedence}\n{extra}"
    )
}

fn f(name: &str, line: usize, code: &'static str) -> (String, usize, &'static str) {
    (name.to_owned(), line, code)
}

#[test]
fn a_clean_set_has_no_findings() {
    let r = rule(
        "A",
        10,
        "link: provision\njoin:\n  - - source: objectGUID\n      target: sourceAnchorBinary\nflows:\n  - target: displayName\n    expression: Trim([displayName])\n",
    );
    assert_eq!(check(&[("syncrules.yaml", CONFIG), ("a.yaml", &r)]).0, []);
}

#[test]
fn plan_errors_are_located() {
    let a = rule(
        "A",
        10,
        "flows:\n  - target: x\n    expression: |\n      IIF(IsPresent([a]),\n          Lef([a], 2), NULL)\n",
    );
    let g = rule(
        "G",
        60,
        "flows:\n  - target: p\n    expression: Trim([p])\n    merge: merge\n",
    );
    let b = rule("B", 10, "flows:\n  - target: p\n    source: p\n");
    let c = "name: C\ndirection: outbound\nconnector: contoso\nsource: person\ntarget: user\nprecedence: 30\n";
    let d = rule("D", 40, "").replace("source: user", "source: usr");
    let e = rule(
        "E",
        50,
        "scope:\n  - - attribute: userAccountControl\n      operator: is-bit-set\n      value: two\n",
    );
    let (found, rendered) = check(&[
        ("syncrules.yaml", CONFIG),
        ("a.yaml", &a),
        ("b.yaml", &b),
        ("c.yaml", c),
        ("d.yaml", &d),
        ("e.yaml", &e),
        ("g.yaml", &g),
    ]);
    assert_eq!(
        found,
        [
            f("a.yaml", 11, "E0101"),
            f("b.yaml", 6, "E0403"),
            f("c.yaml", 3, "E0401"),
            f("d.yaml", 4, "E0402"),
            f("e.yaml", 8, "E0408"),
            f("g.yaml", 10, "E0407"),
        ]
    );
    assert!(
        rendered.contains("DIR/a.yaml:11:11: error[E0101]: unknown function `Lef`\n   |\n11 |           Lef([a], 2), NULL)\n   |           ^^^\n   = help: did you mean `Left`?\n"),
        "{rendered}"
    );
    assert!(
        rendered.contains("`p` is merged with `merge` here but with `update` by `B`"),
        "{rendered}"
    );
    assert!(
        rendered.contains("precedence 10 is already taken by `A`"),
        "{rendered}"
    );
    assert!(
        rendered.contains("unknown connector `contoso`\n"),
        "{rendered}"
    );
    assert!(
        rendered.contains("= help: did you mean `contoso.com`?"),
        "{rendered}"
    );
    assert!(
        rendered.contains("`usr` is not an object type of connector `contoso.com`"),
        "{rendered}"
    );
}

#[test]
fn lint_edited_default() {
    let mut r = syncrules_lang::rules::load_rule(
        Path::new("v.yaml"),
        &rule(
            "V",
            100,
            "flows:\n  - target: a\n    expression: Trim([a])\n",
        ),
    )
    .unwrap();
    r.vendor = Some(syncrules_lang::rules::Vendor {
        immutable_tag: "Microsoft.V.001".into(),
        fingerprint: None,
    });
    let fp = syncrules_lang::rules::fingerprint(&r);
    r.origin = None;
    r.vendor = Some(syncrules_lang::rules::Vendor {
        immutable_tag: "Microsoft.V.001".into(),
        fingerprint: Some(fp),
    });
    let pristine = syncrules_lang::rules::emit_rule(&r);
    assert_eq!(
        check(&[("syncrules.yaml", CONFIG), ("v.yaml", &pristine)]).0,
        []
    );
    // Disabling or documenting a default is not an edit; changing a flow is.
    let disabled = pristine.replace("enabled: true", "enabled: false");
    assert_eq!(
        check(&[("syncrules.yaml", CONFIG), ("v.yaml", &disabled)]).0,
        []
    );
    let edited = pristine.replace("Trim([a])", "LCase([a])");
    let (found, rendered) = check(&[("syncrules.yaml", CONFIG), ("v.yaml", &edited)]);
    assert_eq!(found, [f("v.yaml", 10, "W0101")]);
    assert!(
        rendered.contains("disable it (`enabled: false`) and clone it at a new precedence"),
        "{rendered}"
    );
}

#[test]
fn lint_custom_rule_in_default_band() {
    let config = format!("{CONFIG}default-band: [100, 199]\n");
    let (found, rendered) = check(&[
        ("syncrules.yaml", &config),
        ("a.yaml", &rule("Mine", 150, "")),
    ]);
    assert_eq!(found, [f("a.yaml", 6, "W0102")]);
    assert!(
        rendered.contains("give it a precedence below 100"),
        "{rendered}"
    );
    assert_eq!(
        check(&[
            ("syncrules.yaml", &config),
            ("a.yaml", &rule("Mine", 90, ""))
        ])
        .0,
        []
    );
}

#[test]
fn lint_overlapping_joins() {
    let join = |attr: &str| format!("join:\n  - - source: {attr}\n      target: {attr}\n");
    let scoped = |v: &str, attr: &str| {
        format!(
            "scope:\n  - - attribute: employeeType\n      operator: equal\n      value: {v}\n{}",
            join(attr)
        )
    };
    // Different criteria, scopes that can overlap: a finding on the later rule.
    let (found, _) = check(&[
        ("syncrules.yaml", CONFIG),
        ("a.yaml", &rule("A", 10, &join("objectGUID"))),
        ("b.yaml", &rule("B", 20, &scoped("Staff", "mail"))),
    ]);
    assert_eq!(found, [f("b.yaml", 12, "W0103")]);
    // Exclusive scopes, or the same criteria: none.
    assert_eq!(
        check(&[
            ("syncrules.yaml", CONFIG),
            (
                "a.yaml",
                &rule("A", 10, &scoped("Contractor", "objectGUID"))
            ),
            ("b.yaml", &rule("B", 20, &scoped("Staff", "mail"))),
        ])
        .0,
        []
    );
    assert_eq!(
        check(&[
            ("syncrules.yaml", CONFIG),
            ("a.yaml", &rule("A", 10, &join("mail"))),
            ("b.yaml", &rule("B", 20, &scoped("Staff", "mail"))),
        ])
        .0,
        []
    );
}

#[test]
fn lint_flow_that_never_wins() {
    let a = rule(
        "A",
        10,
        "flows:\n  - target: department\n    constant: Sales\n",
    );
    let b = rule(
        "B",
        20,
        "flows:\n  - target: department\n    expression: Trim([department])\n",
    );
    let (found, rendered) = check(&[("syncrules.yaml", CONFIG), ("a.yaml", &a), ("b.yaml", &b)]);
    assert_eq!(found, [f("b.yaml", 8, "W0104")]);
    assert!(
        rendered.contains(
            "the flow to `department` can never win: `A` (precedence 10) always sets it first"
        ),
        "{rendered}"
    );
    // A higher rule that may yield nothing does not hide the lower one.
    let a = rule(
        "A",
        10,
        "flows:\n  - target: department\n    expression: IIF([x] = 1, \"Sales\", NULL)\n",
    );
    assert_eq!(
        check(&[("syncrules.yaml", CONFIG), ("a.yaml", &a), ("b.yaml", &b)]).0,
        []
    );
}

#[test]
fn lint_read_nothing_imports() {
    let inbound = rule(
        "In",
        10,
        "flows:\n  - target: title\n    expression: Trim([title])\n",
    );
    let outbound = "name: Out\ndirection: outbound\nconnector: contoso.com\nsource: person\ntarget: user\nprecedence: 20\nflows:\n  - target: title\n    expression: Trim([title]) & [department]\n";
    let (found, rendered) = check(&[
        ("syncrules.yaml", CONFIG),
        ("in.yaml", &inbound),
        ("out.yaml", outbound),
    ]);
    assert_eq!(found, [f("out.yaml", 9, "W0105")]);
    assert!(rendered.contains("`department` is read but never imported: no inbound rule sets metaverse attribute `department` on `person`"), "{rendered}");
}

#[test]
fn lint_membership_in_an_outbound_scope() {
    let scope = "scope:\n  - - attribute: department\n      operator: equal\n      value: Sales\n    - attribute: dn\n      operator: is-member-of\n      value: CN=Sync,OU=Groups,DC=contoso,DC=com\n";
    let outbound = format!(
        "name: Out\ndirection: outbound\nconnector: contoso.com\nsource: person\ntarget: user\nprecedence: 20\n{scope}"
    );
    let (found, rendered) = check(&[("syncrules.yaml", CONFIG), ("out.yaml", &outbound)]);
    assert_eq!(found, [f("out.yaml", 11, "W0106")]);
    assert!(
        rendered.contains(
            "`is-member-of` in an outbound rule's scope never holds: metaverse objects belong to no connector-space group"
        ),
        "{rendered}"
    );
    // In an inbound rule's scope the test is meaningful.
    let inbound = rule("In", 10, scope);
    assert_eq!(
        check(&[("syncrules.yaml", CONFIG), ("in.yaml", &inbound)]).0,
        []
    );
}

#[test]
fn the_default_rules_check_clean_and_plan() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let mut report = Report::default();
    let set = load_rule_set(&[root], &mut report);
    let plan = Plan::build(&set, &mut report).unwrap();
    lint(&set, &plan, &mut report);
    assert_eq!(report.findings(), [], "{}", report.render());
    insta::assert_snapshot!("default_rules_plan", plan.listing());
}

const MV_DSML: &str = r##"<dsml:dsml xmlns:dsml="http://www.dsml.org/DSML">
  <dsml:directory-schema>
    <dsml:class id="person" type="structural">
      <dsml:name>person</dsml:name>
      <dsml:attribute ref="#displayName" required="false" />
      <dsml:attribute ref="#accountEnabled" required="false" />
    </dsml:class>
    <dsml:attribute-type id="displayName" single-value="true">
      <dsml:name>displayName</dsml:name>
      <dsml:syntax>1.3.6.1.4.1.1466.115.121.1.15</dsml:syntax>
    </dsml:attribute-type>
    <dsml:attribute-type id="accountEnabled" single-value="true">
      <dsml:name>accountEnabled</dsml:name>
      <dsml:syntax>1.3.6.1.4.1.1466.115.121.1.7</dsml:syntax>
    </dsml:attribute-type>
  </dsml:directory-schema>
</dsml:dsml>
"##;

#[test]
fn flows_are_checked_against_the_target_schema() {
    let config = CONFIG.replace(
        "metaverse:\n  object-types: [person, group]\n",
        "metaverse:\n  schema: mv.xml\n",
    );
    let r = rule(
        "A",
        10,
        "flows:\n  - target: displayNme\n    expression: Trim([displayName])\n  - target: accountEnabled\n    constant: maybe\n  - target: accountEnabled\n    constant: 'True'\n",
    );
    let (found, rendered) = check(&[
        ("syncrules.yaml", &config),
        ("mv.xml", MV_DSML),
        ("a.yaml", &r),
    ]);
    assert_eq!(found, [f("a.yaml", 8, "E0405"), f("a.yaml", 11, "E0409")]);
    assert!(
        rendered.contains("`displayNme` is not an attribute of `person`"),
        "{rendered}"
    );
    assert!(
        rendered.contains("= help: did you mean `displayName`?"),
        "{rendered}"
    );
    assert!(
        rendered.contains("constant `maybe` is not a Boolean, which the target needs"),
        "{rendered}"
    );
    // The metaverse schema's object types are the only ones allowed.
    let g = rule("G", 20, "").replace("target: person", "target: group");
    let (found, _) = check(&[
        ("syncrules.yaml", &config),
        ("mv.xml", MV_DSML),
        ("g.yaml", &g),
    ]);
    assert_eq!(found, [f("g.yaml", 5, "E0402")]);
}

/// What an LDAP connector reads by default: every attribute the rules use of it, from the
/// rule files themselves, and nothing they never name.
#[test]
fn a_connectors_attributes_are_those_its_rules_use() {
    use syncrules_lang::rules::{Direction, FlowSource};
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let mut report = Report::default();
    let set = load_rule_set(&[root], &mut report);
    let plan = Plan::build(&set, &mut report).unwrap();
    let ad = plan.connector_attributes("contoso.com");
    let mut named = std::collections::BTreeSet::new();
    for rule in set
        .rules
        .iter()
        .filter(|r| r.enabled && r.connector == "contoso.com")
    {
        match rule.direction {
            Direction::Inbound => {
                for clause in rule.scope.iter().flatten() {
                    named.insert(clause.attribute.clone());
                }
                for c in rule.join.iter().flatten() {
                    named.insert(c.source.clone());
                }
                for f in &rule.flows {
                    if let FlowSource::Direct(a) = &f.source {
                        named.insert(a.clone());
                    }
                }
            }
            Direction::Outbound => {
                named.extend(rule.flows.iter().map(|f| f.target.clone()));
            }
        }
    }
    named.remove("dn");
    assert!(!named.is_empty());
    let missing: Vec<_> = named.difference(&ad).collect();
    assert!(missing.is_empty(), "{missing:?} not in {ad:?}");
    // Inbound expressions read more than the direct flows name (e.g. cloudFiltered's).
    assert!(ad.len() > named.len(), "{ad:?}");
    // The write-back target is read back; what no rule names is not read.
    assert!(ad.contains("mS-DS-ConsistencyGuid"), "{ad:?}");
    for unused in ["instanceType", "whenCreated", "dn"] {
        assert!(!ad.contains(unused), "{unused} in {ad:?}");
    }
    // And the Entra side: only what outbound rules write and inbound rules read of it.
    let entra = plan.connector_attributes("contoso.onmicrosoft.com");
    assert!(entra.contains("userPrincipalName"), "{entra:?}");
}
