//! Importing the real Entra Connect Sync export of the shared conformance corpus
//! (`shared/corpus/aadconnect-contoso`) into the YAML rule model.
//!
//! Every count compared here is also taken from the XML by a plain string scan in this test,
//! independent of the importer's XML reader, so nothing can be dropped silently. A missing
//! corpus fails the tests; it never skips them.

mod connectors;
mod counts;
mod forests;
mod rules;
mod warnings;
mod writing;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use syncrules_import::{Imported, import_aadconnect};
use syncrules_lang::rules::Rule;

const CORPUS: &str = "../../../shared/corpus/aadconnect-contoso";
const AD: &str = "contoso.com";
const AAD: &str = "contoso.onmicrosoft.com - AAD";

/// A test failure whose message prints as plain text.
struct Failure(String);

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

type Outcome = Result<(), Failure>;

fn fail<T>(message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure(message.into()))
}

/// The corpus directory; a failure (never a skip) when it is missing.
fn corpus() -> Result<PathBuf, Failure> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS);
    if dir.join("SynchronizationRules").is_dir() {
        Ok(dir)
    } else {
        fail(format!(
            "the conformance corpus is missing: expected {}/SynchronizationRules \
             (restore shared/corpus/aadconnect-contoso beside the repository)",
            dir.display()
        ))
    }
}

/// The import of the corpus, done once for all tests.
fn imported() -> Result<&'static Imported, Failure> {
    static IMPORTED: OnceLock<Result<Imported, String>> = OnceLock::new();
    let result = IMPORTED.get_or_init(|| {
        let dir = corpus().map_err(|f| f.0)?;
        import_aadconnect(&dir).map_err(|e| format!("the import failed: {e}"))
    });
    result.as_ref().map_err(|e| Failure(e.clone()))
}

fn rule<'a>(imported: &'a Imported, name: &str) -> Result<&'a Rule, Failure> {
    match imported.rules.iter().find(|r| r.name == name) {
        Some(r) => Ok(r),
        None => fail(format!("no imported rule is named `{name}`")),
    }
}

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))
}

/// The files of a folder, sorted.
fn files(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let entries = std::fs::read_dir(dir).map_err(|e| Failure(format!("{}: {e}", dir.display())))?;
    let mut out: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    out.sort();
    Ok(out)
}

// ---- independent string scans -------------------------------------------------------------

/// XML's five predefined entities, `&amp;` last.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The text of the first `<tag>...</tag>`, unescaped; empty for `<tag />` or none.
fn first(xml: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    xml.split_once(&open)
        .and_then(|(_, rest)| rest.split_once(&close))
        .map_or_else(String::new, |(v, _)| unescape(v))
}

/// Everything between `<tag>` and `</tag>` (empty when written `<tag />`).
fn section<'a>(xml: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    xml.split_once(&open)
        .and_then(|(_, rest)| rest.split_once(&close))
        .map_or("", |(v, _)| v)
}

/// What one rule file says, counted by string scans.
#[derive(Debug, Default)]
struct Raw {
    name: String,
    direction: String,
    link: String,
    precedence: i64,
    tag: String,
    mappings: usize,
    expressions: Vec<String>,
    constants: Vec<String>,
    apply_once: usize,
    merge_case_insensitive: usize,
    merge_update: usize,
    scope_groups: usize,
    scope_clauses: usize,
    null_tests: usize,
    join_groups: usize,
    join_conditions: usize,
    case_sensitive: usize,
}

fn scan(xml: &str) -> Raw {
    let criteria = section(xml, "synchronizationCriteria");
    let relationship = section(xml, "relationshipCriteria");
    Raw {
        name: first(xml, "name"),
        direction: first(xml, "direction"),
        link: first(xml, "linkType"),
        precedence: first(xml, "precedence").parse().unwrap_or(-1),
        tag: first(xml, "immutable-tag"),
        mappings: xml.matches("<mapping").count(),
        expressions: xml
            .split("<expression>")
            .skip(1)
            .map(|c| unescape(c.split("</expression>").next().unwrap_or("")))
            .collect(),
        constants: xml
            .split("<src>")
            .skip(1)
            .filter(|c| !c.starts_with(|ch: char| ch.is_whitespace() || ch == '<'))
            .map(|c| unescape(c.split("</src>").next().unwrap_or("")))
            .collect(),
        apply_once: xml.matches("execute-once=\"true\"").count(),
        merge_case_insensitive: xml
            .matches("<valueMergeType>MergeCaseInsensitive</valueMergeType>")
            .count(),
        merge_update: xml
            .matches("<valueMergeType>Update</valueMergeType>")
            .count(),
        scope_groups: criteria.matches("<conditions>").count(),
        scope_clauses: criteria.matches("<scope>").count(),
        null_tests: criteria.matches("<csOperator>ISNOTNULL<").count()
            + criteria.matches("<csOperator>ISNULL<").count(),
        join_groups: relationship.matches("<conditions>").count(),
        join_conditions: relationship.matches("<condition>").count(),
        case_sensitive: relationship.matches("<caseSensitive>True<").count(),
    }
}

/// Every rule file of the corpus, scanned.
fn raw_rules() -> Result<Vec<(PathBuf, Raw)>, Failure> {
    let mut out = Vec::new();
    for file in files(&corpus()?.join("SynchronizationRules"))? {
        if file.extension().is_some_and(|e| e == "xml") {
            let xml = read(&file)?;
            if !xml.contains("<synchronizationRule>") {
                return fail(format!("{} is not a rule file", file.display()));
            }
            out.push((file, scan(&xml)));
        }
    }
    Ok(out)
}
