//! Parser tests: precedence, literals, spans, errors, limits.

use super::*;

fn src(s: &str) -> String {
    parse(s).unwrap().to_source()
}

#[test]
fn precedence_follows_vba() {
    assert_eq!(src("1 + 2 * 3"), "(1 + (2 * 3))");
    assert_eq!(
        src("[a] & \"@\" & %Domain.FQDN%"),
        "(([a] & \"@\") & %Domain.FQDN%)"
    );
    assert_eq!(src("1 + 2 & 3"), "((1 + 2) & 3)");
    assert_eq!(src("[a] & [b] = [c]"), "(([a] & [b]) = [c])");
    assert_eq!(
        src("[a] = 1 && [b] = 2 || [c] = 3"),
        "((([a] = 1) && ([b] = 2)) || ([c] = 3))"
    );
    assert_eq!(
        src("[userAccountControl] BAND 2 = 0"),
        "(([userAccountControl] BAND 2) = 0)"
    );
    assert_eq!(src("1 BOR 2 BAND 3"), "(1 BOR (2 BAND 3))");
    assert_eq!(src("10 - 2 - 3"), "((10 - 2) - 3)");
    assert_eq!(src("-[a] * 2"), "((-[a]) * 2)");
    assert_eq!(src("[a] < 1 = True"), "(([a] < 1) = True)");
}

#[test]
fn literals() {
    assert_eq!(
        parse("&H21C07000").unwrap().kind,
        ExprKind::Num(0x21C0_7000)
    );
    assert_eq!(
        parse("&HFFFFFFFF").unwrap().kind,
        ExprKind::Num(0xFFFF_FFFF)
    );
    assert_eq!(
        parse("-2147483648").unwrap().kind,
        ExprKind::Num(-2_147_483_648)
    );
    assert_eq!(
        parse(r#""\\0ACNF:""#).unwrap().kind,
        ExprKind::Str("\\0ACNF:".into())
    );
    assert_eq!(
        parse(r#""a\"b""#).unwrap().kind,
        ExprKind::Str("a\"b".into())
    );
    assert_eq!(
        parse(r#""\r\n""#).unwrap().kind,
        ExprKind::Str("\\r\\n".into())
    );
    assert_eq!(parse("CRLF").unwrap().kind, ExprKind::Str("\r\n".into()));
    assert_eq!(
        parse("[msDS-cloudExtensionAttribute1]").unwrap().kind,
        ExprKind::Attribute("msDS-cloudExtensionAttribute1".into())
    );
    assert_eq!(
        parse("%Domain.FQDN%").unwrap().kind,
        ExprKind::Parameter("Domain.FQDN".into())
    );
    assert_eq!(
        parse("$item").unwrap().kind,
        ExprKind::Variable("item".into())
    );
    assert_eq!(
        parse("UTF8").unwrap().kind,
        ExprKind::EnumName("UTF8".into())
    );
    assert_eq!(
        parse("TrueName").unwrap().kind,
        ExprKind::EnumName("TrueName".into())
    );
    assert_eq!(
        parse("IgnoreThisFlow").unwrap().kind,
        ExprKind::IgnoreThisFlow
    );
    assert_eq!(
        parse("AuthoritativeNull").unwrap().kind,
        ExprKind::AuthoritativeNull
    );
}

#[test]
fn spans_cover_tokens() {
    let e = parse("Trim( [givenName] )").unwrap();
    let ExprKind::Call {
        name_span, args, ..
    } = &e.kind
    else {
        panic!()
    };
    assert_eq!(name_span.range(), 0..4);
    assert_eq!(args[0].span.range(), 6..17);
    assert_eq!(e.span.range(), 0..19);
}

#[test]
fn syntax_errors_are_located() {
    let d = parse("IIF([a],1,").unwrap_err();
    assert_eq!(d.span.range(), 10..10);
    assert!(
        d.message.starts_with("expected an expression"),
        "{}",
        d.message
    );
    assert!(
        d.message.ends_with("found end of expression"),
        "{}",
        d.message
    );
    assert_eq!(
        d.help.as_deref(),
        Some("a parenthesis is not closed: add `)`")
    );

    let d = parse("Trim([a]) ]").unwrap_err();
    assert_eq!(d.span.range(), 10..11);
    assert!(d.message.contains("found `]`"), "{}", d.message);

    let d = parse("\"abc").unwrap_err();
    assert_eq!(d.help.as_deref(), Some("a string is not closed: add `\"`"));
}

#[test]
fn depth_and_size_limits() {
    let deep = format!(
        "{}1{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert_eq!(parse(&deep).unwrap_err().code, "E0004");
    let ok = format!("{}1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(parse(&ok).is_ok());
    let long = "1+".repeat(MAX_SOURCE_LEN) + "1";
    assert_eq!(parse(&long).unwrap_err().code, "E0003");
}
