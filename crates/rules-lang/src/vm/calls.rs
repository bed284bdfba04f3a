//! Calling builtins: natively on the VM's operands where the operand shapes allow (see
//! [`super::native`]), else through the builtin itself on values.

use smallvec::SmallVec;

use super::frame::Frame;
use super::native;
use super::operand::Val;
use crate::compile::Program;
use crate::error::EvalErrorKind;
use crate::functions::{self, Builtin, CallCtx};
use crate::value::Value;

/// Calls builtin `func` of `program` on `args`: natively if it can, else the builtin itself.
#[inline(always)]
pub(super) fn call(
    program: &Program,
    func: u16,
    args: &[Val],
    frame: &mut Frame<'_>,
    ctx: &CallCtx,
) -> Result<Val, EvalErrorKind> {
    match native(program, func, args, frame) {
        Some(v) => Ok(v),
        None => call_builtin(program, func, args, frame, ctx),
    }
}

/// Runs builtin `func` of `program` natively on `args`, if it can.
#[inline]
pub(super) fn native(
    program: &Program,
    func: u16,
    args: &[Val],
    frame: &mut Frame<'_>,
) -> Option<Val> {
    match program.natives.get(func as usize) {
        Some(Some(n)) => native::call(*n, args, frame),
        _ => None,
    }
}

/// Calls builtin `func` of `program` itself on `args`.
#[inline(never)]
pub(super) fn call_builtin(
    program: &Program,
    func: u16,
    args: &[Val],
    frame: &mut Frame<'_>,
    ctx: &CallCtx,
) -> Result<Val, EvalErrorKind> {
    let builtin: &Builtin = program
        .funcs
        .get(func as usize)
        .ok_or(EvalErrorKind::Internal("function out of range"))?;
    let result = match args {
        [one] => functions::call(builtin, std::slice::from_ref(&*frame.value(*one)), ctx),
        _ => {
            let values: SmallVec<[Value; 4]> =
                args.iter().map(|a| frame.value(*a).into_owned()).collect();
            functions::call(builtin, &values, ctx)
        }
    };
    result
        .map(|v| frame.own(v))
        .map_err(EvalErrorKind::Function)
}
