//! The comparison key: two DNs name the same object exactly when their keys are equal.

use std::fmt;

use super::escape::push_escaped_rdn_value;
use super::{Rdn, scan};

/// A DN normalised as Active Directory compares DNs: attribute types and values without
/// regard to case, spaces around `,` `=` `+` and unescaped leading and trailing spaces of a
/// value ignored, every escape form of a character equal to the character (`\2C` is `\,`,
/// `\41` is `A`), the values of a multi-valued RDN in any order.
///
/// The key is itself a DN in a canonical form (types lowercase, values lowercase and
/// escaped by [`escape_rdn_value`](super::escape_rdn_value), no spaces around separators),
/// so it can be stored and compared as text ([`DnKey::as_str`]).
///
/// ```
/// use syncrules_lang::dn::DnKey;
///
/// let a = DnKey::new(r"CN=Doe\, John , OU=Users,DC=contoso");
/// let b = DnKey::new(r"cn=doe\2c john,ou = users,dc=CONTOSO");
/// assert_eq!(a, b);
/// assert_eq!(a.as_str(), r"cn=doe\, john,ou=users,dc=contoso");
/// assert_ne!(DnKey::new("CN=a,DC=x"), DnKey::new(r"CN=a\ ,DC=x"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct DnKey(String);

impl DnKey {
    /// The key of a DN given as text. Total: text that does not parse as a DN is read
    /// leniently (a dangling `\` or lone hex digit kept as written, an unclosed quote running
    /// to the end, empty RDNs skipped, an RDN without `=` read as a value of no type), so
    /// every string has a key, and a DN that parses has the same key as [`Dn::key`](super::Dn::key).
    pub fn new(dn: &str) -> DnKey {
        if let Some(key) = plain_key(dn) {
            return DnKey(key);
        }
        DnKey(general_key(dn))
    }

    /// The key as text: a DN in canonical form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as owned text.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// The key of any DN text: each RDN read, unescaped, lowercased and written canonically.
pub(super) fn general_key(dn: &str) -> String {
    let mut key = String::with_capacity(dn.len());
    for rdn in super::rdns(dn) {
        if !key.is_empty() {
            key.push(',');
        }
        push_rdn(&mut key, rdn);
    }
    key
}

/// The key of a DN that needs no unescaping, reordering or escaping, which is most DNs a
/// directory holds (`CN=João Silva,OU=São Paulo,DC=contoso,DC=com`), in one pass and one
/// allocation: no character an escape, a quote, a multi-valued RDN or a control character
/// would need (`\ " + # ; < >`, controls), no white space but the ASCII space, and every
/// RDN one `type=value` with neither side blank. Then the key is each RDN's type
/// (ASCII-lowercased) and value (lowercased), trimmed of spaces. `None` for any other
/// text, which [`general_key`] reads.
pub(super) fn plain_key(dn: &str) -> Option<String> {
    let plain = dn.chars().all(|c| {
        if c.is_ascii() {
            (' '..='~').contains(&c) && !matches!(c, '\\' | '"' | '+' | '#' | ';' | '<' | '>')
        } else {
            !c.is_whitespace() && !c.is_control()
        }
    });
    if !plain {
        return None;
    }
    let mut key = String::with_capacity(dn.len());
    for rdn in dn.split(',') {
        let (ty, value) = rdn.split_once('=')?;
        let (ty, value) = (ty.trim_matches(' '), value.trim_matches(' '));
        if ty.is_empty() || value.is_empty() || value.contains('=') {
            return None;
        }
        if !key.is_empty() {
            key.push(',');
        }
        key.extend(ty.chars().map(|c| c.to_ascii_lowercase()));
        key.push('=');
        if value.is_ascii() {
            key.extend(value.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            key.push_str(&value.to_lowercase());
        }
    }
    Some(key)
}

/// Appends one RDN's canonical form: its attribute-value pairs, sorted, joined by `+`.
pub(super) fn push_rdn(key: &mut String, rdn: Rdn<'_>) {
    let mut avas: Vec<(String, String)> = rdn
        .avas()
        .map(|ava| {
            let value = scan::unescape(ava.raw_value(), 0, false).unwrap_or_default();
            (
                ava.attribute_type().to_ascii_lowercase(),
                value.to_lowercase(),
            )
        })
        .collect();
    avas.sort();
    for (i, (ty, value)) in avas.iter().enumerate() {
        if i > 0 {
            key.push('+');
        }
        key.push_str(ty);
        key.push('=');
        push_escaped_rdn_value(key, value);
    }
}

impl fmt::Display for DnKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for DnKey {
    fn from(dn: &str) -> DnKey {
        DnKey::new(dn)
    }
}

impl From<String> for DnKey {
    fn from(dn: String) -> DnKey {
        DnKey::new(&dn)
    }
}
