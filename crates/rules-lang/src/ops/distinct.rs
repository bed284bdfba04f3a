//! Telling values apart in time linear in their number: `RemoveDuplicates`, the engine's
//! `merge` and `merge-case-insensitive`, and comparing an attribute's values as a set.
//!
//! Values are hashed in a way consistent with the chosen [`Sameness`], so each value is
//! compared only with the values whose hash it shares: about one comparison per repeated
//! value, instead of one per pair of values. [`Distinct::comparisons`] counts them, so
//! tests can show the cost is linear without timing anything.

use std::cell::Cell;
use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

use crate::value::Value;

/// Which values count as the same one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sameness {
    /// Equal values (`==`): strings and references compare case-sensitively
    /// (`RemoveDuplicates`).
    Exact,
    /// References without regard to ASCII case, everything else exactly (`merge`).
    FoldReferences,
    /// Strings and references without regard to ASCII case (each only with its own kind),
    /// everything else exactly (`merge-case-insensitive`). Only ASCII letters are folded:
    /// `É` and `é` stay different.
    FoldText,
}

impl Sameness {
    /// Whether `a` and `b` count as the same value. Values inside a multi-valued value
    /// always compare exactly.
    pub fn same(self, a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Str(x), Value::Str(y)) if self == Sameness::FoldText => {
                x.eq_ignore_ascii_case(y)
            }
            (Value::Ref(x), Value::Ref(y)) if self != Sameness::Exact => x.eq_ignore_ascii_case(y),
            _ => a == b,
        }
    }

    /// Feeds `v` to `h` so that values [`Sameness::same`] calls the same hash alike.
    fn hash(self, v: &Value, h: &mut impl Hasher) {
        let fold = match v {
            Value::Str(_) => self == Sameness::FoldText,
            Value::Ref(_) => self != Sameness::Exact,
            _ => false,
        };
        match v {
            Value::Null => h.write_u8(0),
            Value::Str(s) => {
                h.write_u8(1);
                hash_text(s, fold, h);
            }
            Value::Num(n) => {
                h.write_u8(2);
                h.write_i64(*n);
            }
            Value::Bool(b) => {
                h.write_u8(3);
                h.write_u8(u8::from(*b));
            }
            Value::Bin(b) => {
                h.write_u8(4);
                b.hash(h);
            }
            Value::Ref(s) => {
                h.write_u8(5);
                hash_text(s, fold, h);
            }
            Value::DateTime(d) => {
                h.write_u8(6);
                d.hash(h);
            }
            Value::Multi(items) => {
                h.write_u8(7);
                h.write_usize(items.len());
                for item in items.iter() {
                    Sameness::Exact.hash(item, h);
                }
            }
            Value::Ignore => h.write_u8(8),
            Value::AuthoritativeNull => h.write_u8(9),
        }
    }
}

/// Feeds text to `h`, its ASCII letters in lower case when `fold` is set.
pub(crate) fn hash_text(s: &str, fold: bool, h: &mut impl Hasher) {
    if fold {
        let mut buf = [0u8; 64];
        for chunk in s.as_bytes().chunks(buf.len()) {
            for (b, c) in buf.iter_mut().zip(chunk) {
                *b = c.to_ascii_lowercase();
            }
            h.write(buf.get(..chunk.len()).unwrap_or_default());
        }
    } else {
        h.write(s.as_bytes());
    }
    h.write_usize(s.len());
}

/// A hasher for keys that are already hashes.
#[derive(Default)]
pub(crate) struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The end of a chain of values sharing a hash.
const END: usize = usize::MAX;

/// A set of borrowed values, told apart by a [`Sameness`]; the values are kept in the
/// order they were first added.
pub struct Distinct<'a> {
    sameness: Sameness,
    hasher: RandomState,
    /// The latest value added of each hash (an index into `values`).
    heads: HashMap<u64, usize, BuildHasherDefault<Prehashed>>,
    /// The values added, first occurrences only.
    values: Vec<&'a Value>,
    /// For each value, the one added before it with the same hash, or [`END`].
    next: Vec<usize>,
    /// Pairs of values compared so far.
    comparisons: Cell<u64>,
}

impl std::fmt::Debug for Distinct<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Distinct")
            .field("sameness", &self.sameness)
            .field("values", &self.values)
            .finish_non_exhaustive()
    }
}

impl<'a> Distinct<'a> {
    /// An empty set with room for `capacity` values.
    pub fn with_capacity(sameness: Sameness, capacity: usize) -> Self {
        Distinct {
            sameness,
            hasher: RandomState::new(),
            heads: HashMap::with_capacity_and_hasher(capacity, BuildHasherDefault::default()),
            values: Vec::with_capacity(capacity),
            next: Vec::with_capacity(capacity),
            comparisons: Cell::new(0),
        }
    }

    fn hash_of(&self, v: &Value) -> u64 {
        let mut h = self.hasher.build_hasher();
        self.sameness.hash(v, &mut h);
        h.finish()
    }

    /// The index of the value added that is the same as `v`, among those of hash `hash`.
    fn find(&self, hash: u64, v: &Value) -> Option<usize> {
        let mut at = self.heads.get(&hash).copied().unwrap_or(END);
        while let Some(held) = self.values.get(at) {
            self.comparisons
                .set(self.comparisons.get().saturating_add(1));
            if self.sameness.same(held, v) {
                return Some(at);
            }
            at = self.next.get(at).copied().unwrap_or(END);
        }
        None
    }

    /// Adds `v` unless a value the same as it is already in; true when it was added.
    pub fn insert(&mut self, v: &'a Value) -> bool {
        let hash = self.hash_of(v);
        if self.find(hash, v).is_some() {
            return false;
        }
        let index = self.values.len();
        let previous = self.heads.insert(hash, index).unwrap_or(END);
        self.values.push(v);
        self.next.push(previous);
        true
    }

    /// Whether a value the same as `v` is in.
    pub fn contains(&self, v: &Value) -> bool {
        self.find(self.hash_of(v), v).is_some()
    }

    /// How many values are in.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no value is in.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values in, in the order they were first added.
    pub fn values(&self) -> &[&'a Value] {
        &self.values
    }

    /// How many pairs of values were compared so far: about one per value found already
    /// in, whatever the number of values (a value is compared only with the values whose
    /// 64-bit hash it shares).
    pub fn comparisons(&self) -> u64 {
        self.comparisons.get()
    }
}

/// The values of `values` without repeats, each first occurrence kept in place, and the
/// number of pairs of values compared.
pub fn first_occurrences(values: &[Value], sameness: Sameness) -> (Vec<Value>, u64) {
    let mut seen = Distinct::with_capacity(sameness, values.len());
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        if seen.insert(v) {
            out.push(v.clone());
        }
    }
    (out, seen.comparisons())
}

/// Whether `a` and `b` have as many values and every value of `a` is among those of `b`
/// (compared exactly), and the number of pairs of values compared. Repeats are not
/// counted: `[x, x, y]` and `[x, y, y]` hold the same values.
pub fn same_values(a: &[Value], b: &[Value]) -> (bool, u64) {
    if a.len() != b.len() {
        return (false, 0);
    }
    let mut set = Distinct::with_capacity(Sameness::Exact, b.len());
    for v in b {
        set.insert(v);
    }
    let all = a.iter().all(|v| set.contains(v));
    (all, set.comparisons())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(n: usize, f: impl Fn(usize) -> String) -> Vec<Value> {
        (0..n).map(|i| Value::from(f(i))).collect()
    }

    #[test]
    fn sameness() {
        let (a, b) = (Value::from("SMTP:A@x"), Value::from("smtp:a@X"));
        assert!(!Sameness::Exact.same(&a, &b));
        assert!(!Sameness::FoldReferences.same(&a, &b));
        assert!(Sameness::FoldText.same(&a, &b));
        let (r, q) = (Value::reference("CN=A"), Value::reference("cn=a"));
        assert!(!Sameness::Exact.same(&r, &q));
        assert!(Sameness::FoldReferences.same(&r, &q));
        assert!(Sameness::FoldText.same(&r, &q));
        // A string is never the same as a reference; only ASCII letters fold.
        assert!(!Sameness::FoldText.same(&Value::from("cn=a"), &q));
        assert!(!Sameness::FoldText.same(&Value::from("É"), &Value::from("é")));
        assert!(Sameness::FoldText.same(&Value::from("Éa"), &Value::from("ÉA")));
    }

    #[test]
    fn first_occurrences_keep_order() {
        let v: Vec<Value> = ["b", "a", "b", "B", "a", "c"].map(Value::from).into();
        let (out, _) = first_occurrences(&v, Sameness::Exact);
        assert_eq!(out, ["b", "a", "B", "c"].map(Value::from));
        let (out, _) = first_occurrences(&v, Sameness::FoldText);
        assert_eq!(out, ["b", "a", "c"].map(Value::from));
        // Kinds stay apart; nested lists compare exactly.
        let mixed = vec![
            Value::Num(1),
            Value::from("1"),
            Value::Bool(true),
            Value::from("True"),
            Value::bin([1u8]),
            Value::Num(1),
            Value::multi(vec!["a".into(), "b".into()]),
            Value::multi(vec!["A".into(), "b".into()]),
            Value::multi(vec!["a".into(), "b".into()]),
        ];
        let (out, _) = first_occurrences(&mixed, Sameness::FoldText);
        assert_eq!(out.len(), 7);
    }

    #[test]
    fn long_text_folds_across_chunks() {
        let a = format!("{}X", "a".repeat(200));
        let b = format!("{}x", "A".repeat(200));
        let values = vec![Value::from(a.as_str()), Value::from(b.as_str())];
        assert_eq!(first_occurrences(&values, Sameness::FoldText).0.len(), 1);
        assert_eq!(first_occurrences(&values, Sameness::Exact).0.len(), 2);
    }

    /// 100,000 values cost about one comparison per repeat, not one per pair (5 * 10^9).
    #[test]
    fn cost_is_linear() {
        let n = 100_000;
        let distinct = strs(n, |i| format!("smtp:user{i}@contoso.com"));
        let (out, comparisons) = first_occurrences(&distinct, Sameness::Exact);
        assert_eq!(out.len(), n);
        assert!(comparisons < 10, "{comparisons} comparisons");

        let repeated = strs(n, |i| format!("SMTP:User{}@contoso.com", i % 100));
        let (out, comparisons) = first_occurrences(&repeated, Sameness::FoldText);
        assert_eq!(out.len(), 100);
        assert!(comparisons <= n as u64 + 10, "{comparisons} comparisons");

        let reversed: Vec<Value> = distinct.iter().rev().cloned().collect();
        let (same, comparisons) = same_values(&distinct, &reversed);
        assert!(same);
        assert!(comparisons <= n as u64 + 10, "{comparisons} comparisons");
    }

    #[test]
    fn same_values_is_containment_with_equal_lengths() {
        let v = |s: &[&str]| s.iter().map(|x| Value::from(*x)).collect::<Vec<_>>();
        assert!(same_values(&v(&["a", "b"]), &v(&["b", "a"])).0);
        assert!(same_values(&v(&["a", "a", "b"]), &v(&["a", "b", "b"])).0);
        assert!(!same_values(&v(&["a", "b"]), &v(&["a", "B"])).0);
        assert!(!same_values(&v(&["a"]), &v(&["a", "a"])).0);
        assert!(same_values(&[], &[]).0);
    }
}
