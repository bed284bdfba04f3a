//! Tests of the PowerShell importer, on scripts written from the cmdlets' parameters
//! (`tests/fixtures/adsync-ps/`).

mod errors;
mod forms;
mod rules;

use std::path::Path;

use super::{import_adsync_ps, normalize_guid};
use syncrules_lang::diag::Diagnostic;
use syncrules_lang::rules::*;

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

// Small scripts: one rule around the statements under test.

const PRELUDE: &str = "New-ADSyncRule -Name 'R' -Direction 'Inbound' -Precedence 50 -SourceObjectType 'user' -TargetObjectType 'person' -Connector 'ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d' -OutVariable syncRule\n";

fn with_rule(body: &str) -> String {
    format!("{PRELUDE}{body}\nAdd-ADSyncRule -SynchronizationRule $syncRule[0]\n")
}
