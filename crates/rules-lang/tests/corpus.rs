//! Every attribute-flow expression of the Entra Connect corpus parses, checks and compiles,
//! and its compiled program runs as the reference evaluator reads the expression.
//!
//! Reads `../shared/corpus/aadconnect-contoso` (beside the repository). The test fails,
//! never skips, when the corpus is missing.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test setup fails loudly on broken fixtures"
)]

use std::path::PathBuf;
use syncrules_lang::name::AttrMap;

mod common;

use quick_xml::Reader;
use quick_xml::events::Event;
use syncrules_lang::compile::Instr;
use syncrules_lang::functions::CallCtx;
use syncrules_lang::schema::ConnectorDef;
use syncrules_lang::{Env, Expression, Program, Schema, Untyped, Value, Vm};

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

/// The schemas of the corpus: the metaverse's and each connector's.
struct Schemas {
    mv: Schema,
    connectors: Vec<ConnectorDef>,
}

impl Schemas {
    fn load() -> Self {
        let dir = corpus_dir();
        Schemas {
            mv: Schema::from_mv_file(&dir.join("GlobalSettings/MV.xml")).unwrap(),
            connectors: std::fs::read_dir(dir.join("Connectors"))
                .unwrap()
                .map(|e| ConnectorDef::from_file(&e.unwrap().path()).unwrap())
                .collect(),
        }
    }

    /// The schema a flow reads: an inbound flow the connector space's, an outbound flow
    /// the metaverse's.
    fn of(&self, f: &Flow) -> &Schema {
        if f.inbound {
            &self
                .connectors
                .iter()
                .find(|c| c.has_id(&f.connector))
                .unwrap_or_else(|| panic!("{}: unknown connector {}", f.rule, f.connector))
                .schema
        } else {
            &self.mv
        }
    }
}

#[test]
fn all_corpus_expressions_check_against_their_schemas() {
    let schemas = Schemas::load();
    check_all("against the connector and metaverse schemas", |f| {
        Expression::compile(&f.expr, schemas.of(f))
            .map(|_| ())
            .map_err(|d| d.render("expr", &f.expr))
    });
}

/// The values the agreement test gives attributes, in turn: absent, empty, padded text, a
/// DN with an escaped comma, a number, and a multi-valued attribute.
fn sample_values() -> Vec<Value> {
    vec![
        Value::Null,
        Value::from(""),
        Value::from("  John Doe "),
        Value::from(r"CN=Doe\, John,OU=Users,DC=contoso,DC=com"),
        Value::Num(514),
        Value::multi(vec![
            Value::from("SMTP:john@contoso.com"),
            Value::from("smtp:jd@contoso.com"),
        ]),
    ]
}

#[test]
fn corpus_programs_run_as_the_reference_evaluator_reads_them() {
    let _ = differential(&|f| Expression::compile(&f.expr, &Untyped).unwrap());
}

/// Checked against their schemas, the multi-valued attributes the schemas type run the
/// whole expression once per value of them: the VM and the reference evaluator agree on
/// those too.
#[test]
fn corpus_programs_checked_against_their_schemas_run_as_the_reference_evaluator_reads_them() {
    let schemas = Schemas::load();
    let spread = differential(&|f| Expression::compile(&f.expr, schemas.of(f)).unwrap());
    // The device-key rule's arithmetic on [searchableDeviceKey], at least.
    assert!(spread >= 1, "no corpus flow runs once per value");
}

/// Compiles every corpus flow with `compile` and runs it on objects made of
/// [`sample_values`], in the VM and the reference evaluator, which must agree. Returns how
/// many flows always run once per value of an attribute the schema types multi-valued.
fn differential(compile: &dyn Fn(&Flow) -> Expression) -> usize {
    let flows = corpus_expressions();
    assert_eq!(flows.len(), 391, "the corpus README counts 391 expressions");
    let samples = sample_values();
    let named = common::params();
    let ctx = CallCtx { now: common::now() };
    let mut vm = Vm::new();
    let mut failures = Vec::new();
    let (mut runs, mut spread) = (0, 0);
    for f in &flows {
        let expr = compile(f);
        spread += usize::from(expr.program().per_value().is_some());
        if let Some(problem) = compaction_problem(expr.program()) {
            failures.push(format!("{} → {}: {problem}", f.rule, f.dest));
        }
        let params = expr.parameters(&named);
        // Each object gives slot `i` sample `(i + shift) % 6`, so every attribute takes
        // every sample and neighbouring attributes take different ones.
        for shift in 0..samples.len() {
            let attrs: AttrMap = expr
                .slots()
                .attributes
                .iter()
                .enumerate()
                .filter_map(|(i, name)| {
                    let v = samples.get((i + shift) % samples.len())?.clone();
                    Some((name.into(), v))
                })
                .collect();
            let record = expr.record(&attrs);
            let env = Env {
                attributes: &record,
                parameters: &params,
                ctx,
            };
            let (vm_result, reference) = (expr.eval(&mut vm, &env), expr.eval_reference(&env));
            runs += 1;
            if vm_result != reference {
                failures.push(format!(
                    "{} → {} on {attrs:?}:\n  vm:        {vm_result:?}\n  reference: {reference:?}",
                    f.rule, f.dest
                ));
            }
        }
    }
    assert_eq!(runs, 391 * samples.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    spread
}

/// What is wrong with `program`'s layout after the peephole passes, if anything: every
/// instruction has a span, every jump lands inside the program, no jump goes to the next
/// instruction, and every instruction is reachable.
fn compaction_problem(program: &Program) -> Option<String> {
    let code = program.code();
    if program.spans().len() != code.len() {
        return Some("spans and instructions differ in number".to_owned());
    }
    let target = |i: &Instr| match *i {
        Instr::Jump(t)
        | Instr::JumpIfFalse(t)
        | Instr::JumpIfTrue(t)
        | Instr::JumpIfConst { target: t, .. }
        | Instr::JumpIfCallAttr { target: t, .. }
        | Instr::IterNext { exit: t, .. } => Some(t as usize),
        _ => None,
    };
    let mut reached = vec![false; code.len()];
    let mut work = vec![0];
    while let Some(pc) = work.pop() {
        match reached.get_mut(pc) {
            Some(seen) if !*seen => *seen = true,
            _ => continue,
        }
        let instr = &code[pc];
        if let Some(t) = target(instr) {
            if t > code.len() {
                return Some(format!("{pc:04} jumps past the end to {t:04}"));
            }
            if matches!(instr, Instr::Jump(_)) && t == pc + 1 {
                return Some(format!("{pc:04} jumps to the next instruction"));
            }
            work.push(t);
        }
        if !matches!(instr, Instr::Jump(_)) {
            work.push(pc + 1);
        }
    }
    reached
        .iter()
        .position(|r| !r)
        .map(|pc| format!("{pc:04} is unreachable"))
}
