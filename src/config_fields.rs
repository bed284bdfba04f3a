//! Reading the values of `sync.yaml`'s mappings, each error located at its value: keys
//! taken once and unknown ones reported with a did-you-mean, paths, whole numbers and
//! percentages.

use syncrules_lang::diag::{Diagnostic, closest};
use syncrules_lang::rules::yaml::{Node, Scalar, Style, is_null};
use syncrules_lang::span::Span;

/// A mapping's entries, each taken at most once; the rest are unknown keys.
pub(crate) struct Fields<'a> {
    entries: &'a [(Scalar, Node)],
    taken: Vec<bool>,
    /// The mapping's span.
    pub(crate) span: Span,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(node: &'a Node, what: &str, errors: &mut Vec<Diagnostic>) -> Option<Self> {
        match node {
            Node::Map(entries, span) => Some(Fields {
                entries,
                taken: vec![false; entries.len()],
                span: *span,
            }),
            other => {
                errors.push(Diagnostic::error(
                    "E0603",
                    other.span(),
                    format!(
                        "{what} must be a mapping of keys to values, found {}",
                        other.kind()
                    ),
                ));
                None
            }
        }
    }

    pub(crate) fn get(&mut self, key: &str) -> Option<(&'a Scalar, &'a Node)> {
        let i = self.entries.iter().position(|(k, _)| k.value == key)?;
        if let Some(t) = self.taken.get_mut(i) {
            *t = true;
        }
        self.entries.get(i).map(|(k, v)| (k, v))
    }

    pub(crate) fn required(
        &mut self,
        key: &str,
        what: &str,
        at: Span,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<&'a Node> {
        let found = self.get(key).map(|(_, v)| v);
        if found.is_none() {
            errors.push(Diagnostic::error(
                "E0602",
                at,
                format!("{what} needs `{key}`"),
            ));
        }
        found
    }

    /// Reports every key not taken, with the nearest of `known`.
    pub(crate) fn finish(self, known: &[&str], what: &str, errors: &mut Vec<Diagnostic>) {
        for ((key, _), taken) in self.entries.iter().zip(&self.taken) {
            if *taken {
                continue;
            }
            let d = Diagnostic::error(
                "E0601",
                key.span,
                format!("unknown key `{}` in {what}", key.value),
            );
            errors.push(match closest(&key.value, known.iter().copied()) {
                Some(k) => d.with_help(format!("did you mean `{k}`?")),
                None => d.with_help(format!("the keys are {}", known.join(", "))),
            });
        }
    }
}

/// A non-empty text value.
pub(crate) fn text<'a>(
    key: &str,
    node: &'a Node,
    errors: &mut Vec<Diagnostic>,
) -> Option<&'a Scalar> {
    match node {
        Node::Scalar(s) if !s.value.trim().is_empty() && !plain_null(s) => Some(s),
        other => {
            errors.push(Diagnostic::error(
                "E0603",
                other.span(),
                format!("`{key}` must be a path or name, found {}", other.kind()),
            ));
            None
        }
    }
}

pub(crate) fn plain_null(s: &Scalar) -> bool {
    s.style == Style::Plain && is_null(&s.value)
}

/// A whole number of at least `min`.
pub(crate) fn whole(
    key: &str,
    node: &Node,
    min: u64,
    errors: &mut Vec<Diagnostic>,
) -> Option<usize> {
    let Node::Scalar(s) = node else {
        errors.push(Diagnostic::error(
            "E0603",
            node.span(),
            format!("`{key}` must be a whole number, found {}", node.kind()),
        ));
        return None;
    };
    let digits = s.value.trim().replace('_', "");
    let Ok(n) = digits.parse::<i128>() else {
        let numeric = digits
            .strip_prefix('-')
            .unwrap_or(&digits)
            .bytes()
            .all(|b| b.is_ascii_digit());
        let what = if numeric && !digits.is_empty() && digits != "-" {
            format!("`{key}` is too large: `{}`", s.value)
        } else {
            format!("`{key}` must be a whole number, found `{}`", s.value)
        };
        errors.push(Diagnostic::error("E0603", s.span, what));
        return None;
    };
    if n < i128::from(min) {
        errors.push(
            Diagnostic::error(
                "E0604",
                s.span,
                format!("`{key}` must be {min} or more, found {n}"),
            )
            .with_label(format!("at least {min}")),
        );
        return None;
    }
    match usize::try_from(n) {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(Diagnostic::error(
                "E0604",
                s.span,
                format!("`{key}` is too large: {n}"),
            ));
            None
        }
    }
}

/// A percentage: more than 0, at most 100 (`10`, `2.5`, `10%`).
pub(crate) fn percent(node: &Node, errors: &mut Vec<Diagnostic>) -> Option<f64> {
    let Node::Scalar(s) = node else {
        errors.push(Diagnostic::error(
            "E0603",
            node.span(),
            format!("`percent` must be a number, found {}", node.kind()),
        ));
        return None;
    };
    let raw = s.value.trim();
    let raw = raw.strip_suffix('%').unwrap_or(raw).trim_end();
    let Some(p) = raw.parse::<f64>().ok().filter(|p| p.is_finite()) else {
        errors.push(Diagnostic::error(
            "E0603",
            s.span,
            format!("`percent` must be a number, found `{}`", s.value),
        ));
        return None;
    };
    if p > 0.0 && p <= 100.0 {
        return Some(p);
    }
    errors.push(
        Diagnostic::error(
            "E0604",
            s.span,
            format!("`percent` must be more than 0 and at most 100, found {p}"),
        )
        .with_label("a share of the connector's objects")
        .with_help(if p <= 0.0 {
            "0 or less would stop every export that deletes anything; to stop on the count only, write `percent: 100`"
        } else {
            "more than 100 % never stops anything; 100 stops an export that would delete every object"
        }),
    );
    None
}
