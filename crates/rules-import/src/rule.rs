//! One `SynchronizationRules/*.xml` file → one [`Rule`]. Every element and attribute is
//! either carried over or reported: an unknown one as a located warning, the ones the model
//! leaves out by design (ids, version, precedence hints, soft-delete interval, the password
//! sync flag) as one summary warning each.

use indexmap::IndexMap;

use super::ImportError;
use super::xml::{Document, Element, local};
use syncrules_lang::rules::model::{
    DIRECTIONS, LINK_TYPES, Rule, Spellings, Vendor, fingerprint, parse_spelling,
};

/// Warnings, and the elements dropped by design grouped by what was dropped.
#[derive(Default)]
pub(super) struct Sink {
    /// Warnings about one place, in the order found.
    pub warnings: Vec<String>,
    /// What was dropped → (why, the rules it was dropped from).
    drops: IndexMap<String, (&'static str, Vec<String>)>,
}

impl Sink {
    /// Records that `what` was left out of rule `rule` because `why`.
    fn dropped(&mut self, what: String, why: &'static str, rule: &str) {
        self.drops
            .entry(what)
            .or_insert_with(|| (why, Vec::new()))
            .1
            .push(rule.to_owned());
    }

    /// All warnings: the located ones, then one per kind of dropped element.
    pub fn finish(mut self) -> Vec<String> {
        for (what, (why, rules)) in self.drops {
            let whom = match rules.as_slice() {
                [one] => format!("rule `{one}`"),
                few if few.len() <= 5 => format!("rules `{}`", few.join("`, `")),
                many => format!("{} rules", many.len()),
            };
            self.warnings
                .push(format!("dropped {what} from {whom}: {why}"));
        }
        self.warnings
    }
}

/// The elements of a rule the model leaves out by design, and why. `true`: the value is the
/// same for many rules and worth showing.
const BY_DESIGN: &[(&str, bool, &str)] = &[
    ("id", false, "rules are identified by name"),
    ("internal-id", false, "rules are identified by name"),
    ("version", true, "the rule's revision counter is not kept"),
    (
        "precedence-after",
        true,
        "ordering hints are not kept; the explicit precedence is",
    ),
    (
        "precedence-before",
        true,
        "ordering hints are not kept; the explicit precedence is",
    ),
    (
        "softDeleteExpiryInterval",
        true,
        "the rule model has no soft-delete interval",
    ),
    (
        "EnablePasswordSync",
        true,
        "password hash synchronization is not part of the rule model",
    ),
];

/// Reading one file: the document, the rule's name once known, the sink.
pub(super) struct Reader<'a> {
    /// The file.
    pub doc: &'a Document,
    /// The rule's name.
    pub name: String,
    /// Where warnings go.
    pub sink: &'a mut Sink,
}

impl Reader<'_> {
    pub(super) fn warn(&mut self, element: &Element, message: impl std::fmt::Display) {
        let place = self.doc.locate(element);
        self.sink
            .warnings
            .push(format!("{place}: rule `{}`: {message}", self.name));
    }

    /// Warns about the attributes of `element` other than `known`, and its text if it should
    /// have none.
    pub(super) fn leftovers(&mut self, element: &Element, known: &[&str], has_text: bool) {
        for (k, v) in &element.attrs {
            if !known.contains(&local(k)) {
                self.warn(
                    element,
                    format_args!("dropped attribute {k}=\"{v}\" of `<{}>`", element.name),
                );
            }
        }
        if !has_text && !element.text.trim().is_empty() {
            self.warn(
                element,
                format_args!(
                    "dropped text `{}` of `<{}>`",
                    element.text.trim(),
                    element.name
                ),
            );
        }
    }

    /// Warns about what `parent` holds besides the `leaves` (children with text only) and the
    /// `containers` (children read further): unknown children, and attributes or elements
    /// inside a leaf.
    pub(super) fn children(&mut self, parent: &Element, leaves: &[&str], containers: &[&str]) {
        for c in &parent.children {
            let name = c.name.as_str();
            if leaves.contains(&name) {
                self.leftovers(c, &[], true);
                for inner in &c.children {
                    self.unknown(inner, name);
                }
            } else if !containers.contains(&name) {
                self.unknown(c, &parent.name);
            }
        }
    }

    fn unknown(&mut self, element: &Element, parent: &str) {
        self.warn(
            element,
            format_args!(
                "dropped unknown element `<{}>` of `<{parent}>`",
                element.name
            ),
        );
    }

    /// The one child named `name`; an error if there are several.
    pub(super) fn single<'e>(
        &self,
        parent: &'e Element,
        name: &str,
    ) -> Result<Option<&'e Element>, ImportError> {
        let mut all = parent.children.iter().filter(|c| c.name == name);
        let first = all.next();
        match all.next() {
            Some(second) => Err(self
                .doc
                .invalid(second, format!("more than one `<{name}>`"))),
            None => Ok(first),
        }
    }

    /// The trimmed, non-empty text of the required child `name`.
    pub(super) fn required(&self, parent: &Element, name: &str) -> Result<String, ImportError> {
        match self.single(parent, name)? {
            Some(e) if !e.text.trim().is_empty() => Ok(e.text.trim().to_owned()),
            Some(e) => Err(self.doc.invalid(e, format!("`<{name}>` is empty"))),
            None => Err(self
                .doc
                .invalid(parent, format!("`<{}>` has no `<{name}>`", parent.name))),
        }
    }

    pub(super) fn spelled<T: Copy>(
        &self,
        e: &Element,
        table: Spellings<T>,
    ) -> Result<T, ImportError> {
        let text = e.text.trim();
        parse_spelling(table, text).ok_or_else(|| {
            let known: Vec<&str> = table
                .iter()
                .flat_map(|(_, _, l)| l.iter().copied())
                .collect();
            self.doc.invalid(
                e,
                format!(
                    "`{text}` is not a valid `<{}>`: expected one of {}",
                    e.name,
                    known.join(", ")
                ),
            )
        })
    }

    pub(super) fn flag(&self, e: &Element) -> Result<bool, ImportError> {
        flag(e.text.trim()).ok_or_else(|| {
            self.doc
                .invalid(e, format!("`<{}>` must be True or False", e.name))
        })
    }
}

/// An XML Boolean: `True`/`False` in any case, or `1`/`0`.
pub(super) fn flag(text: &str) -> Option<bool> {
    match text {
        t if t.eq_ignore_ascii_case("true") || t == "1" => Some(true),
        t if t.eq_ignore_ascii_case("false") || t == "0" => Some(false),
        _ => None,
    }
}

/// The elements of `<synchronizationRule>` that hold a value.
const RULE_LEAVES: &[&str] = &[
    "name",
    "description",
    "immutable-tag",
    "direction",
    "disabled",
    "connector",
    "sourceObjectType",
    "targetObjectType",
    "linkType",
    "precedence",
];

/// The elements of `<synchronizationRule>` read further.
const RULE_CONTAINERS: &[&str] = &[
    "attribute-mappings",
    "relationshipCriteria",
    "synchronizationCriteria",
];

/// Reads a rule file; `connector` turns the rule's connector GUID into a connector name.
pub(super) fn read_rule(
    doc: &Document,
    connector: &mut dyn FnMut(&str) -> String,
    sink: &mut Sink,
) -> Result<Rule, ImportError> {
    let root = &doc.root;
    if root.name != "synchronizationRule" {
        return Err(doc.invalid(
            root,
            format!("expected `<synchronizationRule>`, found `<{}>`", root.name),
        ));
    }
    let mut r = Reader {
        doc,
        name: String::new(),
        sink,
    };
    r.name = r.required(root, "name")?;
    r.leftovers(root, &[], false);
    let mut not_leaves: Vec<&str> = RULE_CONTAINERS.to_vec();
    for child in &root.children {
        if let Some((n, show, why)) = BY_DESIGN.iter().find(|(n, _, _)| *n == child.name) {
            let value = child.text.trim();
            let what = if *show && !value.is_empty() {
                format!("`<{n}>{value}</{n}>`")
            } else {
                format!("`<{n}>`")
            };
            r.sink.dropped(what, why, &r.name);
            not_leaves.push(n);
        }
    }
    r.children(root, RULE_LEAVES, &not_leaves);
    let direction = match r.single(root, "direction")? {
        Some(e) => r.spelled(e, DIRECTIONS)?,
        None => return Err(doc.invalid(root, "`<synchronizationRule>` has no `<direction>`")),
    };
    let guid = r.required(root, "connector")?;
    let precedence_text = r.required(root, "precedence")?;
    let precedence = precedence_text
        .parse::<i64>()
        .ok()
        .filter(|p| *p >= 1)
        .ok_or_else(|| {
            let at = root.child("precedence").unwrap_or(root);
            doc.invalid(
                at,
                format!("`<precedence>` must be a whole number from 1, found `{precedence_text}`"),
            )
        })?;
    let mut rule = Rule::new(
        r.name.clone(),
        direction,
        connector(&guid),
        r.required(root, "sourceObjectType")?,
        r.required(root, "targetObjectType")?,
        precedence,
    );
    rule.description = r
        .single(root, "description")?
        .map(|d| d.text.trim().to_owned())
        .filter(|d| !d.is_empty());
    if let Some(link) = r.single(root, "linkType")? {
        rule.link = r.spelled(link, LINK_TYPES)?;
    }
    if let Some(disabled) = r.single(root, "disabled")? {
        rule.enabled = !r.flag(disabled)?;
    }
    if let Some(mappings) = r.single(root, "attribute-mappings")? {
        rule.flows = super::mapping::flows(&mut r, mappings)?;
    }
    if let Some(criteria) = r.single(root, "synchronizationCriteria")? {
        rule.scope = super::criteria::scope(&mut r, criteria)?;
    }
    if let Some(criteria) = r.single(root, "relationshipCriteria")? {
        rule.join = super::criteria::join(&mut r, criteria, direction)?;
    }
    let tag = r
        .single(root, "immutable-tag")?
        .map(|t| t.text.trim().to_owned())
        .filter(|t| !t.is_empty());
    if let Some(immutable_tag) = tag {
        rule.vendor = Some(Vendor {
            immutable_tag,
            fingerprint: None,
        });
        let print = fingerprint(&rule);
        if let Some(v) = rule.vendor.as_mut() {
            v.fingerprint = Some(print);
        }
    }
    Ok(rule)
}
