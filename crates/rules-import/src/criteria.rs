//! `<synchronizationCriteria>` (the scoping filter) and `<relationshipCriteria>` (the join).

use super::ImportError;
use super::rule::Reader;
use super::xml::Element;
use syncrules_lang::rules::model::{Direction, JoinCondition, SCOPE_OPS, ScopeClause};

/// `<synchronizationCriteria>`: OR of `<conditions>`, AND of `<scope>`.
pub(super) fn scope(
    r: &mut Reader<'_>,
    criteria: &Element,
) -> Result<Vec<Vec<ScopeClause>>, ImportError> {
    r.leftovers(criteria, &[], false);
    r.children(criteria, &[], &["conditions"]);
    let mut groups = Vec::new();
    let mut everything = false;
    for g in criteria.all("conditions") {
        r.leftovers(g, &[], false);
        r.children(g, &[], &["scope"]);
        let group = g
            .all("scope")
            .map(|s| clause(r, s))
            .collect::<Result<Vec<_>, _>>()?;
        if group.is_empty() {
            r.warn(g, "an empty scoping group matches every object: the rule's scope is dropped, so it applies to every object of its source type");
            everything = true;
        }
        groups.push(group);
    }
    Ok(if everything { Vec::new() } else { groups })
}

fn clause(r: &mut Reader<'_>, s: &Element) -> Result<ScopeClause, ImportError> {
    r.leftovers(s, &[], false);
    r.children(s, &["csAttribute", "csOperator", "csValue"], &[]);
    let attribute = r.required(s, "csAttribute")?;
    let operator = match r.single(s, "csOperator")? {
        Some(e) => r.spelled(e, SCOPE_OPS)?,
        None => return Err(r.doc.invalid(s, "`<scope>` has no `<csOperator>`")),
    };
    let value = r.single(s, "csValue")?.map_or("", |v| v.text.as_str());
    let value = if operator.takes_value() {
        value.to_owned()
    } else {
        if !value.trim().is_empty() {
            r.warn(
                s,
                format_args!("scope clause on `{attribute}`: dropped the value `{value}`, which ISNULL and ISNOTNULL do not use"),
            );
        }
        String::new()
    };
    Ok(ScopeClause {
        attribute,
        operator,
        value,
    })
}

/// `<relationshipCriteria>`: groups of `<condition>`. `csAttribute` is always the connector
/// space's and `ilmAttribute` the metaverse's, so an outbound rule's source is `ilmAttribute`.
pub(super) fn join(
    r: &mut Reader<'_>,
    criteria: &Element,
    direction: Direction,
) -> Result<Vec<Vec<JoinCondition>>, ImportError> {
    r.leftovers(criteria, &[], false);
    r.children(criteria, &[], &["conditions"]);
    let mut groups = Vec::new();
    for g in criteria.all("conditions") {
        r.leftovers(g, &[], false);
        r.children(g, &[], &["condition"]);
        let mut group = Vec::new();
        for c in g.all("condition") {
            r.leftovers(c, &[], false);
            r.children(c, &["csAttribute", "ilmAttribute", "caseSensitive"], &[]);
            let cs = r.required(c, "csAttribute")?;
            let mv = r.required(c, "ilmAttribute")?;
            let case_sensitive = match r.single(c, "caseSensitive")? {
                Some(e) => r.flag(e)?,
                None => false,
            };
            let (source, target) = match direction {
                Direction::Inbound => (cs, mv),
                Direction::Outbound => (mv, cs),
            };
            group.push(JoinCondition {
                source,
                target,
                case_sensitive,
            });
        }
        if group.is_empty() {
            r.warn(g, "dropped an empty join group");
        } else {
            groups.push(group);
        }
    }
    Ok(groups)
}
