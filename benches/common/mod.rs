//! Shared benchmark setup: reading the attribute-flow expressions of the Entra Connect corpus.
//!
//! The corpus lives in `shared/corpus/aadconnect-contoso` beside the repository (the
//! repository's `../shared`); `SYNCRULES_CORPUS` names another directory. Without it the
//! benchmarks panic: they never run on a silently smaller input.

use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::Event;

/// The corpus directory (the one holding `SynchronizationRules/`).
pub fn corpus_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SYNCRULES_CORPUS") {
        let dir = PathBuf::from(dir);
        assert!(
            dir.join("SynchronizationRules").is_dir(),
            "SYNCRULES_CORPUS={} has no SynchronizationRules/ directory",
            dir.display()
        );
        return dir;
    }
    // `../shared` beside the repository; ancestors further up also count, so a git worktree
    // nested under the repository's parent finds the same corpus.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .skip(1)
        .map(|a| a.join("shared/corpus/aadconnect-contoso"))
        .find(|d| d.join("SynchronizationRules").is_dir())
        .unwrap_or_else(|| {
            panic!(
                "the Entra Connect corpus is missing: expected shared/corpus/aadconnect-contoso \
                 beside the repository ({}/../shared), or set SYNCRULES_CORPUS",
                manifest.display()
            )
        })
}

/// Every attribute-flow expression of the corpus, in file order (file names sorted).
pub fn corpus_expressions() -> Vec<String> {
    let dir = corpus_dir().join("SynchronizationRules");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let xml = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let mut reader = Reader::from_str(&xml);
        let mut path: Vec<Vec<u8>> = Vec::new();
        loop {
            match reader.read_event().expect("well-formed corpus XML") {
                Event::Start(e) => path.push(e.name().as_ref().to_vec()),
                Event::End(_) => {
                    path.pop();
                }
                Event::Text(t) => {
                    let n = path.len();
                    if n >= 2
                        && path.get(n - 1).is_some_and(|p| p == b"expression")
                        && path.get(n - 2).is_some_and(|p| p == b"mapping")
                    {
                        out.push(t.unescape().expect("valid XML text").into_owned());
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }
    out
}
