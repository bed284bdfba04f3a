//! `sync.yaml`'s keys for one rule set over many connectors: a connector's `rules:` (the
//! template whose rules it takes) and `parameters:`, and the top-level `user-matching:`.

use indexmap::IndexMap;
use syncrules_lang::diag::{Diagnostic, closest};
use syncrules_lang::rules::instance::MATCHING_OPTIONS;
use syncrules_lang::rules::yaml::{Node, Scalar};
use syncrules_lang::rules::{Instance, Matching, UserMatching};

use crate::config_fields::{Fields, text};

/// A connector's keys for templates, beside those of its type.
pub(crate) const TEMPLATE_KEYS: &[&str] = &["rules", "parameters"];

/// Takes `rules:` and `parameters:` from a connector's settings: the template instance it
/// asks for, if any. `parameters` without `rules` is an error (E0602).
pub(crate) fn instance(
    name: &Scalar,
    f: &mut Fields<'_>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Instance> {
    let template = f.get("rules");
    let parameters = f.get("parameters");
    let params = match parameters {
        Some((_, node)) => parameter_map(node, errors),
        None => IndexMap::new(),
    };
    let Some((_, template)) = template else {
        if let Some((key, _)) = parameters {
            errors.push(
                Diagnostic::error(
                    "E0602",
                    key.span,
                    format!("connector `{}` has `parameters` but no `rules`", name.value),
                )
                .with_help("add `rules: TEMPLATE`, the template whose rules take these parameters"),
            );
        }
        return None;
    };
    let template = text("rules", template, errors)?;
    Some(Instance {
        connector: name.value.clone(),
        template: template.value.trim().to_owned(),
        parameters: params,
        name_span: name.span,
        template_span: template.span,
    })
}

fn parameter_map(node: &Node, errors: &mut Vec<Diagnostic>) -> IndexMap<String, String> {
    let Node::Map(entries, _) = node else {
        errors.push(Diagnostic::error(
            "E0603",
            node.span(),
            format!(
                "`parameters` must map parameter names to values, found {}",
                node.kind()
            ),
        ));
        return IndexMap::new();
    };
    let mut out = IndexMap::new();
    for (k, v) in entries {
        match v {
            Node::Scalar(s) => {
                out.insert(k.value.clone(), s.value.clone());
            }
            other => errors.push(Diagnostic::error(
                "E0603",
                other.span(),
                format!(
                    "parameter `{}` must be a text, found {}",
                    k.value,
                    other.kind()
                ),
            )),
        }
    }
    out
}

/// `user-matching: once | mail | account-resource | samaccountname-mailnickname |
/// {attribute: NAME}`; an unknown option is E0612 with a did-you-mean.
pub(crate) fn user_matching(node: &Node, errors: &mut Vec<Diagnostic>) -> Option<UserMatching> {
    match node {
        Node::Scalar(s) => {
            let name = s.value.trim();
            if let Some(m) = Matching::named(name) {
                return Some(UserMatching {
                    option: m,
                    span: s.span,
                });
            }
            let d = Diagnostic::error(
                "E0612",
                s.span,
                format!("unknown user-matching option `{name}`"),
            );
            let help = if name == "attribute" {
                "write `user-matching: {attribute: NAME}` with the attribute to match on".to_owned()
            } else {
                match closest(name, MATCHING_OPTIONS.iter().copied()) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => "the options are once, mail, account-resource, samaccountname-mailnickname and {attribute: NAME}".to_owned(),
                }
            };
            errors.push(d.with_help(help));
            None
        }
        Node::Map(..) => {
            let mut f = Fields::new(node, "`user-matching`", errors)?;
            let at = node.span();
            let attribute = f
                .required("attribute", "`user-matching`", at, errors)
                .and_then(|n| text("attribute", n, errors));
            f.finish(&["attribute"], "`user-matching`", errors);
            attribute.map(|a| UserMatching {
                option: Matching::Attribute(a.value.trim().to_owned()),
                span: node.span(),
            })
        }
        Node::Seq(..) => {
            errors.push(Diagnostic::error(
                "E0603",
                node.span(),
                "`user-matching` is an option (`mail`, ...) or `{attribute: NAME}`, not a list",
            ));
            None
        }
    }
}
