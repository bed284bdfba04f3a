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
use syncrules_lang::schema::ConnectorDef;
use syncrules_lang::{Expression, Schema, Untyped};

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

/// One attribute flow with an expression.
struct Flow {
    rule: String,
    inbound: bool,
    connector: String,
    dest: String,
    expr: String,
}

/// Every flow with an expression, in file order.
fn corpus_expressions() -> Vec<Flow> {
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
        let (mut inbound, mut connector) = (false, String::new());
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) => {
                    path.push(String::from_utf8_lossy(e.name().as_ref()).into_owned())
                }
                Event::End(e) => {
                    if e.name().as_ref() == b"mapping" {
                        if let Some(x) = expr.take() {
                            out.push(Flow {
                                rule: rule.clone(),
                                inbound,
                                connector: connector.clone(),
                                dest: dest.clone(),
                                expr: x,
                            });
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
                        ["synchronizationRule", "direction"] => inbound = text == "Inbound",
                        ["synchronizationRule", "connector"] => connector = text,
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

fn check_all(describe: &str, types: impl Fn(&Flow) -> Result<(), String>) {
    let flows = corpus_expressions();
    assert_eq!(flows.len(), 391, "the corpus README counts 391 expressions");
    let failures: Vec<String> = flows
        .iter()
        .filter_map(|f| {
            types(f)
                .err()
                .map(|e| format!("{} → {}:\n{e}", f.rule, f.dest))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} corpus expressions fail {describe}:\n{}",
        failures.len(),
        flows.len(),
        failures.join("\n")
    );
}

#[test]
fn all_corpus_expressions_compile_untyped() {
    check_all("without a schema", |f| {
        Expression::compile(&f.expr, &Untyped)
            .map(|_| ())
            .map_err(|d| d.render("expr", &f.expr))
    });
}

#[test]
fn all_corpus_expressions_check_against_their_schemas() {
    let dir = corpus_dir();
    let mv = Schema::from_mv_file(&dir.join("GlobalSettings/MV.xml")).unwrap();
    let connectors: Vec<ConnectorDef> = std::fs::read_dir(dir.join("Connectors"))
        .unwrap()
        .map(|e| ConnectorDef::from_file(&e.unwrap().path()).unwrap())
        .collect();
    check_all("against the connector and metaverse schemas", |f| {
        // An inbound flow reads the connector space, an outbound flow the metaverse.
        let schema = if f.inbound {
            &connectors
                .iter()
                .find(|c| c.has_id(&f.connector))
                .unwrap_or_else(|| panic!("{}: unknown connector {}", f.rule, f.connector))
                .schema
        } else {
            &mv
        };
        Expression::compile(&f.expr, schema)
            .map(|_| ())
            .map_err(|d| d.render("expr", &f.expr))
    });
}
