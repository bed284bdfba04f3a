//! Errors, each reported once where it is: the broken fixture script, syntax errors,
//! parameter and value errors, and a rule never added.

use super::{PRELUDE, headers, import, with_rule};

const BROKEN: &str = include_str!("../../../tests/fixtures/adsync-ps/broken.ps1");

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

#[test]
fn a_rule_never_added_is_an_error() {
    assert_eq!(
        headers(PRELUDE),
        ["rules.ps1:1:1: error[E0336]: the rule `R` is never added"]
    );
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
