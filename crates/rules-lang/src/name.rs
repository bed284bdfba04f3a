//! Interned names: attribute names (and rule names), held once per process and shared by
//! every object that has the attribute.
//!
//! An object of thirty attributes used to carry thirty `String` keys, allocated again for
//! every object read from a store or an import. A [`Name`] is one pointer to text interned
//! the first time it is seen, so objects share it, copying it costs nothing and comparing
//! two names is usually one pointer comparison. Attribute maps ([`AttrMap`]) are keyed by
//! names and hashed with a fast, non-cryptographic hasher ([`FastHash`]): their keys come
//! from schemas and rules, and a map is never kept across runs in hash order (an
//! [`IndexMap`] iterates in insertion order whatever the hasher).
//!
//! A [`Name`] hashes and compares as its text, so a map keyed by names is looked up with a
//! `&str` as well (`map.get("mail")`), without interning the query.
//!
//! Interned text is never freed: the set of names a process sees is the set of attribute
//! and rule names of its schemas, rule sets and directories, a few thousand at most. An
//! input naming millions of distinct attributes would keep them for the life of the
//! process.
//!
//! ```
//! use syncrules_lang::name::{AttrMap, Name};
//! use syncrules_lang::Value;
//!
//! let a = Name::new("displayName");
//! let b = Name::from(String::from("displayName"));
//! assert_eq!(a, b);
//! assert!(std::ptr::eq(a.as_str(), b.as_str()));
//!
//! let mut attrs = AttrMap::default();
//! attrs.insert(a, Value::from("Ada"));
//! assert_eq!(attrs.get("displayName"), Some(&Value::from("Ada")));
//! ```

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::{OnceLock, PoisonError, RwLock};

use indexmap::IndexMap;

/// The hasher of name-keyed maps: FxHash (`rustc-hash`), fast on the short keys of
/// attribute names. Not resistant to keys chosen to collide; names come from schemas, rule
/// sets and directories, not from anyone who could choose them to slow a map down.
pub type FastHash = rustc_hash::FxBuildHasher;

/// A map keyed by names, in insertion order.
pub type NameMap<V> = IndexMap<Name, V, FastHash>;

/// An object's attributes: values by attribute name, in insertion order.
pub type AttrMap = NameMap<crate::Value>;

/// An interned name: text shared by every holder, copied as a pointer.
#[derive(Clone, Copy)]
pub struct Name(&'static str);

/// Every name interned so far.
fn interned() -> &'static RwLock<HashSet<&'static str, FastHash>> {
    static NAMES: OnceLock<RwLock<HashSet<&'static str, FastHash>>> = OnceLock::new();
    NAMES.get_or_init(|| RwLock::new(HashSet::default()))
}

impl Name {
    /// The name of this text, interned the first time it is seen.
    pub fn new(text: &str) -> Name {
        let names = interned();
        if let Some(&known) = names
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(text)
        {
            return Name(known);
        }
        let mut names = names.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(&known) = names.get(text) {
            return Name(known);
        }
        let text: &'static str = Box::leak(Box::from(text));
        names.insert(text);
        Name(text)
    }

    /// The name's text.
    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.0
    }
}

impl Hash for Name {
    /// As the text hashes, so that a `&str` finds a name in a map.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        // Interned: the same text is the same pointer.
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Name {}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    /// As the texts compare.
    fn cmp(&self, other: &Name) -> Ordering {
        self.0.cmp(other.0)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.0 == other.as_str()
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == other.0
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == other.0
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::new(text)
    }
}

impl From<&String> for Name {
    fn from(text: &String) -> Name {
        Name::new(text)
    }
}

impl From<String> for Name {
    fn from(text: String) -> Name {
        Name::new(&text)
    }
}

impl From<&Name> for Name {
    fn from(name: &Name) -> Name {
        *name
    }
}

impl From<Name> for String {
    fn from(name: Name) -> String {
        name.0.to_owned()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

/// The name `attrs` holds `name` under, comparing names as directories do (ASCII case
/// ignored), the name spelt exactly first; `None` when it holds no such attribute.
pub fn held_name(attrs: &AttrMap, name: &str) -> Option<Name> {
    match attrs.get_key_value(name) {
        Some((held, _)) => Some(*held),
        None => attrs.keys().find(|k| k.eq_ignore_ascii_case(name)).copied(),
    }
}

/// Attributes from `(name, value)` pairs, in order (a later pair of the same name replaces
/// the value, keeping the first one's place).
pub fn attrs<N: Into<Name>>(pairs: impl IntoIterator<Item = (N, crate::Value)>) -> AttrMap {
    pairs.into_iter().map(|(n, v)| (n.into(), v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_are_one_name_and_others_are_not() {
        let a = Name::new("employeeID");
        let b = Name::from(format!("employee{}", "ID"));
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        let c = Name::new("employeeid");
        assert_ne!(a, c, "names are compared as written, case and all");
        assert_eq!(a.cmp(&c), "employeeID".cmp("employeeid"));
    }

    #[test]
    fn a_map_keyed_by_names_is_read_with_text() {
        let mut m = AttrMap::default();
        m.insert(Name::new("mail"), crate::Value::from("a@contoso.com"));
        m.insert(Name::new("cn"), crate::Value::from("a"));
        assert_eq!(m.get("mail"), Some(&crate::Value::from("a@contoso.com")));
        assert_eq!(m.get("Mail"), None);
        assert_eq!(
            m.keys().map(Name::as_str).collect::<Vec<_>>(),
            ["mail", "cn"],
            "insertion order"
        );
    }

    #[test]
    fn the_held_name_is_the_exact_one_first_then_one_of_another_case() {
        let m = attrs([("Mail", crate::Value::Null), ("mail", crate::Value::Null)]);
        assert_eq!(held_name(&m, "mail"), Some(Name::new("mail")));
        assert_eq!(held_name(&m, "MAIL"), Some(Name::new("Mail")));
        assert_eq!(held_name(&m, "cn"), None);
    }

    #[test]
    fn names_interned_on_several_threads_agree() {
        let names: Vec<Vec<Name>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| (0..200).map(|i| Name::from(format!("t{i}"))).collect()))
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        assert_eq!(names.len(), 4);
        for other in &names[1..] {
            for (a, b) in names[0].iter().zip(other) {
                assert!(std::ptr::eq(a.as_str(), b.as_str()));
            }
        }
    }
}
