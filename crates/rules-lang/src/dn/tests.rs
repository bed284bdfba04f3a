use proptest::prelude::*;

use super::*;

#[test]
fn parses_rdns_and_parents() {
    let dn = Dn::parse(r"CN=Doe\, John , OU=x,DC=y").unwrap();
    let rdns: Vec<_> = dn.rdns().map(|r| r.as_str()).collect();
    assert_eq!(rdns, [r"CN=Doe\, John", "OU=x", "DC=y"]);
    let parent = dn.parent().unwrap();
    assert_eq!(parent.as_str(), "OU=x,DC=y");
    assert_eq!(parent.rdn().unwrap().as_str(), "OU=x");
    let root = parent.parent().unwrap().parent().unwrap();
    assert!(root.is_root());
    assert_eq!(root.as_str(), "");
    assert!(root.parent().is_none());
    assert!(Dn::parse("  ").unwrap().is_root());
}

#[test]
fn reads_values() {
    let value = |dn: &str| Dn::parse(dn).unwrap().rdn().unwrap().value();
    assert_eq!(
        value(r"CN=John Smith\0ACNF:1234,DC=x").as_deref(),
        Some("John Smith\nCNF:1234")
    );
    assert_eq!(value(r"CN=S\C3\A3o").as_deref(), Some("São"));
    assert_eq!(value(r#"CN="Doe, John""#).as_deref(), Some("Doe, John"));
    assert_eq!(value(r"CN=a\ ").as_deref(), Some("a "));
    assert_eq!(value(r"CN= a ").as_deref(), Some("a"));
    assert_eq!(value("CN=a+UID=b"), None);
    let dn = Dn::parse(r"CN=a\+b+UID=c\=d").unwrap();
    let rdn = dn.rdn().unwrap();
    let avas: Vec<_> = rdn
        .avas()
        .map(|a| (a.attribute_type(), a.value()))
        .collect();
    assert_eq!(avas, [("CN", "a+b".to_owned()), ("UID", "c=d".to_owned())]);
    assert_eq!(rdn.split_type(), ("CN", r"a\+b+UID=c\=d"));
    assert_eq!(rdn.attribute_type(), None);
}

#[test]
fn rejects_malformed_text() {
    assert_eq!(Dn::parse(r"CN=a\"), Err(DnError::DanglingEscape { at: 4 }));
    assert_eq!(Dn::parse(r"CN=a\4x"), Err(DnError::BadHex { at: 4 }));
    assert_eq!(
        Dn::parse(r#"CN="a,DC=b"#),
        Err(DnError::UnterminatedQuote { at: 3 })
    );
    assert_eq!(Dn::parse(r"CN=\FF"), Err(DnError::BadUtf8 { at: 3 }));
    assert_eq!(Dn::parse("CN=a,"), Err(DnError::EmptyRdn { at: 5 }));
    assert_eq!(Dn::parse("CN=a+"), Err(DnError::EmptyRdn { at: 5 }));
    assert_eq!(Dn::parse("CN=a,b"), Err(DnError::MissingType { at: 5 }));
    assert_eq!(Dn::parse("=a"), Err(DnError::MissingType { at: 0 }));
    // Any character may be escaped.
    assert!(Dn::parse(r"CN=a\/b\#\ \<\>\;").is_ok());
}

#[test]
fn keys_compare_as_active_directory_does() {
    let key = DnKey::new;
    assert_eq!(key("CN=A, OU=B,DC=c"), key("cn=a,ou=b, dc=C"));
    assert_eq!(key("CN = A ,OU=B"), key("cn=a,ou=b"));
    assert_eq!(key(r"CN=a\2Cb"), key(r"cn=A\,B"));
    assert_eq!(key(r"CN=\41"), key("cn=a"));
    assert_eq!(key(r#"CN="a,b""#), key(r"CN=a\,b"));
    assert_eq!(key("CN=a+UID=b"), key("uid=B + cn=A"));
    assert_eq!(key("CN=ÉLAN"), key("cn=élan"));
    assert_ne!(key("CN=A,DC=c"), key("CN=B,DC=c"));
    assert_ne!(key(r"CN=a\ "), key("CN=a"));
    assert_ne!(key(r"CN=a\,b"), key("CN=a,CN=b"));
    assert_eq!(key("CN=a,DC=b").as_str(), "cn=a,dc=b");
    // Lenient: every text has a key.
    assert_eq!(key(r"CN=a\").as_str(), r"cn=a\\");
    assert_eq!(key("cn=Joe,,ou=Sales,"), key("cn=joe,ou=sales"));
    assert_eq!(
        Dn::parse("CN=A, OU=B").unwrap(),
        Dn::parse("cn=a,ou=b").unwrap()
    );
}

#[test]
fn lenient_reading() {
    assert_eq!(split_rdn(r#"CN="a,b",DC=y"#), (r#"CN="a,b""#, "DC=y"));
    assert_eq!(parent("CN=a, DC=b"), "DC=b");
    assert_eq!(parent("DC=b"), "");
    let rdn = rdns("justtext").next().unwrap();
    assert_eq!(rdn.split_type(), ("", "justtext"));
    assert_eq!(rdn.value(), None);
}

/// A value of letters (some with case), digits, spaces and the characters DNs escape.
fn value() -> impl Strategy<Value = String> {
    proptest::string::string_regex(r#"[a-zA-Z0-9 éÉßçÇ,+="\\<>;#\n\r/]{0,12}"#).unwrap()
}

fn attr_type() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["CN", "cn", "OU", "ou", "DC", "uid", "l"]).prop_map(str::to_owned)
}

fn rdn_list() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((attr_type(), value()), 1..5)
}

fn write(rdns: &[(String, String)], sep: &str, eq: &str) -> String {
    rdns.iter()
        .map(|(t, v)| format!("{t}{eq}{}", escape_rdn_value(v)))
        .collect::<Vec<_>>()
        .join(sep)
}

proptest! {
    #[test]
    fn escaped_values_parse_back(rdns in rdn_list()) {
        let dn = Dn::parse(&write(&rdns, ",", "=")).unwrap();
        prop_assert_eq!(dn.rdns().len(), rdns.len());
        for (rdn, (ty, value)) in dn.rdns().zip(&rdns) {
            prop_assert_eq!(rdn.attribute_type(), Some(ty.as_str()));
            prop_assert_eq!(rdn.value(), Some(value.clone()));
        }
    }

    #[test]
    fn keys_ignore_case_and_separator_spaces(rdns in rdn_list(), spaces in 0..3usize) {
        let pad = " ".repeat(spaces);
        let plain = write(&rdns, ",", "=");
        let spaced = write(&rdns, &format!("{pad},{pad}"), &format!("{pad}={pad}"));
        let spaced = format!("{pad}{spaced}{pad}");
        prop_assert_eq!(DnKey::new(&plain), DnKey::new(&spaced));
        // Changing the case of the escaped text changes no value but ß (whose uppercase
        // is two letters).
        if !plain.contains('ß') {
            prop_assert_eq!(DnKey::new(&plain), DnKey::new(&plain.to_uppercase()));
            prop_assert_eq!(DnKey::new(&plain), DnKey::new(&plain.to_lowercase()));
        }
        prop_assert_eq!(Dn::parse(&plain).unwrap().key(), DnKey::new(&plain));
    }

    #[test]
    fn keys_are_equal_iff_each_rdn_matches(a in rdn_list(), b in rdn_list()) {
        let same = a.len() == b.len()
            && a.iter().zip(&b).all(|((ta, va), (tb, vb))| {
                ta.eq_ignore_ascii_case(tb) && va.to_lowercase() == vb.to_lowercase()
            });
        let (a, b) = (write(&a, ",", "="), write(&b, ",", "="));
        prop_assert_eq!(DnKey::new(&a) == DnKey::new(&b), same);
        prop_assert_eq!(super::same(&a, &b), same);
    }

    #[test]
    fn keys_are_total(text in ".{0,20}") {
        let key = DnKey::new(&text);
        if let Ok(dn) = Dn::parse(&text) {
            prop_assert_eq!(dn.key(), key);
        }
    }
}

proptest! {
    /// `same` (which skips building keys for plain texts) agrees with comparing keys.
    #[test]
    fn same_agrees_with_the_keys(
        a in "[abAB =,\\\\\"+#;0-9]{0,10}",
        b in "[abAB =,\\\\\"+#;0-9]{0,10}",
        flips in proptest::collection::vec(any::<bool>(), 10),
    ) {
        prop_assert_eq!(same(&a, &b), DnKey::new(&a) == DnKey::new(&b));
        // A variant of `a` (case flipped, a space after each comma) too, which is often
        // the same DN.
        let variant: String = a
            .chars()
            .zip(flips.iter().cycle())
            .flat_map(|(c, f)| {
                let c = if *f { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() };
                if c == ',' { vec![c, ' '] } else { vec![c] }
            })
            .collect();
        prop_assert_eq!(same(&a, &variant), DnKey::new(&a) == DnKey::new(&variant));
    }
}

proptest! {
    /// The same over well-formed DNs, where texts are mostly plain.
    #[test]
    fn same_agrees_with_the_keys_on_plain_dns(
        a in "(cn|CN|ou)=[aA0 ]{1,3}(, ?(ou|OU|dc)=[aAb ]{1,3}){0,2}",
        b in "(cn|CN|ou)=[aA0 ]{1,3}(, ?(ou|OU|dc)=[aAb ]{1,3}){0,2}",
    ) {
        prop_assert_eq!(same(&a, &b), DnKey::new(&a) == DnKey::new(&b));
    }
}

proptest! {
    /// The one-pass key of plain DNs is the key every DN gets: on texts of the characters
    /// that matter (separators, spaces, escapes, quotes, a tab, a non-ASCII letter) and on
    /// well-formed DNs, which are mostly plain.
    #[test]
    fn plain_keys_are_the_general_keys(
        any_text in "[abAB =,\\\\\"+#;<>\t0-9éÃßΣİK\u{a0}\u{85}\u{3000}.-]{0,16}",
        dn in " ?(cn|CN|ou|l) ?= ?[aAz0 ._ãÃΣ-]{1,4}( ?, ?(ou|OU|dc) ?= ?[aAbé (),']{1,4}){0,3} ?",
    ) {
        for text in [&any_text, &dn] {
            if let Some(fast) = key::plain_key(text) {
                prop_assert_eq!(fast, key::general_key(text));
            }
        }
    }
}

#[test]
fn plain_keys_cover_directory_dns_and_leave_the_rest() {
    let dn = "CN=John Doe ,OU=Users, DC=contoso,DC=com";
    assert_eq!(
        key::plain_key(dn).as_deref(),
        Some("cn=john doe,ou=users,dc=contoso,dc=com")
    );
    assert_eq!(key::plain_key(dn), Some(key::general_key(dn)));
    let dn = "CN=João ,OU=São Paulo,DC=x";
    assert_eq!(
        key::plain_key(dn).as_deref(),
        Some("cn=joão,ou=são paulo,dc=x")
    );
    for other in [
        r"CN=Doe\, John,DC=x",
        "CN=a+UID=b,DC=x",
        "CN=a,,DC=x",
        "CN=é\u{a0},DC=x",
        "CN=\u{85}a,DC=x",
        "",
        "CN=a=b",
    ] {
        assert_eq!(key::plain_key(other), None, "{other}");
    }
}
