//! The script forms the importer reads: lexer forms, here-strings, switches, variables,
//! ignored cmdlets, a rule added twice, and GUIDs normalized for connector lookups.

use super::{flow, normalize_guid, rules, with_rule};
use syncrules_lang::rules::{Flow, FlowSource};

fn flows_of(body: &str) -> Vec<Flow> {
    rules(&with_rule(body)).remove(0).flows
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
