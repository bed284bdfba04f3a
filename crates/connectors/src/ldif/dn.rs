//! Distinguished names, as [`syncrules_lang::dn`] reads and compares them: this module only
//! names the uses the connectors make of it.

use syncrules_lang::dn::{self, DnKey};

// Escaping a value for an RDN is the language's `EscapeDNComponent`, so the DNs the
// connectors generate and the ones rules build agree.
pub use syncrules_lang::dn::{escape_rdn_value, parent as parent_dn, split_rdn};

/// The attribute and unescaped value of a single-valued RDN: `CN=John\0ACNF:x` gives `CN`
/// and `John` LF `CNF:x`. `None` for a multi-valued RDN (`+`) or one without `=`.
pub(crate) fn rdn_parts(rdn: &str) -> Option<(&str, String)> {
    let rdn = dn::rdns(rdn).next()?;
    Some((rdn.attribute_type()?, rdn.value()?))
}

/// The key two DNs are compared by ([`DnKey`]), as text.
pub(crate) fn dn_key(dn: &str) -> String {
    DnKey::new(dn).into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_first_unescaped_comma() {
        assert_eq!(
            split_rdn(r"CN=Doe\, John,OU=x,DC=y"),
            (r"CN=Doe\, John", "OU=x,DC=y")
        );
        assert_eq!(split_rdn(r#"CN="a,b",DC=y"#), (r#"CN="a,b""#, "DC=y"));
        assert_eq!(split_rdn("DC=com"), ("DC=com", ""));
        assert_eq!(parent_dn("CN=a, DC=b"), "DC=b");
    }

    #[test]
    fn rdn_values_are_unescaped() {
        assert_eq!(
            rdn_parts(r"CN=John Smith\0ACNF:1234"),
            Some(("CN", "John Smith\nCNF:1234".to_owned()))
        );
        assert_eq!(
            rdn_parts(r"CN=Doe\, John"),
            Some(("CN", "Doe, John".to_owned()))
        );
        assert_eq!(rdn_parts(r"CN=S\C3\A3o"), Some(("CN", "São".to_owned())));
        assert_eq!(rdn_parts("CN=a+UID=b"), None);
        assert_eq!(rdn_parts("nothing"), None);
    }

    #[test]
    fn escaping_round_trips() {
        for value in [
            "Doe, John",
            " lead",
            "trail ",
            "#x",
            "a+b=c",
            "John\nCNF:1",
            "São",
        ] {
            let rdn = format!("CN={}", escape_rdn_value(value));
            assert_eq!(rdn_parts(&rdn), Some(("CN", value.to_owned())), "{rdn}");
        }
        assert_eq!(escape_rdn_value("John\nCNF:1"), r"John\0ACNF:1");
    }

    #[test]
    fn keys_ignore_case_and_separator_spaces() {
        assert_eq!(dn_key("CN=A, OU=B,DC=c"), dn_key("cn=a,ou=b, dc=C"));
        assert_eq!(dn_key(r"CN=a\2Cb,DC=c"), dn_key(r"cn=A\,B, dc=C"));
        assert_ne!(dn_key("CN=A,DC=c"), dn_key("CN=B,DC=c"));
    }
}
