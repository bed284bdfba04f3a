//! Finding the conformance corpus and loading its files, with failures that print plainly.

use std::fmt;
use std::path::{Path, PathBuf};

use syncrules_lang::schema::{ConnectorDef, Schema};

const CORPUS: &str = "shared/corpus/aadconnect-contoso";
pub const MV_FILE: &str = "GlobalSettings/MV.xml";
pub const AD_FILE: &str = "Connectors/Connector_{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}.xml";
pub const AAD_FILE: &str = "Connectors/Connector_{b891884f-051e-4a83-95af-2544101c9083}.xml";

/// A test failure whose message prints as plain text.
pub struct Failure(pub String);

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub type Outcome = Result<(), Failure>;

/// The corpus directory: `../../../shared/corpus/...` from this crate, else the nearest
/// ancestor holding `shared/corpus/...` (a git worktree sits one level deeper).
pub fn corpus() -> Result<PathBuf, Failure> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = std::iter::once(manifest.join("../../..").join(CORPUS))
        .chain(manifest.ancestors().map(|a| a.join(CORPUS)));
    let mut tried = Vec::new();
    for dir in candidates {
        if dir.join(MV_FILE).is_file() {
            return Ok(dir);
        }
        tried.push(dir.display().to_string());
    }
    Err(Failure(format!(
        "the conformance corpus is missing: no {MV_FILE} under any of\n  {}\n\
         restore shared/corpus/aadconnect-contoso beside the repository",
        tried.join("\n  ")
    )))
}

/// A corpus file's path.
fn path(file: &str) -> Result<PathBuf, Failure> {
    Ok(corpus()?.join(file))
}

/// A corpus file's text.
pub fn text(file: &str) -> Result<String, Failure> {
    let path = path(file)?;
    std::fs::read_to_string(&path)
        .map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))
}

/// The metaverse schema, read by the crate.
pub fn mv() -> Result<Schema, Failure> {
    Schema::from_mv_file(&path(MV_FILE)?).map_err(|e| Failure(e.to_string()))
}

/// A connector file, read by the crate.
pub fn connector(file: &str) -> Result<ConnectorDef, Failure> {
    ConnectorDef::from_file(&path(file)?).map_err(|e| Failure(e.to_string()))
}
