//! Template instances and user matching.

use std::path::Path;

use indexmap::IndexMap;

use crate::rules::{
    Instance, Instances, Matching, Plan, Report, RuleSet, UserMatching, instantiate, load_config,
    load_rule,
};
use crate::span::Span;

const CONFIG: &str = "\
metaverse:
  object-types: [person]
connectors:
  active-directory:
    template: true
    kind: active-directory
    object-types: [user]
    parameters:
      Domain.FQDN: example.com
  entra:
    kind: entra-id
    object-types: [user]
";

fn rule(name: &str, connector: &str, precedence: i64, extra: &str) -> crate::rules::Rule {
    let text = format!(
        "name: {name}\ndirection: inbound\nconnector: {connector}\nsource: user\ntarget: person\nlink: provision\nprecedence: {precedence}\n{extra}"
    );
    load_rule(Path::new(&format!("{name}.yaml")), &text).unwrap()
}

const JOIN: &str = "\
join:
  - - source: mS-DS-ConsistencyGuid
      target: sourceAnchorBinary
matching:
  mail:
    - - source: mail
        target: mail
  attribute:
    - - source: $attribute
        target: $attribute
flows:
  - target: userPrincipalName
    expression: '[sAMAccountName] & \"@\" & %Domain.FQDN%'
";

fn set(rules: Vec<crate::rules::Rule>) -> RuleSet {
    RuleSet {
        config: load_config(CONFIG).unwrap(),
        rules,
        ..RuleSet::default()
    }
}

fn instance(name: &str, fqdn: Option<&str>, at: usize) -> Instance {
    Instance {
        connector: name.to_owned(),
        template: "active-directory".to_owned(),
        parameters: fqdn
            .map(|f| IndexMap::from([("Domain.FQDN".to_owned(), f.to_owned())]))
            .unwrap_or_default(),
        name_span: Span::new(at, at + name.len()),
        template_span: Span::new(at + 20, at + 36),
    }
}

fn run(set: &mut RuleSet, connectors: &[Instance], matching: Option<&Matching>) -> Report {
    let mut report = Report::default();
    let user_matching = matching.map(|m| UserMatching {
        option: m.clone(),
        span: Span::new(0, 4),
    });
    let instances = Instances {
        file: Path::new("sync.yaml"),
        connectors,
        matching: user_matching.as_ref(),
    };
    instantiate(set, &instances, &mut report);
    report
}

fn codes(report: &Report) -> Vec<&str> {
    report
        .findings()
        .iter()
        .map(|f| f.diagnostic.code)
        .collect()
}

#[test]
fn each_instance_gets_the_rules_at_precedence_plus_its_index() {
    let mut s = set(vec![
        rule("User Join", "active-directory", 100, JOIN),
        rule("Entra", "entra", 200, ""),
    ]);
    let instances = [
        instance("a.com", Some("a.com"), 0),
        instance("b.com", Some("b.com"), 40),
    ];
    let report = run(&mut s, &instances, None);
    assert!(codes(&report).is_empty(), "{}", report.render());
    let got: Vec<(&str, &str, i64)> = s
        .rules
        .iter()
        .map(|r| (r.name.as_str(), r.connector.as_str(), r.precedence))
        .collect();
    assert_eq!(
        got,
        [
            ("User Join", "a.com", 100),
            ("User Join", "b.com", 101),
            ("Entra", "entra", 201)
        ]
    );
    assert!(!s.config.connectors.contains_key("active-directory"));
    let b = &s.config.connectors["b.com"];
    assert_eq!(b.parameters["Domain.FQDN"], "b.com");
    assert!(!b.template);
    // The same name on two connectors is one rule per connector, not a duplicate.
    let mut report = Report::default();
    let plan = Plan::build(&s, &mut report);
    assert!(plan.is_some(), "{}", report.render());
    // Without a selected option, the join is the rule's own.
    assert_eq!(s.rules[0].join.len(), 1);
    assert!(s.rules[0].matching.is_empty());
}

#[test]
fn a_template_no_connector_takes_leaves_its_rules_out() {
    let mut s = set(vec![
        rule("User Join", "active-directory", 100, JOIN),
        rule("Entra", "entra", 200, ""),
    ]);
    let report = run(&mut s, &[], None);
    assert!(codes(&report).is_empty());
    assert_eq!(s.rules.len(), 1);
}

#[test]
fn an_unknown_template_is_located_with_a_did_you_mean() {
    let mut s = set(vec![rule("User Join", "active-directory", 100, JOIN)]);
    let mut bad = instance("a.com", Some("a.com"), 0);
    bad.template = "active-directroy".to_owned();
    let report = run(&mut s, &[bad], None);
    assert_eq!(codes(&report), ["E0610"]);
    let d = &report.findings()[0].diagnostic;
    assert_eq!(d.span, Span::new(20, 36));
    assert!(
        d.help
            .as_deref()
            .unwrap_or("")
            .contains("`active-directory`")
    );
}

#[test]
fn a_parameter_the_rules_use_and_the_connector_lacks_is_an_error() {
    let mut s = set(vec![rule("User Join", "active-directory", 100, JOIN)]);
    let report = run(
        &mut s,
        &[
            instance("a.com", Some("a.com"), 0),
            instance("b.com", None, 40),
        ],
        None,
    );
    assert_eq!(codes(&report), ["E0611"]);
    let d = &report.findings()[0].diagnostic;
    assert_eq!(d.span, Span::new(40, 45));
    assert!(d.message.contains("`Domain.FQDN`"), "{}", d.message);
    assert!(d.message.contains("User Join"), "{}", d.message);
}

#[test]
fn copies_interleave_and_later_rules_move_down_as_entra_connect_numbers_them() {
    let mut s = set(vec![
        rule("Custom", "entra", 50, ""),
        rule("User Join", "active-directory", 100, JOIN),
        rule("User Common", "active-directory", 101, ""),
        rule("Between", "entra", 102, ""),
        rule("User Catch-all", "active-directory", 103, ""),
        rule("Entra", "entra", 130, ""),
    ]);
    let instances = [
        instance("a.com", Some("a.com"), 0),
        instance("b.com", Some("b.com"), 40),
        instance("c.com", Some("c.com"), 80),
    ];
    let report = run(&mut s, &instances, None);
    assert!(codes(&report).is_empty(), "{}", report.render());
    let mut got: Vec<(i64, &str, &str)> = s
        .rules
        .iter()
        .map(|r| (r.precedence, r.name.as_str(), r.connector.as_str()))
        .collect();
    got.sort_unstable();
    assert_eq!(
        got,
        [
            (50, "Custom", "entra"),
            (100, "User Join", "a.com"),
            (101, "User Join", "b.com"),
            (102, "User Join", "c.com"),
            (103, "User Common", "a.com"),
            (104, "User Common", "b.com"),
            (105, "User Common", "c.com"),
            (106, "Between", "entra"),
            (107, "User Catch-all", "a.com"),
            (108, "User Catch-all", "b.com"),
            (109, "User Catch-all", "c.com"),
            (136, "Entra", "entra"),
        ]
    );
    let mut plan_report = Report::default();
    assert!(Plan::build(&s, &mut plan_report).is_some());
    assert_eq!(plan_report.errors(), 0, "{}", plan_report.render());
}

#[test]
fn one_instance_per_template_renumbers_nothing() {
    let written = [
        ("Custom", 50),
        ("User Join", 100),
        ("User Common", 101),
        ("Entra", 130),
    ];
    let mut s = set(vec![
        rule("Custom", "entra", 50, ""),
        rule("User Join", "active-directory", 100, JOIN),
        rule("User Common", "active-directory", 101, ""),
        rule("Entra", "entra", 130, ""),
    ]);
    run(&mut s, &[instance("a.com", Some("a.com"), 0)], None);
    let got: Vec<(&str, i64)> = s
        .rules
        .iter()
        .map(|r| (r.name.as_str(), r.precedence))
        .collect();
    assert_eq!(got, written);
}

#[test]
fn the_selected_option_joins_after_the_rules_own_groups() {
    let mut s = set(vec![rule("User Join", "active-directory", 100, JOIN)]);
    let report = run(
        &mut s,
        &[instance("a.com", Some("a.com"), 0)],
        Some(&Matching::Mail),
    );
    assert!(codes(&report).is_empty());
    let join: Vec<(&str, &str)> = s.rules[0]
        .join
        .iter()
        .flatten()
        .map(|c| (c.source.as_str(), c.target.as_str()))
        .collect();
    assert_eq!(
        join,
        [
            ("mS-DS-ConsistencyGuid", "sourceAnchorBinary"),
            ("mail", "mail")
        ]
    );

    let mut s = set(vec![rule("User Join", "active-directory", 100, JOIN)]);
    let chosen = Matching::Attribute("employeeID".to_owned());
    run(
        &mut s,
        &[instance("a.com", Some("a.com"), 0)],
        Some(&chosen),
    );
    let last = s.rules[0].join.last().unwrap();
    assert_eq!(
        (last[0].source.as_str(), last[0].target.as_str()),
        ("employeeID", "employeeID")
    );
}

#[test]
fn an_option_no_rule_offers_is_an_error_in_sync_yaml() {
    let mut s = set(vec![rule("User Join", "active-directory", 100, JOIN)]);
    let report = run(
        &mut s,
        &[instance("a.com", Some("a.com"), 0)],
        Some(&Matching::AccountResource),
    );
    assert_eq!(codes(&report), ["E0612"]);
    let f = &report.findings()[0];
    assert_eq!(f.file, Path::new("sync.yaml"));
    assert!(f.diagnostic.help.as_deref().unwrap_or("").contains("mail"));
}

#[test]
fn matching_round_trips_through_the_canonical_writer() {
    let r = rule("User Join", "active-directory", 100, JOIN);
    let text = crate::rules::emit_rule(&r);
    let back = load_rule(Path::new("x.yaml"), &text).unwrap();
    assert_eq!(back.matching, r.matching);
    assert_eq!(crate::rules::emit_rule(&back), text);
}

#[test]
fn an_instance_the_rule_set_declares_as_its_own_connector_is_an_error() {
    let mut s = set(vec![rule("User Join", "active-directory", 100, JOIN)]);
    let report = run(&mut s, &[instance("entra", Some("x.com"), 0)], None);
    assert_eq!(codes(&report), ["E0613"]);
    let f = &report.findings()[0];
    assert_eq!(f.file, Path::new("sync.yaml"));
    assert_eq!(f.diagnostic.span, Span::new(20, 36));
}

#[test]
fn an_instance_may_take_the_name_of_another_template() {
    let config = CONFIG.replace(
        "  entra:\n",
        "  other:\n    template: true\n    kind: active-directory\n    object-types: [user]\n  entra:\n",
    );
    let mut s = RuleSet {
        config: load_config(&config).unwrap(),
        rules: vec![rule("User Join", "active-directory", 100, JOIN)],
        ..RuleSet::default()
    };
    // `other`, a template nobody takes, is the name of an instance of active-directory.
    let report = run(&mut s, &[instance("other", Some("o.com"), 0)], None);
    assert!(codes(&report).is_empty(), "{}", report.render());
    assert!(s.config.connectors.contains_key("other"));
    assert!(!s.config.connectors["other"].template);
    assert_eq!(s.rules[0].connector, "other");
}

#[test]
fn matching_on_an_attribute_no_rule_flows_is_an_error() {
    let mut s = set(vec![rule("User Join", "active-directory", 100, JOIN)]);
    let chosen = Matching::Attribute("employeeID".to_owned());
    let report = run(
        &mut s,
        &[instance("a.com", Some("a.com"), 0)],
        Some(&chosen),
    );
    assert_eq!(codes(&report), ["E0612"]);
    let message = &report.findings()[0].diagnostic.message;
    assert!(message.contains("`employeeID`"), "{message}");
    // Flowed, it is fine.
    let flows = JOIN.replace(
        "flows:\n",
        "flows:\n  - target: employeeID\n    source: employeeID\n",
    );
    let mut s = set(vec![rule("User Join", "active-directory", 100, &flows)]);
    let report = run(
        &mut s,
        &[instance("a.com", Some("a.com"), 0)],
        Some(&chosen),
    );
    assert!(codes(&report).is_empty(), "{}", report.render());
}
