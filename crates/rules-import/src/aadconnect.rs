//! Azure AD Connect / Entra Connect Sync configuration exports: the folder the
//! `Get-ADSyncServerConfiguration` cmdlet writes (`SynchronizationRules/*.xml`, and optionally
//! `Connectors/*.xml` and `GlobalSettings/MV.xml`).
//!
//! # What becomes what
//!
//! - Each `SynchronizationRules/*.xml` becomes one [`Rule`]; its connector GUID becomes the
//!   name of the connector file with that id (GUIDs compared without case or braces). A GUID
//!   no connector file has is used as the connector's name, declared with kind `ldap` and the
//!   object types its rules use, and reported.
//! - Each `Connectors/*.xml` becomes a connector declaration: its name, kind (`AD` →
//!   `active-directory`, Azure Active Directory / Entra ID → `entra-id`, anything else `ldap`,
//!   reported), its id, and the file itself as its schema (`schemas/<name>.xml`, the name
//!   reduced to ASCII letters, digits, `.`, `_` and `-`).
//! - `GlobalSettings/MV.xml` becomes the metaverse schema `schemas/MV.xml`; without it the
//!   metaverse declares the object types the rules use.
//! - `default-band` spans the precedences of the rules with an immutable tag.
//!
//! # Active Directory parameters
//!
//! `%Forest.FQDN%`, `%Forest.LDAP%`, `%Forest.Netbios%` are read from the intrinsic
//! parameters the connector file records under
//! `private-configuration/adma-configuration/parameter-values`, and `%Domain.FQDN%`,
//! `%Domain.LDAP%`, `%Domain.Netbios%` from those of its first selected domain partition
//! (`ma-partition-data/partition/parameter-values`). A value the file does not record is
//! derived, and the derivation reported: `Forest.FQDN` from `adma-configuration/forest-name`;
//! `Domain.LDAP` from the partition's name (a DN such as `DC=contoso,DC=com`); an FQDN from
//! the partition's `adma-partition-data/name`, else from the DN's `DC=` labels
//! (`contoso.com`); an LDAP DN from an FQDN (`DC=contoso,DC=com`); a NetBIOS name from the
//! domain's when the forest root is that domain, else the FQDN's first label in upper case.
//! Entra Connect keeps the domain parameters per partition; a connector with several selected
//! domain partitions is reported, and the first one used.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use super::rule::{Sink, read_rule};
use super::xml::Document;
use super::{ImportError, Imported, unique};
use syncrules_lang::rules::config::{ConnectorDecl, ConnectorKind, MetaverseDecl};
use syncrules_lang::rules::model::{Direction, Rule};
use syncrules_lang::schema::{ConnectorDef, ConnectorKind as FileKind, Schema};

/// The folder of rule files in an export.
pub const RULES_DIR: &str = "SynchronizationRules";
/// The folder of connector files in an export.
pub const CONNECTORS_DIR: &str = "Connectors";
/// The metaverse schema in an export.
pub const MV_FILE: &str = "GlobalSettings/MV.xml";

/// The XML files directly inside `dir`, sorted by name; none when `dir` does not exist.
fn xml_files(dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let io = |source| ImportError::Io {
        action: "list",
        path: dir.to_owned(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let is_xml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
        if is_xml && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Converts the export in `export_dir`. See the [module documentation](self) for what
/// becomes what; everything left out is in [`Imported::warnings`].
pub fn import_aadconnect(export_dir: &Path) -> Result<Imported, ImportError> {
    let rules_dir = export_dir.join(RULES_DIR);
    if !rules_dir.is_dir() {
        return Err(ImportError::Invalid {
            path: export_dir.to_owned(),
            position: None,
            message: format!("not an Entra Connect export: no `{RULES_DIR}` folder"),
        });
    }
    let mut sink = Sink::default();
    let mut read = HashSet::new();
    let mut imported = Imported::default();

    let mv = export_dir.join(MV_FILE);
    if mv.is_file() {
        Schema::from_mv_file(&mv)?;
        imported.config.metaverse = MetaverseDecl {
            schema: Some(PathBuf::from("schemas/MV.xml")),
            object_types: Vec::new(),
        };
        imported.schemas.push(super::SchemaCopy {
            from: mv.clone(),
            to: PathBuf::from("schemas/MV.xml"),
        });
        read.insert(mv);
    }

    let mut connectors = Vec::new();
    let mut schema_names: HashSet<String> = HashSet::from(["mv".to_owned()]);
    for file in xml_files(&export_dir.join(CONNECTORS_DIR))? {
        let def = ConnectorDef::from_file(&file)?;
        if imported.config.connectors.contains_key(&def.name) {
            return Err(ImportError::Invalid {
                path: file,
                position: None,
                message: format!("a second connector is named `{}`", def.name),
            });
        }
        let kind = match &def.kind {
            FileKind::ActiveDirectory => ConnectorKind::ActiveDirectory,
            FileKind::EntraId => ConnectorKind::EntraId,
            FileKind::Other(other) => {
                sink.warnings.push(format!(
                    "{}: connector `{}` is of type `{other}`, declared as kind ldap",
                    file.display(),
                    def.name
                ));
                ConnectorKind::Ldap
            }
        };
        let parameters = if kind == ConnectorKind::ActiveDirectory {
            super::ad_params::ad_parameters(&Document::read(&file)?, &def.name, &mut sink.warnings)
        } else {
            IndexMap::new()
        };
        let schema = PathBuf::from(format!(
            "schemas/{}.xml",
            unique(file_name(&def.name), &mut schema_names)
        ));
        imported.schemas.push(super::SchemaCopy {
            from: file.clone(),
            to: schema.clone(),
        });
        imported.config.connectors.insert(
            def.name.clone(),
            ConnectorDecl {
                kind,
                id: Some(braced_guid(&def.id)),
                schema: Some(schema),
                object_types: Vec::new(),
                parameters,
                template: false,
            },
        );
        read.insert(file);
        connectors.push(def);
    }

    let mut unknown_guids: IndexMap<String, PathBuf> = IndexMap::new();
    for file in xml_files(&rules_dir)? {
        let doc = Document::read(&file)?;
        let mut name_of = |guid: &str| match connectors.iter().find(|c| c.has_id(guid)) {
            Some(c) => c.name.clone(),
            None => {
                let guid = braced_guid(guid);
                unknown_guids
                    .entry(guid.clone())
                    .or_insert_with(|| file.clone());
                guid
            }
        };
        imported
            .rules
            .push(read_rule(&doc, &mut name_of, &mut sink)?);
        read.insert(file);
    }
    if imported.rules.is_empty() {
        sink.warnings.push(format!(
            "{}: no rule files (`*.xml`) found",
            rules_dir.display()
        ));
    }
    imported
        .rules
        .sort_by(|a, b| (a.precedence, &a.name).cmp(&(b.precedence, &b.name)));

    for (guid, first) in unknown_guids {
        let types = object_types(&imported.rules, |r| r.connector == guid, false);
        sink.warnings.push(format!(
            "{}: no connector file has the id `{guid}`: the rules name the connector by its id, \
             declared as kind ldap with object types [{}]; set its kind and schema",
            first.display(),
            types.join(", ")
        ));
        imported.config.connectors.insert(
            guid.clone(),
            ConnectorDecl {
                kind: ConnectorKind::Ldap,
                id: Some(guid.clone()),
                schema: None,
                object_types: types,
                parameters: IndexMap::new(),
                template: false,
            },
        );
    }
    if imported.config.metaverse.schema.is_none() {
        imported.config.metaverse.object_types = object_types(&imported.rules, |_| true, true);
    }
    let vendor = imported.rules.iter().filter(|r| r.vendor.is_some());
    let lo = vendor.clone().map(|r| r.precedence).min();
    let hi = vendor.map(|r| r.precedence).max();
    imported.config.default_band = lo.zip(hi);

    for file in unread_xml(export_dir, &read)? {
        sink.warnings
            .push(format!("{}: not imported", file.display()));
    }
    imported.warnings = sink.finish();
    super::forests::share_rules(&mut imported);
    Ok(imported)
}

/// The object types the selected rules use on the connector side (`metaverse`: the
/// metaverse side), sorted.
fn object_types(rules: &[Rule], select: impl Fn(&Rule) -> bool, metaverse: bool) -> Vec<String> {
    let mut types: Vec<String> = rules
        .iter()
        .filter(|r| select(r))
        .map(|r| {
            let inbound = r.direction == Direction::Inbound;
            if inbound != metaverse {
                r.source.clone()
            } else {
                r.target.clone()
            }
        })
        .collect();
    types.sort();
    types.dedup();
    types
}

/// The XML files of the export (at its top and one folder down) that were not read.
fn unread_xml(export_dir: &Path, read: &HashSet<PathBuf>) -> Result<Vec<PathBuf>, ImportError> {
    let mut out = xml_files(export_dir)?;
    let entries = std::fs::read_dir(export_dir).map_err(|source| ImportError::Io {
        action: "list",
        path: export_dir.to_owned(),
        source,
    })?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        out.extend(xml_files(&dir)?);
    }
    out.retain(|f| !read.contains(f));
    Ok(out)
}

/// A connector name as a file name: ASCII letters, digits, `.`, `_` and `-`, every other run
/// of characters one `-`, no leading dot.
fn file_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_start_matches('.').trim_end_matches('-');
    if trimmed.is_empty() {
        "connector".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// `{ae4db4cc-...}`: lower case, braced, as rule files spell connector ids.
fn braced_guid(id: &str) -> String {
    let bare = id.trim().trim_start_matches('{').trim_end_matches('}');
    format!("{{{}}}", bare.to_ascii_lowercase())
}
