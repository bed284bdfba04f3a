//! W0105 against the attributes a connector's data has, for connectors without a schema.

use std::collections::BTreeSet;

use indexmap::IndexMap;

use super::flow_reads;
use crate::diag::Diagnostic;
use crate::rules::model::Direction;
use crate::rules::report::Report;
use crate::rules::set::RuleSet;

/// The attribute names each connector's data holds, by connector name: what an inbound
/// rule can read from a connector that has no schema (see [`reads_never_observed`]).
pub type ObservedAttributes = IndexMap<String, BTreeSet<String>>;

/// W0105 for connectors without a schema: an inbound flow reading an attribute that no
/// object in the connector's data has (`observed`, by connector; connectors missing from it
/// are not checked), when the data has an attribute spelt almost the same ([`near_miss`]):
/// a typo, which reads null. Attribute names are case-sensitive, as the engine reads them.
///
/// The other attributes read and never seen are returned by connector, not reported: an
/// export leaves out attributes no object has a value for, so a rule set written for many
/// directories (the default rules read every phone number AD has) reads many of them, and a
/// warning at each read would bury the typos.
pub fn reads_never_observed(
    set: &RuleSet,
    observed: &ObservedAttributes,
    report: &mut Report,
) -> ObservedAttributes {
    let mut unseen = ObservedAttributes::new();
    let inbound = set
        .rules
        .iter()
        .filter(|r| r.enabled && r.direction == Direction::Inbound);
    for rule in inbound {
        if set.connector_schemas.contains_key(&rule.connector) {
            continue;
        }
        let (Some(seen), Some(origin)) = (observed.get(&rule.connector), &rule.origin) else {
            continue;
        };
        for (i, flow) in rule.flows.iter().enumerate() {
            for (attr, span) in flow_reads(origin, i, flow) {
                if seen.contains(&attr) {
                    continue;
                }
                let Some(near) = near_miss(&attr, seen) else {
                    unseen
                        .entry(rule.connector.clone())
                        .or_default()
                        .insert(attr);
                    continue;
                };
                report.push(
                    &origin.path,
                    Diagnostic::warning(
                        "W0105",
                        span,
                        format!(
                            "`{attr}` is read but never imported: no object of connector `{}` has it",
                            rule.connector
                        ),
                    )
                    .with_help(format!("did you mean `{near}`? the connector's objects have that; `{attr}` is always null")),
                );
            }
        }
    }
    unseen
}

/// The name in `names` that `attr` most likely misspells: the same but for case, or one
/// edit away (a character added, removed, changed, or two swapped) for names of five or
/// more characters, two for eight or more. Short names are left alone: `st` and `sn` are
/// both real.
pub fn near_miss<'a>(attr: &str, names: &'a BTreeSet<String>) -> Option<&'a str> {
    let lower = attr.to_lowercase();
    let allowed = match attr.chars().count() {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    };
    names
        .iter()
        .map(|n| (strsim::osa_distance(&lower, &n.to_lowercase()), n))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn near_misses_are_case_slips_and_small_edits_of_long_names() {
        let seen = names(&["givenName", "sn", "targetAddress", "mail", "displayName"]);
        assert_eq!(near_miss("givenNmae", &seen), Some("givenName"));
        assert_eq!(near_miss("givnName", &seen), Some("givenName"));
        assert_eq!(near_miss("givenname", &seen), Some("givenName"));
        assert_eq!(near_miss("SN", &seen), Some("sn"));
        // Real attributes that are merely absent are not misspellings.
        assert_eq!(near_miss("st", &seen), None);
        assert_eq!(near_miss("streetAddress", &seen), None);
        assert_eq!(near_miss("mobile", &seen), None);
        assert_eq!(near_miss("middleName", &seen), None);
    }

    #[test]
    fn a_misspelt_read_is_located_and_other_unseen_reads_are_returned() {
        let text = "name: R\ndirection: inbound\nconnector: ad\nsource: user\ntarget: person\nprecedence: 1\nflows:\n  - target: givenName\n    expression: Trim([givenNmae])\n  - target: mobile\n    source: mobile\n  - target: sn\n    source: sn\n";
        let rule = crate::rules::load_rule(std::path::Path::new("r.yaml"), text);
        assert!(rule.is_ok(), "{rule:?}");
        let Ok(rule) = rule else { return };
        let set = RuleSet {
            rules: vec![rule],
            ..RuleSet::default()
        };
        let observed: ObservedAttributes = [("ad".to_owned(), names(&["givenName", "sn"]))]
            .into_iter()
            .collect();
        let mut report = Report::default();
        let unseen = reads_never_observed(&set, &observed, &mut report);
        let found: Vec<(&str, u32, Option<&str>)> = report
            .findings()
            .iter()
            .map(|f| {
                (
                    f.diagnostic.code,
                    f.diagnostic.span.start,
                    f.diagnostic.help.as_deref(),
                )
            })
            .collect();
        let at = text.find("[givenNmae]").map_or(0, |i| i as u32);
        assert_eq!(
            found,
            vec![(
                "W0105",
                at,
                Some(
                    "did you mean `givenName`? the connector's objects have that; `givenNmae` is always null"
                )
            )]
        );
        assert_eq!(unseen.get("ad"), Some(&names(&["mobile"])));
        // A connector nobody observed is not checked.
        let mut report = Report::default();
        let unseen = reads_never_observed(&set, &ObservedAttributes::new(), &mut report);
        assert!(report.findings().is_empty() && unseen.is_empty());
    }
}
