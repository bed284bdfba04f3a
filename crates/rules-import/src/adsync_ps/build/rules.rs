//! `New-ADSyncRule`, which creates a rule, and `Add-ADSyncRule`, which adds it to the
//! output (with its vendor fingerprint when it has an immutable tag).

use super::super::bind::Bound;
use super::super::parse::Command;
use super::super::run::{Building, Interp, V};
use super::{optional_string, required, required_text};
use syncrules_lang::rules::model::{DIRECTIONS, LINK_TYPES, LinkType, Rule, Vendor, fingerprint};

/// `New-ADSyncRule`: a new rule, from its parameters.
pub(super) fn new_rule(i: &mut Interp<'_>, c: &Command, b: &Bound) -> Option<V> {
    let name = required_text(i, c, b, "Name");
    let direction =
        required(i, c, b, "Direction").and_then(|v| i.choice(v, "Direction", None, DIRECTIONS));
    let precedence = required(i, c, b, "Precedence").and_then(|v| {
        let n = i.integer(v, "Precedence")?;
        if n < 1 {
            i.error(
                "E0334",
                v.span,
                format!("`-Precedence` must be 1 or more, found {n}"),
                "",
            );
            return None;
        }
        Some(n)
    });
    let source = required_text(i, c, b, "SourceObjectType");
    let target = required_text(i, c, b, "TargetObjectType");
    let connector = required_text(i, c, b, "Connector").map(|g| (i.connectors)(&g).unwrap_or(g));
    let link = match b.get("LinkType") {
        Some(v) => i.choice(v, "LinkType", None, LINK_TYPES),
        None => Some(LinkType::Join),
    };
    let description = match b.get("Description") {
        Some(v) => i
            .string(v, "Description")
            .map(|d| (!d.is_empty()).then_some(d)),
        None => Some(None),
    };
    let tag = optional_string(i, b, "ImmutableTag").map(|t| t.map(|t| t.trim().to_owned()));
    // Read for their errors only: the model has no place for them.
    let mut ignored_ok = true;
    for p in [
        "Identifier",
        "PrecedenceAfter",
        "PrecedenceBefore",
        "SoftDeleteExpiryInterval",
    ] {
        if let Some(v) = b.get(p) {
            ignored_ok &= i.string(v, p).is_some();
        }
    }
    let (
        Some(name),
        Some(direction),
        Some(precedence),
        Some(source),
        Some(target),
        Some(connector),
        Some(link),
        Some(description),
        Some(tag),
        true,
    ) = (
        name,
        direction,
        precedence,
        source,
        target,
        connector,
        link,
        description,
        tag,
        ignored_ok,
    )
    else {
        return None;
    };
    let mut rule = Rule::new(name, direction, connector, source, target, precedence);
    rule.description = description;
    rule.link = link;
    rule.enabled = !b.switch("Disabled");
    i.rules.push(Building {
        rule,
        tag,
        at: c.name_span,
        added: None,
    });
    Some(V::Rule(i.rules.len() - 1))
}

/// `Add-ADSyncRule`: the rule goes to the output (again, when it is added again).
pub(super) fn add_rule(i: &mut Interp<'_>, c: &Command, b: &Bound) -> Option<V> {
    let Some(v) = b.get("SynchronizationRule") else {
        i.error(
            "E0333",
            c.name_span,
            "`Add-ADSyncRule` needs a rule".into(),
            "pass it as `-SynchronizationRule $syncRule[0]`",
        );
        return None;
    };
    let index = i.rule(v, "SynchronizationRule")?;
    let building = i.rules.get_mut(index)?;
    let mut rule = building.rule.clone();
    if let Some(tag) = &building.tag {
        rule.vendor = Some(Vendor {
            immutable_tag: tag.clone(),
            fingerprint: None,
        });
        let print = fingerprint(&rule);
        rule.vendor = Some(Vendor {
            immutable_tag: tag.clone(),
            fingerprint: Some(print),
        });
    }
    match building.added {
        // Adding it again saves it again, as Entra Connect does for the same identifier.
        Some(at) => {
            if let Some(slot) = i.out.get_mut(at) {
                *slot = rule;
            }
        }
        None => {
            building.added = Some(i.out.len());
            i.out.push(rule);
        }
    }
    Some(V::Rule(index))
}
