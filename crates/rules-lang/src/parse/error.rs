//! Syntax errors: pest's error turned into a located diagnostic that names what was
//! expected in the user's terms and underlines the offending token.

use super::Rule;
use crate::diag::Diagnostic;
use crate::span::Span;

/// The user-facing name of a grammar rule, for "expected ..." messages.
fn token_name(rule: &Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::expr | Rule::primary | Rule::paren => "an expression",
        Rule::attribute => "`[attribute]`",
        Rule::parameter => "`%parameter%`",
        Rule::string => "a string",
        Rule::number | Rule::hex => "a number",
        Rule::variable => "`$variable`",
        Rule::call => "a function call",
        Rule::keyword => "`True`, `False` or `NULL`",
        Rule::enum_name | Rule::identifier => "a name",
        Rule::neg => "`-`",
        Rule::EOI => "end of expression",
        Rule::and
        | Rule::or
        | Rule::concat
        | Rule::add
        | Rule::sub
        | Rule::mul
        | Rule::div
        | Rule::eq
        | Rule::ne
        | Rule::lt
        | Rule::le
        | Rule::gt
        | Rule::ge
        | Rule::band
        | Rule::bor => "an operator",
        _ => return None,
    })
}

pub(super) fn syntax_error(source: &str, err: &pest::error::Error<Rule>) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    // Underline the token found at the error position (or the end of input).
    let rest = source.get(pos..).unwrap_or("");
    let token_len = token_at(rest);
    let span = Span::new(pos, pos + token_len);
    let found = if token_len == 0 {
        "end of expression".to_owned()
    } else {
        format!("`{}`", rest.get(..token_len).unwrap_or(""))
    };
    let mut expected: Vec<&'static str> = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().filter_map(token_name).collect()
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    expected.sort_unstable();
    expected.dedup();
    // An unclosed string or bracket is the usual cause of "end of expression".
    let help = unclosed(source);
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", join_or(&expected))
    };
    let d = Diagnostic::error("E0001", span, message);
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The length of the token starting `rest`: a name, a number, a quoted string's opening
/// quote, or one character.
fn token_at(rest: &str) -> usize {
    let mut chars = rest.char_indices();
    match chars.next() {
        None => 0,
        Some((_, c)) if c.is_alphanumeric() || c == '_' => rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map_or(rest.len(), |(i, _)| i),
        Some((_, c)) => c.len_utf8(),
    }
}

fn unclosed(before: &str) -> Option<&'static str> {
    let mut parens = 0i64;
    let mut brackets = 0i64;
    let mut in_string = false;
    let mut chars = before.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => in_string = !in_string,
            '\\' if in_string => {
                chars.next();
            }
            '(' if !in_string => parens += 1,
            ')' if !in_string => parens -= 1,
            '[' if !in_string => brackets += 1,
            ']' if !in_string => brackets -= 1,
            _ => {}
        }
    }
    if in_string {
        Some("a string is not closed: add `\"`")
    } else if brackets > 0 {
        Some("an attribute name is not closed: add `]`")
    } else if parens > 0 {
        Some("a parenthesis is not closed: add `)`")
    } else {
        None
    }
}
