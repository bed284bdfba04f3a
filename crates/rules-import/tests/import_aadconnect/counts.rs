//! Per-rule and total counts of the import (flows by kind, expressions, scoping, joins,
//! merge types, Apply Once) against the independent string scans of the XML.

use std::collections::BTreeMap;
use std::fmt;

use syncrules_lang::rules::{FlowSource, LinkType, MergeType, Rule};

use super::{Outcome, Raw, fail, imported, raw_rules, rule};

/// The model's counts of one rule, in the same shape as [`Raw`].
fn counted(rule: &Rule) -> Raw {
    let expressions = rule
        .flows
        .iter()
        .filter_map(|f| match &f.source {
            FlowSource::Expression(e) => Some(e.clone()),
            _ => None,
        })
        .collect();
    let constants = rule
        .flows
        .iter()
        .filter_map(|f| match &f.source {
            FlowSource::Constant(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let merges = |m: MergeType| rule.flows.iter().filter(|f| f.merge == m).count();
    let clauses = rule.scope.iter().flatten();
    Raw {
        name: rule.name.clone(),
        direction: format!("{:?}", rule.direction),
        link: format!("{:?}", rule.link),
        precedence: rule.precedence,
        tag: rule
            .vendor
            .as_ref()
            .map_or_else(String::new, |v| v.immutable_tag.clone()),
        mappings: rule.flows.len(),
        expressions,
        constants,
        apply_once: rule.flows.iter().filter(|f| f.apply_once).count(),
        merge_case_insensitive: merges(MergeType::MergeCaseInsensitive),
        merge_update: merges(MergeType::Update),
        scope_groups: rule.scope.len(),
        scope_clauses: clauses.clone().count(),
        null_tests: clauses.filter(|c| !c.operator.takes_value()).count(),
        join_groups: rule.join.len(),
        join_conditions: rule.join.iter().flatten().count(),
        case_sensitive: rule
            .join
            .iter()
            .flatten()
            .filter(|c| c.case_sensitive)
            .count(),
    }
}

/// Rules, flows (by kind), expressions, scoping clauses and groups, join conditions and groups,
/// merge types and Apply Once, per rule and in total, as the XML says.
#[test]
fn counts_match_the_xml() -> Outcome {
    let imported = imported()?;
    let raw = raw_rules()?;
    let mut totals: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut add = |what: &'static str, xml: usize, model: usize| {
        let t = totals.entry(what).or_default();
        t.0 += xml;
        t.1 += model;
    };
    for (file, xml) in &raw {
        let model = counted(rule(imported, &xml.name)?);
        let file = file.display();
        let same = |what: &str, a: &dyn fmt::Debug, b: &dyn fmt::Debug| {
            let (a, b) = (format!("{a:?}"), format!("{b:?}"));
            if a == b {
                Ok(())
            } else {
                fail(format!("{file}: {what}: the XML says {a}, the import {b}"))
            }
        };
        same("direction", &xml.direction, &model.direction)?;
        same("link type", &xml.link, &model.link)?;
        same("precedence", &xml.precedence, &model.precedence)?;
        same("immutable tag", &xml.tag, &model.tag)?;
        same("flows", &xml.mappings, &model.mappings)?;
        same("expressions", &xml.expressions, &model.expressions)?;
        same("constants", &xml.constants, &model.constants)?;
        same("apply-once flows", &xml.apply_once, &model.apply_once)?;
        same(
            "merge-case-insensitive",
            &xml.merge_case_insensitive,
            &model.merge_case_insensitive,
        )?;
        same("update flows", &xml.merge_update, &model.merge_update)?;
        same("scope groups", &xml.scope_groups, &model.scope_groups)?;
        same("scope clauses", &xml.scope_clauses, &model.scope_clauses)?;
        same("null tests", &xml.null_tests, &model.null_tests)?;
        same("join groups", &xml.join_groups, &model.join_groups)?;
        same(
            "join conditions",
            &xml.join_conditions,
            &model.join_conditions,
        )?;
        same(
            "case-sensitive conditions",
            &xml.case_sensitive,
            &model.case_sensitive,
        )?;
        add("rules", 1, 1);
        add("flows", xml.mappings, model.mappings);
        add(
            "expressions",
            xml.expressions.len(),
            model.expressions.len(),
        );
        add("constants", xml.constants.len(), model.constants.len());
        add("scope clauses", xml.scope_clauses, model.scope_clauses);
        add(
            "join conditions",
            xml.join_conditions,
            model.join_conditions,
        );
    }
    // Both sides counted every file; no imported rule is left unmatched.
    if raw.len() != imported.rules.len() {
        return fail(format!(
            "{} rule files, {} imported rules",
            raw.len(),
            imported.rules.len()
        ));
    }
    for (what, (xml, model)) in &totals {
        if xml != model {
            return fail(format!("{what}: the XML has {xml}, the import {model}"));
        }
    }
    // The corpus README's figures, which the scans above must reproduce.
    let total = |what: &str| totals.get(what).map_or(0, |t| t.0);
    assert_eq!(total("rules"), 62, "the README counts 62 rules");
    assert_eq!(
        total("expressions"),
        391,
        "the README counts 391 expressions"
    );
    let provision = imported
        .rules
        .iter()
        .filter(|r| r.link == LinkType::Provision)
        .count();
    assert_eq!(provision, 9, "the README counts 9 Provision rules");
    let flows = imported.rules.iter().flat_map(|r| &r.flows);
    let mci = flows
        .clone()
        .filter(|f| f.merge == MergeType::MergeCaseInsensitive)
        .count();
    assert_eq!(
        (flows.count() - mci, mci),
        (1195, 5),
        "the README's merge types"
    );
    Ok(())
}
