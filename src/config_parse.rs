//! Reading `sync.yaml` from its YAML tree: every value checked where it is written, every
//! error located at the offending text.

use std::path::PathBuf;

use indexmap::IndexMap;
use syncrules_lang::diag::{Diagnostic, closest};
use syncrules_lang::rules::yaml::{self, Node, Scalar};
use syncrules_lang::span::Span;

use crate::config::{ConnectorConfig, Spans, SyncConfig, Threshold};
use crate::config_fields::{Fields, percent, plain_null, text, whole};

/// The keys of `sync.yaml`.
pub(crate) const KEYS: &[&str] = &[
    "rules",
    "state",
    "connectors",
    "deletion-threshold",
    "error-limit",
    "values-per-attribute",
    "batch-size",
    "user-matching",
    "deletion-window",
];
/// The keys of `deletion-threshold`.
pub(crate) const THRESHOLD_KEYS: &[&str] = &["count", "percent"];
/// Connector types and their keys.
pub(crate) const CONNECTOR_TYPES: &[(&str, &[&str])] = &[
    ("ldif", &["type", "path", "delta"]),
    ("file", &["type", "path"]),
    ("ldap", crate::config_ldap::LDAP_KEYS),
    ("graph", crate::config_graph::GRAPH_KEYS),
];

/// Parses `sync.yaml`'s text. Paths are as written (relative to the file's folder); the
/// deletion threshold is always present, with the defaults for what is not written.
pub(crate) fn parse(text_: &str) -> Result<SyncConfig, Vec<Diagnostic>> {
    let root = yaml::parse(text_).map_err(|d| vec![yaml_error(d, text_)])?;
    let mut errors = Vec::new();
    let mut spans = Spans::default();
    let Some(mut f) = Fields::new(&root, "sync.yaml", &mut errors) else {
        return Err(errors);
    };
    let at = Span::new(f.span.start as usize, f.span.start as usize);
    let rules = f
        .required("rules", "sync.yaml", at, &mut errors)
        .and_then(|n| text("rules", n, &mut errors));
    if let Some(r) = rules {
        spans.rules = r.span;
    }
    let state = f
        .required("state", "sync.yaml", at, &mut errors)
        .and_then(|n| text("state", n, &mut errors));
    let mut instances = Vec::new();
    let connectors = f
        .required("connectors", "sync.yaml", at, &mut errors)
        .and_then(|n| connectors(n, &mut spans, &mut instances, &mut errors));
    let user_matching = f
        .get("user-matching")
        .and_then(|(_, n)| crate::config_templates::user_matching(n, &mut errors));
    let threshold = match f.get("deletion-threshold") {
        Some((_, Node::Scalar(s))) if plain_null(s) => Some(Threshold::default()),
        Some((_, n)) => threshold(n, &mut errors),
        None => Some(Threshold::default()),
    };
    let error_limit = match f.get("error-limit") {
        Some((_, n)) => whole("error-limit", n, 0, &mut errors),
        None => Some(crate::config::DEFAULT_ERROR_LIMIT),
    };
    let values_per_attribute = match f.get("values-per-attribute") {
        Some((_, n)) => whole("values-per-attribute", n, 1, &mut errors),
        None => Some(crate::config::DEFAULT_VALUES_PER_ATTRIBUTE),
    };
    let batch_size = match f.get("batch-size") {
        Some((_, n)) => whole("batch-size", n, 1, &mut errors),
        None => Some(crate::config::DEFAULT_BATCH_SIZE),
    };
    let deletion_window = f
        .get("deletion-window")
        .and_then(|(_, n)| window(n, &mut errors));
    f.finish(KEYS, "sync.yaml", &mut errors);
    match (rules, state, connectors, threshold, error_limit) {
        (Some(rules), Some(state), Some(connectors), Some(threshold), Some(error_limit))
            if errors.is_empty() =>
        {
            let values_per_attribute =
                values_per_attribute.unwrap_or(crate::config::DEFAULT_VALUES_PER_ATTRIBUTE);
            Ok(SyncConfig {
                rules: PathBuf::from(rules.value.trim()),
                state: PathBuf::from(state.value.trim()),
                connectors,
                deletion_threshold: Some(threshold),
                error_limit,
                values_per_attribute,
                batch_size: batch_size.unwrap_or(crate::config::DEFAULT_BATCH_SIZE),
                deletion_window,
                instances,
                user_matching,
                spans,
                path: PathBuf::new(),
                text: String::new(),
            })
        }
        _ => {
            errors.sort_by_key(|d| (d.span.start, d.span.end));
            Err(errors)
        }
    }
}

/// A YAML-level error, worded for sync.yaml (the tree reader speaks of rule files), its span
/// kept inside the text and on character boundaries (a scan error at the end of the text,
/// or at a multi-byte character, is given as one byte from there).
fn yaml_error(d: Diagnostic, text: &str) -> Diagnostic {
    let start = floor_char_boundary(text, d.span.start as usize);
    let end = floor_char_boundary(text, d.span.end as usize).max(start);
    let end = if end == start {
        text.get(start..)
            .and_then(|rest| rest.chars().next())
            .map_or(start, |c| start + c.len_utf8())
    } else {
        end
    };
    let d = Diagnostic {
        span: Span::new(start, end),
        ..d
    };
    match d.code {
        "E0301" => Diagnostic {
            message: "sync.yaml holds one YAML document".to_owned(),
            help: None,
            ..d
        },
        "E0302" => Diagnostic {
            message: "YAML anchors, aliases and tags are not supported in sync.yaml".to_owned(),
            ..d
        },
        _ => d,
    }
}

/// The largest character boundary of `text` at or before `at` (and at most its length).
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn connectors(
    node: &Node,
    spans: &mut Spans,
    instances: &mut Vec<syncrules_lang::rules::Instance>,
    errors: &mut Vec<Diagnostic>,
) -> Option<IndexMap<String, ConnectorConfig>> {
    let Node::Map(entries, span) = node else {
        errors.push(
            Diagnostic::error(
                "E0603",
                node.span(),
                format!(
                    "`connectors` must map connector names to their settings, found {}",
                    node.kind()
                ),
            )
            .with_help("write `connectors:` then, indented, `name:` and its `type:` and `path:`"),
        );
        return None;
    };
    if entries.is_empty() {
        errors.push(Diagnostic::error(
            "E0602",
            *span,
            "`connectors` names no connector",
        ));
        return None;
    }
    let mut out = IndexMap::new();
    let mut ok = true;
    for (name, settings) in entries {
        match connector(name, settings, spans, instances, errors) {
            Some(c) => {
                spans.connectors.insert(name.value.clone(), name.span);
                out.insert(name.value.clone(), c);
            }
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn connector(
    name: &Scalar,
    node: &Node,
    spans: &mut Spans,
    instances: &mut Vec<syncrules_lang::rules::Instance>,
    errors: &mut Vec<Diagnostic>,
) -> Option<ConnectorConfig> {
    let what = format!("connector `{}`", name.value);
    let mut f = Fields::new(node, &what, errors)?;
    instances.extend(crate::config_templates::instance(name, &mut f, errors));
    let ty = f
        .required("type", &what, name.span, errors)
        .and_then(|n| text("type", n, errors))?;
    let Some((kind, type_keys)) = CONNECTOR_TYPES
        .iter()
        .find(|(t, _)| *t == ty.value.trim())
        .copied()
    else {
        let names: Vec<&str> = CONNECTOR_TYPES.iter().map(|(t, _)| *t).collect();
        let d = Diagnostic::error(
            "E0605",
            ty.span,
            format!("unknown connector type `{}`", ty.value),
        );
        errors.push(match closest(&ty.value, names.iter().copied()) {
            Some(n) => d.with_help(format!("did you mean `{n}`?")),
            None => d.with_help(format!("the types are {}", names.join(", "))),
        });
        return None;
    };
    let keys = &[type_keys, crate::config_templates::TEMPLATE_KEYS].concat();
    if kind == "ldap" {
        let ldap = crate::config_ldap::parse(&mut f, &what, name.span, errors);
        f.finish(keys, "a `ldap` connector", errors);
        return ldap.map(|l| ConnectorConfig::Ldap(Box::new(l)));
    }
    if kind == "graph" {
        let graph = crate::config_graph::parse(&mut f, &what, name.span, errors);
        f.finish(keys, "a `graph` connector", errors);
        return graph.map(|g| ConnectorConfig::Graph(Box::new(g)));
    }
    let path = f
        .required("path", &what, name.span, errors)
        .and_then(|n| text("path", n, errors));
    let delta = match kind {
        "ldif" => match f.get("delta") {
            Some((_, n)) => text("delta", n, errors).map(Some),
            None => Some(None),
        },
        _ => Some(None),
    };
    f.finish(keys, &format!("a `{kind}` connector"), errors);
    let (path, delta) = (path?, delta?);
    Some(match kind {
        "ldif" => {
            spans.files.insert(name.value.clone(), path.span);
            ConnectorConfig::Ldif {
                path: PathBuf::from(path.value.trim()),
                delta: delta.map(|d| PathBuf::from(d.value.trim())),
            }
        }
        _ => ConnectorConfig::File {
            path: PathBuf::from(path.value.trim()),
        },
    })
}

fn threshold(node: &Node, errors: &mut Vec<Diagnostic>) -> Option<Threshold> {
    let mut f = Fields::new(node, "`deletion-threshold`", errors)?;
    let defaults = Threshold::default();
    let count = match f.get("count") {
        Some((_, n)) => whole("count", n, 1, errors),
        None => Some(defaults.count),
    };
    let percent = match f.get("percent") {
        Some((_, n)) => percent(n, errors).map(Some),
        None => Some(defaults.percent),
    };
    f.finish(THRESHOLD_KEYS, "`deletion-threshold`", errors);
    Some(Threshold {
        count: count?,
        percent: percent?,
    })
}

/// `deletion-window`: a duration (`3d`, `12h`, `90min`, `1w`); `0` is no window.
fn window(node: &Node, errors: &mut Vec<Diagnostic>) -> Option<std::time::Duration> {
    let Node::Scalar(s) = node else {
        errors.push(Diagnostic::error(
            "E0603",
            node.span(),
            format!(
                "`deletion-window` must be a duration such as `3d`, found {}",
                node.kind()
            ),
        ));
        return None;
    };
    let text = s.value.trim();
    if text == "0" || plain_null(s) {
        return None;
    }
    match humantime::parse_duration(text) {
        Ok(d) if d.is_zero() => None,
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(
                Diagnostic::error(
                    "E0603",
                    s.span,
                    format!("`deletion-window` must be a duration, found `{text}`: {e}"),
                )
                .with_help("write a number and a unit: `3d`, `12h`, `90min`, `1w`; `0` for none"),
            );
            None
        }
    }
}
