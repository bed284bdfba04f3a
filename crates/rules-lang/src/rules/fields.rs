//! Reading a YAML mapping's fields with located errors: unknown keys (with a did-you-mean),
//! missing keys, and values of the wrong shape.

use super::yaml::{Node, Scalar, Style, is_null};
use crate::diag::Diagnostic;
use crate::span::Span;

/// A mapping being read; every key must be taken or is reported unknown by [`Fields::finish`].
pub(crate) struct Fields<'a> {
    entries: &'a [(Scalar, Node)],
    taken: Vec<bool>,
    span: Span,
    what: &'static str,
}

impl<'a> Fields<'a> {
    /// Reads `node` as a mapping describing `what` (for messages: "a rule", "a flow").
    pub(crate) fn new(node: &'a Node, what: &'static str) -> Result<Self, Diagnostic> {
        match node {
            Node::Map(entries, span) => Ok(Fields {
                entries,
                taken: vec![false; entries.len()],
                span: *span,
                what,
            }),
            other => Err(Diagnostic::error(
                "E0312",
                other.span(),
                format!(
                    "{what} must be a mapping of keys to values, found {}",
                    other.kind()
                ),
            )),
        }
    }

    /// The mapping's span.
    pub(crate) fn span(&self) -> Span {
        self.span
    }

    /// The value of `key`, if present.
    pub(crate) fn get(&mut self, key: &str) -> Option<(&'a Scalar, &'a Node)> {
        let i = self.entries.iter().position(|(k, _)| k.value == key)?;
        if let Some(t) = self.taken.get_mut(i) {
            *t = true;
        }
        self.entries.get(i).map(|(k, v)| (k, v))
    }

    /// The value of a required `key`.
    pub(crate) fn required(&mut self, key: &str) -> Result<(&'a Scalar, &'a Node), Diagnostic> {
        self.get(key).ok_or_else(|| {
            Diagnostic::error(
                "E0311",
                Span::new(self.span.start as usize, self.span.start as usize),
                format!("{} needs `{key}`", self.what),
            )
        })
    }

    /// Reports keys nobody took, suggesting the nearest of `known`.
    pub(crate) fn finish(self, known: &[&str], out: &mut Vec<Diagnostic>) {
        for ((key, _), taken) in self.entries.iter().zip(&self.taken) {
            if *taken {
                continue;
            }
            let mut d = Diagnostic::error(
                "E0310",
                key.span,
                format!("unknown key `{}` in {}", key.value, self.what),
            );
            d = match crate::diag::closest(&key.value, known.iter().copied()) {
                Some(k) => d.with_help(format!("did you mean `{k}`?")),
                None => d.with_help(format!("the keys are {}", known.join(", "))),
            };
            out.push(d);
        }
    }
}

/// A scalar value (any non-null scalar), or an error naming `key`.
pub(crate) fn scalar<'a>(key: &str, node: &'a Node) -> Result<&'a Scalar, Diagnostic> {
    match node {
        Node::Scalar(s) if !(s.style == Style::Plain && is_null(&s.value)) => Ok(s),
        other => Err(Diagnostic::error(
            "E0312",
            other.span(),
            format!("`{key}` must be a value, found {}", other.kind()),
        )),
    }
}

/// A non-empty string value.
pub(crate) fn text<'a>(key: &str, node: &'a Node) -> Result<&'a Scalar, Diagnostic> {
    let s = scalar(key, node)?;
    if s.value.trim().is_empty() {
        return Err(Diagnostic::error(
            "E0312",
            s.span,
            format!("`{key}` must not be empty"),
        ));
    }
    Ok(s)
}

/// A whole number.
pub(crate) fn integer(key: &str, node: &Node) -> Result<(i64, Span), Diagnostic> {
    let s = scalar(key, node)?;
    s.value
        .trim()
        .parse::<i64>()
        .map(|n| (n, s.span))
        .map_err(|_| {
            Diagnostic::error(
                "E0312",
                s.span,
                format!("`{key}` must be a whole number, found `{}`", s.value),
            )
        })
}

/// `true` or `false` (YAML 1.2 spellings, and `True`/`False`).
pub(crate) fn boolean(key: &str, node: &Node) -> Result<bool, Diagnostic> {
    let s = scalar(key, node)?;
    match s.value.as_str() {
        "true" | "True" | "TRUE" => Ok(true),
        "false" | "False" | "FALSE" => Ok(false),
        other => Err(Diagnostic::error(
            "E0312",
            s.span,
            format!("`{key}` must be `true` or `false`, found `{other}`"),
        )),
    }
}

/// One of a table's spellings.
pub(crate) fn one_of<T: Copy>(
    key: &str,
    node: &Node,
    table: super::model::Spellings<T>,
) -> Result<T, Diagnostic> {
    let s = scalar(key, node)?;
    if let Some(v) = super::model::parse_spelling(table, s.value.trim()) {
        return Ok(v);
    }
    let names: Vec<&str> = table.iter().map(|(_, n, _)| *n).collect();
    let d = Diagnostic::error(
        "E0313",
        s.span,
        format!("`{}` is not a valid `{key}`", s.value),
    );
    Err(
        match crate::diag::closest(&s.value, names.iter().copied()) {
            Some(n) => d.with_help(format!("did you mean `{n}`?")),
            None => d.with_help(format!("use one of {}", names.join(", "))),
        },
    )
}

/// A list (absent or null is an empty list).
pub(crate) fn list<'a>(key: &str, node: &'a Node) -> Result<&'a [Node], Diagnostic> {
    match node {
        Node::Seq(items, _) => Ok(items),
        Node::Scalar(s) if s.style == Style::Plain && is_null(&s.value) => Ok(&[]),
        other => Err(Diagnostic::error(
            "E0312",
            other.span(),
            format!("`{key}` must be a list, found {}", other.kind()),
        )
        .with_help("start each item with `- `")),
    }
}
