//! Every attribute-flow expression of the Entra Connect corpus parses, checks and compiles.
//!
//! Reads `../shared/corpus/aadconnect-contoso` (beside the repository). The test fails,
//! never skips, when the corpus is missing.

#![expect(
    clippy::unwrap_used,
    reason = "test setup fails loudly on broken fixtures"
)]

use std::path::PathBuf;

use quick_xml::Reader;
use quick_xml::events::Event;
use syncrules_lang::{Expression, Untyped};

fn corpus_dir() -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/aadconnect-contoso");
    assert!(
        dir.join("SynchronizationRules").is_dir(),
        "the Entra Connect corpus is missing: expected it at {} (the repository's ../shared)",
        dir.display()
    );
    dir
}

/// (rule name, target attribute, expression) for every flow with an expression.
fn corpus_expressions() -> Vec<(String, String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(corpus_dir().join("SynchronizationRules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let xml = std::fs::read_to_string(&file).unwrap();
        let mut reader = Reader::from_str(&xml);
        let mut path: Vec<String> = Vec::new();
        let (mut rule, mut dest, mut expr) = (String::new(), String::new(), None::<String>);
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) => {
                    path.push(String::from_utf8_lossy(e.name().as_ref()).into_owned())
                }
                Event::End(e) => {
                    if e.name().as_ref() == b"mapping" {
                        if let Some(x) = expr.take() {
                            out.push((rule.clone(), dest.clone(), x));
                        }
                        dest.clear();
                    }
                    path.pop();
                }
                Event::Text(t) => {
                    let text = t.unescape().unwrap().into_owned();
                    match path
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .as_slice()
                    {
                        ["synchronizationRule", "name"] => rule = text,
                        [.., "mapping", "dest"] => dest = text,
                        [.., "mapping", "expression"] => expr = Some(text),
                        _ => {}
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }
    out
}

#[test]
fn all_corpus_expressions_compile() {
    let exprs = corpus_expressions();
    assert_eq!(exprs.len(), 391, "the corpus README counts 391 expressions");
    let failures: Vec<String> = exprs
        .iter()
        .filter_map(|(rule, dest, src)| {
            Expression::compile(src, &Untyped)
                .err()
                .map(|d| format!("{rule} → {dest}:\n{}", d.render("expr", src)))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} corpus expressions fail:\n{}",
        failures.len(),
        exprs.len(),
        failures.join("\n")
    );
}
