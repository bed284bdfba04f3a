//! Shared test helpers: evaluate an expression with both the VM and the reference
//! evaluator, require that they agree, and return the result.

#![expect(
    clippy::unwrap_used,
    reason = "test setup fails loudly on broken fixtures"
)]
#![allow(dead_code, reason = "each test file uses a different subset")]

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use syncrules_lang::functions::CallCtx;
use syncrules_lang::name::AttrMap;
use syncrules_lang::{Env, Expression, Untyped, Value, Vm};

/// The fixed clock of the tests: `Now()` is 2024-01-01T00:00:00Z.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// Parameters every test sees.
pub fn params() -> IndexMap<String, String> {
    [
        ("Domain.FQDN", "contoso.com"),
        ("Domain.Netbios", "CONTOSO"),
        ("Domain.LDAP", "DC=contoso,DC=com"),
        ("Forest.FQDN", "contoso.com"),
        ("Forest.Netbios", "CONTOSO"),
        ("Forest.LDAP", "DC=contoso,DC=com"),
        ("Connector.ID", "ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Evaluates with both evaluators; `Err` holds a compile diagnostic or the run-time
/// error's message.
pub fn eval_map(src: &str, attrs: &AttrMap) -> Result<Value, String> {
    let expr = Expression::compile(src, &Untyped).map_err(|d| format!("compile: {d}"))?;
    let record = expr.record(attrs);
    let params = expr.parameters(&params());
    let env = Env {
        attributes: &record,
        parameters: &params,
        ctx: CallCtx { now: now() },
    };
    let vm = expr.eval(&mut Vm::new(), &env);
    let reference = expr.eval_reference(&env);
    assert_eq!(
        vm, reference,
        "VM and reference evaluator disagree on {src}"
    );
    vm.map_err(|e| e.to_string())
}

/// [`eval_map`] with attributes given as pairs.
pub fn eval_with(src: &str, attrs: &[(&str, Value)]) -> Result<Value, String> {
    let map = attrs
        .iter()
        .map(|(k, v)| ((*k).into(), v.clone()))
        .collect();
    eval_map(src, &map)
}

/// [`eval_map`] with no attributes.
pub fn eval(src: &str) -> Result<Value, String> {
    eval_with(src, &[])
}
