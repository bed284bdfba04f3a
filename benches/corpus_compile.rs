//! Compiling the whole Entra Connect corpus: all 391 attribute-flow expressions parsed,
//! checked and compiled, each on its own (`Expression::compile`) and into one shared slot
//! table (`syncrules_lang::compile`). The target is under 5 ms for the corpus.
//!
//! Run: `cargo bench --bench corpus_compile`.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark setup fails loudly"
)]
#![expect(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

mod common;

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use syncrules_lang::{Expression, Slots, Untyped};

/// The corpus README counts 391 attribute-flow expressions.
const CORPUS_EXPRESSIONS: usize = 391;

fn corpus_compile(c: &mut Criterion) {
    let sources = common::corpus_expressions();
    assert_eq!(
        sources.len(),
        CORPUS_EXPRESSIONS,
        "the corpus should hold {CORPUS_EXPRESSIONS} expressions"
    );
    // Everything compiles, or the timing would measure error paths.
    let mut slots = Slots::default();
    for src in &sources {
        if let Err(d) = syncrules_lang::compile(src, &Untyped, &mut slots) {
            panic!(
                "corpus expression fails to compile:\n{}",
                d.render("expr", src)
            );
        }
    }
    let total_bytes: usize = sources.iter().map(String::len).sum();

    let mut group = c.benchmark_group("corpus_compile");
    group.throughput(Throughput::Elements(sources.len() as u64));
    group.bench_function("expression_compile_each", |b| {
        b.iter(|| {
            for src in &sources {
                black_box(Expression::compile(black_box(src), &Untyped).unwrap());
            }
        });
    });
    // One slot table for the whole corpus, as a rule set is compiled. A fresh table each
    // iteration (made outside the timing), so every run interns the same names.
    group.bench_function("shared_slots", |b| {
        b.iter_batched_ref(
            Slots::default,
            |slots| {
                for src in &sources {
                    black_box(syncrules_lang::compile(black_box(src), &Untyped, slots).unwrap());
                }
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
    eprintln!(
        "corpus: {} expressions, {} bytes of source, {} attribute slots shared",
        sources.len(),
        total_bytes,
        slots.attributes.len()
    );
}

criterion_group!(benches, corpus_compile);
criterion_main!(benches);
