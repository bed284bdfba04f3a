//! `<attribute-mappings>`: each `<mapping>` becomes a [`Flow`]: an `<expression>` an
//! expression flow, a single `<src><attr>` a direct flow, `<src>` text a constant flow.

use super::ImportError;
use super::rule::{Reader, flag};
use super::xml::Element;
use syncrules_lang::rules::model::{Flow, FlowSource, MERGE_TYPES, MergeType};

/// `<attribute-mappings>`: one flow per `<mapping>`.
pub(super) fn flows(r: &mut Reader<'_>, mappings: &Element) -> Result<Vec<Flow>, ImportError> {
    r.leftovers(mappings, &[], false);
    r.children(mappings, &[], &["mapping"]);
    mappings.all("mapping").map(|m| flow(r, m)).collect()
}

fn flow(r: &mut Reader<'_>, m: &Element) -> Result<Flow, ImportError> {
    r.leftovers(m, &["execute-once"], false);
    r.children(m, &["dest", "expression", "valueMergeType"], &["src"]);
    let target = r.required(m, "dest")?;
    let apply_once = match m.attr("execute-once") {
        Some(v) => flag(v.trim()).ok_or_else(|| {
            r.doc.invalid(
                m,
                format!("`execute-once` must be true or false, found `{v}`"),
            )
        })?,
        None => false,
    };
    let merge = match r.single(m, "valueMergeType")? {
        Some(e) => r.spelled(e, MERGE_TYPES)?,
        None => MergeType::Update,
    };
    let src = r.single(m, "src")?;
    let attrs: Vec<&Element> = src.map(|s| s.all("attr").collect()).unwrap_or_default();
    if let Some(s) = src {
        r.leftovers(s, &[], true);
        r.children(s, &["attr"], &[]);
    }
    let constant = src
        .map(|s| s.text.as_str())
        .filter(|t| !t.trim().is_empty());
    let source = if let Some(e) = r.single(m, "expression")? {
        let expression = e.text.trim().to_owned();
        if expression.is_empty() {
            return Err(r
                .doc
                .invalid(e, format!("the expression of `{target}` is empty")));
        }
        // The `<src>` list of an expression flow names the attributes it reads; it is kept
        // implicitly when the expression names each of them.
        for a in &attrs {
            let name = a.text.trim();
            let named = expression.contains(&format!("[{name}]"))
                || expression.contains(&format!("\"{name}\""));
            if !named {
                r.warn(
                    a,
                    format_args!(
                        "flow to `{target}`: dropped source attribute `{name}`, which the expression does not use"
                    ),
                );
            }
        }
        if let Some(c) = constant {
            r.warn(
                m,
                format_args!("flow to `{target}`: dropped constant `{c}` beside the expression"),
            );
        }
        FlowSource::Expression(expression)
    } else {
        match (attrs.as_slice(), constant) {
            ([one], c) => {
                if let Some(c) = c {
                    r.warn(
                        m,
                        format_args!(
                            "flow to `{target}`: dropped constant `{c}` beside the source attribute"
                        ),
                    );
                }
                let name = one.text.trim();
                if name.is_empty() {
                    return Err(r.doc.invalid(one, "`<attr>` is empty"));
                }
                FlowSource::Direct(name.to_owned())
            }
            ([], Some(c)) => FlowSource::Constant(c.to_owned()),
            ([], None) => {
                return Err(r.doc.invalid(
                    m,
                    format!(
                        "the flow to `{target}` has no expression, source attribute or constant"
                    ),
                ));
            }
            (_, _) => {
                return Err(r.doc.invalid(
                    m,
                    format!("the direct flow to `{target}` has several source attributes and no expression"),
                ));
            }
        }
    };
    Ok(Flow {
        target,
        source,
        merge,
        apply_once,
    })
}
