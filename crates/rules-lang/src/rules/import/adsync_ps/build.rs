//! What each cmdlet does to the rules being built.

use super::bind::Bound;
use super::cmdlets::{Action, Cmdlet, JOIN_TYPE, SCOPE_TYPE};
use super::parse::Command;
use super::run::{Building, Interp, Output, V, Val};
use crate::rules::model::{
    DIRECTIONS, Direction, Flow, FlowSource, JoinCondition, LINK_TYPES, LinkType, MERGE_TYPES,
    MergeType, Rule, SCOPE_OPS, ScopeClause, Spellings, Vendor, fingerprint,
};
use crate::span::Span;

/// Flow types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FlowType {
    Direct,
    Constant,
    Expression,
}

const FLOW_TYPES: Spellings<FlowType> = &[
    (FlowType::Direct, "direct", &["Direct"]),
    (FlowType::Constant, "constant", &["Constant"]),
    (FlowType::Expression, "expression", &["Expression"]),
];

/// Runs a bound call.
pub(super) fn run(i: &mut Interp<'_>, cmdlet: &Cmdlet, c: &Command, b: &Bound) -> Output {
    let out = match cmdlet.action {
        Action::NewRule => new_rule(i, c, b),
        Action::AddFlow => add_flow(i, c, b),
        Action::AddScopeGroup => add_scope_group(i, c, b),
        Action::AddJoinGroup => add_join_group(i, c, b),
        Action::AddRule => add_rule(i, c, b),
        Action::NewObject => new_object(i, c, b),
        Action::Discard | Action::Ignored => return Output::Nothing,
    };
    out.map_or(Output::Failed, Output::Value)
}

/// The value of a required parameter, or an error at the cmdlet's name.
fn required<'b>(i: &mut Interp<'_>, c: &Command, b: &'b Bound, p: &str) -> Option<&'b Val> {
    let found = b.get(p);
    if found.is_none() {
        i.error(
            "E0333",
            c.name_span,
            format!("`{}` needs `-{p}`", c.name),
            "",
        );
    }
    found
}

fn required_text(i: &mut Interp<'_>, c: &Command, b: &Bound, p: &str) -> Option<String> {
    required(i, c, b, p).and_then(|v| i.text(v, p))
}

/// An optional string: `None` when absent, empty or only blanks.
fn optional_string(i: &mut Interp<'_>, b: &Bound, p: &str) -> Option<Option<String>> {
    match b.get(p) {
        Some(v) => i.string(v, p).map(|s| (!s.trim().is_empty()).then_some(s)),
        None => Some(None),
    }
}

fn new_rule(i: &mut Interp<'_>, c: &Command, b: &Bound) -> Option<V> {
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

/// The rule of `-SynchronizationRule`.
fn target_rule(i: &mut Interp<'_>, c: &Command, b: &Bound) -> Option<usize> {
    required(i, c, b, "SynchronizationRule").and_then(|v| i.rule(v, "SynchronizationRule"))
}

fn add_flow(i: &mut Interp<'_>, c: &Command, b: &Bound) -> Option<V> {
    let rule = target_rule(i, c, b);
    let target = required_text(i, c, b, "Destination");
    let kind =
        required(i, c, b, "FlowType").and_then(|v| i.choice(v, "FlowType", None, FLOW_TYPES));
    let merge = match b.get("ValueMergeType") {
        Some(v) => i.choice(v, "ValueMergeType", None, MERGE_TYPES),
        None => Some(MergeType::Update),
    };
    let sources = match b.get("Source") {
        Some(v) => i.strings(v, "Source").map(|s| Some((s, v.span))),
        None => Some(None),
    };
    let expression = match b.get("Expression") {
        Some(v) => i.string(v, "Expression").map(|s| Some((s, v.span))),
        None => Some(None),
    };
    let (Some(kind), Some(sources), Some(expression)) = (kind, sources, expression) else {
        return None;
    };
    let source = flow_source(i, c, kind, sources, expression);
    let (Some(rule), Some(target), Some(merge), Some(source)) = (rule, target, merge, source)
    else {
        return None;
    };
    let building = i.rules.get_mut(rule)?;
    building.rule.flows.push(Flow {
        target,
        source,
        merge,
        apply_once: b.switch("ExecuteOnce"),
    });
    Some(V::Rule(rule))
}

/// Where a flow's value comes from: `-Source` for direct and constant flows (the constant
/// is the one element of `-Source`), `-Expression` for expressions (whose `-Source` lists
/// the attributes the expression reads, which the checker finds by itself).
fn flow_source(
    i: &mut Interp<'_>,
    c: &Command,
    kind: FlowType,
    sources: Option<(Vec<String>, Span)>,
    expression: Option<(String, Span)>,
) -> Option<FlowSource> {
    let (label, what) = match kind {
        FlowType::Direct => ("Direct", "the source attribute"),
        FlowType::Constant => ("Constant", "the constant"),
        FlowType::Expression => {
            return match expression {
                Some((e, _)) if !e.trim().is_empty() => Some(FlowSource::Expression(e)),
                Some((_, span)) => {
                    i.error("E0334", span, "`-Expression` must not be empty".into(), "");
                    None
                }
                None => {
                    i.error(
                        "E0333",
                        c.name_span,
                        "an `Expression` flow needs `-Expression`".into(),
                        "",
                    );
                    None
                }
            };
        }
    };
    // An empty `-Expression` next to a direct or constant flow's `-Source` says nothing.
    if let Some((e, span)) = expression
        && !e.trim().is_empty()
    {
        i.error(
            "E0334",
            span,
            format!("a `{label}` flow takes no `-Expression`"),
            &format!("give {what} as `-Source @('...')`, or use `-FlowType 'Expression'`"),
        );
        return None;
    }
    match sources {
        Some((list, span)) => match list.as_slice() {
            [one] if kind == FlowType::Constant => Some(FlowSource::Constant(one.clone())),
            [one] if !one.trim().is_empty() => Some(FlowSource::Direct(one.trim().to_owned())),
            [_] => {
                i.error("E0334", span, "`-Source` must not be empty".into(), "");
                None
            }
            other => {
                i.error(
                    "E0334",
                    span,
                    format!(
                        "a `{label}` flow takes one value in `-Source`, {what}; found {}",
                        other.len()
                    ),
                    "use an `Expression` flow to combine attributes",
                );
                None
            }
        },
        None => {
            i.error(
                "E0333",
                c.name_span,
                format!("a `{label}` flow needs `-Source` with {what}"),
                "write it as `-Source @('...')`",
            );
            None
        }
    }
}

fn new_object(i: &mut Interp<'_>, c: &Command, b: &Bound) -> Option<V> {
    let type_name = required(i, c, b, "TypeName").and_then(|v| {
        let t = i.text(v, "TypeName")?;
        let is = |full: &str| t.eq_ignore_ascii_case(full);
        if is(SCOPE_TYPE) {
            Some(true)
        } else if is(JOIN_TYPE) {
            Some(false)
        } else {
            i.error(
                "E0334",
                v.span,
                format!("unsupported type `{t}`"),
                &format!("an exported rule creates `{SCOPE_TYPE}` and `{JOIN_TYPE}` objects"),
            );
            None
        }
    });
    let args = required(i, c, b, "ArgumentList");
    let (Some(scope), Some(args)) = (type_name, args) else {
        return None;
    };
    let items: Vec<Val> = match &args.v {
        V::Array(xs) => xs.clone(),
        _ => vec![args.clone()],
    };
    if let [a, x, y] = items.as_slice() {
        if scope {
            let attribute = i.text(a, "ArgumentList");
            let value = i.string(x, "ArgumentList");
            let operator = i.choice(y, "ArgumentList", Some("scope operator"), SCOPE_OPS);
            let (attribute, value, operator) = (attribute?, value?, operator?);
            let value = if operator.takes_value() {
                value
            } else {
                String::new()
            };
            Some(V::Scope(ScopeClause {
                attribute,
                operator,
                value,
            }))
        } else {
            let cs = i.text(a, "ArgumentList");
            let mv = i.text(x, "ArgumentList");
            let case = i.boolean(y, "the case-sensitive argument of a `JoinCondition`");
            Some(V::Join(JoinCondition {
                source: cs?,
                target: mv?,
                case_sensitive: case?,
            }))
        }
    } else {
        let (kind, shape) = if scope {
            ("ScopeCondition", "'attribute','value','OPERATOR'")
        } else {
            ("JoinCondition", "'csAttribute','mvAttribute',$false")
        };
        i.error(
            "E0334",
            args.span,
            format!("a `{kind}` takes three arguments, found {}", items.len()),
            &format!("write `-ArgumentList {shape}`"),
        );
        None
    }
}

/// The conditions of a group, each checked with `pick`.
fn conditions<T>(
    i: &mut Interp<'_>,
    c: &Command,
    b: &Bound,
    p: &str,
    noun: &str,
    pick: impl Fn(&V) -> Option<T>,
) -> Option<Vec<T>> {
    let list = required(i, c, b, p)?;
    let objects = Interp::objects(list);
    let mut out = Vec::with_capacity(objects.len());
    let mut ok = true;
    for o in &objects {
        match pick(&o.v) {
            Some(x) => out.push(x),
            None if o.v == V::Poison => ok = false,
            None => {
                let _: Option<()> = i.mismatch(
                    o,
                    &format!("`-{p}` takes {noun}s"),
                    "create each with `New-Object` and pass `@($condition0[0], ...)`",
                );
                ok = false;
            }
        }
    }
    if ok && out.is_empty() {
        i.error(
            "E0334",
            list.span,
            format!("a group needs at least one {noun}"),
            "",
        );
        return None;
    }
    ok.then_some(out)
}

fn add_scope_group(i: &mut Interp<'_>, c: &Command, b: &Bound) -> Option<V> {
    let rule = target_rule(i, c, b);
    let group = conditions(i, c, b, "ScopeConditions", "scope condition", |v| match v {
        V::Scope(s) => Some(s.clone()),
        _ => None,
    });
    let (rule, group) = (rule?, group?);
    i.rules.get_mut(rule)?.rule.scope.push(group);
    Some(V::Rule(rule))
}

fn add_join_group(i: &mut Interp<'_>, c: &Command, b: &Bound) -> Option<V> {
    let rule = target_rule(i, c, b);
    let group = conditions(i, c, b, "JoinConditions", "join condition", |v| match v {
        V::Join(j) => Some(j.clone()),
        _ => None,
    });
    let (rule, group) = (rule?, group?);
    let building = i.rules.get_mut(rule)?;
    // A JoinCondition is (connector attribute, metaverse attribute); a rule's join reads
    // from its source side, which is the metaverse for an outbound rule.
    let outbound = building.rule.direction == Direction::Outbound;
    let group = group
        .into_iter()
        .map(|j| {
            if outbound {
                JoinCondition {
                    source: j.target,
                    target: j.source,
                    case_sensitive: j.case_sensitive,
                }
            } else {
                j
            }
        })
        .collect();
    building.rule.join.push(group);
    Some(V::Rule(rule))
}

fn add_rule(i: &mut Interp<'_>, c: &Command, b: &Bound) -> Option<V> {
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
