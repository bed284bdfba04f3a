//! Comments: found in a rule file and attached to the element they stand before, so the
//! formatter can put them back.
//!
//! A comment on a line of its own belongs to the element that follows it; a comment at
//! the end of a line belongs to the element that line is part of (the formatter writes it
//! on its own line above). Comments at the top of a file followed by a blank line are the
//! file's header.

use super::model::{CommentAnchor, Comments, RULE_KEYS};
use super::yaml::Node;
use crate::span::Span;

/// Finds the comments of a rule file.
pub(crate) fn collect_comments(text: &str, root: &Node) -> Comments {
    let mut scalars = Vec::new();
    scalar_spans(root, &mut scalars);
    let anchors = anchors(root);
    let mut out = Comments::new();
    let first_key = anchors.first().map_or(text.len(), |(_, at)| *at);
    let mut header_done = false;
    let mut pending_header: Vec<String> = Vec::new();
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some((at, comment)) = comment_in(line, start, &scalars) else {
            if line.trim().is_empty()
                && !header_done
                && start < first_key
                && !pending_header.is_empty()
            {
                // A blank line after the opening comments: they are the header.
                out.entry(CommentAnchor::Header)
                    .or_default()
                    .append(&mut pending_header);
                header_done = true;
            }
            continue;
        };
        let standalone = line.get(..at - start).is_some_and(|b| b.trim().is_empty());
        if standalone && !header_done && start < first_key {
            pending_header.push(comment);
            continue;
        }
        let anchor = if standalone {
            anchors
                .iter()
                .find(|(_, a)| *a >= start)
                .map_or(CommentAnchor::Trailer, |(k, _)| *k)
        } else {
            anchors
                .iter()
                .rev()
                .find(|(_, a)| *a <= at)
                .map_or(CommentAnchor::Header, |(k, _)| *k)
        };
        out.entry(anchor).or_default().push(comment);
    }
    if !pending_header.is_empty() {
        let key = anchors.first().map_or(CommentAnchor::Trailer, |(k, _)| *k);
        let mut existing = out.remove(&key).unwrap_or_default();
        pending_header.append(&mut existing);
        out.insert(key, pending_header);
    }
    out
}

/// The comment on a line: where its `#` is and its text (without the `#`).
fn comment_in(line: &str, start: usize, scalars: &[Span]) -> Option<(usize, String)> {
    let mut prev_blank = true;
    for (i, c) in line.char_indices() {
        let at = start + i;
        if c == '#'
            && prev_blank
            && !scalars
                .iter()
                .any(|s| (s.start as usize) <= at && at < s.end as usize)
        {
            let text = line.get(i + 1..).unwrap_or("").trim_end().to_owned();
            return Some((at, text));
        }
        prev_blank = c == ' ' || c == '\t';
    }
    None
}

fn scalar_spans(node: &Node, out: &mut Vec<Span>) {
    match node {
        Node::Scalar(s) => out.push(s.span),
        Node::Seq(items, _) => items.iter().for_each(|i| scalar_spans(i, out)),
        Node::Map(entries, _) => {
            for (k, v) in entries {
                out.push(k.span);
                scalar_spans(v, out);
            }
        }
    }
}

/// Where each anchor's element starts, in file order.
fn anchors(root: &Node) -> Vec<(CommentAnchor, usize)> {
    let mut out = Vec::new();
    let Node::Map(entries, _) = root else {
        return out;
    };
    for (key, value) in entries {
        if let Some(i) = RULE_KEYS.iter().position(|k| *k == key.value) {
            out.push((CommentAnchor::Key(i), key.span.start as usize));
        }
        let items = |n: &Node| match n {
            Node::Seq(items, _) => items.clone(),
            _ => Vec::new(),
        };
        match key.value.as_str() {
            "flows" => {
                for (i, f) in items(value).iter().enumerate() {
                    out.push((CommentAnchor::Flow(i), f.span().start as usize));
                }
            }
            "matching" => {
                if let Node::Map(options, _) = value {
                    for (i, (option, _)) in options.iter().enumerate() {
                        out.push((CommentAnchor::Matching(i), option.span.start as usize));
                    }
                }
            }
            "scope" | "join" => {
                for (g, group) in items(value).iter().enumerate() {
                    for (c, clause) in items(group).iter().enumerate() {
                        let anchor = if key.value == "scope" {
                            CommentAnchor::Clause(g, c)
                        } else {
                            CommentAnchor::Condition(g, c)
                        };
                        out.push((anchor, clause.span().start as usize));
                    }
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|(_, at)| *at);
    out
}
