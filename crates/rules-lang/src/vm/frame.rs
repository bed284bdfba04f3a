//! The frame of one run: what its operands refer to, and reading them.
//!
//! Every operation here gives what the shared code ([`crate::ops`], [`crate::functions`])
//! gives for the same values, or hands the values to it; the tests in [`super::tests`]
//! compare the two on every pairing of a set of sample values in every form an operand can
//! take.

use std::borrow::Cow;

use super::operand::{Kind, Place, Slice, Source, Tag, Val};
use crate::env::{Attributes, BySlot};
use crate::value::{MAX_VALUE_BYTES, Value};

/// What runs compute, kept by the [`super::Vm`] from run to run: a run allocates only
/// when it needs more room than the runs before it did. What one run computed is dropped
/// when the next begins.
#[derive(Clone, Debug, Default)]
pub(crate) struct Storage {
    /// The first string built by `&` in a run.
    pub(crate) scratch: String,
    /// Further strings being built by `&`.
    pub(crate) bufs: Vec<String>,
    /// Values computed in a run.
    pub(crate) owned: Vec<Value>,
}

impl Storage {
    /// Drops what a run computed, keeping the room (unless one run made the scratch
    /// buffer large).
    #[inline]
    pub(crate) fn clear(&mut self) {
        if self.scratch.capacity() > 1 << 16 {
            self.scratch = String::new();
        }
        self.bufs.clear();
        self.owned.clear();
    }
}

/// What the operands of one run refer to: the object, the parameters and the program's
/// constants (borrowed), and what the run computed.
pub(crate) struct Frame<'a> {
    attributes: &'a dyn Attributes,
    /// The object's current values, when it lays them out by slot.
    by_slot: Option<BySlot<'a>>,
    params: &'a [Value],
    consts: &'a [Value],
    /// What this run computes.
    pub(crate) store: &'a mut Storage,
    /// Whether the scratch buffer holds an operand.
    pub(super) scratch_used: bool,
}

impl std::fmt::Debug for Frame<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frame")
            .field("consts", &self.consts)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl<'a> Frame<'a> {
    /// A frame over an object, parameters and constants.
    pub(crate) fn new(
        attributes: &'a dyn Attributes,
        params: &'a [Value],
        consts: &'a [Value],
        store: &'a mut Storage,
    ) -> Self {
        Frame {
            attributes,
            by_slot: attributes.by_slot(),
            params,
            consts,
            store,
            scratch_used: false,
        }
    }

    /// The value at `place`.
    #[inline(always)]
    fn at(&self, place: Place) -> Option<&'a Value> {
        let whole = match place.source {
            Source::Attr => match self.by_slot {
                Some(values) => values.get(place.index),
                None => self.attributes.get(place.index),
            },
            Source::Imported => self.attributes.imported(place.index),
            Source::Param => self.params.get(place.index as usize)?,
            Source::Const => self.consts.get(place.index as usize)?,
        };
        match place.item {
            0 => Some(whole),
            i => whole.values().get(i as usize - 1),
        }
    }

    /// An operand for the value in `source` at `index` (null when there is none).
    #[inline(always)]
    pub(crate) fn load(&mut self, source: Source, index: u32) -> Val {
        let place = Place::whole(source, index);
        let Some(v) = self.at(place) else {
            return Val::NULL;
        };
        match Val::scalar(v).or_else(|| place.pack()) {
            Some(val) => val,
            None => self.own(v.clone()),
        }
    }

    /// An operand for a computed value.
    #[inline]
    pub(crate) fn own(&mut self, v: Value) -> Val {
        if let Some(scalar) = Val::scalar(&v) {
            return scalar;
        }
        self.store.owned.push(v);
        Val::with(Tag::Owned, (self.store.owned.len() - 1) as u64)
    }

    /// An operand for a string being built.
    pub(crate) fn buf(&mut self, s: String) -> Val {
        self.store.bufs.push(s);
        Val::with(Tag::Buf, (self.store.bufs.len() - 1) as u64)
    }

    /// A copy of `v` that may be used beside it: a string being built is copied.
    pub(crate) fn duplicate(&mut self, v: Val) -> Val {
        let s = match v.tag {
            Tag::Scratch => self.store.scratch.clone(),
            Tag::Buf => self.store.bufs.get(v.index()).cloned().unwrap_or_default(),
            _ => return v,
        };
        self.buf(s)
    }

    /// The value `v` holds whole, if it is borrowed whole (not computed in this run).
    #[inline]
    pub(crate) fn borrowed(&self, v: Val) -> Option<&'a Value> {
        match v.tag {
            Tag::Place => self.at(Place::unpack(v.raw())),
            _ => None,
        }
    }

    /// The value `v` holds whole, if it holds one (borrowed or computed).
    #[inline]
    fn whole(&self, v: Val) -> Option<&Value> {
        match v.tag {
            Tag::Owned => self.store.owned.get(v.index()),
            _ => self.borrowed(v),
        }
    }

    /// The value of `v`, borrowed when it is held whole.
    pub(crate) fn value(&self, v: Val) -> Cow<'_, Value> {
        if let Some(whole) = self.whole(v) {
            return Cow::Borrowed(whole);
        }
        Cow::Owned(match v.scalar_value() {
            Some(scalar) => scalar,
            None => self.text(v).map_or(Value::Null, |(s, kind)| kind.value(s)),
        })
    }

    /// The value of `v`, for the result of a run: a borrowed value is shared (its
    /// reference count taken), a piece of one copied.
    #[inline(always)]
    pub(crate) fn take_value(&mut self, v: Val) -> Value {
        // Scalars are built here rather than through `value`'s `Cow`, which would write
        // the value field by field and then copy it whole: some processors stall for dozens
        // of cycles on such a copy (it cannot be forwarded from the narrower stores).
        if let Some(scalar) = v.scalar_value() {
            return scalar;
        }
        match (v.tag, self.borrowed(v)) {
            (_, Some(whole)) => whole.clone(),
            (Tag::Owned, _) => self
                .store
                .owned
                .get_mut(v.index())
                .map_or(Value::Null, |v| std::mem::replace(v, Value::Null)),
            (Tag::Scratch, _) => Value::str(&self.store.scratch),
            (Tag::Buf, _) => Value::from(
                self.store
                    .bufs
                    .get_mut(v.index())
                    .map(std::mem::take)
                    .unwrap_or_default(),
            ),
            _ => self.value(v).into_owned(),
        }
    }

    /// The text of a string or reference.
    #[inline]
    pub(crate) fn text(&self, v: Val) -> Option<(&str, Kind)> {
        match v.tag {
            Tag::Scratch => Some((self.store.scratch.as_str(), Kind::Str)),
            Tag::Buf => self
                .store
                .bufs
                .get(v.index())
                .map(|s| (s.as_str(), Kind::Str)),
            Tag::Owned => Kind::text_of(self.store.owned.get(v.index())?),
            _ => self.borrowed_text(v),
        }
    }

    /// The text of a string or reference that is borrowed, not computed in this run.
    #[inline(always)]
    pub(crate) fn borrowed_text(&self, v: Val) -> Option<(&'a str, Kind)> {
        let kind = match v.tag {
            Tag::Empty => return Some(("", Kind::Str)),
            Tag::Place => return Kind::text_of(self.at(Place::unpack(v.raw()))?),
            Tag::SliceStr => Kind::Str,
            Tag::SliceRef => Kind::Ref,
            _ => return None,
        };
        let slice = Slice::unpack(v.raw());
        let (s, _) = Kind::text_of(self.at(slice.place)?)?;
        let part = s.get(slice.start..slice.start.checked_add(slice.len)?)?;
        Some((part, kind))
    }

    /// An operand for `part`, a piece of the borrowed text of `of`, as `kind`; a copy when
    /// its position does not fit an operand.
    pub(crate) fn slice(&mut self, of: Val, part: &'a str, kind: Kind) -> Val {
        let base = match of.tag {
            Tag::Place => Some((Place::unpack(of.raw()), 0)),
            Tag::SliceStr | Tag::SliceRef => {
                let s = Slice::unpack(of.raw());
                Some((s.place, s.start))
            }
            _ => None,
        };
        let packed = base.and_then(|(place, start)| {
            let (whole, _) = Kind::text_of(self.at(place)?)?;
            let offset = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
            let end = offset.checked_add(part.len())?;
            (offset >= start && end <= whole.len()).then_some(())?;
            Slice {
                place,
                start: offset,
                len: part.len(),
            }
            .pack(kind)
        });
        match packed {
            Some(v) => v,
            None if part.is_empty() && kind == Kind::Str => Val::EMPTY,
            None => self.own(kind.value(part)),
        }
    }

    /// `v` read as a reference: a borrowed string or reference as a reference; `None`
    /// for anything else.
    pub(crate) fn as_reference(&mut self, v: Val) -> Option<Val> {
        if v.tag == Tag::Empty {
            return None;
        }
        let (t, _) = self.borrowed_text(v)?;
        Some(self.slice(v, t, Kind::Ref))
    }

    /// The `i`-th value of `v` seen as a list (see [`Value::values`]).
    pub(crate) fn item(&mut self, v: Val, i: usize) -> Option<Val> {
        if v.is_null() {
            return None;
        }
        if v.tag == Tag::Place {
            let place = Place::unpack(v.raw());
            let list = self.at(place)?;
            let item = list.values().get(i)?;
            if let Some(scalar) = Val::scalar(item) {
                return Some(scalar);
            }
            // A single value is its own only item; a list's item gets its own place.
            if !matches!(list, Value::Multi(_)) || place.item != 0 {
                return Some(v);
            }
            let item = u32::try_from(i + 1).ok()?;
            return Place { item, ..place }.pack();
        }
        if v.tag == Tag::Owned {
            let item = self.store.owned.get(v.index())?.values().get(i)?.clone();
            return Some(self.own(item));
        }
        (i == 0).then(|| self.duplicate(v))
    }

    /// A string result that is `part` of the text of `input`, shared rather than copied
    /// where it can be. `None` when `input` is not text, or too long for an expression to
    /// return (the shared code reports that).
    #[inline]
    pub(crate) fn part(
        &mut self,
        input: Val,
        part: impl for<'s> FnOnce(&'s str) -> &'s str,
    ) -> Option<Val> {
        if let Some((s, kind)) = self.borrowed_text(input) {
            if s.len() > MAX_VALUE_BYTES {
                return None;
            }
            let p = part(s);
            let same = p.len() == s.len() && kind == Kind::Str;
            return Some(if same {
                input
            } else {
                self.slice(input, p, Kind::Str)
            });
        }
        let (s, _) = self.text(input)?;
        if s.len() > MAX_VALUE_BYTES {
            return None;
        }
        let p = Value::str(part(s));
        Some(self.own(p))
    }
}
