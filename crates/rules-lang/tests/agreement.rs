//! Property test: for generated well-typed expressions and attribute values, the VM (with
//! and without constant folding) and the reference evaluator give the same result or the
//! same located error.
//!
//! Each expression is checked twice: without a schema (every attribute `var`) and against
//! a schema that types `[m1]` and `[m2]` multi-valued. The generator puts the multi-valued
//! attributes where one value is expected too, so the whole expression runs once per
//! value of one of them (and fails, or is rejected with E0113, when both are there).

#![expect(
    clippy::unwrap_used,
    reason = "test setup fails loudly on broken fixtures"
)]

use proptest::prelude::*;
use syncrules_lang::check::AttributeTypes;
use syncrules_lang::functions::CallCtx;
use syncrules_lang::name::AttrMap;
use syncrules_lang::parse::parse;
use syncrules_lang::{Env, Program, Slots, Ty, Untyped, Value, Vm, check::check, reference};

mod common;

fn string_lit() -> impl Strategy<Value = String> {
    prop::string::string_regex("[ a-cA-C0-9@,._-]{0,6}")
        .unwrap()
        .prop_map(|s| format!("\"{s}\""))
}

fn num_lit() -> impl Strategy<Value = String> {
    prop_oneof![
        (-5i64..40).prop_map(|n| n.to_string()),
        Just("&HFF".to_owned())
    ]
}

/// Expressions of type str.
fn str_expr(depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        3 => string_lit(),
        3 => Just("[s1]".to_owned()),
        3 => Just("[s2]".to_owned()),
        3 => Just("%Domain.FQDN%".to_owned()),
        // A multi-valued attribute where one value is expected.
        2 => Just("[m1]".to_owned()),
        2 => Just("[m2]".to_owned()),
        1 => Just("ImportedValue(\"m1\")".to_owned()),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    let s = str_expr(depth - 1);
    let n = num_expr(depth - 1);
    let b = bool_expr(depth - 1);
    prop_oneof![
        2 => leaf,
        1 => (s.clone()).prop_map(|a| format!("Trim({a})")),
        1 => (s.clone()).prop_map(|a| format!("UCase({a})")),
        1 => (s.clone()).prop_map(|a| format!("LCase({a})")),
        1 => (s.clone(), n.clone()).prop_map(|(a, k)| format!("Left({a}, {k})")),
        1 => (s.clone(), n.clone()).prop_map(|(a, k)| format!("Right({a}, {k})")),
        1 => (s.clone(), n.clone(), n.clone()).prop_map(|(a, i, k)| format!("Mid({a}, {i}, {k})")),
        1 => (s.clone(), s.clone()).prop_map(|(a, c)| format!("{a} & {c}")),
        1 => (n.clone()).prop_map(|a| format!("CStr({a})")),
        1 => (b.clone(), s.clone(), s.clone()).prop_map(|(c, t, f)| format!("IIF({c}, {t}, {f})")),
        1 => (s.clone(), n.clone()).prop_map(|(a, k)| format!("Word({a}, {k}, \",\")")),
        1 => (s.clone(), s.clone(), s.clone()).prop_map(|(a, o, r)| format!("Replace({a}, {o}, {r})")),
        1 => (mv_expr(depth - 1), n.clone()).prop_map(|(m, k)| format!("Item({m}, {k})")),
        1 => (mv_expr(depth - 1), n).prop_map(|(m, k)| format!("ItemOrNull({m}, {k})")),
        1 => (s.clone(), s).prop_map(|(v, body)| format!("With($w, {v}, $w & {body})")),
    ]
    .boxed()
}

/// Expressions of type num.
fn num_expr(depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        num_lit(),
        Just("[n1]".to_owned()),
        Just("ValueCount(\"m1\")".to_owned())
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    let s = str_expr(depth - 1);
    let n = num_expr(depth - 1);
    let b = bool_expr(depth - 1);
    prop_oneof![
        2 => leaf,
        1 => (n.clone(), n.clone()).prop_map(|(a, c)| format!("{a} + {c}")),
        1 => (n.clone(), n.clone()).prop_map(|(a, c)| format!("{a} * {c}")),
        1 => (n.clone(), n.clone()).prop_map(|(a, c)| format!("({a} - {c}) / {c}")),
        1 => (n.clone()).prop_map(|a| format!("-{a}")),
        1 => (s.clone()).prop_map(|a| format!("Len({a})")),
        1 => (s.clone(), s.clone()).prop_map(|(a, c)| format!("InStr({a}, {c})")),
        1 => (s.clone()).prop_map(|a| format!("CNum({a})")),
        1 => (n.clone(), n.clone()).prop_map(|(a, c)| format!("BitAnd({a}, {c})")),
        1 => (n.clone(), n.clone()).prop_map(|(a, c)| format!("{a} BOR {c}")),
        1 => (mv_expr(depth - 1), s).prop_map(|(m, x)| format!("Contains({m}, {x})")),
        1 => (mv_expr(depth - 1)).prop_map(|m| format!("Count({m})")),
        1 => (b, n.clone(), n).prop_map(|(c, t, f)| format!("IIF({c}, {t}, {f})")),
    ]
    .boxed()
}

/// Expressions of type bool.
fn bool_expr(depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        Just("True".to_owned()),
        Just("False".to_owned()),
        Just("[b1]".to_owned()),
        Just("IsPresent([s1])".to_owned()),
        Just("IsNull([n1])".to_owned()),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    let s = str_expr(depth - 1);
    let n = num_expr(depth - 1);
    let b = bool_expr(depth - 1);
    let cmp = prop_oneof![
        Just("="),
        Just("<>"),
        Just("<"),
        Just("<="),
        Just(">"),
        Just(">=")
    ];
    prop_oneof![
        2 => leaf,
        1 => (s.clone(), cmp.clone(), s.clone()).prop_map(|(a, o, c)| format!("{a} {o} {c}")),
        1 => (n.clone(), cmp, n.clone()).prop_map(|(a, o, c)| format!("{a} {o} {c}")),
        1 => (b.clone(), b.clone()).prop_map(|(a, c)| format!("({a} && {c})")),
        1 => (b.clone(), b.clone()).prop_map(|(a, c)| format!("({a} || {c})")),
        1 => (s.clone()).prop_map(|a| format!("IsNullOrEmpty({a})")),
        1 => (n.clone(), n).prop_map(|(a, c)| format!("IsBitSet({a}, {c})")),
        1 => (s.clone()).prop_map(|a| format!("IsNumeric({a})")),
        1 => (b.clone()).prop_map(|a| format!("CBool({a})")),
        1 => (mv_expr(depth - 1), s).prop_map(|(m, x)| format!("Contains({m}, {x}) > 0")),
        1 => (b.clone(), b.clone(), b).prop_map(|(c, t, f)| format!("IIF({c}, {t}, {f})")),
    ]
    .boxed()
}

/// Multi-valued string expressions.
fn mv_expr(depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        3 => Just("[m1]".to_owned()),
        3 => Just("[m2]".to_owned()),
        1 => Just("ImportedValue(\"m1\")".to_owned()),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    let s = str_expr(depth - 1);
    let m = mv_expr(depth - 1);
    let b = bool_expr(depth - 1);
    prop_oneof![
        2 => leaf,
        1 => (s.clone()).prop_map(|a| format!("Split({a}, \",\")")),
        1 => (m.clone()).prop_map(|a| format!("Trim({a})")),
        1 => (m.clone()).prop_map(|a| format!("RemoveDuplicates({a})")),
        1 => (m.clone(), s.clone()).prop_map(|(a, x)| format!("Select($v, {a}, $v & {x})")),
        1 => (m.clone(), s).prop_map(|(a, x)| format!("Where($v, {a}, InStr($v, {x}) > 0)")),
        1 => (m, b).prop_map(|(a, c)| format!("Where($v, {a}, {c} || Len($v) > 2)")),
    ]
    .boxed()
}

fn any_expr() -> BoxedStrategy<String> {
    prop_oneof![str_expr(3), num_expr(3), bool_expr(3), mv_expr(3)].boxed()
}

fn value_str() -> impl Strategy<Value = Value> {
    prop::string::string_regex("[ a-cA-C0-9@,._-]{0,8}")
        .unwrap()
        .prop_map(Value::from)
}

fn attributes() -> impl Strategy<Value = AttrMap> {
    let opt = |s: BoxedStrategy<Value>| prop_oneof![1 => Just(Value::Null), 4 => s].boxed();
    // Without a schema `[s1]` may hold several values too.
    let maybe_multi = prop_oneof![
        4 => value_str().boxed(),
        1 => prop::collection::vec(value_str(), 1..3).prop_map(Value::multi).boxed(),
    ];
    (
        opt(maybe_multi.boxed()),
        opt(value_str().boxed()),
        opt((-3i64..300).prop_map(Value::Num).boxed()),
        opt(any::<bool>().prop_map(Value::Bool).boxed()),
        opt(prop::collection::vec(value_str(), 0..4)
            .prop_map(Value::multi)
            .boxed()),
        opt(prop::collection::vec(value_str(), 0..4)
            .prop_map(Value::multi)
            .boxed()),
    )
        .prop_map(|(s1, s2, n1, b1, m1, m2)| {
            [
                ("s1", s1),
                ("s2", s2),
                ("n1", n1),
                ("b1", b1),
                ("m1", m1),
                ("m2", m2),
            ]
            .into_iter()
            .map(|(k, v)| (k.into(), v))
            .collect()
        })
}

/// An object whose last import confirmed other values than it holds.
struct Tracked {
    current: syncrules_lang::Record,
    confirmed: syncrules_lang::Record,
}

impl syncrules_lang::Attributes for Tracked {
    fn get(&self, slot: u32) -> &Value {
        self.current.get(slot)
    }

    fn imported(&self, slot: u32) -> &Value {
        self.confirmed.get(slot)
    }
}

/// The schema of the typed run: `[m1]` and `[m2]` multi-valued strings.
struct Typed;

impl AttributeTypes for Typed {
    fn attribute_type(&self, name: &str) -> Ty {
        match name {
            "s1" | "s2" => Ty::STR,
            "n1" => Ty::NUM,
            "b1" => Ty::BOOL,
            "m1" | "m2" => Ty::MVSTR,
            _ => Ty::Var,
        }
    }
}

/// How many of the multi-valued lists `src` reads.
fn multi_reads(src: &str) -> usize {
    ["[m1]", "[m2]", "ImportedValue(\"m1\")"]
        .iter()
        .filter(|r| src.contains(*r))
        .count()
}

/// Checks `src` against `types` and runs it three ways; `Ok(false)` when the typed check
/// rejects an expression that reads two multi-valued lists (E0113, or a type error no
/// single spread attribute resolves).
fn agree(src: &str, types: &dyn AttributeTypes, attrs: &AttrMap) -> Result<bool, TestCaseError> {
    let ast = parse(src).map_err(|d| TestCaseError::fail(format!("{src}: {}", d.message)))?;
    let mut slots = Slots::default();
    let checked = match check(&ast, types, &mut slots) {
        Ok(c) => c,
        Err(d) if multi_reads(src) >= 2 => {
            let _ = d;
            return Ok(false);
        }
        Err(d) => {
            return Err(TestCaseError::fail(format!(
                "{src}: {}",
                d.render("gen", src)
            )));
        }
    };
    let folded = Program::compile(&checked).unwrap();
    let unfolded = Program::compile_unfolded(&checked).unwrap();
    // The import confirmed all but the first value of each multi-valued attribute:
    // `ImportedValue("m1")` and `[m1]` are different lists.
    let confirmed: AttrMap = attrs
        .iter()
        .map(|(k, v)| match v {
            Value::Multi(items) => (*k, Value::multi(items.iter().skip(1).cloned().collect())),
            v => (*k, v.clone()),
        })
        .collect();
    let record = Tracked {
        current: syncrules_lang::Record::from_named(&slots, attrs),
        confirmed: syncrules_lang::Record::from_named(&slots, &confirmed),
    };
    let params = syncrules_lang::env::parameters(&slots, &common::params());
    let env = Env {
        attributes: &record,
        parameters: &params,
        ctx: CallCtx { now: common::now() },
    };
    let want = reference::evaluate(&checked, &env);
    let mut vm = Vm::new();
    prop_assert_eq!(&vm.run(&unfolded, &env), &want, "unfolded VM on {}", src);
    prop_assert_eq!(&vm.run(&folded, &env), &want, "folded VM on {}", src);
    Ok(true)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn vm_agrees_with_reference(src in any_expr(), attrs in attributes()) {
        prop_assert!(agree(&src, &Untyped, &attrs)?, "{} does not check without a schema", src);
        let mut typed = attrs;
        // The schema's single-valued attributes hold one value.
        if let Some(Value::Multi(items)) = typed.get("s1").cloned() {
            typed.insert("s1".into(), items.first().cloned().unwrap_or(Value::Null));
        }
        agree(&src, &Typed, &typed)?;
    }
}
