//! Checking a rule set against its declarations and schemas, and compiling it.

use indexmap::IndexMap;

use super::whole::{contributions, plan_fingerprint, unique_names_and_precedences};
use super::{Clause, FlowValue, GroupKey, Plan, PlannedFlow, PlannedRule, RuleGroup};
use crate::check::{AttributeTypes, Untyped};
use crate::diag::{Diagnostic, Severity};
use crate::ir::Slots;
use crate::name::Name;
use crate::rules::model::{Direction, FlowSource, Rule, ScopeOp, spelling};
use crate::rules::report::Report;
use crate::rules::set::RuleSet;
use crate::schema::Schema;
use crate::span::Span;
use crate::types::{Scalar, Ty};
use crate::value::Value;

/// The two sides of a rule: the schema and declared types it reads from and writes to.
struct Sides<'a> {
    source: Option<&'a Schema>,
    target: Option<&'a Schema>,
    source_types: Vec<String>,
    target_types: Vec<String>,
}

fn object_types(schema: Option<&Schema>, declared: &[String]) -> Vec<String> {
    match schema {
        Some(s) if !s.is_empty() => s.classes().map(|c| c.name.clone()).collect(),
        _ => declared.to_vec(),
    }
}

/// Whether `attr` may be set on (or read from) objects of `class` in `schema`.
fn has_attribute(schema: &Schema, class: &str, attr: &str) -> bool {
    if attr == "dn" {
        return true;
    }
    match schema.class_attributes(class) {
        Some(attrs) => attrs.contains(&attr),
        None => schema.attribute(attr).is_some(),
    }
}

/// Checks and compiles `set`; `None` when any error was found.
pub fn build(set: &RuleSet, report: &mut Report) -> Option<Plan> {
    let errors_before = report.errors();
    // A declarations file that does not load leaves every connector undeclared: its own
    // errors are the cause, and the unknown connectors and object types of every rule
    // would only bury them.
    let declarations_failed = set.config_path.as_ref().is_some_and(|p| {
        report
            .findings()
            .iter()
            .any(|f| &f.file == p && f.diagnostic.severity == Severity::Error)
    });
    unique_names_and_precedences(set, report);
    let mut groups: IndexMap<GroupKey, RuleGroup> = IndexMap::new();
    let mut order: Vec<&Rule> = set.rules.iter().filter(|r| r.enabled).collect();
    order.sort_by_key(|r| (r.precedence, r.name.clone()));
    // Check disabled rules too, so a rule can be switched on without surprises.
    let disabled: Vec<&Rule> = set.rules.iter().filter(|r| !r.enabled).collect();
    for rule in order.iter().chain(disabled.iter()) {
        if declarations_failed {
            continue;
        }
        let Some(sides) = sides(set, rule, report) else {
            continue;
        };
        let key = GroupKey {
            direction: rule.direction,
            connector: rule.connector.clone(),
            source: rule.source.clone(),
        };
        let params = parameters(set, &rule.connector);
        let group = groups.entry(key).or_insert_with(|| RuleGroup {
            slots: Slots::default(),
            rules: Vec::new(),
            parameters: Vec::new(),
        });
        if let Some(planned) = compile_rule(rule, &sides, &mut group.slots, &params, report)
            && rule.enabled
        {
            group.rules.push(planned);
        }
        group.parameters = crate::env::parameters(&group.slots, &params);
    }
    groups.retain(|_, g| !g.rules.is_empty());
    groups.sort_keys();
    let contributions = contributions(set, &groups, report);
    if declarations_failed || report.errors() > errors_before {
        return None;
    }
    Some(Plan {
        fingerprint: plan_fingerprint(set),
        groups,
        contributions,
    })
}

fn sides<'a>(set: &'a RuleSet, rule: &Rule, report: &mut Report) -> Option<Sides<'a>> {
    let Some(decl) = set.config.connectors.get(&rule.connector) else {
        let (file, span) = rule.at("connector");
        let d = Diagnostic::error(
            "E0401",
            span,
            format!("unknown connector `{}`", rule.connector),
        );
        let d = match crate::diag::closest(
            &rule.connector,
            set.config.connectors.keys().map(String::as_str),
        ) {
            Some(n) => d.with_help(format!("did you mean `{n}`?")),
            None if set.config_path.is_none() => {
                d.with_help("declare connectors in a `syncrules.yaml` beside the rules")
            }
            None => d.with_help("declare it under `connectors` in syncrules.yaml"),
        };
        report.push(&file, d);
        return None;
    };
    let cs = set.connector_schemas.get(&rule.connector);
    let mv = set.metaverse.as_ref();
    let cs_types = object_types(cs, &decl.object_types);
    let mv_types = object_types(mv, &set.config.metaverse.object_types);
    let sides = match rule.direction {
        Direction::Inbound => Sides {
            source: cs,
            target: mv,
            source_types: cs_types,
            target_types: mv_types,
        },
        Direction::Outbound => Sides {
            source: mv,
            target: cs,
            source_types: mv_types,
            target_types: cs_types,
        },
    };
    let mut ok = true;
    for (key, ty, known, side) in [
        (
            "source",
            &rule.source,
            &sides.source_types,
            rule.direction == Direction::Inbound,
        ),
        (
            "target",
            &rule.target,
            &sides.target_types,
            rule.direction == Direction::Outbound,
        ),
    ] {
        // `*`: a join rule that may join a metaverse object of any type (Entra Connect's
        // foreign-security-principal rules).
        let any_mv = ty == "*" && !side && rule.link == crate::rules::model::LinkType::Join;
        if known.is_empty() || known.contains(ty) || any_mv {
            continue;
        }
        ok = false;
        let whose = if side {
            format!("connector `{}`", rule.connector)
        } else {
            "the metaverse".to_owned()
        };
        let (file, span) = rule.at(key);
        let d = Diagnostic::error(
            "E0402",
            span,
            format!("`{ty}` is not an object type of {whose}"),
        );
        report.push(
            &file,
            match crate::diag::closest(ty, known.iter().map(String::as_str)) {
                Some(n) => d.with_help(format!("did you mean `{n}`?")),
                None => d,
            },
        );
    }
    ok.then_some(sides)
}

fn compile_rule(
    rule: &Rule,
    sides: &Sides<'_>,
    slots: &mut Slots,
    params: &IndexMap<String, String>,
    report: &mut Report,
) -> Option<PlannedRule> {
    let file = rule.file();
    let origin = rule.origin.as_deref();
    let types: &dyn AttributeTypes = match sides.source {
        Some(s) => s,
        None => &Untyped,
    };
    let mut ok = true;
    let mut fail = |report: &mut Report, d: Diagnostic| {
        ok = false;
        report.push(&file, d);
    };
    let clause_span = |g: usize, c: usize| {
        origin
            .and_then(|o| o.spans.scope.get(g).and_then(|s| s.get(c)).copied())
            .unwrap_or_default()
    };
    let mut scope = Vec::with_capacity(rule.scope.len());
    for (g, group) in rule.scope.iter().enumerate() {
        let mut clauses = Vec::with_capacity(group.len());
        for (c, clause) in group.iter().enumerate() {
            let number = clause.value.trim().parse::<i64>().ok();
            if matches!(clause.operator, ScopeOp::IsBitSet | ScopeOp::IsNotBitSet)
                && number.is_none()
            {
                fail(
                    report,
                    Diagnostic::error(
                        "E0408",
                        clause_span(g, c),
                        format!(
                            "`{}` needs a number, found `{}`",
                            spelling(crate::rules::model::SCOPE_OPS, clause.operator),
                            clause.value
                        ),
                    ),
                );
            }
            if let Some(schema) = sides.source
                && !has_attribute(schema, &rule.source, &clause.attribute)
            {
                let d = Diagnostic::error(
                    "E0406",
                    clause_span(g, c),
                    format!(
                        "`{}` is not an attribute of `{}`",
                        clause.attribute, rule.source
                    ),
                );
                fail(report, suggest(d, schema, &clause.attribute));
            }
            let value = resolve_parameter(&clause.value, params);
            clauses.push(Clause {
                attribute: clause.attribute.clone(),
                slot: slots.attribute(&clause.attribute),
                operator: clause.operator,
                number: value.trim().parse::<i64>().ok().or(number),
                value,
            });
        }
        scope.push(clauses);
    }
    for (g, group) in rule.join.iter().enumerate() {
        for (c, cond) in group.iter().enumerate() {
            let span = origin
                .and_then(|o| o.spans.join.get(g).and_then(|s| s.get(c)).copied())
                .unwrap_or_default();
            for (attr, schema, class) in [
                (&cond.source, sides.source, &rule.source),
                (&cond.target, sides.target, &rule.target),
            ] {
                if let Some(schema) = schema
                    && !has_attribute(schema, class, attr)
                {
                    let d = Diagnostic::error(
                        "E0406",
                        span,
                        format!("`{attr}` is not an attribute of `{class}`"),
                    );
                    fail(report, suggest(d, schema, attr));
                }
            }
            slots.attribute(&cond.source);
        }
    }
    let mut flows = Vec::with_capacity(rule.flows.len());
    for (i, flow) in rule.flows.iter().enumerate() {
        let spans = origin.and_then(|o| o.spans.flows.get(i));
        let target_span = spans.map_or(Span::default(), |s| s.target);
        let target_ty = sides
            .target
            .map_or(Ty::Var, |s| s.attribute_type(&flow.target));
        if let Some(schema) = sides.target
            && !has_attribute(schema, &rule.target, &flow.target)
        {
            let d = Diagnostic::error(
                "E0405",
                target_span,
                format!("`{}` is not an attribute of `{}`", flow.target, rule.target),
            );
            fail(report, suggest(d, schema, &flow.target));
        }
        let value = match &flow.source {
            FlowSource::Expression(src) => match crate::compile(src, types, slots) {
                Ok((_, program)) => Some(FlowValue::Expression(program)),
                Err(diags) => {
                    for d in diags.items {
                        let span = match (spans.and_then(|s| s.value.as_ref()), origin) {
                            (Some(scalar), Some(o)) => scalar.file_span(&o.text, d.span),
                            _ => Span::default(),
                        };
                        fail(report, Diagnostic { span, ..d });
                    }
                    None
                }
            },
            FlowSource::Direct(attr) => {
                if let Some(schema) = sides.source
                    && !has_attribute(schema, &rule.source, attr)
                {
                    let span = spans
                        .and_then(|s| s.value.as_ref())
                        .map_or(Span::default(), |v| v.span);
                    let d = Diagnostic::error(
                        "E0406",
                        span,
                        format!("`{attr}` is not an attribute of `{}`", rule.source),
                    );
                    fail(report, suggest(d, schema, attr));
                }
                Some(FlowValue::Direct(slots.attribute(attr)))
            }
            FlowSource::Constant(text) => match constant(text, target_ty) {
                Ok(v) => Some(FlowValue::Constant(v)),
                Err(e) => {
                    let span = spans
                        .and_then(|s| s.value.as_ref())
                        .map_or(Span::default(), |v| v.span);
                    fail(report, Diagnostic::error("E0409", span, e.to_string()));
                    None
                }
            },
        };
        if let Some(value) = value {
            flows.push(PlannedFlow {
                target: Name::new(&flow.target),
                text: match &flow.source {
                    FlowSource::Expression(t) | FlowSource::Direct(t) | FlowSource::Constant(t) => {
                        t.clone()
                    }
                },
                value,
                merge: flow.merge,
                apply_once: flow.apply_once,
            });
        }
    }
    ok.then(|| PlannedRule {
        name: Name::new(&rule.name),
        precedence: rule.precedence,
        link: rule.link,
        target: rule.target.clone(),
        scope,
        join: rule.join.clone(),
        flows,
    })
}

/// A connector's parameters, with `Connector.ID` from its declared id.
fn parameters(set: &RuleSet, connector: &str) -> IndexMap<String, String> {
    let Some(decl) = set.config.connectors.get(connector) else {
        return IndexMap::new();
    };
    let mut params = decl.parameters.clone();
    if let Some(id) = &decl.id {
        params
            .entry("Connector.ID".to_owned())
            .or_insert_with(|| id.trim_matches(['{', '}']).to_owned());
    }
    params
}

/// A scope value that is exactly `%Name%` takes the connector's parameter.
fn resolve_parameter(value: &str, params: &IndexMap<String, String>) -> String {
    value
        .strip_prefix('%')
        .and_then(|v| v.strip_suffix('%'))
        .and_then(|name| params.get(name))
        .cloned()
        .unwrap_or_else(|| value.to_owned())
}

fn suggest(d: Diagnostic, schema: &Schema, name: &str) -> Diagnostic {
    if schema.attribute(name).is_some() {
        return d.with_help(format!(
            "the schema has `{name}`, but not on this object type"
        ));
    }
    match schema.attribute_names_like(name) {
        Some(n) => d.with_help(format!("did you mean `{n}`?")),
        None => d,
    }
}

/// Why a constant flow's text does not fit its target.
#[derive(Debug, PartialEq, thiserror::Error)]
enum ConstantError {
    /// Not `true` or `false`, for a Boolean target.
    #[error("constant `{0}` is not a Boolean, which the target needs")]
    NotABoolean(String),
    /// Not an integer, for a number target.
    #[error("constant `{0}` is not a number, which the target needs")]
    NotANumber(String),
}

/// A constant flow's text as a value of the target's type.
fn constant(text: &str, target: Ty) -> Result<Value, ConstantError> {
    match target.element() {
        Ty::One(Scalar::Bool) => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(ConstantError::NotABoolean(text.to_owned())),
        },
        Ty::One(Scalar::Num) => text
            .trim()
            .parse::<i64>()
            .map(Value::Num)
            .map_err(|_| ConstantError::NotANumber(text.to_owned())),
        Ty::One(Scalar::Ref) => Ok(Value::reference(text)),
        _ => Ok(Value::str(text)),
    }
}
