//! Several Active Directory forests in one export. Entra Connect gives every AD connector
//! its own copy of each out-of-box rule, the copies numbered one after the other ("In
//! from AD - User Join" 100 for the first forest, 101 for the second). The import keeps
//! one copy, bound to the first forest's connector, which it declares a template; the
//! other forests become template instances for `sync.yaml` (`rules:` and `parameters:`).
//! Instantiating the result reproduces the export's rules and precedences exactly — the
//! import checks that it does — or the rules stay per connector, with a warning saying
//! why.

use std::path::Path;

use indexmap::IndexMap;
use syncrules_lang::rules::model::Rule;
use syncrules_lang::rules::{
    ConnectorKind, Instance, Instances, Report, RuleSet, emit_rule, instantiate,
};

use super::Imported;

/// The file listing the forests' `sync.yaml` connectors, beside `syncrules.yaml`.
pub(crate) const FORESTS_FILE: &str = "forests.sync.yaml";

/// A forest that takes the template's rules: what its `sync.yaml` connector says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forest {
    /// The connector's name.
    pub connector: String,
    /// The template it takes (`rules:`).
    pub template: String,
    /// Its parameters (`Domain.FQDN`, ...).
    pub parameters: IndexMap<String, String>,
}

/// Keeps one copy of the rules every AD connector has, as described above; leaves
/// `imported` as it is (with a warning) when the copies differ or are not numbered as
/// Entra Connect numbers them.
pub(crate) fn share_rules(imported: &mut Imported) {
    let ad: Vec<String> = imported
        .config
        .connectors
        .iter()
        .filter(|(_, c)| c.kind == ConnectorKind::ActiveDirectory)
        .map(|(n, _)| n.clone())
        .collect();
    if ad.len() < 2 {
        return;
    }
    let plan = match shared(&imported.rules, &ad) {
        Ok(plan) => plan,
        Err(why) => {
            imported.warnings.push(format!(
                "{} Active Directory connectors ({}): their rules stay per connector: {why}",
                ad.len(),
                ad.join(", ")
            ));
            return;
        }
    };
    let Some((template, others)) = plan.order.split_first() else {
        return;
    };
    let template = template.clone();
    let forests: Vec<Forest> = others
        .iter()
        .map(|name| Forest {
            connector: name.clone(),
            template: template.clone(),
            parameters: imported
                .config
                .connectors
                .get(name)
                .map(|c| c.parameters.clone())
                .unwrap_or_default(),
        })
        .collect();
    let mut config = imported.config.clone();
    if let Some(t) = config.connectors.get_mut(&template) {
        t.template = true;
    }
    let mut schemas = Vec::new();
    for f in &forests {
        if let Some(decl) = config.connectors.shift_remove(&f.connector)
            && let Some(schema) = decl.schema
        {
            schemas.push(schema);
        }
    }
    // The instantiated rules must be the export's, one for one.
    let set = RuleSet {
        config: config.clone(),
        rules: plan.rules.clone(),
        ..RuleSet::default()
    };
    if let Err(why) = reproduces(set, &template, &imported.config, &forests, &imported.rules) {
        imported.warnings.push(format!(
            "{} Active Directory connectors ({}): their rules stay per connector: {why}",
            ad.len(),
            ad.join(", ")
        ));
        return;
    }
    let kept = plan.rules.len();
    imported.warnings.push(format!(
        "{} Active Directory connectors share their rules: {} rules kept once, bound to `{template}`, declared a template; {} take them in sync.yaml (forests.sync.yaml lists their `rules:` and `parameters:`)",
        ad.len(),
        kept,
        forests
            .iter()
            .map(|f| format!("`{}`", f.connector))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    imported.config = config;
    imported.rules = plan.rules;
    imported
        .schemas
        .retain(|s| !schemas.iter().any(|p| p == &s.to));
    imported.forests = forests;
}

/// One copy of each shared rule, renumbered, and the forests' order.
struct Shared {
    rules: Vec<Rule>,
    order: Vec<String>,
}

/// The rule without what differs between its copies: its connector, precedence and
/// fingerprint.
fn content(rule: &Rule) -> String {
    let mut bare = rule.clone();
    bare.connector = String::new();
    bare.precedence = 0;
    if let Some(v) = bare.vendor.as_mut() {
        v.fingerprint = None;
    }
    emit_rule(&bare)
}

fn shared(rules: &[Rule], ad: &[String]) -> Result<Shared, String> {
    let mut by_content: IndexMap<String, Vec<&Rule>> = IndexMap::new();
    for rule in rules.iter().filter(|r| ad.contains(&r.connector)) {
        by_content.entry(content(rule)).or_default().push(rule);
    }
    let mut order: Option<Vec<String>> = None;
    for copies in by_content.values_mut() {
        copies.sort_by_key(|r| r.precedence);
        let name = copies.first().map_or("", |r| r.name.as_str());
        let connectors: Vec<String> = copies.iter().map(|r| r.connector.clone()).collect();
        let mut sorted = connectors.clone();
        sorted.sort();
        let mut all = ad.to_vec();
        all.sort();
        if sorted != all {
            return Err(format!(
                "`{}` is not the same in every forest ({} of {} have it as written)",
                name,
                copies.len(),
                ad.len()
            ));
        }
        match &order {
            None => order = Some(connectors),
            Some(o) if *o != connectors => {
                return Err(format!(
                    "the copies of `{name}` are not in the same forest order as the others"
                ));
            }
            Some(_) => {}
        }
    }
    let order = order.ok_or_else(|| "no rule of theirs".to_owned())?;
    let first = order.first().cloned().unwrap_or_default();
    // Back from Entra Connect's numbering: every dropped copy moves the later rules up.
    let mut all: Vec<&Rule> = rules.iter().collect();
    all.sort_by_key(|r| r.precedence);
    let mut dropped = 0i64;
    let mut out = Vec::with_capacity(rules.len());
    for rule in all {
        if ad.contains(&rule.connector) && rule.connector != first {
            dropped += 1;
            continue;
        }
        let mut kept = rule.clone();
        kept.precedence -= dropped;
        // The fingerprint recorded at import covers the precedence: record the kept
        // copy's own, so that W0101 does not take the renumbering for an edit.
        if dropped > 0
            && kept
                .vendor
                .as_ref()
                .is_some_and(|v| v.fingerprint.is_some())
        {
            let stamp = syncrules_lang::rules::model::fingerprint(&kept);
            if let Some(v) = kept.vendor.as_mut() {
                v.fingerprint = Some(stamp);
            }
        }
        out.push(kept);
    }
    Ok(Shared { rules: out, order })
}

/// Instantiates `set` for the template's own connector and `forests`, and compares the
/// result with `original` (name, connector, precedence and content).
fn reproduces(
    mut set: RuleSet,
    template: &str,
    original_config: &syncrules_lang::rules::Config,
    forests: &[Forest],
    original: &[Rule],
) -> Result<(), String> {
    let instance = |name: &str, parameters| Instance::new(name, template, parameters);
    let own = original_config
        .connectors
        .get(template)
        .map(|c| c.parameters.clone())
        .unwrap_or_default();
    let mut connectors = vec![instance(template, own)];
    connectors.extend(
        forests
            .iter()
            .map(|f| instance(&f.connector, f.parameters.clone())),
    );
    let mut report = Report::default();
    instantiate(
        &mut set,
        &Instances {
            file: Path::new("sync.yaml"),
            connectors: &connectors,
            matching: None,
        },
        &mut report,
    );
    if report.errors() > 0 {
        return Err(report.render());
    }
    let key = |r: &Rule| (r.precedence, r.connector.clone(), content(r));
    let mut got: Vec<_> = set.rules.iter().map(key).collect();
    let mut want: Vec<_> = original.iter().map(key).collect();
    got.sort();
    want.sort();
    match got.iter().zip(&want).find(|(g, w)| g != w) {
        None if got.len() == want.len() => Ok(()),
        None => Err(format!("{} rules instead of {}", got.len(), want.len())),
        Some((g, w)) => Err(format!(
            "they are not numbered as Entra Connect numbers per-forest copies (precedence {} of `{}` would become {})",
            w.0, w.1, g.0
        )),
    }
}

/// `forests.sync.yaml`: the forests' connectors as `sync.yaml` takes them.
pub(crate) fn sync_yaml(forests: &[Forest]) -> String {
    let mut out = String::from(
        "# The Active Directory connectors of the export that take the shared rules. Add them\n\
         # under `connectors:` in sync.yaml, each with its `type` and where to read it\n\
         # (`path` for an LDIF export, `url` and `base` for LDAP), in this order right\n\
         # after the template's own connector: the order numbers the rules as the export\n\
         # does, and decides which forest's contribution wins where precedence decides.\n\
         connectors:\n",
    );
    for f in forests {
        out.push_str(&format!(
            "  {}:\n    rules: {}\n",
            yaml_key(&f.connector),
            yaml_key(&f.template)
        ));
        if !f.parameters.is_empty() {
            out.push_str("    parameters:\n");
            for (k, v) in &f.parameters {
                out.push_str(&format!("      {}: {}\n", yaml_key(k), quoted(v)));
            }
        }
    }
    out
}

fn yaml_key(k: &str) -> String {
    if k.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        k.to_owned()
    } else {
        quoted(k)
    }
}

fn quoted(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}
