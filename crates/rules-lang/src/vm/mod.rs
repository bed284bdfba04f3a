//! The virtual machine: runs a [`Program`] against an [`Env`].
//!
//! Operands are two words and borrowed wherever they can be (see `operand.rs`): loading an
//! attribute, a parameter or a constant copies nothing and touches no reference count; the
//! builtins the corpus uses most run natively on borrowed text and return parts of it (see
//! `native.rs`); `&` builds its string in a buffer the `Vm` keeps from run to run. A run
//! allocates only what its result or a builtin without a native form needs.
//!
//! The layout avoids one cost the profile showed to dominate on the development machine
//! (AMD EPYC under KVM): a value written field by field and then copied whole, or the
//! reverse, cannot be forwarded from the store buffer and stalls for dozens of cycles. So
//! the operand stack keeps tags and bits apart (see `stack.rs`), operands travel in
//! registers, fast paths return `Option`s of operands, and only the slow paths return
//! `Result`s.

mod calls;
mod frame;
pub(crate) mod native;
mod operand;
mod operators;
mod stack;
#[cfg(test)]
mod tests;

use smallvec::SmallVec;

use self::frame::{Frame, Storage};
use self::operand::{Source, Tag, Val};
use self::stack::Operands;
use crate::compile::{Instr, Program};
use crate::env::Env;
use crate::error::{EvalError, EvalErrorKind};
use crate::ops;
use crate::value::Value;

/// A local variable of one run.
#[derive(Clone, Copy, Debug, Default)]
enum Local {
    #[default]
    Empty,
    Value(Val),
    Iter(Val, usize),
    /// A `Select`/`Where` result list: an entry of the run's lists.
    Acc(usize),
}

/// A reusable evaluator.
#[derive(Clone, Debug, Default)]
pub struct Vm {
    /// `Select`/`Where` items visited in this run (see [`ops::MAX_ITERATIONS`]).
    iterations: u64,
    /// The operand stack's tags.
    tags: Vec<Tag>,
    /// The operand stack's bits.
    bits: Vec<i64>,
    /// What runs compute.
    store: Storage,
    /// The locals of a run.
    locals: Vec<Local>,
    /// The `Select`/`Where` result lists of a run.
    lists: Vec<(Vec<Value>, usize)>,
}

impl Vm {
    /// A new VM.
    pub fn new() -> Self {
        Vm::default()
    }

    /// Runs `program` against `env`.
    pub fn run(&mut self, program: &Program, env: &Env<'_>) -> Result<Value, EvalError> {
        match &program.per_value {
            Some(each) if crate::env::spreads(env, each) => {
                crate::env::per_value(env, each, |e| self.run_once(program, e))
            }
            // Not spread: straight to the run, as an expression without the reading.
            _ => self.run_once(program, env),
        }
    }

    #[inline(always)]
    fn run_once(&mut self, program: &Program, env: &Env<'_>) -> Result<Value, EvalError> {
        self.store.clear();
        self.lists.clear();
        let depth = program.max_stack as usize + 1;
        if self.tags.len() < depth {
            self.tags.resize(depth, Tag::Null);
            self.bits.resize(depth, 0);
        }
        if program.locals > 0 {
            self.locals.clear();
            self.locals
                .resize(program.locals as usize, Local::default());
        }
        let mut frame = Frame::new(
            env.attributes,
            env.parameters,
            &program.consts,
            &mut self.store,
        );
        let stack = Operands::new(&mut self.tags, &mut self.bits);
        let run = Run {
            locals: &mut self.locals,
            lists: &mut self.lists,
            iterations: &mut self.iterations,
        };
        // The result is made a value in place, as the last step: a value built in a local
        // and then moved would be written field by field and read back whole, a
        // store-forwarding stall of dozens of cycles on some processors, more than a short
        // program's whole run. So what a run computed is dropped at the start of the next.
        execute(program, env, &mut frame, stack, run).map(|v| frame.take_value(v))
    }
}

/// The per-run state a [`Vm`] keeps for `Select`, `Where` and `With`.
struct Run<'r> {
    locals: &'r mut Vec<Local>,
    lists: &'r mut Vec<(Vec<Value>, usize)>,
    iterations: &'r mut u64,
}

/// Runs `program` with `frame` and an empty `stack`, giving the result as an operand:
/// the caller makes it a value in place (a value returned through memory and then copied
/// whole costs a store-forwarding stall on some processors).
fn execute<'a>(
    program: &'a Program,
    env: &Env<'a>,
    frame: &mut Frame<'a>,
    mut stack: Operands<'_>,
    run: Run<'_>,
) -> Result<Val, EvalError> {
    {
        let attributes = env.attributes;
        let Run {
            locals,
            lists,
            iterations,
        } = run;
        *iterations = 0;
        let fail = |pc: usize, kind: EvalErrorKind| EvalError {
            span: program.spans.get(pc).copied().unwrap_or_default(),
            kind,
        };
        let internal = |pc: usize, what: &'static str| fail(pc, EvalErrorKind::Internal(what));
        let mut pc = 0usize;
        macro_rules! push {
            ($v:expr) => {{
                let v = $v;
                stack
                    .push(v)
                    .ok_or_else(|| internal(pc.saturating_sub(1), "stack overflow"))?
            }};
        }
        while let Some(instr) = program.code.get(pc) {
            let at = pc;
            pc += 1;
            match *instr {
                Instr::Const(i) => {
                    if program.consts.get(i as usize).is_none() {
                        return Err(internal(at, "constant out of range"));
                    }
                    push!(frame.load(Source::Const, i));
                }
                Instr::Bool(b) => push!(Val::boolean(b)),
                Instr::Attr(s) => push!(frame.load(Source::Attr, s)),
                Instr::Imported(s) => push!(frame.load(Source::Imported, s)),
                Instr::ValueCount(s) => {
                    let n = attributes.get(s).values().len();
                    push!(Val::num(i64::try_from(n).unwrap_or(i64::MAX)));
                }
                Instr::Param(s) => {
                    push!(frame.load(Source::Param, s));
                }
                Instr::Local(l) => {
                    let v = match locals.get(l as usize) {
                        Some(Local::Value(v)) => *v,
                        _ => return Err(internal(at, "local read before it is set")),
                    };
                    push!(frame.duplicate(v));
                }
                Instr::SetLocal(l) => {
                    let v = stack.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let slot = locals
                        .get_mut(l as usize)
                        .ok_or_else(|| internal(at, "local out of range"))?;
                    *slot = Local::Value(v);
                }
                Instr::Call { func, argc } => {
                    let base = stack
                        .len()
                        .checked_sub(argc as usize)
                        .ok_or_else(|| internal(at, "stack underflow"))?;
                    let fast = match argc {
                        1 => stack
                            .get(base)
                            .and_then(|a| calls::native(program, func, &[a], frame)),
                        2 => stack
                            .get(base)
                            .zip(stack.get(base + 1))
                            .and_then(|(a, b)| calls::native(program, func, &[a, b], frame)),
                        _ => None,
                    };
                    let result = match fast {
                        Some(v) => v,
                        None => {
                            let args: SmallVec<[Val; 4]> =
                                (base..stack.len()).filter_map(|i| stack.get(i)).collect();
                            calls::call_builtin(program, func, &args, frame, &env.ctx)
                                .map_err(|e| fail(at, e))?
                        }
                    };
                    stack.truncate(base);
                    push!(result);
                }
                Instr::CallAttr { func, slot } => {
                    let arg = frame.load(Source::Attr, slot);
                    let result = calls::call(program, func, &[arg], frame, &env.ctx)
                        .map_err(|e| fail(at, e))?;
                    push!(result);
                }
                Instr::CallAttrConst { func, slot, k } => {
                    if program.consts.get(k as usize).is_none() {
                        return Err(internal(at, "constant out of range"));
                    }
                    let args = [frame.load(Source::Attr, slot), frame.load(Source::Const, k)];
                    let result = calls::call(program, func, &args, frame, &env.ctx)
                        .map_err(|e| fail(at, e))?;
                    push!(result);
                }
                Instr::CallConst { func, k } => {
                    if program.consts.get(k as usize).is_none() {
                        return Err(internal(at, "constant out of range"));
                    }
                    let a = stack.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let args = [a, frame.load(Source::Const, k)];
                    let result = calls::call(program, func, &args, frame, &env.ctx)
                        .map_err(|e| fail(at, e))?;
                    push!(result);
                }
                Instr::JumpIfConst {
                    op,
                    k,
                    target,
                    when,
                } => {
                    if program.consts.get(k as usize).is_none() {
                        return Err(internal(at, "constant out of range"));
                    }
                    let r = frame.load(Source::Const, k);
                    let l = stack.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let v = frame.binary(op, l, r).map_err(|e| fail(at, e.into()))?;
                    if frame.truth(v).map_err(|e| fail(at, e.into()))? == when {
                        pc = target as usize;
                    }
                }
                Instr::JumpIfCallAttr {
                    func,
                    slot,
                    target,
                    when,
                } => {
                    let arg = frame.load(Source::Attr, slot);
                    let v = calls::call(program, func, &[arg], frame, &env.ctx)
                        .map_err(|e| fail(at, e))?;
                    if frame.truth(v).map_err(|e| fail(at, e.into()))? == when {
                        pc = target as usize;
                    }
                }
                Instr::BinaryConst(op, k) => {
                    if program.consts.get(k as usize).is_none() {
                        return Err(internal(at, "constant out of range"));
                    }
                    let r = frame.load(Source::Const, k);
                    let l = stack.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let v = frame.binary(op, l, r).map_err(|e| fail(at, e.into()))?;
                    push!(v);
                }
                Instr::Binary(op) => {
                    let r = stack.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let l = stack.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let v = frame.binary(op, l, r).map_err(|e| fail(at, e.into()))?;
                    push!(v);
                }
                Instr::Neg => {
                    let x = stack.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let v = match x.tag {
                        Tag::Num if x.bits != i64::MIN => Val::num(-x.bits),
                        _ => {
                            let v = ops::neg(&frame.value(x)).map_err(|e| fail(at, e.into()))?;
                            frame.own(v)
                        }
                    };
                    push!(v);
                }
                Instr::ToBool => {
                    let x = stack.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let b = frame.truth(x).map_err(|e| fail(at, e.into()))?;
                    push!(Val::boolean(b));
                }
                Instr::Jump(t) => pc = t as usize,
                Instr::JumpIfFalse(t) | Instr::JumpIfTrue(t) => {
                    let x = stack.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let b = frame.truth(x).map_err(|e| fail(at, e.into()))?;
                    if b == matches!(instr, Instr::JumpIfTrue(_)) {
                        pc = t as usize;
                    }
                }
                Instr::IterInit(l) => {
                    let v = stack.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let slot = locals
                        .get_mut(l as usize)
                        .ok_or_else(|| internal(at, "local out of range"))?;
                    *slot = Local::Iter(v, 0);
                }
                Instr::IterNext { iter, var, exit } => {
                    let next = match locals.get_mut(iter as usize) {
                        Some(Local::Iter(v, i)) => {
                            let (v, n) = (*v, *i);
                            *i += 1;
                            frame.item(v, n)
                        }
                        _ => return Err(internal(at, "iteration not started")),
                    };
                    match next {
                        Some(item) => {
                            ops::iterate(iterations).map_err(|e| fail(at, e.into()))?;
                            let slot = locals
                                .get_mut(var as usize)
                                .ok_or_else(|| internal(at, "local out of range"))?;
                            *slot = Local::Value(item);
                        }
                        None => pc = exit as usize,
                    }
                }
                Instr::AccInit(l) => {
                    let slot = locals
                        .get_mut(l as usize)
                        .ok_or_else(|| internal(at, "local out of range"))?;
                    lists.push((Vec::new(), 0));
                    *slot = Local::Acc(lists.len() - 1);
                }
                Instr::AccPush(l) => {
                    let v = stack.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let list = match locals.get(l as usize) {
                        Some(Local::Acc(list)) => lists.get_mut(*list),
                        _ => None,
                    };
                    let (acc, bytes) = list.ok_or_else(|| internal(at, "list not started"))?;
                    ops::accumulate_bounded(acc, bytes, frame.take_value(v))
                        .map_err(|e| fail(at, e.into()))?;
                }
                Instr::AccFinish(l) => {
                    let acc = match locals.get(l as usize) {
                        Some(Local::Acc(list)) => {
                            lists.get_mut(*list).map(|(acc, _)| std::mem::take(acc))
                        }
                        _ => None,
                    };
                    let acc = acc.ok_or_else(|| internal(at, "list not started"))?;
                    push!(frame.own(Value::multi(acc)));
                }
            }
        }
        let result = stack
            .pop()
            .ok_or_else(|| internal(program.code.len().saturating_sub(1), "empty result"))?;
        if stack.len() != 0 {
            return Err(internal(0, "values left on the stack"));
        }
        Ok(result)
    }
}
