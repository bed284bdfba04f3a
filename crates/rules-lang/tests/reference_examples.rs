//! Runs every case in `tests/reference/*.txt` (the functions reference's examples and more)
//! through parse → check → compile → VM, and the reference evaluator.
//!
//! A case is a block of `expr:`, optional `attrs:` (a JSON attributes document), and either
//! `yields:` (a typed JSON value) or `error:` (a substring of the run-time error).

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test setup fails loudly on broken fixtures"
)]

mod common;

use std::path::Path;

use syncrules_lang::json;

struct Case {
    file: String,
    line: usize,
    expr: String,
    attrs: Option<String>,
    yields: Option<String>,
    error: Option<String>,
}

fn cases(path: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(path).unwrap();
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut out = Vec::new();
    let mut cur: Option<Case> = None;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            out.extend(cur.take());
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{file}:{line_no}: expected `key: value`"));
        let value = value.trim().to_owned();
        let case = cur.get_or_insert_with(|| Case {
            file: file.clone(),
            line: line_no,
            expr: String::new(),
            attrs: None,
            yields: None,
            error: None,
        });
        match key {
            "expr" => case.expr = value,
            "attrs" => case.attrs = Some(value),
            "yields" => case.yields = Some(value),
            "error" => case.error = Some(value),
            other => panic!("{file}:{line_no}: unknown key `{other}`"),
        }
    }
    out.extend(cur);
    out
}

#[test]
fn reference_examples() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no reference cases in {}", dir.display());
    let mut failures = Vec::new();
    let mut count = 0;
    for path in &files {
        for case in cases(path) {
            count += 1;
            let at = format!("{}:{} `{}`", case.file, case.line, case.expr);
            let attrs = match &case.attrs {
                Some(a) => match serde_json::from_str(a)
                    .map_err(|e| e.to_string())
                    .and_then(|j| json::attributes(&j).map_err(|e| e.to_string()))
                {
                    Ok(m) => m,
                    Err(e) => {
                        failures.push(format!("{at}: bad attrs: {e}"));
                        continue;
                    }
                },
                None => Default::default(),
            };
            let got = common::eval_map(&case.expr, &attrs);
            match (&case.yields, &case.error, got) {
                (Some(want), None, Ok(v)) => {
                    let want: serde_json::Value = serde_json::from_str(want).unwrap();
                    let got = json::to_typed(&v);
                    if got != want {
                        failures.push(format!("{at}: want {want}, got {got}"));
                    }
                }
                (None, Some(want), Err(e)) => {
                    if !e.contains(want.as_str()) {
                        failures.push(format!("{at}: want error containing `{want}`, got `{e}`"));
                    }
                }
                (_, _, got) => failures.push(format!("{at}: unexpected outcome {got:?}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} reference cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
