//! The README's function reference is the registry's, and its first commands are the ones
//! CI runs.

const README: &str = include_str!("../README.md");

#[test]
fn function_reference_is_current() {
    let start =
        README.find("<!-- functions:start -->\n").unwrap() + "<!-- functions:start -->\n".len();
    let end = README.find("<!-- functions:end -->").unwrap();
    let documented = README.get(start..end).unwrap();
    assert!(
        documented == syncrules::lang::functions::reference_markdown(),
        "the README's function reference is stale: replace the text between the \
         functions markers with the output of `cargo run -q -- functions`"
    );
}

#[test]
fn every_function_is_documented_with_an_example() {
    for b in syncrules::lang::functions::all() {
        assert!(
            README.contains(&format!("| `{}` |", b.name)),
            "{} missing",
            b.name
        );
        assert!(
            !b.doc.is_empty() && !b.example.is_empty(),
            "{} lacks doc or example",
            b.name
        );
    }
}

#[test]
fn examples_in_the_registry_compile() {
    for b in syncrules::lang::functions::all() {
        let result = syncrules::lang::Expression::compile(b.example, &syncrules::lang::Untyped);
        assert!(
            result.is_ok(),
            "example of {} does not compile: {}\n{:?}",
            b.name,
            b.example,
            result.err()
        );
    }
}
