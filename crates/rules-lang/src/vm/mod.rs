//! The virtual machine: runs a [`Program`] against an [`Env`].
//!
//! A `Vm` owns its operand stack and locals and reuses them from one run to the next, so
//! evaluating many objects allocates only what the expressions themselves produce. One
//! `Vm` per thread.

use crate::compile::{Instr, Program};
use crate::env::Env;
use crate::error::{EvalError, EvalErrorKind};
use crate::functions;
use crate::ops;
use crate::value::Value;

#[derive(Clone, Debug, Default)]
enum Local {
    #[default]
    Empty,
    Value(Value),
    Iter(Value, usize),
    Acc(Vec<Value>, usize),
}

/// A reusable evaluator.
#[derive(Clone, Debug, Default)]
pub struct Vm {
    stack: Vec<Value>,
    locals: Vec<Local>,
    /// `Select`/`Where` items visited in this run (see [`ops::MAX_ITERATIONS`]).
    iterations: u64,
}

impl Vm {
    /// A new VM.
    pub fn new() -> Self {
        Vm::default()
    }

    /// Runs `program` against `env`.
    pub fn run(&mut self, program: &Program, env: &Env<'_>) -> Result<Value, EvalError> {
        match program.per_value {
            None => self.run_once(program, env),
            Some(slot) => crate::env::per_value(env, slot, |e| self.run_once(program, e)),
        }
    }

    fn run_once(&mut self, program: &Program, env: &Env<'_>) -> Result<Value, EvalError> {
        self.stack.clear();
        self.iterations = 0;
        if program.locals > 0 || !self.locals.is_empty() {
            self.locals.clear();
            self.locals
                .resize_with(program.locals as usize, Local::default);
        }
        let fail = |pc: usize, kind: EvalErrorKind| EvalError {
            span: program.spans.get(pc).copied().unwrap_or_default(),
            kind,
        };
        let internal = |pc: usize, what: &'static str| fail(pc, EvalErrorKind::Internal(what));
        let mut pc = 0usize;
        while let Some(instr) = program.code.get(pc) {
            let at = pc;
            pc += 1;
            match *instr {
                Instr::Const(i) => {
                    let v = program
                        .consts
                        .get(i as usize)
                        .ok_or_else(|| internal(at, "constant out of range"))?;
                    self.stack.push(v.clone());
                }
                Instr::Bool(b) => self.stack.push(Value::Bool(b)),
                Instr::Attr(s) => self.stack.push(env.attributes.get(s).clone()),
                Instr::Imported(s) => self.stack.push(env.attributes.imported(s).clone()),
                Instr::ValueCount(s) => {
                    let n = env.attributes.get(s).values().len();
                    self.stack
                        .push(Value::Num(i64::try_from(n).unwrap_or(i64::MAX)));
                }
                Instr::Param(s) => self.stack.push(env.parameter(s).clone()),
                Instr::Local(l) => {
                    let v = match self.locals.get(l as usize) {
                        Some(Local::Value(v)) => v.clone(),
                        _ => return Err(internal(at, "local read before it is set")),
                    };
                    self.stack.push(v);
                }
                Instr::SetLocal(l) => {
                    let v = self.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    self.set_local(l, Local::Value(v))
                        .ok_or_else(|| internal(at, "local out of range"))?;
                }
                Instr::Call { func, argc } => {
                    let builtin = program
                        .funcs
                        .get(func as usize)
                        .ok_or_else(|| internal(at, "function out of range"))?;
                    let base = self
                        .stack
                        .len()
                        .checked_sub(argc as usize)
                        .ok_or_else(|| internal(at, "stack underflow"))?;
                    let args = self.stack.get(base..).unwrap_or(&[]);
                    let result = functions::call(builtin, args, &env.ctx)
                        .map_err(|e| fail(at, EvalErrorKind::Function(e)))?;
                    self.stack.truncate(base);
                    self.stack.push(result);
                }
                Instr::CallAttr { func, slot } => {
                    let builtin = program
                        .funcs
                        .get(func as usize)
                        .ok_or_else(|| internal(at, "function out of range"))?;
                    let arg = std::slice::from_ref(env.attributes.get(slot));
                    let result = functions::call(builtin, arg, &env.ctx)
                        .map_err(|e| fail(at, EvalErrorKind::Function(e)))?;
                    self.stack.push(result);
                }
                Instr::BinaryConst(op, k) => {
                    let r = program
                        .consts
                        .get(k as usize)
                        .ok_or_else(|| internal(at, "constant out of range"))?;
                    let l = self.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let v = ops::binary(op, &l, r).map_err(|e| fail(at, e.into()))?;
                    self.stack.push(v);
                }
                Instr::Binary(op) => {
                    let r = self.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let l = self.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let v = ops::binary(op, &l, &r).map_err(|e| fail(at, e.into()))?;
                    self.stack.push(v);
                }
                Instr::Neg => {
                    let x = self.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let v = ops::neg(&x).map_err(|e| fail(at, e.into()))?;
                    self.stack.push(v);
                }
                Instr::ToBool => {
                    let x = self.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let b = ops::truth(&x).map_err(|e| fail(at, e.into()))?;
                    self.stack.push(Value::Bool(b));
                }
                Instr::Jump(t) => pc = t as usize,
                Instr::JumpIfFalse(t) | Instr::JumpIfTrue(t) => {
                    let x = self.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    let b = ops::truth(&x).map_err(|e| fail(at, e.into()))?;
                    if b == matches!(instr, Instr::JumpIfTrue(_)) {
                        pc = t as usize;
                    }
                }
                Instr::IterInit(l) => {
                    let v = self.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    self.set_local(l, Local::Iter(v, 0))
                        .ok_or_else(|| internal(at, "local out of range"))?;
                }
                Instr::IterNext { iter, var, exit } => {
                    let next = match self.locals.get_mut(iter as usize) {
                        Some(Local::Iter(v, i)) => {
                            let item = v.values().get(*i).cloned();
                            *i += 1;
                            item
                        }
                        _ => return Err(internal(at, "iteration not started")),
                    };
                    match next {
                        Some(item) => {
                            ops::iterate(&mut self.iterations).map_err(|e| fail(at, e.into()))?;
                            self.set_local(var, Local::Value(item))
                                .ok_or_else(|| internal(at, "local out of range"))?;
                        }
                        None => pc = exit as usize,
                    }
                }
                Instr::AccInit(l) => {
                    self.set_local(l, Local::Acc(Vec::new(), 0))
                        .ok_or_else(|| internal(at, "local out of range"))?;
                }
                Instr::AccPush(l) => {
                    let v = self.pop().ok_or_else(|| internal(at, "stack underflow"))?;
                    match self.locals.get_mut(l as usize) {
                        Some(Local::Acc(acc, bytes)) => ops::accumulate_bounded(acc, bytes, v)
                            .map_err(|e| fail(at, e.into()))?,
                        _ => return Err(internal(at, "list not started")),
                    }
                }
                Instr::AccFinish(l) => {
                    let acc = match self.locals.get_mut(l as usize) {
                        Some(Local::Acc(acc, _)) => std::mem::take(acc),
                        _ => return Err(internal(at, "list not started")),
                    };
                    self.stack.push(Value::multi(acc));
                }
            }
        }
        let result = self
            .pop()
            .ok_or_else(|| internal(program.code.len().saturating_sub(1), "empty result"))?;
        if !self.stack.is_empty() {
            return Err(internal(0, "values left on the stack"));
        }
        Ok(result)
    }

    fn pop(&mut self) -> Option<Value> {
        self.stack.pop()
    }

    fn set_local(&mut self, l: u32, v: Local) -> Option<()> {
        let slot = self.locals.get_mut(l as usize)?;
        *slot = v;
        Some(())
    }
}
