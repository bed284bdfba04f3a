//! The declarations file `syncrules.yaml`: the metaverse, the connectors and their
//! parameters, declared once and referred to by name from rules.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use super::emit::{flow_scalar, key_colon, scalar};
use super::fields::{Fields, boolean, integer, list, one_of, scalar as scalar_value, text};
use super::limits::{LIMITS_KEY, Limits};
use super::model::Spellings;
use super::yaml::{self, Node};
use crate::diag::Diagnostic;
use crate::span::Span;

/// The file name of the declarations file in a rule-set directory.
pub const CONFIG_FILE: &str = "syncrules.yaml";

/// What kind of directory a connector talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnectorKind {
    /// Active Directory (LDAP with AD's schema and controls).
    ActiveDirectory,
    /// Microsoft Entra ID (Microsoft Graph).
    EntraId,
    /// A generic LDAP directory.
    Ldap,
    /// Files (LDIF source, JSON target).
    File,
}

/// Connector kinds.
pub const CONNECTOR_KINDS: Spellings<ConnectorKind> = &[
    (ConnectorKind::ActiveDirectory, "active-directory", &["AD"]),
    (ConnectorKind::EntraId, "entra-id", &["AAD", "Extensible2"]),
    (ConnectorKind::Ldap, "ldap", &[]),
    (ConnectorKind::File, "file", &[]),
];

/// The metaverse's declaration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetaverseDecl {
    /// A DSML schema, relative to the declarations file.
    pub schema: Option<PathBuf>,
    /// Object types, used when there is no schema.
    pub object_types: Vec<String>,
}

/// A connector's declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectorDecl {
    /// The kind of directory.
    pub kind: ConnectorKind,
    /// Entra Connect's GUID for it, when imported.
    pub id: Option<String>,
    /// A DSML schema or connector export, relative to the declarations file.
    pub schema: Option<PathBuf>,
    /// Object types, used when there is no schema.
    pub object_types: Vec<String>,
    /// Parameter values (`Domain.FQDN`, ...); for a template, the example values it is
    /// checked with alone.
    pub parameters: IndexMap<String, String>,
    /// A template (`template: true`): its rules are instantiated once per `sync.yaml`
    /// connector that names it in `rules:` (see [`crate::rules::instance`]).
    pub template: bool,
}

/// The declarations of a rule set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// The metaverse.
    pub metaverse: MetaverseDecl,
    /// Connectors by name, in file order.
    pub connectors: IndexMap<String, ConnectorDecl>,
    /// Precedences reserved for vendor defaults, inclusive.
    pub default_band: Option<(i64, i64)>,
    /// Where each connector's name is written, for messages.
    pub connector_spans: IndexMap<String, Span>,
    /// How large the rule set may be (`limits:`).
    pub limits: Limits,
}

fn take<T>(errors: &mut Vec<Diagnostic>, r: Result<T, Diagnostic>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn strings(key: &str, node: &Node, errors: &mut Vec<Diagnostic>) -> Vec<String> {
    take(errors, list(key, node))
        .unwrap_or(&[])
        .iter()
        .filter_map(|n| take(errors, text(key, n)).map(|s| s.value.trim().to_owned()))
        .collect()
}

/// Reads the declarations file.
pub fn load_config(text_: &str) -> Result<Config, Vec<Diagnostic>> {
    let root = yaml::parse(text_).map_err(|d| vec![d])?;
    let mut errors = Vec::new();
    let mut config = Config::default();
    if let Some(mut f) = take(&mut errors, Fields::new(&root, "the declarations file")) {
        if let Some((_, mv)) = f.get("metaverse")
            && let Some(mut m) = take(&mut errors, Fields::new(mv, "`metaverse`"))
        {
            if let Some((_, s)) = m.get("schema") {
                config.metaverse.schema =
                    take(&mut errors, text("schema", s)).map(|s| PathBuf::from(s.value.trim()));
            }
            if let Some((_, t)) = m.get("object-types") {
                config.metaverse.object_types = strings("object-types", t, &mut errors);
            }
            m.finish(&["schema", "object-types"], &mut errors);
        }
        if let Some((_, cs)) = f.get("connectors") {
            match cs {
                Node::Map(entries, _) => {
                    for (name, decl) in entries {
                        if let Some(c) = connector(decl, &mut errors) {
                            config.connectors.insert(name.value.clone(), c);
                            config.connector_spans.insert(name.value.clone(), name.span);
                        }
                    }
                }
                other => errors.push(Diagnostic::error(
                    "E0312",
                    other.span(),
                    "`connectors` must map connector names to their declarations",
                )),
            }
        }
        if let Some((_, band)) = f.get("default-band") {
            let items = take(&mut errors, list("default-band", band)).unwrap_or(&[]);
            match items {
                [lo, hi] => {
                    let lo = take(&mut errors, integer("default-band", lo));
                    let hi = take(&mut errors, integer("default-band", hi));
                    if let (Some((lo, _)), Some((hi, _))) = (lo, hi) {
                        config.default_band = Some((lo.min(hi), lo.max(hi)));
                    }
                }
                _ => errors.push(Diagnostic::error(
                    "E0312",
                    band.span(),
                    "`default-band` is two precedences: `[100, 199]`",
                )),
            }
        }
        if let Some((_, l)) = f.get(LIMITS_KEY) {
            config.limits = Limits::read(l, &mut errors);
        }
        f.finish(
            &["metaverse", "connectors", "default-band", LIMITS_KEY],
            &mut errors,
        );
    }
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(errors)
    }
}

fn connector(node: &Node, errors: &mut Vec<Diagnostic>) -> Option<ConnectorDecl> {
    let mut f = take(errors, Fields::new(node, "a connector"))?;
    let kind = take(errors, f.required("kind"))
        .and_then(|(_, k)| take(errors, one_of("kind", k, CONNECTOR_KINDS)));
    let id = f
        .get("id")
        .and_then(|(_, v)| take(errors, text("id", v)))
        .map(|s| s.value.trim().to_owned());
    let schema = f
        .get("schema")
        .and_then(|(_, v)| take(errors, text("schema", v)))
        .map(|s| PathBuf::from(s.value.trim()));
    let object_types = f
        .get("object-types")
        .map(|(_, v)| strings("object-types", v, errors))
        .unwrap_or_default();
    let template = match f.get("template") {
        Some((_, v)) => take(errors, boolean("template", v)).unwrap_or(false),
        None => false,
    };
    let mut parameters = IndexMap::new();
    if let Some((_, p)) = f.get("parameters") {
        match p {
            Node::Map(entries, _) => {
                for (k, v) in entries {
                    if let Some(s) = take(errors, scalar_value(&k.value, v)) {
                        parameters.insert(k.value.clone(), s.value.clone());
                    }
                }
            }
            other => errors.push(Diagnostic::error(
                "E0312",
                other.span(),
                "`parameters` must map names to values",
            )),
        }
    }
    f.finish(
        &[
            "kind",
            "template",
            "id",
            "schema",
            "object-types",
            "parameters",
        ],
        errors,
    );
    Some(ConnectorDecl {
        kind: kind?,
        id,
        schema,
        object_types,
        parameters,
        template,
    })
}

/// Writes a declarations file.
pub fn emit_config(config: &Config) -> String {
    let mut out = String::new();
    let list = |items: &[String]| {
        let items: Vec<String> = items.iter().map(|i| flow_scalar(i)).collect();
        format!("[{}]", items.join(", "))
    };
    if config.metaverse.schema.is_some() || !config.metaverse.object_types.is_empty() {
        out.push_str("metaverse:\n");
        if let Some(s) = &config.metaverse.schema {
            let _ = writeln!(out, "  schema: {}", scalar(&s.to_string_lossy(), "    "));
        }
        if !config.metaverse.object_types.is_empty() {
            let _ = writeln!(
                out,
                "  object-types: {}",
                list(&config.metaverse.object_types)
            );
        }
    }
    if !config.connectors.is_empty() {
        out.push_str("connectors:\n");
        for (name, c) in &config.connectors {
            let _ = writeln!(out, "{}", key_colon(name, "  "));
            let kind = CONNECTOR_KINDS
                .iter()
                .find(|(k, _, _)| *k == c.kind)
                .map_or("file", |(_, s, _)| s);
            let _ = writeln!(out, "    kind: {kind}");
            if c.template {
                out.push_str("    template: true\n");
            }
            if let Some(id) = &c.id {
                let _ = writeln!(out, "    id: {}", scalar(id, "      "));
            }
            if let Some(s) = &c.schema {
                let _ = writeln!(
                    out,
                    "    schema: {}",
                    scalar(&s.to_string_lossy(), "      ")
                );
            }
            if !c.object_types.is_empty() {
                let _ = writeln!(out, "    object-types: {}", list(&c.object_types));
            }
            if !c.parameters.is_empty() {
                out.push_str("    parameters:\n");
                for (k, v) in &c.parameters {
                    let _ = writeln!(out, "{} {}", key_colon(k, "      "), scalar(v, "        "));
                }
            }
        }
    }
    if let Some((lo, hi)) = config.default_band {
        let _ = writeln!(out, "default-band: [{lo}, {hi}]");
    }
    config.limits.emit(&mut out);
    out
}

/// The path of a file the declarations name, relative to the declarations file's folder.
pub fn resolve(config_path: &Path, relative: &Path) -> PathBuf {
    config_path
        .parent()
        .map_or_else(|| relative.to_owned(), |dir| dir.join(relative))
}
