//! One rule set, many connectors: a connector declared `template: true` in `syncrules.yaml`
//! is a template, and each `sync.yaml` connector that names it (`rules: TEMPLATE`) gets a
//! copy of its rules, bound to that connector, with that connector's parameters. The
//! precedences are then numbered as Entra Connect numbers its per-forest copies: the
//! forests interleave rule by rule (each template rule's copies in `sync.yaml` order, one
//! after the other), every forest's `User Join` precedes every forest's catch-all, and the
//! rules after a copied rule move down by the copies inserted before them. With one
//! connector per template nothing is renumbered.
//!
//! The rules keep their names (Entra Connect gives each connector's copy of "In from AD -
//! User Join" that name); a rule's identity is its name and connector.
//!
//! The user-matching option `sync.yaml` selects (`user-matching:`) appends, to every rule
//! that offers it under `matching:`, its join groups after the rule's own `join:` groups.
//!
//! The result is an ordinary [`RuleSet`]: nothing after this step knows about templates.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use indexmap::IndexMap;

use super::config::ConnectorDecl;
use super::model::{FlowSource, JoinCondition, Rule};
use super::report::Report;
use super::set::RuleSet;
use crate::diag::{Diagnostic, closest};
use crate::span::Span;

/// A `sync.yaml` connector that takes a template's rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// The connector's name in `sync.yaml`; the instantiated rules bind to it.
    pub connector: String,
    /// The template's name (`rules:`).
    pub template: String,
    /// The connector's parameters (`parameters:`).
    pub parameters: IndexMap<String, String>,
    /// Where the connector's name is written in `sync.yaml`.
    pub name_span: Span,
    /// Where the template's name is written in `sync.yaml`.
    pub template_span: Span,
}

impl Instance {
    /// An instance built in code (not read from a `sync.yaml`): its spans are empty.
    pub fn new(
        connector: impl Into<String>,
        template: impl Into<String>,
        parameters: IndexMap<String, String>,
    ) -> Instance {
        Instance {
            connector: connector.into(),
            template: template.into(),
            parameters,
            name_span: Span::default(),
            template_span: Span::default(),
        }
    }
}

/// How users found in several connectors become one metaverse person (`user-matching:`),
/// after Entra Connect's documented options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Matching {
    /// Users are represented once across all directories: no join across connectors.
    Once,
    /// The same `mail` is the same person.
    Mail,
    /// Account-resource forests: `objectSid` in one forest matches
    /// `msExchMasterAccountSID` in the other (the disabled shadow account contributes its
    /// mailbox; the enabled account signs in).
    AccountResource,
    /// The same `sAMAccountName` and `mailNickname`.
    SamAccountNameMailNickname,
    /// The same value of a chosen attribute (`{attribute: NAME}`).
    Attribute(String),
}

/// The options' names in `sync.yaml` and in rules' `matching:` maps.
pub const MATCHING_OPTIONS: &[&str] = &[
    "once",
    "mail",
    "account-resource",
    "samaccountname-mailnickname",
    "attribute",
];

/// The placeholder for the chosen attribute in a rule's `matching.attribute` groups.
pub const ATTRIBUTE_PLACEHOLDER: &str = "$attribute";

impl Matching {
    /// The option's name: the key of a rule's `matching:` map.
    pub fn option(&self) -> &'static str {
        match self {
            Matching::Once => "once",
            Matching::Mail => "mail",
            Matching::AccountResource => "account-resource",
            Matching::SamAccountNameMailNickname => "samaccountname-mailnickname",
            Matching::Attribute(_) => "attribute",
        }
    }

    /// The option spelled `name` (`attribute` takes its attribute from elsewhere).
    pub fn named(name: &str) -> Option<Matching> {
        match name {
            "once" => Some(Matching::Once),
            "mail" => Some(Matching::Mail),
            "account-resource" => Some(Matching::AccountResource),
            "samaccountname-mailnickname" => Some(Matching::SamAccountNameMailNickname),
            _ => None,
        }
    }
}

/// The user-matching option a `sync.yaml` selects, and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserMatching {
    /// The option.
    pub option: Matching,
    /// Where it is written in `sync.yaml`.
    pub span: Span,
}

/// What a `sync.yaml` asks of a rule set: its template instances and its user matching.
#[derive(Clone, Copy, Debug)]
pub struct Instances<'a> {
    /// The `sync.yaml` file, where errors about it are reported.
    pub file: &'a Path,
    /// The connectors that take a template's rules, in `sync.yaml` order.
    pub connectors: &'a [Instance],
    /// The user-matching option and where it is written; `None` is [`Matching::Once`].
    pub matching: Option<&'a UserMatching>,
}

/// Instantiates `set`'s templates for `instances` and applies the user matching: template
/// rules become one rule per instance, the template declarations become one declaration
/// per instance, rules bound to a template no connector takes are left out. Errors are
/// reported located: E0610 (unknown template), E0611 (a parameter a template rule uses
/// and the connector does not give), E0612 (a matching option no rule offers), E0613 (an
/// instance the rule set also declares as a connector of its own) in `sync.yaml`.
pub fn instantiate(set: &mut RuleSet, instances: &Instances<'_>, report: &mut Report) {
    let templates: IndexMap<String, ConnectorDecl> = set
        .config
        .connectors
        .iter()
        .filter(|(_, c)| c.template)
        .map(|(n, c)| (n.clone(), c.clone()))
        .collect();
    // Each template's instances, in sync.yaml order.
    let mut by_template: IndexMap<&str, Vec<&Instance>> = IndexMap::new();
    for instance in instances.connectors {
        if templates.contains_key(&instance.template) {
            by_template
                .entry(instance.template.as_str())
                .or_default()
                .push(instance);
        } else {
            report.push(instances.file, unknown_template(instance, &templates));
        }
    }
    missing_parameters(set, &by_template, instances.file, report);
    if declared_twice(set, &templates, instances, report) {
        return;
    }
    let template_rules = std::mem::take(&mut set.rules);
    let mut copies: Vec<Copy> = Vec::with_capacity(template_rules.len());
    for rule in template_rules {
        let original = rule.precedence;
        // A vendor default as imported (its fingerprint matches): it records its own
        // fingerprint again once renumbered, and each copy its own, so that W0101
        // ("edited since import") still means an edit, not a renumbering.
        let restamp = rule
            .vendor
            .as_ref()
            .and_then(|v| v.fingerprint.as_deref())
            .is_some_and(|f| f == super::model::fingerprint(&rule));
        if !templates.contains_key(&rule.connector) {
            copies.push(Copy {
                rule,
                original,
                index: 0,
                restamp,
            });
            continue;
        }
        let instances = by_template.get(rule.connector.as_str());
        for (i, instance) in instances.into_iter().flatten().enumerate() {
            copies.push(Copy {
                rule: Rule {
                    connector: instance.connector.clone(),
                    ..rule.clone()
                },
                original,
                index: i64::try_from(i).unwrap_or(i64::MAX),
                restamp,
            });
        }
    }
    set.rules = renumber(copies);
    declare_instances(set, &templates, &by_template);
    apply_matching(set, instances, report);
}

/// E0610 at the template's name.
fn unknown_template(
    instance: &Instance,
    templates: &IndexMap<String, ConnectorDecl>,
) -> Diagnostic {
    let d = Diagnostic::error(
        "E0610",
        instance.template_span,
        format!("no template `{}` in the rule set", instance.template),
    );
    match closest(&instance.template, templates.keys().map(String::as_str)) {
        Some(n) => d.with_help(format!("did you mean `{n}`?")),
        None if templates.is_empty() => d.with_help(
            "declare a connector with `template: true` in syncrules.yaml, or remove `rules:` to bind the rules written for this connector's name",
        ),
        None => {
            let names: Vec<&str> = templates.keys().map(String::as_str).collect();
            d.with_help(format!("the templates are {}", names.join(", ")))
        }
    }
}

/// The parameters a rule reads: `%Name%` in its expressions and scope values.
pub fn parameters_used(rule: &Rule) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for flow in &rule.flows {
        if let FlowSource::Expression(src) = &flow.source
            && let Ok(e) = crate::Expression::compile(src, &crate::Untyped)
        {
            out.extend(e.slots().parameters.iter().cloned());
        }
    }
    for clause in rule.scope.iter().flatten() {
        if let Some(name) = clause
            .value
            .strip_prefix('%')
            .and_then(|v| v.strip_suffix('%'))
        {
            out.insert(name.to_owned());
        }
    }
    out
}

/// E0611, once per connector and parameter, at the connector's name.
fn missing_parameters(
    set: &RuleSet,
    by_template: &IndexMap<&str, Vec<&Instance>>,
    file: &Path,
    report: &mut Report,
) {
    // Each parameter a template's rules use, with the first rule using it.
    let mut used: HashMap<&str, IndexMap<String, &Rule>> = HashMap::new();
    for rule in &set.rules {
        if by_template.contains_key(rule.connector.as_str()) {
            let entry = used.entry(rule.connector.as_str()).or_default();
            for p in parameters_used(rule) {
                entry.entry(p).or_insert(rule);
            }
        }
    }
    for (template, instances) in by_template {
        let Some(params) = used.get(template) else {
            continue;
        };
        for instance in instances {
            for (name, rule) in params {
                if name == "Connector.ID" || instance.parameters.contains_key(name) {
                    continue;
                }
                report.push(
                    file,
                    Diagnostic::error(
                        "E0611",
                        instance.name_span,
                        format!(
                            "connector `{}` does not give parameter `{name}`, which template `{template}`'s rule `{}` uses ({})",
                            instance.connector,
                            rule.name,
                            rule.file().display()
                        ),
                    )
                    .with_help(format!("add `{name}: VALUE` under its `parameters:`")),
                );
            }
        }
    }
}

/// Entra Connect's numbering for several connectors: every rule keeps its place, each
/// template rule's copies follow one another (instance 0, 1, ...), and every rule after a
/// copied rule moves down by the copies inserted before it. With one instance per template
/// nothing moves; rules before the first template rule (custom rules below 100) never move.
fn renumber(rules: Vec<Copy>) -> Vec<Rule> {
    // The original precedences that gained copies, with how many extra copies each.
    let mut inserted: Vec<(i64, i64)> = rules
        .iter()
        .filter(|c| c.index > 0)
        .map(|c| (c.original, 1))
        .collect();
    inserted.sort_unstable();
    let mut before: Vec<(i64, i64)> = Vec::with_capacity(inserted.len());
    for (p, n) in inserted {
        match before.last_mut() {
            Some((q, m)) if *q == p => *m += n,
            _ => before.push((p, n)),
        }
    }
    // Copies inserted strictly before `p`.
    let shift = |p: i64| -> i64 {
        before
            .iter()
            .take_while(|(q, _)| *q < p)
            .map(|(_, n)| n)
            .sum()
    };
    rules
        .into_iter()
        .map(|c| {
            let mut rule = c.rule;
            rule.precedence = c
                .original
                .saturating_add(shift(c.original))
                .saturating_add(c.index);
            if c.restamp {
                let stamp = super::model::fingerprint(&rule);
                if let Some(v) = rule.vendor.as_mut() {
                    v.fingerprint = Some(stamp);
                }
            }
            rule
        })
        .collect()
}

/// A rule after instantiation, before renumbering: its precedence as written and its
/// instance's index (0 for rules that are not a template's).
struct Copy {
    rule: Rule,
    original: i64,
    index: i64,
    /// Record the rule's own fingerprint once renumbered (it was unedited).
    restamp: bool,
}

/// Replaces the template declarations with one declaration per instance: every template
/// goes first, so that an instance may take any template's name.
fn declare_instances(
    set: &mut RuleSet,
    templates: &IndexMap<String, ConnectorDecl>,
    by_template: &IndexMap<&str, Vec<&Instance>>,
) {
    let mut removed = Vec::with_capacity(templates.len());
    for name in templates.keys() {
        let span = set.config.connector_spans.shift_remove(name);
        let schema = set.connector_schemas.shift_remove(name);
        set.config.connectors.shift_remove(name);
        removed.push((span, schema));
    }
    for ((name, decl), (span, schema)) in templates.iter().zip(removed) {
        for instance in by_template.get(name.as_str()).into_iter().flatten() {
            let declared = ConnectorDecl {
                parameters: instance.parameters.clone(),
                template: false,
                // `%Connector.ID%` is one connector's: only the template's namesake keeps it.
                id: decl.id.clone().filter(|_| &instance.connector == name),
                ..decl.clone()
            };
            set.config
                .connectors
                .insert(instance.connector.clone(), declared);
            if let Some(span) = span {
                set.config
                    .connector_spans
                    .insert(instance.connector.clone(), span);
            }
            if let Some(schema) = &schema {
                set.connector_schemas
                    .insert(instance.connector.clone(), schema.clone());
            }
        }
    }
}

/// E0613 for an instance whose name the rule set declares as a connector of its own (not
/// a template): which declaration's kind, schema and parameters apply would be a guess.
fn declared_twice(
    set: &RuleSet,
    templates: &IndexMap<String, ConnectorDecl>,
    instances: &Instances<'_>,
    report: &mut Report,
) -> bool {
    let mut clash = false;
    for instance in instances.connectors {
        if templates.contains_key(&instance.connector)
            || !set.config.connectors.contains_key(&instance.connector)
        {
            continue;
        }
        clash = true;
        report.push(
            instances.file,
            Diagnostic::error(
                "E0613",
                instance.template_span,
                format!(
                    "connector `{}` takes template `{}`, but the rule set declares a connector `{}` of its own",
                    instance.connector, instance.template, instance.connector
                ),
            )
            .with_help(
                "remove its declaration from syncrules.yaml (the template's applies), or remove `rules:` here",
            ),
        );
    }
    clash
}

/// Appends the selected option's join groups to every rule offering it; E0612 when no
/// rule offers it.
fn apply_matching(set: &mut RuleSet, instances: &Instances<'_>, report: &mut Report) {
    if let Some(UserMatching {
        option: matching,
        span,
    }) = instances.matching
        && *matching != Matching::Once
    {
        let option = matching.option();
        let offered = set.rules.iter().any(|r| r.matching.contains_key(option));
        if !offered {
            let mut others: Vec<&str> = set
                .rules
                .iter()
                .flat_map(|r| r.matching.keys().map(String::as_str))
                .collect();
            others.sort_unstable();
            others.dedup();
            let d = Diagnostic::error(
                "E0612",
                *span,
                format!("no rule offers the user-matching option `{option}`"),
            );
            report.push(
                instances.file,
                if others.is_empty() {
                    d.with_help(
                        "add the option's join groups under `matching:` in the user join rules",
                    )
                } else {
                    d.with_help(format!("the rules offer once, {}", others.join(", ")))
                },
            );
        }
        if let Matching::Attribute(attribute) = matching {
            let flowed = set.rules.iter().any(|r| {
                r.direction == super::model::Direction::Inbound
                    && r.flows
                        .iter()
                        .any(|f| f.target.eq_ignore_ascii_case(attribute))
            });
            if !flowed {
                report.push(
                    instances.file,
                    Diagnostic::error(
                        "E0612",
                        *span,
                        format!(
                            "no inbound rule flows `{attribute}` into the metaverse: matching users on it would never find one"
                        ),
                    )
                    .with_help(format!(
                        "flow it in the user rules (`target: {attribute}`), or match on another attribute"
                    )),
                );
            }
        }
        for rule in &mut set.rules {
            if let Some(groups) = rule.matching.get(option) {
                let groups = groups.iter().map(|g| {
                    g.iter()
                        .map(|c| substitute(c, matching))
                        .collect::<Vec<_>>()
                });
                rule.join.extend(groups.collect::<Vec<_>>());
            }
        }
    }
    for rule in &mut set.rules {
        rule.matching.clear();
    }
}

/// A condition with the chosen attribute put in for [`ATTRIBUTE_PLACEHOLDER`].
fn substitute(c: &JoinCondition, matching: &Matching) -> JoinCondition {
    let put = |s: &String| match matching {
        Matching::Attribute(a) if s == ATTRIBUTE_PLACEHOLDER => a.clone(),
        _ => s.clone(),
    };
    JoinCondition {
        source: put(&c.source),
        target: put(&c.target),
        case_sensitive: c.case_sensitive,
    }
}
