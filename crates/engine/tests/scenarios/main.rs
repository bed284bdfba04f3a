//! The sync semantics, one scenario each: rules + imported objects → metaverse and pending
//! exports.

#[path = "../common/mod.rs"]
mod common;

mod flows;
mod forests;
mod joins;
mod provisioning;
mod references;

use common::*;
use syncrules_lang::Value;

fn provision_person(extra: &str) -> String {
    rule(
        "In from AD",
        "inbound",
        "ad",
        "user",
        "person",
        10,
        &format!(
            "link: provision\njoin:\n  - - source: objectGUID\n      target: objectGUID\n{extra}"
        ),
    )
}

const FLOWS: &str = "flows:\n  - target: objectGUID\n    source: objectGUID\n  - target: displayName\n    expression: Trim([cn])\n";

fn user(cn: &str, guid: &str, attrs: &[(&str, Value)]) -> syncrules_engine::connector::ImportEntry {
    let mut all = vec![("cn", Value::from(cn)), ("objectGUID", Value::from(guid))];
    all.extend(attrs.iter().cloned());
    obj(&format!("CN={cn},DC=x"), guid, "user", &all)
}
