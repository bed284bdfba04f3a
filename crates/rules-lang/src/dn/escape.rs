//! Writing a value into an RDN: the inverse of reading one.

/// Escapes an attribute value for use in an RDN as AD requires (a superset of RFC 4514):
/// `, + " \ < > ; =` with a backslash, a leading `#` or space and a trailing space too,
/// control characters as `\XX` hex pairs of their UTF-8 bytes, uppercase (Active Directory
/// writes a conflict's line feed as `\0A`). This is the language's `EscapeDNComponent`, so
/// the DNs connectors generate and the ones rules build agree.
///
/// ```
/// use syncrules_lang::dn::{Dn, escape_rdn_value};
///
/// assert_eq!(escape_rdn_value("Doe, John"), r"Doe\, John");
/// assert_eq!(escape_rdn_value("John\nCNF:1"), r"John\0ACNF:1");
/// let dn = Dn::parse(&format!("CN={},DC=x", escape_rdn_value(" #a+b ")))?;
/// assert_eq!(dn.rdn().and_then(|r| r.value()).as_deref(), Some(" #a+b "));
/// # Ok::<(), syncrules_lang::dn::DnError>(())
/// ```
pub fn escape_rdn_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    push_escaped_rdn_value(&mut out, value);
    out
}

/// Appends `value` to `out`, escaped as [`escape_rdn_value`] does.
pub(crate) fn push_escaped_rdn_value(out: &mut String, value: &str) {
    let count = value.chars().count();
    for (i, c) in value.chars().enumerate() {
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i + 1 == count => out.push_str("\\ "),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push('\\');
                    out.push_str(&format!("{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
}
