//! The operand stack of one run: two slices sized for the program, and a depth.
//!
//! The depth is a plain local the compiler keeps in a register, the slots never move, and
//! tags and bits live in separate slices, so every read of an operand loads exactly what
//! one store wrote. (An operand written as two words and read back as one wide load, or a
//! length kept at an address that depends on the vector's state, costs a store-forwarding
//! stall of dozens of cycles on some processors, more than the instruction itself.)

use super::operand::{Tag, Val};

/// The operands of one run.
pub(crate) struct Operands<'s> {
    tags: &'s mut [Tag],
    bits: &'s mut [i64],
    depth: usize,
}

impl<'s> Operands<'s> {
    /// An empty stack over `tags` and `bits`, which must be as deep as the program needs.
    pub(crate) fn new(tags: &'s mut [Tag], bits: &'s mut [i64]) -> Self {
        Operands {
            tags,
            bits,
            depth: 0,
        }
    }

    /// Pushes `v`; `None` when the slots are full.
    #[inline]
    pub(crate) fn push(&mut self, v: Val) -> Option<()> {
        *self.tags.get_mut(self.depth)? = v.tag;
        *self.bits.get_mut(self.depth)? = v.bits;
        self.depth += 1;
        Some(())
    }

    /// Pops the top operand.
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<Val> {
        self.depth = self.depth.checked_sub(1)?;
        Some(Val {
            tag: *self.tags.get(self.depth)?,
            bits: *self.bits.get(self.depth)?,
        })
    }

    /// The operand at depth `i` from the bottom.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<Val> {
        if i >= self.depth {
            return None;
        }
        Some(Val {
            tag: *self.tags.get(i)?,
            bits: *self.bits.get(i)?,
        })
    }

    /// How many operands it holds.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.depth
    }

    /// Drops the operands above depth `n`.
    #[inline]
    pub(crate) fn truncate(&mut self, n: usize) {
        self.depth = self.depth.min(n);
    }
}
