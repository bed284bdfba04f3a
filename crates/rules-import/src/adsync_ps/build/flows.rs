//! `Add-ADSyncAttributeFlowMapping`: an attribute flow, and where its value comes from.

use super::super::bind::Bound;
use super::super::parse::Command;
use super::super::run::{Interp, V};
use super::{required, required_text, target_rule};
use syncrules_lang::rules::model::{Flow, FlowSource, MERGE_TYPES, MergeType, Spellings};
use syncrules_lang::span::Span;

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

/// `Add-ADSyncAttributeFlowMapping`: a flow added to the rule.
pub(super) fn add_flow(i: &mut Interp<'_>, c: &Command, b: &Bound) -> Option<V> {
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
