//! Multi-valued attributes of 1,000, 10,000 and 100,000 values through the builtins and
//! operators that compare or deduplicate values (VM and reference evaluator), and through
//! the engine's `merge` of contributions: each should cost about ten times more per step,
//! not a hundred.
//!
//! `cargo bench --bench values`.

#![expect(
    clippy::unwrap_used,
    missing_docs,
    reason = "benchmark setup; criterion generates the entry points"
)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use syncrules::lang::rules::MergeType;
use syncrules::lang::{Env, Expression, Untyped, Value, Vm};
use syncrules_engine::sync::resolve::{Contribution, decide};

/// The allocator the `syncrules` binary uses (see src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// `n` proxy addresses, every value twice (in two cases), so there is something to remove.
fn proxies(n: usize) -> Value {
    Value::multi(
        (0..n)
            .map(|i| {
                let case = if i % 2 == 0 { "smtp" } else { "SMTP" };
                Value::from(format!("{case}:user{}@contoso.com", i / 2))
            })
            .collect(),
    )
}

/// Other addresses, none of them among `proxies`.
fn others(n: usize) -> Value {
    Value::multi(
        (0..n)
            .map(|i| Value::from(format!("smtp:other{i}@fabrikam.com")))
            .collect(),
    )
}

fn expressions(c: &mut Criterion) {
    let cases = [
        ("RemoveDuplicates", "RemoveDuplicates([proxyAddresses])"),
        ("Join", r#"Join([proxyAddresses], ";")"#),
        ("Contains", r#"Contains([proxyAddresses], "fabrikam")"#),
        ("Count", "Count([proxyAddresses])"),
        ("multi = multi", "[proxyAddresses] = [otherMailbox]"),
        ("multi < multi", "[proxyAddresses] < [otherMailbox]"),
    ];
    for (name, source) in cases {
        let expr = Expression::compile(source, &Untyped).unwrap();
        let mut group = c.benchmark_group(format!("values/{name}"));
        group.sample_size(10);
        for n in SIZES {
            let mut attributes = syncrules_lang::AttrMap::default();
            attributes.insert("proxyAddresses".into(), proxies(n));
            attributes.insert("otherMailbox".into(), others(n));
            let record = expr.record(&attributes);
            let env = Env::new(&record, &[]);
            let mut vm = Vm::new();
            group.bench_with_input(BenchmarkId::new("vm", n), &n, |b, _| {
                b.iter(|| black_box(expr.eval(&mut vm, black_box(&env)).unwrap()));
            });
            group.bench_with_input(BenchmarkId::new("reference", n), &n, |b, _| {
                b.iter(|| black_box(expr.eval_reference(black_box(&env)).unwrap()));
            });
        }
        group.finish();
    }
}

fn merge(c: &mut Criterion) {
    let mut group = c.benchmark_group("values/merge");
    group.sample_size(10);
    for n in SIZES {
        for (name, merge) in [
            ("merge", MergeType::Merge),
            ("merge-case-insensitive", MergeType::MergeCaseInsensitive),
        ] {
            let contributions: Vec<Contribution> = [proxies(n), others(n)]
                .into_iter()
                .enumerate()
                .map(|(i, value)| Contribution {
                    precedence: i64::try_from(i).unwrap(),
                    rule: format!("r{i}").into(),
                    merge,
                    value,
                })
                .collect();
            group.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter(|| black_box(decide(black_box(&contributions))));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, expressions, merge);
criterion_main!(benches);
