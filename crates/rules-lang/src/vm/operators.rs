//! Operators on operands: conditions, comparisons, arithmetic and `&`, on the operands
//! themselves where they are numbers, Booleans or text, else through [`crate::ops`].

use std::borrow::Cow;
use std::cmp::Ordering;

use super::frame::Frame;
use super::operand::{Kind, Tag, Val};
use crate::ir::BinOp;
use crate::ops::{self, OpError};
use crate::value::MAX_VALUE_BYTES;

impl Frame<'_> {
    /// How a condition reads `v` (see [`ops::truth`]).
    #[inline(always)]
    pub(crate) fn truth(&self, v: Val) -> Result<bool, OpError> {
        match Self::truth_fast(v) {
            Some(b) => Ok(b),
            None => self.truth_slow(v),
        }
    }

    /// How a condition reads a Boolean, a number or null; `None` for other operands.
    #[inline]
    fn truth_fast(v: Val) -> Option<bool> {
        match v.tag {
            Tag::Bool | Tag::Num => Some(v.bits != 0),
            Tag::Null => Some(false),
            _ => None,
        }
    }

    /// How a condition reads any operand, through [`ops::truth`].
    #[inline(never)]
    fn truth_slow(&self, v: Val) -> Result<bool, OpError> {
        ops::truth(&self.value(v))
    }

    /// Applies a binary operator: on the operands themselves when they are numbers,
    /// Booleans or text, else through [`ops::binary`].
    #[inline(always)]
    pub(crate) fn binary(&mut self, op: BinOp, a: Val, b: Val) -> Result<Val, OpError> {
        match self.binary_fast(op, a, b) {
            Some(v) => Ok(v),
            None => self.binary_slow(op, a, b),
        }
    }

    /// Applies a binary operator to numbers, Booleans or text; `None` for anything the
    /// shared code must decide.
    #[inline]
    fn binary_fast(&mut self, op: BinOp, a: Val, b: Val) -> Option<Val> {
        match op {
            BinOp::Concat => self.concat(a, b),
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => arith(op, a, b),
            BinOp::Eq | BinOp::Ne => self
                .equal(a, b)
                .map(|eq| eq.map_or(Val::NULL, |e| Val::boolean(e == (op == BinOp::Eq)))),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => self
                .compare(a, b)
                .map(|ord| ord.map_or(Val::NULL, |o| Val::boolean(ops::holds(op, o)))),
        }
    }

    /// Whether two operands are equal: `Some(None)` when either is null (the comparison
    /// is null), `None` for anything the shared code must decide.
    #[inline]
    fn equal(&self, a: Val, b: Val) -> Option<Option<bool>> {
        match (a.tag, b.tag) {
            (Tag::Null, _) | (_, Tag::Null) => Some(None),
            (Tag::Num, Tag::Num) | (Tag::Bool, Tag::Bool) => Some(Some(a.bits == b.bits)),
            _ => {
                let ((x, kx), (y, ky)) = (self.text(a)?, self.text(b)?);
                Some(Some(ops::equal_text(
                    x,
                    y,
                    kx == Kind::Ref || ky == Kind::Ref,
                )))
            }
        }
    }

    /// Applies a binary operator through [`ops::binary`].
    #[inline(never)]
    fn binary_slow(&mut self, op: BinOp, a: Val, b: Val) -> Result<Val, OpError> {
        let v = ops::binary(op, &self.value(a), &self.value(b))?;
        Ok(self.own(v))
    }

    /// How two operands order: `Some(None)` when either is null (the comparison is null),
    /// `None` for anything the shared code must decide.
    #[inline]
    fn compare(&self, a: Val, b: Val) -> Option<Option<Ordering>> {
        match (a.tag, b.tag) {
            (Tag::Null, _) | (_, Tag::Null) => Some(None),
            (Tag::Num, Tag::Num) | (Tag::Bool, Tag::Bool) => Some(Some(a.bits.cmp(&b.bits))),
            _ => {
                let ((x, kx), (y, ky)) = (self.text(a)?, self.text(b)?);
                Some(Some(ops::order_text(
                    x,
                    y,
                    kx == Kind::Ref || ky == Kind::Ref,
                )))
            }
        }
    }

    /// `&` of two pieces of text, appending to `a` when it is a string being built; `None`
    /// for anything else (null, numbers, multi-valued values, sizes near the limit).
    fn concat(&mut self, a: Val, b: Val) -> Option<Val> {
        let (x, _) = self.text(a)?;
        let (y, _) = self.text(b)?;
        if x.len().saturating_add(y.len()).saturating_add(64) > MAX_VALUE_BYTES {
            return None;
        }
        if matches!(a.tag, Tag::Scratch | Tag::Buf) {
            let y = match self.borrowed_text(b) {
                Some((y, _)) => Cow::Borrowed(y),
                None => Cow::Owned(self.text(b)?.0.to_owned()),
            };
            match a.tag {
                Tag::Scratch => self.store.scratch.push_str(&y),
                _ => self.store.bufs.get_mut(a.index())?.push_str(&y),
            }
            return Some(a);
        }
        // Room for a few more pieces, so a chain of `&` rarely reallocates.
        let capacity = x.len() + y.len() + 32;
        if !self.scratch_used {
            let (x, y) = (self.borrowed_text(a), self.borrowed_text(b));
            if let (Some((x, _)), Some((y, _))) = (x, y) {
                self.scratch_used = true;
                self.store.scratch.clear();
                self.store.scratch.reserve(capacity);
                self.store.scratch.push_str(x);
                self.store.scratch.push_str(y);
                return Some(Val::with(Tag::Scratch, 0));
            }
        }
        let mut s = String::with_capacity(capacity);
        s.push_str(x);
        s.push_str(y);
        Some(self.buf(s))
    }
}

/// Two numbers' arithmetic; `None` for anything the shared code must decide (other
/// operands, overflow, division by zero).
#[inline]
fn arith(op: BinOp, a: Val, b: Val) -> Option<Val> {
    match (a.tag, b.tag) {
        (Tag::Num, Tag::Num) => ops::arith_nums(op, a.bits, b.bits).map(Val::num),
        (Tag::Null, Tag::Num | Tag::Null) | (Tag::Num, Tag::Null) => Some(Val::NULL),
        _ => None,
    }
}
