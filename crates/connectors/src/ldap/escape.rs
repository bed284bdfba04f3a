//! Escaping values placed in search filters (RFC 4515) and in DNs (RFC 4514).

/// A value escaped for an LDAP search filter (RFC 4515 section 3): `*`, `(`, `)`, `\` and
/// NUL become `\2a`, `\28`, `\29`, `\5c` and `\00`, so a value can only ever match itself.
pub fn filter_value(value: &str) -> String {
    filter_bytes(value.as_bytes())
}

/// Bytes escaped for a search filter: the special characters as [`filter_value`], and every
/// byte outside printable ASCII as `\XX` (binary values such as an objectGUID).
pub fn filter_bytes(value: &[u8]) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value {
        match b {
            b'*' | b'(' | b')' | b'\\' | 0 => out.push_str(&format!("\\{b:02x}")),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:02x}")),
        }
    }
    out
}

/// An attribute-value assertion `(attr=value)` with the value escaped.
pub fn equality(attribute: &str, value: &str) -> String {
    format!("({attribute}={})", filter_value(value))
}

/// A value escaped for one RDN of a DN (RFC 4514): the language's `EscapeDNComponent`, so
/// DNs the connector builds and those rules build agree.
pub fn rdn_value(value: &str) -> String {
    crate::ldif::escape_rdn_value(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injection_attempts_match_only_themselves() {
        assert_eq!(
            equality("cn", "*)(objectClass=*"),
            r"(cn=\2a\29\28objectClass=\2a)"
        );
        assert_eq!(filter_value(r"a\b"), r"a\5cb");
        assert_eq!(filter_value("nul\0"), r"nul\00");
        assert_eq!(filter_bytes(&[0x01, 0xff, b'a']), r"\01\ffa");
        // The escaped filter parses as one equality assertion.
        assert!(ldap3::parse_filter(equality("cn", "*)(|(cn=*").as_str()).is_ok());
    }

    #[test]
    fn dn_values_are_escaped() {
        assert_eq!(rdn_value("Doe, John"), r"Doe\, John");
        assert_eq!(rdn_value("a+b=c"), r"a\+b\=c");
        assert_eq!(rdn_value("x,DC=evil"), r"x\,DC\=evil");
        assert_eq!(rdn_value(" #lead"), r"\ #lead");
    }
}
