//! Loading rule files and writing them back.

use std::path::Path;

use crate::rules::*;

const RULE: &str = "\
# Users from AD.
# Common attributes.

name: In from AD - User Common
direction: inbound
connector: contoso.com
source: user
target: person
link: provision
precedence: 104
vendor:
  immutable-tag: Microsoft.InfromADUserCommon.010
scope:
  - - attribute: isCriticalSystemObject
      operator: NOTEQUAL   # Entra Connect's spelling is accepted
      value: 'True'
    - attribute: sAMAccountName
      operator: is-not-null
join:
  - - source: objectGUID
      target: sourceAnchorBinary
flows:
  # Names are trimmed.
  - target: givenName
    expression: Trim([givenName])
  - target: cloudFiltered
    expression: |
      IIF(IsPresent([isCriticalSystemObject]),
          True, NULL)
  - target: proxyAddresses
    expression: RemoveDuplicates(Trim([proxyAddresses]))
    merge: merge-case-insensitive
  - target: sourceObjectType
    constant: User
  - target: objectSid
    source: objectSid
    apply-once: true
";

fn load(text: &str) -> Result<Rule, Vec<crate::diag::Diagnostic>> {
    load_rule(Path::new("rule.yaml"), text)
}

#[test]
fn loads_every_part() {
    let r = load(RULE).unwrap();
    assert_eq!(r.name, "In from AD - User Common");
    assert_eq!(r.direction, Direction::Inbound);
    assert_eq!(r.link, LinkType::Provision);
    assert_eq!(r.precedence, 104);
    assert!(r.enabled);
    assert_eq!(r.scope[0][0].operator, ScopeOp::NotEqual);
    assert_eq!(r.scope[0][0].value, "True");
    assert_eq!(r.scope[0][1].operator, ScopeOp::IsNotNull);
    assert_eq!(r.join[0][0].target, "sourceAnchorBinary");
    assert_eq!(r.flows.len(), 5);
    assert_eq!(
        r.flows[1].source,
        FlowSource::Expression(
            "IIF(IsPresent([isCriticalSystemObject]),\n    True, NULL)\n".into()
        )
    );
    assert_eq!(r.flows[2].merge, MergeType::MergeCaseInsensitive);
    assert_eq!(r.flows[3].source, FlowSource::Constant("User".into()));
    assert!(r.flows[4].apply_once);
    assert_eq!(
        r.vendor.as_ref().unwrap().immutable_tag,
        "Microsoft.InfromADUserCommon.010"
    );
}

#[test]
fn emit_is_canonical_keeps_comments_and_round_trips() {
    let r = load(RULE).unwrap();
    let out = emit_rule(&r);
    assert!(
        out.starts_with(
            "# Users from AD.\n# Common attributes.\n\nname: In from AD - User Common\n"
        ),
        "{out}"
    );
    assert!(out.contains("      operator: not-equal\n"), "{out}");
    // A comment at the end of a line moves above the element the line belongs to.
    assert!(out.contains("scope:\n  # Entra Connect's spelling is accepted\n  - - attribute: isCriticalSystemObject"), "{out}");
    assert!(
        out.contains("  # Names are trimmed.\n  - target: givenName\n"),
        "{out}"
    );
    assert!(out.contains("    expression: |\n      IIF(IsPresent([isCriticalSystemObject]),\n          True, NULL)\n"), "{out}");
    assert!(out.contains("      value: 'True'\n"), "{out}");
    let again = load(&out).unwrap();
    assert_eq!(
        Rule {
            origin: None,
            ..again.clone()
        },
        Rule { origin: None, ..r }
    );
    assert_eq!(emit_rule(&again), out, "emit is idempotent");
}

#[test]
fn strings_are_quoted_only_when_needed() {
    use crate::rules::emit::scalar;
    assert_eq!(scalar("Trim([givenName])", ""), "Trim([givenName])");
    assert_eq!(scalar("[a]", ""), "'[a]'");
    assert_eq!(scalar("%Domain.FQDN%", ""), "'%Domain.FQDN%'");
    assert_eq!(scalar(r#""CN={" & [x]"#, ""), r#"'"CN={" & [x]'"#);
    assert_eq!(scalar("it's", ""), "it's");
    assert_eq!(scalar("'q'", ""), "'''q'''");
    assert_eq!(scalar("True", ""), "'True'");
    assert_eq!(scalar("42", ""), "'42'");
    assert_eq!(scalar("a: b", ""), "'a: b'");
    assert_eq!(scalar("a\nb", "  "), "|-\n  a\n  b");
    assert_eq!(scalar("a\nb\n", "  "), "|\n  a\n  b");
    assert_eq!(scalar(" lead\nx", "  "), "\" lead\\nx\"");
    assert_eq!(scalar("", ""), "''");
}

#[test]
fn flow_items_and_keys_stay_on_one_line() {
    use crate::rules::emit::flow_scalar;
    assert_eq!(flow_scalar("user"), "user");
    assert_eq!(flow_scalar("a,b"), "'a,b'");
    assert_eq!(flow_scalar("Domain.FQDN"), "Domain.FQDN");
    assert_eq!(flow_scalar("g- -"), "'g- -'");
    assert_eq!(flow_scalar("x]"), "'x]'");
    assert_eq!(flow_scalar("it's {x}"), "'it''s {x}'");
    assert_eq!(flow_scalar("group>\ntact"), "\"group>\\ntact\"");
}

/// Found by fuzzing: an object type with a line break was written as a block scalar inside
/// a flow sequence, which reads back as another string.
#[test]
fn declarations_with_awkward_strings_are_written_back_the_same() {
    let text = "connectors:\n  \"odd,\\nname\":\n    kind: active-directory\n    \
                object-types: [user, \"group>\\ntact\", \"a,b\", \"[c]\", \"\\u001ed\", \"g- -\"]\n    \
                parameters:\n      \"k: x\\ny\": v\n";
    let config = load_config(text).unwrap();
    let types = &config.connectors.values().next().unwrap().object_types;
    assert_eq!(types.len(), 6, "{types:?}");
    let again = emit_config(&config);
    let back = load_config(&again).unwrap_or_else(|e| panic!("{again}\n{e:?}"));
    assert_eq!(
        back.connectors.keys().collect::<Vec<_>>(),
        config.connectors.keys().collect::<Vec<_>>(),
        "{again}"
    );
    for (a, b) in back.connectors.values().zip(config.connectors.values()) {
        assert_eq!(a.object_types, b.object_types, "{again}");
        assert_eq!(a.parameters, b.parameters, "{again}");
    }
}

/// Found by fuzzing: a top-level string with a line break was written as a block scalar
/// whose lines were not indented, so they read back as keys.
#[test]
fn top_level_strings_with_line_breaks_are_written_back_the_same() {
    let mut rule = load(RULE).unwrap();
    rule.name = "A le with\nevle-tag: x".to_owned();
    rule.source = "user\nsecond".to_owned();
    let text = emit_rule(&rule);
    let back = load(&text).unwrap_or_else(|e| panic!("{text}\n{e:?}"));
    assert_eq!((back.name, back.source), (rule.name, rule.source), "{text}");
}

/// Found by fuzzing: a parameter name of control characters, written escaped, outgrew
/// YAML's 1,024-character limit on implicit keys.
#[test]
fn long_keys_are_written_explicitly() {
    // 800 characters as YAML's `\x1c` escapes, 1,200 as the writer's `\u001c`.
    let name = "\\x1c".repeat(200);
    let long = "n".repeat(1500);
    let text = format!(
        "connectors:\n  ? {long}\n  :\n    kind: active-directory\n    parameters:\n      \"{name}\": v\n      ? {long}\n      : w\n"
    );
    let config = load_config(&text).unwrap_or_else(|e| panic!("{e:?}"));
    let again = emit_config(&config);
    let back = load_config(&again).unwrap_or_else(|e| panic!("{again}\n{e:?}"));
    let (c, b) = (&config.connectors, &back.connectors);
    assert_eq!(c.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    let (p, q) = (&c[0].parameters, &b[0].parameters);
    assert_eq!(p.len(), 2);
    assert_eq!(p, q, "{again}");
}

#[test]
fn every_error_is_located() {
    let text = "\
name: X
direction: sideways
conector: contoso.com
source: user
target: person
precedence: high
flows:
  - target: a
  - target: b
    expression: Trim([b])
    constant: x
  - target: c
    expression: Trim([c])
    merge: union
";
    let errors = load(text).unwrap_err();
    let found: Vec<(usize, &str, &str)> = errors
        .iter()
        .map(|d| {
            let (line, _) = crate::diag::line_col(text, d.span.start as usize);
            (line, d.code, d.message.as_str())
        })
        .collect();
    assert_eq!(
        found,
        [
            (1, "E0311", "a rule needs `connector`"),
            (3, "E0310", "unknown key `conector` in a rule"),
            (2, "E0313", "`sideways` is not a valid `direction`"),
            (
                6,
                "E0312",
                "`precedence` must be a whole number, found `high`"
            ),
            (
                8,
                "E0311",
                "a flow needs one of `expression`, `source` or `constant`"
            ),
            (
                11,
                "E0314",
                "a flow takes only one of `expression`, `source` and `constant`; `constant` is a second"
            ),
            (14, "E0313", "`union` is not a valid `merge`"),
        ]
    );
    assert_eq!(errors[1].help.as_deref(), Some("did you mean `connector`?"));
}
