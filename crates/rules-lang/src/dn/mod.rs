//! Distinguished names (RFC 4514) and the one way they are compared.
//!
//! A DN is a list of RDNs separated by `,`, the object's own first, its parent's next; an
//! RDN is one or more `type=value` pairs joined by `+` (`CN=a+UID=b`). A value escapes a
//! special character with a backslash (`\,` `\+` `\"` `\\` `\=` ...) or writes any byte as
//! two hex digits (`\2C`, `\0A`); a `"quoted"` value (RFC 2253) may hold separators as they
//! are. Spaces around the separators mean nothing.
//!
//! - [`Dn`] is a parsed DN: the text as given, and where its RDNs are. Parsing rejects
//!   malformed text ([`DnError`]).
//! - [`DnKey`] is the normalised form DNs are compared and indexed by, as Active Directory
//!   compares them. Every crate compares DNs through it.
//! - [`rdns`], [`split_rdn`] and [`parent`] read DN text leniently (they never fail), for
//!   text that comes from a directory or an expression as it is.
//!
//! ```
//! use syncrules_lang::dn::{Dn, DnKey};
//!
//! let dn = Dn::parse(r"CN=Doe\, John,OU=Users,DC=contoso,DC=com")?;
//! let rdn = dn.rdn().ok_or("root")?;
//! assert_eq!(rdn.as_str(), r"CN=Doe\, John");
//! assert_eq!(rdn.value().as_deref(), Some("Doe, John"));
//! assert_eq!(dn.parent().ok_or("root")?.as_str(), "OU=Users,DC=contoso,DC=com");
//! assert_eq!(dn.rdns().count(), 4);
//! assert_eq!(dn.key(), DnKey::new(r"cn=doe\2C john, ou=users, dc=contoso, dc=com"));
//! assert!(Dn::parse(r"CN=a\").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod escape;
mod key;
mod scan;
#[cfg(test)]
mod tests;

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Range;

pub use escape::escape_rdn_value;
pub(crate) use escape::push_escaped_rdn_value;
pub use key::DnKey;

/// Why text is not a DN. `at` is a byte offset into the text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DnError {
    /// A backslash ends the text.
    #[error("the backslash at byte {at} escapes nothing")]
    DanglingEscape {
        /// Where the backslash is.
        at: usize,
    },
    /// A backslash is followed by one hex digit and then not by another.
    #[error("the escape at byte {at} is neither a special character nor two hex digits")]
    BadHex {
        /// Where the backslash is.
        at: usize,
    },
    /// A quote is opened and never closed.
    #[error("the quote at byte {at} is not closed")]
    UnterminatedQuote {
        /// Where the quote opens.
        at: usize,
    },
    /// The bytes a value's hex escapes stand for are not UTF-8.
    #[error("the value at byte {at} escapes bytes that are not UTF-8")]
    BadUtf8 {
        /// Where the value starts.
        at: usize,
    },
    /// An RDN or a pair of a multi-valued RDN is empty (`CN=a,,DC=b`, `CN=a+`).
    #[error("the RDN at byte {at} is empty")]
    EmptyRdn {
        /// Where the RDN would start.
        at: usize,
    },
    /// An RDN has no `=`, or nothing before it.
    #[error("the RDN at byte {at} is not `type=value`")]
    MissingType {
        /// Where the RDN starts.
        at: usize,
    },
}

/// A parsed distinguished name: the text as given and where its RDNs are.
///
/// Two `Dn`s are equal when their [keys](Dn::key) are: `CN=A, OU=B` equals `cn=a,ou=b`.
#[derive(Clone, Debug, Default)]
pub struct Dn {
    text: String,
    /// The RDNs' byte ranges in `text`, trimmed, the object's own first.
    rdns: Vec<Range<usize>>,
}

impl Dn {
    /// Parses a DN. Empty (or blank) text is the root DN, of no RDNs.
    ///
    /// ```
    /// use syncrules_lang::dn::{Dn, DnError};
    ///
    /// assert_eq!(Dn::parse(r#"CN="Doe, John"+UID=7,DC=x"#)?.rdns().count(), 2);
    /// assert_eq!(Dn::parse(r"CN=a\4").unwrap_err(), DnError::BadHex { at: 4 });
    /// assert_eq!(Dn::parse(r#"CN="a,DC=x"#).unwrap_err(), DnError::UnterminatedQuote { at: 3 });
    /// assert_eq!(Dn::parse("CN=a,,DC=x").unwrap_err(), DnError::EmptyRdn { at: 5 });
    /// # Ok::<(), DnError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Dn, DnError> {
        Dn::from_string(text.to_owned())
    }

    /// Parses a DN held as an owned string, without copying it.
    pub fn from_string(text: String) -> Result<Dn, DnError> {
        scan::check(&text)?;
        let mut rdns = Vec::new();
        if !text.trim().is_empty() {
            for range in scan::pieces(&text, b',') {
                let rdn = scan::slice(&text, range.clone());
                for ava in scan::pieces(rdn, b'+') {
                    let at = range.start + ava.start;
                    let ava = scan::slice(rdn, ava);
                    if ava.is_empty() {
                        return Err(DnError::EmptyRdn { at });
                    }
                    match scan::split_once(ava, b'=') {
                        Some((ty, value)) if !ty.is_empty() => {
                            let offset = at + (ava.len() - value.len());
                            scan::unescape(value, offset, true)?;
                        }
                        _ => return Err(DnError::MissingType { at }),
                    }
                }
                rdns.push(range);
            }
        }
        Ok(Dn { text, rdns })
    }

    /// The text as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The text as given, without copying it.
    pub fn into_string(self) -> String {
        self.text
    }

    /// The first RDN (the object's own name); `None` for the root DN.
    pub fn rdn(&self) -> Option<Rdn<'_>> {
        self.rdns().next()
    }

    /// The RDNs, the object's own first.
    pub fn rdns(&self) -> impl DoubleEndedIterator<Item = Rdn<'_>> + ExactSizeIterator {
        self.rdns.iter().map(|r| Rdn {
            text: scan::slice(&self.text, r.clone()),
        })
    }

    /// The parent DN (the root DN for a DN of one RDN); `None` for the root DN.
    pub fn parent(&self) -> Option<Dn> {
        let (_, rest) = self.rdns.split_first()?;
        let start = rest.first().map_or(self.text.len(), |r| r.start);
        Some(Dn {
            text: scan::slice(&self.text, start..self.text.len()).to_owned(),
            rdns: rest
                .iter()
                .map(|r| r.start - start..r.end - start)
                .collect(),
        })
    }

    /// True for the root DN, of no RDNs.
    pub fn is_root(&self) -> bool {
        self.rdns.is_empty()
    }

    /// The key DNs are compared by.
    pub fn key(&self) -> DnKey {
        DnKey::new(&self.text)
    }
}

impl PartialEq for Dn {
    fn eq(&self, other: &Dn) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Dn {}

/// Ordered by [key](Dn::key), as equality is: a map of DNs keeps `CN=a` and `cn=A` as one.
impl Ord for Dn {
    fn cmp(&self, other: &Dn) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for Dn {
    fn partial_cmp(&self, other: &Dn) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for Dn {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl fmt::Display for Dn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Dn {
    type Err = DnError;

    fn from_str(s: &str) -> Result<Dn, DnError> {
        Dn::parse(s)
    }
}

impl TryFrom<String> for Dn {
    type Error = DnError;

    fn try_from(s: String) -> Result<Dn, DnError> {
        Dn::from_string(s)
    }
}

/// One RDN as written: `CN=Doe\, John`, or `CN=a+UID=b` for a multi-valued one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rdn<'a> {
    text: &'a str,
}

impl<'a> Rdn<'a> {
    /// The RDN as written, trimmed.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// Its `type=value` pairs (one unless multi-valued).
    pub fn avas(&self) -> impl Iterator<Item = Ava<'a>> + 'a {
        let text = self.text;
        scan::pieces(text, b'+').map(move |r| Ava {
            text: scan::slice(text, r),
        })
    }

    /// The text before its first unescaped `=` and the text after it, trimmed and as
    /// written (`CN=a+UID=b` gives `CN` and `a+UID=b`); without `=`, an empty type and the
    /// whole RDN. This is how `DNComponent` reads an RDN.
    pub fn split_type(&self) -> (&'a str, &'a str) {
        scan::split_once(self.text, b'=').unwrap_or(("", self.text))
    }

    /// The attribute type of a single-valued RDN (`CN`); `None` for a multi-valued one or
    /// one without `=`.
    pub fn attribute_type(&self) -> Option<&'a str> {
        self.single().map(|a| a.attribute_type())
    }

    /// The unescaped value of a single-valued RDN: `CN=John\0ACNF:1` gives `John` LF
    /// `CNF:1`; `None` for a multi-valued RDN or one without `=`.
    pub fn value(&self) -> Option<String> {
        self.single().map(|a| a.value())
    }

    /// The one pair of a single-valued RDN that has a `=`.
    fn single(&self) -> Option<Ava<'a>> {
        let mut avas = self.avas();
        match (avas.next(), avas.next()) {
            (Some(a), None) if scan::separators(a.text, b'=').next().is_some() => Some(a),
            _ => None,
        }
    }
}

/// One `type=value` pair of an RDN, as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ava<'a> {
    text: &'a str,
}

impl<'a> Ava<'a> {
    /// The attribute type as written, trimmed (empty when there is no `=`).
    pub fn attribute_type(&self) -> &'a str {
        scan::split_once(self.text, b'=').map_or("", |(ty, _)| ty)
    }

    /// The value as written, trimmed, escapes and quotes kept.
    pub fn raw_value(&self) -> &'a str {
        scan::split_once(self.text, b'=').map_or(self.text, |(_, value)| value)
    }

    /// The value itself: escapes resolved, quotes removed (read leniently, so the value of
    /// an RDN of a parsed [`Dn`] is exact).
    pub fn value(&self) -> String {
        scan::unescape(self.raw_value(), 0, false).unwrap_or_default()
    }
}

/// The non-empty RDNs of DN text, the object's own first, read leniently: separators are
/// found as [`Dn::parse`] finds them, but nothing is rejected.
///
/// ```
/// let rdns: Vec<_> = syncrules_lang::dn::rdns("cn=Joe,ou=Sales,").map(|r| r.as_str()).collect();
/// assert_eq!(rdns, ["cn=Joe", "ou=Sales"]);
/// ```
pub fn rdns(dn: &str) -> impl Iterator<Item = Rdn<'_>> + '_ {
    scan::pieces(dn, b',')
        .map(|r| Rdn {
            text: scan::slice(dn, r),
        })
        .filter(|r| !r.text.is_empty())
}

/// DN text split into its first RDN and its parent, trimmed: `CN=Doe\, John, OU=x,DC=y`
/// gives `CN=Doe\, John` and `OU=x,DC=y`; a DN of one RDN has an empty parent.
///
/// ```
/// use syncrules_lang::dn::split_rdn;
///
/// assert_eq!(split_rdn(r"CN=Doe\, John, OU=x,DC=y"), (r"CN=Doe\, John", "OU=x,DC=y"));
/// assert_eq!(split_rdn("DC=com"), ("DC=com", ""));
/// ```
pub fn split_rdn(dn: &str) -> (&str, &str) {
    scan::split_once(dn, b',').unwrap_or((dn, ""))
}

/// Whether two DN texts name the same object: their [`DnKey`]s are equal.
///
/// ```
/// assert!(syncrules_lang::dn::same("CN=A, OU=B", r"cn=\41,ou=b"));
/// ```
pub fn same(a: &str, b: &str) -> bool {
    // Texts equal but for ASCII case have equal keys, and two plain texts that are not
    // have different ones: keys (allocated) are built only for the rest. Group membership
    // tests compare a DN with every member, so this is a hot path.
    a.eq_ignore_ascii_case(b) || !(plain(a) && plain(b)) && DnKey::new(a) == DnKey::new(b)
}

/// Whether DN text is already in the key's form but for ASCII case: RDNs of one
/// `type=value` each, the type letters, digits, `-` and `.`, the value ASCII with nothing
/// normalising changes (escapes, quotes, `+`, `=`, `#`, `;`, `<`, `>`, spaces at its ends).
fn plain(dn: &str) -> bool {
    let value_byte = |c: &u8| {
        c.is_ascii() && !matches!(c, b'\\' | b'"' | b'+' | b'=' | b';' | b'#' | b'<' | b'>')
    };
    dn.split(',').all(|rdn| {
        rdn.split_once('=').is_some_and(|(t, v)| {
            !t.is_empty()
                && t.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
                && !v.is_empty()
                && !v.starts_with(' ')
                && !v.ends_with(' ')
                && v.bytes().all(|c| value_byte(&c))
        })
    })
}

/// The parent of DN text (empty for a DN of one RDN).
pub fn parent(dn: &str) -> &str {
    split_rdn(dn).1
}
