//! Native calls: the builtins the corpus calls most, run on the VM's borrowed operands.
//!
//! Each handles the operand shapes that need no conversion (text, numbers, null) and gives
//! exactly what the builtin gives for them, returning the part of a string it was given
//! rather than a copy. Any other shape (a multi-valued argument the builtin maps over, a
//! number read as text, an argument that is an error) returns `None`, and the VM calls the
//! builtin itself. A test runs every native against its builtin on every pairing of a set
//! of sample values.

use super::frame::Frame;
use super::operand::{Kind, Tag, Val};
use crate::functions::{
    Builtin, dn_component, first_position, is_null, is_present, left_chars, right_chars,
};
use crate::value::{MAX_VALUE_BYTES, Value};

/// A builtin with a native implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Native {
    Trim,
    LTrim,
    RTrim,
    Left,
    Right,
    Len,
    InStr,
    Item,
    DnComponent,
    CRef,
    CStr,
    BitAnd,
    BitOr,
    IsPresent,
    IsNullOrEmpty,
    IsNull,
    IsEmpty,
    IsString,
    CBool,
}

/// The native implementation of `b`, if it has one.
pub(crate) fn of(b: &Builtin) -> Option<Native> {
    Some(match b.name {
        "Trim" => Native::Trim,
        "LTrim" => Native::LTrim,
        "RTrim" => Native::RTrim,
        "Left" => Native::Left,
        "Right" => Native::Right,
        "Len" => Native::Len,
        "InStr" => Native::InStr,
        "Item" => Native::Item,
        "DNComponent" => Native::DnComponent,
        "CRef" => Native::CRef,
        "CStr" => Native::CStr,
        "BitAnd" => Native::BitAnd,
        "BitOr" => Native::BitOr,
        "IsPresent" => Native::IsPresent,
        "IsNullOrEmpty" => Native::IsNullOrEmpty,
        "IsNull" => Native::IsNull,
        "IsEmpty" => Native::IsEmpty,
        "IsString" => Native::IsString,
        "CBool" => Native::CBool,
        _ => return None,
    })
}

/// A count as a number.
fn num(n: usize) -> Val {
    Val::num(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Runs `n` on `args`, or `None` when the builtin itself must run.
#[inline(always)]
pub(crate) fn call(n: Native, args: &[Val], f: &mut Frame<'_>) -> Option<Val> {
    use Tag::{Null, Num};
    let text = |f: &Frame<'_>, v: Val| f.text(v).is_some();
    let null = Val::NULL;
    match (n, args) {
        (Native::Trim | Native::LTrim | Native::RTrim, &[s]) if s.is_null() => Some(null),
        (Native::Trim, &[s]) => f.part(s, str::trim),
        (Native::LTrim, &[s]) => f.part(s, str::trim_start),
        (Native::RTrim, &[s]) => f.part(s, str::trim_end),
        (Native::Left | Native::Right, &[s, k]) => match (s.tag, k.tag) {
            (Null, Num | Null) => Some(Val::EMPTY),
            (_, Null) => text(f, s).then_some(null),
            (_, Num) => match usize::try_from(k.bits) {
                Err(_) => f.part(s, |t| t),
                Ok(k) if n == Native::Left => f.part(s, |t| left_chars(t, k)),
                Ok(k) => f.part(s, |t| right_chars(t, k)),
            },
            _ => None,
        },
        (Native::Len, &[s]) if s.is_null() => Some(null),
        (Native::Len, &[s]) => f.text(s).map(|(t, _)| num(t.chars().count())),
        (Native::InStr, &[s, m]) => match (s.tag, m.tag) {
            (Null, Null) => Some(null),
            (Null, _) => text(f, m).then_some(null),
            (_, Null) => text(f, s).then_some(null),
            _ => {
                let ((s, _), (m, _)) = (f.text(s)?, f.text(m)?);
                Some(Val::num(first_position(s, m)))
            }
        },
        (Native::Item, &[list, k]) if k.tag == Num => {
            if list.is_null() {
                return Some(null);
            }
            let i = usize::try_from(k.bits).ok()?.checked_sub(1)?;
            f.item(list, i)
        }
        (Native::DnComponent, &[dn, k]) => match (dn.tag, k.tag) {
            (Null, Num | Null) => Some(null),
            (_, Null) => text(f, dn).then_some(null),
            (_, Num) => {
                if f.text(dn)?.0.len() > MAX_VALUE_BYTES {
                    return None;
                }
                Some(match f.borrowed_text(dn) {
                    Some((t, _)) => match dn_component(t, k.bits) {
                        Some(c) => f.slice(dn, c, Kind::Str),
                        None => null,
                    },
                    None => {
                        let c = f.text(dn).and_then(|(t, _)| dn_component(t, k.bits));
                        let c = c.map_or(Value::Null, Value::str);
                        f.own(c)
                    }
                })
            }
            _ => None,
        },
        (Native::CRef | Native::CStr, &[s]) if s.is_null() => Some(null),
        (Native::CRef, &[s]) => f.as_reference(s),
        (Native::CStr, &[s]) => f.part(s, |t| t),
        (Native::BitAnd | Native::BitOr, &[a, b]) => match (a.tag, b.tag) {
            (Num, Num) if n == Native::BitAnd => Some(Val::num(a.bits & b.bits)),
            (Num, Num) => Some(Val::num(a.bits | b.bits)),
            (Num | Null, Num | Null) => Some(null),
            _ => None,
        },
        (Native::CBool, &[v]) => match v.tag {
            Null => Some(Val::NULL),
            Tag::Bool | Num => Some(Val::boolean(v.bits != 0)),
            _ => None,
        },
        (
            Native::IsPresent
            | Native::IsNullOrEmpty
            | Native::IsNull
            | Native::IsEmpty
            | Native::IsString,
            &[v],
        ) => presence(n, v, f),
        _ => None,
    }
}

/// The presence tests on null, a Boolean, a number, a borrowed value or text; `None` for
/// other values.
#[inline]
fn presence(n: Native, v: Val, f: &Frame<'_>) -> Option<Val> {
    // A value held whole is tested by the builtins' own predicates.
    if let (Some(whole), false) = (f.borrowed(v), n == Native::IsString) {
        let (null, present) = (is_null(whole), is_present(whole));
        return Some(Val::boolean(match n {
            Native::IsPresent => present,
            Native::IsNullOrEmpty => !present,
            Native::IsNull => null,
            _ => !null && !present,
        }));
    }
    // A piece of text is null never, and empty when it has no characters.
    let (null, empty) = match v.tag {
        Tag::Null => (true, false),
        Tag::Bool | Tag::Num => (false, false),
        _ => (false, f.text(v)?.0.is_empty()),
    };
    Some(Val::boolean(match n {
        Native::IsPresent => !null && !empty,
        Native::IsNullOrEmpty => null || empty,
        Native::IsNull => null,
        Native::IsEmpty => empty,
        _ => !null,
    }))
}
