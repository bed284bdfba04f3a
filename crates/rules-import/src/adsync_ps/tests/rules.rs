//! Whole rules imported from the fixture scripts (inbound, outbound in the documenter form,
//! two rules in one file), outbound join sides, and the YAML round trip of every imported rule.

use std::path::Path;

use super::{flow, render, rules};
use syncrules_lang::rules::*;

const INBOUND: &str = include_str!("../../../tests/fixtures/adsync-ps/inbound-user.ps1");
const OUTBOUND: &str = include_str!("../../../tests/fixtures/adsync-ps/outbound-user.ps1");
const TWO: &str = include_str!("../../../tests/fixtures/adsync-ps/two-rules.ps1");

fn clause(attribute: &str, operator: ScopeOp, value: &str) -> ScopeClause {
    ScopeClause {
        attribute: attribute.into(),
        operator,
        value: value.into(),
    }
}

fn cond(source: &str, target: &str, case_sensitive: bool) -> JoinCondition {
    JoinCondition {
        source: source.into(),
        target: target.into(),
        case_sensitive,
    }
}

/// Each rule written as YAML and read back is the same rule.
fn assert_round_trips(rules: &[Rule]) {
    for rule in rules {
        let yaml = emit_rule(rule);
        let back = load_rule(Path::new("rule.yaml"), &yaml)
            .unwrap_or_else(|e| panic!("{}", render(&yaml, &e)));
        assert_eq!(
            Rule {
                origin: None,
                ..back
            },
            *rule,
            "{yaml}"
        );
    }
}

#[test]
fn inbound_user_rule_with_scope_join_and_every_kind_of_flow() {
    let imported = rules(INBOUND);
    let [rule] = imported.as_slice() else {
        panic!("one rule expected, found {}", imported.len());
    };
    let mut expected = Rule::new(
        "In from AD - User Join",
        Direction::Inbound,
        "contoso.com",
        "user",
        "person",
        101,
    );
    expected.description = Some("Joins and provisions users (don't edit: vendor rule)".into());
    expected.link = LinkType::Provision;
    expected.scope = vec![
        vec![
            clause("isCriticalSystemObject", ScopeOp::NotEqual, "True"),
            clause("adminDescription", ScopeOp::NotStartsWith, "User_"),
        ],
        vec![
            clause("userAccountControl", ScopeOp::IsNotBitSet, "2"),
            clause("msExchRecipientTypeDetails", ScopeOp::IsNull, ""),
        ],
    ];
    expected.join = vec![
        vec![cond("mS-DS-ConsistencyGuid", "sourceAnchorBinary", false)],
        vec![
            cond("objectGUID", "sourceAnchorBinary", false),
            cond("employeeID", "employeeID", true),
        ],
    ];
    expected.flows = vec![
        flow(
            "cloudFiltered",
            FlowSource::Expression(
                "IIF(IsPresent([isCriticalSystemObject]) || Left([sAMAccountName], 4) = \"AAD_\", True, NULL)".into(),
            ),
        ),
        flow(
            "sourceAnchorBinary",
            FlowSource::Expression(
                "\n    IIF(IsPresent([mS-DS-ConsistencyGuid]),\n        [mS-DS-ConsistencyGuid],\n        [objectGUID])\n    ".into(),
            ),
        ),
        flow("displayName", FlowSource::Direct("displayName".into())),
        flow("sourceObjectType", FlowSource::Constant("User".into())),
        Flow {
            merge: MergeType::MergeCaseInsensitive,
            ..flow(
                "proxyAddresses",
                FlowSource::Expression("RemoveDuplicates(Trim([proxyAddresses]))".into()),
            )
        },
        Flow {
            apply_once: true,
            ..flow("objectSid", FlowSource::Direct("objectSid".into()))
        },
        Flow {
            apply_once: true,
            ..flow("cloudCreated", FlowSource::Constant("False".into()))
        },
    ];
    // The vendor tag carries the fingerprint of the rule as imported.
    expected.vendor = Some(Vendor {
        immutable_tag: "Microsoft.InfromADUserJoin.005".into(),
        fingerprint: None,
    });
    let print = fingerprint(&expected);
    expected.vendor = Some(Vendor {
        immutable_tag: "Microsoft.InfromADUserJoin.005".into(),
        fingerprint: Some(print),
    });
    assert_eq!(*rule, expected);
}

#[test]
fn outbound_rule_in_the_documenter_form() {
    let imported = rules(OUTBOUND);
    let [rule] = imported.as_slice() else {
        panic!("one rule expected, found {}", imported.len());
    };
    assert_eq!(rule.name, "Out to AAD - User Identity (custom)");
    assert_eq!(
        rule.description.as_deref(),
        Some("Sends the \"cloud\" identity of users.\nTab:\tseparated.")
    );
    assert_eq!(rule.direction, Direction::Outbound);
    // An uppercase GUID held in a variable still finds its connector.
    assert_eq!(rule.connector, "contoso.onmicrosoft.com - AAD");
    assert_eq!(
        (rule.source.as_str(), rule.target.as_str()),
        ("person", "user")
    );
    assert_eq!(rule.link, LinkType::Join);
    assert_eq!(rule.precedence, 55);
    assert!(!rule.enabled, "-Disabled");
    assert_eq!(rule.vendor, None, "an empty -ImmutableTag is a custom rule");
    assert_eq!(
        rule.scope,
        vec![vec![
            clause("sourceObjectType", ScopeOp::Equal, "User"),
            clause("cloudFiltered", ScopeOp::NotEqual, "true"),
        ]]
    );
    assert_eq!(
        rule.join,
        vec![vec![cond("sourceAnchor", "sourceAnchor", false)]]
    );
    assert_eq!(
        rule.flows,
        vec![
            flow("accountEnabled", FlowSource::Direct("accountEnabled".into())),
            Flow {
                merge: MergeType::Replace,
                ..flow(
                    "userPrincipalName",
                    FlowSource::Expression(
                        "IIF(IsPresent([userPrincipalName]), [userPrincipalName], \"x@contoso.com\")"
                            .into()
                    ),
                )
            },
        ]
    );
}

#[test]
fn outbound_join_conditions_read_from_the_metaverse() {
    // JoinCondition('csAttribute','mvAttribute',...): an outbound rule's source is the MV.
    let text = "\
New-ADSyncRule -Name 'Out to AD - User Join' -Direction 'Outbound' -Precedence 60 `
-SourceObjectType 'person' -TargetObjectType 'user' `
-Connector 'ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d' -OutVariable syncRule
New-Object -TypeName 'Microsoft.IdentityManagement.PowerShell.ObjectModel.JoinCondition' `
-ArgumentList 'employeeNumber','employeeID',$true -OutVariable condition0
Add-ADSyncJoinConditionGroup -SynchronizationRule $syncRule[0] -JoinConditions @($condition0[0])
Add-ADSyncRule -SynchronizationRule $syncRule[0]
";
    let imported = rules(text);
    assert_eq!(
        imported[0].join,
        vec![vec![cond("employeeID", "employeeNumber", true)]]
    );
}

#[test]
fn two_rules_in_one_file_in_order() {
    let imported = rules(TWO);
    let names: Vec<&str> = imported.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["In from AD - Group Common", "In from HR - Person"]);
    let [group, person] = imported.as_slice() else {
        unreachable!()
    };
    assert_eq!(group.description, None, "an empty -Description is none");
    assert_eq!(
        group.vendor.as_ref().map(|v| v.immutable_tag.as_str()),
        Some("Microsoft.InfromADGroupCommon.008")
    );
    assert_eq!(group.flows.len(), 2);
    assert_eq!(group.flows[1].merge, MergeType::Merge);
    assert!(group.scope.is_empty() && group.join.is_empty());
    // The second rule's connector is unknown to the lookup: its GUID stays, as written.
    assert_eq!(person.connector, "{0F0E0D0C-0B0A-0908-0706-050403020100}");
    assert_eq!(person.link, LinkType::StickyJoin);
    assert_eq!(person.precedence, 15);
    assert_eq!(person.source, "person");
    assert_eq!(
        person.flows,
        vec![flow(
            "department",
            FlowSource::Expression("Trim([dept])".into())
        )]
    );
    assert_eq!(
        person.scope,
        vec![vec![clause("employeeType", ScopeOp::Equal, "Employee")]]
    );
    // Nothing of the first rule leaks into the second.
    assert!(person.vendor.is_none() && person.join.is_empty());
}

#[test]
fn every_imported_rule_round_trips_through_yaml() {
    for text in [INBOUND, OUTBOUND, TWO] {
        assert_round_trips(&rules(text));
    }
}
