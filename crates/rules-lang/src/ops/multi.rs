//! Comparisons with a multi-valued side, in time linear in the number of values.
//!
//! `a op b` with a multi-valued side holds when some pair of values `(x, y)`, `x` of `a`
//! and `y` of `b`, satisfies `x op y`, and fails when any pair cannot be compared. Rather
//! than trying every pair, values are sorted into classes by how they compare ([`Class`]);
//! whether some pair cannot be compared depends only on the classes present, equality is
//! found through hash sets of one side's values, and an ordering through each class's
//! least and greatest values (each comparison between two classes is a total preorder).

use std::cmp::Ordering;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};

use super::{OpError, compares, order_text};
use crate::ir::BinOp;
use crate::value::Value;

/// How a single value compares with others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Num,
    /// A string other than `True`/`False`.
    Text,
    /// The string `True` or `False`, in any case: it compares with Booleans too.
    BoolText,
    Ref,
    Bool,
    Date,
    Bin,
    /// Null, a nested list, a flow marker: compares with nothing.
    Other,
}

const CLASSES: [Class; 8] = [
    Class::Num,
    Class::Text,
    Class::BoolText,
    Class::Ref,
    Class::Bool,
    Class::Date,
    Class::Bin,
    Class::Other,
];

fn boolean_text(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn class(v: &Value) -> Class {
    match v {
        Value::Num(_) => Class::Num,
        Value::Str(s) if boolean_text(s).is_some() => Class::BoolText,
        Value::Str(_) => Class::Text,
        Value::Ref(_) => Class::Ref,
        Value::Bool(_) => Class::Bool,
        Value::DateTime(_) => Class::Date,
        Value::Bin(_) => Class::Bin,
        _ => Class::Other,
    }
}

/// Whether values of classes `x` and `y` compare (in either order: the relation is
/// symmetric), as [`super::order`] and [`compares`] decide.
fn comparable(x: Class, y: Class) -> bool {
    use Class::{Bin, Bool, BoolText, Date, Num, Ref, Text};
    let text = |c| matches!(c, Text | BoolText);
    match (x, y) {
        (Num, Num) | (Bool, Bool) | (Date, Date) | (Bin, Bin) => true,
        (Num, c) | (c, Num) => text(c),
        (Bool, c) | (c, Bool) => c == BoolText,
        (Ref, c) | (c, Ref) => text(c) || c == Ref,
        (a, b) => text(a) && text(b),
    }
}

/// A string read as a number, as comparisons with numbers read it.
fn number(s: &str) -> Option<i64> {
    s.trim().parse::<i64>().ok()
}

/// Whether some pair of values of `a` and `b` satisfies `probe` (`=` or an ordering), or
/// the error of the first pair (`a`'s values outer, `b`'s inner) that cannot be compared.
/// `cost` counts the hash-set and bound operations: a few per value.
pub(super) fn any_pair(
    probe: BinOp,
    a: &[Value],
    b: &[Value],
    cost: &mut u64,
) -> Result<bool, OpError> {
    first_error(probe, a, b, cost)?;
    Ok(if probe == BinOp::Eq {
        let index = EqIndex::of(b, cost);
        a.iter().any(|x| index.matches(x, cost))
    } else {
        let (x, y) = (Bounds::of(a, cost), Bounds::of(b, cost));
        x.any(probe, &y, a, b, cost)
    })
}

/// The error of the first pair that cannot be compared, if any.
fn first_error(probe: BinOp, a: &[Value], b: &[Value], cost: &mut u64) -> Result<(), OpError> {
    let mut first: [Option<usize>; CLASSES.len()] = [None; CLASSES.len()];
    for (j, y) in b.iter().enumerate() {
        *cost += 1;
        let c = class(y) as usize;
        if let Some(slot) = first.get_mut(c)
            && slot.is_none()
        {
            *slot = Some(j);
        }
    }
    for x in a {
        *cost += 1;
        let cx = class(x);
        let j = CLASSES
            .iter()
            .zip(first)
            .filter(|(cy, _)| !comparable(cx, **cy))
            .filter_map(|(_, j)| j)
            .min();
        if let Some(y) = j.and_then(|j| b.get(j)) {
            compares(probe, x, y)?;
        }
    }
    Ok(())
}

/// Text hashed and compared without regard to ASCII case.
#[derive(Clone, Copy, Debug)]
struct Folded<'a>(&'a str);

impl PartialEq for Folded<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for Folded<'_> {}

impl Hash for Folded<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        super::distinct::hash_text(self.0, true, state);
    }
}

/// One side's values, indexed for the equality tests the other side's values make.
#[derive(Default)]
struct EqIndex<'a> {
    nums: HashSet<i64>,
    /// The strings that read as numbers, as those numbers.
    text_nums: HashSet<i64>,
    texts: HashSet<&'a str>,
    /// Strings and references, folded: what a reference equals.
    texts_and_refs: HashSet<Folded<'a>>,
    /// References, folded: what a string equals besides strings.
    refs: HashSet<Folded<'a>>,
    bools: [bool; 2],
    /// The Booleans that strings `True`/`False` stand for.
    text_bools: [bool; 2],
    dates: HashSet<DateTime<Utc>>,
    bins: HashSet<&'a [u8]>,
}

impl<'a> EqIndex<'a> {
    fn of(values: &'a [Value], cost: &mut u64) -> Self {
        let mut ix = EqIndex::default();
        let set = |flags: &mut [bool; 2], b: bool| {
            if let Some(f) = flags.get_mut(usize::from(b)) {
                *f = true;
            }
        };
        for v in values {
            *cost += 1;
            match v {
                Value::Num(n) => {
                    ix.nums.insert(*n);
                }
                Value::Str(s) => {
                    if let Some(n) = number(s) {
                        ix.text_nums.insert(n);
                    }
                    if let Some(b) = boolean_text(s) {
                        set(&mut ix.text_bools, b);
                    }
                    ix.texts.insert(&**s);
                    ix.texts_and_refs.insert(Folded(s));
                }
                Value::Ref(r) => {
                    ix.refs.insert(Folded(r));
                    ix.texts_and_refs.insert(Folded(r));
                }
                Value::Bool(b) => set(&mut ix.bools, *b),
                Value::DateTime(d) => {
                    ix.dates.insert(*d);
                }
                Value::Bin(b) => {
                    ix.bins.insert(&**b);
                }
                _ => {}
            }
        }
        ix
    }

    /// Whether `x` equals some indexed value (every pair known comparable).
    fn matches(&self, x: &Value, cost: &mut u64) -> bool {
        *cost += 1;
        let flag = |flags: &[bool; 2], b: bool| flags.get(usize::from(b)).copied() == Some(true);
        match x {
            Value::Num(n) => self.nums.contains(n) || self.text_nums.contains(n),
            Value::Str(s) => {
                number(s).is_some_and(|n| self.nums.contains(&n))
                    || self.texts.contains(s.as_ref())
                    || self.refs.contains(&Folded(s))
                    || boolean_text(s).is_some_and(|b| flag(&self.bools, b))
            }
            Value::Ref(r) => self.texts_and_refs.contains(&Folded(r)),
            Value::Bool(b) => flag(&self.bools, *b) || flag(&self.text_bools, *b),
            Value::DateTime(d) => self.dates.contains(d),
            Value::Bin(b) => self.bins.contains(b.as_ref()),
            _ => false,
        }
    }
}

/// The least and the greatest of some values under an order.
type Range<T> = Option<(T, T)>;

fn widen<T: Copy>(range: &mut Range<T>, v: T, cmp: impl Fn(&T, &T) -> Ordering) {
    *range = Some(match *range {
        None => (v, v),
        Some((lo, hi)) => (
            if cmp(&v, &lo) == Ordering::Less {
                v
            } else {
                lo
            },
            if cmp(&v, &hi) == Ordering::Greater {
                v
            } else {
                hi
            },
        ),
    });
}

fn ordinal(x: &&str, y: &&str) -> Ordering {
    order_text(x, y, false)
}

fn folded(x: &&str, y: &&str) -> Ordering {
    order_text(x, y, true)
}

/// Whether some `x` of range `a` and `y` of range `b` satisfy `x op y` under `cmp`.
fn exists<T>(op: BinOp, a: &Range<T>, b: &Range<T>, cmp: impl Fn(&T, &T) -> Ordering) -> bool {
    let (Some((alo, ahi)), Some((blo, bhi))) = (a, b) else {
        return false;
    };
    match op {
        BinOp::Lt => cmp(alo, bhi) == Ordering::Less,
        BinOp::Le => cmp(alo, bhi) != Ordering::Greater,
        BinOp::Gt => cmp(ahi, blo) == Ordering::Greater,
        BinOp::Ge => cmp(ahi, blo) != Ordering::Less,
        _ => false,
    }
}

/// One side's least and greatest values, per class and per the order each class pair
/// compares under.
#[derive(Default)]
struct Bounds<'a> {
    nums: Range<i64>,
    /// Strings, ordinally (against strings).
    texts: Range<&'a str>,
    /// Strings, folded (against references).
    texts_folded: Range<&'a str>,
    /// Strings that read as numbers, as numbers (against numbers).
    text_nums: Range<i64>,
    /// Strings that do not read as numbers, ordinally (against numbers' decimal text).
    text_words: Range<&'a str>,
    /// The Booleans of strings `True`/`False` (against Booleans).
    text_bools: Range<bool>,
    refs: Range<&'a str>,
    bools: Range<bool>,
    dates: Range<DateTime<Utc>>,
    bins: Range<&'a [u8]>,
}

impl<'a> Bounds<'a> {
    fn of(values: &'a [Value], cost: &mut u64) -> Self {
        let mut b = Bounds::default();
        for v in values {
            *cost += 1;
            match v {
                Value::Num(n) => widen(&mut b.nums, *n, Ord::cmp),
                Value::Str(s) => {
                    let s: &str = s;
                    widen(&mut b.texts, s, ordinal);
                    widen(&mut b.texts_folded, s, folded);
                    match number(s) {
                        Some(n) => widen(&mut b.text_nums, n, Ord::cmp),
                        None => widen(&mut b.text_words, s, ordinal),
                    }
                    if let Some(t) = boolean_text(s) {
                        widen(&mut b.text_bools, t, Ord::cmp);
                    }
                }
                Value::Ref(r) => widen(&mut b.refs, &**r, folded),
                Value::Bool(t) => widen(&mut b.bools, *t, Ord::cmp),
                Value::DateTime(d) => widen(&mut b.dates, *d, Ord::cmp),
                Value::Bin(x) => widen(&mut b.bins, &**x, Ord::cmp),
                _ => {}
            }
        }
        b
    }

    /// The numbers of `values` in decimal, ordinally: how a number compares with a string
    /// that does not read as one. Computed only when such a pair exists.
    fn number_words(values: &[Value], cost: &mut u64) -> Range<String> {
        let mut range: Range<String> = None;
        for v in values {
            if let Value::Num(n) = v {
                *cost += 1;
                let text = n.to_string();
                range = Some(match range {
                    None => (text.clone(), text),
                    Some((lo, hi)) => (
                        if text < lo { text.clone() } else { lo },
                        if text > hi { text } else { hi },
                    ),
                });
            }
        }
        range
    }

    /// Whether some pair of values (this side's, `other`'s) satisfies `op`, an ordering;
    /// every pair is known comparable.
    fn any(
        &self,
        op: BinOp,
        other: &Bounds<'_>,
        mine: &[Value],
        theirs: &[Value],
        cost: &mut u64,
    ) -> bool {
        let words = |a: &Range<&str>, b: &Range<String>, a_first: bool| {
            let (Some((alo, ahi)), Some((blo, bhi))) = (a, b) else {
                return false;
            };
            let b: Range<&str> = Some((blo.as_str(), bhi.as_str()));
            let a: Range<&str> = Some((*alo, *ahi));
            if a_first {
                exists(op, &a, &b, ordinal)
            } else {
                exists(op, &b, &a, ordinal)
            }
        };
        exists(op, &self.nums, &other.nums, Ord::cmp)
            || exists(op, &self.texts, &other.texts, ordinal)
            || exists(op, &self.texts_folded, &other.refs, folded)
            || exists(op, &self.refs, &other.texts_folded, folded)
            || exists(op, &self.refs, &other.refs, folded)
            || exists(op, &self.text_nums, &other.nums, Ord::cmp)
            || exists(op, &self.nums, &other.text_nums, Ord::cmp)
            || (self.text_words.is_some()
                && other.nums.is_some()
                && words(&self.text_words, &Bounds::number_words(theirs, cost), true))
            || (self.nums.is_some()
                && other.text_words.is_some()
                && words(&other.text_words, &Bounds::number_words(mine, cost), false))
            || exists(op, &self.bools, &other.bools, Ord::cmp)
            || exists(op, &self.text_bools, &other.bools, Ord::cmp)
            || exists(op, &self.bools, &other.text_bools, Ord::cmp)
            || exists(op, &self.dates, &other.dates, Ord::cmp)
            || exists(op, &self.bins, &other.bins, Ord::cmp)
    }
}
