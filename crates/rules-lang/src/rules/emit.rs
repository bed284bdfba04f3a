//! Writing a rule in canonical form: keys in the documented order, two-space indentation,
//! defaults left out, strings plain when YAML allows and quoted or block-written
//! otherwise, comments put back before the element they belong to.

use std::fmt::Write as _;

use super::model::{
    CommentAnchor, Comments, DIRECTIONS, FlowSource, LINK_TYPES, MERGE_TYPES, MergeType, RULE_KEYS,
    Rule, SCOPE_OPS, spelling,
};

/// A rule as canonical YAML.
pub fn emit_rule(rule: &Rule) -> String {
    let empty = Comments::new();
    let comments = rule.origin.as_ref().map_or(&empty, |o| &o.comments);
    let mut out = String::new();
    let c = |out: &mut String, anchor: CommentAnchor, indent: &str| {
        for line in comments.get(&anchor).into_iter().flatten() {
            let _ = writeln!(out, "{indent}#{line}");
        }
    };
    if let Some(header) = comments.get(&CommentAnchor::Header) {
        for line in header {
            let _ = writeln!(out, "#{line}");
        }
        out.push('\n');
    }
    let key = |out: &mut String, name: &str| {
        let i = RULE_KEYS.iter().position(|k| *k == name).unwrap_or(0);
        c(out, CommentAnchor::Key(i), "");
    };
    key(&mut out, "name");
    let _ = writeln!(out, "name: {}", scalar(&rule.name, "  "));
    if let Some(d) = &rule.description {
        key(&mut out, "description");
        let _ = writeln!(out, "description: {}", scalar(d, "  "));
    }
    key(&mut out, "direction");
    let _ = writeln!(out, "direction: {}", spelling(DIRECTIONS, rule.direction));
    key(&mut out, "connector");
    let _ = writeln!(out, "connector: {}", scalar(&rule.connector, "  "));
    key(&mut out, "source");
    let _ = writeln!(out, "source: {}", scalar(&rule.source, "  "));
    key(&mut out, "target");
    let _ = writeln!(out, "target: {}", scalar(&rule.target, "  "));
    key(&mut out, "link");
    let _ = writeln!(out, "link: {}", spelling(LINK_TYPES, rule.link));
    key(&mut out, "precedence");
    let _ = writeln!(out, "precedence: {}", rule.precedence);
    key(&mut out, "enabled");
    let _ = writeln!(out, "enabled: {}", rule.enabled);
    if let Some(v) = &rule.vendor {
        key(&mut out, "vendor");
        out.push_str("vendor:\n");
        let _ = writeln!(out, "  immutable-tag: {}", scalar(&v.immutable_tag, "    "));
        if let Some(f) = &v.fingerprint {
            let _ = writeln!(out, "  fingerprint: {}", scalar(f, "    "));
        }
    }
    if !rule.scope.is_empty() {
        key(&mut out, "scope");
        out.push_str("scope:\n");
        for (g, group) in rule.scope.iter().enumerate() {
            for (i, clause) in group.iter().enumerate() {
                c(
                    &mut out,
                    CommentAnchor::Clause(g, i),
                    if i == 0 { "  " } else { "    " },
                );
                let dash = if i == 0 { "  - - " } else { "    - " };
                let _ = writeln!(
                    out,
                    "{dash}attribute: {}",
                    scalar(&clause.attribute, "        ")
                );
                let _ = writeln!(
                    out,
                    "      operator: {}",
                    spelling(SCOPE_OPS, clause.operator)
                );
                if clause.operator.takes_value() {
                    let _ = writeln!(out, "      value: {}", scalar(&clause.value, "        "));
                }
            }
        }
    }
    if !rule.join.is_empty() {
        key(&mut out, "join");
        out.push_str("join:\n");
        for (g, group) in rule.join.iter().enumerate() {
            for (i, cond) in group.iter().enumerate() {
                c(
                    &mut out,
                    CommentAnchor::Condition(g, i),
                    if i == 0 { "  " } else { "    " },
                );
                let dash = if i == 0 { "  - - " } else { "    - " };
                let _ = writeln!(out, "{dash}source: {}", scalar(&cond.source, "        "));
                let _ = writeln!(out, "      target: {}", scalar(&cond.target, "        "));
                if cond.case_sensitive {
                    out.push_str("      case-sensitive: true\n");
                }
            }
        }
    }
    if !rule.matching.is_empty() {
        key(&mut out, "matching");
        out.push_str("matching:\n");
        for (o, (option, groups)) in rule.matching.iter().enumerate() {
            c(&mut out, CommentAnchor::Matching(o), "  ");
            let _ = writeln!(out, "{}", key_colon(option, "  "));
            for group in groups {
                for (i, cond) in group.iter().enumerate() {
                    let dash = if i == 0 { "    - - " } else { "      - " };
                    let _ = writeln!(out, "{dash}source: {}", scalar(&cond.source, "          "));
                    let _ = writeln!(
                        out,
                        "        target: {}",
                        scalar(&cond.target, "          ")
                    );
                    if cond.case_sensitive {
                        out.push_str("        case-sensitive: true\n");
                    }
                }
            }
        }
    }
    if !rule.flows.is_empty() {
        key(&mut out, "flows");
        out.push_str("flows:\n");
        for (i, flow) in rule.flows.iter().enumerate() {
            c(&mut out, CommentAnchor::Flow(i), "  ");
            let _ = writeln!(out, "  - target: {}", scalar(&flow.target, "      "));
            let (k, v) = match &flow.source {
                FlowSource::Expression(e) => ("expression", e),
                FlowSource::Direct(a) => ("source", a),
                FlowSource::Constant(v) => ("constant", v),
            };
            let _ = writeln!(out, "    {k}: {}", scalar(v, "      "));
            if flow.merge != MergeType::Update {
                let _ = writeln!(out, "    merge: {}", spelling(MERGE_TYPES, flow.merge));
            }
            if flow.apply_once {
                out.push_str("    apply-once: true\n");
            }
        }
    }
    if let Some(trailer) = comments.get(&CommentAnchor::Trailer) {
        for line in trailer {
            let _ = writeln!(out, "#{line}");
        }
    }
    out
}

/// Words other YAML readers would not take as strings.
fn ambiguous(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
    ) || s.parse::<f64>().is_ok()
        || lower.starts_with("0x")
        || lower.starts_with("0o")
        || lower == ".inf"
        || lower == ".nan"
}

fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    !ambiguous(s)
        && !"-?:,[]{}#&*!|>'\"%@`".contains(first)
        && s.trim() == s
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && s.chars().all(|c| !c.is_control())
}

/// A string as a YAML scalar on one line, for a flow sequence's item or a mapping's key:
/// plain when nothing in it is a flow indicator, else quoted (a block scalar may not stand
/// there; found by fuzzing: a list item with a line break came back as another string).
pub(crate) fn flow_scalar(s: &str) -> String {
    // Plain only for a word: the YAML reader refuses some plain texts in flow context that
    // the rules allow (`g- -`, found by fuzzing), and quoting costs nothing here.
    if plain_ok(s)
        && s.chars()
            .all(|c| c.is_alphanumeric() || "._@/+-".contains(c))
    {
        return s.to_owned();
    }
    if s.chars().all(|c| !c.is_control()) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    serde_json::to_string(s).unwrap_or_else(|_| format!("'{}'", s.replace('\'', "''")))
}

/// A mapping key and its colon at `indent`: `key:` on one line, or, for a key too long for
/// YAML's implicit keys (1,024 characters; found by fuzzing: a parameter name of control
/// characters, six times longer escaped), the explicit form `? key` then `:`.
pub(crate) fn key_colon(key: &str, indent: &str) -> String {
    let written = flow_scalar(key);
    if written.chars().count() < 1000 {
        format!("{indent}{written}:")
    } else {
        format!("{indent}? {written}\n{indent}:")
    }
}

/// A string as a YAML scalar; a multi-line one as a literal block indented by `indent`.
pub(crate) fn scalar(s: &str, indent: &str) -> String {
    if plain_ok(s) {
        return s.to_owned();
    }
    let printable = s.chars().all(|c| !c.is_control() || c == '\n');
    if !s.contains('\n') && printable {
        return format!("'{}'", s.replace('\'', "''"));
    }
    let block_ok = printable && !s.starts_with([' ', '\n']) && s.lines().all(|l| l.trim_end() == l);
    if block_ok {
        let (body, chomp) = match s.strip_suffix('\n') {
            Some(b) if !b.ends_with('\n') => (b, ""),
            Some(b) => (b, "+"),
            None => (s, "-"),
        };
        let mut out = format!("|{chomp}");
        for line in body.split('\n') {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(indent);
                out.push_str(line);
            }
        }
        return out;
    }
    // Double quotes with JSON escapes, which YAML reads the same way.
    serde_json::to_string(s).unwrap_or_else(|_| format!("'{}'", s.replace('\'', "''")))
}
