//! Property tests of the canonical writer: a rule written and read back is the same rule,
//! formatting twice is formatting once, and formatting never changes the plan.

#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::Path;

use indexmap::IndexMap;
use proptest::prelude::*;
use syncrules_lang::rules::model::*;
use syncrules_lang::rules::{
    Config, ConnectorDecl, ConnectorKind, Plan, Report, RuleSet, emit_rule, load_rule,
};

/// Text with the characters YAML cares about: quotes, colons, hashes, brackets, spaces,
/// line breaks, non-ASCII.
fn awkward() -> impl Strategy<Value = String> {
    prop::string::string_regex("[a-zA-Z0-9 :#'\"\\[\\]{}%@&*!|>,.\\-é\n]{1,24}").unwrap()
}

fn name() -> impl Strategy<Value = String> {
    prop::string::string_regex("[A-Za-z][A-Za-z0-9 :#'\\-]{0,20}[A-Za-z0-9]").unwrap()
}

fn ident() -> impl Strategy<Value = String> {
    prop::string::string_regex("[a-z][A-Za-z0-9-]{0,10}").unwrap()
}

/// Valid expressions, laid out in different ways.
fn expression() -> impl Strategy<Value = String> {
    let base = prop::sample::select(vec![
        "Trim([givenName])",
        "IIF(BitAnd([userAccountControl],2)=0,True,False)",
        "IIF(IsPresent([userPrincipalName]),[userPrincipalName],[sAMAccountName] & \"@\" & %Domain.FQDN%)",
        "\"CN={\" & ConvertToUTF8Hex([sourceAnchor]) & \"}\"",
        "[mail]",
        "%Domain.Netbios%",
        "Left(Trim(Item([description],1)),448)",
        "IIF([a] = \"x: y # z\", 'q', NULL)",
    ]);
    (base, 0..3usize).prop_map(|(e, layout)| match layout {
        0 => e.to_owned(),
        1 => e.replace(',', ",\n  "),
        _ => format!("{e}\n"),
    })
}

fn flow() -> impl Strategy<Value = Flow> {
    let source = prop_oneof![
        expression().prop_map(FlowSource::Expression),
        ident().prop_map(FlowSource::Direct),
        awkward().prop_map(FlowSource::Constant),
    ];
    let merge = prop::sample::select(MERGE_TYPES.iter().map(|(m, _, _)| *m).collect::<Vec<_>>());
    (ident(), source, merge, any::<bool>()).prop_map(|(target, source, merge, apply_once)| Flow {
        target,
        source,
        merge,
        apply_once,
    })
}

fn clause() -> impl Strategy<Value = ScopeClause> {
    let ops: Vec<ScopeOp> = SCOPE_OPS.iter().map(|(op, _, _)| *op).collect();
    (ident(), prop::sample::select(ops), awkward(), 0..100i64).prop_map(
        |(attribute, operator, value, n)| {
            let value = match operator {
                _ if !operator.takes_value() => String::new(),
                ScopeOp::IsBitSet | ScopeOp::IsNotBitSet => n.to_string(),
                _ => value,
            };
            ScopeClause {
                attribute,
                operator,
                value,
            }
        },
    )
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        name(),
        prop::option::of(awkward()),
        any::<bool>(),
        1..1000i64,
        any::<bool>(),
        prop::collection::vec(prop::collection::vec(clause(), 1..3), 0..3),
        prop::collection::vec(
            prop::collection::vec(
                (ident(), ident(), any::<bool>()).prop_map(|(source, target, case_sensitive)| {
                    JoinCondition {
                        source,
                        target,
                        case_sensitive,
                    }
                }),
                1..3,
            ),
            0..2,
        ),
        prop::collection::vec(flow(), 0..5),
        prop::option::of(name()),
    )
        .prop_map(
            |(name, description, inbound, precedence, enabled, scope, join, flows, tag)| {
                let mut r = Rule::new(
                    name,
                    if inbound {
                        Direction::Inbound
                    } else {
                        Direction::Outbound
                    },
                    "contoso.com",
                    "user",
                    "person",
                    precedence,
                );
                r.description = description;
                r.enabled = enabled;
                r.scope = scope;
                r.join = join;
                r.flows = flows;
                r.vendor = tag.map(|t| Vendor {
                    immutable_tag: t,
                    fingerprint: None,
                });
                r.vendor = r.vendor.clone().map(|v| Vendor {
                    fingerprint: Some(fingerprint(&r)),
                    ..v
                });
                r
            },
        )
}

fn plan_listing(rule: &Rule) -> Option<String> {
    let mut config = Config::default();
    config.connectors.insert(
        "contoso.com".to_owned(),
        ConnectorDecl {
            kind: ConnectorKind::ActiveDirectory,
            id: None,
            schema: None,
            object_types: Vec::new(),
            parameters: IndexMap::from([("Domain.FQDN".to_owned(), "contoso.com".to_owned())]),
            template: false,
        },
    );
    let set = RuleSet {
        config,
        rules: vec![rule.clone()],
        ..RuleSet::default()
    };
    let mut report = Report::default();
    Plan::build(&set, &mut report).map(|p| p.listing())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn fmt_round_trips_is_idempotent_and_keeps_the_plan(r in rule()) {
        let once = emit_rule(&r);
        let back = load_rule(Path::new("r.yaml"), &once)
            .map_err(|e| TestCaseError::fail(format!("{once}\n{e:?}")))?;
        prop_assert_eq!(&Rule { origin: None, ..back.clone() }, &r, "round trip of\n{}", once);
        let twice = emit_rule(&back);
        prop_assert_eq!(&twice, &once);
        prop_assert_eq!(plan_listing(&back), plan_listing(&r));
    }
}
