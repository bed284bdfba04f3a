//! Importing synchronization rules from the PowerShell that the Synchronization Rules
//! Editor's **Export** button writes (`syncrules import adsync-ps FILE.ps1 --out DIR`).
//!
//! An exported rule is a run of cmdlet calls chained through `-OutVariable`:
//!
//! ```text
//! New-ADSyncRule -Name '...' -Identifier '<guid>' -Description '' -Direction 'Inbound'
//!     -Precedence 201 -PrecedenceAfter '<guid>' -PrecedenceBefore '<guid>'
//!     -SourceObjectType 'user' -TargetObjectType 'person' -Connector '<guid>'
//!     -LinkType 'Provision' -SoftDeleteExpiryInterval 0 -ImmutableTag '' [-EnablePasswordSync]
//!     [-Disabled] -OutVariable syncRule
//! Add-ADSyncAttributeFlowMapping -SynchronizationRule $syncRule[0] [-Source @('a','b')]
//!     -Destination 'x' -FlowType 'Direct|Constant|Expression' -ValueMergeType 'Update'
//!     [-ExecuteOnce] [-Expression '...'] -OutVariable syncRule
//! New-Object -TypeName 'Microsoft.IdentityManagement.PowerShell.ObjectModel.ScopeCondition'
//!     -ArgumentList 'attribute','value','OPERATOR' -OutVariable condition0
//! Add-ADSyncScopeConditionGroup -SynchronizationRule $syncRule[0]
//!     -ScopeConditions @($condition0[0],$condition1[0]) -OutVariable syncRule
//! New-Object -TypeName 'Microsoft.IdentityManagement.PowerShell.ObjectModel.JoinCondition'
//!     -ArgumentList 'csAttribute','mvAttribute',$false -OutVariable condition0
//! Add-ADSyncJoinConditionGroup -SynchronizationRule $syncRule[0]
//!     -JoinConditions @($condition0[0]) -OutVariable syncRule
//! Add-ADSyncRule -SynchronizationRule $syncRule[0]
//! Get-ADSyncRule -Identifier '<guid>'
//! ```
//!
//! (each call is one statement, its lines joined by backticks). A file may hold any number
//! of rules; each `Add-ADSyncRule` yields one [`Rule`], in file order.
//!
//! # Sources for the parameters
//!
//! The rule cmdlets of the ADSync module have no published reference page (the ADSync
//! PowerShell reference, `reference-connect-adsync.md` in MicrosoftDocs/azure-docs,
//! covers the helper cmdlets of `ADSync.psm1` and lists the common parameters,
//! `-OutVariable` among them). The parameters were taken from:
//!
//! - Microsoft's own exported scripts in the Entra Connect documentation, e.g.
//!   MicrosoftDocs/entra-docs `docs/identity/hybrid/connect/how-to-connect-modify-group-writeback.md`
//!   (every `New-ADSyncRule` parameter above, an `Expression` flow without `-Source`, a
//!   `ScopeCondition`, a `JoinCondition` with `$false`, the group cmdlets, `Add-ADSyncRule`
//!   then `Get-ADSyncRule -Identifier`);
//! - microsoft/AADConnectConfigDocumenter `src/AzureADConnectSyncDocumenter/SyncRuleDocumenter.cs`,
//!   which writes the same script from a rule's XML and so says which field goes where:
//!   `ScopeCondition` arguments are `csAttribute, csValue, csOperator`; `JoinCondition`
//!   arguments are `csAttribute, ilmAttribute` (the metaverse attribute) and `$true`/`$false`
//!   for case sensitivity; a `Direct` or `Constant` flow's attribute or constant is the one
//!   element of `-Source`; an `Expression` flow's `-Source` lists the attributes it reads
//!   and is left out when it reads none; `-ExecuteOnce` is written for apply-once flows,
//!   `-Disabled` for disabled rules and `-EnablePasswordSync` for the password-sync rule;
//! - raandree/AADConnectDsc `source/Classes/AADSyncRule.ps1`, which builds rules with the
//!   same cmdlets: the constructors `ScopeCondition(Attribute, ComparisonValue,
//!   ComparisonOperator)` and `JoinCondition(CSAttribute, MVAttribute, CaseSensitive)`, and a
//!   flow's `Source`, `Destination`, `FlowType`, `ValueMergeType`, `Expression`, `ExecuteOnce`;
//! - exports of the default rules published on the web, which show `-FlowType 'Constant'`
//!   with `-Source @('True')`, `-ExecuteOnce` and `-Disabled` as bare switches, and the
//!   `ISBITNOTSET` operator.
//!
//! # Decisions
//!
//! - PowerShell's rules are followed where they matter: cmdlet and parameter names are
//!   case-insensitive and a parameter may be shortened to a unique prefix; enumeration
//!   values (`'inbound'`) are case-insensitive; `-OutVariable x` stores a list of the
//!   cmdlet's output, and indexing a single object with `[0]` gives the object; `@(...)`
//!   unrolls lists; switches take `-Switch:$false`; `$x = <cmdlet>` and `$x = <value>`
//!   assign; `| Out-Null` and `$rule | Add-ADSyncRule` (pipeline input to
//!   `-SynchronizationRule`) work; `New-Object` takes its two parameters by position too.
//! - The join condition's case-sensitivity must be `$true` or `$false` (or 1/0): PowerShell
//!   would read the string `'False'` as true, which is never what was meant.
//! - A `JoinCondition` names the connector attribute first. The rule model's join `source`
//!   is the rule's source side, so an outbound rule's conditions are swapped.
//! - `-Source` of an `Expression` flow is dropped (the checker finds what an expression
//!   reads); `-Identifier`, `-PrecedenceAfter`, `-PrecedenceBefore`,
//!   `-SoftDeleteExpiryInterval` and `-EnablePasswordSync` are read and dropped: the rule
//!   model has no place for them. An empty `-Description` is no description. The value of an
//!   `ISNULL`/`ISNOTNULL` condition is dropped.
//! - A non-empty `-ImmutableTag` marks a vendor rule: `vendor: {immutable-tag, fingerprint}`
//!   with the [`fingerprint`](syncrules_lang::rules::fingerprint) of the rule as imported.
//! - `-Connector` (a GUID) becomes a connector name through the caller's lookup, or stays
//!   the GUID when the lookup knows none; see [`normalize_guid`].
//! - A backtick followed only by blanks still continues the line (copies from web pages
//!   have such blanks); `Get-ADSyncRule` and `Import-Module` are read and not checked;
//!   anything else (other cmdlets such as `Read-Host`, script blocks, `if`, `[type]` casts,
//!   `$(...)`, member access such as `$syncRule[0].Identifier`, variables inside
//!   double-quoted strings) is an error.
//! - A rule that is created and never added is an error, as is `Add-ADSyncRule` without a
//!   rule. Errors are collected over the whole file, one per mistake: after a statement
//!   fails, the variables it would have set carry the failure silently, except that a
//!   failed call on a rule still hands the rule on, so the calls after it are checked.
//!
//! Error codes: E0330 syntax, E0331 unknown cmdlet, E0332 parameter (unknown, ambiguous,
//! repeated, positional), E0333 missing parameter or value, E0334 bad value, E0335 unset
//! variable or missing element, E0336 rule never added.

mod bind;
mod build;
mod cmdlets;
mod convert;
mod lex;
mod parse;
mod run;

use std::path::Path;

use syncrules_lang::diag::Diagnostic;
use syncrules_lang::rules::model::Rule;

/// Reads the rules of an exported PowerShell script, one per `Add-ADSyncRule`, in file
/// order. `connectors` maps a connector GUID, as written in `-Connector`, to the
/// connector's name (`None` keeps the GUID as the name). On failure, every error found is
/// returned, in file order, with byte spans into `text`: render them with
/// [`Diagnostic::render`] and the name of `path`.
pub fn import_adsync_ps(
    path: &Path,
    text: &str,
    connectors: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Rule>, Vec<Diagnostic>> {
    // The rules are not tied to the script (`origin` is for rule files); the caller names
    // the file when it renders the errors.
    let _ = path;
    let (tokens, mut errors) = lex::lex(text);
    let (statements, parse_errors) = parse::parse(&tokens);
    errors.extend(parse_errors);
    let mut interp = run::Interp::new(connectors);
    interp.lost_track = !errors.is_empty();
    for s in &statements {
        interp.statement(s);
    }
    interp.finish();
    errors.append(&mut interp.errors);
    if errors.is_empty() {
        Ok(interp.out)
    } else {
        errors.sort_by_key(|d| (d.span.start, d.span.end));
        Err(errors)
    }
}

/// A connector GUID in one spelling, for comparing `-Connector` with the GUIDs of a
/// configuration export: lowercase, without braces or blanks (`{AE4DB4CC-...}` →
/// `ae4db4cc-...`).
pub fn normalize_guid(guid: &str) -> String {
    guid.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim()
        .to_lowercase()
}

#[cfg(test)]
mod tests;
