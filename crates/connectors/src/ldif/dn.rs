//! Distinguished names (RFC 4514): splitting off the first RDN, escaping and unescaping
//! values, and the case-insensitive key objects are matched by.

/// Splits a DN into its first RDN and its parent: `CN=Doe\, John,OU=x,DC=y` gives
/// `CN=Doe\, John` and `OU=x,DC=y`; a DN of one RDN has an empty parent.
pub fn split_rdn(dn: &str) -> (&str, &str) {
    let mut escaped = false;
    let mut quoted = false;
    for (i, c) in dn.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                let rdn = dn.get(..i).unwrap_or(dn);
                let parent = dn.get(i + 1..).unwrap_or("");
                return (rdn.trim_end(), parent.trim_start());
            }
            _ => {}
        }
    }
    (dn, "")
}

/// The parent of a DN (empty for a DN of one RDN).
pub fn parent_dn(dn: &str) -> &str {
    split_rdn(dn).1
}

/// The attribute and unescaped value of a single-valued RDN: `CN=John\0ACNF:x` gives `CN`
/// and `John` LF `CNF:x`. `None` for a multi-valued RDN (`+`) or one without `=`.
pub(crate) fn rdn_parts(rdn: &str) -> Option<(&str, String)> {
    let (attr, value) = rdn.split_once('=')?;
    let mut bytes = Vec::with_capacity(value.len());
    // The length without trailing unescaped spaces.
    let mut significant = 0;
    let mut chars = value.trim_start().bytes();
    while let Some(b) = chars.next() {
        match b {
            b'\\' => {
                let next = chars.next()?;
                let hex = (next as char)
                    .to_digit(16)
                    .zip(chars.clone().next().and_then(|n| (n as char).to_digit(16)));
                match hex {
                    Some((hi, lo)) => {
                        chars.next();
                        bytes.push(u8::try_from(hi * 16 + lo).ok()?);
                    }
                    None => bytes.push(next),
                }
                significant = bytes.len();
            }
            b'+' => return None,
            other => {
                bytes.push(other);
                if other != b' ' {
                    significant = bytes.len();
                }
            }
        }
    }
    bytes.truncate(significant);
    Some((attr.trim(), String::from_utf8_lossy(&bytes).into_owned()))
}

// Escaping a value for an RDN is the language's `EscapeDNComponent`, so the DNs the
// connectors generate and the ones rules build agree.
pub use syncrules_lang::functions::escape_rdn_value;

/// The key two DNs are compared by: lowercase, no spaces around the RDN separators.
pub(crate) fn dn_key(dn: &str) -> String {
    let mut key = String::with_capacity(dn.len());
    let mut rest = dn.trim();
    loop {
        let (rdn, parent) = split_rdn(rest);
        key.push_str(&rdn.to_lowercase());
        if parent.is_empty() {
            return key;
        }
        key.push(',');
        rest = parent;
    }
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
        assert_ne!(dn_key("CN=A,DC=c"), dn_key("CN=B,DC=c"));
    }
}
