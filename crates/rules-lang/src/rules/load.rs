//! Loading a rule file: YAML → [`Rule`], every error located, comments kept for `fmt`.

use std::path::Path;
use std::sync::Arc;

use indexmap::IndexMap;

use super::comments::collect_comments;
use super::fields::{Fields, boolean, integer, list, one_of, scalar, text};
use super::instance::MATCHING_OPTIONS;
use super::limits::Limits;
use super::model::{
    DIRECTIONS, Flow, FlowSource, FlowSpans, JoinCondition, LINK_TYPES, LinkType, MERGE_TYPES,
    MergeType, Origin, RULE_KEYS, Rule, RuleSpans, SCOPE_OPS, ScopeClause, Vendor,
};
use super::yaml::{self, Node};
use crate::diag::Diagnostic;
use crate::span::Span;

/// Reads one rule file within the default [`Limits`]. On failure, every error found is
/// returned.
pub fn load_rule(path: &Path, text_: &str) -> Result<Rule, Vec<Diagnostic>> {
    load_rule_within(path, text_, &Limits::default())
}

/// Reads one rule file, refusing it when it is over `limits` (its size before parsing,
/// its number of flows before reading them). On failure, every error found is returned.
pub fn load_rule_within(
    path: &Path,
    text_: &str,
    limits: &Limits,
) -> Result<Rule, Vec<Diagnostic>> {
    let len = u64::try_from(text_.len()).unwrap_or(u64::MAX);
    limits.check_file_len(len).map_err(|d| vec![d])?;
    let root = yaml::parse(text_).map_err(|d| vec![d])?;
    limits.check_rule_tree(&root).map_err(|d| vec![d])?;
    let mut errors = Vec::new();
    let mut spans = RuleSpans {
        whole: root.span(),
        ..RuleSpans::default()
    };
    let rule = read_rule(&root, &mut spans, &mut errors);
    match rule {
        Some(mut rule) if errors.is_empty() => {
            let comments = collect_comments(text_, &root);
            rule.origin = Some(Arc::new(Origin {
                path: path.to_owned(),
                text: text_.to_owned(),
                spans,
                comments,
            }));
            Ok(rule)
        }
        _ => Err(errors),
    }
}

/// Runs `f`, moving its error into `errors`.
fn take<T>(errors: &mut Vec<Diagnostic>, r: Result<T, Diagnostic>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn read_rule(root: &Node, spans: &mut RuleSpans, errors: &mut Vec<Diagnostic>) -> Option<Rule> {
    let mut f = take(errors, Fields::new(root, "a rule"))?;
    fn key<'n>(
        f: &mut Fields<'n>,
        errors: &mut Vec<Diagnostic>,
        k: &'static str,
        required: bool,
    ) -> Option<&'n Node> {
        let found = if required {
            take(errors, f.required(k))
        } else {
            f.get(k)
        };
        found.map(|(_, v)| v)
    }
    let name = key(&mut f, errors, "name", true);
    let description = key(&mut f, errors, "description", false);
    let direction = key(&mut f, errors, "direction", true);
    let connector = key(&mut f, errors, "connector", true);
    let source = key(&mut f, errors, "source", true);
    let target = key(&mut f, errors, "target", true);
    let link = key(&mut f, errors, "link", false);
    let precedence = key(&mut f, errors, "precedence", true);
    let enabled = key(&mut f, errors, "enabled", false);
    let vendor = key(&mut f, errors, "vendor", false);
    let scope = key(&mut f, errors, "scope", false);
    let join = key(&mut f, errors, "join", false);
    let matching = key(&mut f, errors, "matching", false);
    let flows = key(&mut f, errors, "flows", false);
    f.finish(RULE_KEYS, errors);

    for (k, v) in [
        ("name", name),
        ("description", description),
        ("direction", direction),
        ("connector", connector),
        ("source", source),
        ("target", target),
        ("link", link),
        ("precedence", precedence),
        ("enabled", enabled),
        ("vendor", vendor),
        ("scope", scope),
        ("join", join),
        ("matching", matching),
        ("flows", flows),
    ] {
        if let Some(v) = v {
            spans.keys.insert(k.to_owned(), v.span());
        }
    }

    let name = name.and_then(|n| take(errors, text("name", n)));
    let description = match description {
        Some(d) => take(errors, scalar("description", d)).map(|s| Some(s.value.clone())),
        None => Some(None),
    };
    let direction = direction.and_then(|d| take(errors, one_of("direction", d, DIRECTIONS)));
    let connector = connector.and_then(|c| take(errors, text("connector", c)));
    let source = source.and_then(|s| take(errors, text("source", s)));
    let target = target.and_then(|t| take(errors, text("target", t)));
    let link = match link {
        Some(l) => take(errors, one_of("link", l, LINK_TYPES)),
        None => Some(LinkType::Join),
    };
    let precedence = precedence.and_then(|p| take(errors, integer("precedence", p)));
    if let Some((p, span)) = precedence
        && p < 1
    {
        errors.push(Diagnostic::error(
            "E0312",
            span,
            format!("`precedence` must be 1 or more, found {p}"),
        ));
    }
    let enabled = match enabled {
        Some(e) => take(errors, boolean("enabled", e)),
        None => Some(true),
    };
    let vendor = match vendor {
        Some(v) => read_vendor(v, errors).map(Some),
        None => Some(None),
    };
    let scope = match scope {
        Some(s) => read_groups(s, "scope", errors, &mut spans.scope, read_clause),
        None => Some(Vec::new()),
    };
    let join = match join {
        Some(j) => read_groups(j, "join", errors, &mut spans.join, read_condition),
        None => Some(Vec::new()),
    };
    let matching = match matching {
        Some(m) => read_matching(m, errors),
        None => Some(IndexMap::new()),
    };
    let flows = match flows {
        Some(fl) => read_flows(fl, errors, &mut spans.flows),
        None => Some(Vec::new()),
    };
    Some(Rule {
        name: name?.value.trim().to_owned(),
        description: description?,
        direction: direction?,
        connector: connector?.value.trim().to_owned(),
        source: source?.value.trim().to_owned(),
        target: target?.value.trim().to_owned(),
        link: link?,
        precedence: precedence?.0,
        enabled: enabled?,
        vendor: vendor?,
        scope: scope?,
        join: join?,
        matching: matching?,
        flows: flows?,
        origin: None,
    })
}

/// `matching:`: option name → join groups, written as `join:` is.
fn read_matching(
    node: &Node,
    errors: &mut Vec<Diagnostic>,
) -> Option<IndexMap<String, Vec<Vec<JoinCondition>>>> {
    let Node::Map(entries, _) = node else {
        errors.push(Diagnostic::error(
            "E0312",
            node.span(),
            "`matching` must map user-matching options to join groups",
        ));
        return None;
    };
    let mut out = IndexMap::new();
    let mut ok = true;
    for (option, groups) in entries {
        if !MATCHING_OPTIONS.contains(&option.value.as_str()) {
            let d = Diagnostic::error(
                "E0312",
                option.span,
                format!("unknown user-matching option `{}`", option.value),
            );
            errors.push(
                match crate::diag::closest(&option.value, MATCHING_OPTIONS.iter().copied()) {
                    Some(n) => d.with_help(format!("did you mean `{n}`?")),
                    None => d.with_help(format!("the options are {}", MATCHING_OPTIONS.join(", "))),
                },
            );
            ok = false;
            continue;
        }
        let mut spans = Vec::new();
        match read_groups(groups, "matching", errors, &mut spans, read_condition) {
            Some(g) => {
                out.insert(option.value.clone(), g);
            }
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn read_vendor(node: &Node, errors: &mut Vec<Diagnostic>) -> Option<Vendor> {
    let mut f = take(errors, Fields::new(node, "`vendor`"))?;
    let tag = take(errors, f.required("immutable-tag"))
        .and_then(|(_, v)| take(errors, text("immutable-tag", v)));
    let fingerprint = match f.get("fingerprint") {
        Some((_, v)) => {
            take(errors, text("fingerprint", v)).map(|s| Some(s.value.trim().to_owned()))
        }
        None => Some(None),
    };
    f.finish(&["immutable-tag", "fingerprint"], errors);
    Some(Vendor {
        immutable_tag: tag?.value.trim().to_owned(),
        fingerprint: fingerprint?,
    })
}

/// Reads a list of groups, each a list of items.
fn read_groups<T>(
    node: &Node,
    key: &'static str,
    errors: &mut Vec<Diagnostic>,
    spans: &mut Vec<Vec<Span>>,
    item: fn(&Node, &mut Vec<Diagnostic>) -> Option<T>,
) -> Option<Vec<Vec<T>>> {
    let groups = take(errors, list(key, node))?;
    let mut out = Vec::with_capacity(groups.len());
    let mut ok = true;
    for group in groups {
        let Some(items) = take(
            errors,
            list(key, group).map_err(|d| {
                d.with_help(format!(
                    "`{key}` is a list of groups, each a list: `- - attribute: ...`"
                ))
            }),
        ) else {
            ok = false;
            continue;
        };
        if items.is_empty() {
            errors.push(Diagnostic::error(
                "E0312",
                group.span(),
                format!("a `{key}` group must not be empty"),
            ));
            ok = false;
            continue;
        }
        let mut g = Vec::with_capacity(items.len());
        spans.push(items.iter().map(Node::span).collect());
        for i in items {
            match item(i, errors) {
                Some(v) => g.push(v),
                None => ok = false,
            }
        }
        out.push(g);
    }
    ok.then_some(out)
}

fn read_clause(node: &Node, errors: &mut Vec<Diagnostic>) -> Option<ScopeClause> {
    let mut f = take(errors, Fields::new(node, "a scope clause"))?;
    let attribute =
        take(errors, f.required("attribute")).and_then(|(_, v)| take(errors, text("attribute", v)));
    let op_node = take(errors, f.required("operator"));
    let operator = op_node.and_then(|(_, v)| take(errors, one_of("operator", v, SCOPE_OPS)));
    let value = f.get("value");
    f.finish(&["attribute", "operator", "value"], errors);
    let operator = operator?;
    let value = match (operator.takes_value(), value) {
        (true, Some((_, v))) => take(errors, scalar("value", v)).map(|s| s.value.clone())?,
        (true, None) => {
            errors.push(Diagnostic::error(
                "E0311",
                op_node.map_or(node.span(), |(_, v)| v.span()),
                "this operator needs a `value`",
            ));
            return None;
        }
        (false, Some((k, _))) => {
            errors.push(
                Diagnostic::error(
                    "E0314",
                    k.span,
                    "`is-null` and `is-not-null` take no `value`",
                )
                .with_help("remove the `value`"),
            );
            return None;
        }
        (false, None) => String::new(),
    };
    Some(ScopeClause {
        attribute: attribute?.value.trim().to_owned(),
        operator,
        value,
    })
}

fn read_condition(node: &Node, errors: &mut Vec<Diagnostic>) -> Option<JoinCondition> {
    let mut f = take(errors, Fields::new(node, "a join condition"))?;
    let source =
        take(errors, f.required("source")).and_then(|(_, v)| take(errors, text("source", v)));
    let target =
        take(errors, f.required("target")).and_then(|(_, v)| take(errors, text("target", v)));
    let case_sensitive = match f.get("case-sensitive") {
        Some((_, v)) => take(errors, boolean("case-sensitive", v)),
        None => Some(false),
    };
    f.finish(&["source", "target", "case-sensitive"], errors);
    Some(JoinCondition {
        source: source?.value.trim().to_owned(),
        target: target?.value.trim().to_owned(),
        case_sensitive: case_sensitive?,
    })
}

const FLOW_KEYS: &[&str] = &[
    "target",
    "expression",
    "source",
    "constant",
    "merge",
    "apply-once",
];

fn read_flows(
    node: &Node,
    errors: &mut Vec<Diagnostic>,
    spans: &mut Vec<FlowSpans>,
) -> Option<Vec<Flow>> {
    let items = take(errors, list("flows", node))?;
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for item in items {
        let mut fs = FlowSpans {
            item: item.span(),
            ..FlowSpans::default()
        };
        match read_flow(item, errors, &mut fs) {
            Some(flow) => out.push(flow),
            None => ok = false,
        }
        spans.push(fs);
    }
    ok.then_some(out)
}

fn read_flow(node: &Node, errors: &mut Vec<Diagnostic>, fs: &mut FlowSpans) -> Option<Flow> {
    let mut f = take(errors, Fields::new(node, "a flow"))?;
    let target =
        take(errors, f.required("target")).and_then(|(_, v)| take(errors, text("target", v)));
    let expression = f.get("expression");
    let direct = f.get("source");
    let constant = f.get("constant");
    let merge = f.get("merge");
    let apply_once = f.get("apply-once");
    let whole = f.span();
    f.finish(FLOW_KEYS, errors);
    if let Some(t) = target {
        fs.target = t.span;
    }
    let given: Vec<_> = [
        ("expression", expression),
        ("source", direct),
        ("constant", constant),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    let source = match given.as_slice() {
        [(k, (_, v))] => {
            let s = if *k == "constant" {
                take(errors, scalar(k, v))
            } else {
                take(errors, text(k, v))
            };
            s.map(|s| {
                fs.value = Some(s.clone());
                match *k {
                    "expression" => FlowSource::Expression(s.value.clone()),
                    "source" => FlowSource::Direct(s.value.trim().to_owned()),
                    _ => FlowSource::Constant(s.value.clone()),
                }
            })
        }
        [] => {
            errors.push(Diagnostic::error(
                "E0311",
                Span::new(whole.start as usize, whole.start as usize),
                "a flow needs one of `expression`, `source` or `constant`",
            ));
            None
        }
        [_, (k, (key, _)), ..] => {
            errors.push(
                Diagnostic::error("E0314", key.span, format!("a flow takes only one of `expression`, `source` and `constant`; `{k}` is a second"))
                    .with_help("split it into two flows, or remove one"),
            );
            None
        }
    };
    let merge = match merge {
        Some((_, v)) => {
            fs.merge = Some(v.span());
            take(errors, one_of("merge", v, MERGE_TYPES))
        }
        None => Some(MergeType::Update),
    };
    let apply_once = match apply_once {
        Some((_, v)) => take(errors, boolean("apply-once", v)),
        None => Some(false),
    };
    Some(Flow {
        target: target?.value.trim().to_owned(),
        source: source?,
        merge: merge?,
        apply_once: apply_once?,
    })
}
