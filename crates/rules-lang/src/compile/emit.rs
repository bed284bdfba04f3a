//! Emission: the typed tree → instructions, with the stack depth tracked and the limits
//! checked.

use super::{Instr, MAX_CONSTANTS, MAX_INSTRUCTIONS, MAX_STACK, Program};
use crate::diag::Diagnostic;
use crate::functions::Builtin;
use crate::ir::{EachValue, Node, NodeKind};
use crate::span::Span;
use crate::value::Value;

struct Emitter {
    code: Vec<Instr>,
    spans: Vec<Span>,
    consts: Vec<Value>,
    funcs: Vec<&'static Builtin>,
    locals: u32,
    depth: i64,
    max_depth: i64,
    root_span: Span,
}

/// Emits a program for `root`; `locals` is how many locals the checker bound.
pub(super) fn emit(
    root: &Node,
    locals: u32,
    per_value: Option<EachValue>,
) -> Result<Program, Diagnostic> {
    let mut e = Emitter {
        code: Vec::new(),
        spans: Vec::new(),
        consts: Vec::new(),
        funcs: Vec::new(),
        locals,
        depth: 0,
        max_depth: 0,
        root_span: root.span,
    };
    e.node(root)?;
    if e.code.len() > MAX_INSTRUCTIONS {
        return Err(e.limit(format!(
            "expression compiles to {} instructions; the limit is {MAX_INSTRUCTIONS}",
            e.code.len()
        )));
    }
    Ok(Program {
        code: e.code,
        spans: e.spans,
        consts: e.consts,
        natives: e.funcs.iter().map(|b| crate::vm::native::of(b)).collect(),
        funcs: e.funcs,
        locals: e.locals,
        max_stack: u32::try_from(e.max_depth).unwrap_or(u32::MAX),
        ty: root.ty,
        per_value,
    })
}

fn index(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Emitter {
    fn limit(&self, message: String) -> Diagnostic {
        Diagnostic::error("E0006", self.root_span, message)
            .with_help("split the expression, e.g. with `With($name, ...)`")
    }

    /// Appends an instruction with its stack effect.
    fn push(&mut self, instr: Instr, span: Span, effect: i64) -> Result<usize, Diagnostic> {
        self.code.push(instr);
        self.spans.push(span);
        self.depth += effect;
        self.max_depth = self.max_depth.max(self.depth);
        if self.max_depth > MAX_STACK as i64 {
            return Err(self.limit(format!(
                "expression needs an operand stack deeper than {MAX_STACK}"
            )));
        }
        if self.code.len() > MAX_INSTRUCTIONS {
            return Err(self.limit(format!(
                "expression compiles to more than {MAX_INSTRUCTIONS} instructions"
            )));
        }
        Ok(self.code.len() - 1)
    }

    fn here(&self) -> u32 {
        index(self.code.len())
    }

    /// Points the jump at `at` to `target`.
    fn patch(&mut self, at: usize, target: u32) {
        if let Some(instr) = self.code.get_mut(at) {
            match instr {
                Instr::Jump(t) | Instr::JumpIfFalse(t) | Instr::JumpIfTrue(t) => *t = target,
                Instr::IterNext { exit, .. } => *exit = target,
                _ => {}
            }
        }
    }

    fn constant(&mut self, v: &Value, span: Span) -> Result<(), Diagnostic> {
        if let Value::Bool(b) = v {
            self.push(Instr::Bool(*b), span, 1)?;
            return Ok(());
        }
        let i = self.constant_index(v)?;
        self.push(Instr::Const(i), span, 1)?;
        Ok(())
    }

    fn constant_index(&mut self, v: &Value) -> Result<u32, Diagnostic> {
        let i = match self.consts.iter().position(|c| c == v) {
            Some(i) => i,
            None => {
                if self.consts.len() >= MAX_CONSTANTS {
                    return Err(self.limit(format!(
                        "expression holds more than {MAX_CONSTANTS} constants"
                    )));
                }
                self.consts.push(v.clone());
                self.consts.len() - 1
            }
        };
        Ok(index(i))
    }

    fn func(&mut self, b: &'static Builtin) -> u16 {
        let i = match self.funcs.iter().position(|f| std::ptr::eq(*f, b)) {
            Some(i) => i,
            None => {
                self.funcs.push(b);
                self.funcs.len() - 1
            }
        };
        u16::try_from(i).unwrap_or(u16::MAX)
    }

    fn new_local(&mut self) -> u32 {
        self.locals += 1;
        self.locals - 1
    }

    fn node(&mut self, n: &Node) -> Result<(), Diagnostic> {
        let span = n.span;
        match &n.kind {
            NodeKind::Const(v) => self.constant(v, span)?,
            NodeKind::Attr(s) => {
                self.push(Instr::Attr(*s), span, 1)?;
            }
            NodeKind::Imported(s) => {
                self.push(Instr::Imported(*s), span, 1)?;
            }
            NodeKind::ValueCount(s) => {
                self.push(Instr::ValueCount(*s), span, 1)?;
            }
            NodeKind::Param(s) => {
                self.push(Instr::Param(*s), span, 1)?;
            }
            NodeKind::Local(l) => {
                self.push(Instr::Local(*l), span, 1)?;
            }
            NodeKind::Call(b, args)
                if args.len() == 1
                    && b.imp.is_some()
                    && matches!(args.first().map(|a| &a.kind), Some(NodeKind::Attr(_))) =>
            {
                if let Some(NodeKind::Attr(slot)) = args.first().map(|a| &a.kind) {
                    let func = self.func(b);
                    self.push(Instr::CallAttr { func, slot: *slot }, span, 1)?;
                }
            }
            NodeKind::Call(b, args) => {
                for a in args {
                    self.node(a)?;
                }
                let argc = u16::try_from(args.len()).unwrap_or(u16::MAX);
                let func = self.func(b);
                self.push(Instr::Call { func, argc }, span, 1 - i64::from(argc))?;
            }
            NodeKind::Binary(op, l, r) if matches!(&r.kind, NodeKind::Const(_)) => {
                self.node(l)?;
                if let NodeKind::Const(v) = &r.kind {
                    let k = self.constant_index(v)?;
                    self.push(Instr::BinaryConst(*op, k), span, 0)?;
                }
            }
            NodeKind::Binary(op, l, r) => {
                self.node(l)?;
                self.node(r)?;
                self.push(Instr::Binary(*op), span, -1)?;
            }
            NodeKind::Neg(x) => {
                self.node(x)?;
                self.push(Instr::Neg, span, 0)?;
            }
            // `IIF(c, True, False)` is the truth of `c` (null reads as false).
            NodeKind::Iif(c, t, f)
                if matches!(t.kind, NodeKind::Const(Value::Bool(true)))
                    && matches!(f.kind, NodeKind::Const(Value::Bool(false))) =>
            {
                self.node(c)?;
                self.push(Instr::ToBool, span, 0)?;
            }
            NodeKind::Iif(c, t, f) => {
                self.node(c)?;
                let to_else = self.push(Instr::JumpIfFalse(0), span, -1)?;
                self.node(t)?;
                let to_end = self.push(Instr::Jump(0), span, 0)?;
                // Only one branch's value is on the stack at run time.
                self.depth -= 1;
                let else_at = self.here();
                self.patch(to_else, else_at);
                self.node(f)?;
                let end = self.here();
                self.patch(to_end, end);
            }
            NodeKind::And(l, r) | NodeKind::Or(l, r) => {
                let is_and = matches!(n.kind, NodeKind::And(..));
                self.node(l)?;
                let short = if is_and {
                    self.push(Instr::JumpIfFalse(0), span, -1)?
                } else {
                    self.push(Instr::JumpIfTrue(0), span, -1)?
                };
                self.node(r)?;
                self.push(Instr::ToBool, span, 0)?;
                let to_end = self.push(Instr::Jump(0), span, 0)?;
                self.depth -= 1;
                let short_at = self.here();
                self.patch(short, short_at);
                self.push(Instr::Bool(!is_and), span, 1)?;
                let end = self.here();
                self.patch(to_end, end);
            }
            NodeKind::Select { var, source, body } => {
                self.iterate(*var, source, span, |e| e.node(body).map(|_| None))?;
            }
            NodeKind::Where { var, source, cond } => {
                let var = *var;
                self.iterate(var, source, span, |e| {
                    e.node(cond)?;
                    let skip = e.push(Instr::JumpIfFalse(0), span, -1)?;
                    e.push(Instr::Local(var), span, 1)?;
                    Ok(Some(skip))
                })?;
            }
            NodeKind::With { var, value, body } => {
                self.node(value)?;
                self.push(Instr::SetLocal(*var), span, -1)?;
                self.node(body)?;
            }
        }
        Ok(())
    }

    /// A loop over the values of `source` binding local `var`; `body` leaves one value to
    /// collect, and may return a jump to patch to the loop head (to skip collecting).
    fn iterate(
        &mut self,
        var: u32,
        source: &Node,
        span: Span,
        body: impl FnOnce(&mut Self) -> Result<Option<usize>, Diagnostic>,
    ) -> Result<(), Diagnostic> {
        let iter = self.new_local();
        let acc = self.new_local();
        self.node(source)?;
        self.push(Instr::IterInit(iter), span, -1)?;
        self.push(Instr::AccInit(acc), span, 0)?;
        let head = self.here();
        let next = self.push(Instr::IterNext { iter, var, exit: 0 }, span, 0)?;
        let skip = body(self)?;
        self.push(Instr::AccPush(acc), span, -1)?;
        self.push(Instr::Jump(head), span, 0)?;
        if let Some(skip) = skip {
            self.patch(skip, head);
        }
        let exit = self.here();
        self.patch(next, exit);
        self.push(Instr::AccFinish(acc), span, 1)?;
        Ok(())
    }
}
