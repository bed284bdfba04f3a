//! Operands: values as the VM holds them while it runs, borrowed wherever they can be.
//!
//! An operand ([`Val`]) is a tag and 64 bits, `Copy`, and refers to no memory of its own:
//! null, a Boolean and a number are held as themselves; a value of the object, the
//! parameters or the program is held as its place (which attribute, parameter or constant,
//! and which of its values); a piece of such a string (what `Trim`, `Left`, `DNComponent`,
//! ... return: part of the string they were given, not a copy) as its place and byte range.
//! Only strings built by `&` and values computed by the shared code live in the run's
//! [`super::frame::Frame`]. So loading an attribute, a parameter or a constant copies
//! nothing, touches no reference count and writes nothing but the operand itself; only the
//! result of a run becomes a [`crate::value::Value`].

use crate::value::Value;

/// Whether a piece of text is a string or a reference (a DN): they compare differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A string.
    Str,
    /// A reference.
    Ref,
}

impl Kind {
    /// The text of a string or reference value, and which it is.
    #[inline]
    pub(crate) fn text_of(v: &Value) -> Option<(&str, Kind)> {
        match v {
            Value::Str(s) => Some((s, Kind::Str)),
            Value::Ref(s) => Some((s, Kind::Ref)),
            _ => None,
        }
    }

    /// A value of this kind holding `s`.
    pub(crate) fn value(self, s: &str) -> Value {
        match self {
            Kind::Str => Value::str(s),
            Kind::Ref => Value::reference(s),
        }
    }
}

/// What an operand holds, and what its [`Val::bits`] mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub(crate) enum Tag {
    /// Null.
    Null,
    /// A Boolean: 0 or 1.
    Bool,
    /// A number: the number.
    Num,
    /// The empty string.
    Empty,
    /// A borrowed value, whole or one of its values: a [`Place`].
    Place,
    /// Part of a borrowed string, as a string: a [`Slice`].
    SliceStr,
    /// Part of a borrowed string or reference, as a reference: a [`Slice`].
    SliceRef,
    /// A string being built by `&` in the VM's scratch buffer, which only this operand
    /// refers to (reading a local copies it).
    Scratch,
    /// A string being built by `&` while the scratch buffer is taken: an entry of the
    /// frame's buffers, which only this operand refers to.
    Buf,
    /// A value computed in this run: an entry of the frame's computed values.
    Owned,
}

/// One operand: a tag and 64 bits. Null, Booleans and numbers are always held as
/// themselves, so the common cases need no lookup.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Val {
    /// What the operand holds.
    pub(crate) tag: Tag,
    /// The number, the Boolean, or where what it holds is.
    pub(crate) bits: i64,
}

impl Val {
    /// The operand for a null, Boolean or number value, which operands hold as themselves.
    #[inline]
    pub(crate) fn scalar(v: &Value) -> Option<Val> {
        match v {
            Value::Null => Some(Val::NULL),
            Value::Bool(b) => Some(Val::boolean(*b)),
            Value::Num(n) => Some(Val::num(*n)),
            _ => None,
        }
    }

    /// The value of a null, Boolean or number operand.
    #[inline]
    pub(crate) fn scalar_value(self) -> Option<Value> {
        match self.tag {
            Tag::Null => Some(Value::Null),
            Tag::Bool => Some(Value::Bool(self.bits != 0)),
            Tag::Num => Some(Value::Num(self.bits)),
            _ => None,
        }
    }

    /// Null.
    pub(crate) const NULL: Val = Val {
        tag: Tag::Null,
        bits: 0,
    };

    /// A number.
    #[inline]
    pub(crate) fn num(n: i64) -> Val {
        Val {
            tag: Tag::Num,
            bits: n,
        }
    }

    /// A Boolean.
    #[inline]
    pub(crate) fn boolean(b: bool) -> Val {
        Val {
            tag: Tag::Bool,
            bits: i64::from(b),
        }
    }

    /// The empty string.
    pub(crate) const EMPTY: Val = Val {
        tag: Tag::Empty,
        bits: 0,
    };

    #[inline]
    pub(super) fn with(tag: Tag, bits: u64) -> Val {
        Val {
            tag,
            bits: bits as i64,
        }
    }

    #[inline]
    pub(super) fn raw(self) -> u64 {
        self.bits as u64
    }

    #[inline]
    pub(super) fn index(self) -> usize {
        usize::try_from(self.bits).unwrap_or(usize::MAX)
    }

    /// True for null.
    #[inline]
    pub(crate) fn is_null(self) -> bool {
        self.tag == Tag::Null
    }
}

/// Where a borrowed value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Source {
    /// An attribute of the object, current value.
    Attr = 0,
    /// An attribute of the object, import-confirmed value.
    Imported = 1,
    /// A parameter.
    Param = 2,
    /// A constant of the program.
    Const = 3,
}

impl Source {
    pub(super) fn from_bits(bits: u64) -> Source {
        match bits & 3 {
            0 => Source::Attr,
            1 => Source::Imported,
            2 => Source::Param,
            _ => Source::Const,
        }
    }
}

/// A borrowed value: its source, the slot or index there, and `item`: 0 for the whole
/// value, `i + 1` for its `i`-th value. Packed as source (2 bits), index (30), item (32).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Place {
    pub(super) source: Source,
    pub(super) index: u32,
    pub(super) item: u32,
}

impl Place {
    /// The whole value in `source` at `index`.
    pub(crate) fn whole(source: Source, index: u32) -> Place {
        Place {
            source,
            index,
            item: 0,
        }
    }

    pub(super) fn pack(self) -> Option<Val> {
        (self.index < 1 << 30).then(|| {
            Val::with(
                Tag::Place,
                self.source as u64 | u64::from(self.index) << 2 | u64::from(self.item) << 32,
            )
        })
    }

    pub(super) fn unpack(bits: u64) -> Place {
        Place {
            source: Source::from_bits(bits),
            index: ((bits >> 2) & ((1 << 30) - 1)) as u32,
            item: (bits >> 32) as u32,
        }
    }
}

/// Part of a borrowed string: its place and byte range. Packed as source (2 bits), index
/// (14), item (8), start (20), length (20); text beyond what fits is copied instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Slice {
    pub(super) place: Place,
    pub(super) start: usize,
    pub(super) len: usize,
}

impl Slice {
    pub(super) fn pack(self, kind: Kind) -> Option<Val> {
        let Place {
            source,
            index,
            item,
        } = self.place;
        let fits = index < 1 << 14 && item < 1 << 8 && self.start < 1 << 20 && self.len < 1 << 20;
        let tag = match kind {
            Kind::Str => Tag::SliceStr,
            Kind::Ref => Tag::SliceRef,
        };
        fits.then(|| {
            Val::with(
                tag,
                source as u64
                    | u64::from(index) << 2
                    | u64::from(item) << 16
                    | (self.start as u64) << 24
                    | (self.len as u64) << 44,
            )
        })
    }

    pub(super) fn unpack(bits: u64) -> Slice {
        const TWENTY: u64 = (1 << 20) - 1;
        Slice {
            place: Place {
                source: Source::from_bits(bits),
                index: ((bits >> 2) & ((1 << 14) - 1)) as u32,
                item: ((bits >> 16) & 0xff) as u32,
            },
            start: ((bits >> 24) & TWENTY) as usize,
            len: ((bits >> 44) & TWENTY) as usize,
        }
    }
}
