//! Diagnostics pin their message, location and underlined text.

use syncrules_lang::{Expression, Untyped};

fn diag(src: &str) -> String {
    let result = Expression::compile(src, &Untyped);
    assert!(result.is_err(), "`{src}` compiled");
    result
        .err()
        .map(|d| d.render("flow", src))
        .unwrap_or_default()
}

#[test]
fn unknown_function_near_miss() {
    assert_eq!(
        diag("IIF(IsPresent([a]), Trimm([a]), NULL)"),
        "flow:1:21: error[E0101]: unknown function `Trimm`\n  |\n1 | IIF(IsPresent([a]), Trimm([a]), NULL)\n  |                     ^^^^^\n  = help: did you mean `Trim`?\n"
    );
}

#[test]
fn function_names_are_case_sensitive() {
    assert_eq!(
        diag("trim([givenName])"),
        "flow:1:1: error[E0101]: unknown function `trim`\n  |\n1 | trim([givenName])\n  | ^^^^\n  = help: did you mean `Trim`? function names are case-sensitive\n"
    );
}

#[test]
fn arity() {
    assert_eq!(
        diag("Left([sn])"),
        "flow:1:1: error[E0105]: `Left` takes 2 arguments, found 1\n  |\n1 | Left([sn])\n  | ^^^^^^^^^^\n  = help: use str Left(str, num)\n"
    );
}

#[test]
fn argument_type_with_conversion_hint() {
    assert_eq!(
        diag("UCase(42)"),
        "flow:1:7: error[E0106]: argument 1 of `UCase` must be str, found num\n  |\n1 | UCase(42)\n  |       ^^\n  = help: convert it with `CStr(...)`\n"
    );
}

#[test]
fn arithmetic_on_strings() {
    assert_eq!(
        diag(r#"[sAMAccountName] + "@contoso.com""#),
        "flow:1:20: error[E0111]: `+` needs numbers, found str\n  |\n1 | [sAMAccountName] + \"@contoso.com\"\n  |                    ^^^^^^^^^^^^^^\n  = help: join strings with `&`, or convert with `CNum(...)`\n"
    );
}

#[test]
fn condition_type() {
    assert_eq!(
        diag(r#"IIF("yes", 1, 2)"#),
        "flow:1:5: error[E0108]: the condition of `IIF` must be a Boolean or a number, found str\n  |\n1 | IIF(\"yes\", 1, 2)\n  |     ^^^^^\n  = help: compare it, e.g. `[attr] = \"value\"`, or test it with `IsPresent(...)`\n"
    );
}

#[test]
fn unknown_option() {
    assert_eq!(
        diag(r#"InStr([mail], "@", 1, vbTextCompar)"#),
        "flow:1:23: error[E0107]: `vbTextCompar` is not an option of `InStr`\n  |\n1 | InStr([mail], \"@\", 1, vbTextCompar)\n  |                       ^^^^^^^^^^^^\n  = help: did you mean `vbTextCompare`?\n"
    );
}

#[test]
fn unknown_variable() {
    assert_eq!(
        diag(r#"Select($item, [otherPhone], Replace($itme, "-", ""))"#),
        "flow:1:37: error[E0103]: unknown variable `$itme`\n  |\n1 | Select($item, [otherPhone], Replace($itme, \"-\", \"\"))\n  |                                     ^^^^^\n  = help: variables are bound by `Select`, `Where` and `With`\n"
    );
}

#[test]
fn keyword_case() {
    assert_eq!(
        diag("IIF([a] = 1, true, NULL)"),
        "flow:1:14: error[E0104]: `true` is not a value here\n  |\n1 | IIF([a] = 1, true, NULL)\n  |              ^^^^\n  = help: did you mean `True`? keywords are case-sensitive\n"
    );
}

#[test]
fn syntax_error_unclosed_string() {
    assert_eq!(
        diag(r#"Trim("abc)"#),
        "flow:1:6: error[E0001]: expected an expression, found `\"`\n  |\n1 | Trim(\"abc)\n  |      ^\n  = help: a string is not closed: add `\"`\n"
    );
}

#[test]
fn every_error_of_an_expression_is_reported() {
    let src = "Foo([a]) & Left([b]) & Bar(1)";
    let d = Expression::compile(src, &Untyped).unwrap_err();
    let found: Vec<(&str, &str)> = d
        .items
        .iter()
        .map(|d| (d.code, src.get(d.span.range()).unwrap()))
        .collect();
    assert_eq!(
        found,
        [("E0101", "Foo"), ("E0105", "Left([b])"), ("E0101", "Bar")]
    );
}

#[test]
fn multi_line_expression_locations() {
    let src = "IIF(IsPresent([a]),\n    [a],\n    Lef([b], 2))";
    let text = diag(src);
    assert!(
        text.starts_with("flow:3:5: error[E0101]: unknown function `Lef`\n"),
        "{text}"
    );
    assert!(
        text.contains("3 |     Lef([b], 2))\n  |     ^^^\n"),
        "{text}"
    );
}

#[test]
fn nesting_limit() {
    let src = format!("{}[a]{}", "Trim(".repeat(70), ")".repeat(70));
    let text = diag(&src);
    assert!(
        text.starts_with("flow:1:325: error[E0004]: expression nests deeper than 64 levels\n"),
        "{text}"
    );
}

#[test]
fn runtime_errors_carry_their_span() {
    use syncrules_lang::{Env, Value, Vm};
    let src = r#"IIF([memberCount] > 50000, Error("Maximum Group member count exceeded"), IgnoreThisFlow)"#;
    let expr = Expression::compile(src, &Untyped).unwrap();
    let attrs = syncrules_lang::name::attrs([("memberCount".to_owned(), Value::Num(60000))]);
    let record = expr.record(&attrs);
    let err = expr
        .eval(&mut Vm::new(), &Env::new(&record, &[]))
        .unwrap_err();
    assert_eq!(
        err.user_message(),
        Some("Maximum Group member count exceeded")
    );
    assert_eq!(
        src.get(err.span.range()),
        Some(r#"Error("Maximum Group member count exceeded")"#)
    );
    let attrs = syncrules_lang::name::attrs([("memberCount".to_owned(), Value::Num(5))]);
    let record = expr.record(&attrs);
    assert_eq!(
        expr.eval(&mut Vm::new(), &Env::new(&record, &[])),
        Ok(Value::Ignore)
    );
}
