//! An [`Impact`] for people: concise text for a terminal, and markdown for a pull-request
//! comment (a counts table, the attributes that change most, then a few examples per kind
//! of change with the rest folded).

use std::fmt::Write as _;

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::{AttributeChange, Change, Impact, ObjectChange};

/// Examples shown per connector and kind of change before the rest is folded (markdown)
/// or counted (text).
const EXAMPLES: usize = 5;
/// Objects listed inside a markdown fold; a pull-request comment has a size limit.
const FOLDED: usize = 100;
/// Attributes shown for an added object.
const KEY_ATTRIBUTES: usize = 6;
/// Attributes that name an object, shown first for an added one.
const PREFERRED: &[&str] = &[
    "displayName",
    "userPrincipalName",
    "mail",
    "mailNickname",
    "sAMAccountName",
    "accountEnabled",
];

/// A value list as short text: scalars joined by commas, long text cut.
fn shown(values: &[Json]) -> String {
    if values.is_empty() {
        return "(none)".to_owned();
    }
    let text = values
        .iter()
        .map(|v| match v {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(77).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// ` (label)` when the object has a label.
fn named(o: &ObjectChange) -> String {
    o.label
        .as_deref()
        .map(|l| format!(" ({l})"))
        .unwrap_or_default()
}

/// Markdown table cell text: pipes and newlines escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The attributes to show for an object: the differing ones of a changed object, a few
/// naming ones of an added object.
fn listed(o: &ObjectChange) -> Vec<(&String, &AttributeChange)> {
    match o.change {
        Change::Changed => o.attributes.iter().collect(),
        Change::Removed => Vec::new(),
        Change::Added => {
            let mut out: Vec<_> = PREFERRED
                .iter()
                .filter_map(|p| o.attributes.get_key_value(*p))
                .collect();
            out.extend(
                o.attributes
                    .iter()
                    .filter(|(k, _)| !PREFERRED.contains(&k.as_str())),
            );
            out.truncate(KEY_ATTRIBUTES);
            out
        }
    }
}

impl Impact {
    /// The objects of one connector and kind of change.
    fn of(&self, connector: &str, change: Change) -> impl Iterator<Item = &ObjectChange> {
        self.objects
            .iter()
            .filter(move |o| o.connector == connector && o.change == change)
    }

    /// How many changed objects each attribute differs on, most first.
    fn attribute_counts(&self) -> Vec<(String, String, usize)> {
        let mut counts: IndexMap<(String, String), usize> = IndexMap::new();
        for o in self.objects.iter().filter(|o| o.change == Change::Changed) {
            for name in o.attributes.keys() {
                *counts
                    .entry((o.connector.clone(), name.clone()))
                    .or_default() += 1;
            }
        }
        let mut out: Vec<_> = counts.into_iter().map(|((c, a), n)| (c, a, n)).collect();
        out.sort_by(|x, y| y.2.cmp(&x.2).then_with(|| (&x.0, &x.1).cmp(&(&y.0, &y.1))));
        out
    }

    /// Concise text: the counts per connector, then a few objects per kind of change.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        if self.is_empty() {
            out.push_str("no difference: both rule sets would export the same\n");
            return out;
        }
        for (c, [a, r, ch]) in &self.summary {
            let _ = writeln!(out, "{c}: {a} added, {r} removed, {ch} changed");
        }
        for c in self.summary.keys() {
            for change in [Change::Added, Change::Removed, Change::Changed] {
                let all: Vec<_> = self.of(c, change).collect();
                for o in all.iter().take(EXAMPLES) {
                    let _ = writeln!(out, "\n{} {c} {}{}", change.as_str(), o.dn, named(o));
                    for (k, a) in listed(o) {
                        let rule = a
                            .rule
                            .as_deref()
                            .map(|r| format!("  <- {r}"))
                            .unwrap_or_default();
                        if o.change == Change::Changed {
                            let _ = writeln!(
                                out,
                                "    {k}: {} -> {}{rule}",
                                shown(&a.old),
                                shown(&a.new)
                            );
                        } else {
                            let _ = writeln!(out, "    {k}: {}{rule}", shown(&a.new));
                        }
                    }
                }
                if all.len() > EXAMPLES {
                    let _ = writeln!(
                        out,
                        "\n... and {} more {} in {c} (--format json lists every one)",
                        all.len() - EXAMPLES,
                        change.as_str()
                    );
                }
            }
        }
        out
    }

    /// A pull-request comment: a counts table, the attributes that change on most objects,
    /// then per connector and kind of change a few examples, the rest folded.
    pub fn render_markdown(&self) -> String {
        let mut out = String::from("### syncrules impact\n\n");
        if self.is_empty() {
            out.push_str("No difference: both rule sets would export the same.\n");
            return out;
        }
        out.push_str("| connector | added | removed | changed |\n|---|--:|--:|--:|\n");
        for (c, [a, r, ch]) in &self.summary {
            let _ = writeln!(out, "| `{}` | {a} | {r} | {ch} |", cell(c));
        }
        let counts = self.attribute_counts();
        if !counts.is_empty() {
            out.push_str("\n**Attributes changed:** ");
            let list: Vec<String> = counts
                .iter()
                .take(8)
                .map(|(c, a, n)| format!("`{a}` on {n} ({c})"))
                .collect();
            out.push_str(&list.join(", "));
            if counts.len() > 8 {
                let _ = write!(out, ", and {} more", counts.len() - 8);
            }
            out.push('\n');
        }
        for c in self.summary.keys() {
            for change in [Change::Added, Change::Removed, Change::Changed] {
                let all: Vec<_> = self.of(c, change).collect();
                if all.is_empty() {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "\n#### {} in `{}` ({})\n",
                    change.as_str(),
                    cell(c),
                    all.len()
                );
                for o in all.iter().take(EXAMPLES) {
                    example(&mut out, o);
                }
                let rest = all.get(EXAMPLES..).unwrap_or_default();
                if !rest.is_empty() {
                    let _ = writeln!(
                        out,
                        "\n<details><summary>{} more {}</summary>\n",
                        rest.len(),
                        change.as_str()
                    );
                    for o in rest.iter().take(FOLDED) {
                        let what: Vec<&str> = o.attributes.keys().map(String::as_str).collect();
                        let name = cell(&named(o));
                        if o.change == Change::Changed {
                            let _ = writeln!(out, "- `{}`{name}: {}", cell(&o.dn), what.join(", "));
                        } else {
                            let _ = writeln!(out, "- `{}`{name}", cell(&o.dn));
                        }
                    }
                    if rest.len() > FOLDED {
                        let _ = writeln!(
                            out,
                            "- ... and {} more (`syncrules impact --format json` lists every one)",
                            rest.len() - FOLDED
                        );
                    }
                    out.push_str("\n</details>\n");
                }
            }
        }
        out
    }
}

/// One object as markdown: its DN, then a table of its attributes.
fn example(out: &mut String, o: &ObjectChange) {
    let _ = writeln!(out, "- `{}`{}", cell(&o.dn), cell(&named(o)));
    let rows = listed(o);
    if rows.is_empty() {
        return;
    }
    if o.change == Change::Changed {
        out.push_str("\n  | attribute | old | new | rule |\n  |---|---|---|---|\n");
    } else {
        out.push_str("\n  | attribute | value | rule |\n  |---|---|---|\n");
    }
    for (k, a) in rows {
        let rule = a.rule.as_deref().map(cell).unwrap_or_default();
        if o.change == Change::Changed {
            let _ = writeln!(
                out,
                "  | `{}` | {} | {} | {rule} |",
                cell(k),
                cell(&shown(&a.old)),
                cell(&shown(&a.new))
            );
        } else {
            let _ = writeln!(
                out,
                "  | `{}` | {} | {rule} |",
                cell(k),
                cell(&shown(&a.new))
            );
        }
    }
    out.push('\n');
}
