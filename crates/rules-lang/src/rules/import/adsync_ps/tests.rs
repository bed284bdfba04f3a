//! Tests of the PowerShell importer, on scripts written from the cmdlets' parameters
//! (`tests/fixtures/adsync-ps/`).

use std::path::Path;

use super::{import_adsync_ps, normalize_guid};
use crate::diag::Diagnostic;
use crate::rules::*;

const INBOUND: &str = include_str!("../../../../tests/fixtures/adsync-ps/inbound-user.ps1");
const OUTBOUND: &str = include_str!("../../../../tests/fixtures/adsync-ps/outbound-user.ps1");
const TWO: &str = include_str!("../../../../tests/fixtures/adsync-ps/two-rules.ps1");
const BROKEN: &str = include_str!("../../../../tests/fixtures/adsync-ps/broken.ps1");

fn connectors(guid: &str) -> Option<String> {
    match normalize_guid(guid).as_str() {
        "ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d" => Some("contoso.com".into()),
        "b891884f-051e-4a83-95af-2544101c9083" => Some("contoso.onmicrosoft.com - AAD".into()),
        _ => None,
    }
}

fn import(text: &str) -> Result<Vec<Rule>, Vec<Diagnostic>> {
    import_adsync_ps(Path::new("rules.ps1"), text, &connectors)
}

fn rules(text: &str) -> Vec<Rule> {
    match import(text) {
        Ok(r) => r,
        Err(errors) => panic!("{}", render(text, &errors)),
    }
}

fn render(text: &str, errors: &[Diagnostic]) -> String {
    errors.iter().map(|d| d.render("rules.ps1", text)).collect()
}

/// The first line of each rendered error: `file:line:col: error[code]: message`.
fn headers(text: &str) -> Vec<String> {
    let errors = import(text).expect_err("the script has errors");
    errors
        .iter()
        .map(|d| {
            d.render("rules.ps1", text)
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

fn flow(target: &str, source: FlowSource) -> Flow {
    Flow {
        target: target.into(),
        source,
        merge: MergeType::Update,
        apply_once: false,
    }
}

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

#[test]
fn broken_script_reports_every_error_where_it_is() {
    assert_eq!(
        headers(BROKEN),
        [
            "rules.ps1:5:24: error[E0330]: variables and subexpressions in double-quoted strings are not supported",
            "rules.ps1:17:1: error[E0332]: unknown parameter `-Destinaton` for `Add-ADSyncAttributeFlowMapping`",
            "rules.ps1:24:11: error[E0334]: `Expresion` is not a valid `-FlowType`",
            "rules.ps1:27:1: error[E0333]: a `Direct` flow needs `-Source` with the source attribute",
            "rules.ps1:31:47: error[E0334]: `NOTEQUALS` is not a valid scope operator",
            "rules.ps1:36:49: error[E0334]: the case-sensitive argument of a `JoinCondition` must be `$true` or `$false`, found `False`",
            "rules.ps1:41:19: error[E0335]: `$conditon1` is not set",
            "rules.ps1:43:7: error[E0330]: type literals and casts are not supported",
            "rules.ps1:45:1: error[E0333]: `Add-ADSyncRule` needs a rule",
            "rules.ps1:47:1: error[E0331]: unknown cmdlet `Add-ADSyncRul`",
            "rules.ps1:49:1: error[E0333]: `New-ADSyncRule` needs `-Connector`",
            "rules.ps1:49:76: error[E0334]: `-Precedence` must be 1 or more, found 0",
        ]
    );
    let errors = import(BROKEN).unwrap_err();
    let rendered: Vec<String> = errors
        .iter()
        .map(|d| d.render("rules.ps1", BROKEN))
        .collect();
    assert_eq!(
        rendered[1],
        "rules.ps1:17:1: error[E0332]: unknown parameter `-Destinaton` for `Add-ADSyncAttributeFlowMapping`\n   |\n17 | -Destinaton 'givenName' `\n   | ^^^^^^^^^^^\n   = help: did you mean `-Destination`?\n"
    );
    assert_eq!(
        rendered[2].lines().last(),
        Some("   = help: did you mean `Expression`?")
    );
    assert_eq!(
        rendered[4].lines().last(),
        Some("   = help: did you mean `NOTEQUAL`?")
    );
    assert_eq!(
        rendered[6].lines().last(),
        Some("   = help: did you mean `$condition1`?")
    );
    assert_eq!(
        rendered[9].lines().last(),
        Some("   = help: did you mean `Add-ADSyncRule`?")
    );
}

// Small scripts: one rule around the statements under test.

const PRELUDE: &str = "New-ADSyncRule -Name 'R' -Direction 'Inbound' -Precedence 50 -SourceObjectType 'user' -TargetObjectType 'person' -Connector 'ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d' -OutVariable syncRule\n";

fn with_rule(body: &str) -> String {
    format!("{PRELUDE}{body}\nAdd-ADSyncRule -SynchronizationRule $syncRule[0]\n")
}

fn flows_of(body: &str) -> Vec<Flow> {
    rules(&with_rule(body)).remove(0).flows
}

#[test]
fn a_rule_never_added_is_an_error() {
    assert_eq!(
        headers(PRELUDE),
        ["rules.ps1:1:1: error[E0336]: the rule `R` is never added"]
    );
}

#[test]
fn adding_a_rule_twice_saves_it_again() {
    let text = with_rule(
        "Add-ADSyncRule -SynchronizationRule $syncRule[0]\n\
         Add-ADSyncAttributeFlowMapping -SynchronizationRule $syncRule[0] -Source 'cn' -Destination 'cn' -FlowType 'Direct'",
    );
    let imported = rules(&text);
    assert_eq!(imported.len(), 1);
    assert_eq!(imported[0].flows.len(), 1);
}

#[test]
fn lexer_forms() {
    // Trailing blanks after a backtick, block and line comments, `''`, backtick escapes,
    // `""`, typographic quotes and dashes, a switch given `:$false`, a single string for
    // `-Source`, a comma list inside `@()` over two lines.
    let flows = flows_of(
        "Add-ADSyncAttributeFlowMapping -SynchronizationRule $syncRule[0] `   \n\
         <# a block\n comment #> -Destination 'a' -FlowType 'Constant' <# inline #> `\n\
         -Source 'it''s' -ExecuteOnce:$false\n\
         Add-ADSyncAttributeFlowMapping -SynchronizationRule $syncRule[0] -Destination 'b' \
         -FlowType \"Constant\" -Source @(\"say `\"hi`\"`t\"\"!\"\"\")\n\
         Add-ADSyncAttributeFlowMapping -SynchronizationRule $syncRule[0] \u{2013}Destination \u{2018}c\u{2019} \
         -FlowType 'Direct' -Source @(\n  'cn'\n)",
    );
    assert_eq!(
        flows,
        vec![
            flow("a", FlowSource::Constant("it's".into())),
            flow("b", FlowSource::Constant("say \"hi\"\t\"!\"".into())),
            flow("c", FlowSource::Direct("cn".into())),
        ]
    );
}

#[test]
fn here_strings() {
    let text = "New-ADSyncRule -Name @'\nIn 'quoted'\n'@ -Description @\"\nline one\n`$ and `\"x`\"\n\"@ `\n\
        -Direction 'Inbound' -Precedence 5 -SourceObjectType 'user' -TargetObjectType 'person' \
        -Connector 'x' -OutVariable r\nAdd-ADSyncRule -SynchronizationRule $r[0]\n";
    let rule = rules(text).remove(0);
    assert_eq!(rule.name, "In 'quoted'");
    assert_eq!(rule.description.as_deref(), Some("line one\n$ and \"x\""));
}

#[test]
fn syntax_errors() {
    // An unterminated string swallows the rest of the file: reported once.
    assert_eq!(
        headers("New-ADSyncRule -Name 'R\n-Direction 'Inbound'"),
        ["rules.ps1:2:20: error[E0330]: unterminated string"]
    );
    assert_eq!(
        headers("Import-Module ADSync <# never closed"),
        ["rules.ps1:1:22: error[E0330]: unterminated block comment"]
    );
    // An opener never closed: the rest of the source is one bad token, reported at the
    // opener.
    assert_eq!(
        headers("New-ADSyncRule -Name @'\nIn\n -Direction 'Inbound'"),
        ["rules.ps1:1:22: error[E0330]: unterminated here-string"]
    );
    assert_eq!(
        headers("Import-Module ADSync\n${never closed"),
        ["rules.ps1:2:1: error[E0330]: unterminated `${`"]
    );
    assert_eq!(
        headers("Get-ADSyncRule -Identifier `x"),
        [
            "rules.ps1:1:28: error[E0330]: a backtick outside a string must end the line (a line continuation)"
        ]
    );
    assert_eq!(
        headers("Add-ADSyncScopeConditionGroup -ScopeConditions @($c[0],\n  $c[1]"),
        ["rules.ps1:1:48: error[E0330]: unclosed `@(`"]
    );
    // Recovery skips the rest of a statement, lines inside `@(...)` included.
    assert_eq!(
        headers(&with_rule(
            "Add-ADSyncScopeConditionGroup -SynchronizationRule $syncRule[0] -ScopeConditions @(\n  [x],\n  $y[0])"
        )),
        ["rules.ps1:3:3: error[E0330]: type literals and casts are not supported"]
    );
    assert_eq!(
        headers("if ($x) { New-ADSyncRule }"),
        ["rules.ps1:1:9: error[E0330]: script blocks are not supported"]
    );
    assert_eq!(
        headers("Get-ADSyncRule | Where-Object { $_.Name -eq 'x' }"),
        ["rules.ps1:1:31: error[E0330]: script blocks are not supported"]
    );
}

#[test]
fn parameter_errors() {
    let prefix = "New-ADSyncRule -Name 'R' -Direction 'Inbound' -Prec 5 -SourceObjectType 'user' -TargetObjectType 'person' -Connector 'x' -OutVariable syncRule";
    let errors = import(prefix).unwrap_err();
    assert_eq!(
        headers(prefix),
        ["rules.ps1:1:47: error[E0332]: `-Prec` is ambiguous for `New-ADSyncRule`"]
    );
    assert_eq!(
        errors[0].help.as_deref(),
        Some("it could be `-Precedence`, `-PrecedenceAfter`, `-PrecedenceBefore`")
    );
    assert_eq!(
        headers(&with_rule(
            "Add-ADSyncAttributeFlowMapping -SynchronizationRule $syncRule[0] -Destination 'a' -Destination 'b' -FlowType 'Direct' -Source 'a'"
        )),
        ["rules.ps1:2:83: error[E0332]: `-Destination` is given twice"]
    );
    assert_eq!(
        headers(&with_rule(
            "Add-ADSyncAttributeFlowMapping -SynchronizationRule $syncRule[0] -Destination -FlowType 'Direct' -Source 'a'"
        )),
        ["rules.ps1:2:66: error[E0333]: `-Destination` needs a value"]
    );
    assert_eq!(
        headers(&with_rule("Add-ADSyncScopeConditionGroup $syncRule[0]")),
        [
            "rules.ps1:2:31: error[E0332]: `Add-ADSyncScopeConditionGroup` takes no positional argument here"
        ]
    );
    assert_eq!(
        headers(&with_rule("'x' | New-ADSyncRule -Name 'S'")),
        ["rules.ps1:2:7: error[E0332]: `New-ADSyncRule` takes no pipeline input"]
    );
}

#[test]
fn value_errors() {
    let cases = [
        (
            "Add-ADSyncAttributeFlowMapping -SynchronizationRule $syncRule[0] -Destination 'a' -FlowType 'Constant' -Expression 'x'",
            "rules.ps1:2:116: error[E0334]: a `Constant` flow takes no `-Expression`",
        ),
        (
            "Add-ADSyncAttributeFlowMapping -SynchronizationRule $syncRule[0] -Destination 'a' -FlowType 'Direct' -Source @('b','c')",
            "rules.ps1:2:110: error[E0334]: a `Direct` flow takes one value in `-Source`, the source attribute; found 2",
        ),
        (
            "Add-ADSyncAttributeFlowMapping -SynchronizationRule $syncRule[0] -Destination 'a' -FlowType 'Expression'",
            "rules.ps1:2:1: error[E0333]: an `Expression` flow needs `-Expression`",
        ),
        (
            "Add-ADSyncAttributeFlowMapping -SynchronizationRule $syncRule[0] -Destination 'a' -FlowType 'Expression' -Expression 'x' -ValueMergeType 'Append'",
            "rules.ps1:2:138: error[E0334]: `Append` is not a valid `-ValueMergeType`",
        ),
        (
            "New-Object -TypeName 'Microsoft.IdentityManagement.PowerShell.ObjectModel.JoinCondition' -ArgumentList 'a','b'",
            "rules.ps1:2:104: error[E0334]: a `JoinCondition` takes three arguments, found 2",
        ),
        (
            "New-Object -TypeName 'System.Object' -ArgumentList 'a'",
            "rules.ps1:2:22: error[E0334]: unsupported type `System.Object`",
        ),
        (
            "New-Object 'Microsoft.IdentityManagement.PowerShell.ObjectModel.JoinCondition' 'a','b',$false -OutVariable j\n\
             Add-ADSyncScopeConditionGroup -SynchronizationRule $syncRule[0] -ScopeConditions @($j[0])",
            "rules.ps1:3:84: error[E0334]: `-ScopeConditions` takes scope conditions, found a join condition",
        ),
        (
            "Add-ADSyncScopeConditionGroup -SynchronizationRule $syncRule[0] -ScopeConditions @()",
            "rules.ps1:2:82: error[E0334]: a group needs at least one scope condition",
        ),
        (
            "Add-ADSyncRule -SynchronizationRule 'R'",
            "rules.ps1:2:37: error[E0334]: `-SynchronizationRule` takes a synchronization rule, found `R`",
        ),
        (
            "Add-ADSyncRule -SynchronizationRule $syncRule[1]",
            "rules.ps1:2:37: error[E0335]: `$syncRule` has no element [1]",
        ),
        (
            "Add-ADSyncRule -SynchronizationRule $syncRule[0].Identifier",
            "rules.ps1:2:37: error[E0330]: member access `.Identifier` is not supported",
        ),
    ];
    for (body, header) in cases {
        assert_eq!(headers(&with_rule(body)), [header], "{body}");
    }
}

#[test]
fn one_mistake_is_reported_once() {
    // The failed New-Object leaves $condition0 failed: the group that uses it says nothing
    // more, and still hands the rule on to the Add-ADSyncRule after it.
    let text = "\
New-Object -TypeName 'Microsoft.IdentityManagement.PowerShell.ObjectModel.ScopeCondition' -ArgumentList 'a','b','LIKE' -OutVariable condition0
Add-ADSyncScopeConditionGroup -SynchronizationRule $syncRule[0] -ScopeConditions @($condition0[0]) -OutVariable syncRule
";
    assert_eq!(
        headers(&with_rule(text)),
        ["rules.ps1:2:113: error[E0334]: `LIKE` is not a valid scope operator"]
    );
    // An unknown parameter's value is not taken for a positional argument.
    assert_eq!(
        headers(&with_rule(
            "Add-ADSyncAttributeFlowMapping -SynchronizationRule $syncRule[0] -Target 'a' -FlowType 'Direct' -Source 'a'"
        )),
        [
            "rules.ps1:2:66: error[E0332]: unknown parameter `-Target` for `Add-ADSyncAttributeFlowMapping`"
        ]
    );
}

#[test]
fn a_stray_parameter_on_add_adsyncrule_still_adds_the_rule() {
    let text = format!("{PRELUDE}Add-ADSyncRule -SynchronizationRule $syncRule[0] -Force\n");
    assert_eq!(
        headers(&text),
        ["rules.ps1:2:50: error[E0332]: unknown parameter `-Force` for `Add-ADSyncRule`"]
    );
}

#[test]
fn switches_variables_and_ignored_cmdlets() {
    let text = "\
Import-Module ADSync
$name = 'In from AD - Contact'
$precedence = 7
New-ADSyncRule -Name $name -Direction 'Inbound' -Precedence $precedence -SourceObjectType 'contact' `
  -TargetObjectType 'person' -Connector 'AE4DB4CC-B16B-4EB2-ACF5-837CA84E4D7D' -Disabled:$false `
  -EnablePasswordSync -OutVariable syncRule
Add-ADSyncAttributeFlowMapping -SynchronizationRule $syncRule[0] -Source 'mail' -Destination 'mail' `
  -FlowType 'Direct' -ValueMergeType 'update' -ExecuteOnce:$true -OutVariable syncRule
$saved = Add-ADSyncRule -SynchronizationRule $SYNCRULE[0]
Get-ADSyncRule -Identifier $saved.Identifier
";
    let rule = rules(text).remove(0);
    assert_eq!(rule.name, "In from AD - Contact");
    assert_eq!(rule.precedence, 7);
    assert!(rule.enabled);
    assert_eq!(rule.connector, "contoso.com");
    assert!(rule.flows[0].apply_once);
}

#[test]
fn guids_are_normalized_for_lookups() {
    assert_eq!(
        normalize_guid(" {AE4DB4CC-B16B-4EB2-ACF5-837CA84E4D7D} "),
        "ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d"
    );
}
