//! Importing rule sets from other tools into syncrules (the importers, apart from the
//! language in `syncrules-lang`): an Azure AD Connect / Entra Connect Sync
//! configuration export ([`import_aadconnect`]) and the PowerShell the Synchronization Rules
//! Editor exports ([`import_adsync_ps`]), written out as a rule-set directory
//! ([`write_rule_set`]) that `syncrules check` loads.

pub mod aadconnect;
mod ad_params;
pub mod adsync_ps;
mod criteria;
mod forests;
mod mapping;
mod rule;
mod xml;

#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use indexmap::IndexMap;

pub use aadconnect::import_aadconnect;
pub use adsync_ps::{import_adsync_ps, normalize_guid};
pub use forests::Forest;

use syncrules_lang::rules::config::{CONFIG_FILE, Config, emit_config};
use syncrules_lang::rules::emit_rule;
use syncrules_lang::rules::model::{Direction, Rule};
use syncrules_lang::schema::{Position, SchemaError};

/// A converted configuration: the declarations, the rules, the schema files to copy beside
/// them, and what could not be carried over.
#[derive(Clone, Debug, Default)]
pub struct Imported {
    /// The declarations (`syncrules.yaml`); schema paths are relative to it.
    pub config: Config,
    /// The rules, by precedence.
    pub rules: Vec<Rule>,
    /// Schema files to copy beside the rules.
    pub schemas: Vec<SchemaCopy>,
    /// Everything the export holds that the rule set does not, and every guess made.
    pub warnings: Vec<String>,
    /// The Active Directory forests beyond the first when they share the out-of-box rules:
    /// they take the template's rules in `sync.yaml` (written as `forests.sync.yaml`).
    pub forests: Vec<Forest>,
}

/// A schema file an import copies into the rule-set directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaCopy {
    /// The file read.
    pub from: PathBuf,
    /// Its path relative to the rule-set directory, e.g. `schemas/MV.xml`.
    pub to: PathBuf,
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file or directory could not be read or written.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done: `read`, `write`, `create`, `list`, `copy`.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A file is not well-formed XML.
    #[error("{}:{position}: malformed xml: {message}", .path.display())]
    Xml {
        /// The file.
        path: PathBuf,
        /// Where the XML parser stopped.
        position: Position,
        /// The XML parser's message.
        message: String,
    },
    /// A file is well-formed but says something the rule model cannot take.
    #[error("{}{}: {message}", .path.display(), at(.position.as_ref()))]
    Invalid {
        /// The file (or directory).
        path: PathBuf,
        /// The offending element, when there is one.
        position: Option<Position>,
        /// What is wrong.
        message: String,
    },
    /// A connector or metaverse schema could not be read.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// [`write_rule_set`] was given a directory that already holds files.
    #[error(
        "{} is not empty: a rule set is written into a new or empty directory",
        .dir.display()
    )]
    NotEmpty {
        /// The directory.
        dir: PathBuf,
    },
}

fn at(position: Option<&Position>) -> String {
    position.map_or_else(String::new, |p| format!(":{p}"))
}

/// A file name part: lower case ASCII letters and digits, every other run of characters one
/// `-`; `fallback` when nothing is left.
pub fn slug(name: &str, fallback: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        fallback.to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// `base`, or `base-2`, `base-3`, ... whichever is not yet in `taken` (compared without case);
/// the result is added to `taken`.
pub(crate) fn unique(base: String, taken: &mut HashSet<String>) -> String {
    let mut candidate = base.clone();
    let mut n = 2;
    while !taken.insert(candidate.to_lowercase()) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    candidate
}

/// Where [`write_rule_set`] puts each rule, relative to the rule-set directory:
/// `rules/<connector-slug>/<inbound|outbound>/<rule-slug>.yaml`, in the order of
/// `imported.rules`. Slugs that collide get `-2`, `-3`, ...
pub fn rule_paths(imported: &Imported) -> Vec<PathBuf> {
    let mut connector_slugs: IndexMap<&str, String> = IndexMap::new();
    let mut taken_connectors = HashSet::new();
    let mut taken_rules: IndexMap<(String, Direction), HashSet<String>> = IndexMap::new();
    let mut out = Vec::with_capacity(imported.rules.len());
    for rule in &imported.rules {
        let connector = connector_slugs
            .entry(rule.connector.as_str())
            .or_insert_with(|| unique(slug(&rule.connector, "connector"), &mut taken_connectors))
            .clone();
        let direction = match rule.direction {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        };
        let taken = taken_rules
            .entry((connector.clone(), rule.direction))
            .or_default();
        let file = unique(slug(&rule.name, "rule"), taken);
        out.push(
            ["rules", &connector, direction, &format!("{file}.yaml")]
                .iter()
                .collect(),
        );
    }
    out
}

/// Writes an import as a rule-set directory: `syncrules.yaml`, the schema files, and one file
/// per rule at [`rule_paths`]. Returns the files written.
///
/// `dir` must not exist or be empty: an import never overwrites or mixes with files already
/// there (delete the directory to import again).
pub fn write_rule_set(dir: &Path, imported: &Imported) -> Result<Vec<PathBuf>, ImportError> {
    let io = |action: &'static str, path: &Path| {
        let path = path.to_owned();
        move |source| ImportError::Io {
            action,
            path,
            source,
        }
    };
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(io("list", dir))?;
        if entries.next().is_some() {
            return Err(ImportError::NotEmpty {
                dir: dir.to_owned(),
            });
        }
    }
    for SchemaCopy { to: relative, .. } in &imported.schemas {
        let inside = relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        if !inside || relative.as_os_str().is_empty() {
            return Err(ImportError::Invalid {
                path: relative.clone(),
                position: None,
                message: "a schema's destination must be a relative path inside the rule set"
                    .to_owned(),
            });
        }
    }
    let mut written = Vec::new();
    // Writes `text`, or copies `from` when there is no text, to `relative`.
    let mut put = |relative: &Path, text: Option<&str>, from: Option<&Path>| {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io("create", parent))?;
        }
        match (text, from) {
            (Some(text), _) => std::fs::write(&path, text).map_err(io("write", &path))?,
            (None, Some(from)) => {
                std::fs::copy(from, &path).map_err(io("copy", from))?;
            }
            (None, None) => {}
        }
        written.push(path);
        Ok::<(), ImportError>(())
    };
    std::fs::create_dir_all(dir).map_err(io("create", dir))?;
    put(
        Path::new(CONFIG_FILE),
        Some(&emit_config(&imported.config)),
        None,
    )?;
    for SchemaCopy {
        from: source,
        to: relative,
    } in &imported.schemas
    {
        put(relative, None, Some(source))?;
    }
    for (rule, relative) in imported.rules.iter().zip(rule_paths(imported)) {
        put(&relative, Some(&emit_rule(rule)), None)?;
    }
    if !imported.forests.is_empty() {
        put(
            Path::new(forests::FORESTS_FILE),
            Some(&forests::sync_yaml(&imported.forests)),
            None,
        )?;
    }
    Ok(written)
}
