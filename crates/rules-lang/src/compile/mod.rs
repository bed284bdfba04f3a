//! Compiling: a checked expression → a flat [`Program`] of [`Instr`]uctions for a stack VM.
//!
//! Operands are indices into side tables (constants, builtins) or slots (attributes,
//! parameters, locals): nothing is looked up by name at run time. Every instruction has a
//! span in a parallel table, so a run-time error points at its source.

mod emit;
mod fold;
mod listing;
mod peephole;

use crate::diag::Diagnostic;
use crate::functions::Builtin;
use crate::ir::{BinOp, Checked, EachValue};
use crate::span::Span;
use crate::types::Ty;
use crate::value::Value;

/// The most instructions one program may hold.
pub const MAX_INSTRUCTIONS: usize = 1 << 16;
/// The most constants one program may hold.
pub const MAX_CONSTANTS: usize = 1 << 14;
/// The deepest the operand stack of one program may grow.
pub const MAX_STACK: usize = 1 << 10;

/// One VM instruction. `Copy` and 16 bytes: operands are table indices or jump targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instr {
    /// Push constant `n`.
    Const(u32),
    /// Push `True` or `False`.
    Bool(bool),
    /// Push the attribute in slot `n`.
    Attr(u32),
    /// Push the import-confirmed attribute in slot `n`.
    Imported(u32),
    /// Push the number of values of the attribute in slot `n`.
    ValueCount(u32),
    /// Push the parameter in slot `n`.
    Param(u32),
    /// Push local `n`.
    Local(u32),
    /// Pop into local `n`.
    SetLocal(u32),
    /// Call builtin `func` on the attribute in `slot` (borrowed, not loaded), pushing the
    /// result: `Attr(slot)` then `Call { func, argc: 1 }` in one step.
    CallAttr {
        /// Index into the program's builtin table.
        func: u16,
        /// The attribute's slot.
        slot: u32,
    },
    /// Call builtin `func` on the attribute in `slot` and constant `k`, both read in place,
    /// pushing the result: `Attr(slot)`, `Const(k)`, `Call { func, argc: 2 }` in one step.
    CallAttrConst {
        /// Index into the program's builtin table.
        func: u16,
        /// The attribute's slot.
        slot: u32,
        /// The constant's index.
        k: u32,
    },
    /// Call two-argument builtin `func` on the top value and constant `k` (read in place),
    /// replacing the value with the result: `Const(k)` then `Call { func, argc: 2 }` in one
    /// step.
    CallConst {
        /// Index into the program's builtin table.
        func: u16,
        /// The constant's index.
        k: u32,
    },
    /// Pop one value, compare it with constant `k` (`op` is a comparison), and continue at
    /// `target` when the result reads as `when`: `BinaryConst(op, k)` then a conditional
    /// jump, in one step.
    JumpIfConst {
        /// The comparison.
        op: BinOp,
        /// The constant's index.
        k: u32,
        /// Where to continue.
        target: u32,
        /// The truth that jumps.
        when: bool,
    },
    /// Call builtin `func` (a test that returns a Boolean) on the attribute in `slot`, and
    /// continue at `target` when the result is `when`: `CallAttr { func, slot }` then a
    /// conditional jump, in one step.
    JumpIfCallAttr {
        /// Index into the program's builtin table.
        func: u16,
        /// The attribute's slot.
        slot: u32,
        /// Where to continue.
        target: u32,
        /// The truth that jumps.
        when: bool,
    },
    /// Call builtin `func` on the top `argc` values, replacing them with the result.
    Call {
        /// Index into the program's builtin table.
        func: u16,
        /// Number of arguments.
        argc: u16,
    },
    /// Pop one value, push the operator's result with constant `k` as its right side (the
    /// constant is read in place, never copied onto the stack).
    BinaryConst(BinOp, u32),
    /// Pop two values, push the operator's result.
    Binary(BinOp),
    /// Negate the top value.
    Neg,
    /// Replace the top value with its truth as a Boolean.
    ToBool,
    /// Continue at `n`.
    Jump(u32),
    /// Pop; continue at `n` when false.
    JumpIfFalse(u32),
    /// Pop; continue at `n` when true.
    JumpIfTrue(u32),
    /// Pop a value and start iterating its values in local `n`.
    IterInit(u32),
    /// Advance the iteration in local `iter`: store the next value in local `var`, or
    /// continue at `exit` when there is none.
    IterNext {
        /// The iteration's local.
        iter: u32,
        /// The variable's local.
        var: u32,
        /// Where to continue when done.
        exit: u32,
    },
    /// Start an empty list of results in local `n`.
    AccInit(u32),
    /// Pop a value onto the list in local `n`.
    AccPush(u32),
    /// Push the list in local `n` as one multi-valued value.
    AccFinish(u32),
}

/// A compiled expression.
#[derive(Clone, Debug)]
pub struct Program {
    pub(crate) code: Vec<Instr>,
    pub(crate) spans: Vec<Span>,
    pub(crate) consts: Vec<Value>,
    pub(crate) funcs: Vec<&'static Builtin>,
    /// The native implementation of each of `funcs`, where it has one.
    pub(crate) natives: Vec<Option<crate::vm::native::Native>>,
    pub(crate) locals: u32,
    pub(crate) max_stack: u32,
    pub(crate) ty: Ty,
    pub(crate) per_value: Option<EachValue>,
}

impl Program {
    /// Compiles a checked expression, folding constants.
    pub fn compile(checked: &Checked) -> Result<Program, Diagnostic> {
        let folded = fold::fold(checked.root.clone());
        let mut program = emit::emit(&folded, checked.locals, checked.per_value.clone())?;
        peephole::optimize(&mut program);
        Ok(program)
    }

    /// Compiles without constant folding: for tests that compare folded and unfolded code.
    pub fn compile_unfolded(checked: &Checked) -> Result<Program, Diagnostic> {
        emit::emit(&checked.root, checked.locals, checked.per_value.clone())
    }

    /// The instructions.
    pub fn code(&self) -> &[Instr] {
        &self.code
    }

    /// The source span of each instruction.
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// The constant table.
    pub fn constants(&self) -> &[Value] {
        &self.consts
    }

    /// The result type.
    pub fn ty(&self) -> Ty {
        self.ty
    }

    /// How deep the operand stack grows.
    pub fn max_stack(&self) -> u32 {
        self.max_stack
    }

    /// How many locals an evaluation needs.
    pub fn locals(&self) -> u32 {
        self.locals
    }

    /// The attribute slot the program always runs once per value of, if the schema says
    /// it is multi-valued.
    pub fn per_value(&self) -> Option<u32> {
        self.per_value.as_ref().and_then(EachValue::typed_slot)
    }

    /// How the program runs once per value of an attribute, if it may.
    pub fn each_value(&self) -> Option<&EachValue> {
        self.per_value.as_ref()
    }

    /// The constant value of the program, if it is one constant (after folding).
    pub fn as_constant(&self) -> Option<&Value> {
        match self.code.as_slice() {
            [Instr::Const(i)] => self.consts.get(*i as usize),
            _ => None,
        }
    }
}

pub use listing::listing;
